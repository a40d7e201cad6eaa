#!/usr/bin/env bash
# bench/load_bench.sh — sustained capture load: events/s for single-row and
# bulk UPDATEs of a tracked table against the same table untracked, and the
# size on disk per update event against a log of full old and new rows.
#
# Usage:
#   PGHOST=... PGPORT=... PGUSER=... bench/load_bench.sh
#   BENCH_LOAD_SECONDS=10 bench/load_bench.sh                  # quick smoke run
#
# Needs a running server with the extension installed (CREATE EXTENSION
# eventlog must work) and a superuser connection from the usual libpq
# environment; meant for a durable cluster (fsync on, synchronous_commit on,
# as bench/run starts). The script creates its own database BENCH_DB
# (default eventlog_load_bench; it refuses to run when that database exists)
# and drops it at the end (BENCH_KEEP_DB=1 keeps it). Session settings can be
# passed with PGOPTIONS; they apply to every connection, pgbench's included.
#
# Environment:
#   BENCH_LOAD_SECONDS   pgbench -T seconds of every measured run (120)
#   BENCH_LOAD_ROUNDS    runs per variant and test (2): untracked and tracked
#                        alternate, ABBA..., so that slow spells of the shared
#                        machine fall on both; figures are means over rounds
#   BENCH_ROWS           rows per table (100000)
#   BENCH_LOAD_CLIENTS   client counts of the single-row test ("2 4")
#   BENCH_BULK_ROWS      rows per bulk UPDATE (10000)
#   BENCH_BULK_CLIENTS   clients of the bulk test (2)
#   EVENTLOG_BENCH_LAYOUT plain (default) or partitioned: partitioned runs
#                        CREATE EXTENSION with eventlog.partition_interval set
#                        (EVENTLOG_BENCH_PARTITION_INTERVAL, '1 month'); the
#                        run stops when the log is then not partitioned
#   BENCH_QUERY_RESULT   bench/query_bench.sh's output to quote the 10M-event
#                        page latency from (build/bench/query.txt)
#
# Tables: load_untracked and load_tracked, the same definition and data, a
# 10-column application table (see "table:" in the output): id int primary
# key, account_id int, quantity int, name text (~30 bytes), email text
# (~30 bytes), amount numeric(12,2), active boolean, created_at and
# updated_at timestamptz, attributes jsonb (~250 bytes: plan, tags, address,
# preferences). load_tracked is tracked by eventlog_track() with its
# defaults (all columns). Every UPDATE changes one column: quantity + 1.
#
# Tests (pgbench -n -c N -j N -T BENCH_LOAD_SECONDS -P, simple protocol; each
# test runs the untracked and the tracked variant back to back, BENCH_LOAD_ROUNDS
# times each, the order reversed from round to round and the first variant
# alternating from test to test; before every run both tables and eventlog
# are vacuumed and a CHECKPOINT is taken):
#   (1) single-row capture: one transaction = one UPDATE of a random row by
#       primary key, with 2 and with 4 clients; events/s = tracked TPS;
#   (2) bulk capture: one transaction = one UPDATE of BENCH_BULK_ROWS
#       consecutive rows (a random aligned block within the client's own
#       slice of the table, so clients never wait for each other); captured
#       row changes/s = TPS x BENCH_BULK_ROWS. Target: >= 50,000/s.
#   Every run is checked: the events it added to eventlog (counted after the
#   run) must equal the row changes pgbench committed (0 when untracked).
#   WAL written per run is reported per row change.
#   (3) size on disk per update event, after (1) and (2): every event in the
#       log is then a one-column update of load_tracked (checked). The
#       "full-row log" is a table with eventlog's columns and the same
#       indexes (definitions copied from eventlog's) holding the same events
#       with changes = jsonb_build_object('old', to_jsonb(old row),
#       'new', to_jsonb(new row)). The old and new rows are rebuilt from the
#       current row and the event: as only quantity ever changes, old row =
#       to_jsonb(row) || changes->'old_value' and likewise for new; the setup
#       checks this rebuild against to_jsonb(OLD)/to_jsonb(NEW) of a real row
#       trigger. It is filled by one INSERT ... SELECT in eventlog's physical
#       order, i.e. the order the events were inserted in, so its indexes
#       grow the same way. Both are vacuumed, then bytes per event of the
#       whole relation (heap + TOAST + free space and visibility maps + all
#       indexes, pg_total_relation_size, summed over the partitions when
#       partitioned) and of the heap alone (main fork). Target: eventlog
#       <= 1/3 of the full-row log, whole relations as written. For
#       reference, the whole relations again after REINDEX of both (index
#       fill without the effect of the insert order and concurrency).
#   Per-object page latency at 10M events is bench/query_bench.sh's figure
#   (bench/run runs it before this script); it is quoted when found.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
db="${BENCH_DB:-eventlog_load_bench}"
seconds="${BENCH_LOAD_SECONDS:-120}"
rounds="${BENCH_LOAD_ROUNDS:-2}"
rows="${BENCH_ROWS:-100000}"
clients_text="${BENCH_LOAD_CLIENTS:-2 4}"
bulk_rows="${BENCH_BULK_ROWS:-10000}"
bulk_clients="${BENCH_BULK_CLIENTS:-2}"
layout="${EVENTLOG_BENCH_LAYOUT:-plain}"
partition_interval="${EVENTLOG_BENCH_PARTITION_INTERVAL:-1 month}"
query_result="${BENCH_QUERY_RESULT:-$here/../build/bench/query.txt}"
target_bulk_rows_per_s=50000

