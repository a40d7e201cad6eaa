-- eventlog 1.2 -> 1.3: exact counts without counting. eventlog_page's
-- count over one filter (tool, actor, action, object_type) or none becomes
-- a sum over eventlog_counts and eventlog_count_deltas, kept by the writer,
-- eventlog_purge and folds; this update counts the events already there,
-- and makes four query indexes again without the column they no longer
-- need (on a large log, run it when a pause in writing is acceptable).

\echo Use "ALTER EXTENSION eventlog UPDATE TO '1.3'" to load this file. \quit

-- No event is written while the update counts the existing ones (writers
-- wait for its commit, then record their deltas in the new tables).
LOCK TABLE @extschema@.eventlog IN SHARE MODE;

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

-- The query indexes of tool, actor, action and time lose their INCLUDE
-- (object_table): their counts now come from eventlog_counts. The plain
-- log's, or each partition's, are made again (the primary key and the
-- object index stay).
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
    EXECUTE format('CREATE INDEX %I ON %s (tool, "timestamp", id)', name || '_tool_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (actor, "timestamp", id)', name || '_actor_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (action, "timestamp", id)', name || '_action_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s ("timestamp", id)', name || '_time_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (transaction_id)', name || '_transaction_idx', target);
END
$function$;

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
        EXECUTE pg_catalog.format('DROP INDEX @extschema@.%I, @extschema@.%I, @extschema@.%I, @extschema@.%I',
                                  name || '_tool_idx', name || '_actor_idx', name || '_action_idx', name || '_time_idx');
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s (tool, "timestamp", id)', name || '_tool_idx', target);
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s (actor, "timestamp", id)', name || '_actor_idx', target);
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s (action, "timestamp", id)', name || '_action_idx', target);
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s ("timestamp", id)', name || '_time_idx', target);
    END LOOP;
END
$reindex$;

-- The events already in the log.
INSERT INTO @extschema@.eventlog_counts (filter, value, object_table, events)
SELECT v.filter, v.value, e.object_table, pg_catalog.count(*)
FROM @extschema@.eventlog e
CROSS JOIN LATERAL (VALUES ('tool'::text, e.tool), ('actor', e.actor), ('action', e.action),
                           ('object_type', e.object_type)) AS v(filter, value)
GROUP BY v.filter, v.value, e.object_table;

CREATE OR REPLACE FUNCTION @extschema@.eventlog_page(
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

