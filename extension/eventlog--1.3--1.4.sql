-- eventlog 1.3 -> 1.4

\echo Use "ALTER EXTENSION eventlog UPDATE TO '1.4'" to load this file. \quit

-------------------------------------------------------------------------------
-- Who acted: a stable actor key (actor_id)
-------------------------------------------------------------------------------

-- Events carry actor_id, a stable key of the actor next to its name: the
-- column is added in place (no rewrite; the events already there have none,
-- and are counted under the value NULL), the counts gain the filter
-- actor_id, eventlog_log, eventlog_log_row, eventlog_page and
-- eventlog_cluster_page a last parameter actor_id (made again: calls of the
-- old parameter lists, positional or named, still resolve to them; their
-- EXECUTE privileges are carried over), and the log's indexes (of the plain
-- log or of each partition) gain the partial actor_id index while the
-- transaction b-tree becomes a BRIN index: still seven b-tree entries per
-- event at most (see eventlog_create_indexes).

-- No fold runs meanwhile (the counts copied below are the folded ones).
LOCK TABLE @extschema@.eventlog_counts IN EXCLUSIVE MODE;

ALTER TABLE @extschema@.eventlog ADD COLUMN actor_id text COLLATE pg_catalog."C";
COMMENT ON COLUMN @extschema@.eventlog.actor_id IS
'A stable key of who caused it (a user''s primary key, an account id), next to actor, the name shown: the actor_id argument, else eventlog.actor_id, else NULL';

ALTER TABLE @extschema@.eventlog_count_deltas ADD COLUMN actor_id text COLLATE pg_catalog."C";
ALTER TABLE @extschema@.eventlog_counts DROP CONSTRAINT eventlog_counts_filter_check;
ALTER TABLE @extschema@.eventlog_counts ADD CONSTRAINT eventlog_counts_filter_check
    CHECK (filter OPERATOR(pg_catalog.=) ANY ('{tool,actor,action,object_type,actor_id}'::text[]));
COMMENT ON TABLE @extschema@.eventlog_counts IS
'How many events each tool, actor, actor_id, action and object_type has, per table the events are about (add the matching rows of eventlog_count_deltas for the exact count)';

COMMENT ON COLUMN @extschema@.eventlog_counts.filter IS 'The column counted: tool, actor, actor_id, action or object_type';


-- The events already folded into the counts have no actor_id: one count
-- per table they are about, their number as the tool counts have it. The
-- deltas not yet folded get actor_id NULL with the new column, and fold
-- into the same counts.
INSERT INTO @extschema@.eventlog_counts (filter, value, object_table, events)
SELECT 'actor_id', NULL, c.object_table, pg_catalog.sum(c.events)::bigint
FROM @extschema@.eventlog_counts c
WHERE c.filter OPERATOR(pg_catalog.=) 'tool'
GROUP BY c.object_table;

-- The primary key and indexes of the log, in one place: a plain log has
-- them itself; a partitioned log has them on each partition (the parent has
-- none, so that pg_restore re-creates each partition's own indexes instead
-- of colliding with copies that ATTACH PARTITION would have made).
--
-- One object's history and one tool's events, newest first, are index scans
-- (read backwards). Ascending keys keep inserts of new events together at
-- the end of each object's and tool's range; identifiers compare bytewise
-- (COLLATE "C"), which is both faster and independent of the locale. The
-- other filters of eventlog_page, the unfiltered list and one transaction's
-- events have their own indexes; new entries land at the end of each key's
-- range (or of the whole index), which keeps these cheap to maintain.
-- The object index carries object_table, the column the row security
-- rule reads, so that counting one object's events (which eventlog_page
-- does in the log) stays an index-only scan; the other filters' counts
-- come from eventlog_counts, and their indexes stay narrow.
--
-- Seven b-tree entries per event at most (1.4): the primary key, object,
-- tool, actor, action and time b-trees hold every event; the actor_id
-- b-tree (a stable actor key, newest first) only the events that have one
-- (a partial index: "actor_id = $1" implies actor_id IS NOT NULL, so its
-- filter uses it). One transaction's events (a handful, read for
-- eventlog_for_transaction and eventlog_revert) are found through a BRIN
-- index instead of a b-tree: transaction ids grow with the position of
-- events in the append-only heap, so a few summaries per range of pages
-- (minmax-multi, which keeps a long transaction's old id from widening a
-- whole range) locate them; it costs bytes per range of 32 pages, not per
-- event, and summarizes each filled range on its own (autosummarize).
-- Readers match it with the expression
-- CAST(CAST(transaction_id AS text) AS numeric) (xid8 has no BRIN operator
-- class).
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
    EXECUTE format('CREATE INDEX %I ON %s (actor_id, "timestamp", id) WHERE actor_id IS NOT NULL', name || '_actor_id_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s (action, "timestamp", id)', name || '_action_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s ("timestamp", id)', name || '_time_idx', target);
    EXECUTE format('CREATE INDEX %I ON %s USING brin (((transaction_id::text)::numeric) numeric_minmax_multi_ops) '
                   'WITH (pages_per_range = 32, autosummarize = on)', name || '_transaction_idx', target);
END
$function$;


-- The plain log's, or each partition's, indexes: the actor_id index (empty
-- so far) is made, the transaction b-tree becomes the BRIN index.
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
        EXECUTE pg_catalog.format('DROP INDEX @extschema@.%I', name || '_transaction_idx');
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s (actor_id, "timestamp", id) WHERE actor_id IS NOT NULL',
                                  name || '_actor_id_idx', target);
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s USING brin (((transaction_id::text)::numeric) numeric_minmax_multi_ops) '
                                  'WITH (pages_per_range = 32, autosummarize = on)', name || '_transaction_idx', target);
    END LOOP;
END
$reindex$;