for v in seconds rounds rows bulk_rows bulk_clients; do
    if ! [[ "${!v}" =~ ^[1-9][0-9]*$ ]]; then
        echo "load_bench: ${v} must be a positive integer, not '${!v}'" >&2
        exit 2
    fi
done
read -r -a single_clients <<<"$clients_text"
for c in "${single_clients[@]}"; do
    if ! [[ "$c" =~ ^[1-9][0-9]*$ ]]; then
        echo "load_bench: BENCH_LOAD_CLIENTS must be positive integers, not '$clients_text'" >&2
        exit 2
    fi
done
if [[ $layout != plain && $layout != partitioned ]]; then
    echo "load_bench: EVENTLOG_BENCH_LAYOUT must be plain or partitioned, not '$layout'" >&2
    exit 2
fi
slice=$(( rows / bulk_clients ))
blocks=$(( slice / bulk_rows ))
if (( blocks < 1 )); then
    echo "load_bench: BENCH_ROWS / BENCH_BULK_CLIENTS ($slice) must be at least BENCH_BULK_ROWS ($bulk_rows)" >&2
    exit 2
fi
progress=$(( seconds >= 8 ? seconds / 4 : 1 ))

started_at=$(date +%s)
label=load_bench
# shellcheck source=bench/lib.bash
source "$(dirname "$0")/lib.bash"

echo "command: $0${*:+ $*}"
echo "env: BENCH_LOAD_SECONDS=$seconds BENCH_LOAD_ROUNDS=$rounds BENCH_ROWS=$rows BENCH_LOAD_CLIENTS='$clients_text'" \
     "BENCH_BULK_ROWS=$bulk_rows BENCH_BULK_CLIENTS=$bulk_clients EVENTLOG_BENCH_LAYOUT=$layout" \
     "$([[ $layout == partitioned ]] && echo "EVENTLOG_BENCH_PARTITION_INTERVAL='$partition_interval'")" \
     "BENCH_DB=$db PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGUSER=${PGUSER:-} PGOPTIONS=${PGOPTIONS:-}"
echo "machine: $(nproc) CPUs, $(uname -sr), $(awk '/MemTotal/ {printf "%.1f GB RAM", $2 / 1048576}' /proc/meminfo)," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
report_build
echo "pgbench runs: pgbench -n -c N -j N -T $seconds -P $progress -f <script>, $rounds per variant and test," \
     "alternating order"

report_server

echo "== setup: $rows rows per table, layout $layout"
if [[ $layout == partitioned ]]; then
    q -v interval="$partition_interval" >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT set_config('eventlog.partition_interval', :'interval', false);
CREATE EXTENSION eventlog;
SQL
    if [[ $(q1 "SELECT relkind FROM pg_class WHERE oid = 'eventlog'::regclass") != p ]]; then
        echo "load_bench: EVENTLOG_BENCH_LAYOUT=partitioned, but eventlog is not a partitioned table" >&2
        exit 1
    fi
    echo "eventlog is partitioned: $(q1 "SELECT count(*) FROM pg_partition_tree('eventlog') WHERE isleaf") partitions" \
         "($(q1 "SELECT coalesce(string_agg(partition_interval::text, ', '), '?') FROM eventlog_partition_settings" 2>/dev/null || echo "?"))"
