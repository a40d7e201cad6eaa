#!/usr/bin/env bash
# bench/track_bench.sh — what tracking a table costs: the same table
# (i) untracked, (ii) tracked by eventlog_track() (the C++ statement-level
# capture trigger), (iii) audited by a hand-written PL/pgSQL row trigger
# (bench/plpgsql_audit.sql) that records the same events.
#
# Usage:
#   PGHOST=... PGPORT=... PGUSER=... bench/track_bench.sh
#   BENCH_SECONDS=4 BENCH_ROWS=10000 bench/track_bench.sh      # quick smoke run
#
# Needs a running server with the extension installed (CREATE EXTENSION
# eventlog must work) and a superuser connection from the usual libpq
# environment. The script creates its own database BENCH_DB (default
# eventlog_bench; it refuses to run when that database exists) and drops it
# at the end (BENCH_KEEP_DB=1 keeps it). Session settings can be passed with
# PGOPTIONS, e.g. PGOPTIONS='-c synchronous_commit=off'; they apply to every
# connection, pgbench's included, and the settings printed first are those
# the benchmark's sessions see.
#
# Environment:
#   BENCH_ROWS     rows per table (100000)
#   BENCH_SECONDS  pgbench seconds per variant and test (20), split into
#                  BENCH_ROUNDS (4) runs in alternating order (ABC, CBA, ...):
#                  short alternating runs spread the server's and the
#                  disk's slow spells (fsync latency varies a lot on VMs)
#                  over the variants better than one long run each
#   BENCH_CLIENTS  pgbench clients and threads (2)
#   BENCH_REPEATS  runs of the all-rows UPDATE per variant (3; median)
#   BENCH_LOG_SQL  SQL run once after the setup, e.g. to try another index
#                  layout of eventlog (floor uses the same); printed with the results
#
# Tables: three with the same definition and data (10 columns: int primary
# key, three ints, three texts, a numeric, a timestamptz, a boolean),
# bench_untracked, bench_tracked (eventlog_track, updated_at excluded) and
# bench_plpgsql (bench_plpgsql_audit, updated_at excluded).
#
# Tests, each with five variants: untracked, tracked, plpgsql, and two
# floors without any trigger: the untracked statement and a plain INSERT of
# the very events tracking records, in one statement (a data-modifying
# WITH), into eventlog ("floor": the log's indexes) or into eventlog_floor0
# (the log's columns and defaults, no index: "floor0"). tracked/floor is
# what capture costs over storing its rows; floor/floor0 what the log's
# indexes cost; floor0/untracked what writing a row at all costs.
#   (a) single-row UPDATE of a random row by primary key, changing one
#       column: pgbench -n -c 2 -j 2 -f upd.sql, TPS (simple protocol:
#       every statement parsed and planned, floors included);
#   (b) single-row INSERT with a new key from a sequence: pgbench, TPS;
#   (c) one UPDATE of every row changing one column: the "Execution Time" of
#       EXPLAIN (ANALYZE, WAL, FORMAT JSON) — measured in the server, it
#       includes the AFTER triggers (statement-level: the capture trigger's
#       whole run; row-level: every call) and excludes planning and commit;
#       median of BENCH_REPEATS runs; the order of the variants rotates
#       from round to round.
#       EXPLAIN ANALYZE times every plan node (two clock reads per row and
#       node, ~30 ns each with a TSC clock), the same for all variants.
#       The client-side time of the statement including its commit (psql
#       \timing) and the WAL written (server's insert position before and
#       after) are reported too.
# Before every measured run the table and eventlog are vacuumed (so no run
# pays for another's bloat, and autovacuum has less reason to start in the
# middle of one) and a CHECKPOINT is taken, so each run starts from the same
# state, full-page writes included. eventlog keeps growing during the run
# (about a million events by the end at default sizes); the alternating
# order spreads that over the variants.
# Every tracked/PL/pgSQL run is checked: it must have recorded one event per
# changed row.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
audit_sql="$here/plpgsql_audit.sql"
db="${BENCH_DB:-eventlog_bench}"
rows="${BENCH_ROWS:-100000}"
seconds="${BENCH_SECONDS:-20}"
rounds="${BENCH_ROUNDS:-4}"
clients="${BENCH_CLIENTS:-2}"
repeats="${BENCH_REPEATS:-3}"

