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
#   BENCH_VARIANTS the variants to run, among untracked tracked plpgsql floor
#                  floor0 wal replica (default: all that the servers allow;
#                  untracked is always run, the ratios are against it)
#   BENCH_WAL      1: run the wal variant (needs wal_level = logical); 0: not;
#                  default: when the server's wal_level is logical
#   BENCH_REPLICA_HOST, BENCH_REPLICA_PORT  a second server (e.g. at
#                  wal_level = replica, what a user compares WAL capture
#                  with): the variant "replica" runs the untracked table's
#                  statements there (the database BENCH_DB is created and
#                  dropped on it too). bench/capture_bench.sh starts both
#                  servers and runs this script with them.
#
# Tables: three with the same definition and data (10 columns: int primary
# key, three ints, three texts, a numeric, a timestamptz, a boolean),
# bench_untracked, bench_tracked (eventlog_track, updated_at excluded) and
# bench_plpgsql (bench_plpgsql_audit, updated_at excluded).
#
# Two more variants when asked for (bench/capture_bench.sh runs them):
#   wal      bench_wal, tracked by eventlog_track(..., capture => 'wal'): the
#            statement sends its context into the WAL (a BEFORE ... FOR EACH
#            STATEMENT trigger) and its rows are logged whole (REPLICA
#            IDENTITY FULL); the events are decoded and written by the
#            applier. The measured run is the writers alone when the
#            capture worker does not run (eventlog.capture_worker = off, or
#            eventlog not in shared_preload_libraries); after each run the
#            backlog is applied, timed apart (eventlog_capture_wait(NULL):
#            in the session, or by the worker when it runs), and its events
#            counted. WAL per change is the writers' (the applier's is
#            reported apart).
#   replica  bench_untracked on the second server (BENCH_REPLICA_*).
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

# The variants of this run.
wal_level=$(q1 "SHOW wal_level")
wal=${BENCH_WAL:-$([[ $wal_level == logical ]] && echo 1 || echo 0)}
if [[ $wal == 1 && $wal_level != logical ]]; then
    echo "track_bench: BENCH_WAL=1 needs wal_level = logical (the server has $wal_level)" >&2
    exit 2
fi
replica_host=${BENCH_REPLICA_HOST:-}
replica_port=${BENCH_REPLICA_PORT:-}
all_variants=(untracked tracked plpgsql floor floor0)
[[ $wal == 1 ]] && all_variants+=(wal)
[[ -n $replica_port ]] && all_variants+=(replica)
if [[ -n "${BENCH_VARIANTS:-}" ]]; then
    run_variants=(untracked)
    for v in ${BENCH_VARIANTS}; do
        case " ${all_variants[*]} " in
            *" $v "*) [[ $v != untracked ]] && run_variants+=("$v") ;;
            *) echo "track_bench: variant $v is not available (available: ${all_variants[*]})" >&2; exit 2 ;;
        esac
    done
else
    run_variants=("${all_variants[@]}")
fi
echo "variants: ${run_variants[*]}"
runs() { [[ " ${run_variants[*]} " == *" $1 "* ]]; }