else
    q -c "SET client_min_messages = warning" -c "CREATE EXTENSION eventlog"
fi
q -v rows="$rows" <<'SQL'
SELECT extversion AS eventlog_version FROM pg_catalog.pg_extension WHERE extname = 'eventlog' \gset
\echo eventlog :eventlog_version

CREATE TABLE load_untracked (
    id         int PRIMARY KEY,
    account_id int NOT NULL,
    quantity   int NOT NULL,
    name       text NOT NULL,
    email      text,
    amount     numeric(12, 2),
    active     boolean NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz,
    attributes jsonb);
INSERT INTO load_untracked
SELECT i, 1 + i % 5000, i % 100,
       'Customer ' || i || ' ' || substr(md5(i::text), 1, 12),
       'customer.' || i || '@example-' || (i % 100) || '.com',
       round((i % 100000) * 1.37, 2), i % 7 <> 0,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
       timestamptz '2024-06-01 00:00:00+00' + i * interval '37 seconds',
       jsonb_build_object(
           'plan', (ARRAY['free', 'starter', 'business', 'enterprise'])[1 + i % 4],
           'tags', jsonb_build_array('tag' || i % 17, 'segment-' || i % 5, 'region-' || i % 9),
           'address', jsonb_build_object('street', (i % 997) || ' Main Street', 'city', 'City ' || i % 300,
                                         'zip', lpad((i % 99999)::text, 5, '0'), 'country', 'DE'),
           'preferences', jsonb_build_object('newsletter', i % 3 = 0, 'language', 'en-GB',
                                             'theme', 'dark', 'notify_by', 'email'),
           'source', 'signup-form-v2')
FROM generate_series(1, :rows) AS i;
CREATE TABLE load_tracked (LIKE load_untracked INCLUDING ALL);
INSERT INTO load_tracked SELECT * FROM load_untracked;
SELECT eventlog_track('load_tracked') \g /dev/null

-- The size test rebuilds each event's old and new rows as
-- to_jsonb(current row) || changes->'old_value' / 'new_value'. Check that
-- against what a row trigger sees, in a transaction that is rolled back.
BEGIN;
CREATE TEMP TABLE load_seen (id int, old_row jsonb, new_row jsonb);
CREATE FUNCTION pg_temp.load_see() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO load_seen VALUES (NEW.id, to_jsonb(OLD), to_jsonb(NEW));
    RETURN NULL;
END $$;
CREATE TRIGGER load_see AFTER UPDATE ON load_tracked FOR EACH ROW EXECUTE FUNCTION pg_temp.load_see();
SELECT coalesce(max(id), 0) AS start FROM eventlog \gset
UPDATE load_tracked SET quantity = quantity + 1 WHERE id BETWEEN 1 AND 5;
UPDATE load_tracked SET quantity = quantity + 1 WHERE id BETWEEN 3 AND 7;
SELECT count(*) AS seen, count(e.id) AS matched,
       count(*) FILTER (WHERE to_jsonb(r) || (e.changes -> 'old_value') = s.old_row
                          AND to_jsonb(r) || (e.changes -> 'new_value') = s.new_row) AS rebuilt_equal
FROM load_seen s
JOIN load_tracked r ON r.id = s.id
LEFT JOIN eventlog e ON e.id > :start AND e.object_id = s.id::text
                    AND (e.changes -> 'new_value' -> 'quantity') = (s.new_row -> 'quantity') \gset
ROLLBACK;
\echo rebuild check: :seen row changes, :matched with their event, :rebuilt_equal rebuilt exactly
SELECT (:seen = 10 AND :matched = 10 AND :rebuilt_equal = 10) AS rebuild_ok \gset
\if :rebuild_ok
\else
    DO $$BEGIN RAISE EXCEPTION 'load_bench: the events do not rebuild the full old and new rows'; END$$;
\endif

CREATE TABLE load_result (
    test      text,     -- single_2, single_4, ..., bulk
    ord       int,      -- order of the test
    round     int,
    variant   text,     -- untracked, tracked
    clients   int,
    rows_per_txn int,
    tps       float8,
    txns      bigint,
    latency_ms float8,
    events    bigint,   -- events the run added to eventlog
    expected  bigint,   -- row changes it committed (0 when untracked)
    wal_bytes float8);
