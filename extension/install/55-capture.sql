-------------------------------------------------------------------------------
-- Capture from the WAL (eventlog_track(..., capture => 'wal'))
-------------------------------------------------------------------------------

-- A WAL-tracked table has one trigger, eventlog_capture_wal (50-tracking),
-- which sends each statement's context into the WAL; its changes are
-- decoded by the output plugin in eventlog.so from the database's slot
-- eventlog_<database oid>, and applied into the log by a background worker
-- (eventlog in shared_preload_libraries) or by eventlog_capture_apply().
-- The applied position commits with the events, through the replication
-- origin of the same name: exactly once.

-- What was applied, for eventlog_capture_status: one row, updated in the
-- transactions that apply (so it is as durable as the events).
CREATE TABLE @extschema@.eventlog_capture_progress (
    applied_lsn         pg_catalog.pg_lsn,
    applied_commit_time timestamptz,
    applied_at          timestamptz,
    events              bigint NOT NULL DEFAULT 0,
    failures            bigint NOT NULL DEFAULT 0
);
INSERT INTO @extschema@.eventlog_capture_progress DEFAULT VALUES;
REVOKE ALL ON @extschema@.eventlog_capture_progress FROM PUBLIC;
COMMENT ON TABLE @extschema@.eventlog_capture_progress IS
'WAL capture''s progress in this database (one row): the end of the last decoded commit applied, its commit time, when, and how many events and failures were applied in all';

-- A change that could not become an event is recorded here, and capture
-- goes on behind it.
CREATE TABLE @extschema@.eventlog_capture_errors (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    lsn            pg_catalog.pg_lsn,
    transaction_id xid8,
    object_table   pg_catalog.regclass,
    object_type    text,
    action         text,
    sqlstate       text,
    error          text,
    event          jsonb
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_capture_errors', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_capture_errors_id_seq', '');
COMMENT ON SEQUENCE @extschema@.eventlog_capture_errors_id_seq IS 'Ids of eventlog_capture_errors';
REVOKE ALL ON @extschema@.eventlog_capture_errors FROM PUBLIC;
COMMENT ON TABLE @extschema@.eventlog_capture_errors IS
'Changes of WAL-tracked tables that could not become events (decoding or writing failed), for the log''s owner: where (lsn, transaction, table, action), why (sqlstate, error) and, when it was built, the event itself';
COMMENT ON COLUMN @extschema@.eventlog_capture_errors.lsn IS 'Where the change is in the WAL (for a failed write: the end of its transaction''s commit)';
COMMENT ON COLUMN @extschema@.eventlog_capture_errors.event IS 'The event that could not be written (timestamp, actor, actor_id, tool, db_user, context, object_id, message, changes); NULL when it could not be built';

CREATE FUNCTION @extschema@.eventlog_capture_start(target regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'eventlog_capture_start'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION @extschema@.eventlog_capture_start(regclass) IS
'Used by eventlog_track(..., capture => ''wal''), for the owner of target: makes this database''s capture slot and replication origin (eventlog_<database oid>) when missing (only at the start of a transaction: SQLSTATE 55000 otherwise); returns the slot''s name';

CREATE FUNCTION @extschema@.eventlog_capture_stop()
RETURNS boolean
AS 'MODULE_PATHNAME', 'eventlog_capture_stop'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.eventlog_capture_stop() IS
'Used by eventlog_untrack: when no table of this database is WAL-tracked any more, stops the capture worker and drops the slot and origin when the transaction commits; returns whether it will';

CREATE FUNCTION @extschema@.eventlog_capture_apply()
RETURNS bigint
AS 'MODULE_PATHNAME', 'eventlog_capture_apply'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.eventlog_capture_apply() IS
'Applies the committed changes of WAL-tracked tables that are pending now, in the calling transaction, and returns the number of events written (when the capture worker runs, waits for it to apply them instead)';

CREATE FUNCTION @extschema@.eventlog_capture_wait(timeout interval DEFAULT '30 seconds')
RETURNS boolean
AS 'MODULE_PATHNAME', 'eventlog_capture_wait'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.eventlog_capture_wait(interval) IS
'Returns true once every change committed before the call is in the log (applying it in the calling transaction when no capture worker runs), false when the worker has not got there within timeout (NULL: no limit)';

CREATE FUNCTION @extschema@.eventlog_capture_worker_state(
    OUT worker_pid integer, OUT worker_events bigint, OUT scanned_lsn pg_catalog.pg_lsn,
    OUT last_error text, OUT last_error_at timestamptz)
AS 'MODULE_PATHNAME', 'eventlog_capture_worker_state'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.eventlog_capture_worker_state() IS
'The capture worker of this database as shared memory has it: its pid (NULL: none), the events it applied since it started, the WAL position before which it applied every commit, its last error';

CREATE VIEW @extschema@.eventlog_capture_status AS
SELECT s.slot_name::text AS slot_name,
       w.worker_pid,
       CASE WHEN s.slot_name IS NOT NULL THEN
           pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(),
                                      GREATEST(s.confirmed_flush_lsn, o.remote_lsn, w.scanned_lsn))::bigint
       END AS pending_bytes,
       GREATEST(p.applied_lsn, o.remote_lsn) AS applied_lsn,
       p.applied_commit_time,
       p.applied_at,
       p.events AS events_applied,
       p.failures,
       CASE WHEN w.last_error_at >= e.recorded_at OR e.recorded_at IS NULL THEN w.last_error ELSE e.error END AS last_error,
       GREATEST(w.last_error_at, e.recorded_at) AS last_error_at,
       s.restart_lsn,
       s.confirmed_flush_lsn,
       s.wal_status,
       w.scanned_lsn,
       (SELECT pg_catalog.count(*) FROM @extschema@.eventlog_tracked t WHERE t.capture = 'wal') AS wal_tables