for v in rows seconds rounds clients repeats; do
    if ! [[ "${!v}" =~ ^[1-9][0-9]*$ ]]; then
        echo "track_bench: BENCH_${v^^} must be a positive integer" >&2
        exit 2
    fi
done
if (( seconds < rounds )); then
    echo "track_bench: BENCH_SECONDS ($seconds) must be at least BENCH_ROUNDS ($rounds)" >&2
    exit 2
fi
run_seconds=$(( seconds / rounds ))
if [[ ! -r "$audit_sql" ]]; then
    echo "track_bench: $audit_sql not found" >&2
    exit 2
fi

started_at=$(date +%s)
label=track_bench
# shellcheck source=bench/lib.bash
source "$(dirname "$0")/lib.bash"

echo "command: $0${*:+ $*}"
echo "env: BENCH_ROWS=$rows BENCH_SECONDS=$seconds BENCH_ROUNDS=$rounds BENCH_CLIENTS=$clients" \
     "BENCH_REPEATS=$repeats PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGUSER=${PGUSER:-}" \
     "PGOPTIONS=${PGOPTIONS:-}"
echo "machine: $(nproc) CPUs, $(uname -sr)"
report_build
echo "pgbench runs: pgbench -n -c $clients -j $clients -T $run_seconds -f <script>," \
     "$rounds per variant and test, alternating order"

report_server

echo "== setup: $rows rows per table"
q -v rows="$rows" -c "SET client_min_messages = warning" -c "CREATE EXTENSION eventlog" -f "$audit_sql" -f - <<'SQL'
SELECT extversion AS eventlog_version FROM pg_catalog.pg_extension WHERE extname = 'eventlog' \gset
\echo eventlog :eventlog_version

CREATE TABLE bench_untracked (
    id         int PRIMARY KEY,
    n1         int NOT NULL,
    n2         int,
    n3         int,
    t1         text NOT NULL,
    t2         text,
    t3         text,
    amount     numeric(12, 2),
    updated_at timestamptz NOT NULL DEFAULT now(),
    active     boolean);
INSERT INTO bench_untracked
SELECT i, i, (i * 7) % 1000, i % 13,
       'customer ' || i, md5(i::text), (ARRAY['active', 'inactive', 'pending'])[1 + i % 3],
       round((i % 100000) * 1.37, 2), timestamptz '2024-01-01' + i * interval '1 minute', i % 2 = 0
FROM generate_series(1, :rows) AS i;
CREATE TABLE bench_tracked (LIKE bench_untracked INCLUDING ALL);
CREATE TABLE bench_plpgsql (LIKE bench_untracked INCLUDING ALL);
INSERT INTO bench_tracked SELECT * FROM bench_untracked;
INSERT INTO bench_plpgsql SELECT * FROM bench_untracked;
-- New keys for the INSERT test, after the existing ones.
CREATE SEQUENCE bench_untracked_new_id;
CREATE SEQUENCE bench_tracked_new_id;
CREATE SEQUENCE bench_plpgsql_new_id;
SELECT setval('bench_untracked_new_id', :rows), setval('bench_tracked_new_id', :rows),
       setval('bench_plpgsql_new_id', :rows) \g /dev/null

-- floor0: the log's exact columns and defaults, no index (nor constraint).
CREATE TABLE eventlog_floor0 (LIKE eventlog INCLUDING DEFAULTS);
SELECT eventlog_track('bench_tracked', exclude_columns => '{updated_at}') \g /dev/null
CREATE TRIGGER bench_audit AFTER INSERT OR UPDATE OR DELETE ON bench_plpgsql
    FOR EACH ROW EXECUTE FUNCTION bench_plpgsql_audit('{updated_at}', 'bench_plpgsql', 'id');