# The second server of the replica variant.
qr() { psql -X -q -v ON_ERROR_STOP=1 -h "$replica_host" -p "$replica_port" -d "$db" "$@"; }
qr1() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$replica_host" -p "$replica_port" -d "$db" -c "$1"; }
# qv VARIANT ARGS...: psql on the server of the variant.
qv() { local v=$1; shift; if [[ $v == replica ]]; then qr "$@"; else q "$@"; fi; }
qv1() { if [[ $1 == replica ]]; then qr1 "$2"; else q1 "$2"; fi; }
drop_replica_db() { dropdb -h "$replica_host" -p "$replica_port" --force --if-exists "$db"; }
if runs replica; then
    if [[ -n "$(psql -X -A -t -h "$replica_host" -p "$replica_port" -d postgres \
                -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
        echo "track_bench: database $db already exists on the replica server; drop it or set BENCH_DB" >&2
        exit 2
    fi
    createdb -h "$replica_host" -p "$replica_port" "$db"
    [[ "${BENCH_KEEP_DB:-0}" != 1 ]] && cleanup_hooks+=(drop_replica_db)
    echo "== replica variant's server: host $replica_host port $replica_port"
    report_server qr
fi
# The servers' CPU time over each run (bench/lib.bash: server_cpu_ticks),
# when /proc shows it: what a variant costs whatever else the machine does.
data_dir=$(q1 "SHOW data_directory")
replica_data_dir=$(runs replica && qr1 "SHOW data_directory" || true)
ticks_per_second=$(getconf CLK_TCK)
# cpu_ticks VARIANT: server_cpu_ticks of the variant's server ('' when unknown)
cpu_ticks() { server_cpu_ticks "$([[ $1 == replica ]] && echo "$replica_data_dir" || echo "$data_dir")"; }
# cpu_us TICKS_BEFORE TICKS_AFTER N: CPU microseconds per change, or NULL
cpu_us() { [[ -n $1 && -n $2 ]] && calc "($2 - $1) * 1000000 / $ticks_per_second / $3" || echo NULL; }

# The capture worker applies the wal variant's changes as they commit, or
# (paused or absent) the script applies them after each run.
wal_worker=absent
if runs wal; then
    wal_worker=$(q1 "SELECT CASE WHEN current_setting('eventlog.capture_worker', true) = 'off' THEN 'paused'
                                 WHEN 'eventlog' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))
                                 THEN 'running' ELSE 'absent' END")
    echo "wal variant: capture worker $wal_worker" \
         "$([[ $wal_worker == running ]] && echo '(it applies during the runs: the writers share the CPU with it; their WAL includes its writes)' \
                                          || echo '(the runs measure the writers alone; the backlog is applied after each run)')"
fi

# The untracked table (on the replica server too).
{ echo '\set table bench_untracked'; cat "$here/sample_table.sql"; } >"$work/untracked.sql"
cat >>"$work/untracked.sql" <<'SQL'
CREATE SEQUENCE bench_untracked_new_id;
SELECT setval('bench_untracked_new_id', :rows) \g /dev/null
SQL
if runs replica; then
    qr -v rows="$rows" -f "$work/untracked.sql" -c "VACUUM ANALYZE"
fi

echo "== setup: $rows rows per table"
q -v rows="$rows" -v wal="$(runs wal && echo 1 || echo 0)" -v untracked_sql="$work/untracked.sql" \
  -c "SET client_min_messages = warning" -c "CREATE EXTENSION eventlog" -f "$audit_sql" -f - <<'SQL'
SELECT extversion AS eventlog_version FROM pg_catalog.pg_extension WHERE extname = 'eventlog' \gset
\echo eventlog :eventlog_version

\i :untracked_sql
CREATE TABLE bench_tracked (LIKE bench_untracked INCLUDING ALL);
CREATE TABLE bench_plpgsql (LIKE bench_untracked INCLUDING ALL);
INSERT INTO bench_tracked SELECT * FROM bench_untracked;
INSERT INTO bench_plpgsql SELECT * FROM bench_untracked;
-- New keys for the INSERT test, after the existing ones.
CREATE SEQUENCE bench_tracked_new_id;
CREATE SEQUENCE bench_plpgsql_new_id;
SELECT setval('bench_tracked_new_id', :rows), setval('bench_plpgsql_new_id', :rows) \g /dev/null
\if :wal
CREATE TABLE bench_wal (LIKE bench_untracked INCLUDING ALL);
INSERT INTO bench_wal SELECT * FROM bench_untracked;
CREATE SEQUENCE bench_wal_new_id;
SELECT setval('bench_wal_new_id', :rows) \g /dev/null
-- (at the start of a transaction: it makes the database's capture slot)
SELECT eventlog_track('bench_wal', exclude_columns => '{updated_at}', capture => 'wal') \g /dev/null
\endif

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

-- The wal variant records the same events: the same statements on two
-- scratch copies, one tracked by triggers, one from the WAL (committed:
-- only committed changes are decoded), then applied and compared.
\if :wal
CREATE TABLE bench_check_trigger (LIKE bench_untracked INCLUDING ALL);
CREATE TABLE bench_check_wal (LIKE bench_untracked INCLUDING ALL);
INSERT INTO bench_check_trigger SELECT * FROM bench_untracked WHERE id <= 3;
INSERT INTO bench_check_wal SELECT * FROM bench_untracked WHERE id <= 3;
SELECT eventlog_track('bench_check_trigger', exclude_columns => '{updated_at}') \g /dev/null
SELECT eventlog_track('bench_check_wal', exclude_columns => '{updated_at}', capture => 'wal') \g /dev/null
SELECT coalesce(max(id), 0) AS start FROM eventlog \gset
UPDATE bench_check_trigger SET n1 = n1 + 1, t3 = NULL, updated_at = now() WHERE id <= 3;
UPDATE bench_check_wal SET n1 = n1 + 1, t3 = NULL, updated_at = now() WHERE id <= 3;
UPDATE bench_check_trigger SET updated_at = now() WHERE id <= 3;   -- excluded only: no event
UPDATE bench_check_wal SET updated_at = now() WHERE id <= 3;
INSERT INTO bench_check_trigger VALUES (0, 0, NULL, 0, 'x', NULL, NULL, 1.5, now(), NULL);
INSERT INTO bench_check_wal VALUES (0, 0, NULL, 0, 'x', NULL, NULL, 1.5, now(), NULL);
DELETE FROM bench_check_trigger WHERE id = 0;
DELETE FROM bench_check_wal WHERE id = 0;
SELECT eventlog_capture_wait(NULL) AS applied \gset
CREATE TEMP TABLE bench_check_w AS
SELECT replace(object_type, 'bench_check_wal', 'bench_check_trigger') AS object_type, object_id,
       replace(tool, 'bench_check_wal', 'bench_check_trigger') AS tool, action, actor, db_user,
       replace(message, 'bench_check_wal', 'bench_check_trigger') AS message, template_message, changes,
       object_type = 'public.bench_check_wal' AS wal
FROM eventlog WHERE id > :start;
SELECT count(*) FILTER (WHERE NOT wal) AS trigger_events,
       count(*) FILTER (WHERE wal) AS wal_events,
       (SELECT count(*) FROM ((SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check_w WHERE wal
                               EXCEPT ALL
                               SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check_w WHERE NOT wal)
                              UNION ALL
                              (SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check_w WHERE NOT wal
                               EXCEPT ALL
                               SELECT object_type, object_id, tool, action, actor, db_user, message,
                                      template_message, changes FROM bench_check_w WHERE wal)) AS d)
           AS differing_events
FROM bench_check_w \gset
\echo same-events check: trigger capture :trigger_events, WAL capture :wal_events, differing :differing_events
SELECT (:'applied' AND :trigger_events = 5 AND :wal_events = 5 AND :differing_events = 0) AS events_agree \gset
\if :events_agree
\else
    DO $$BEGIN RAISE EXCEPTION 'track_bench: trigger capture and WAL capture do not record the same events'; END$$;
\endif
-- (dropped tracked: bench_wal keeps the slot, and the events stay)
DROP TABLE bench_check_trigger, bench_check_wal, bench_check_w;
\endif

CREATE TABLE bench_result (
    test     text,     -- a, b, c
    variant  text,     -- untracked, tracked, plpgsql, floor, floor0, wal, replica
    round    int,
    value    float8,   -- TPS (a, b) or server-side ms (c)
    client_ms float8,  -- (c) statement + commit, client side
    wal_bytes float8,  -- WAL written by the run (wal: the writers' only, unless the worker ran)
    trigger_ms float8, -- (c) time in triggers, from EXPLAIN ANALYZE
    events   bigint,   -- events the run recorded
    expected bigint,   -- events it should have recorded
    changes  bigint,   -- row changes of the run (pgbench: transactions)
    apply_ms float8,   -- wal: applying the run's backlog after it (eventlog_capture_wait(NULL))
    apply_wal_bytes float8, -- wal: WAL written by applying it
    cpu_ticks float8,  -- CPU time the variant's server spent on the run (clock ticks; NULL: unknown)
    apply_cpu_ticks float8); -- wal: the same for applying the backlog
VACUUM ANALYZE;
SQL

if [[ -n "${BENCH_LOG_SQL:-}" ]]; then
    echo "== BENCH_LOG_SQL: $BENCH_LOG_SQL"
    q -c "$BENCH_LOG_SQL"
fi
echo "eventlog's indexes: $(q1 "SELECT string_agg(pg_get_indexdef(indexrelid), '; ') FROM pg_index WHERE indrelid = 'eventlog'::regclass")"

variants=(untracked tracked plpgsql)
runs wal && variants+=(wal)

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
    # replica: the untracked statements, on the other server.
    cp "$work/upd_untracked.sql" "$work/upd_replica.sql"
    cp "$work/ins_untracked.sql" "$work/ins_replica.sql"
}
write_pgbench_scripts

max_event_id() { q1 "SELECT greatest((SELECT coalesce(max(id), 0) FROM eventlog), (SELECT coalesce(max(id), 0) FROM eventlog_floor0))"; }
# events_since ID: events recorded after ID, in the log or in floor0's copy.
events_since() { q1 "SELECT (SELECT count(*) FROM eventlog WHERE id > $1) + (SELECT count(*) FROM eventlog_floor0 WHERE id > $1)"; }

calc() { awk "BEGIN { print $1 }"; }

# apply_backlog: applies what the wal variant's run left pending (in this
# session when no capture worker runs, else waiting for the worker), timed;
# prints "MS WAL_BYTES CPU_TICKS".
apply_backlog() {
    local lsn out ms cpu0
    cpu0=$(cpu_ticks wal)
    lsn=$(q1 "SELECT pg_current_wal_insert_lsn()")
    out=$(q -A -t -c '\timing on' -c "SELECT eventlog_capture_wait(NULL)")
    ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
    if [[ "$(sed -n 1p <<<"$out")" != t ]]; then
        echo "$out" >&2
        echo "track_bench: the wal variant's backlog was not applied" >&2
        exit 1
    fi
    local wal_bytes cpu1
    wal_bytes=$(q1 "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn')")
    cpu1=$(cpu_ticks wal)
    echo "$ms $wal_bytes $([[ -n $cpu0 && -n $cpu1 ]] && echo $(( cpu1 - cpu0 )) || echo NULL)"
}

# pgbench_run TEST SCRIPT_PREFIX VARIANT ROUND
pgbench_run() {
    local test=$1 prefix=$2 v=$3 round=$4 out tps txns before events expected table=bench_$3 lsn wal_bytes
    local apply_ms=NULL apply_wal=NULL apply_ticks=NULL applied='' server=() cpu0 cpu1
    [[ $v == floor* || $v == replica ]] && table=bench_untracked
    [[ $v == replica ]] && server=(-h "$replica_host" -p "$replica_port")
    if [[ $v == replica ]]; then
        qr -c "VACUUM $table" -c "CHECKPOINT"
    else
        q -c "VACUUM $table" -c "VACUUM eventlog" -c "VACUUM eventlog_floor0" -c "CHECKPOINT"
    fi
    before=$(max_event_id)
    lsn=$(qv1 "$v" "SELECT pg_current_wal_insert_lsn()")
    cpu0=$(cpu_ticks "$v")
    out=$(pgbench "${server[@]}" -n -c "$clients" -j "$clients" -T "$run_seconds" -f "$work/${prefix}_$v.sql" "$db" 2>&1) || {
        echo "$out" >&2
        echo "track_bench: pgbench failed" >&2
        exit 1
    }
    cpu1=$(cpu_ticks "$v")
    wal_bytes=$(qv1 "$v" "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn')")
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    if [[ -z "$tps" || -z "$txns" ]]; then
        echo "$out" >&2
        echo "track_bench: could not read pgbench's result" >&2
        exit 1
    fi
    if [[ $v == wal ]]; then
        read -r apply_ms apply_wal apply_ticks < <(apply_backlog)
        applied=$(printf '  applied in %.0f ms (%.0f events/s)' "$apply_ms" "$(calc "$txns * 1000 / $apply_ms")")
    fi
    local cpu
    cpu=$(cpu_us "$cpu0" "$cpu1" "$txns")
    events=$(events_since "$before")
    expected=$([[ $v == untracked || $v == replica ]] && echo 0 || echo "$txns")
    printf '  %-13s round %d: %10.1f TPS  %7d transactions  %7d events  latency %s  %5.0f WAL bytes/txn  %s µs CPU/txn%s\n' \
        "$v" "$round" "$tps" "$txns" "$events" \
        "$(sed -n 's/^latency average = //p' <<<"$out")" "$(calc "$wal_bytes / $txns")" "$cpu" "$applied"
    q -c "INSERT INTO bench_result (test, variant, round, value, events, expected, wal_bytes, changes, apply_ms, apply_wal_bytes,
                                    cpu_ticks, apply_cpu_ticks)
          VALUES ('$test', '$v', $round, $tps, $events, $expected, $wal_bytes, $txns, $apply_ms, $apply_wal,
                  $([[ -n $cpu0 && -n $cpu1 ]] && echo $(( cpu1 - cpu0 )) || echo NULL), $apply_ticks)"
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
pgbench_test a upd "${run_variants[@]}"

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
    elif [[ $v == replica ]]; then
        table=bench_untracked
        sql="UPDATE bench_untracked SET n1 = n1 + 1"
    else
        table=bench_$v
        sql="UPDATE bench_$v SET n1 = n1 + 1"
    fi
    if [[ $v == replica ]]; then
        qr -c "VACUUM $table" -c "CHECKPOINT"
    else
        q -c "VACUUM $table" -c "VACUUM eventlog" -c "VACUUM eventlog_floor0" -c "CHECKPOINT"
    fi
    before=$(max_event_id)
    lsn=$(qv1 "$v" "SELECT pg_current_wal_insert_lsn()")
    local wal_bytes cpu0 cpu1 ticks=NULL
    cpu0=$(cpu_ticks "$v")
    out=$(qv "$v" -A -t -c '\timing on' -c "EXPLAIN (ANALYZE, WAL, FORMAT JSON) $sql")
    cpu1=$(cpu_ticks "$v")
    [[ -n $cpu0 && -n $cpu1 ]] && ticks=$(( cpu1 - cpu0 ))
    wal_bytes=$(qv1 "$v" "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn')")
    client_ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")
    plan=$(sed '/^Time: /d' <<<"$out")
    local apply_ms=NULL apply_wal=NULL apply_ticks=NULL
    [[ $v == wal ]] && read -r apply_ms apply_wal apply_ticks < <(apply_backlog)
    events=$(events_since "$before")
    expected=$([[ $v == untracked || $v == replica ]] && echo 0 || echo "$rows")
    q -v plan="$plan" <<SQL
INSERT INTO bench_result (test, variant, round, value, client_ms, wal_bytes, trigger_ms, events, expected, changes,
                          apply_ms, apply_wal_bytes, cpu_ticks, apply_cpu_ticks)
SELECT 'c', '$v', $round,
       (p -> 0 ->> 'Execution Time')::float8, $client_ms, $wal_bytes,
       (SELECT sum((t ->> 'Time')::float8) FROM json_array_elements(p -> 0 -> 'Triggers') AS t),
       $events, $expected, $rows, $apply_ms, $apply_wal, $ticks, $apply_ticks
FROM (SELECT :'plan'::json AS p) AS e;
SELECT format('  %-13s round %s: %9s ms server (triggers %s ms), %9s ms with commit, %6s MB WAL, %s events%s',
              variant, round, round(value::numeric, 1), coalesce(round(trigger_ms::numeric, 1), 0),
              round(client_ms::numeric, 1), round((wal_bytes / 1048576)::numeric, 1), events,
              CASE WHEN apply_ms IS NOT NULL
                   THEN format(', applied in %s ms (%s events/s, %s MB WAL)', round(apply_ms::numeric),
                               round((events * 1000 / apply_ms)::numeric), round((apply_wal_bytes / 1048576)::numeric, 1))
                   ELSE '' END)
FROM bench_result WHERE variant = '$v' AND round = $round AND test = 'c' \g (format=unaligned tuples_only=on)
SQL
}

echo "== (c) one UPDATE of all $rows rows, median of $repeats"
for (( round = 1; round <= repeats; round++ )); do
    # The order rotates by one variant from round to round.
    n=${#run_variants[@]}
    order=()
    for (( i = 0; i < n; i++ )); do order+=("${run_variants[(i + round - 1) % n]}"); done
    for v in "${order[@]}"; do all_rows_run "$v" "$round"; done
done

echo "== (b) single-row INSERT, $clients clients, ${seconds}s per variant"
pgbench_test b ins "${run_variants[@]}"

elapsed=$(( $(date +%s) - started_at ))
echo
echo "== results ($rows rows; (a), (b): mean TPS of $rounds x ${run_seconds}s pgbench runs," \
     "$clients clients; (c): median of $repeats, EXPLAIN ANALYZE Execution Time)"
q -v ticks="$ticks_per_second" <<'SQL'
\pset footer off
CREATE TEMP VIEW s AS
SELECT test, variant,
       CASE WHEN test IN ('a', 'b') THEN avg(value)
            ELSE percentile_cont(0.5) WITHIN GROUP (ORDER BY value) END AS v,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY client_ms) AS client_ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY trigger_ms) AS trigger_ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY wal_bytes) AS wal_bytes,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY apply_ms) AS apply_ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY apply_wal_bytes) AS apply_wal_bytes,
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
\echo Every variant against untracked (on this server) and against replica (untracked on the replica
\echo server, when run); (a), (b): TPS ratios (higher is better), (c): time ratios (lower is better).
\echo WAL bytes per change: the WAL of the run (server insert position before and after) / row changes;
\echo for wal, the WAL of the writers, and apart the WAL of the applier (applying the backlog after the
\echo run, timed: applied events/s; with a running capture worker the two are not separable).
\echo CPU µs/change: the CPU time the server (all its processes) spent on the run / row changes
\echo (applier: on applying the backlog); robust to other load on the machine, unlike TPS.
SELECT CASE r.test WHEN 'a' THEN '(a) 1-row UPDATE, TPS'
                   WHEN 'b' THEN '(b) 1-row INSERT, TPS'
                   ELSE '(c) UPDATE all rows, ms' END AS test,
       r.variant,
       round(s.v::numeric, CASE WHEN r.test = 'c' THEN 1 ELSE 0 END) AS value,
       round((s.v / u.v)::numeric, 3) AS "/untracked",
       round((s.v / rep.v)::numeric, 3) AS "/replica",
       round((sum(r.wal_bytes) / sum(r.changes))::numeric) AS "WAL B/change",
       round((sum(r.apply_wal_bytes) / sum(r.changes))::numeric) AS "applier WAL B/change",
       round((sum(r.events) * 1000 / sum(r.apply_ms))::numeric) AS "applied events/s",
       round((sum(r.cpu_ticks) * 1000000 / :ticks / sum(r.changes))::numeric, 1) AS "CPU µs/change",
       round((sum(r.apply_cpu_ticks) * 1000000 / :ticks / sum(r.changes))::numeric, 1) AS "applier CPU µs/change",
       CASE WHEN bool_and(r.events = r.expected) THEN 'ok' ELSE 'WRONG' END AS events
