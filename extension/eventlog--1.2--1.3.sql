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


-------------------------------------------------------------------------------
-- Citus: the log on every node (docs/distributed.md)
-------------------------------------------------------------------------------

-- eventlog_track turns citus.enable_unsafe_triggers on while it creates the
-- capture triggers, when Citus is installed.
CREATE OR REPLACE FUNCTION @extschema@.eventlog_track(
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

-- eventlog_untrack too, while it drops them.
CREATE OR REPLACE FUNCTION @extschema@.eventlog_untrack(target regclass)
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
