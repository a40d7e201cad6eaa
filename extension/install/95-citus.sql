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
    IF reader IS NULL OR reader NOT IN ('object', 'tool', 'actor', 'actor_id') THEN
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
            WHEN 'actor_id' THEN pg_catalog.format('@extschema@.eventlog_for_actor_id(%L)', a)
        END)
    INTO found;
    RETURN found;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_node_events(text, text, text) IS
'This node''s events of eventlog_for_object(a, b), eventlog_for_tool(a), eventlog_for_actor(a) or eventlog_for_actor_id(a) (reader object, tool, actor, actor_id) as a jsonb array, object_table as text; used by the eventlog_cluster_for_* functions';

CREATE FUNCTION @extschema@.eventlog_cluster_events(reader text, a text, b text DEFAULT NULL)
RETURNS SETOF @extschema@.eventlog
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
    RETURN QUERY
    SELECT e.id, e."timestamp", e.actor, e.message, e.object_type, e.object_id, e.tool, e.action, e.changes,
           e.db_user, e.template_message, e.values_json, e.transaction_id,
           pg_catalog.to_regclass(x ->> 'object_table'), e.context, e.actor_id
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

CREATE FUNCTION @extschema@.eventlog_cluster_for_actor_id(actor_id text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN QUERY SELECT * FROM @extschema@.eventlog_cluster_events('actor_id', actor_id); END $$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_for_actor_id(text) IS
'eventlog_for_actor_id over every node of the Citus cluster, newest first';

CREATE FUNCTION @extschema@.eventlog_cluster_page(
    tool text DEFAULT NULL,
    object_type text DEFAULT NULL,
    object_id text DEFAULT NULL,
    action text DEFAULT NULL,
    actor text DEFAULT NULL,
    page_size int DEFAULT 100,
    page int DEFAULT 1,
    actor_id text DEFAULT NULL)
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
             '@extschema@.eventlog_page(%L, %L, %L, %L, %L, %s, 1, %L)',
             tool, object_type, object_id, action, actor, page_size::bigint * page, actor_id)) n;
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

COMMENT ON FUNCTION @extschema@.eventlog_cluster_page(text, text, text, text, text, int, int, text) IS
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
