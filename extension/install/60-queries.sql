-------------------------------------------------------------------------------
-- Queries: every one is an index scan, newest first ("timestamp" DESC, id DESC)
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.eventlog_for_object(object_type text, object_id text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.object_type OPERATOR(pg_catalog.=) $1 AND e.object_id OPERATOR(pg_catalog.=) $2
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_object(text, text) IS
'One object''s events, newest first (the original app''s GET /<id>/log/)';

-- A composite key's parts keep the key's column order (json_each of
-- to_json), each written as to_jsonb writes it (json -> jsonb), as tracking
-- writes object_id: 1e+20 as 100000000000000000000.
CREATE FUNCTION @extschema@.eventlog_for_key(target regclass, object_key anyelement)
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

COMMENT ON FUNCTION @extschema@.eventlog_for_key(regclass, anyelement) IS
'One tracked row''s events, newest first, from its table and its key in its own type: eventlog_for_key(''certificate'', 42); composite keys as a row: eventlog_for_key(''line'', ROW(1, ''a''))';

CREATE FUNCTION @extschema@.eventlog_for_tool(tool text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.tool OPERATOR(pg_catalog.=) $1
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_tool(text) IS 'One tool''s events, newest first';

CREATE FUNCTION @extschema@.eventlog_for_actor(actor text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.actor OPERATOR(pg_catalog.=) $1
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_actor(text) IS 'One actor''s events (by the name recorded in actor), newest first';

CREATE FUNCTION @extschema@.eventlog_for_actor_id(actor_id text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.actor_id OPERATOR(pg_catalog.=) $1
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_actor_id(text) IS
'One actor''s events by its stable key (actor_id), whatever names it was recorded under, newest first';

CREATE FUNCTION @extschema@.eventlog_for_transaction(transaction_id xid8 DEFAULT pg_catalog.pg_current_xact_id_if_assigned())
RETURNS SETOF @extschema@.eventlog
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT e.* FROM @extschema@.eventlog e
    WHERE e.transaction_id OPERATOR(pg_catalog.=) $1
      -- (the expression of the log's BRIN index on transaction_id)
      AND CAST(CAST(e.transaction_id AS pg_catalog.text) AS pg_catalog.numeric)
          OPERATOR(pg_catalog.=) CAST(CAST($1 AS pg_catalog.text) AS pg_catalog.numeric)
    ORDER BY e."timestamp" DESC, e.id DESC
$$;

COMMENT ON FUNCTION @extschema@.eventlog_for_transaction(xid8) IS
'One transaction''s events (by default the current transaction''s), newest first';

-- The views read with the caller's rights (security_invoker): the log's
-- row security applies to their counts.
CREATE VIEW @extschema@.eventlog_by_tool WITH (security_invoker = true) AS
SELECT e.tool,
       pg_catalog.count(*) AS events,
       pg_catalog.min(e."timestamp") AS first_at,
       pg_catalog.max(e."timestamp") AS last_at
FROM @extschema@.eventlog e
GROUP BY e.tool;

COMMENT ON VIEW @extschema@.eventlog_by_tool IS
'One row per tool: events (count), first_at, last_at; filtering on tool is an index-only scan';

CREATE VIEW @extschema@.eventlog_by_object WITH (security_invoker = true) AS
SELECT e.object_type,
       e.object_id,
       pg_catalog.count(*) AS events,
       pg_catalog.min(e."timestamp") AS first_at,
       pg_catalog.max(e."timestamp") AS last_at
FROM @extschema@.eventlog e
GROUP BY e.object_type, e.object_id;

COMMENT ON VIEW @extschema@.eventlog_by_object IS
'One row per object: events (count), first_at, last_at; filtering on object_type and object_id is an index-only scan';

GRANT SELECT ON @extschema@.eventlog_by_tool, @extschema@.eventlog_by_object TO PUBLIC;

CREATE FUNCTION @extschema@.eventlog_page(
    tool text DEFAULT NULL,
    object_type text DEFAULT NULL,
    object_id text DEFAULT NULL,
    action text DEFAULT NULL,
    actor text DEFAULT NULL,
    page_size int DEFAULT 100,
    page int DEFAULT 1,
    actor_id text DEFAULT NULL)
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
    rows_sql text;
    page_key record;
    newest_at timestamptz;
    newest_id bigint;
    oldest_at timestamptz;
    oldest_id bigint;
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
    IF actor_id IS NOT NULL THEN conditions := conditions || 'e.actor_id = $9'::text; END IF;
    filter := CASE WHEN cardinality(conditions) = 0 THEN 'true' ELSE array_to_string(conditions, ' AND ') END;

    -- The count: with no filter or one of tool, actor, actor_id, action,
    -- object_type (without object_id), a sum over the counts tables when they
    -- stand for the log; otherwise counted in the log (an object's events are
    -- few).
    IF object_id IS NULL AND num_nonnulls(tool, object_type, action, actor, actor_id) <= 1
       AND @extschema@.eventlog_counts_stand_for_log() THEN
        counted_column := CASE WHEN tool IS NOT NULL THEN 'tool'
                               WHEN actor IS NOT NULL THEN 'actor'
                               WHEN actor_id IS NOT NULL THEN 'actor_id'
                               WHEN action IS NOT NULL THEN 'action'
                               WHEN object_type IS NOT NULL THEN 'object_type'
                               ELSE 'object_type' END;  -- no filter: the fewest rows
        counted_value := COALESCE(tool, actor, actor_id, action, object_type);
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

    -- The page's rows. Under row security, one object's page (object_type
    -- and object_id, no other filter) first picks the keys of its events on
    -- the object index alone: an index-only scan, on which the rule is
    -- checked against the index entries (object_table is in the index), so
    -- that the events the caller may not see are skipped without reading
    -- their rows. Only then are the rows read, between the page's newest
    -- and oldest keys. Reading the rows straight from the index would fetch
    -- every row of an object the caller may not see (thousands of random
    -- heap pages for a busy one) only to drop them all. Every row read is
    -- still checked by the rule; the visible ones between those two keys
    -- are exactly the page's (none when there are no keys: the bounds are
    -- NULL). The keys' query is planned once per session (a static query).
    -- Without row security (the log's owner) every row read is on the page:
    -- the rows are read straight away.
    IF object_type IS NOT NULL AND object_id IS NOT NULL AND num_nonnulls(tool, action, actor, actor_id) = 0
       AND row_security_active('@extschema@.eventlog'::regclass) THEN
        FOR page_key IN
            SELECT k."timestamp", k.id FROM @extschema@.eventlog k
            WHERE k.object_type = eventlog_page.object_type
              AND k.object_id = eventlog_page.object_id
            ORDER BY k."timestamp" DESC, k.id DESC
            LIMIT eventlog_page.page_size OFFSET (eventlog_page.page - 1) * eventlog_page.page_size
        LOOP
            IF newest_id IS NULL THEN
                newest_at := page_key."timestamp";
                newest_id := page_key.id;
            END IF;
            oldest_at := page_key."timestamp";
            oldest_id := page_key.id;
        END LOOP;
        rows_sql := 'SELECT * FROM @extschema@.eventlog e'
                    ' WHERE e.object_type = $2 AND e.object_id = $3'
                    '   AND (e."timestamp", e.id) <= ($10, $11) AND (e."timestamp", e.id) >= ($12, $13)'
                    ' ORDER BY e."timestamp" DESC, e.id DESC LIMIT $6';
    ELSE
        rows_sql := format('SELECT * FROM @extschema@.eventlog e WHERE %s'
                           ' ORDER BY e."timestamp" DESC, e.id DESC LIMIT $6 OFFSET $7', filter);
    END IF;

    EXECUTE format(
        'SELECT jsonb_build_object('
        '  ''count'', %2$s,'
        '  ''results'', COALESCE((SELECT jsonb_agg(jsonb_build_object('
        '      ''id'', p.id, ''actor'', p.actor, ''actor_id'', p.actor_id, ''message'', p.message, ''timestamp'', p."timestamp",'
        '      ''object_id'', p.object_id, ''tool'', p.tool, ''action'', p.action, ''changes'', p.changes,'
        '      ''object_type'', p.object_type) ORDER BY p."timestamp" DESC, p.id DESC)'
        '    FROM (%1$s) p), ''[]''::jsonb))',
        rows_sql, count_sql)
    INTO result
    USING tool, object_type, object_id, action, actor, page_size, (page - 1) * page_size, total, actor_id,
          newest_at, newest_id, oldest_at, oldest_id;
    RETURN result;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_page(text, text, text, text, text, integer, integer, text) IS
'The original REST list: {"count": N, "results": [...]} of the events matching every filter given (tool, object_type, object_id, action, actor, actor_id), newest first, one page (page_size 1..10000, page from 1)';