-- Both triggers must record the same events: check on a few rows, in a
-- transaction that is rolled back.
BEGIN;
SELECT coalesce(max(id), 0) AS start FROM eventlog \gset
UPDATE bench_tracked SET n1 = n1 + 1, t3 = NULL, updated_at = now() WHERE id <= 3;
UPDATE bench_plpgsql SET n1 = n1 + 1, t3 = NULL, updated_at = now() WHERE id <= 3;
UPDATE bench_tracked SET updated_at = now() WHERE id <= 3;   -- excluded only: no event
UPDATE bench_plpgsql SET updated_at = now() WHERE id <= 3;
INSERT INTO bench_tracked VALUES (0, 0, NULL, 0, 'x', NULL, NULL, 1.5, now(), NULL);
INSERT INTO bench_plpgsql VALUES (0, 0, NULL, 0, 'x', NULL, NULL, 1.5, now(), NULL);
DELETE FROM bench_tracked WHERE id = 0;
DELETE FROM bench_plpgsql WHERE id = 0;
CREATE TEMP TABLE bench_check AS
SELECT replace(object_type, 'bench_plpgsql', 'bench_tracked') AS object_type, object_id,
       replace(tool, 'bench_plpgsql', 'bench_tracked') AS tool, action, actor, db_user,
       replace(message, 'bench_plpgsql', 'bench_tracked') AS message, template_message, changes,
       object_type = 'public.bench_plpgsql' AS plpgsql
FROM eventlog WHERE id > :start;
SELECT count(*) FILTER (WHERE NOT plpgsql) AS tracked_events,
       count(*) FILTER (WHERE plpgsql) AS plpgsql_events,
       (SELECT count(*) FROM ((SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check WHERE plpgsql
                               EXCEPT ALL
                               SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check WHERE NOT plpgsql)
                              UNION ALL
                              (SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check WHERE NOT plpgsql
                               EXCEPT ALL
                               SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check WHERE plpgsql)) AS d)
           AS differing_events
FROM bench_check \gset
ROLLBACK;
\echo same-events check: tracked :tracked_events, plpgsql :plpgsql_events, differing :differing_events
SELECT (:tracked_events = 5 AND :plpgsql_events = 5 AND :differing_events = 0) AS events_agree \gset
\if :events_agree
\else
    DO $$BEGIN RAISE EXCEPTION 'track_bench: the tracked and PL/pgSQL triggers do not record the same events'; END$$;
\endif

CREATE TABLE bench_result (
    test     text,     -- a, b, c
    variant  text,     -- untracked, tracked, plpgsql, floor, floor0
    round    int,
    value    float8,   -- TPS (a, b) or server-side ms (c)
    client_ms float8,  -- (c) statement + commit, client side
    wal_bytes float8,  -- (c) WAL written
    trigger_ms float8, -- (c) time in triggers, from EXPLAIN ANALYZE
    events   bigint,   -- events the run recorded
    expected bigint);  -- events it should have recorded
VACUUM ANALYZE;
SQL

if [[ -n "${BENCH_LOG_SQL:-}" ]]; then
    echo "== BENCH_LOG_SQL: $BENCH_LOG_SQL"
    q -c "$BENCH_LOG_SQL"
fi
echo "eventlog's indexes: $(q1 "SELECT string_agg(pg_get_indexdef(indexrelid), '; ') FROM pg_index WHERE indrelid = 'eventlog'::regclass")"

variants=(untracked tracked plpgsql)

