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

