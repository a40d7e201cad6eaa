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
--
-- Seven b-tree entries per event at most (1.4): the primary key, object,
-- tool, actor, action and time b-trees hold every event; the actor_id
-- b-tree (a stable actor key, newest first) only the events that have one
-- (a partial index: "actor_id = $1" implies actor_id IS NOT NULL, so its
-- filter uses it). One transaction's events (a handful, read for
-- eventlog_for_transaction and eventlog_revert) are found through a BRIN
-- index instead of a b-tree: transaction ids grow with the position of
-- events in the append-only heap, so a few summaries per range of pages
-- (minmax-multi, which keeps a long transaction's old id from widening a
-- whole range) locate them; it costs bytes per range of 32 pages, not per
-- event, and summarizes each filled range on its own (autosummarize).
-- Readers match it with the expression
-- CAST(CAST(transaction_id AS text) AS numeric) (xid8 has no BRIN operator
-- class).
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
    EXECUTE format('CREATE INDEX %I ON %s (actor_id, "timestamp", id) WHERE actor_id IS NOT NULL', name || '_actor_id_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (action, "timestamp", id)', name || '_action_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s ("timestamp", id)', name || '_time_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s USING brin (((transaction_id::text)::numeric) numeric_minmax_multi_ops) '
                   'WITH (pages_per_range = 32, autosummarize = on)', name || '_transaction_idx', target);
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
    context          jsonb,
    actor_id         text COLLATE pg_catalog."C"
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
COMMENT ON COLUMN @extschema@.eventlog.actor_id IS
'A stable key of who caused it (a user''s primary key, an account id), next to actor, the name shown: the actor_id argument, else eventlog.actor_id, else NULL';
COMMENT ON SEQUENCE @extschema@.eventlog_id_seq IS 'Ids of eventlog';
COMMENT ON FUNCTION @extschema@.eventlog_refuse_rewrite() IS
'Trigger keeping eventlog append-only (only eventlog_purge may remove events; only the erasures may change their erasable fields)';

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