VACUUM ANALYZE;
SQL
q <<'SQL'
\pset footer off
\echo table: load_tracked / load_untracked (same definition, same data):
SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a
WHERE a.attrelid = 'load_tracked'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
\echo average bytes per column (pg_column_size):
SELECT round(avg(pg_column_size(id)), 1) AS id, round(avg(pg_column_size(account_id)), 1) AS account_id,
       round(avg(pg_column_size(quantity)), 1) AS quantity, round(avg(pg_column_size(name)), 1) AS name,
       round(avg(pg_column_size(email)), 1) AS email, round(avg(pg_column_size(amount)), 1) AS amount,
       round(avg(pg_column_size(active)), 1) AS active, round(avg(pg_column_size(created_at)), 1) AS created_at,
       round(avg(pg_column_size(updated_at)), 1) AS updated_at,
       round(avg(pg_column_size(attributes)), 1) AS attributes
FROM load_tracked;
SELECT count(*) AS rows, round(avg(pg_column_size(t.*))::numeric) AS avg_row_bytes,
       round(avg(pg_column_size(to_jsonb(t)))::numeric) AS "avg to_jsonb(row) bytes",
       round(avg(octet_length(to_jsonb(t)::text))::numeric) AS "avg to_jsonb(row)::text bytes"
FROM load_tracked t;
SELECT to_jsonb(t) AS "example row (to_jsonb)" FROM load_tracked t WHERE id = 42;
SQL

# pgbench scripts
for v in untracked tracked; do
    cat >"$work/single_$v.sql" <<EOF
\\set id random(1, $rows)
UPDATE load_$v SET quantity = quantity + 1 WHERE id = :id;
EOF
    cat >"$work/bulk_$v.sql" <<EOF
\\set blk random(0, $(( blocks - 1 )))
\\set lo :client_id * $slice + :blk * $bulk_rows + 1
UPDATE load_$v SET quantity = quantity + 1 WHERE id BETWEEN :lo AND :lo + $(( bulk_rows - 1 ));
EOF
done

max_event_id() { q1 "SELECT coalesce(max(id), 0) FROM eventlog"; }

# pgbench_run TEST ORD ROUND SCRIPT_PREFIX VARIANT CLIENTS ROWS_PER_TXN
pgbench_run() {
    local test=$1 ord=$2 round=$3 prefix=$4 v=$5 c=$6 per=$7 out tps txns lat before lsn events expected wal prog
    q -c "VACUUM load_untracked" -c "VACUUM load_tracked" -c "VACUUM eventlog" -c "CHECKPOINT"
    before=$(max_event_id)
    lsn=$(q1 "SELECT pg_current_wal_insert_lsn()")
    out=$(pgbench -n -c "$c" -j "$c" -T "$seconds" -P "$progress" -f "$work/${prefix}_$v.sql" "$db" 2>&1) || {
        echo "$out" >&2
        echo "load_bench: pgbench failed" >&2
        exit 1
    }
    wal=$(q1 "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn')")
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out")
    prog=$(sed -n 's/^progress: [0-9.]* s, \([0-9.]*\) tps.*/\1/p' <<<"$out" | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }')
    if [[ -z "$tps" || -z "$txns" || -z "$lat" ]]; then
        echo "$out" >&2
        echo "load_bench: could not read pgbench's result" >&2
        exit 1
    fi
    events=$(q1 "SELECT count(*) FROM eventlog WHERE id > $before")
    expected=$([[ $v == untracked ]] && echo 0 || echo $(( txns * per )))
    printf '  %-9s round %d: %9.1f TPS  %9.0f row changes/s  %8d txns  %9d events (expected %d)  latency %s ms\n' \
        "$v" "$round" "$tps" "$(awk -v t="$tps" -v p="$per" 'BEGIN { print t * p }')" "$txns" "$events" "$expected" "$lat"
    printf '                     TPS every %ss: %s; WAL %.0f bytes per row change\n' "$progress" "$prog" \
        "$(awk -v w="$wal" -v n=$(( txns * per )) 'BEGIN { print n ? w / n : 0 }')"
    q -c "INSERT INTO load_result VALUES ('$test', $ord, $round, '$v', $c, $per, $tps, $txns, $lat, $events, $expected, $wal)"
    if [[ $events != "$expected" ]]; then
        echo "load_bench: $test $v: $events events for $expected row changes" >&2
    fi
}

