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

