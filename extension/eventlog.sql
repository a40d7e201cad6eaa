-- eventlog 1.3: the log (plain or time-partitioned, append-only, readable
-- event by event as the events' tables are: row security, counted per
-- filter as it is written), jsonb_diff_schema,
-- eventlog_render, eventlog_log and eventlog_log_row, table tracking, the
-- query functions and views, retention.
--
-- Every name is schema-qualified (@extschema@ or pg_catalog): nothing here
-- depends on the search_path of whoever runs CREATE EXTENSION.

\echo Use "CREATE EXTENSION eventlog" to load this file. \quit

-------------------------------------------------------------------------------
-- The log
-------------------------------------------------------------------------------

CREATE SEQUENCE @extschema@.eventlog_id_seq AS bigint;

-- The layout is chosen when the extension is created. By default eventlog
-- is a plain table. With the setting eventlog.partition_interval (for
-- example SET eventlog.partition_interval = '1 month' before CREATE
-- EXTENSION) it is range-partitioned by "timestamp", one partition per
-- interval (whole months or whole days, aligned in UTC), kept ready ahead
-- of time by eventlog_partition_maintain, which the writer calls itself.
CREATE TABLE @extschema@.eventlog_partition_settings (
    partition_interval interval NOT NULL,
    premake            integer  NOT NULL DEFAULT 3 CHECK (premake BETWEEN 1 AND 120),
    singleton          boolean  NOT NULL DEFAULT true CHECK (singleton),
    CONSTRAINT eventlog_partition_settings_pkey PRIMARY KEY (singleton)
);
REVOKE ALL ON TABLE @extschema@.eventlog_partition_settings FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.eventlog_partition_settings TO PUBLIC;
COMMENT ON TABLE @extschema@.eventlog_partition_settings IS
'The time partitioning of eventlog (one row when it is partitioned, none when it is a plain table): the interval of one partition, and how many partitions after the current one are kept ready. Not dumped: CREATE EXTENSION fills it from eventlog.partition_interval, also when a dump is restored';

CREATE FUNCTION @extschema@.eventlog_partition_start(at timestamptz, partition_interval interval)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    months integer := (extract(year FROM partition_interval) * 12 + extract(month FROM partition_interval))::integer;
    days integer := extract(day FROM partition_interval)::integer;
    month_index integer;
BEGIN
    IF partition_interval <> make_interval(months => months, days => days)
       OR NOT ((months > 0 AND days = 0) OR (months = 0 AND days > 0)) THEN
        RAISE EXCEPTION 'eventlog: a partition interval is a whole number of months or of days, not %', partition_interval
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example ''1 month'', ''3 months'', ''1 year'', ''7 days'' or ''1 day''.';
    END IF;
    IF days > 0 THEN
        RETURN date_bin(make_interval(days => days), at, timestamptz '2000-01-01 00:00:00+00');
    END IF;
    month_index := (extract(year FROM at AT TIME ZONE 'UTC') * 12 + extract(month FROM at AT TIME ZONE 'UTC') - 1)::integer;
    month_index := month_index - month_index % months;
    RETURN make_timestamptz(month_index / 12, month_index % 12 + 1, 1, 0, 0, 0, 'UTC');
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_partition_start(timestamptz, interval) IS
'The start of the partition of the given interval that holds the given time (partitions are aligned in UTC: months from the 1st, days from 2000-01-01)';