# run_test TEST ORD SCRIPT_PREFIX CLIENTS ROWS_PER_TXN: the rounds of both
# variants, untracked first in odd tests' odd rounds, the order reversed
# from round to round (UT TU UT ... or TU UT TU ...).
run_test() {
    local test=$1 ord=$2 prefix=$3 c=$4 per=$5 round v order
    for (( round = 1; round <= rounds; round++ )); do
        if (( (ord + round) % 2 == 0 )); then order=(untracked tracked); else order=(tracked untracked); fi
        for v in "${order[@]}"; do pgbench_run "$test" "$ord" "$round" "$prefix" "$v" "$c" "$per"; done
    done
}

ord=0
for c in "${single_clients[@]}"; do
    ord=$(( ord + 1 ))
    echo "== (1) single-row UPDATE capture, $c clients, $rounds x ${seconds}s per variant"
    run_test "single_$c" "$ord" single "$c" 1
done
ord=$(( ord + 1 ))
echo "== (2) bulk UPDATE capture: $bulk_rows rows per statement (and transaction), $bulk_clients clients," \
     "$rounds x ${seconds}s per variant"
run_test bulk "$ord" bulk "$bulk_clients" "$bulk_rows"

echo "== (3) size on disk per update event: eventlog against a full-row log of the same events"
t0=$(date +%s.%N)
q <<'SQL'
\pset footer off
SET max_parallel_workers_per_gather = 0;
SET work_mem = '512MB';
-- Every event must be a one-column update of load_tracked: the full rows
-- are rebuilt from the current row and the changed column.
SELECT count(*) AS events,
       count(*) FILTER (WHERE action IS DISTINCT FROM 'update' OR object_type IS DISTINCT FROM 'public.load_tracked'
                          OR NOT (changes -> 'old_value' ? 'quantity') OR NOT (changes -> 'new_value' ? 'quantity')
                          OR (changes -> 'old_value') - 'quantity' <> '{}' OR (changes -> 'new_value') - 'quantity' <> '{}'
                          OR changes - 'old_value' - 'new_value' <> '{}') AS other_events
FROM eventlog \gset
\echo events in the log: :events (other than one-column updates of load_tracked: :other_events)
SELECT (:other_events = 0 AND :events > 0) AS log_ok \gset
\if :log_ok
\else
    DO $$BEGIN RAISE EXCEPTION 'load_bench: the log holds other events than one-column updates'; END$$;
\endif

-- The full-row log: eventlog's columns, its indexes' definitions (those of
-- a partition when the log is partitioned and its parent has none).
CREATE TABLE load_fullrow_log (LIKE eventlog);
SELECT coalesce((SELECT 'eventlog'::regclass WHERE EXISTS (SELECT FROM pg_index WHERE indrelid = 'eventlog'::regclass)),
                (SELECT t.relid FROM pg_partition_tree('eventlog') t
                 WHERE t.isleaf AND EXISTS (SELECT FROM pg_index WHERE indrelid = t.relid) ORDER BY t.relid LIMIT 1),
                'eventlog'::regclass)::oid AS index_source \gset
SELECT set_config('load.index_source', :'index_source', false) \g /dev/null
DO $$
DECLARE
    def text;
    i int := 0;
BEGIN
    FOR def IN
        SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x
        WHERE x.indrelid = current_setting('load.index_source')::oid ORDER BY x.indexrelid
    LOOP
        i := i + 1;
        def := regexp_replace(def, '^(CREATE (UNIQUE )?INDEX )\S+ ON (ONLY )?\S+ ',
                              '\1load_fullrow_idx' || i || ' ON load_fullrow_log ');
        EXECUTE def;
    END LOOP;
    IF i = 0 THEN
        RAISE EXCEPTION 'load_bench: eventlog has no indexes?';
    END IF;
END $$;
CREATE TEMP TABLE load_rows AS SELECT id, to_jsonb(t) AS j FROM load_tracked t;
ANALYZE load_rows;
-- eventlog's physical order is the order the events were inserted in.
INSERT INTO load_fullrow_log
SELECT e.id, e."timestamp", e.actor, e.message, e.object_type, e.object_id, e.tool, e.action,
       jsonb_build_object('old', r.j || (e.changes -> 'old_value'), 'new', r.j || (e.changes -> 'new_value')),
       e.db_user, e.template_message, e.values_json, e.transaction_id