-- The functions that gain the parameter actor_id: the old ones are renamed
-- out of the way, the new ones made, the old ones' EXECUTE privileges
-- carried over (as the owner's grants, dumped as before), the old ones
-- dropped.
ALTER FUNCTION @extschema@.eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb) RENAME TO eventlog_log_1_3;
ALTER FUNCTION @extschema@.eventlog_log_row(anyelement, text, jsonb, text, text, text, jsonb, jsonb) RENAME TO eventlog_log_row_1_3;
ALTER FUNCTION @extschema@.eventlog_page(text, text, text, text, text, integer, integer) RENAME TO eventlog_page_1_3;
ALTER FUNCTION @extschema@.eventlog_cluster_page(text, text, text, text, text, integer, integer) RENAME TO eventlog_cluster_page_1_3;

CREATE FUNCTION @extschema@.eventlog_log(
    template_message text,
    values_json jsonb DEFAULT NULL,
    object_type text DEFAULT NULL,
    object_id text DEFAULT NULL,
    actor text DEFAULT NULL,
    tool text DEFAULT NULL,
    action text DEFAULT NULL,
    changes jsonb DEFAULT NULL,
    context jsonb DEFAULT NULL,
    actor_id text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'eventlog_log'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb, text) IS
'Records one event and returns its id; message = eventlog_render(template_message, values_json), actor defaults to eventlog.actor, then the calling role; actor_id (a stable key of the actor) to eventlog.actor_id, then NULL; context (a JSON object) is merged over eventlog.context';

CREATE FUNCTION @extschema@.eventlog_log_row(
    object anyelement,
    template_message text DEFAULT NULL,
    values_json jsonb DEFAULT NULL,
    actor text DEFAULT NULL,
    tool text DEFAULT NULL,
    action text DEFAULT NULL,
    changes jsonb DEFAULT NULL,
    context jsonb DEFAULT NULL,
    actor_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
    SELECT @extschema@.eventlog_log(template_message, values_json, o.object_type, o.object_id,
                                    actor, tool, action, changes, context, actor_id)
    FROM @extschema@.eventlog_object(object) AS o
    WHERE o.object_type IS NOT NULL  -- a NULL row: nothing recorded, NULL returned
$$;

COMMENT ON FUNCTION @extschema@.eventlog_log_row(anyelement, text, jsonb, text, text, text, jsonb, jsonb, text) IS
'eventlog_log with a table row as the object: object_type and object_id come from the row''s table and primary key (a NULL row records nothing and returns NULL)';

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

    EXECUTE format(
        'SELECT jsonb_build_object('
        '  ''count'', %2$s,'
        '  ''results'', COALESCE((SELECT jsonb_agg(jsonb_build_object('
        '      ''id'', p.id, ''actor'', p.actor, ''actor_id'', p.actor_id, ''message'', p.message, ''timestamp'', p."timestamp",'
        '      ''object_id'', p.object_id, ''tool'', p.tool, ''action'', p.action, ''changes'', p.changes,'
        '      ''object_type'', p.object_type) ORDER BY p."timestamp" DESC, p.id DESC)'
        '    FROM (SELECT * FROM @extschema@.eventlog e WHERE %1$s'
        '          ORDER BY e."timestamp" DESC, e.id DESC LIMIT $6 OFFSET $7) p), ''[]''::jsonb))',
        filter, count_sql)
    INTO result
    USING tool, object_type, object_id, action, actor, page_size, (page - 1) * page_size, total, actor_id;
    RETURN result;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_page(text, text, text, text, text, integer, integer, text) IS
'The original REST list: {"count": N, "results": [...]} of the events matching every filter given (tool, object_type, object_id, action, actor, actor_id), newest first, one page (page_size 1..10000, page from 1)';

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


DO $privileges$
DECLARE
    f record;
    g record;
BEGIN
    FOR f IN
        SELECT o.oid AS old_oid, o.proacl, o.proowner, n.oid AS new_oid, n.oid::pg_catalog.regprocedure::text AS signature
        FROM pg_catalog.pg_proc o
        JOIN pg_catalog.pg_proc n ON n.pronamespace OPERATOR(pg_catalog.=) o.pronamespace
                                 AND n.proname OPERATOR(pg_catalog.=) pg_catalog.replace(o.proname, '_1_3', '')
        WHERE o.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
          AND o.proname OPERATOR(pg_catalog.=) ANY ('{eventlog_log_1_3,eventlog_log_row_1_3,eventlog_page_1_3,eventlog_cluster_page_1_3}')
          AND o.proacl IS NOT NULL
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.signature);
        FOR g IN SELECT a.grantee, a.is_grantable FROM pg_catalog.aclexplode(f.proacl) a
                 WHERE a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) f.proowner LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s%s', f.signature,
                                      CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                           ELSE pg_catalog.quote_ident(g.grantee::pg_catalog.regrole::text) END,
                                      CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
        -- (privileges granted by an extension script count as the
        -- extension's own, which pg_dump leaves out; these are the owner's)
        DELETE FROM pg_catalog.pg_init_privs i
        WHERE i.objoid OPERATOR(pg_catalog.=) f.new_oid AND i.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass;
    END LOOP;
END
$privileges$;

DROP FUNCTION @extschema@.eventlog_log_1_3(text, jsonb, text, text, text, text, text, jsonb, jsonb);
DROP FUNCTION @extschema@.eventlog_log_row_1_3(anyelement, text, jsonb, text, text, text, jsonb, jsonb);
DROP FUNCTION @extschema@.eventlog_page_1_3(text, text, text, text, text, integer, integer);
DROP FUNCTION @extschema@.eventlog_cluster_page_1_3(text, text, text, text, text, integer, integer);

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

CREATE OR REPLACE FUNCTION @extschema@.eventlog_for_transaction(transaction_id xid8 DEFAULT pg_catalog.pg_current_xact_id_if_assigned())
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