FROM bench_result r
JOIN s ON s.test = r.test AND s.variant = r.variant
LEFT JOIN s u ON u.test = r.test AND u.variant = 'untracked'
LEFT JOIN s rep ON rep.test = r.test AND rep.variant = 'replica'
GROUP BY r.test, r.variant, s.v, u.v, rep.v
ORDER BY r.test, array_position(ARRAY['untracked', 'replica', 'tracked', 'wal', 'floor', 'floor0', 'plpgsql'], r.variant);

\echo
\echo floor = the untracked statement and a plain INSERT of the same events into eventlog, one statement;
\echo floor0 = the same into an unindexed copy of eventlog. (c) in detail, medians: server = EXPLAIN ANALYZE
\echo Execution Time (incl. triggers, excl. commit); with commit = the statement and its commit timed by psql.
SELECT variant,
       round(v::numeric, 1) AS server_ms,
       round(coalesce(trigger_ms, 0)::numeric, 1) AS trigger_ms,
       round(client_ms::numeric, 1) AS with_commit_ms,
       round((wal_bytes / 1048576)::numeric, 1) AS wal_mb,
       round(apply_ms::numeric, 1) AS apply_ms,
       round((apply_wal_bytes / 1048576)::numeric, 1) AS apply_wal_mb
FROM s WHERE test = 'c'
ORDER BY array_position(ARRAY['untracked', 'replica', 'tracked', 'wal', 'floor', 'floor0', 'plpgsql'], variant);
\echo
\echo spread: lowest and highest single run of each variant
SELECT test, variant,
       round(lo::numeric, CASE WHEN test IN ('a', 'b') THEN 0 ELSE 1 END) AS lowest,
       round(hi::numeric, CASE WHEN test IN ('a', 'b') THEN 0 ELSE 1 END) AS highest
FROM s
ORDER BY test, array_position(ARRAY['untracked', 'replica', 'tracked', 'wal', 'floor', 'floor0', 'plpgsql'], variant);
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
