-- eventlog 1.1 -> 1.2: who may read which events, and the context of events.
--
-- Each event records the table it is about (object_table), and the log's
-- row security shows it only to roles that may SELECT that table. Events
-- recorded before this update get the table their object_type names now;
-- a schema-qualified object_type that names no table any more (a dropped
-- or renamed table) is taken as a table that no longer exists, whose events
-- only the owner, superusers and BYPASSRLS roles see. This rewrites those
-- events once, and rebuilds the log's query indexes (they now carry
-- object_table, so that counts stay index-only scans): on a large log, run
-- ALTER EXTENSION eventlog UPDATE when a pause in writing is acceptable.

\echo Use "ALTER EXTENSION eventlog UPDATE TO '1.2'" to load this file. \quit

ALTER TABLE @extschema@.eventlog ADD COLUMN object_table pg_catalog.regclass;
ALTER TABLE @extschema@.eventlog ADD COLUMN context jsonb;
COMMENT ON COLUMN @extschema@.eventlog.object_table IS
'The table the event is about, decided when it was written (tracked changes, eventlog_log_row, eventlog_log whose object_type named a table); NULL: about no table. Roles other than the owner see the event only while they may SELECT that table';
COMMENT ON COLUMN @extschema@.eventlog.context IS
'The context of the event: eventlog.context of its transaction (a JSON object), with eventlog_log''s context argument merged over it; NULL when neither was given';

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


-- The events recorded so far. The append-only trigger does not fire in
-- replica mode (superuser only, as ALTER EXTENSION UPDATE of eventlog is),
-- for this one statement.
DO $backfill$
DECLARE
    saved_role text := pg_catalog.current_setting('session_replication_role');
BEGIN
    PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
    UPDATE @extschema@.eventlog e
    SET object_table = COALESCE(@extschema@.eventlog_object_table(e.object_type),
                                CASE WHEN e.object_type OPERATOR(pg_catalog.~) '^("([^"]|"")+"|[^".]+)\.("([^"]|"")+"|[^".]+)$'
                                     THEN 0::pg_catalog.oid::pg_catalog.regclass END)
    WHERE e.object_type IS NOT NULL;
    PERFORM pg_catalog.set_config('session_replication_role', saved_role, true);
END
$backfill$;

CREATE OR REPLACE FUNCTION @extschema@.eventlog_create_indexes(target regclass, key_columns text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    name text := (SELECT c.relname FROM pg_class c WHERE c.oid = target);
BEGIN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s)', target, name || '_pkey', key_columns);
    EXECUTE format('CREATE INDEX %I ON %s (object_type, object_id, "timestamp", id) INCLUDE (object_table)', name || '_object_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (tool, "timestamp", id) INCLUDE (object_table)', name || '_tool_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (actor, "timestamp", id) INCLUDE (object_table)', name || '_actor_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (action, "timestamp", id) INCLUDE (object_table)', name || '_action_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s ("timestamp", id) INCLUDE (object_table)', name || '_time_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (transaction_id)', name || '_transaction_idx', target);
END
$function$;

-- The indexes again, now with object_table: the plain log's, or each
-- partition's.
DO $reindex$
DECLARE
    target regclass;
    name text;
BEGIN
    FOR target IN
        SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c
        WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.eventlog'::pg_catalog.regclass AND c.relkind OPERATOR(pg_catalog.=) 'r'
        UNION ALL
        SELECT p.partition FROM @extschema@.eventlog_partitions p
    LOOP
        name := (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) target);
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', target, name || '_pkey');
        EXECUTE pg_catalog.format('DROP INDEX @extschema@.%I, @extschema@.%I, @extschema@.%I, @extschema@.%I, @extschema@.%I, @extschema@.%I',
                                  name || '_object_idx', name || '_tool_idx', name || '_actor_idx',
                                  name || '_action_idx', name || '_time_idx', name || '_transaction_idx');
        PERFORM @extschema@.eventlog_create_indexes(target,
            CASE WHEN target OPERATOR(pg_catalog.=) '@extschema@.eventlog'::pg_catalog.regclass THEN 'id' ELSE 'id, "timestamp"' END);
    END LOOP;
END
$reindex$;

ALTER TABLE @extschema@.eventlog ENABLE ROW LEVEL SECURITY;
CREATE POLICY eventlog_readable ON @extschema@.eventlog FOR SELECT TO PUBLIC
    USING (@extschema@.eventlog_readable(object_table));
COMMENT ON POLICY eventlog_readable ON @extschema@.eventlog IS
'Roles see an event about a table only while they may SELECT that table (see eventlog_readable)';

ALTER VIEW @extschema@.eventlog_by_tool SET (security_invoker = true);
ALTER VIEW @extschema@.eventlog_by_object SET (security_invoker = true);

-- eventlog_for_key: composite keys' parts as to_jsonb writes them (float
-- parts found their events only in their json spelling before).
CREATE OR REPLACE FUNCTION @extschema@.eventlog_for_key(target regclass, object_key anyelement)
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

-- Context: eventlog_log and eventlog_log_row take a context argument.
DROP FUNCTION @extschema@.eventlog_log_row(anyelement, text, jsonb, text, text, text, jsonb);
DROP FUNCTION @extschema@.eventlog_log(text, jsonb, text, text, text, text, text, jsonb);

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
