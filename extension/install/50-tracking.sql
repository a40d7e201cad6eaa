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

CREATE FUNCTION @extschema@.eventlog_capture_context() RETURNS trigger
AS 'MODULE_PATHNAME', 'eventlog_capture_context'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.eventlog_capture_context() IS
'Trigger attached by eventlog_track(..., capture => ''wal''), BEFORE each statement: writes no event, sends the statement''s actor, actor_id, role, context and time into the WAL for the decoder. Its argument holds the tracking options';

-- How a table is tracked now: 'trigger', 'wal' or NULL, and its options
-- (the WAL trigger's argument or the capture triggers'); for the table's
-- owner (NULL for other roles).
CREATE FUNCTION @extschema@.eventlog_tracking_of(target regclass, OUT capture text, OUT options jsonb)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN t.tgfoid OPERATOR(pg_catalog.=) '@extschema@.eventlog_capture_context()'::pg_catalog.regprocedure
            THEN 'wal' ELSE 'trigger' END,
       pg_catalog.convert_from(pg_catalog.substring(t.tgargs, 1, pg_catalog.length(t.tgargs) - 1),
                               pg_catalog.getdatabaseencoding())::jsonb
FROM pg_catalog.pg_trigger t
WHERE t.tgrelid OPERATOR(pg_catalog.=) target
  AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) target), 'MEMBER')
  AND ((t.tgname OPERATOR(pg_catalog.=) 'eventlog_capture_truncate'
        AND t.tgfoid OPERATOR(pg_catalog.=) '@extschema@.eventlog_capture()'::pg_catalog.regprocedure)
    OR (t.tgname OPERATOR(pg_catalog.=) 'eventlog_capture_wal'
        AND t.tgfoid OPERATOR(pg_catalog.=) '@extschema@.eventlog_capture_context()'::pg_catalog.regprocedure))
ORDER BY 1 DESC
LIMIT 1
$$;

COMMENT ON FUNCTION @extschema@.eventlog_tracking_of(regclass) IS
'How a table is tracked: capture (''trigger'', ''wal'', or NULL when untracked) and its options; for the table''s owner (NULL for other roles)';

