#!/usr/bin/env bash
# bench/diff_bench.sh — time the extension's jsonb_diff_schema (C++) against
# the PL/pgSQL reference model (test/model/jsonb_diff_model.sql) on the same
# table of row-like document pairs.
#
# Usage:
#   PGHOST=... PGPORT=... PGUSER=... PGDATABASE=... [N_PAIRS=200000] bench/diff_bench.sh
#
# Connection settings come from the usual libpq environment.  The database
# gets CREATE EXTENSION IF NOT EXISTS eventlog (so the functions must be in
# the schema it lands in, public by default) and the model's schema
# eventlog_model (left in place).  The pairs live in a temporary table.
#
# Each measurement is one server-side statement,
#   SELECT count(<impl>(old_doc, new_doc, '{updated_at}', deep => <mode>)) FROM pairs
# timed with clock_timestamp() inside the server (pair generation is not
# timed); native and plpgsql alternate, REPEATS (3) times each, and the
# median is reported.  Parallel query and JIT are off so that both sides are
# measured as one backend's per-call cost.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="${MODEL_FILE:-$here/../test/model/jsonb_diff_model.sql}"
n_pairs="${N_PAIRS:-200000}"
repeats="${REPEATS:-3}"

if ! [[ "$n_pairs" =~ ^[1-9][0-9]*$ && "$repeats" =~ ^[1-9][0-9]*$ ]]; then
    echo "diff_bench: N_PAIRS and REPEATS must be positive integers" >&2
    exit 2
fi
if [[ ! -r "$model" ]]; then
    echo "diff_bench: model file not found: $model" >&2
    exit 2
fi

echo "command: $0${*:+ $*}"
echo "env: N_PAIRS=$n_pairs REPEATS=$repeats PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGUSER=${PGUSER:-} PGDATABASE=${PGDATABASE:-}"
echo "model: $model"

# One psql session: settings, model, then the script on stdin.
psql -X -q -v ON_ERROR_STOP=1 \
     -v n_pairs="$n_pairs" -v repeats="$repeats" \
     -c "SET temp_buffers = '1GB'" \
     -c "SET client_min_messages = warning" \
     -c "CREATE EXTENSION IF NOT EXISTS eventlog" \
     -f "$model" \
     -f - <<'SQL'
RESET client_min_messages;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET bench.repeats = :'repeats';

SELECT 'server: ' || pg_catalog.version() AS info
UNION ALL
SELECT 'native: ' || p.oid::regprocedure::text
FROM pg_catalog.pg_proc p
WHERE p.oid = 'public.jsonb_diff_schema(jsonb,jsonb,text[],boolean)'::regprocedure;

-- Row-like documents: 13 fixed keys (a nested object, a tags array, a keyed
-- items array) plus 0..17 attr_N columns, i.e. 13..30 keys; the new version
-- always has a new updated_at (excluded) and, each with its own chance, a
-- changed status, amount, address.city (nested), items[0].qty (keyed array)
-- and attr_1.
DO $$ BEGIN PERFORM pg_catalog.setseed(0.5); END $$;
CREATE TEMP TABLE diff_bench_pairs AS
WITH base AS (
    SELECT g,
           pg_catalog.jsonb_build_object(
               'id', g,
               'name', 'Customer ' || g,
               'email', 'user' || g || '@example.com',
               'status', (ARRAY['active', 'inactive', 'pending', 'archived'])[1 + g % 4],
               'created_at', pg_catalog.to_char(timestamp '2023-01-01' + g * interval '37 seconds',
                                                'YYYY-MM-DD"T"HH24:MI:SS'),
               'updated_at', pg_catalog.to_char(timestamp '2023-06-01' + g * interval '41 seconds',
                                                'YYYY-MM-DD"T"HH24:MI:SS'),
               'amount', pg_catalog.round((pg_catalog.random() * 10000)::numeric, 2),
               'quantity', (pg_catalog.random() * 100)::int,
               'is_verified', pg_catalog.random() < 0.5,
               'note', CASE WHEN pg_catalog.random() < 0.3 THEN NULL
                            ELSE 'note ' || pg_catalog.md5(g::text) END,
               'tags', pg_catalog.jsonb_build_array('t' || g % 7, 't' || g % 11),
               'address', pg_catalog.jsonb_build_object(
                              'street', g || ' Main Street',
                              'city', (ARRAY['Oslo', 'Lyon', 'Kyiv', 'Lima'])[1 + g % 4],
                              'zip', pg_catalog.lpad((g % 99999)::text, 5, '0')),
               'items', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                    'id', g * 10 + k, 'sku', 'SKU-' || k, 'qty', 1 + (g + k) % 5))
                         FROM pg_catalog.generate_series(1, 1 + g % 3) AS k))
           || coalesce((SELECT pg_catalog.jsonb_object_agg(
                                   'attr_' || k,
                                   CASE k % 3 WHEN 0 THEN pg_catalog.to_jsonb(k * g)
                                              WHEN 1 THEN pg_catalog.to_jsonb('value ' || k)
                                              ELSE pg_catalog.to_jsonb(k % 2 = 0) END)
                        FROM pg_catalog.generate_series(1, (g * 7) % 18) AS k),
                       '{}') AS doc,
           pg_catalog.random() AS r1, pg_catalog.random() AS r2, pg_catalog.random() AS r3,
           pg_catalog.random() AS r4, pg_catalog.random() AS r5
    FROM pg_catalog.generate_series(1, :n_pairs) AS g)