write_pgbench_scripts() {
    local v
    for v in "${variants[@]}"; do
        cat >"$work/upd_$v.sql" <<EOF
\\set id random(1, $rows)
UPDATE bench_$v SET n1 = n1 + 1 WHERE id = :id;
EOF
        cat >"$work/ins_$v.sql" <<EOF
\\set r random(1, 1000000000)
INSERT INTO bench_$v (id, n1, n2, n3, t1, t2, t3, amount, updated_at, active)
VALUES (nextval('bench_${v}_new_id'), :r, :r % 1000, :r % 13, 'customer ' || :r, md5(:r::text), 'new',
        (:r % 100000) * 1.37, now(), :r % 2 = 0);
EOF
    done
    # floor and floor0 for (a) and (b): the untracked statement and a plain
    # INSERT of the event tracking would record, in one statement (a
    # data-modifying WITH), into eventlog (floor: the log's indexes) or into
    # eventlog_floor0 (its columns, no index): what storing the events costs
    # at all, whoever writes them.
    local log v
    for v in floor floor0; do
        log=$([[ $v == floor ]] && echo eventlog || echo eventlog_floor0)
        cat >"$work/upd_$v.sql" <<EOF
\\set id random(1, $rows)
WITH u AS (UPDATE bench_untracked SET n1 = n1 + 1 WHERE id = :id RETURNING id, n1),
     a AS (SELECT coalesce(nullif(current_setting('eventlog.actor', true), ''), current_user) AS actor)
INSERT INTO $log (actor, message, object_type, object_id, tool, action, changes, db_user, template_message, object_table)
SELECT a.actor, 'public.bench_untracked ' || u.id || ' was updated by ' || a.actor || '.',
       'public.bench_untracked', u.id::text, 'bench_untracked', 'update',
       jsonb_build_object('old_value', jsonb_build_object('n1', u.n1 - 1),
                          'new_value', jsonb_build_object('n1', u.n1)),
       current_user, '{object_type} {object_id} was updated by {actor}.', 'bench_untracked'::regclass
FROM u, a;
EOF
        cat >"$work/ins_$v.sql" <<EOF
\\set r random(1, 1000000000)
WITH i AS (INSERT INTO bench_untracked (id, n1, n2, n3, t1, t2, t3, amount, updated_at, active)
           VALUES (nextval('bench_untracked_new_id'), :r, :r % 1000, :r % 13, 'customer ' || :r, md5(:r::text), 'new',
                   (:r % 100000) * 1.37, now(), :r % 2 = 0) RETURNING *),
     a AS (SELECT coalesce(nullif(current_setting('eventlog.actor', true), ''), current_user) AS actor)
INSERT INTO $log (actor, message, object_type, object_id, tool, action, changes, db_user, template_message, object_table)
SELECT a.actor, 'public.bench_untracked ' || i.id || ' was created by ' || a.actor || '.',
       'public.bench_untracked', i.id::text, 'bench_untracked', 'create',
       jsonb_build_object('old_value', '{}'::jsonb, 'new_value', to_jsonb(i) - 'updated_at'),
       current_user, '{object_type} {object_id} was created by {actor}.', 'bench_untracked'::regclass
FROM i, a;
EOF
    done
}
write_pgbench_scripts

max_event_id() { q1 "SELECT greatest((SELECT coalesce(max(id), 0) FROM eventlog), (SELECT coalesce(max(id), 0) FROM eventlog_floor0))"; }
# events_since ID: events recorded after ID, in the log or in floor0's copy.
events_since() { q1 "SELECT (SELECT count(*) FROM eventlog WHERE id > $1) + (SELECT count(*) FROM eventlog_floor0 WHERE id > $1)"; }

# pgbench_run TEST SCRIPT_PREFIX VARIANT ROUND
pgbench_run() {
    local test=$1 prefix=$2 v=$3 round=$4 out tps txns before events expected table=bench_$3
    [[ $v == floor* ]] && table=bench_untracked
    q -c "VACUUM $table" -c "VACUUM eventlog" -c "VACUUM eventlog_floor0" -c "CHECKPOINT"
    before=$(max_event_id)
    out=$(pgbench -n -c "$clients" -j "$clients" -T "$run_seconds" -f "$work/${prefix}_$v.sql" "$db" 2>&1) || {
        echo "$out" >&2
        echo "track_bench: pgbench failed" >&2
        exit 1
    }
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    if [[ -z "$tps" || -z "$txns" ]]; then
        echo "$out" >&2
        echo "track_bench: could not read pgbench's result" >&2
        exit 1
    fi
    events=$(events_since "$before")
    expected=$([[ $v == untracked ]] && echo 0 || echo "$txns")
    printf '  %-13s round %d: %10.1f TPS  %7d transactions  %7d events  latency %s\n' \
        "$v" "$round" "$tps" "$txns" "$events" \
        "$(sed -n 's/^latency average = //p' <<<"$out")"
    q -c "INSERT INTO bench_result (test, variant, round, value, events, expected)
          VALUES ('$test', '$v', $round, $tps, $events, $expected)"
}