-- The primary key and indexes of the log, in one place: a plain log has
-- them itself; a partitioned log has them on each partition (the parent has
-- none, so that pg_restore re-creates each partition's own indexes instead
-- of colliding with copies that ATTACH PARTITION would have made).
--
-- One object's history and one tool's events, newest first, are index scans
-- (read backwards). Ascending keys keep inserts of new events together at
-- the end of each object's and tool's range; identifiers compare bytewise
-- (COLLATE "C"), which is both faster and independent of the locale. The
-- other filters of eventlog_page, the unfiltered list and one transaction's
-- events have their own indexes; new entries land at the end of each key's
-- range (or of the whole index), which keeps these cheap to maintain.
-- The object index carries object_table, the column the row security
-- rule reads, so that counting one object's events (which eventlog_page
-- does in the log) stays an index-only scan; the other filters' counts
-- come from eventlog_counts, and their indexes stay narrow.
CREATE FUNCTION @extschema@.eventlog_create_indexes(target regclass, key_columns text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    name text := (SELECT c.relname FROM pg_class c WHERE c.oid = target);
BEGIN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s)', target, name || '_pkey', key_columns);
    EXECUTE format('CREATE INDEX %I ON %s (object_type, object_id, "timestamp", id) INCLUDE (object_table)', name || '_object_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (tool, "timestamp", id)', name || '_tool_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (actor, "timestamp", id)', name || '_actor_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (action, "timestamp", id)', name || '_action_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s ("timestamp", id)', name || '_time_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (transaction_id)', name || '_transaction_idx', target);
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_create_indexes(regclass, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_create_indexes(regclass, text) IS
'Creates the primary key (on key_columns) and the query indexes of the log or of one of its partitions; used by CREATE EXTENSION and eventlog_partition_maintain';

-- The log, in the chosen layout: the same columns either way.
DO $layout$
DECLARE
    setting text := pg_catalog.current_setting('eventlog.partition_interval', true);
    partitioned boolean := COALESCE(setting, '') OPERATOR(pg_catalog.<>) '';
BEGIN
    IF partitioned THEN
        -- Validates the interval (22023 when it is not whole months or days).
        PERFORM @extschema@.eventlog_partition_start(pg_catalog.now(), setting::pg_catalog.interval);
        INSERT INTO @extschema@.eventlog_partition_settings (partition_interval)
        VALUES (setting::pg_catalog.interval);
    END IF;
    EXECUTE pg_catalog.format($table$
CREATE TABLE @extschema@.eventlog (
    id               bigint      NOT NULL DEFAULT pg_catalog.nextval('@extschema@.eventlog_id_seq'::pg_catalog.regclass),
    "timestamp"      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    actor            text COLLATE pg_catalog."C",
    message          text        NOT NULL DEFAULT '',
    object_type      text COLLATE pg_catalog."C",
    object_id        text COLLATE pg_catalog."C",
    tool             text COLLATE pg_catalog."C",
    action           text COLLATE pg_catalog."C",
    changes          jsonb,
    db_user          text        NOT NULL DEFAULT CURRENT_USER,
    template_message text,
    values_json      jsonb,
    transaction_id   xid8        NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    object_table     pg_catalog.regclass,
    context          jsonb
) %s$table$,
        CASE WHEN partitioned THEN 'PARTITION BY RANGE ("timestamp")' ELSE '' END);
    IF NOT partitioned THEN
        PERFORM @extschema@.eventlog_create_indexes('@extschema@.eventlog', 'id');
    END IF;
END
$layout$;

ALTER SEQUENCE @extschema@.eventlog_id_seq OWNED BY @extschema@.eventlog.id;

-- pg_dump dumps the events and the sequence position, not only the empty table.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_id_seq', '');

-- Ordinary roles read the log; only the extension's functions write it.
REVOKE ALL ON TABLE @extschema@.eventlog FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.eventlog_id_seq FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.eventlog TO PUBLIC;

-- Append-only, even for the table's owner: events are never changed; only
-- eventlog_purge removes old ones (its deletes pass through a window of the
-- C trigger function that no SQL can open).
CREATE FUNCTION @extschema@.eventlog_refuse_rewrite() RETURNS trigger
    LANGUAGE c
AS 'MODULE_PATHNAME', 'eventlog_refuse_rewrite';

CREATE TRIGGER eventlog_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.eventlog
    FOR EACH ROW EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
CREATE TRIGGER eventlog_append_only_truncate
    BEFORE TRUNCATE ON @extschema@.eventlog
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();

COMMENT ON TABLE @extschema@.eventlog IS 'The audit trail: one row per event, append-only';
COMMENT ON COLUMN @extschema@.eventlog.id IS 'Event id, increasing';
COMMENT ON COLUMN @extschema@.eventlog."timestamp" IS 'When the event was recorded';
COMMENT ON COLUMN @extschema@.eventlog.actor IS 'Who caused it: the actor argument, else eventlog.actor, else the database role';
COMMENT ON COLUMN @extschema@.eventlog.message IS 'The rendered message template ('''' when none)';
COMMENT ON COLUMN @extschema@.eventlog.object_type IS 'What kind of object; for tracked tables the schema-qualified table name';
COMMENT ON COLUMN @extschema@.eventlog.object_id IS 'The object''s key as text; composite keys as a JSON array text';
COMMENT ON COLUMN @extschema@.eventlog.tool IS 'Feature or app category, for filtering';
COMMENT ON COLUMN @extschema@.eventlog.action IS 'create, update, delete, truncate, or any custom string';
COMMENT ON COLUMN @extschema@.eventlog.changes IS '{"old_value": {...}, "new_value": {...}} or NULL';
COMMENT ON COLUMN @extschema@.eventlog.db_user IS 'The database role that performed the change';
COMMENT ON COLUMN @extschema@.eventlog.template_message IS 'The template the message was rendered from';
COMMENT ON COLUMN @extschema@.eventlog.values_json IS 'The values the message was rendered from (eventlog_log; NULL for tracked changes, whose values are in changes)';
COMMENT ON COLUMN @extschema@.eventlog.transaction_id IS 'The transaction that recorded the event';
COMMENT ON COLUMN @extschema@.eventlog.object_table IS
'The table the event is about, decided when it was written (tracked changes, eventlog_log_row, eventlog_log whose object_type named a table); NULL: about no table. Roles other than the owner see the event only while they may SELECT that table';
COMMENT ON COLUMN @extschema@.eventlog.context IS
'The context of the event: eventlog.context of its transaction (a JSON object), with eventlog_log''s context argument merged over it; NULL when neither was given';
COMMENT ON SEQUENCE @extschema@.eventlog_id_seq IS 'Ids of eventlog';
COMMENT ON FUNCTION @extschema@.eventlog_refuse_rewrite() IS 'Trigger keeping eventlog append-only (only eventlog_purge may remove events)';

-- Who may read which events: a role sees an event about a table only while
-- it may SELECT that table (table-level, directly or through membership);
-- events about a table that no longer exists only the roles that bypass
-- row security see (superusers, BYPASSRLS roles, the log's owner and the
-- members of the owner role); events about no table every role that may
-- read the log. Every reading path (the table, the functions, the views,
-- which read with the caller's rights) goes through this policy.
CREATE FUNCTION @extschema@.eventlog_readable(object_table pg_catalog.regclass)
RETURNS boolean
AS 'MODULE_PATHNAME', 'eventlog_readable'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.eventlog_readable(pg_catalog.regclass) IS
'The row security rule of eventlog: true when the event is about no table (NULL), or the current role may SELECT the table (checked once per table per query); false for a table that no longer exists';

CREATE FUNCTION @extschema@.eventlog_object_table(object_type text)
RETURNS pg_catalog.regclass
AS 'MODULE_PATHNAME', 'eventlog_object_table'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.eventlog_object_table(text) IS
'The table an event with this object_type is about, as eventlog_log decides it when writing: a schema-qualified name (or a bare one on the search_path) of a table, view, materialized view or foreign table; NULL when it names none';

ALTER TABLE @extschema@.eventlog ENABLE ROW LEVEL SECURITY;
CREATE POLICY eventlog_readable ON @extschema@.eventlog FOR SELECT TO PUBLIC
    USING (@extschema@.eventlog_readable(object_table));
COMMENT ON POLICY eventlog_readable ON @extschema@.eventlog IS
'Roles see an event about a table only while they may SELECT that table (see eventlog_readable)';

-------------------------------------------------------------------------------
-- Counts
-------------------------------------------------------------------------------

-- eventlog_page's count over one filter (tool, actor, action, object_type,
-- or none) is a sum over a few rows instead of a count of every matching
-- event. Every write of events adds one row to eventlog_count_deltas in the
-- same transaction (the events of one write share tool, actor, action,
-- object_type and object_table); eventlog_purge adds negative ones for what
-- it removes. Writers fold the committed deltas into eventlog_counts now
-- and then (one at a time, never waiting for each other), which keeps the
-- deltas few. Both tables carry object_table and the log's row security
-- rule, so that a role counts exactly the events it may read.
CREATE TABLE @extschema@.eventlog_count_deltas (
    tool         text COLLATE pg_catalog."C",
    actor        text COLLATE pg_catalog."C",
    action       text COLLATE pg_catalog."C",
    object_type  text COLLATE pg_catalog."C",
    object_table pg_catalog.regclass,
    events       bigint NOT NULL
);

CREATE TABLE @extschema@.eventlog_counts (
    filter       text COLLATE pg_catalog."C" NOT NULL
                 CHECK (filter OPERATOR(pg_catalog.=) ANY ('{tool,actor,action,object_type}'::text[])),
    value        text COLLATE pg_catalog."C",
    object_table pg_catalog.regclass,
    events       bigint NOT NULL,
    CONSTRAINT eventlog_counts_key UNIQUE NULLS NOT DISTINCT (filter, value, object_table)
);

COMMENT ON TABLE @extschema@.eventlog_count_deltas IS
'Counts of events not yet folded into eventlog_counts: one row per write of events (negative for events eventlog_purge removed)';
COMMENT ON TABLE @extschema@.eventlog_counts IS
'How many events each tool, actor, action and object_type has, per table the events are about (add the matching rows of eventlog_count_deltas for the exact count)';
COMMENT ON COLUMN @extschema@.eventlog_counts.filter IS 'The column counted: tool, actor, action or object_type';
COMMENT ON COLUMN @extschema@.eventlog_counts.value IS 'Its value (NULL counts the events where it is NULL)';

-- Dumped with the events (a restore does not recount); read under the
-- log's rule; written only by the extension.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_count_deltas', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_counts', '');
REVOKE ALL ON TABLE @extschema@.eventlog_count_deltas, @extschema@.eventlog_counts FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.eventlog_count_deltas, @extschema@.eventlog_counts TO PUBLIC;
ALTER TABLE @extschema@.eventlog_count_deltas ENABLE ROW LEVEL SECURITY;
ALTER TABLE @extschema@.eventlog_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY eventlog_readable ON @extschema@.eventlog_count_deltas FOR SELECT TO PUBLIC
    USING (@extschema@.eventlog_readable(object_table));
CREATE POLICY eventlog_readable ON @extschema@.eventlog_counts FOR SELECT TO PUBLIC
    USING (@extschema@.eventlog_readable(object_table));
COMMENT ON POLICY eventlog_readable ON @extschema@.eventlog_count_deltas IS
'The rule of eventlog: a role counts an event about a table only while it may SELECT that table';
COMMENT ON POLICY eventlog_readable ON @extschema@.eventlog_counts IS
'The rule of eventlog: a role counts an event about a table only while it may SELECT that table';

CREATE FUNCTION @extschema@.eventlog_counts_fold()
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_counts_fold';

REVOKE ALL ON FUNCTION @extschema@.eventlog_counts_fold() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_counts_fold() IS
'Folds the committed rows of eventlog_count_deltas into eventlog_counts and returns how many it folded (writers do it on their own now and then); waits for a fold running in another transaction; EXECUTE only for the owner and roles it grants it to';

CREATE FUNCTION @extschema@.eventlog_counts_rebuild()
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_counts_rebuild';

REVOKE ALL ON FUNCTION @extschema@.eventlog_counts_rebuild() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_counts_rebuild() IS
'Recounts every event into eventlog_counts (holding writers off until the transaction ends) and returns how many it counted: for a log changed by hand (events inserted, partitions dropped); EXECUTE only for the owner and roles it grants it to';

-- The counts stand for the log only while whoever reads them would see the
-- same events in the log: row security applies to all three tables alike,
-- with the same policies (names, commands, roles, kinds, expressions; the
-- answer is cached until a policy, a table or a role changes). An owner who adds a policy to eventlog (say, one
-- letting an auditor read everything) and not to the counts tables gets
-- counts made by counting, which stay exact.
CREATE FUNCTION @extschema@.eventlog_counts_stand_for_log()
RETURNS boolean
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'eventlog_counts_stand_for_log';

COMMENT ON FUNCTION @extschema@.eventlog_counts_stand_for_log() IS
'True when the current role''s counts from eventlog_counts and eventlog_count_deltas equal its counts of eventlog (row security applies to the three alike, with the same policies); eventlog_page counts events otherwise';

-------------------------------------------------------------------------------
-- Time partitions (when eventlog.partition_interval chose them)
-------------------------------------------------------------------------------

CREATE VIEW @extschema@.eventlog_partitions AS
SELECT c.oid::pg_catalog.regclass AS partition,
       bounds[1]::pg_catalog.timestamptz AS from_time,
       bounds[2]::pg_catalog.timestamptz AS to_time
FROM pg_catalog.pg_inherits i
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid
CROSS JOIN LATERAL pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                           '^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$') AS bounds
WHERE i.inhparent OPERATOR(pg_catalog.=) '@extschema@.eventlog'::pg_catalog.regclass;

GRANT SELECT ON @extschema@.eventlog_partitions TO PUBLIC;
COMMENT ON VIEW @extschema@.eventlog_partitions IS
'The time partitions of eventlog, each with the range of "timestamp" it holds (from_time inclusive, to_time exclusive); empty when eventlog is a plain table';

CREATE FUNCTION @extschema@.eventlog_partition_maintain(since timestamptz DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    settings record;
    now_at timestamptz := clock_timestamp();
    -- Period starts as UTC timestamps: month arithmetic free of time zones.
    current_start timestamp;
    first_start timestamp;
    period_start timestamp;
    name text;
    needed boolean;
    lock_key bigint := hashtextextended('eventlog partitions', '@extschema@.eventlog'::regclass::oid::bigint);
BEGIN
    SELECT s.partition_interval, s.premake INTO settings FROM @extschema@.eventlog_partition_settings s;
    IF NOT FOUND OR (SELECT c.relkind FROM pg_class c WHERE c.oid = '@extschema@.eventlog'::regclass) <> 'p' THEN
        RETURN 'infinity';
    END IF;
    current_start := @extschema@.eventlog_partition_start(now_at, settings.partition_interval) AT TIME ZONE 'UTC';
    first_start := @extschema@.eventlog_partition_start(least(since, now_at), settings.partition_interval) AT TIME ZONE 'UTC';

    -- Nothing to do while every partition from `since` (or the current
    -- one) to `premake` after the current one exists.
    IF NOT EXISTS (
        SELECT FROM generate_series(first_start, current_start + settings.premake * settings.partition_interval,
                                    settings.partition_interval) AS s(p)
        WHERE NOT EXISTS (SELECT FROM @extschema@.eventlog_partitions e
                          WHERE e.from_time <= s.p AT TIME ZONE 'UTC' AND s.p AT TIME ZONE 'UTC' < e.to_time)) THEN
        RETURN (current_start + settings.partition_interval) AT TIME ZONE 'UTC';
    END IF;

    -- One creator at a time. The current and the next partition are needed
    -- now (and all of them when `since` is given): wait for another creator,
    -- and fail as the write would. The others are only ahead of time: leave
    -- them to whoever is already at it, and look again in a minute; a
    -- failure there is only a warning.
    needed := since IS NOT NULL OR EXISTS (
        SELECT FROM generate_series(current_start, current_start + settings.partition_interval,
                                    settings.partition_interval) AS s(p)
        WHERE NOT EXISTS (SELECT FROM @extschema@.eventlog_partitions e
                          WHERE e.from_time <= s.p AT TIME ZONE 'UTC' AND s.p AT TIME ZONE 'UTC' < e.to_time));
    IF needed THEN
        PERFORM pg_advisory_xact_lock(lock_key);
    ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
        RETURN now_at + interval '1 minute';
    END IF;

    BEGIN
        FOR period_start IN
            SELECT s.p FROM generate_series(first_start, current_start + settings.premake * settings.partition_interval,
                                            settings.partition_interval) AS s(p)
        LOOP
            CONTINUE WHEN EXISTS (SELECT FROM @extschema@.eventlog_partitions e
                                  WHERE e.from_time <= period_start AT TIME ZONE 'UTC'
                                    AND period_start AT TIME ZONE 'UTC' < e.to_time);
            name := 'eventlog_p' || to_char(period_start, 'YYYYMMDD');
            -- Created apart and attached (SHARE UPDATE EXCLUSIVE on eventlog):
            -- readers and writers of the log are not blocked meanwhile.
            EXECUTE format('CREATE TABLE @extschema@.%I (LIKE @extschema@.eventlog INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMPRESSION)', name);
            PERFORM @extschema@.eventlog_create_indexes(format('@extschema@.%I', name)::regclass, 'id, "timestamp"');
            EXECUTE format('ALTER TABLE @extschema@.eventlog ATTACH PARTITION @extschema@.%I FOR VALUES FROM (%L) TO (%L)',
                           name, period_start AT TIME ZONE 'UTC',
                           (period_start + settings.partition_interval) AT TIME ZONE 'UTC');
            EXECUTE format('CREATE TRIGGER eventlog_append_only_truncate BEFORE TRUNCATE ON @extschema@.%I '
                           'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite()', name);
            EXECUTE format('COMMENT ON TABLE @extschema@.%I IS %L', name,
                           format('Events recorded from %s UTC to %s UTC (a partition of eventlog)',
                                  period_start, period_start + settings.partition_interval));
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        IF needed THEN
            RAISE;
        END IF;
        RAISE WARNING 'eventlog: could not create the partitions ahead of time: %', SQLERRM;
        RETURN now_at + interval '1 minute';
    END;
    RETURN (current_start + settings.partition_interval) AT TIME ZONE 'UTC';
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_partition_maintain(timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_partition_maintain(timestamptz) IS
'Creates the missing time partitions of eventlog, from the one holding `since` (default: now) to premake after the current one, and returns when it is next due; the extension calls it itself when it writes, so no scheduler is needed; does nothing for a plain table';

-------------------------------------------------------------------------------
-- Functions
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.jsonb_diff_schema(
    old_data jsonb,
    new_data jsonb,
    exclude_keys text[] DEFAULT '{}',
    deep boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'eventlog_jsonb_diff_schema'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.jsonb_diff_schema(jsonb, jsonb, text[], boolean) IS
'What changed between two JSON objects: {"old_value": {...}, "new_value": {...}}. NULL old_data is a creation, NULL new_data a deletion; deep => true recurses into nested objects and id-keyed arrays';

CREATE FUNCTION @extschema@.eventlog_render(
    template_message text,
    values_json jsonb DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'eventlog_render'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.eventlog_render(text, jsonb) IS
'Renders a message template: {key} looks up key in values_json, {item__a__b} follows the path a.b into values_json->''item__a__b''; {{ and }} are literal braces';

CREATE FUNCTION @extschema@.eventlog_log(
    template_message text,
    values_json jsonb DEFAULT NULL,
    object_type text DEFAULT NULL,
    object_id text DEFAULT NULL,
    actor text DEFAULT NULL,
    tool text DEFAULT NULL,
    action text DEFAULT NULL,
    changes jsonb DEFAULT NULL,
    context jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eventlog_log'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb) IS
'Records one event and returns its id; message = eventlog_render(template_message, values_json), actor defaults to eventlog.actor, then the calling role; context (a JSON object) is merged over eventlog.context';

CREATE FUNCTION @extschema@.eventlog_object(
    row_value anyelement,
    OUT object_type text,
    OUT object_id text)
AS 'MODULE_PATHNAME', 'eventlog_object'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.eventlog_object(anyelement) IS
'The object a table row is: object_type (schema-qualified table name) and object_id (primary key as text; composite keys as a JSON array text)';

CREATE FUNCTION @extschema@.eventlog_log_row(
    object anyelement,
    template_message text DEFAULT NULL,
    values_json jsonb DEFAULT NULL,
    actor text DEFAULT NULL,
    tool text DEFAULT NULL,
    action text DEFAULT NULL,
    changes jsonb DEFAULT NULL,
    context jsonb DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
    SELECT @extschema@.eventlog_log(template_message, values_json, o.object_type, o.object_id,
                                    actor, tool, action, changes, context)
    FROM @extschema@.eventlog_object(object) AS o
    WHERE o.object_type IS NOT NULL  -- a NULL row: nothing recorded, NULL returned
$$;

COMMENT ON FUNCTION @extschema@.eventlog_log_row(anyelement, text, jsonb, text, text, text, jsonb, jsonb) IS
'eventlog_log with a table row as the object: object_type and object_id come from the row''s table and primary key (a NULL row records nothing and returns NULL)';

-------------------------------------------------------------------------------
-- Tracking tables with triggers
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.eventlog_capture() RETURNS trigger
AS 'MODULE_PATHNAME', 'eventlog_capture'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.eventlog_capture() IS
'Trigger attached by eventlog_track(): records one event per changed row, in bulk per statement. Its argument holds the tracking options';

CREATE FUNCTION @extschema@.eventlog_check_tracking(target regclass, options jsonb) RETURNS void
AS 'MODULE_PATHNAME', 'eventlog_check_tracking'
LANGUAGE C STABLE STRICT;

COMMENT ON FUNCTION @extschema@.eventlog_check_tracking(regclass, jsonb) IS
'Validates tracking options for a table (primary key, excluded columns, message templates) without changing anything; used by eventlog_track()';

CREATE FUNCTION @extschema@.eventlog_snapshot(target regclass, options text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eventlog_snapshot'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.eventlog_snapshot(regclass, text) IS
'Records one snapshot event per row the table has now (changes: every tracked column as new_value), with the tracking options given (the capture trigger''s argument); for the table''s owner; eventlog_track(..., snapshot => true) calls it. Returns how many rows';

CREATE FUNCTION @extschema@.eventlog_track(
    target regclass,
    tool text DEFAULT NULL,
    exclude_columns text[] DEFAULT '{}',
    messages jsonb DEFAULT NULL,
    snapshot boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    table_row record;
    options jsonb;
    argument text;
    unsafe_triggers text;
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'eventlog_track: target must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.relname, c.relkind, c.relowner INTO table_row FROM pg_catalog.pg_class c WHERE c.oid = target;
    IF table_row.relkind IS NULL OR table_row.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'eventlog_track: % is not a table', target USING ERRCODE = 'wrong_object_type';
    END IF;
    IF NOT pg_catalog.pg_has_role(current_user, table_row.relowner, 'MEMBER') THEN
        RAISE EXCEPTION 'eventlog_track: must be owner of table %', target
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF target = '@extschema@.eventlog'::pg_catalog.regclass THEN
        RAISE EXCEPTION 'eventlog_track: the log itself cannot be tracked' USING ERRCODE = 'wrong_object_type';
    END IF;

    options := pg_catalog.jsonb_build_object(
        'tool', COALESCE(tool, table_row.relname::text),
        'exclude_columns', pg_catalog.to_jsonb(COALESCE(exclude_columns, '{}'::text[])),
        'messages', COALESCE(messages, '{}'::jsonb));
    PERFORM @extschema@.eventlog_check_tracking(target, options);
    argument := options::text;
    -- Citus creates triggers on a distributed or reference table (and on
    -- each of its shards) only with this setting on (docs/distributed.md).
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        unsafe_triggers := pg_catalog.current_setting('citus.enable_unsafe_triggers', true);
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;

    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER eventlog_capture_insert AFTER INSERT ON %s '
        'REFERENCING NEW TABLE AS eventlog_new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_capture(%L)', target, argument);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER eventlog_capture_update AFTER UPDATE ON %s '
        'REFERENCING OLD TABLE AS eventlog_old_rows NEW TABLE AS eventlog_new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_capture(%L)', target, argument);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER eventlog_capture_delete AFTER DELETE ON %s '
        'REFERENCING OLD TABLE AS eventlog_old_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_capture(%L)', target, argument);
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE TRIGGER eventlog_capture_truncate AFTER TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_capture(%L)', target, argument);
    IF unsafe_triggers IS NOT NULL THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    END IF;
    IF snapshot THEN
        PERFORM @extschema@.eventlog_snapshot(target, argument);
    END IF;
END
$$;

COMMENT ON FUNCTION @extschema@.eventlog_track(regclass, text, text[], jsonb, boolean) IS
'Records every INSERT, UPDATE, DELETE and TRUNCATE of a table in eventlog. tool defaults to the table''s name; exclude_columns never appear in changes; messages maps create/update/delete/truncate to templates with {actor}, {tool}, {action}, {object_type}, {object_id}, {old__COLUMN}, {new__COLUMN}. Calling it again replaces the options; snapshot => true also records, in the same transaction, one snapshot event per existing row (the baseline of its history)';

CREATE FUNCTION @extschema@.eventlog_untrack(target regclass)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner oid;
    trigger_name name;
    found_any boolean := false;
    unsafe_triggers text;
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'eventlog_untrack: target must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid = target;
    IF NOT pg_catalog.pg_has_role(current_user, owner, 'MEMBER') THEN
        RAISE EXCEPTION 'eventlog_untrack: must be owner of table %', target
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Citus drops triggers of its tables only with this setting on.
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        unsafe_triggers := pg_catalog.current_setting('citus.enable_unsafe_triggers', true);
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;
    FOR trigger_name IN
        SELECT t.tgname FROM pg_catalog.pg_trigger t
        WHERE t.tgrelid = target
          AND t.tgfoid = '@extschema@.eventlog_capture()'::pg_catalog.regprocedure
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trigger_name, target);
        found_any := true;
    END LOOP;
    IF unsafe_triggers IS NOT NULL THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    END IF;
    RETURN found_any;
END
$$;

COMMENT ON FUNCTION @extschema@.eventlog_untrack(regclass) IS
'Stops recording a table''s changes (its events stay); returns false when the table was not tracked';

CREATE VIEW @extschema@.eventlog_tracked AS
SELECT t.tgrelid::pg_catalog.regclass AS table_name,
       o.options ->> 'tool' AS tool,
       ARRAY(SELECT pg_catalog.jsonb_array_elements_text(o.options -> 'exclude_columns')) AS exclude_columns,
       o.options -> 'messages' AS messages,
       o.options
FROM pg_catalog.pg_trigger t
CROSS JOIN LATERAL (
    SELECT pg_catalog.convert_from(pg_catalog.substring(t.tgargs, 1, pg_catalog.length(t.tgargs) - 1),
                                   pg_catalog.getdatabaseencoding())::jsonb AS options) o
WHERE t.tgfoid = '@extschema@.eventlog_capture()'::pg_catalog.regprocedure
  AND t.tgname = 'eventlog_capture_truncate';

COMMENT ON VIEW @extschema@.eventlog_tracked IS 'Tracked tables and their options, one row per table';
GRANT SELECT ON @extschema@.eventlog_tracked TO PUBLIC;

-------------------------------------------------------------------------------
-- Queries: every one is an index scan, newest first ("timestamp" DESC, id DESC)
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.eventlog_for_object(object_type text, object_id text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.object_type OPERATOR(pg_catalog.=) $1 AND e.object_id OPERATOR(pg_catalog.=) $2
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_object(text, text) IS
'One object''s events, newest first (the original app''s GET /<id>/log/)';

-- A composite key's parts keep the key's column order (json_each of
-- to_json), each written as to_jsonb writes it (json -> jsonb), as tracking
-- writes object_id: 1e+20 as 100000000000000000000.
CREATE FUNCTION @extschema@.eventlog_for_key(target regclass, object_key anyelement)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.object_type OPERATOR(pg_catalog.=) (
              SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
              WHERE c.oid OPERATOR(pg_catalog.=) $1)
      AND e.object_id OPERATOR(pg_catalog.=) (
              CASE WHEN pg_catalog.json_typeof(pg_catalog.to_json($2)) OPERATOR(pg_catalog.=) 'object'
                   THEN (SELECT '[' OPERATOR(pg_catalog.||) pg_catalog.string_agg(f.value::jsonb::text, ',' ORDER BY f.ordinality)
                                    OPERATOR(pg_catalog.||) ']'
                         FROM pg_catalog.json_each(pg_catalog.to_json($2)) WITH ORDINALITY AS f)
                   ELSE $2::text END)
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_key(regclass, anyelement) IS
'One tracked row''s events, newest first, from its table and its key in its own type: eventlog_for_key(''certificate'', 42); composite keys as a row: eventlog_for_key(''line'', ROW(1, ''a''))';

CREATE FUNCTION @extschema@.eventlog_for_tool(tool text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.tool OPERATOR(pg_catalog.=) $1
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_tool(text) IS 'One tool''s events, newest first';

CREATE FUNCTION @extschema@.eventlog_for_actor(actor text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.actor OPERATOR(pg_catalog.=) $1
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_actor(text) IS 'One actor''s events, newest first';

CREATE FUNCTION @extschema@.eventlog_for_transaction(transaction_id xid8 DEFAULT pg_catalog.pg_current_xact_id_if_assigned())
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.transaction_id OPERATOR(pg_catalog.=) $1
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_transaction(xid8) IS
'One transaction''s events (by default the current transaction''s), newest first';

-- The views read with the caller's rights (security_invoker): the log's
-- row security applies to their counts.
CREATE VIEW @extschema@.eventlog_by_tool WITH (security_invoker = true) AS
SELECT e.tool,
       pg_catalog.count(*) AS events,
       pg_catalog.min(e."timestamp") AS first_at,
       pg_catalog.max(e."timestamp") AS last_at
FROM @extschema@.eventlog e
GROUP BY e.tool;

COMMENT ON VIEW @extschema@.eventlog_by_tool IS
'One row per tool: events (count), first_at, last_at; filtering on tool is an index-only scan';

CREATE VIEW @extschema@.eventlog_by_object WITH (security_invoker = true) AS
SELECT e.object_type,
       e.object_id,
       pg_catalog.count(*) AS events,
       pg_catalog.min(e."timestamp") AS first_at,
       pg_catalog.max(e."timestamp") AS last_at
FROM @extschema@.eventlog e
GROUP BY e.object_type, e.object_id;

COMMENT ON VIEW @extschema@.eventlog_by_object IS
'One row per object: events (count), first_at, last_at; filtering on object_type and object_id is an index-only scan';

GRANT SELECT ON @extschema@.eventlog_by_tool, @extschema@.eventlog_by_object TO PUBLIC;

CREATE FUNCTION @extschema@.eventlog_page(
    tool text DEFAULT NULL,
    object_type text DEFAULT NULL,
    object_id text DEFAULT NULL,
    action text DEFAULT NULL,
    actor text DEFAULT NULL,
    page_size int DEFAULT 100,
    page int DEFAULT 1)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    conditions text[] := '{}';
    filter text;
    counted_column text;
    counted_value text;
    total numeric;
    count_sql text;
    result jsonb;
BEGIN
    IF page_size IS NULL OR page_size < 1 OR page_size > 10000 THEN
        RAISE EXCEPTION 'eventlog_page: page_size must be between 1 and 10000, not %', page_size
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF page IS NULL OR page < 1 THEN
        RAISE EXCEPTION 'eventlog_page: page must be 1 or more, not %', page
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (page::bigint - 1) * page_size > 2147483647 THEN
        RAISE EXCEPTION 'eventlog_page: page % of % events is out of range', page, page_size
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Only the filters given, so that each combination is planned on its
    -- own index (a generic "$1 IS NULL OR col = $1" would read everything).
    IF tool IS NOT NULL THEN conditions := conditions || 'e.tool = $1'::text; END IF;
    IF object_type IS NOT NULL THEN conditions := conditions || 'e.object_type = $2'::text; END IF;
    IF object_id IS NOT NULL THEN conditions := conditions || 'e.object_id = $3'::text; END IF;
    IF action IS NOT NULL THEN conditions := conditions || 'e.action = $4'::text; END IF;
    IF actor IS NOT NULL THEN conditions := conditions || 'e.actor = $5'::text; END IF;
    filter := CASE WHEN cardinality(conditions) = 0 THEN 'true' ELSE array_to_string(conditions, ' AND ') END;

    -- The count: with no filter or one of tool, actor, action, object_type
    -- (without object_id), a sum over the counts tables when they stand for
    -- the log; otherwise counted in the log (an object's events are few).
    IF object_id IS NULL AND num_nonnulls(tool, object_type, action, actor) <= 1
       AND @extschema@.eventlog_counts_stand_for_log() THEN
        counted_column := CASE WHEN tool IS NOT NULL THEN 'tool'
                               WHEN actor IS NOT NULL THEN 'actor'
                               WHEN action IS NOT NULL THEN 'action'
                               WHEN object_type IS NOT NULL THEN 'object_type'
                               ELSE 'object_type' END;  -- no filter: the fewest rows
        counted_value := COALESCE(tool, actor, action, object_type);
        EXECUTE format(
            'SELECT COALESCE((SELECT sum(c.events) FROM @extschema@.eventlog_counts c'
            '                 WHERE c.filter = $1 %1$s), 0)'
            '     + COALESCE((SELECT sum(d.events) FROM @extschema@.eventlog_count_deltas d %2$s), 0)',
            CASE WHEN counted_value IS NULL THEN '' ELSE 'AND c.value = $2' END,
            CASE WHEN counted_value IS NULL THEN '' ELSE format('WHERE d.%I = $2', counted_column) END)
        INTO total
        USING counted_column, counted_value;
        count_sql := '$8::bigint';
    ELSE
        count_sql := format('(SELECT count(*) FROM @extschema@.eventlog e WHERE %s)', filter);
    END IF;

    EXECUTE format(
        'SELECT jsonb_build_object('
        '  ''count'', %2$s,'
        '  ''results'', COALESCE((SELECT jsonb_agg(jsonb_build_object('
        '      ''id'', p.id, ''actor'', p.actor, ''message'', p.message, ''timestamp'', p."timestamp",'
        '      ''object_id'', p.object_id, ''tool'', p.tool, ''action'', p.action, ''changes'', p.changes,'
        '      ''object_type'', p.object_type) ORDER BY p."timestamp" DESC, p.id DESC)'
        '    FROM (SELECT * FROM @extschema@.eventlog e WHERE %1$s'
        '          ORDER BY e."timestamp" DESC, e.id DESC LIMIT $6 OFFSET $7) p), ''[]''::jsonb))',
        filter, count_sql)
    INTO result
    USING tool, object_type, object_id, action, actor, page_size, (page - 1) * page_size, total;
    RETURN result;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_page(text, text, text, text, text, integer, integer) IS
'The original REST list: {"count": N, "results": [...]} of the events matching every filter given, newest first, one page (page_size 1..10000, page from 1)';

-------------------------------------------------------------------------------
-- Retention
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.eventlog_purge(older_than interval, max_events bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_purge';

-- Only the extension's owner, and the roles it grants EXECUTE to, may purge.
REVOKE ALL ON FUNCTION @extschema@.eventlog_purge(interval, bigint) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.eventlog_purge(interval, bigint) IS
'Removes the events recorded before now() - older_than, oldest first (at most max_events; NULL: all), records a purge event, and returns how many it removed; EXECUTE only for the owner and roles it grants it to';

-------------------------------------------------------------------------------
-- Tamper evidence: a SHA-256 hash chain over the committed events
-------------------------------------------------------------------------------

-- Each seal record covers the event ids in (sealed_from, sealed_to]: the
-- ids of the events it sealed, in order, their times, and the chain value
-- after each (32 bytes each, concatenated): chain(e) = sha256(chain(previous
-- event) || line(e)), starting from prev_digest (32 zero bytes for the
-- first record); digest is the chain value after its last event. line(e)
-- is eventlog_seal_line(e): the text COPY prints for the event's columns
-- with TimeZone UTC and DateStyle ISO (README: Tamper evidence).
CREATE TABLE @extschema@.eventlog_seals (
    sealed_from  bigint      NOT NULL,
    sealed_to    bigint      NOT NULL,
    ids          bigint[]    NOT NULL,
    times        timestamptz[] NOT NULL,
    chain        bytea       NOT NULL,
    prev_digest  bytea       NOT NULL,
    digest       bytea       NOT NULL,
    sealed_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    CONSTRAINT eventlog_seals_pkey PRIMARY KEY (sealed_to)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_seals', '');
REVOKE ALL ON TABLE @extschema@.eventlog_seals FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.eventlog_seals TO PUBLIC;
CREATE TRIGGER eventlog_seals_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.eventlog_seals
    FOR EACH ROW EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
CREATE TRIGGER eventlog_seals_append_only_truncate
    BEFORE TRUNCATE ON @extschema@.eventlog_seals
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
COMMENT ON TABLE @extschema@.eventlog_seals IS
'The hash chain of eventlog_seal, one record per batch of sealed events (ids in (sealed_from, sealed_to]); append-only';
COMMENT ON COLUMN @extschema@.eventlog_seals.sealed_from IS 'The record covers event ids above this one...';
COMMENT ON COLUMN @extschema@.eventlog_seals.sealed_to IS '...up to and including this one (no event with a smaller id could still commit when it was sealed)';
COMMENT ON COLUMN @extschema@.eventlog_seals.ids IS 'The ids of the events sealed, in order';
COMMENT ON COLUMN @extschema@.eventlog_seals.times IS 'Their "timestamp"s (a sealed event older than a purge''s cutoff may be missing)';
COMMENT ON COLUMN @extschema@.eventlog_seals.chain IS 'The chain value after each event, 32 bytes each';
COMMENT ON COLUMN @extschema@.eventlog_seals.prev_digest IS 'The chain value before the first event: the previous record''s digest (32 zero bytes for the first record)';
COMMENT ON COLUMN @extschema@.eventlog_seals.digest IS 'The chain value after the last event (prev_digest when the record sealed none)';
COMMENT ON COLUMN @extschema@.eventlog_seals.sealed_at IS 'When the record was written';

-- Where the next seal may go: the sequence position and the transaction
-- horizon seen by an earlier call; once every transaction older than
-- pending_xmax has ended, no id up to pending_last can still commit.
CREATE TABLE @extschema@.eventlog_seal_state (
    pending_last bigint,
    pending_xmax xid8,
    singleton    boolean NOT NULL DEFAULT true CHECK (singleton),
    CONSTRAINT eventlog_seal_state_pkey PRIMARY KEY (singleton)
);
INSERT INTO @extschema@.eventlog_seal_state DEFAULT VALUES;
REVOKE ALL ON TABLE @extschema@.eventlog_seal_state FROM PUBLIC;
COMMENT ON TABLE @extschema@.eventlog_seal_state IS
'eventlog_seal''s memory between calls: the id sequence position and transaction horizon it saw (not dumped: transaction ids do not survive a restore)';

CREATE FUNCTION @extschema@.eventlog_seal_line(e @extschema@.eventlog)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    fields text[];
    f text;
    line text := '';
    i integer := 0;
    ts text := to_char(e."timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US');
BEGIN
    -- Escaped as COPY escapes (backslash, then \b \f \n \r \t and \v, which
    -- E'' strings cannot spell: chr(11)). The time as COPY prints timestamptz
    -- with TimeZone UTC and DateStyle ISO:
    -- microseconds without trailing zeros, no fraction when they are 0.
    ts := rtrim(rtrim(ts, '0'), '.') || '+00';
    fields := ARRAY[e.id::text, ts, e.actor, e.message, e.object_type, e.object_id, e.tool, e.action,
                    e.changes::text, e.db_user, e.template_message, e.values_json::text,
                    e.transaction_id::text, e.context::text];
    FOREACH f IN ARRAY fields LOOP
        i := i + 1;
        IF i > 1 THEN line := line || E'\t'; END IF;
        IF f IS NULL THEN
            line := line || '\N';
        ELSE
            line := line || replace(replace(replace(replace(replace(replace(replace(f,
                        '\', '\\'), E'\b', '\b'), E'\f', '\f'), E'\n', '\n'), E'\r', '\r'), E'\t', '\t'), chr(11), '\v');
        END IF;
    END LOOP;
    RETURN line;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_line(@extschema@.eventlog) IS
'The bytes (UTF-8) an event contributes to the hash chain: the line COPY (SELECT id, "timestamp", actor, message, object_type, object_id, tool, action, changes, db_user, template_message, values_json, transaction_id, context FROM eventlog) TO STDOUT prints for it with TimeZone UTC and DateStyle ISO';

CREATE FUNCTION @extschema@.eventlog_seal()
RETURNS TABLE (last_id bigint, digest text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    batch_size constant integer := 10000;
    state record;
    sequence_last bigint;
    sequence_called boolean;
    oldest xid8;
    newest xid8;
    sealed_to bigint;
    horizon bigint;
    prev bytea;
    record_prev bytea;
    record_from bigint;
    ids bigint[] := '{}';
    times timestamptz[] := '{}';
    chain bytea := '';
    e record;
    last_sealed bigint;
BEGIN
    IF row_security_active('@extschema@.eventlog'::regclass) THEN
        RAISE EXCEPTION 'eventlog_seal: the sealing role must see every event'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Call it as the log''s owner, a superuser or a BYPASSRLS role.';
    END IF;
    -- One sealer at a time (writers never wait for it).
    PERFORM pg_advisory_xact_lock(hashtextextended('eventlog seal', '@extschema@.eventlog'::regclass::oid::bigint));
    IF (SELECT s.seqcache FROM pg_sequence s WHERE s.seqrelid = '@extschema@.eventlog_id_seq'::regclass) <> 1 THEN
        RAISE EXCEPTION 'eventlog_seal: eventlog_id_seq must have CACHE 1'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Cached ids are handed out out of order, so no id horizon can be known.';
    END IF;

    -- The sequence first, then the transactions: an event id is always
    -- taken by a transaction that already has its xid (the writer makes
    -- sure), so every id up to sequence_last belongs to a transaction
    -- older than newest.
    SELECT s.last_value, s.is_called INTO sequence_last, sequence_called FROM @extschema@.eventlog_id_seq s;
    IF NOT sequence_called THEN sequence_last := sequence_last - 1; END IF;
    oldest := pg_snapshot_xmin(pg_current_snapshot());
    newest := pg_snapshot_xmax(pg_current_snapshot());

    SELECT x.sealed_to, x.digest INTO sealed_to, prev FROM @extschema@.eventlog_seals x ORDER BY x.sealed_to DESC LIMIT 1;
    sealed_to := COALESCE(sealed_to, 0);
    prev := COALESCE(prev, decode(repeat('00', 32), 'hex'));
    horizon := sealed_to;
    SELECT * INTO state FROM @extschema@.eventlog_seal_state FOR UPDATE;
    IF state.pending_xmax IS NOT NULL AND oldest >= state.pending_xmax THEN
        horizon := greatest(horizon, state.pending_last);
        state.pending_xmax := NULL;
    END IF;
    IF oldest = newest THEN  -- no transaction in progress at all
        horizon := greatest(horizon, sequence_last);
    END IF;
    IF state.pending_xmax IS NULL THEN
        UPDATE @extschema@.eventlog_seal_state SET pending_last = sequence_last, pending_xmax = newest;
    END IF;

    record_from := sealed_to;
    record_prev := prev;
    IF horizon > sealed_to THEN
        FOR e IN
            SELECT l.id, l."timestamp", @extschema@.eventlog_seal_line(l) AS line
            FROM @extschema@.eventlog l
            WHERE l.id > sealed_to AND l.id <= horizon
            ORDER BY l.id
        LOOP
            prev := sha256(prev || convert_to(e.line, 'UTF8'));
            ids := ids || e.id;
            times := times || e."timestamp";
            chain := chain || prev;
            last_sealed := e.id;
            IF cardinality(ids) = batch_size THEN
                INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest)
                VALUES (record_from, e.id, ids, times, chain, record_prev, prev);
                record_from := e.id;
                record_prev := prev;
                ids := '{}';
                times := '{}';
                chain := '';
            END IF;
        END LOOP;
        IF record_from < horizon THEN
            INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest)
            VALUES (record_from, horizon, ids, times, chain, record_prev, prev);
        END IF;
    END IF;
    last_id := COALESCE(last_sealed, (SELECT x.ids[cardinality(x.ids)] FROM @extschema@.eventlog_seals x
                                      WHERE cardinality(x.ids) > 0 ORDER BY x.sealed_to DESC LIMIT 1));
    digest := encode(prev, 'hex');
    RETURN NEXT;
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_seal() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_seal() IS
'Extends the SHA-256 hash chain over the committed events not yet sealed, in id order, up to the id below which no event can still commit, and returns the last sealed event id and the chain head (hex); for the log''s owner (and roles it grants EXECUTE and that see every event)';

CREATE FUNCTION @extschema@.eventlog_verify(from_id bigint DEFAULT NULL, to_id bigint DEFAULT NULL)
RETURNS TABLE (ok boolean, checked bigint, first_bad_id bigint, reason text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    s record;
    e record;
    h bytea;
    expected bytea;
    previous_to bigint;
    previous_digest bytea;
    purged_before timestamptz;
BEGIN
    IF row_security_active('@extschema@.eventlog'::regclass) THEN
        RAISE EXCEPTION 'eventlog_verify: the verifying role must see every event'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Call it as the log''s owner, a superuser or a BYPASSRLS role.';
    END IF;
    -- Events eventlog_purge removed legitimately: recorded before the
    -- latest cutoff of its purge events.
    SELECT max((p.values_json ->> 'before')::timestamptz) INTO purged_before
    FROM @extschema@.eventlog p WHERE p.tool = 'eventlog' AND p.action = 'purge';
    ok := true;
    checked := 0;
    FOR s IN
        SELECT * FROM @extschema@.eventlog_seals x
        WHERE x.sealed_to > COALESCE(from_id, 0) AND (to_id IS NULL OR x.sealed_from < to_id)
        ORDER BY x.sealed_to
    LOOP
        -- The records follow each other and agree with their own chain.
        IF previous_to IS NOT NULL AND (s.sealed_from <> previous_to OR s.prev_digest <> previous_digest) THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered or removed (it does not follow the one before)';
            RETURN NEXT; RETURN;
        END IF;
        IF previous_to IS NULL AND s.sealed_from = 0 AND s.prev_digest <> decode(repeat('00', 32), 'hex') THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (the first one does not start the chain)';
            RETURN NEXT; RETURN;
        END IF;
        IF octet_length(s.chain) <> 32 * cardinality(s.ids) OR cardinality(s.times) <> cardinality(s.ids)
           OR s.digest <> (CASE WHEN cardinality(s.ids) = 0 THEN s.prev_digest
                                ELSE substring(s.chain FROM octet_length(s.chain) - 31) END) THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (its digest does not match its chain)';
            RETURN NEXT; RETURN;
        END IF;
        h := s.prev_digest;
        FOR e IN
            SELECT COALESCE(u.id, l.id) AS id, u.ord, u.at, l.line
            FROM unnest(s.ids, s.times) WITH ORDINALITY AS u(id, at, ord)
            FULL JOIN (SELECT x.id, @extschema@.eventlog_seal_line(x) AS line
                       FROM @extschema@.eventlog x
                       WHERE x.id > s.sealed_from AND x.id <= s.sealed_to
                         AND x.id >= COALESCE(from_id, 0) AND (to_id IS NULL OR x.id <= to_id)) l ON l.id = u.id
            ORDER BY 1
        LOOP
            IF (from_id IS NOT NULL AND e.id < from_id) OR (to_id IS NOT NULL AND e.id > to_id) THEN
                -- outside the range asked for (not read): follow the chain as recorded
                IF e.ord IS NOT NULL THEN h := substring(s.chain FROM (e.ord::integer - 1) * 32 + 1 FOR 32); END IF;
                CONTINUE;
            END IF;
            IF e.ord IS NULL THEN
                ok := false; first_bad_id := e.id; reason := 'slipped in: not in the sealed chain';
                RETURN NEXT; RETURN;
            END IF;
            expected := substring(s.chain FROM (e.ord::integer - 1) * 32 + 1 FOR 32);
            IF e.line IS NULL THEN
                IF purged_before IS NULL OR e.at >= purged_before THEN
                    ok := false; first_bad_id := e.id; reason := 'removed';
                    RETURN NEXT; RETURN;
                END IF;
                h := expected;  -- purged: the chain goes on from its recorded value
                CONTINUE;
            END IF;
            h := sha256(h || convert_to(e.line, 'UTF8'));
            IF h <> expected THEN
                ok := false; first_bad_id := e.id; reason := 'changed';
                RETURN NEXT; RETURN;
            END IF;
            checked := checked + 1;
        END LOOP;
        previous_to := s.sealed_to;
        previous_digest := s.digest;
    END LOOP;
    RETURN NEXT;
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_verify(bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_verify(bigint, bigint) IS
'Recomputes the hash chain of the sealed events (ids from_id..to_id, default all) and reports the first event changed, removed or slipped in, or a seal record altered; events older than a purge''s cutoff may be missing. For the log''s owner (and roles it grants EXECUTE and that see every event)';

-------------------------------------------------------------------------------
-- History: the state of a tracked row at a time, its versions, revert
-------------------------------------------------------------------------------

-- The object_id of a row of `target` whose primary key columns have these
-- to_jsonb values (in `row_json`), as tracking writes it: the key's text
-- for a one-column key, a JSON array text for a composite one. A key column
-- missing from row_json takes its value from `otherwise` (an object_id of
-- the same table); NULL when none of the key is in row_json.
CREATE FUNCTION @extschema@.eventlog_key_text(target regclass, row_json jsonb, otherwise text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    columns text[];
BEGIN
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO columns
    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = target AND i.indisprimary;
    IF columns IS NULL OR row_json IS NULL OR NOT (row_json ?| columns) THEN
        RETURN NULL;
    END IF;
    IF cardinality(columns) = 1 THEN
        RETURN row_json -> columns[1] #>> '{}';
    END IF;
    RETURN '[' || (SELECT string_agg(COALESCE(row_json -> c, otherwise::jsonb -> (o::integer - 1))::text, ',' ORDER BY o)
                   FROM unnest(columns) WITH ORDINALITY AS u(c, o)) || ']';
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_key_text(regclass, jsonb, text) IS
'The object_id tracking writes for a row of the table whose primary key columns have these to_jsonb values (the others taken from the object_id given; NULL when none is there)';

-- One tracked object's history, oldest first: each event that tracking
-- recorded for it (create, update, delete, snapshot; a truncate of its
-- table), following a primary-key change back to the old key, with the
-- object's columns after the event (NULL after a delete or truncate, and
-- while the history has had no whole row to start from).
CREATE FUNCTION @extschema@.eventlog_history(object_type text, object_id text)
RETURNS TABLE (event_id bigint, "timestamp" timestamptz, actor text, action text, state jsonb)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    keys text[] := ARRAY[object_id];
    bounds bigint[] := ARRAY[9223372036854775807];
    k text := object_id;
    bound bigint := 9223372036854775807;
    first record;
    older text;
    e record;
    current jsonb;
BEGIN
    IF object_type IS NULL OR object_id IS NULL THEN
        RETURN;
    END IF;
    -- Walk back over primary-key changes: the first event under a key may
    -- be the update that gave the row that key; its old key continues the
    -- history before it.
    LOOP
        SELECT l.id, l.action, l.changes, l.object_table INTO first
        FROM @extschema@.eventlog l
        WHERE l.object_type = eventlog_history.object_type AND l.object_id = k AND l.id < bound
          AND l.action IN ('create', 'update', 'delete', 'snapshot')
        ORDER BY l."timestamp", l.id LIMIT 1;
        EXIT WHEN NOT FOUND OR first.action <> 'update' OR first.object_table IS NULL;
        older := @extschema@.eventlog_key_text(first.object_table, first.changes -> 'old_value', k);
        EXIT WHEN older IS NULL OR older = k OR older = ANY (keys);
        k := older;
        bound := first.id;
        keys := keys || k;
        bounds := bounds || bound;
    END LOOP;
    -- Replay, oldest key first: each key's events below the bound where
    -- the next key took over, and the table's truncates in between.
    FOR e IN
        SELECT l.id, l."timestamp", l.actor, l.action, l.changes
        FROM unnest(keys, bounds) AS s(key, below)
        JOIN @extschema@.eventlog l
          ON l.object_type = eventlog_history.object_type AND l.object_id = s.key AND l.id < s.below
         AND l.action IN ('create', 'update', 'delete', 'snapshot')
        UNION ALL
        SELECT l.id, l."timestamp", l.actor, l.action, l.changes
        FROM @extschema@.eventlog l
        WHERE l.object_type = eventlog_history.object_type AND l.object_id IS NULL AND l.action = 'truncate'
        ORDER BY 2, 1
    LOOP
        IF e.action IN ('create', 'snapshot') THEN
            current := e.changes -> 'new_value';
        ELSIF e.action = 'update' THEN
            current := current || (e.changes -> 'new_value');  -- NULL stays NULL: no whole row yet
        ELSE  -- delete, truncate
            IF e.action = 'truncate' AND current IS NULL THEN
                CONTINUE;  -- nothing to end
            END IF;
            current := NULL;
        END IF;
        event_id := e.id;
        "timestamp" := e."timestamp";
        actor := e.actor;
        action := e.action;
        state := current;
        RETURN NEXT;
    END LOOP;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_history(text, text) IS
'One tracked object''s events oldest first (earlier keys included), each with the object''s columns after it; used by eventlog_versions and eventlog_state_at';

CREATE FUNCTION @extschema@.eventlog_versions(object_type text, object_id text)
RETURNS TABLE (event_id bigint, "timestamp" timestamptz, actor text, action text, state jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT h.event_id, h."timestamp", h.actor, h.action, h.state
    FROM @extschema@.eventlog_history($1, $2) AS h
    ORDER BY h."timestamp" DESC, h.event_id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_versions(text, text) IS
'One row per tracked event of the object (events under its earlier keys included), newest first, state = its columns after the event (NULL after a delete, or before the history has a whole row)';

CREATE FUNCTION @extschema@.eventlog_state_at(object_type text, object_id text, at timestamptz DEFAULT pg_catalog.now())
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT h.state
    FROM @extschema@.eventlog_history($1, $2) AS h
    WHERE h."timestamp" OPERATOR(pg_catalog.<=) $3
    ORDER BY h."timestamp" DESC, h.event_id DESC
    LIMIT 1
$$;

COMMENT ON FUNCTION @extschema@.eventlog_state_at(text, text, timestamptz) IS
'The object''s columns (to_jsonb values; excluded columns absent) as of `at`, rebuilt from tracked events; NULL when it did not exist then or its history has no whole row to start from';

CREATE FUNCTION @extschema@.eventlog_revert(event_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    e record;
    columns text[];
    key_condition text;
    current jsonb;
    expected jsonb;
    changed text[];
    saved_context text := current_setting('eventlog.context', true);
    revert_id bigint;
BEGIN
    SELECT l.* INTO e FROM @extschema@.eventlog l WHERE l.id = event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'eventlog_revert: no event % (or not one you may read)', event_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF e.action NOT IN ('create', 'update', 'delete') OR e.object_table IS NULL OR e.object_id IS NULL
       OR e.changes IS NULL OR NOT (e.changes ? 'old_value' AND e.changes ? 'new_value') THEN
        RAISE EXCEPTION 'eventlog_revert: event % is not a tracked create, update or delete', event_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Only row changes recorded by tracking can be reverted; truncates and application events cannot.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = e.object_table) THEN
        RAISE EXCEPTION 'eventlog_revert: the table of event % no longer exists', event_id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO columns
    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = e.object_table AND i.indisprimary;
    IF columns IS NULL THEN
        RAISE EXCEPTION 'eventlog_revert: table % has no primary key', e.object_table USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- The row as the event left it is found by the key the event names:
    -- each key column compared with its value in the event's object_id.
    SELECT string_agg(CASE WHEN cardinality(columns) = 1
                           THEN format('t.%I = %L::%s', u.c, e.object_id, format_type(a.atttypid, a.atttypmod))
                           ELSE format('t.%I = (%L::jsonb ->> %s)::%s', u.c, e.object_id, u.o - 1,
                                       format_type(a.atttypid, a.atttypmod)) END, ' AND ')
    INTO key_condition
    FROM unnest(columns) WITH ORDINALITY AS u(c, o)
    JOIN pg_attribute a ON a.attrelid = e.object_table AND a.attname = u.c;

    -- The revert is recorded by tracking, with revert_of in its context.
    PERFORM set_config('eventlog.context',
                       (COALESCE(NULLIF(saved_context, '')::jsonb, '{}'::jsonb)
                        || jsonb_build_object('revert_of', event_id))::text, true);
    IF e.action = 'delete' THEN
        EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE %s', e.object_table, key_condition) INTO current;
        IF current IS NOT NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the key of event % is taken again in %', event_id, e.object_table
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        -- The recorded columns only: excluded ones get their defaults.
        EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, $1) AS r',
                       e.object_table,
                       (SELECT string_agg(quote_ident(c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                       (SELECT string_agg('r.' || quote_ident(c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                       e.object_table)
        USING e.changes -> 'old_value';
    ELSE
        EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE %s FOR UPDATE', e.object_table, key_condition) INTO current;
        IF current IS NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the row of event % no longer exists in %', event_id, e.object_table
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        expected := e.changes -> 'new_value';
        SELECT array_agg(c) INTO changed FROM jsonb_object_keys(expected) AS c
        WHERE current -> c IS DISTINCT FROM expected -> c;
        IF changed IS NOT NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the row of event % changed since (%)', event_id, array_to_string(changed, ', ')
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF e.action = 'create' THEN
            EXECUTE format('DELETE FROM %s t WHERE %s', e.object_table, key_condition);
        ELSE
            EXECUTE format('UPDATE %s t SET %s FROM jsonb_populate_record(NULL::%s, $1) AS r WHERE %s',
                           e.object_table,
                           (SELECT string_agg(format('%I = r.%I', c, c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                           e.object_table, key_condition)
            USING e.changes -> 'old_value';
        END IF;
    END IF;
    PERFORM set_config('eventlog.context', COALESCE(saved_context, ''), true);
    SELECT max(l.id) INTO revert_id FROM @extschema@.eventlog l
    WHERE l.transaction_id = pg_current_xact_id() AND l.context @> jsonb_build_object('revert_of', event_id);
    RETURN revert_id;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_revert(bigint) IS
'Undoes one tracked create (deletes the row), update (sets its changed columns back) or delete (inserts the recorded row again; excluded columns get their defaults) on the live table, with the caller''s privileges; 55000 when the row changed since, is gone or its key is taken, 22023 for other events; returns the id of the event tracking records for the revert (its context has revert_of)';

-------------------------------------------------------------------------------
-- Citus: the log on every node (docs/distributed.md)
-------------------------------------------------------------------------------

-- On a Citus cluster every node keeps its own eventlog (CREATE EXTENSION on
-- the coordinator creates it on every node; it is never distributed): the
-- capture triggers of a shard write into the log of the node holding the
-- shard, about the shard's Citus table. These functions read and purge all
-- the nodes' logs from one node: a "probe" table (distributed, one shard and
-- one row per worker, made by eventlog_citus_setup) carries a call to every
-- worker through Citus's executor, as the calling role and inside its
-- transaction; the calling node answers for itself. Without Citus they
-- answer for the local log alone.

CREATE FUNCTION @extschema@.eventlog_node_group()
RETURNS int
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RETURN 0;
    END IF;
    RETURN (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g);
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_node_group() IS
'The Citus group id of this node (pg_dist_local_group; 0 on the coordinator), 0 without Citus';

CREATE FUNCTION @extschema@.eventlog_citus_setup()
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    failed text;
    workers int;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'eventlog_citus_setup: the citus extension is not installed in this database'
            USING ERRCODE = 'feature_not_supported';
    END IF;
    -- Ids unique over the cluster: group g numbers its events
    -- g * 2^48 + 1 .. (g + 1) * 2^48 (only ever moves a sequence forward).
    SELECT pg_catalog.string_agg(r.nodeid || ': ' || r.result, '; ') INTO failed
    FROM pg_catalog.run_command_on_all_nodes($cmd$
DO $do$
DECLARE
    g bigint := (SELECT groupid FROM pg_catalog.pg_dist_local_group);
    lo bigint := g * 281474976710656 + 1;
    hi bigint := (g + 1) * 281474976710656;
    last bigint := (SELECT last_value FROM @extschema@.eventlog_id_seq);
BEGIN
    SET LOCAL citus.enable_ddl_propagation = off;
    EXECUTE pg_catalog.format('ALTER SEQUENCE @extschema@.eventlog_id_seq MINVALUE %s MAXVALUE %s START WITH %s', lo, hi, lo)
         || CASE WHEN last < lo THEN pg_catalog.format(' RESTART WITH %s', lo) ELSE '' END;
END
$do$
$cmd$) r
    WHERE NOT r.success;
    IF failed IS NOT NULL THEN
        RAISE EXCEPTION 'eventlog_citus_setup: setting the id range failed on node %', failed;
    END IF;

    -- The probe: one shard, holding one row, on every worker.
    SELECT pg_catalog.count(*)::int INTO workers FROM pg_catalog.pg_dist_node n
    WHERE n.isactive AND n.noderole = 'primary' AND n.groupid <> 0;
    IF pg_catalog.to_regclass('@extschema@.eventlog_probe') IS NOT NULL THEN
        DROP TABLE @extschema@.eventlog_probe;
    END IF;
    IF workers = 0 THEN
        RETURN 'no worker: id range set, no probe needed';
    END IF;
    CREATE TABLE @extschema@.eventlog_probe (k int PRIMARY KEY);
    PERFORM pg_catalog.create_distributed_table('@extschema@.eventlog_probe', 'k',
                                                shard_count => workers, colocate_with => 'none');
    INSERT INTO @extschema@.eventlog_probe
    SELECT DISTINCT ON (pg_catalog.get_shard_id_for_distribution_column('@extschema@.eventlog_probe', g)) g
    FROM pg_catalog.generate_series(1, 10000) g
    ORDER BY pg_catalog.get_shard_id_for_distribution_column('@extschema@.eventlog_probe', g), g;
    GRANT SELECT ON @extschema@.eventlog_probe TO PUBLIC;
    RETURN pg_catalog.format('id ranges set on every node; probe over %s workers', workers);
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_citus_setup() FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.eventlog_citus_setup() IS
'Citus coordinator: gives every node its own range of event ids (group g: g * 2^48 + 1 ..) and (re)creates eventlog_probe, the distributed table with one row per worker that eventlog_cluster_call fans out over; run again after adding or removing a node or rebalancing';

CREATE FUNCTION @extschema@.eventlog_cluster_call(node_call text)
RETURNS TABLE (node_group int, result jsonb)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    here int := @extschema@.eventlog_node_group();
    reached int[] := '{}';
    expected int[];
    g int;
    r jsonb;
BEGIN
    -- (Two IFs: a condition naming pg_dist_node cannot even be planned without Citus.)
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        SELECT pg_catalog.array_agg(n.groupid ORDER BY n.groupid) INTO expected FROM pg_catalog.pg_dist_node n
        WHERE n.isactive AND n.noderole = 'primary' AND n.groupid <> here;
    END IF;
    IF expected IS NOT NULL THEN
        IF pg_catalog.to_regclass('@extschema@.eventlog_probe') IS NULL THEN
            RAISE EXCEPTION 'eventlog: no eventlog_probe table' USING HINT = 'Run SELECT eventlog_citus_setup() on the coordinator.';
        END IF;
        FOR g, r IN EXECUTE pg_catalog.format(
            'SELECT @extschema@.eventlog_node_group(), (%s)::jsonb FROM @extschema@.eventlog_probe', node_call) LOOP
            CONTINUE WHEN g = here;
            reached := reached || g;
            node_group := g;
            result := r;
            RETURN NEXT;
        END LOOP;
        IF (SELECT pg_catalog.array_agg(x ORDER BY x) FROM pg_catalog.unnest(reached) x) IS DISTINCT FROM expected THEN
            RAISE EXCEPTION 'eventlog: eventlog_probe reaches the groups %, the cluster has %', reached, expected
                USING HINT = 'Run SELECT eventlog_citus_setup() on the coordinator.';
        END IF;
    END IF;
    node_group := here;
    EXECUTE pg_catalog.format('SELECT (%s)::jsonb', node_call) INTO result;
    RETURN NEXT;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_call(text) IS
'Evaluates an SQL expression (giving jsonb) on every node of the Citus cluster, as the calling role and inside its transaction, one row per node group (this node included); without Citus, on this node only. Fails when eventlog_probe does not reach every worker';

CREATE FUNCTION @extschema@.eventlog_node_events(reader text, a text, b text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    found jsonb;
BEGIN
    IF reader IS NULL OR reader NOT IN ('object', 'tool', 'actor') THEN
        RAISE EXCEPTION 'eventlog_node_events: unknown reader %', reader USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- object_table goes as its name (oids differ from node to node).
    EXECUTE pg_catalog.format(
        'SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(e) || pg_catalog.jsonb_build_object(''object_table'', e.object_table::text)), ''[]'')'
        ' FROM %s e',
        CASE reader
            WHEN 'object' THEN pg_catalog.format('@extschema@.eventlog_for_object(%L, %L)', a, b)
            WHEN 'tool' THEN pg_catalog.format('@extschema@.eventlog_for_tool(%L)', a)
            WHEN 'actor' THEN pg_catalog.format('@extschema@.eventlog_for_actor(%L)', a)
        END)
    INTO found;
    RETURN found;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_node_events(text, text, text) IS
'This node''s events of eventlog_for_object(a, b), eventlog_for_tool(a) or eventlog_for_actor(a) (reader object, tool, actor) as a jsonb array, object_table as text; used by the eventlog_cluster_for_* functions';

CREATE FUNCTION @extschema@.eventlog_cluster_events(reader text, a text, b text DEFAULT NULL)
RETURNS SETOF @extschema@.eventlog
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
    RETURN QUERY
    SELECT e.id, e."timestamp", e.actor, e.message, e.object_type, e.object_id, e.tool, e.action, e.changes,
           e.db_user, e.template_message, e.values_json, e.transaction_id,
           pg_catalog.to_regclass(x ->> 'object_table'), e.context
    FROM @extschema@.eventlog_cluster_call(
             pg_catalog.format('@extschema@.eventlog_node_events(%L, %L, %L)', reader, a, b)) n,
         pg_catalog.jsonb_array_elements(n.result) x,
         pg_catalog.jsonb_populate_record(NULL::@extschema@.eventlog, x - 'object_table') e
    ORDER BY e."timestamp" DESC, e.id DESC;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_events(text, text, text) IS
'The events of eventlog_node_events(reader, a, b) on every node of the Citus cluster, merged, newest first ("timestamp" DESC, id DESC)';

CREATE FUNCTION @extschema@.eventlog_cluster_for_object(object_type text, object_id text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN QUERY SELECT * FROM @extschema@.eventlog_cluster_events('object', object_type, object_id); END $$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_for_object(text, text) IS
'eventlog_for_object over every node of the Citus cluster (each node''s events the caller may read there), newest first';

CREATE FUNCTION @extschema@.eventlog_cluster_for_tool(tool text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN QUERY SELECT * FROM @extschema@.eventlog_cluster_events('tool', tool); END $$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_for_tool(text) IS
'eventlog_for_tool over every node of the Citus cluster, newest first';

CREATE FUNCTION @extschema@.eventlog_cluster_for_actor(actor text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN QUERY SELECT * FROM @extschema@.eventlog_cluster_events('actor', actor); END $$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_for_actor(text) IS
'eventlog_for_actor over every node of the Citus cluster, newest first';

CREATE FUNCTION @extschema@.eventlog_cluster_page(
    tool text DEFAULT NULL,
    object_type text DEFAULT NULL,
    object_id text DEFAULT NULL,
    action text DEFAULT NULL,
    actor text DEFAULT NULL,
    page_size int DEFAULT 100,
    page int DEFAULT 1)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    pages jsonb[];
    merged jsonb;
BEGIN
    IF page_size IS NULL OR page_size < 1 OR page IS NULL OR page < 1 THEN
        RAISE EXCEPTION 'eventlog_cluster_page: page_size and page must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Every node sends its first page * page_size events; the merge keeps the page.
    SELECT pg_catalog.array_agg(n.result) INTO pages
    FROM @extschema@.eventlog_cluster_call(pg_catalog.format(
             '@extschema@.eventlog_page(%L, %L, %L, %L, %L, %s, 1)',
             tool, object_type, object_id, action, actor, page_size::bigint * page)) n;
    SELECT pg_catalog.jsonb_build_object(
        'count', (SELECT pg_catalog.sum((p ->> 'count')::bigint) FROM pg_catalog.unnest(pages) p),
        'results', COALESCE((SELECT pg_catalog.jsonb_agg(m.x || pg_catalog.jsonb_build_object('timestamp', m.ts) ORDER BY m.ts DESC, m.id DESC)
                             FROM (SELECT x, (x ->> 'timestamp')::timestamptz AS ts, (x ->> 'id')::bigint AS id
                                   FROM pg_catalog.unnest(pages) p, pg_catalog.jsonb_array_elements(p -> 'results') x
                                   ORDER BY ts DESC, id DESC
                                   OFFSET (page - 1)::bigint * page_size LIMIT page_size) m), '[]'::jsonb))
    INTO merged;
    RETURN merged;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_page(text, text, text, text, text, int, int) IS
'eventlog_page over every node of the Citus cluster: the same arguments and result (count: the sum of the nodes'' exact counts; results: merged by "timestamp" DESC, id DESC). Each node sends page * page_size events: deep pages cost more';

CREATE FUNCTION @extschema@.eventlog_cluster_purge(older_than interval, max_events bigint DEFAULT NULL)
RETURNS TABLE (node_group int, purged bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT n.node_group, (n.result #>> '{}')::bigint
    FROM @extschema@.eventlog_cluster_call(pg_catalog.format(
             'pg_catalog.to_jsonb(@extschema@.eventlog_purge(%L::interval, %s::bigint))',
             older_than, COALESCE(max_events::text, 'NULL'))) n
    ORDER BY n.node_group;
END
$$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_cluster_purge(interval, bigint) FROM PUBLIC;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_purge(interval, bigint) IS
'eventlog_purge on every node of the Citus cluster, in the caller''s transaction (each node records its own purge event); one row per node group with how many events it removed. EXECUTE only for the owner and roles it grants it to (and they need EXECUTE on eventlog_purge on every node)';