SELECT g AS i,
       doc AS old_doc,
       doc
       || pg_catalog.jsonb_build_object('updated_at', pg_catalog.to_char(
              timestamp '2023-06-02' + g * interval '41 seconds', 'YYYY-MM-DD"T"HH24:MI:SS'))
       || CASE WHEN r1 < 0.5 THEN '{"status": "suspended"}'::jsonb ELSE '{}' END
       || CASE WHEN r2 < 0.3
               THEN pg_catalog.jsonb_build_object('amount', (doc ->> 'amount')::numeric + 1)
               ELSE '{}' END
       || CASE WHEN r3 < 0.2
               THEN pg_catalog.jsonb_build_object(
                        'address', pg_catalog.jsonb_set(doc -> 'address', '{city}', '"Paris"'))
               ELSE '{}' END
       || CASE WHEN r4 < 0.2
               THEN pg_catalog.jsonb_build_object(
                        'items', pg_catalog.jsonb_set(doc -> 'items', '{0,qty}', '9'))
               ELSE '{}' END
       || CASE WHEN r5 < 0.3 AND doc ? 'attr_1'
               THEN '{"attr_1": "changed"}'::jsonb ELSE '{}' END AS new_doc
FROM base;
ANALYZE diff_bench_pairs;

SELECT count(*) AS pairs,
       pg_catalog.round(pg_catalog.avg((SELECT count(*) FROM pg_catalog.jsonb_object_keys(old_doc))), 1)
           AS avg_keys,
       pg_catalog.round(pg_catalog.avg(pg_catalog.pg_column_size(old_doc))) AS avg_doc_bytes,
       pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size('diff_bench_pairs')) AS table_size
FROM diff_bench_pairs;

-- Both implementations must agree before they are timed (first 5000 pairs).
SELECT count(*) FILTER (WHERE public.jsonb_diff_schema(old_doc, new_doc, '{updated_at}', false)
                              IS DISTINCT FROM
                              eventlog_model.jsonb_diff_schema(old_doc, new_doc, '{updated_at}', false))
           AS flat_disagreements,
       count(*) FILTER (WHERE public.jsonb_diff_schema(old_doc, new_doc, '{updated_at}', true)
                              IS DISTINCT FROM
                              eventlog_model.jsonb_diff_schema(old_doc, new_doc, '{updated_at}', true))
           AS deep_disagreements,
       count(*) FILTER (WHERE public.jsonb_diff_schema(old_doc, new_doc, '{updated_at}', false)
                              -> 'old_value' <> '{}') AS nonempty_flat_diffs
FROM (SELECT * FROM diff_bench_pairs ORDER BY i LIMIT 5000) AS sample;

CREATE TEMP TABLE diff_bench_times (mode text, impl text, rep int, seconds float8);
DO $$
DECLARE
    started timestamptz;
    n bigint;
    fn text;
BEGIN
    -- the scan alone, for reference (warms the cache, too)
    FOR rep IN 1 .. 2 LOOP
        started := pg_catalog.clock_timestamp();
        EXECUTE 'SELECT count(*) FROM diff_bench_pairs WHERE old_doc IS NOT NULL AND new_doc IS NOT NULL'
           INTO n;
        INSERT INTO diff_bench_times
        VALUES ('scan only', 'scan', rep,
                extract(epoch FROM pg_catalog.clock_timestamp() - started));
    END LOOP;
    FOR d IN 0 .. 1 LOOP
        FOR rep IN 1 .. current_setting('bench.repeats')::int LOOP
            FOREACH fn IN ARRAY ARRAY['public.jsonb_diff_schema',
                                      'eventlog_model.jsonb_diff_schema'] LOOP
                started := pg_catalog.clock_timestamp();
                EXECUTE pg_catalog.format(
                    'SELECT count(%s(old_doc, new_doc, ''{updated_at}'', deep => %s)) FROM diff_bench_pairs',
                    fn, CASE d WHEN 0 THEN 'false' ELSE 'true' END)
                   INTO n;
                INSERT INTO diff_bench_times
                VALUES (CASE d WHEN 0 THEN 'flat' ELSE 'deep' END,
                        CASE WHEN fn LIKE 'public.%' THEN 'native' ELSE 'plpgsql' END,
                        rep,
                        extract(epoch FROM pg_catalog.clock_timestamp() - started));
            END LOOP;
        END LOOP;
    END LOOP;
END
$$;

\echo
\echo 'median of' :repeats 'runs over' :n_pairs 'pairs, server-side seconds (scan only: median of 2)'
SELECT mode,
       pg_catalog.round(native::numeric, 3) AS native_s,
       pg_catalog.round(plpgsql::numeric, 3) AS plpgsql_s,
       pg_catalog.round((plpgsql / native)::numeric, 1) AS ratio,
       pg_catalog.round((native * 1e6 / :n_pairs)::numeric, 2) AS native_us_per_pair,
       pg_catalog.round((plpgsql * 1e6 / :n_pairs)::numeric, 2) AS plpgsql_us_per_pair
FROM (SELECT mode,
             percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE impl = 'native') AS native,
             percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE impl = 'plpgsql') AS plpgsql
      FROM diff_bench_times
      WHERE impl <> 'scan'
      GROUP BY mode) AS m
ORDER BY mode DESC;
SELECT pg_catalog.round((percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds))::numeric, 3)
           AS scan_only_s
FROM diff_bench_times WHERE impl = 'scan';
SQL