# pgbench_test TEST SCRIPT_PREFIX VARIANT...: the rounds alternate the
# order of the variants, forwards then backwards.
pgbench_test() {
    local test=$1 prefix=$2 round v i
    shift 2
    local forward=("$@") order
    for (( round = 1; round <= rounds; round++ )); do
        order=()
        if (( round % 2 == 1 )); then
            order=("${forward[@]}")
        else
            for (( i = ${#forward[@]} - 1; i >= 0; i-- )); do order+=("${forward[i]}"); done
        fi
        for v in "${order[@]}"; do pgbench_run "$test" "$prefix" "$v" "$round"; done
    done
}

echo "== (a) single-row UPDATE, $clients clients, ${seconds}s per variant" \
     "(floor, floor0: untracked UPDATE + plain INSERT of its event, one statement, into the log / an unindexed copy)"
pgbench_test a upd untracked tracked plpgsql floor floor0

# (c): one statement, timed by EXPLAIN ANALYZE in the server.
# all_rows_run VARIANT ROUND
all_rows_run() {
    local v=$1 round=$2 sql table before lsn out plan client_ms events expected
    if [[ $v == floor* ]]; then
        table=bench_untracked
        # The events the tracked UPDATE below records, written by the same
        # statement as the untracked UPDATE, into the log or its unindexed copy.
        sql="WITH u AS (UPDATE bench_untracked SET n1 = n1 + 1 RETURNING id, n1)
             INSERT INTO $([[ $v == floor ]] && echo eventlog || echo eventlog_floor0)
                 (actor, message, object_type, object_id, tool, action, changes, db_user, template_message, object_table)
             SELECT current_user, 'public.bench_untracked ' || id || ' was updated by ' || current_user || '.',
                    'public.bench_untracked', id::text, 'bench_untracked', 'update',
                    jsonb_build_object('old_value', jsonb_build_object('n1', n1 - 1),
                                       'new_value', jsonb_build_object('n1', n1)),
                    current_user, '{object_type} {object_id} was updated by {actor}.', 'bench_untracked'::regclass
             FROM u"
    else
        table=bench_$v
        sql="UPDATE bench_$v SET n1 = n1 + 1"
    fi
    q -c "VACUUM $table" -c "VACUUM eventlog" -c "VACUUM eventlog_floor0" -c "CHECKPOINT"
    before=$(max_event_id)
    lsn=$(q1 "SELECT pg_current_wal_insert_lsn()")
    out=$(q -A -t -c '\timing on' -c "EXPLAIN (ANALYZE, WAL, FORMAT JSON) $sql")
    client_ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
    plan=$(sed '/^Time: /d' <<<"$out")
    events=$(events_since "$before")
    expected=$([[ $v == untracked ]] && echo 0 || echo "$rows")
    q -v plan="$plan" -v lsn="$lsn" <<SQL
INSERT INTO bench_result (test, variant, round, value, client_ms, wal_bytes, trigger_ms, events, expected)
SELECT 'c', '$v', $round,
       (p -> 0 ->> 'Execution Time')::float8, $client_ms,
       pg_wal_lsn_diff(pg_current_wal_insert_lsn(), :'lsn'),
       (SELECT sum((t ->> 'Time')::float8) FROM json_array_elements(p -> 0 -> 'Triggers') AS t),
       $events, $expected
FROM (SELECT :'plan'::json AS p) AS e;
SELECT format('  %-13s round %s: %9s ms server (triggers %s ms), %9s ms with commit, %6s MB WAL, %s events',
              variant, round, round(value::numeric, 1), coalesce(round(trigger_ms::numeric, 1), 0),
              round(client_ms::numeric, 1), round((wal_bytes / 1048576)::numeric, 1), events)
FROM bench_result WHERE variant = '$v' AND round = $round AND test = 'c' \g (format=unaligned tuples_only=on)
SQL
}

echo "== (c) one UPDATE of all $rows rows, median of $repeats"
for (( round = 1; round <= repeats; round++ )); do
    case $(( (round - 1) % 3 )) in
        0) order=(untracked tracked plpgsql floor floor0) ;;
        1) order=(tracked plpgsql floor floor0 untracked) ;;
        2) order=(plpgsql floor floor0 untracked tracked) ;;
    esac
    for v in "${order[@]}"; do all_rows_run "$v" "$round"; done
done

echo "== (b) single-row INSERT, $clients clients, ${seconds}s per variant"
pgbench_test b ins untracked tracked plpgsql floor floor0

elapsed=$(( $(date +%s) - started_at ))
echo
echo "== results ($rows rows; (a), (b): mean TPS of $rounds x ${run_seconds}s pgbench runs," \
     "$clients clients; (c): median of $repeats, EXPLAIN ANALYZE Execution Time)"
q <<'SQL'
\pset footer off
CREATE TEMP VIEW s AS
SELECT test, variant,
       CASE WHEN test IN ('a', 'b') THEN avg(value)
            ELSE percentile_cont(0.5) WITHIN GROUP (ORDER BY value) END AS v,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY client_ms) AS client_ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY trigger_ms) AS trigger_ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY wal_bytes) AS wal_bytes,
       min(value) AS lo, max(value) AS hi,
       bool_and(events = expected) AS events_ok