FROM eventlog e JOIN load_rows r ON r.id = e.object_id::int;
SELECT count(*) AS fullrow_events FROM load_fullrow_log \gset
\echo full-row log: :fullrow_events events
\echo eventlog indexes (of the partition whose definitions were copied, when partitioned):
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid = :index_source ORDER BY indexrelid;
\echo full-row log indexes:
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) FROM pg_index
WHERE indrelid = 'load_fullrow_log'::regclass ORDER BY indexrelid;
SQL
t1=$(date +%s.%N)
q -c "VACUUM eventlog" -c "VACUUM load_fullrow_log" -c "CHECKPOINT"
printf '  full-row log built in %.0f s; both vacuumed\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
q -c "CREATE TABLE load_size (stage text, log text, events bigint, heap bigint, tbl bigint, idx bigint, total bigint)"
# sizes STAGE: the sizes of both logs, into load_size.
sizes() {
    q -v stage="$1" <<'SQL'
INSERT INTO load_size
SELECT :'stage', 'eventlog', (SELECT count(*) FROM eventlog),
       sum(pg_relation_size(relid)), sum(pg_table_size(relid)),
       sum(pg_indexes_size(relid)), sum(pg_total_relation_size(relid))
-- the table itself, or its partitions (pg_partition_tree is empty for a
-- table that is neither partitioned nor a partition)
FROM (SELECT 'eventlog'::regclass AS relid UNION SELECT relid FROM pg_partition_tree('eventlog')) AS t
UNION ALL
SELECT :'stage', 'full-row log', (SELECT count(*) FROM load_fullrow_log),
       pg_relation_size('load_fullrow_log'), pg_table_size('load_fullrow_log'),
       pg_indexes_size('load_fullrow_log'), pg_total_relation_size('load_fullrow_log');
SQL
}
sizes "as written"
# For reference: the same after REINDEX of both, i.e. without what the
# order and concurrency of the inserts did to the indexes' fill.
t0=$(date +%s.%N)
q -c "REINDEX TABLE eventlog" -c "REINDEX TABLE load_fullrow_log"
t1=$(date +%s.%N)
printf '  REINDEX of both (for the reference line) in %.0f s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
sizes "after REINDEX"
q <<'SQL'
\pset footer off
SELECT stage, log, events, pg_size_pretty(total) AS total, pg_size_pretty(heap) AS heap,
       pg_size_pretty(tbl - heap) AS "TOAST+maps", pg_size_pretty(idx) AS indexes,
       round(total::numeric / events) AS "bytes/event",
       round(heap::numeric / events) AS "heap bytes/event",
       round((tbl - heap)::numeric / events) AS "TOAST+maps bytes/event",
       round(idx::numeric / events) AS "index bytes/event"
FROM load_size ORDER BY stage DESC, log;
SELECT round(avg(pg_column_size(changes))::numeric) AS "eventlog: changes bytes (avg)",
       round(avg(pg_column_size(message))::numeric) AS "message bytes (avg)",
       (SELECT round(avg(pg_column_size(changes))::numeric) FROM load_fullrow_log) AS "full-row log: changes bytes (avg)"
FROM eventlog;
SELECT bool_and(e.events = f.events) AS same_events FROM load_size e JOIN load_size f USING (stage)
WHERE e.log = 'eventlog' AND f.log = 'full-row log' \gset
\if :same_events
\else
    DO $$BEGIN RAISE EXCEPTION 'load_bench: the full-row log does not hold the same number of events'; END$$;
\endif
SQL

elapsed=$(( $(date +%s) - started_at ))
echo
echo "== summary (layout $layout; mean of $rounds pgbench -T $seconds runs per variant; $rows-row 10-column table, one-column UPDATEs;" \
     "untracked = the same table without tracking, measured next to it; only the ratios are claims," \
     "this machine is shared)"
q -v target="$target_bulk_rows_per_s" <<'SQL'
\pset footer off
CREATE TEMP VIEW r AS
SELECT test, min(ord) AS ord, variant, min(clients) AS clients, min(rows_per_txn) AS rows_per_txn,
       avg(tps) AS tps, min(tps) AS lo, max(tps) AS hi, sum(txns) AS txns, sum(events) AS events,
       sum(expected) AS expected, sum(wal_bytes) AS wal_bytes, bool_and(events = expected) AS events_ok