FROM @extschema@.eventlog_capture_progress p
CROSS JOIN @extschema@.eventlog_capture_worker_state() w
LEFT JOIN pg_catalog.pg_replication_slots s
       ON s.slot_name OPERATOR(pg_catalog.=) ('eventlog_' OPERATOR(pg_catalog.||) (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())::text)
LEFT JOIN pg_catalog.pg_replication_origin_status o
       ON o.external_id OPERATOR(pg_catalog.=) s.slot_name::text
LEFT JOIN LATERAL (SELECT x.error, x.recorded_at FROM @extschema@.eventlog_capture_errors x ORDER BY x.id DESC LIMIT 1) e ON true;

COMMENT ON VIEW @extschema@.eventlog_capture_status IS
'WAL capture in this database: its slot, the worker applying it (NULL: none runs), how many bytes of WAL wait to be applied, the last applied commit (position and time), how many events and failures were applied, the last error (the worker''s own or a change''s in eventlog_capture_errors, whichever is newer), and the slot''s positions and WAL status';

-- DROP EXTENSION eventlog leaves no slot, origin or worker behind: this
-- event trigger arranges their removal when that DROP commits.
CREATE FUNCTION @extschema@.eventlog_capture_on_drop()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'eventlog_capture_on_drop'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.eventlog_capture_on_drop() IS
'Event trigger function: on DROP EXTENSION eventlog, drops the capture slot and origin (and stops the worker) when the drop commits';

CREATE EVENT TRIGGER eventlog_capture_on_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION')
    EXECUTE FUNCTION @extschema@.eventlog_capture_on_drop();

COMMENT ON EVENT TRIGGER eventlog_capture_on_drop IS
'DROP EXTENSION eventlog removes WAL capture''s slot, origin and worker with it';

-- A partition attached to (or made in) a WAL-tracked table gets REPLICA
-- IDENTITY FULL like the rest of it.
CREATE FUNCTION @extschema@.eventlog_capture_on_ddl()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    target pg_catalog.regclass;
BEGIN
    FOR target IN
        SELECT DISTINCT a.relid
        FROM pg_catalog.pg_event_trigger_ddl_commands() c
        JOIN pg_catalog.pg_class r ON r.oid = c.objid AND c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
        CROSS JOIN LATERAL pg_catalog.pg_partition_ancestors(r.oid) a
        JOIN pg_catalog.pg_trigger t ON t.tgrelid = a.relid AND t.tgname = 'eventlog_capture_wal'
                                    AND t.tgfoid = '@extschema@.eventlog_capture_context()'::pg_catalog.regprocedure
        WHERE r.relkind IN ('r', 'p')
    LOOP
        PERFORM @extschema@.eventlog_capture_full_identity(target);
    END LOOP;
END
$$;

COMMENT ON FUNCTION @extschema@.eventlog_capture_on_ddl() IS
'Event trigger function: gives a partition made in or attached to a WAL-tracked table REPLICA IDENTITY FULL';

CREATE EVENT TRIGGER eventlog_capture_on_ddl ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION @extschema@.eventlog_capture_on_ddl();

COMMENT ON EVENT TRIGGER eventlog_capture_on_ddl IS
'Partitions made in or attached to a WAL-tracked table get REPLICA IDENTITY FULL';