FROM bench_result GROUP BY test, variant;
CREATE TEMP VIEW w AS
SELECT test,
       max(v) FILTER (WHERE variant = 'untracked') AS u,
       max(v) FILTER (WHERE variant = 'tracked') AS t,
       max(v) FILTER (WHERE variant = 'plpgsql') AS p,
       max(v) FILTER (WHERE variant = 'floor') AS f,
       max(v) FILTER (WHERE variant = 'floor0') AS f0,
       bool_and(events_ok) AS events_ok
FROM s GROUP BY test;

-- Ratios read "how many of the untracked": TPS ratios for (a) and (b)
-- (higher is better), time ratios for (c) (lower is better).
SELECT CASE test WHEN 'a' THEN '(a) 1-row UPDATE, TPS'
                 WHEN 'b' THEN '(b) 1-row INSERT, TPS'
                 ELSE '(c) UPDATE all rows, ms' END AS test,
       round(u::numeric, CASE WHEN test = 'c' THEN 1 ELSE 0 END) AS untracked,
       round(t::numeric, CASE WHEN test = 'c' THEN 1 ELSE 0 END) AS tracked,
       round(f::numeric, CASE WHEN test = 'c' THEN 1 ELSE 0 END) AS floor,
       round(f0::numeric, CASE WHEN test = 'c' THEN 1 ELSE 0 END) AS floor0,
       round(p::numeric, CASE WHEN test = 'c' THEN 1 ELSE 0 END) AS plpgsql,
       round((t / u)::numeric, 3) AS "tracked/untracked",
       round((f / u)::numeric, 3) AS "floor/untracked",
       round((f0 / u)::numeric, 3) AS "floor0/untracked",
       round((p / u)::numeric, 3) AS "plpgsql/untracked",
       round((t / f)::numeric, 3) AS "tracked/floor",
       round((t / f0)::numeric, 3) AS "tracked/floor0",
       CASE WHEN events_ok THEN 'ok' ELSE 'WRONG' END AS "events"
FROM w ORDER BY test;

\echo
\echo floor = the untracked statement and a plain INSERT of the same events into eventlog, one statement;
\echo floor0 = the same into an unindexed copy of eventlog. (c) in detail, medians: server = EXPLAIN ANALYZE
\echo Execution Time (incl. triggers, excl. commit); with commit = the statement and its commit timed by psql.
SELECT variant,
       round(v::numeric, 1) AS server_ms,
       round(coalesce(trigger_ms, 0)::numeric, 1) AS trigger_ms,
       round(client_ms::numeric, 1) AS with_commit_ms,
       round((wal_bytes / 1048576)::numeric, 1) AS wal_mb
FROM s WHERE test = 'c'
ORDER BY array_position(ARRAY['untracked', 'tracked', 'floor', 'floor0', 'plpgsql'], variant);
\echo
\echo spread: lowest and highest single run of each variant
SELECT test, variant,
       round(lo::numeric, CASE WHEN test IN ('a', 'b') THEN 0 ELSE 1 END) AS lowest,
       round(hi::numeric, CASE WHEN test IN ('a', 'b') THEN 0 ELSE 1 END) AS highest
FROM s
ORDER BY test, array_position(ARRAY['untracked', 'tracked', 'floor', 'floor0', 'plpgsql'], variant);
SELECT count(*) AS events_in_log, pg_size_pretty(pg_total_relation_size('eventlog')) AS eventlog_size,
       pg_size_pretty(pg_relation_size('eventlog')) AS eventlog_heap,
       pg_size_pretty(pg_total_relation_size('eventlog') - pg_relation_size('eventlog')) AS eventlog_indexes,
       (SELECT count(*) FROM eventlog_floor0) AS events_in_floor0,
       pg_size_pretty(pg_total_relation_size('eventlog_floor0')) AS floor0_size
FROM eventlog;
SQL
echo "total time: ${elapsed}s"
if [[ "$(module_id)" != "$module_at_start" ]]; then
    echo "WARNING: $module changed during the run ($module_at_start -> $(module_id)); the figures mix two builds" >&2
fi
