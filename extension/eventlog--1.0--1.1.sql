-- eventlog 1.0 -> 1.1: retention (eventlog_purge); the append-only guard
-- becomes a C function with a window for eventlog_purge's own deletes; the
-- time-partitioned layout (its settings, partitions view and maintenance;
-- an updated log stays a plain table: see the README to convert it).
--
-- Every name is schema-qualified (@extschema@ or pg_catalog).

\echo Use "ALTER EXTENSION eventlog UPDATE TO '1.1'" to load this file. \quit

CREATE OR REPLACE FUNCTION @extschema@.eventlog_refuse_rewrite() RETURNS trigger
    LANGUAGE c
AS 'MODULE_PATHNAME', 'eventlog_refuse_rewrite';

COMMENT ON FUNCTION @extschema@.eventlog_refuse_rewrite() IS 'Trigger keeping eventlog append-only (only eventlog_purge may remove events)';

-- eventlog_log_row of a NULL row records nothing (1.0 recorded an event
-- without an object).
CREATE OR REPLACE FUNCTION @extschema@.eventlog_log_row(
    object anyelement,
    template_message text DEFAULT NULL,
    values_json jsonb DEFAULT NULL,
    actor text DEFAULT NULL,
    tool text DEFAULT NULL,
    action text DEFAULT NULL,
    changes jsonb DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
    SELECT @extschema@.eventlog_log(template_message, values_json, o.object_type, o.object_id,
                                    actor, tool, action, changes)
    FROM @extschema@.eventlog_object(object) AS o
    WHERE o.object_type IS NOT NULL  -- a NULL row: nothing recorded, NULL returned
$$;

COMMENT ON FUNCTION @extschema@.eventlog_log_row(anyelement, text, jsonb, text, text, text, jsonb) IS
'eventlog_log with a table row as the object: object_type and object_id come from the row''s table and primary key (a NULL row records nothing and returns NULL)';

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
-- Time partitions
-------------------------------------------------------------------------------

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

CREATE FUNCTION @extschema@.eventlog_create_indexes(target regclass, key_columns text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    name text := (SELECT c.relname FROM pg_class c WHERE c.oid = target);
BEGIN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s)', target, name || '_pkey', key_columns);
    EXECUTE format('CREATE INDEX %I ON %s (object_type, object_id, "timestamp", id)', name || '_object_idx', target);
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