CREATE OR REPLACE FUNCTION @extschema@.eventlog_seal_line(e @extschema@.eventlog)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    fields text[];
    f text;
    line text := '';
    i integer := 0;
    ts text := to_char(e."timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US');
BEGIN
    -- Escaped as COPY escapes (backslash, then \b \f \n \r \t and \v, which
    -- E'' strings cannot spell: chr(11)). The time as COPY prints timestamptz
    -- with TimeZone UTC and DateStyle ISO:
    -- microseconds without trailing zeros, no fraction when they are 0.
    ts := rtrim(rtrim(ts, '0'), '.') || '+00';
    fields := ARRAY[e.id::text, ts, e.actor, e.message, e.object_type, e.object_id, e.tool, e.action,
                    e.changes::text, e.db_user, e.template_message, e.values_json::text,
                    e.transaction_id::text, e.context::text];
    -- actor_id (1.4) follows as a 15th field only when the event has one:
    -- events without it, older ones included, keep their lines (and the
    -- chain sealed before the update stays verifiable).
    IF e.actor_id IS NOT NULL THEN
        fields := fields || e.actor_id;
    END IF;
    FOREACH f IN ARRAY fields LOOP
        i := i + 1;
        IF i > 1 THEN line := line || E'\t'; END IF;
        IF f IS NULL THEN
            line := line || '\N';
        ELSE
            line := line || replace(replace(replace(replace(replace(replace(replace(f,
                        '\', '\\'), E'\b', '\b'), E'\f', '\f'), E'\n', '\n'), E'\r', '\r'), E'\t', '\t'), chr(11), '\v');
        END IF;
    END LOOP;
    RETURN line;
END
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_line(@extschema@.eventlog) IS
'The bytes (UTF-8) an event contributes to the hash chain: the line COPY (SELECT id, "timestamp", actor, message, object_type, object_id, tool, action, changes, db_user, template_message, values_json, transaction_id, context FROM eventlog) TO STDOUT prints for it with TimeZone UTC and DateStyle ISO, followed by a tab and actor_id (escaped alike) when actor_id is not NULL';

CREATE OR REPLACE FUNCTION @extschema@.eventlog_revert(event_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    e record;
    columns text[];
    key_condition text;
    current jsonb;
    expected jsonb;
    changed text[];
    saved_context text := current_setting('eventlog.context', true);
    revert_id bigint;
    started timestamptz;
BEGIN
    SELECT l.* INTO e FROM @extschema@.eventlog l WHERE l.id = event_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'eventlog_revert: no event % (or not one you may read)', event_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF e.action NOT IN ('create', 'update', 'delete') OR e.object_table IS NULL OR e.object_id IS NULL
       OR e.changes IS NULL OR NOT (e.changes ? 'old_value' AND e.changes ? 'new_value') THEN
        RAISE EXCEPTION 'eventlog_revert: event % is not a tracked create, update or delete', event_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Only row changes recorded by tracking can be reverted; truncates and application events cannot.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = e.object_table) THEN
        RAISE EXCEPTION 'eventlog_revert: the table of event % no longer exists', event_id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO columns
    FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = e.object_table AND i.indisprimary;
    IF columns IS NULL THEN
        RAISE EXCEPTION 'eventlog_revert: table % has no primary key', e.object_table USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- The row as the event left it is found by the key the event names:
    -- each key column compared with its value in the event's object_id.
    SELECT string_agg(CASE WHEN cardinality(columns) = 1
                           THEN format('t.%I = %L::%s', u.c, e.object_id, format_type(a.atttypid, a.atttypmod))
                           ELSE format('t.%I = (%L::jsonb ->> %s)::%s', u.c, e.object_id, u.o - 1,
                                       format_type(a.atttypid, a.atttypmod)) END, ' AND ')
    INTO key_condition
    FROM unnest(columns) WITH ORDINALITY AS u(c, o)
    JOIN pg_attribute a ON a.attrelid = e.object_table AND a.attname = u.c;

    -- The revert is recorded by tracking, with revert_of in its context.
    started := clock_timestamp();
    PERFORM set_config('eventlog.context',
                       (COALESCE(NULLIF(saved_context, '')::jsonb, '{}'::jsonb)
                        || jsonb_build_object('revert_of', event_id))::text, true);
    IF e.action = 'delete' THEN
        EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE %s', e.object_table, key_condition) INTO current;
        IF current IS NOT NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the key of event % is taken again in %', event_id, e.object_table
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        -- The recorded columns only: excluded ones get their defaults.
        EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM jsonb_populate_record(NULL::%s, $1) AS r',
                       e.object_table,
                       (SELECT string_agg(quote_ident(c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                       (SELECT string_agg('r.' || quote_ident(c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                       e.object_table)
        USING e.changes -> 'old_value';
    ELSE
        EXECUTE format('SELECT to_jsonb(t) FROM %s t WHERE %s FOR UPDATE', e.object_table, key_condition) INTO current;
        IF current IS NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the row of event % no longer exists in %', event_id, e.object_table
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        expected := e.changes -> 'new_value';
        SELECT array_agg(c) INTO changed FROM jsonb_object_keys(expected) AS c
        WHERE current -> c IS DISTINCT FROM expected -> c;
        IF changed IS NOT NULL THEN
            RAISE EXCEPTION 'eventlog_revert: the row of event % changed since (%)', event_id, array_to_string(changed, ', ')
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF e.action = 'create' THEN
            EXECUTE format('DELETE FROM %s t WHERE %s', e.object_table, key_condition);
        ELSE
            EXECUTE format('UPDATE %s t SET %s FROM jsonb_populate_record(NULL::%s, $1) AS r WHERE %s',
                           e.object_table,
                           (SELECT string_agg(format('%I = r.%I', c, c), ', ') FROM jsonb_object_keys(e.changes -> 'old_value') AS c),
                           e.object_table, key_condition)
            USING e.changes -> 'old_value';
        END IF;
    END IF;
    PERFORM set_config('eventlog.context', COALESCE(saved_context, ''), true);
    -- Its event: this transaction's, recorded since `started` (a range of
    -- the time index); should the clock have gone back meanwhile, any of
    -- this transaction's (through the transaction index).
    SELECT max(l.id) INTO revert_id FROM @extschema@.eventlog l
    WHERE l."timestamp" >= started AND l.transaction_id = pg_current_xact_id()
      AND l.context @> jsonb_build_object('revert_of', event_id);
    IF revert_id IS NULL THEN
        SELECT max(l.id) INTO revert_id FROM @extschema@.eventlog_for_transaction(pg_current_xact_id()) l
        WHERE l.context @> jsonb_build_object('revert_of', event_id);
    END IF;
    RETURN revert_id;
END
$function$;

CREATE OR REPLACE FUNCTION @extschema@.eventlog_node_events(reader text, a text, b text DEFAULT NULL)
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

CREATE OR REPLACE FUNCTION @extschema@.eventlog_cluster_events(reader text, a text, b text DEFAULT NULL)
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

CREATE FUNCTION @extschema@.eventlog_cluster_for_actor_id(actor_id text)
RETURNS SETOF @extschema@.eventlog
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$ BEGIN RETURN QUERY SELECT * FROM @extschema@.eventlog_cluster_events('actor_id', actor_id); END $$;

COMMENT ON FUNCTION @extschema@.eventlog_cluster_for_actor_id(text) IS
'eventlog_for_actor_id over every node of the Citus cluster, newest first';

-------------------------------------------------------------------------------
-- Capture from the WAL (eventlog_track(..., capture => 'wal'))
-------------------------------------------------------------------------------
-- eventlog_track gains the parameter capture (made again like the functions
-- above, its EXECUTE privileges carried over); eventlog_untrack and the view
-- eventlog_tracked (a last column, capture) learn WAL-tracked tables; the
-- capture's functions, tables, status view and event triggers are new.

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

ALTER FUNCTION @extschema@.eventlog_track(regclass, text, text[], jsonb, boolean) RENAME TO eventlog_track_1_3;

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

DO $privileges$
DECLARE
    acl aclitem[];
    owner oid;
    g record;
BEGIN
    SELECT p.proacl, p.proowner INTO acl, owner FROM pg_catalog.pg_proc p
    WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.eventlog_track_1_3(regclass, text, text[], jsonb, boolean)'::pg_catalog.regprocedure;
    IF acl IS NOT NULL THEN
        REVOKE ALL ON FUNCTION @extschema@.eventlog_track(regclass, text, text[], jsonb, boolean, text) FROM PUBLIC;
        FOR g IN SELECT a.grantee, a.is_grantable FROM pg_catalog.aclexplode(acl) a
                 WHERE a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) owner LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION @extschema@.eventlog_track(regclass, text, text[], jsonb, boolean, text) TO %s%s',
                                      CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                           ELSE pg_catalog.quote_ident(g.grantee::pg_catalog.regrole::text) END,
                                      CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
        DELETE FROM pg_catalog.pg_init_privs i
        WHERE i.objoid OPERATOR(pg_catalog.=) '@extschema@.eventlog_track(regclass, text, text[], jsonb, boolean, text)'::pg_catalog.regprocedure
          AND i.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass;
    END IF;
END
$privileges$;

DROP FUNCTION @extschema@.eventlog_track_1_3(regclass, text, text[], jsonb, boolean);

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

CREATE OR REPLACE FUNCTION @extschema@.eventlog_untrack(target regclass)
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

CREATE OR REPLACE VIEW @extschema@.eventlog_tracked AS
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

-------------------------------------------------------------------------------
-- Erasure (80-seal.sql, 85-erasure.sql): seal encoding 2, the events'
-- secrets, the erasure records, the erasures; verify reports erased events;
-- the seal's horizon taken from the next transaction id.
-------------------------------------------------------------------------------

-- The records written so far hash each event's values in the clear
-- (encoding 1): they stay as they are, and verify as before.
ALTER TABLE @extschema@.eventlog_seals ADD COLUMN encoding integer NOT NULL DEFAULT 1;
ALTER TABLE @extschema@.eventlog_seals ALTER COLUMN encoding SET DEFAULT 2;
COMMENT ON COLUMN @extschema@.eventlog_seals.encoding IS
'How its events were hashed: 1, eventlog_seal_line (records written before 1.4, whose events cannot be erased); 2, eventlog_seal_kept and a commitment to eventlog_seal_erasable under the event''s secret';

-- The secrets of the events sealed under encoding 2, one row per event,
-- made by eventlog_seal (never at write time). Erasure replaces an event's
-- secret (the old one is gone: its commitment can no longer be tested
-- against guesses); eventlog_purge removes the secrets of the events it
-- removes. Readable by the log's owner only: with a secret and the public
-- chain, a guess of the event's values could be tested.
CREATE TABLE @extschema@.eventlog_seal_secrets (
    id     bigint NOT NULL,
    secret bytea  NOT NULL,
    CONSTRAINT eventlog_seal_secrets_pkey PRIMARY KEY (id)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_seal_secrets', '');
REVOKE ALL ON TABLE @extschema@.eventlog_seal_secrets FROM PUBLIC;
CREATE TRIGGER eventlog_seal_secrets_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.eventlog_seal_secrets
    FOR EACH ROW EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
CREATE TRIGGER eventlog_seal_secrets_append_only_truncate
    BEFORE TRUNCATE ON @extschema@.eventlog_seal_secrets
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
COMMENT ON TABLE @extschema@.eventlog_seal_secrets IS
'The random secret of each event sealed under encoding 2 (c(e) = sha256(secret || eventlog_seal_erasable(e))); replaced by erasure, removed by eventlog_purge, changed by nothing else; the owner''s only';
COMMENT ON COLUMN @extschema@.eventlog_seal_secrets.id IS 'The event';
COMMENT ON COLUMN @extschema@.eventlog_seal_secrets.secret IS '32 random bytes (pg_strong_random), made when the event was sealed or last erased';

-- One record per event an erasure changed after it was sealed: the
-- commitment its seal chained (c(e) over the fields as they were), which
-- verification now takes from here, and the commitment to its fields after
-- the erasure under its new secret, which verification checks the event
-- against. The records of one erasure form a hash chain whose head the
-- erasure's own event (tool eventlog, action erase, values_json "erasure",
-- "records" and "records_digest") keeps, and that event is sealed like any
-- other: an altered, removed or added record is found.
CREATE SEQUENCE @extschema@.eventlog_erasure_seq AS bigint;
CREATE TABLE @extschema@.eventlog_erasures (
    erasure   bigint NOT NULL,
    ord       integer NOT NULL,
    event_id  bigint NOT NULL,
    sealed    bytea  NOT NULL,
    current   bytea  NOT NULL,
    CONSTRAINT eventlog_erasures_pkey PRIMARY KEY (event_id, erasure),
    CONSTRAINT eventlog_erasures_ord_key UNIQUE (erasure, ord)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_erasures', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.eventlog_erasure_seq', '');
REVOKE ALL ON TABLE @extschema@.eventlog_erasures FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.eventlog_erasure_seq FROM PUBLIC;
CREATE TRIGGER eventlog_erasures_append_only
    BEFORE UPDATE OR DELETE ON @extschema@.eventlog_erasures
    FOR EACH ROW EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
CREATE TRIGGER eventlog_erasures_append_only_truncate
    BEFORE TRUNCATE ON @extschema@.eventlog_erasures
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.eventlog_refuse_rewrite();
COMMENT ON SEQUENCE @extschema@.eventlog_erasure_seq IS 'Numbers of erasures (eventlog_erasures.erasure, the erase event''s values_json "erasure")';
COMMENT ON TABLE @extschema@.eventlog_erasures IS
'One record per sealed event an erasure changed: what its seal chained, and a commitment to what the erasure left; append-only, chained per erasure into its erase event';
COMMENT ON COLUMN @extschema@.eventlog_erasures.erasure IS 'The erasure (the erase event''s values_json "erasure")';
COMMENT ON COLUMN @extschema@.eventlog_erasures.ord IS 'The record''s place in its erasure''s chain, from 1';
COMMENT ON COLUMN @extschema@.eventlog_erasures.event_id IS 'The event changed';
COMMENT ON COLUMN @extschema@.eventlog_erasures.sealed IS 'c(e) as its seal chained it (a commitment under a secret destroyed since)';
COMMENT ON COLUMN @extschema@.eventlog_erasures.current IS 'sha256(new secret || eventlog_seal_erasable(e)) of the event as the erasure left it';

-- Encoding 2 (from 1.4 on). One field as COPY prints it (\N for NULL, COPY's
-- escapes); the kept fields and the erasable fields of an event, each as
-- their COPY line would be (tab-separated). SQL functions, inlined where
-- they are called.
CREATE FUNCTION @extschema@.eventlog_seal_field(field text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
SELECT COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
           pg_catalog.replace(pg_catalog.replace(field, '\', '\\'), E'\b', '\b'), E'\f', '\f'), E'\n', '\n'),
           E'\r', '\r'), E'\t', '\t'), pg_catalog.chr(11), '\v'), '\N')
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_field(text) IS
'One field as COPY text prints it: \N for NULL, backslash, \b \f \n \r \t \v escaped';

CREATE FUNCTION @extschema@.eventlog_seal_kept(e @extschema@.eventlog)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $function$
SELECT pg_catalog.concat_ws(E'\t', e.id::text,
    pg_catalog.rtrim(pg_catalog.rtrim(pg_catalog.to_char(e."timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
                                      '0'), '.') OPERATOR(pg_catalog.||) '+00',
    @extschema@.eventlog_seal_field(e.object_type), @extschema@.eventlog_seal_field(e.object_id),
    @extschema@.eventlog_seal_field(e.tool), @extschema@.eventlog_seal_field(e.action),
    @extschema@.eventlog_seal_field(e.db_user), @extschema@.eventlog_seal_field(e.template_message),
    e.transaction_id::text)
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_kept(@extschema@.eventlog) IS
'The fields of an event that erasure never changes, as COPY (SELECT id, "timestamp", object_type, object_id, tool, action, db_user, template_message, transaction_id FROM eventlog) TO STDOUT prints them with TimeZone UTC and DateStyle ISO (encoding 2 of the hash chain)';

CREATE FUNCTION @extschema@.eventlog_seal_erasable(e @extschema@.eventlog)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $function$
SELECT pg_catalog.concat_ws(E'\t', @extschema@.eventlog_seal_field(e.actor), @extschema@.eventlog_seal_field(e.actor_id),
    @extschema@.eventlog_seal_field(e.message), @extschema@.eventlog_seal_field(e.changes::text),
    @extschema@.eventlog_seal_field(e.values_json::text), @extschema@.eventlog_seal_field(e.context::text))
$function$;

COMMENT ON FUNCTION @extschema@.eventlog_seal_erasable(@extschema@.eventlog) IS
'The fields of an event that erasure may change, as COPY (SELECT actor, actor_id, message, changes, values_json, context FROM eventlog) TO STDOUT prints them (encoding 2 of the hash chain commits to them through the event''s secret)';

CREATE FUNCTION @extschema@.eventlog_seal_secret()
RETURNS bytea
LANGUAGE c VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'eventlog_seal_secret';

REVOKE ALL ON FUNCTION @extschema@.eventlog_seal_secret() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_seal_secret() IS
'32 bytes from PostgreSQL''s strong random source (pg_strong_random): an event''s secret';

CREATE FUNCTION @extschema@.eventlog_next_xid()
RETURNS xid8
LANGUAGE c VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'eventlog_next_xid';

REVOKE ALL ON FUNCTION @extschema@.eventlog_next_xid() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_next_xid() IS
'The next transaction id to be assigned (none is assigned): eventlog_seal''s bound on the transactions that may still hold an event id';

CREATE OR REPLACE FUNCTION @extschema@.eventlog_seal()
RETURNS TABLE (last_id bigint, digest text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    batch_size constant integer := 10000;
    state record;
    sequence_last bigint;
    sequence_called boolean;
    oldest xid8;
    newest xid8;
    sealed_to bigint;
    horizon bigint;
    prev bytea;
    record_prev bytea;
    record_from bigint;
    ids bigint[] := '{}';
    times timestamptz[] := '{}';
    chain bytea := '';
    secrets bytea[] := '{}';
    secret bytea;
    e record;
    last_sealed bigint;
BEGIN
    IF row_security_active('@extschema@.eventlog'::regclass) THEN
        RAISE EXCEPTION 'eventlog_seal: the sealing role must see every event'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Call it as the log''s owner, a superuser or a BYPASSRLS role.';
    END IF;
    -- One sealer at a time, and never while an erasure runs (erasures take
    -- the same lock); writers never wait for it.
    PERFORM pg_advisory_xact_lock(hashtextextended('eventlog seal', '@extschema@.eventlog'::regclass::oid::bigint));
    IF (SELECT s.seqcache FROM pg_sequence s WHERE s.seqrelid = '@extschema@.eventlog_id_seq'::regclass) <> 1 THEN
        RAISE EXCEPTION 'eventlog_seal: eventlog_id_seq must have CACHE 1'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Cached ids are handed out out of order, so no id horizon can be known.';
    END IF;

    -- The sequence first, then the transactions: an event id is always
    -- taken by a transaction that already has its xid (the writer makes
    -- sure), so every id up to sequence_last belongs to a transaction
    -- older than newest, the next transaction id to be assigned. (Not the
    -- snapshot's xmax: that is the latest completed one's successor, and
    -- transactions running with newer xids are in no snapshot's list.)
    -- Then a snapshot: its xmin reaches newest once every transaction
    -- older than newest has ended (this one's own xid, if it has one,
    -- counts as running).
    SELECT s.last_value, s.is_called INTO sequence_last, sequence_called FROM @extschema@.eventlog_id_seq s;
    IF NOT sequence_called THEN sequence_last := sequence_last - 1; END IF;
    newest := @extschema@.eventlog_next_xid();
    oldest := pg_snapshot_xmin(pg_current_snapshot());

    SELECT x.sealed_to, x.digest INTO sealed_to, prev FROM @extschema@.eventlog_seals x ORDER BY x.sealed_to DESC LIMIT 1;
    sealed_to := COALESCE(sealed_to, 0);
    prev := COALESCE(prev, decode(repeat('00', 32), 'hex'));
    horizon := sealed_to;
    -- Locking the state row (and always writing it below) also makes a seal
    -- and an erasure whose snapshots miss each other's work fail to
    -- serialize under REPEATABLE READ or SERIALIZABLE instead of going on.
    SELECT * INTO state FROM @extschema@.eventlog_seal_state FOR UPDATE;
    IF state.pending_xmax IS NOT NULL AND oldest >= state.pending_xmax THEN
        horizon := greatest(horizon, state.pending_last);
        state.pending_xmax := NULL;
    END IF;
    IF oldest >= newest THEN  -- no transaction older than newest in progress
        horizon := greatest(horizon, sequence_last);
    END IF;
    IF state.pending_xmax IS NULL THEN
        state.pending_last := sequence_last;
        state.pending_xmax := newest;
    END IF;
    UPDATE @extschema@.eventlog_seal_state SET pending_last = state.pending_last, pending_xmax = state.pending_xmax;

    record_from := sealed_to;
    record_prev := prev;
    IF horizon > sealed_to THEN
        FOR e IN
            SELECT l.id, l."timestamp", @extschema@.eventlog_seal_kept(l) AS kept,
                   @extschema@.eventlog_seal_erasable(l) AS erasable
            FROM @extschema@.eventlog l
            WHERE l.id > sealed_to AND l.id <= horizon
            ORDER BY l.id
        LOOP
            -- Encoding 2: the kept fields, then the commitment to the
            -- erasable ones under the event's new secret.
            secret := @extschema@.eventlog_seal_secret();
            prev := sha256(prev || convert_to(e.kept || E'\t'
                                              || encode(sha256(secret || convert_to(e.erasable, 'UTF8')), 'hex'), 'UTF8'));
            ids := ids || e.id;
            times := times || e."timestamp";
            chain := chain || prev;
            secrets := secrets || secret;
            last_sealed := e.id;
            IF cardinality(ids) = batch_size THEN
                INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest, encoding)
                VALUES (record_from, e.id, ids, times, chain, record_prev, prev, 2);
                INSERT INTO @extschema@.eventlog_seal_secrets (id, secret) SELECT * FROM unnest(ids, secrets);
                record_from := e.id;
                record_prev := prev;
                ids := '{}';
                times := '{}';
                chain := '';
                secrets := '{}';
            END IF;
        END LOOP;
        IF record_from < horizon THEN
            INSERT INTO @extschema@.eventlog_seals (sealed_from, sealed_to, ids, times, chain, prev_digest, digest, encoding)
            VALUES (record_from, horizon, ids, times, chain, record_prev, prev, 2);
            INSERT INTO @extschema@.eventlog_seal_secrets (id, secret) SELECT * FROM unnest(ids, secrets);
        END IF;
    END IF;
    last_id := COALESCE(last_sealed, (SELECT x.ids[cardinality(x.ids)] FROM @extschema@.eventlog_seals x
                                      WHERE cardinality(x.ids) > 0 ORDER BY x.sealed_to DESC LIMIT 1));
    digest := encode(prev, 'hex');
    RETURN NEXT;
END
$function$;

-- verify returns one more column (erased): a new function.
DROP FUNCTION @extschema@.eventlog_verify(bigint, bigint);
CREATE FUNCTION @extschema@.eventlog_verify(from_id bigint DEFAULT NULL, to_id bigint DEFAULT NULL)
RETURNS TABLE (ok boolean, checked bigint, first_bad_id bigint, reason text, erased bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    s record;
    e record;
    er record;
    r record;
    h bytea;
    c bytea;
    expected bytea;
    previous_to bigint;
    previous_digest bytea;
    purged_before timestamptz;
    zero constant bytea := decode(repeat('00', 32), 'hex');
    records bigint;
    erase_id bigint;
    erase_v jsonb;
    erase_n bigint;
BEGIN
    IF row_security_active('@extschema@.eventlog'::regclass) THEN
        RAISE EXCEPTION 'eventlog_verify: the verifying role must see every event'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Call it as the log''s owner, a superuser or a BYPASSRLS role.';
    END IF;
    -- Events eventlog_purge removed legitimately: recorded before the
    -- latest cutoff of its purge events.
    SELECT max((p.values_json ->> 'before')::timestamptz) INTO purged_before
    FROM @extschema@.eventlog p WHERE p.tool = 'eventlog' AND p.action = 'purge';
    ok := true;
    checked := 0;
    erased := 0;

    -- The erasure records: each erasure's records chain into the head its
    -- erase event keeps (an event, sealed like any other), and no record
    -- stands without its erasure's event while the event it names is there.
    -- (One pass: the erase events, each with its records in order.)
    FOR er IN
        SELECT l.id, l.v, l.n, y.ord, y.event_id, y.sealed, y.current
        FROM (SELECT x.id, x.values_json AS v,
                     CASE WHEN x.values_json ->> 'erasure' ~ '^[0-9]{1,18}$' THEN (x.values_json ->> 'erasure')::bigint END AS n
              FROM @extschema@.eventlog x WHERE x.tool = 'eventlog' AND x.action = 'erase') l
        LEFT JOIN @extschema@.eventlog_erasures y ON y.erasure = l.n
        ORDER BY l.id, y.ord
    LOOP
        IF erase_id IS DISTINCT FROM er.id THEN
            IF erase_id IS NOT NULL AND (erase_n IS NULL OR records::text IS DISTINCT FROM erase_v ->> 'records'
                                         OR encode(h, 'hex') IS DISTINCT FROM erase_v ->> 'records_digest') THEN
                EXIT;
            END IF;
            erase_id := er.id; erase_v := er.v; erase_n := er.n; h := zero; records := 0;
        END IF;
        IF er.ord IS NOT NULL THEN
            records := records + 1;
            h := sha256(h || convert_to(concat_ws(E'\t', er.ord, er.event_id, encode(er.sealed, 'hex'), encode(er.current, 'hex')), 'UTF8'));
        END IF;
    END LOOP;
    IF erase_id IS NOT NULL AND (erase_n IS NULL OR records::text IS DISTINCT FROM erase_v ->> 'records'
                                 OR encode(h, 'hex') IS DISTINCT FROM erase_v ->> 'records_digest') THEN
        ok := false; first_bad_id := erase_id; reason := 'erasure records altered, removed or added (they do not match their erase event)';
        RETURN NEXT; RETURN;
    END IF;
    -- (min(), not ORDER BY ... LIMIT 1: the planner then hashes the erase
    -- events instead of scanning them once per record)
    SELECT min(y.event_id) INTO first_bad_id
    FROM @extschema@.eventlog_erasures y
    WHERE EXISTS (SELECT FROM @extschema@.eventlog l WHERE l.id = y.event_id)
      AND NOT EXISTS (SELECT FROM @extschema@.eventlog l
                      WHERE l.tool = 'eventlog' AND l.action = 'erase' AND l.values_json ->> 'erasure' = y.erasure::text);
    IF first_bad_id IS NOT NULL THEN
        ok := false; reason := 'erasure record without its erase event';
        RETURN NEXT; RETURN;
    END IF;

    FOR s IN
        SELECT * FROM @extschema@.eventlog_seals x
        WHERE x.sealed_to > COALESCE(from_id, 0) AND (to_id IS NULL OR x.sealed_from < to_id)
        ORDER BY x.sealed_to
    LOOP
        -- The records follow each other and agree with their own chain.
        IF previous_to IS NOT NULL AND (s.sealed_from <> previous_to OR s.prev_digest <> previous_digest) THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered or removed (it does not follow the one before)';
            RETURN NEXT; RETURN;
        END IF;
        IF previous_to IS NULL AND s.sealed_from = 0 AND s.prev_digest <> zero THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (the first one does not start the chain)';
            RETURN NEXT; RETURN;
        END IF;
        IF s.encoding NOT IN (1, 2) OR octet_length(s.chain) <> 32 * cardinality(s.ids) OR cardinality(s.times) <> cardinality(s.ids)
           OR s.digest <> (CASE WHEN cardinality(s.ids) = 0 THEN s.prev_digest
                                ELSE substring(s.chain FROM octet_length(s.chain) - 31) END) THEN
            ok := false; first_bad_id := s.sealed_to; reason := 'seal record altered (its digest does not match its chain)';
            RETURN NEXT; RETURN;
        END IF;
        h := s.prev_digest;
        FOR e IN
            SELECT COALESCE(u.id, l.id) AS id, u.ord, u.at, l.present, l.line, l.kept, l.erasable, k.secret, y.sealed, y.current
            FROM unnest(s.ids, s.times) WITH ORDINALITY AS u(id, at, ord)
            FULL JOIN (SELECT w.id, true AS present,
                              CASE WHEN s.encoding = 1 THEN @extschema@.eventlog_seal_line(w) END AS line,
                              CASE WHEN s.encoding = 2 THEN @extschema@.eventlog_seal_kept(w) END AS kept,
                              CASE WHEN s.encoding = 2 THEN @extschema@.eventlog_seal_erasable(w) END AS erasable
                       FROM @extschema@.eventlog w
                       WHERE w.id > s.sealed_from AND w.id <= s.sealed_to
                         AND w.id >= COALESCE(from_id, 0) AND (to_id IS NULL OR w.id <= to_id)) l ON l.id = u.id
            LEFT JOIN (SELECT k.id, k.secret FROM @extschema@.eventlog_seal_secrets k
                       WHERE s.encoding = 2 AND k.id > s.sealed_from AND k.id <= s.sealed_to) k ON k.id = COALESCE(u.id, l.id)
            LEFT JOIN (SELECT DISTINCT ON (z.event_id) z.event_id, z.sealed, z.current FROM @extschema@.eventlog_erasures z
                       WHERE s.encoding = 2 AND z.event_id > s.sealed_from AND z.event_id <= s.sealed_to
                       ORDER BY z.event_id, z.erasure DESC) y ON y.event_id = COALESCE(u.id, l.id)
            ORDER BY 1
        LOOP
            IF (from_id IS NOT NULL AND e.id < from_id) OR (to_id IS NOT NULL AND e.id > to_id) THEN
                -- outside the range asked for (not read): follow the chain as recorded
                IF e.ord IS NOT NULL THEN h := substring(s.chain FROM (e.ord::integer - 1) * 32 + 1 FOR 32); END IF;
                CONTINUE;
            END IF;
            IF e.ord IS NULL THEN
                ok := false; first_bad_id := e.id; reason := 'slipped in: not in the sealed chain';
                RETURN NEXT; RETURN;
            END IF;
            expected := substring(s.chain FROM (e.ord::integer - 1) * 32 + 1 FOR 32);
            IF e.present IS NULL THEN
                IF purged_before IS NULL OR e.at >= purged_before THEN
                    ok := false; first_bad_id := e.id; reason := 'removed';
                    RETURN NEXT; RETURN;
                END IF;
                h := expected;  -- purged: the chain goes on from its recorded value
                CONTINUE;
            END IF;
            IF s.encoding = 1 THEN
                h := sha256(h || convert_to(e.line, 'UTF8'));
            ELSE
                IF e.secret IS NULL THEN
                    ok := false; first_bad_id := e.id; reason := 'changed (its seal secret is missing)';
                    RETURN NEXT; RETURN;
                END IF;
                c := sha256(e.secret || convert_to(e.erasable, 'UTF8'));
                IF e.sealed IS NOT NULL THEN
                    -- Erased: its fields must be those the erasure left, and
                    -- the chain holds the commitment to those it had.
                    IF c <> e.current THEN
                        ok := false; first_bad_id := e.id; reason := 'changed (an erased event that is not as its erasure left it)';
                        RETURN NEXT; RETURN;
                    END IF;
                    c := e.sealed;
                    erased := erased + 1;
                END IF;
                h := sha256(h || convert_to(e.kept || E'\t' || encode(c, 'hex'), 'UTF8'));
            END IF;
            IF h <> expected THEN
                ok := false; first_bad_id := e.id; reason := 'changed';
                RETURN NEXT; RETURN;
            END IF;
            checked := checked + 1;
        END LOOP;
        previous_to := s.sealed_to;
        previous_digest := s.digest;
    END LOOP;
    RETURN NEXT;
END
$function$;

REVOKE ALL ON FUNCTION @extschema@.eventlog_verify(bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.eventlog_verify(bigint, bigint) IS
'Recomputes the hash chain of the sealed events (ids from_id..to_id, default all) and the erasure records, and reports the first event changed, removed or slipped in, or a seal or erasure record altered; events older than a purge''s cutoff may be missing; erased: how many of the events checked were erased. For the log''s owner (and roles it grants EXECUTE and that see every event)';

COMMENT ON FUNCTION @extschema@.eventlog_refuse_rewrite() IS
'Trigger keeping eventlog append-only (only eventlog_purge may remove events; only the erasures may change their erasable fields)';

-- The only sanctioned way to change a recorded event. The values of keys
-- (in changes, values_json and context, at any depth; and the rendered
-- message) or an actor (its name and actor_id, everywhere in its events,
-- and its counts) are erased; the keys stay, marked "[erased]". Events sealed from
-- 1.4 on stay provable (80-seal.sql: encoding 2, eventlog_erasures); events
-- sealed before cannot be erased (55000). Each call records one event of
-- its own (tool eventlog, action erase). For the log's owner and the
-- members of its role (42501 for anyone else, whatever EXECUTE says).
CREATE FUNCTION @extschema@.eventlog_erase(object_type text, object_id text, keys text[] DEFAULT NULL,
                                           reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_erase';

COMMENT ON FUNCTION @extschema@.eventlog_erase(text, text, text[], text) IS
'Erases the values of keys (NULL: every column of the object''s table but its primary key) in every event about the object, wherever such a key appears in changes, values_json and context, and in the rendered message; the keys stay, marked "[erased]". Returns how many events changed; records an erase event. For the log''s owner (and members of its role)';

CREATE FUNCTION @extschema@.eventlog_erase_actor(actor text, reason text DEFAULT NULL, actor_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_erase_actor';

COMMENT ON FUNCTION @extschema@.eventlog_erase_actor(text, text, text) IS
'Replaces an actor (its name, its actor_id: the one given and those its events carry) by one new pseudonym (erased-actor-<random>) in every event it caused (by that name or one of those ids): actor, actor_id, the strings equal to them in changes, values_json and context, rendered messages, and counts. Returns how many events changed; records an erase event. For the log''s owner (and members of its role)';

CREATE FUNCTION @extschema@.eventlog_erase_older(older_than interval, keys text[], tool text DEFAULT NULL,
                                                 object_table regclass DEFAULT NULL, reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE c VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'eventlog_erase_older';

COMMENT ON FUNCTION @extschema@.eventlog_erase_older(interval, text[], text, regclass, text) IS
'Retention by erasure: erases the values of keys in the events recorded before now() - older_than (of one tool, of one table, or all), as eventlog_erase does. Returns how many events changed; records an erase event. For the log''s owner (and members of its role)';

-------------------------------------------------------------------------------
-- One object's page as an ordinary reader (eventlog_page)
-------------------------------------------------------------------------------

-- Under row security, eventlog_page of one object picks the page's keys on
-- the object index first (an index-only scan that checks the rule on the
-- index entries), then reads only the rows between the page's newest and
-- oldest keys: the rows of events the caller may not see are no longer
-- fetched only to be dropped. Same signature, privileges and comment.
CREATE OR REPLACE FUNCTION @extschema@.eventlog_page(
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