-- WAL capture reads old rows from REPLICA IDENTITY FULL: a WAL-tracked
-- table has it, and so do all its partitions, those attached or made later
-- too (the event trigger eventlog_capture_on_ddl calls this after CREATE
-- TABLE and ALTER TABLE).
CREATE FUNCTION @extschema@.eventlog_capture_full_identity(target regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    partition pg_catalog.regclass;
BEGIN
    FOR partition IN SELECT p.relid FROM pg_catalog.pg_partition_tree(target) p
                     JOIN pg_catalog.pg_class c ON c.oid = p.relid
                     WHERE c.relkind = 'r' AND c.relreplident <> 'f' LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY FULL', partition);
    END LOOP;
END
$$;

COMMENT ON FUNCTION @extschema@.eventlog_capture_full_identity(regclass) IS
'Gives a WAL-tracked table''s partitions REPLICA IDENTITY FULL (WAL capture reads old rows from it)';

-- Leaving WAL capture: the table's pending changes are applied first (its
-- writers are held off by the caller's lock, so none can follow), then its
-- trigger goes and its replica identity is what it was before tracking.
CREATE FUNCTION @extschema@.eventlog_leave_wal_capture(target regclass, options jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    identity text := COALESCE(options ->> 'replica_identity', 'd');
    partition pg_catalog.regclass;
BEGIN
    IF NOT @extschema@.eventlog_capture_wait(NULL) THEN
        RAISE EXCEPTION 'eventlog: the pending changes of % could not be applied', target
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'See eventlog_capture_status.';
    END IF;
    EXECUTE pg_catalog.format('DROP TRIGGER eventlog_capture_wal ON %s', target);
    -- Its partitions (made FULL by tracking) go back to the default.
    FOR partition IN SELECT p.relid FROM pg_catalog.pg_partition_tree(target) p
                     JOIN pg_catalog.pg_class c ON c.oid = p.relid
                     WHERE p.relid <> target AND c.relkind = 'r' AND c.relreplident = 'f' LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY DEFAULT', partition);
    END LOOP;
    IF identity = 'd' THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY DEFAULT', target);
    ELSIF identity = 'n' THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY NOTHING', target);
    ELSIF identity LIKE 'i:%' AND EXISTS (
            SELECT FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = target AND c.relname = pg_catalog.substr(identity, 3)) THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', target, pg_catalog.substr(identity, 3));
    ELSIF identity LIKE 'i:%' THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY DEFAULT', target);
    END IF;
    -- The last WAL-tracked table gone: no slot, origin or worker stays.
    PERFORM @extschema@.eventlog_capture_stop();
END
$$;

COMMENT ON FUNCTION @extschema@.eventlog_leave_wal_capture(regclass, jsonb) IS
'Used by eventlog_track and eventlog_untrack (for the table''s owner): applies a WAL-tracked table''s pending changes, removes its capture trigger, restores its replica identity, and drops the capture slot at commit when it was the last such table';

CREATE FUNCTION @extschema@.eventlog_track(
    target regclass,
    tool text DEFAULT NULL,
    exclude_columns text[] DEFAULT '{}',
    messages jsonb DEFAULT NULL,
    snapshot boolean DEFAULT false,
    capture text DEFAULT 'trigger')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    table_row record;
    current record;
    options jsonb;
    argument text;
    unsafe_triggers text;
    identity text;
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'eventlog_track: target must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF capture IS NULL OR capture NOT IN ('trigger', 'wal') THEN
        RAISE EXCEPTION 'eventlog_track: capture must be ''trigger'' or ''wal'', not %', COALESCE(pg_catalog.quote_literal(capture), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.relname, c.relkind, c.relowner, c.relreplident INTO table_row FROM pg_catalog.pg_class c WHERE c.oid = target;
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
    IF capture = 'wal' AND pg_catalog.current_setting('wal_level') <> 'logical' THEN
        RAISE EXCEPTION 'eventlog_track: capture => ''wal'' needs wal_level = logical (it is %)',
                        pg_catalog.current_setting('wal_level')
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set wal_level = logical in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart the server; add eventlog to shared_preload_libraries for the applying worker.';
    END IF;

    options := pg_catalog.jsonb_build_object(
        'tool', COALESCE(tool, table_row.relname::text),
        'exclude_columns', pg_catalog.to_jsonb(COALESCE(exclude_columns, '{}'::text[])),
        'messages', COALESCE(messages, '{}'::jsonb));
    PERFORM @extschema@.eventlog_check_tracking(target, options);
    SELECT * INTO current FROM @extschema@.eventlog_tracking_of(target);

    IF capture = 'wal' THEN
        -- The database's slot is made before this transaction writes
        -- anything (PostgreSQL's rule for making one).
        PERFORM @extschema@.eventlog_capture_start(target);
        -- Writers wait while the mode changes: a change is captured by the
        -- triggers before, from the WAL after.
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', target);
        IF current.capture = 'wal' THEN
            identity := current.options ->> 'replica_identity';
        ELSE
            identity := CASE table_row.relreplident
                WHEN 'i' THEN 'i:' || (SELECT c.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
                                       WHERE i.indrelid = target AND i.indisreplident)
                ELSE table_row.relreplident::text END;
        END IF;
        options := options || pg_catalog.jsonb_build_object('capture', 'wal', 'replica_identity', identity);
        argument := options::text;
        IF current.capture = 'trigger' THEN
            PERFORM @extschema@.eventlog_untrack_triggers(target);
        END IF;
        IF table_row.relreplident <> 'f' THEN
            EXECUTE pg_catalog.format('ALTER TABLE %s REPLICA IDENTITY FULL', target);
        END IF;
        -- A partitioned table's rows are logged by its partitions.
        PERFORM @extschema@.eventlog_capture_full_identity(target);
        EXECUTE pg_catalog.format(
            'CREATE OR REPLACE TRIGGER eventlog_capture_wal BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
            'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_capture_context(%L)', target, argument);
    ELSE
        argument := options::text;
        IF current.capture = 'wal' THEN
            EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', target);
            PERFORM @extschema@.eventlog_leave_wal_capture(target, current.options);
        END IF;
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
    END IF;
    IF snapshot THEN
        PERFORM @extschema@.eventlog_snapshot(target, argument);
    END IF;
END
$$;

COMMENT ON FUNCTION @extschema@.eventlog_track(regclass, text, text[], jsonb, boolean, text) IS
'Records every INSERT, UPDATE, DELETE and TRUNCATE of a table in eventlog. tool defaults to the table''s name; exclude_columns never appear in changes; messages maps create/update/delete/truncate to templates with {actor}, {tool}, {action}, {object_type}, {object_id}, {old__COLUMN}, {new__COLUMN}. Calling it again replaces the options (and switches the capture mode without losing or doubling an event); snapshot => true also records, in the same transaction, one snapshot event per existing row (the baseline of its history). capture => ''trigger'' (default) writes the events in the changing transaction; ''wal'' decodes them from the write-ahead log after the commit (needs wal_level = logical; see eventlog_capture_status)';

-- The capture triggers of trigger mode, dropped (Citus drops triggers of
-- its tables only with citus.enable_unsafe_triggers on).
CREATE FUNCTION @extschema@.eventlog_untrack_triggers(target regclass)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trigger_name name;
    found_any boolean := false;
    unsafe_triggers text;
BEGIN
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

COMMENT ON FUNCTION @extschema@.eventlog_untrack_triggers(regclass) IS
'Used by eventlog_track and eventlog_untrack (for the table''s owner): drops a table''s trigger-mode capture triggers; true when it had some';

CREATE FUNCTION @extschema@.eventlog_untrack(target regclass)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner oid;
    current record;
BEGIN
    IF target IS NULL THEN
        RAISE EXCEPTION 'eventlog_untrack: target must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.relowner INTO owner FROM pg_catalog.pg_class c WHERE c.oid = target;
    IF NOT pg_catalog.pg_has_role(current_user, owner, 'MEMBER') THEN
        RAISE EXCEPTION 'eventlog_untrack: must be owner of table %', target
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO current FROM @extschema@.eventlog_tracking_of(target);
    IF current.capture = 'wal' THEN
        EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', target);
        PERFORM @extschema@.eventlog_leave_wal_capture(target, current.options);
        RETURN true;
    END IF;
    RETURN @extschema@.eventlog_untrack_triggers(target);
END
$$;

COMMENT ON FUNCTION @extschema@.eventlog_untrack(regclass) IS
'Stops recording a table''s changes (its events stay; a WAL-tracked table''s pending changes are applied first, its replica identity restored); returns false when the table was not tracked';

CREATE VIEW @extschema@.eventlog_tracked AS
SELECT t.tgrelid::pg_catalog.regclass AS table_name,
       o.options ->> 'tool' AS tool,
       ARRAY(SELECT pg_catalog.jsonb_array_elements_text(o.options -> 'exclude_columns')) AS exclude_columns,
       o.options -> 'messages' AS messages,
       o.options,
       CASE WHEN t.tgfoid = '@extschema@.eventlog_capture_context()'::pg_catalog.regprocedure
            THEN 'wal' ELSE 'trigger' END AS capture
FROM pg_catalog.pg_trigger t
CROSS JOIN LATERAL (
    SELECT pg_catalog.convert_from(pg_catalog.substring(t.tgargs, 1, pg_catalog.length(t.tgargs) - 1),
                                   pg_catalog.getdatabaseencoding())::jsonb AS options) o
WHERE (t.tgfoid = '@extschema@.eventlog_capture()'::pg_catalog.regprocedure
       AND t.tgname = 'eventlog_capture_truncate')
   OR (t.tgfoid = '@extschema@.eventlog_capture_context()'::pg_catalog.regprocedure
       AND t.tgname = 'eventlog_capture_wal');

COMMENT ON VIEW @extschema@.eventlog_tracked IS 'Tracked tables, their options and capture mode (trigger or wal), one row per table';
GRANT SELECT ON @extschema@.eventlog_tracked TO PUBLIC;