FROM load_result GROUP BY test, variant;
SELECT CASE WHEN t.test = 'bulk' THEN format('(2) bulk, %s rows/txn, %s clients', t.rows_per_txn, t.clients)
            ELSE format('(1) single-row, %s clients', t.clients) END AS test,
       round((t.tps * t.rows_per_txn)::numeric) AS "tracked events/s",
       round((u.tps * u.rows_per_txn)::numeric) AS "untracked row changes/s",
       round((t.tps / u.tps)::numeric, 2) AS "tracked/untracked",
       round((t.wal_bytes / nullif(t.txns * t.rows_per_txn, 0))::numeric) AS "WAL B/change tracked",
       round((u.wal_bytes / nullif(u.txns * u.rows_per_txn, 0))::numeric) AS "WAL B/change untracked",
       CASE WHEN t.test = 'bulk'
            THEN format('>= %s events/s: %s', :target,
                        CASE WHEN t.tps * t.rows_per_txn >= :target THEN 'met' ELSE 'MISSED' END)
            ELSE '-' END AS target,
       CASE WHEN t.events_ok AND u.events_ok THEN format('ok (%s)', t.events)
            ELSE format('WRONG (%s for %s)', t.events, t.expected) END AS "events = row changes"
FROM r t JOIN r u ON u.test = t.test AND u.variant = 'untracked'
WHERE t.variant = 'tracked' ORDER BY t.ord;
\echo spread: lowest and highest run of each variant, row changes/s
SELECT test, variant, count(*) AS runs, round(min(tps * rows_per_txn)::numeric) AS lowest,
       round(max(tps * rows_per_txn)::numeric) AS highest
FROM load_result GROUP BY test, variant ORDER BY min(ord), variant DESC;
SELECT '(3) bytes on disk per update event' AS test,
       round(e.total::numeric / e.events) AS eventlog,
       round(f.total::numeric / f.events) AS "full-row log",
       round((e.total::float8 / e.events / (f.total::float8 / f.events))::numeric, 3) AS "eventlog/full-row",
       format('<= 1/3 of full-row: %s', CASE WHEN e.total::float8 / e.events <= f.total::float8 / f.events / 3
                                               THEN 'met' ELSE 'MISSED' END) AS target,
       e.events AS events
FROM load_size e JOIN load_size f USING (stage)
WHERE stage = 'as written' AND e.log = 'eventlog' AND f.log = 'full-row log'
UNION ALL
SELECT '    heap only (main fork)',
       round(e.heap::numeric / e.events), round(f.heap::numeric / f.events),
       round((e.heap::float8 / f.heap)::numeric, 3), '-', e.events
FROM load_size e JOIN load_size f USING (stage)
WHERE stage = 'as written' AND e.log = 'eventlog' AND f.log = 'full-row log'
UNION ALL
SELECT '    whole, both after REINDEX (reference)',
       round(e.total::numeric / e.events), round(f.total::numeric / f.events),
       round((e.total::float8 / f.total)::numeric, 3), '-', e.events
FROM load_size e JOIN load_size f USING (stage)
WHERE stage = 'after REINDEX' AND e.log = 'eventlog' AND f.log = 'full-row log';
SQL
if [[ -r "$query_result" ]] && grep -qE '^10000000 +page\(object\)' "$query_result"; then
    echo "per-object page latency at 10M events (bench/query_bench.sh, $query_result of $(date -r "$query_result" '+%F %T')):"
    grep -E '^events +query|^10000000 +page\(object\)' "$query_result" | sed 's/^/  /'
else
    echo "per-object page latency at 10M events: not measured here; it is bench/query_bench.sh's figure" \
         "(bench/run runs it; $query_result not found)"
fi
echo "total time: ${elapsed}s"
if [[ "$(module_id)" != "$module_at_start" ]]; then
    echo "WARNING: $module changed during the run ($module_at_start -> $(module_id)); the figures mix two builds" >&2
fi
wrong=$(q1 "SELECT count(*) FROM load_result WHERE events <> expected")
if (( wrong > 0 )); then
    echo "load_bench: $wrong run(s) did not record one event per row change" >&2
    exit 1
fi
