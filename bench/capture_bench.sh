#!/usr/bin/env bash
# bench/capture_bench.sh — WAL capture (eventlog_track(..., capture => 'wal'))
# measured against its goals, in three parts, each on throw-away clusters of
# its own:
#
#   write      the write path, CPU-bound (fsync, synchronous_commit and
#              full_page_writes off): bench/track_bench.sh with the wal
#              variant, the capture worker paused (eventlog.capture_worker =
#              off: the backlog is applied after each run, timed apart), on a
#              server at wal_level = logical, and the replica variant: the
#              untracked table on a second server at wal_level = replica.
#              Goals: 1-row UPDATE and 1-row INSERT TPS >= 0.90 of untracked,
#              the UPDATE of all rows <= 1.3x its time; WAL bytes per change.
#   sustained  pgbench's TPC-B-like script (pgbench_accounts, _tellers and
#              _branches tracked: 3 events per transaction; pgbench_history,
#              without a key, is not), BENCH_CLIENTS (8) clients for
#              BENCH_SUSTAINED_SECONDS (120) per variant: untracked, trigger
#              (trigger capture), wal (WAL capture, the worker applying as
#              the writers run), first with durable commits (fsync and
#              synchronous_commit on), then CPU-bound (fsync off,
#              full_page_writes off). Goals: durable, wal TPS >= 0.90 of
#              untracked and commit-to-visible lag p99 < 1 s; every event
#              exactly once; CPU-bound, wal TPS >= trigger's. CPU-bound, the
#              applier (one process among the writers' backends) gets its
#              share of two cores and falls behind; BENCH_CPU_EXTRA adds
#              runs that keep it up: wal-bounded (the default: WAL capture
#              with eventlog.capture_max_lag = BENCH_MAX_LAG, 16MB: writers
#              wait while the worker is further behind) and wal-paced
#              (pgbench -R at the trigger variant's TPS).
#   drain      the applier's drain rate: a backlog written with the worker
#              paused, then applied by eventlog_capture_apply() (in a
#              session) and by the worker (turned on; timed from its start
#              until eventlog_capture_wait returns), against the floor: the
#              same event rows inserted by one INSERT ... SELECT into the log
#              with its indexes, in the same run. Goal: >= 0.8 of the floor.
#
# Usage:
#   bench/capture_bench.sh                         # all three parts (about 35 minutes)
#   BENCH_PARTS="sustained" bench/capture_bench.sh
#   BENCH_SUSTAINED_SECONDS=20 BENCH_WRITE_SECONDS=8 BENCH_DRAIN_ROUNDS=1 bench/capture_bench.sh   # quick
#
# Builds the extension and installs it into the installation of the
# pg_config on PATH (BENCH_NO_BUILD=1: use what is installed there; on a
# shared machine, put a private copy of the installation first on PATH).
# Runs as root (the servers then run as postgres) or as a user that can run
# initdb. Output goes to the terminal and to build/bench/capture_*.txt.
#
# Environment:
#   BENCH_PARTS              the parts to run ("write sustained drain")
#   EVENTLOG_BENCH_PORT      the first of the two ports used (54341)
#   write:     BENCH_WRITE_SECONDS (20), BENCH_WRITE_ROUNDS (4), BENCH_WRITE_REPEATS (3),
#              BENCH_WRITE_ROWS (100000), BENCH_WRITE_VARIANTS ("tracked wal replica floor"),
#              as BENCH_SECONDS, BENCH_ROUNDS, ... of track_bench.sh
#   sustained: BENCH_SUSTAINED_SECONDS (120), BENCH_SUSTAINED_ROUNDS (1),
#              BENCH_CLIENTS (8), BENCH_SCALE (pgbench scale, 10),
#              BENCH_SUSTAINED_MODES ("durable cpu"), BENCH_LAG_INTERVAL_MS (20)
#   drain:     BENCH_DRAIN_ROWS (100000), BENCH_DRAIN_STATEMENTS (3: bulk
#              UPDATEs of all rows per backlog), BENCH_DRAIN_SMALL_SECONDS
#              (10: pgbench 1-row UPDATEs, 2 clients, per small-transaction
#              backlog), BENCH_DRAIN_ROUNDS (3)
#
# Lag (sustained): a sampler session (a procedure, one short transaction per
# sample, every BENCH_LAG_INTERVAL_MS) records (clock_timestamp(), max(id)
# of eventlog) from before pgbench starts until every change is applied.
# With WAL capture the worker is the only writer of the log, and it writes
# events in id order, in transactions that commit one after the other: an
# event is visible from the first sample whose max(id) reaches its id, and
# not before the previous sample. Its lag is that sample's time minus the
# commit time of the transaction that made the change
# (pg_xact_commit_timestamp(transaction_id), track_commit_timestamp = on):
# commit-to-visible, rounded up to the sampling interval. The statement's
# own time (the event's "timestamp") gives a second, larger figure
# (statement-to-visible). With trigger capture the events commit with the
# change (lag 0 by construction); the sampler runs in every variant all the
# same, so that all pay for it.
#
# Exactly once (sustained): the tables are created anew by pgbench -i for
# each run, so pgbench_history holds one row per committed transaction.
# Each transaction with a delta other than 0 changes one row of each tracked
# table (a delta of 0 changes nothing: no event), so there must be 3 events
# per such transaction, one per table, all with its transaction_id, and the
# (row, delta) of the events of each table (new - old balance) must equal,
# as multisets, the (aid / tid / bid, delta) of pgbench_history.
set -euo pipefail
cd "$(dirname "$0")/.."

parts=${BENCH_PARTS:-"write sustained drain"}
port=${EVENTLOG_BENCH_PORT:-54341}
replica_port=$(( port + 1 ))
clients=${BENCH_CLIENTS:-8}
scale=${BENCH_SCALE:-10}
sustained_seconds=${BENCH_SUSTAINED_SECONDS:-120}
sustained_rounds=${BENCH_SUSTAINED_ROUNDS:-1}
sustained_modes=${BENCH_SUSTAINED_MODES:-"durable cpu"}
cpu_extra=${BENCH_CPU_EXTRA:-"wal-bounded"}
max_lag=${BENCH_MAX_LAG:-16MB}
lag_interval_ms=${BENCH_LAG_INTERVAL_MS:-20}
drain_rows=${BENCH_DRAIN_ROWS:-100000}
drain_statements=${BENCH_DRAIN_STATEMENTS:-3}
drain_small_seconds=${BENCH_DRAIN_SMALL_SECONDS:-10}
drain_rounds=${BENCH_DRAIN_ROUNDS:-3}
for v in port clients scale sustained_seconds sustained_rounds lag_interval_ms drain_rows drain_statements \
         drain_small_seconds drain_rounds; do
    if ! [[ "${!v}" =~ ^[1-9][0-9]*$ ]]; then
        echo "capture_bench: $v must be a positive integer" >&2
        exit 2
    fi
done

if [[ "${BENCH_NO_BUILD:-0}" != 1 ]]; then
    make -s -j2 >/dev/null
    make -s install >/dev/null
fi
mkdir -p build/bench

tmp=$(mktemp -d /tmp/eventlog-capture-bench.XXXXXX)
[[ "$(id -u)" == 0 ]] && chmod 755 "$tmp"
# cluster_start NAME PORT FSYNC OPTIONS: a new cluster in $tmp/NAME.
cluster_start() {
    PG_CLUSTER_FSYNC=$3 PG_CLUSTER_OPTIONS="$4" scripts/pg-cluster start "$tmp/$1" "$2"
}
cluster_stop() {
    scripts/pg-cluster stop "$tmp/$1"
    rm -rf "${tmp:?}/$1"
}
# (the parts run in subshells: every cluster left in $tmp is stopped)
finish() {
    local dir
    for dir in "$tmp"/*/; do
        [[ -f $dir/data/postmaster.pid ]] && { scripts/pg-cluster stop "$dir" 2>/dev/null || true; }
    done
    rm -rf "$tmp"
}
trap finish EXIT

export PGUSER=postgres
# psql on database $db of the server at $PGHOST/$PGPORT
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
q1() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
# ms SQL: the statement's time (psql \timing, the commit included), in ms
ms() { q -A -t -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1; }
now_ms() { date +%s%3N; }
# worker_pid: the capture worker of $db ('' when none)
worker_pid() { q1 "SELECT worker_pid FROM eventlog_capture_status"; }
# set_worker on|off: eventlog.capture_worker, and wait until the worker runs
# (on) or is gone and its slot free (off).
set_worker() {
    local i
    q -c "ALTER SYSTEM SET eventlog.capture_worker = $1" -c "SELECT pg_reload_conf()" >/dev/null
    for (( i = 0; i < 3000; i++ )); do
        if [[ $1 == on ]]; then
            [[ -n "$(worker_pid)" ]] && return 0
        else
            [[ -z "$(worker_pid)" && "$(q1 "SELECT count(*) FROM pg_replication_slots WHERE active")" == 0 ]] && return 0
        fi
        sleep 0.01
    done
    echo "capture_bench: the capture worker did not turn $1" >&2
    exit 1
}
# shellcheck source=bench/cpu.bash
source bench/cpu.bash
# cpu_ticks PID: user + system CPU time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_per_second=$(getconf CLK_TCK)

echo "command: $0${*:+ $*}"
echo "env: BENCH_PARTS=\"$parts\" EVENTLOG_BENCH_PORT=$port PATH's pg_config: $(command -v pg_config)"
echo "machine: $(nproc) CPUs, $(uname -sr), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "source: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src extension 2>/dev/null || echo ' (src/extension modified)')"
echo "module: $(pg_config --pkglibdir)/eventlog.so ($(md5sum <"$(pg_config --pkglibdir)/eventlog.so" | cut -c1-12))"

# --- write -------------------------------------------------------------------

cpu_options="-c synchronous_commit=off -c full_page_writes=off -c max_wal_size=8GB -c checkpoint_timeout=30min"

part_write() {
    echo
    echo "=== write: the write path, CPU-bound; WAL capture's worker paused"
    cluster_start logical "$port" off "-c wal_level=logical -c shared_preload_libraries=eventlog $cpu_options"
    cluster_start replica "$replica_port" off "-c wal_level=replica $cpu_options"
    db=postgres PGHOST=$tmp/logical PGPORT=$port q \
        -c "ALTER SYSTEM SET eventlog.capture_worker = off" -c "SELECT pg_reload_conf()" >/dev/null
    PGHOST=$tmp/logical PGPORT=$port BENCH_REPLICA_HOST=$tmp/replica BENCH_REPLICA_PORT=$replica_port \
    BENCH_SECONDS=${BENCH_WRITE_SECONDS:-20} BENCH_ROUNDS=${BENCH_WRITE_ROUNDS:-4} \
    BENCH_REPEATS=${BENCH_WRITE_REPEATS:-3} BENCH_ROWS=${BENCH_WRITE_ROWS:-100000} \
    BENCH_VARIANTS=${BENCH_WRITE_VARIANTS:-"tracked wal replica floor"} BENCH_KEEP_DB=1 BENCH_DB=eventlog_bench \
        bench/track_bench.sh
    echo
    echo "== write: goals (WAL capture, worker paused, against untracked on the same server and on the replica server)"
    db=eventlog_bench PGHOST=$tmp/logical PGPORT=$port q <<'SQL'
\pset footer off
WITH s AS (SELECT test, variant,
                  CASE WHEN test IN ('a', 'b') THEN avg(value)
                       ELSE percentile_cont(0.5) WITHIN GROUP (ORDER BY value) END AS v,
                  sum(wal_bytes) / sum(changes) AS wal_per_change,
                  sum(cpu_ticks) / sum(changes) AS cpu_per_change,
                  bool_and(events = expected) AS events_ok
           FROM bench_result GROUP BY test, variant),
     g AS (SELECT test,
                  max(v) FILTER (WHERE variant = 'wal') / max(v) FILTER (WHERE variant = 'untracked') AS r,
                  max(v) FILTER (WHERE variant = 'wal') / max(v) FILTER (WHERE variant = 'replica') AS rr,
                  max(wal_per_change) FILTER (WHERE variant = 'untracked') AS wu,
                  max(wal_per_change) FILTER (WHERE variant = 'tracked') AS wt,
                  max(wal_per_change) FILTER (WHERE variant = 'wal') AS ww,
                  max(wal_per_change) FILTER (WHERE variant = 'replica') AS wr,
                  max(cpu_per_change) FILTER (WHERE variant = 'wal') / max(cpu_per_change) FILTER (WHERE variant = 'untracked') AS cr,
                  max(cpu_per_change) FILTER (WHERE variant = 'wal') / max(cpu_per_change) FILTER (WHERE variant = 'replica') AS crr,
                  bool_and(events_ok) AS ok
           FROM s GROUP BY test)
SELECT CASE test WHEN 'a' THEN '1-row UPDATE, TPS ratio' WHEN 'b' THEN '1-row INSERT, TPS ratio'
                 ELSE 'UPDATE of all rows, time ratio' END AS test,
       CASE test WHEN 'c' THEN '<= 1.3' ELSE '>= 0.90' END AS goal,
       round(r::numeric, 3) AS "wal/untracked",
       CASE WHEN (test = 'c' AND r <= 1.3) OR (test <> 'c' AND r >= 0.9) THEN 'met' ELSE 'MISSED' END AS verdict,
       round(rr::numeric, 3) AS "wal/untracked@replica",
       round(cr::numeric, 3) AS "CPU/change wal/untracked", round(crr::numeric, 3) AS "wal/untracked@replica",
       round(wu::numeric) AS "WAL B/change untracked", round(wt::numeric) AS "trigger",
       round(ww::numeric) AS "wal (writers)", round(wr::numeric) AS "untracked@replica",
       CASE WHEN ok THEN 'ok' ELSE 'WRONG' END AS events
FROM g ORDER BY g.test;
SQL
    cluster_stop logical
    cluster_stop replica
}

# --- sustained -----------------------------------------------------------------

# The sampler of the lag, and the results.
sustained_setup_sql() {
    cat <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION eventlog;
CREATE UNLOGGED TABLE lag_sample (t timestamptz, max_id bigint, insert_lsn pg_lsn);
CREATE UNLOGGED TABLE lag_stop (stop boolean);
CREATE PROCEDURE lag_sampler(interval_ms int, max_seconds int)
LANGUAGE plpgsql AS $$
DECLARE
    deadline timestamptz := clock_timestamp() + max_seconds * interval '1 second';
BEGIN
    LOOP
        -- the snapshot is taken before clock_timestamp() is read: t is at or
        -- after the moment max_id was visible
        INSERT INTO lag_sample SELECT clock_timestamp(), (SELECT max(id) FROM eventlog), pg_current_wal_insert_lsn();
        COMMIT;
        EXIT WHEN clock_timestamp() > deadline OR EXISTS (SELECT FROM lag_stop);
        PERFORM pg_sleep(interval_ms / 1000.0);
    END LOOP;
END
$$;
CREATE TABLE sustained_result (
    mode text, variant text, round int,
    tps float8, transactions bigint, history bigint, changing bigint,
    events bigint, event_transactions bigint, bad_transactions bigint, duplicates bigint, differing bigint,
    ok boolean,
    lag_p50_ms float8, lag_p99_ms float8, lag_max_ms float8,
    stmt_lag_p99_ms float8, stmt_lag_max_ms float8, lag_events bigint,
    pending_at_end bigint, tail_ms float8, worker_cpu_s float8, wal_bytes float8, latency_ms float8,
    rate float8, server_cpu_s float8);
SQL
}

# track_pgbench VARIANT: tracks the three keyed tables for the variant.
track_pgbench() {
    local t
    for t in pgbench_accounts pgbench_tellers pgbench_branches; do
        case $1 in
            trigger) q1 "SELECT eventlog_track('$t')" >/dev/null ;;
            wal*) q1 "SELECT eventlog_track('$t', capture => 'wal')" >/dev/null ;;
        esac
    done
}
# untrack_pgbench: stops tracking them (for WAL capture: the pending changes
# are applied, and the slot goes with the last table).
untrack_pgbench() {
    local t
    for t in pgbench_accounts pgbench_tellers pgbench_branches; do
        q1 "SELECT eventlog_untrack('$t') FROM pg_class WHERE oid = to_regclass('$t')" >/dev/null
    done
}

# sustained_run MODE VARIANT ROUND [RATE]: VARIANT untracked, trigger, wal,
# or wal-paced (WAL capture, pgbench -R RATE: the trigger variant's TPS)
sustained_run() {
    local mode=$1 v=$2 round=$3 rate=${4:-} out tps txns latency before lsn wal_bytes pid=0 cpu0=0 cpu1=0 sampler
    local pending=NULL tail_ms=NULL worker_cpu=NULL server0 server1 pace=()
    [[ -n $rate ]] && pace=(-R "$rate")
    echo "-- $mode, $v, round $round: pgbench -i -s $scale${rate:+; then pgbench -R $rate}"
    pgbench -i -q -s "$scale" "$db" >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; exit 1; }
    track_pgbench "$v"
    if [[ $v == wal-bounded ]]; then
        q -c "ALTER SYSTEM SET eventlog.capture_max_lag = '$max_lag'" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    q -c "VACUUM ANALYZE" -c "CHECKPOINT"
    if [[ $v == wal* ]]; then
        set_worker on
        pid=$(worker_pid)
        cpu0=$(cpu_ticks "$pid")
    elif [[ "$(q1 "SELECT count(*) FROM pg_replication_slots")" != 0 ]]; then
        echo "capture_bench: a replication slot exists during the $v run" >&2
        exit 1
    fi
    before=$(q1 "SELECT coalesce(max(id), 0) FROM eventlog")
    q -c "TRUNCATE lag_sample, lag_stop"
    PGOPTIONS='-c synchronous_commit=off' psql -X -q -d "$db" \
        -c "CALL lag_sampler($lag_interval_ms, $(( sustained_seconds + 600 )))" &
    sampler=$!
    lsn=$(q1 "SELECT pg_current_wal_insert_lsn()")
    server0=$(server_cpu_ticks "$PGHOST/data")
    out=$(pgbench -n -b tpcb-like -c "$clients" -j "$clients" -T "$sustained_seconds" "${pace[@]}" "$db" 2>&1) || {
        echo "$out" >&2
        echo "capture_bench: pgbench failed" >&2
        kill "$sampler" 2>/dev/null || true
        exit 1
    }
    wal_bytes=$(q1 "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn')")
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
    txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    latency=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out")
    if [[ $v == wal* ]]; then
        pending=$(q1 "SELECT pending_bytes FROM eventlog_capture_status")
        tail_ms=$(ms "SELECT eventlog_capture_wait(NULL)")
        cpu1=$(cpu_ticks "$pid")
        [[ "$(worker_pid)" != "$pid" ]] && echo "  (the capture worker changed during the run: its CPU time is partial)"
        worker_cpu=$(awk "BEGIN { print ($cpu1 - $cpu0) / $ticks_per_second }")
    fi
    # (what the server spent on the run, the backlog applied after it included)
    server1=$(server_cpu_ticks "$PGHOST/data")
    sleep 0.2
    q -c "INSERT INTO lag_stop VALUES (true)"
    wait "$sampler"
    q -v mode="$mode" -v variant="$v" -v round="$round" -v before="$before" -v tps="$tps" -v txns="$txns" \
      -v pending="$pending" -v tail_ms="$tail_ms" -v worker_cpu="$worker_cpu" -v wal_bytes="$wal_bytes" \
      -v latency="$latency" -v seconds="$sustained_seconds" -v rate="${rate:-NULL}" \
      -v server_cpu="$(awk "BEGIN { print ($server1 - $server0) / $ticks_per_second }")" <<'SQL'
CREATE TEMP TABLE e AS
SELECT id, "timestamp", transaction_id, object_table, object_id,
       ((changes -> 'new_value' ->> CASE object_table WHEN 'pgbench_accounts'::regclass THEN 'abalance'
                                                     WHEN 'pgbench_tellers'::regclass THEN 'tbalance'
                                                     ELSE 'bbalance' END)::int
      - (changes -> 'old_value' ->> CASE object_table WHEN 'pgbench_accounts'::regclass THEN 'abalance'
                                                     WHEN 'pgbench_tellers'::regclass THEN 'tbalance'
                                                     ELSE 'bbalance' END)::int) AS delta
FROM eventlog WHERE id > :before;
CREATE TEMP TABLE h AS SELECT aid, tid, bid, delta FROM pgbench_history;
CREATE TEMP TABLE c AS
SELECT (SELECT count(*) FROM h) AS history,
       (SELECT count(*) FROM h WHERE delta <> 0) AS changing,
       (SELECT count(*) FROM e) AS events,
       (SELECT count(DISTINCT transaction_id) FROM e) AS event_transactions,
       (SELECT count(*) FROM (SELECT FROM e GROUP BY transaction_id
                              HAVING count(*) <> 3 OR count(DISTINCT object_table) <> 3) x) AS bad_transactions,
       (SELECT count(*) FROM (SELECT FROM e GROUP BY transaction_id, object_table HAVING count(*) > 1) x) AS duplicates,
       (SELECT count(*) FROM (
           (SELECT 'a' AS t, aid::text AS k, delta FROM h WHERE delta <> 0
            UNION ALL SELECT 't', tid::text, delta FROM h WHERE delta <> 0
            UNION ALL SELECT 'b', bid::text, delta FROM h WHERE delta <> 0
            EXCEPT ALL
            SELECT CASE object_table WHEN 'pgbench_accounts'::regclass THEN 'a'
                                     WHEN 'pgbench_tellers'::regclass THEN 't' ELSE 'b' END, object_id, delta FROM e)
           UNION ALL
           (SELECT CASE object_table WHEN 'pgbench_accounts'::regclass THEN 'a'
                                     WHEN 'pgbench_tellers'::regclass THEN 't' ELSE 'b' END, object_id, delta FROM e
            EXCEPT ALL
            (SELECT 'a' AS t, aid::text AS k, delta FROM h WHERE delta <> 0
             UNION ALL SELECT 't', tid::text, delta FROM h WHERE delta <> 0
             UNION ALL SELECT 'b', bid::text, delta FROM h WHERE delta <> 0))) d) AS differing;
-- Lag (WAL capture): the first sample whose max(id) reaches the event.
CREATE TEMP TABLE l AS
SELECT e.id, s.t - pg_xact_commit_timestamp(e.transaction_id::xid) AS lag, s.t - e."timestamp" AS stmt_lag
FROM (SELECT t, max_id, lag(max_id) OVER (ORDER BY t) AS prev FROM lag_sample) s
JOIN e ON e.id > s.prev AND e.id <= s.max_id
WHERE :'variant' LIKE 'wal%';
INSERT INTO sustained_result
SELECT :'mode', :'variant', :round, :tps, :txns, c.history, c.changing, c.events, c.event_transactions,
       c.bad_transactions, c.duplicates, c.differing,
       CASE WHEN :'variant' = 'untracked' THEN c.events = 0
            ELSE c.events = 3 * c.changing AND c.event_transactions = c.changing AND c.bad_transactions = 0
                 AND c.duplicates = 0 AND c.differing = 0 AND c.history = :txns END,
       (SELECT 1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY lag)) FROM l),
       (SELECT 1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY lag)) FROM l),
       (SELECT 1000 * extract(epoch FROM max(lag)) FROM l),
       (SELECT 1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY stmt_lag)) FROM l),
       (SELECT 1000 * extract(epoch FROM max(stmt_lag)) FROM l),
       (SELECT count(lag) FROM l),
       nullif(:'pending', 'NULL')::bigint, nullif(:'tail_ms', 'NULL')::float8,
       nullif(:'worker_cpu', 'NULL')::float8, :wal_bytes, :latency, :rate, :server_cpu
FROM c;
SELECT format('  %s TPS (%s transactions, %s in pgbench_history, %s changing), latency %s ms, %s WAL bytes/txn, '
              'server CPU %s µs/txn; events %s: %s%s',
              round(tps::numeric), transactions, history, changing, round(latency_ms::numeric, 2),
              round((wal_bytes / transactions)::numeric), round((server_cpu_s * 1000000 / transactions)::numeric),
              events, CASE WHEN ok THEN 'ok' ELSE 'WRONG' END,
              CASE WHEN NOT ok THEN format(' (%s transactions with events, %s not with 3 events of 3 tables, '
                                           '%s doubled, %s (row, delta) differing from pgbench_history)',
                                           event_transactions, bad_transactions, duplicates, differing) ELSE '' END)
       || CASE WHEN variant LIKE 'wal%'
               THEN format(E'\n  lag commit-to-visible p50 %s ms, p99 %s ms, max %s ms (statement-to-visible p99 %s, max %s; %s events); '
                           'at the end %s bytes pending, applied %s ms later; worker CPU %s s (%s%% of the run)',
                           round(lag_p50_ms::numeric), round(lag_p99_ms::numeric), round(lag_max_ms::numeric),
                           round(stmt_lag_p99_ms::numeric), round(stmt_lag_max_ms::numeric), lag_events,
                           pending_at_end, round(tail_ms::numeric), worker_cpu_s,
                           round((100 * worker_cpu_s / :'seconds')::numeric))
               ELSE '' END
FROM sustained_result WHERE mode = :'mode' AND variant = :'variant' AND round = :round
\g (format=unaligned tuples_only=on)
DROP TABLE e, h, c, l;
SQL
    if [[ $v == wal-bounded ]]; then
        q -c "ALTER SYSTEM RESET eventlog.capture_max_lag" -c "SELECT pg_reload_conf()" >/dev/null
    fi
    if [[ $v == wal* ]]; then
        untrack_pgbench
        set_worker off
    elif [[ $v == trigger ]]; then
        untrack_pgbench
    fi
}

part_sustained() {
    local mode fsync options order round i v
    for mode in $sustained_modes; do
        case $mode in
            durable) fsync=on; options="" ;;
            cpu) fsync=off; options="-c full_page_writes=off" ;;
            *) echo "capture_bench: unknown mode $mode (durable, cpu)" >&2; exit 2 ;;
        esac
        echo
        echo "=== sustained, $mode (fsync=$fsync${options:+, ${options//-c /}}): pgbench tpcb-like, scale $scale," \
             "$clients clients, ${sustained_seconds}s per variant"
        cluster_start sustained "$port" "$fsync" \
            "-c wal_level=logical -c shared_preload_libraries=eventlog -c track_commit_timestamp=on -c max_wal_size=8GB -c checkpoint_timeout=30min $options"
        export PGHOST=$tmp/sustained PGPORT=$port
        db=eventlog_capture_bench
        createdb "$db"
        sustained_setup_sql | q
        # The worker runs only for the wal variant (no slot otherwise).
        q -c "ALTER SYSTEM SET eventlog.capture_worker = off" -c "SELECT pg_reload_conf()" >/dev/null
        q -c "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes',
              'wal_level', 'shared_buffers', 'max_wal_size', 'track_commit_timestamp', 'shared_preload_libraries')
              ORDER BY name"
        for (( round = 1; round <= sustained_rounds; round++ )); do
            if (( round % 2 == 1 )); then order=(untracked trigger wal); else order=(wal trigger untracked); fi
            for v in "${order[@]}"; do sustained_run "$mode" "$v" "$round"; done
            # CPU-bound, the applier may fall behind the writers: WAL capture
            # again, paced at the trigger variant's TPS of this round (does
            # the applier keep up at the throughput trigger capture has?)
            if [[ $mode == cpu ]]; then
                for v in $cpu_extra; do
                    case $v in
                        wal-paced)
                            sustained_run "$mode" wal-paced "$round" \
                                "$(q1 "SELECT round(tps) FROM sustained_result WHERE mode = 'cpu' AND variant = 'trigger' AND round = $round")" ;;
                        wal-bounded) sustained_run "$mode" wal-bounded "$round" ;;
                        *) echo "capture_bench: unknown BENCH_CPU_EXTRA variant $v (wal-paced, wal-bounded)" >&2; exit 2 ;;
                    esac
                done
            fi
        done
        echo
        echo "== sustained, $mode: results (means over rounds; ratios of TPS)"
        q -v seconds="$sustained_seconds" <<'SQL'
\pset footer off
WITH s AS (SELECT variant, avg(tps) AS tps, bool_and(ok) AS ok, max(lag_p99_ms) AS p99, max(lag_max_ms) AS mx,
                  max(stmt_lag_p99_ms) AS sp99, max(stmt_lag_max_ms) AS smx, sum(events) AS events,
                  sum(wal_bytes) / sum(transactions) AS wal_per_txn, avg(worker_cpu_s) AS cpu,
                  sum(server_cpu_s) / sum(transactions) AS cpu_per_txn, max(pending_at_end) AS pending
           FROM sustained_result GROUP BY variant)
SELECT s.variant, round(s.tps::numeric) AS tps,
       round((s.tps / u.tps)::numeric, 3) AS "/untracked",
       round((s.tps / t.tps)::numeric, 3) AS "/trigger",
       round((s.cpu_per_txn * 1000000)::numeric) AS "CPU µs/txn",
       round((s.cpu_per_txn / u.cpu_per_txn)::numeric, 3) AS "CPU/untracked",
       round(s.wal_per_txn::numeric) AS "WAL B/txn",
       s.events, CASE WHEN s.ok THEN 'ok' ELSE 'WRONG' END AS "exactly once",
       round(s.p99::numeric) AS "lag p99 ms", round(s.mx::numeric) AS "lag max ms",
       round(s.sp99::numeric) AS "stmt lag p99 ms", round(s.smx::numeric) AS "stmt lag max ms",
       round(s.cpu::numeric, 1) AS "worker CPU s", s.pending AS "pending at end, bytes"
FROM s, s u, s t WHERE u.variant = 'untracked' AND t.variant = 'trigger'
ORDER BY array_position(ARRAY['untracked', 'trigger', 'wal', 'wal-paced', 'wal-bounded'], s.variant);
\echo CPU µs/txn: the CPU time all the processes of the server spent on the run (the backlog applied after it
\echo included) / transactions: the cost of a variant whatever else ran on the machine. Lag: see the header.
SQL
        q -v mode="$mode" -v max_lag="$max_lag" <<'SQL'
\pset footer off
WITH s AS (SELECT variant, avg(tps) AS tps, bool_and(ok) AS ok, max(lag_p99_ms) AS p99, max(lag_max_ms) AS mx,
                  sum(server_cpu_s) / sum(transactions) AS cpu, avg(rate) AS rate
           FROM sustained_result GROUP BY variant),
     g AS (SELECT (SELECT tps FROM s WHERE variant = 'wal') AS w, (SELECT tps FROM s WHERE variant = 'untracked') AS u,
                  (SELECT tps FROM s WHERE variant = 'trigger') AS t, (SELECT p99 FROM s WHERE variant = 'wal') AS p99,
                  (SELECT mx FROM s WHERE variant = 'wal') AS mx,
                  (SELECT cpu FROM s WHERE variant = 'wal') / (SELECT cpu FROM s WHERE variant = 'untracked') AS wcu,
                  (SELECT cpu FROM s WHERE variant = 'wal') / (SELECT cpu FROM s WHERE variant = 'trigger') AS wct,
                  (SELECT tps FROM s WHERE variant = 'wal-paced') AS pw, (SELECT rate FROM s WHERE variant = 'wal-paced') AS pr,
                  (SELECT p99 FROM s WHERE variant = 'wal-paced') AS pp99, (SELECT mx FROM s WHERE variant = 'wal-paced') AS pmx,
                  (SELECT tps FROM s WHERE variant = 'wal-bounded') AS bw,
                  (SELECT p99 FROM s WHERE variant = 'wal-bounded') AS bp99, (SELECT mx FROM s WHERE variant = 'wal-bounded') AS bmx,
                  (SELECT bool_and(ok) FROM s) AS ok)
SELECT goal, verdict FROM g, LATERAL (VALUES
    ('wal TPS >= 0.90 of untracked: ' || round((w / u)::numeric, 3) || ' (CPU per transaction: '
     || round(wcu::numeric, 2) || 'x untracked)',
     CASE WHEN :'mode' <> 'durable' THEN '(durable goal)' WHEN w / u >= 0.9 THEN 'met' ELSE 'MISSED' END),
    ('lag p99 < 1 s: ' || round(p99::numeric) || ' ms (max ' || round(mx::numeric) || ' ms)',
     CASE WHEN :'mode' <> 'durable' THEN '(durable goal; reported)' WHEN p99 < 1000 THEN 'met' ELSE 'MISSED' END),
    ('wal TPS >= trigger TPS: ' || round((w / t)::numeric, 3) || ' (CPU per transaction: '
     || round(wct::numeric, 2) || 'x trigger)',
     CASE WHEN :'mode' <> 'cpu' THEN '(CPU-bound goal)' WHEN w >= t THEN 'met, applier behind (see lag)' ELSE 'MISSED' END),
    ('applier keeping up at the trigger TPS (' || round(pr::numeric) || ', wal-paced): ' || round(pw::numeric)
     || ' TPS, lag p99 ' || round(pp99::numeric) || ' ms, max ' || round(pmx::numeric) || ' ms',
     CASE WHEN :'mode' <> 'cpu' THEN '(CPU-bound goal)' WHEN pw >= 0.98 * pr AND pp99 < 1000 THEN 'met'
          ELSE 'MISSED' END),
    ('applier kept up by eventlog.capture_max_lag = ' || :'max_lag' || ' (wal-bounded): ' || round(bw::numeric)
     || ' TPS = ' || round((bw / t)::numeric, 3) || ' of trigger, lag p99 ' || round(bp99::numeric) || ' ms, max '
     || round(bmx::numeric) || ' ms',
     CASE WHEN :'mode' <> 'cpu' THEN '(CPU-bound goal)' WHEN bw >= t THEN 'met' ELSE 'MISSED' END),
    ('every event exactly once', CASE WHEN ok THEN 'met' ELSE 'MISSED' END)) AS v(goal, verdict)
WHERE goal IS NOT NULL;
SQL
        cluster_stop sustained
        unset PGHOST PGPORT
    done
}

# --- drain ---------------------------------------------------------------------

part_drain() {
    local round i order kind how
    echo
    echo "=== drain: the applier's drain rate against the floor, CPU-bound"
    cluster_start drain "$port" off "-c wal_level=logical -c shared_preload_libraries=eventlog $cpu_options"
    export PGHOST=$tmp/drain PGPORT=$port
    db=eventlog_drain_bench
    createdb "$db"
    q -v rows="$drain_rows" -v table=drain_src -v sample_sql="$PWD/bench/sample_table.sql" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION eventlog;
\i :sample_sql
SELECT eventlog_track('drain_src', exclude_columns => '{updated_at}', capture => 'wal') \g /dev/null
CREATE TABLE drain_result (round int, kind text, how text, events bigint, ms float8, wal_bytes float8,
                           event_bytes float8, cpu_s float8);
VACUUM ANALYZE;
SQL
    q -c "ALTER SYSTEM SET eventlog.capture_worker = off" -c "SELECT pg_reload_conf()" >/dev/null
    set_worker off
    cat >"$tmp/drain_upd.sql" <<EOF
\\set id random(1, $drain_rows)
UPDATE drain_src SET n1 = n1 + 1 WHERE id = :id;
EOF
    # The floor: the events of one UPDATE of all rows (as WAL capture records
    # them), inserted by one statement.
    local floor_sql="INSERT INTO eventlog (actor, message, object_type, object_id, tool, action, changes, db_user,
                                          template_message, object_table)
        SELECT current_user, 'public.drain_src ' || id || ' was updated by ' || current_user || '.',
               'public.drain_src', id::text, 'drain_src', 'update',
               jsonb_build_object('old_value', jsonb_build_object('n1', n1), 'new_value', jsonb_build_object('n1', n1 + 1)),
               current_user, '{object_type} {object_id} was updated by {actor}.', 'drain_src'::regclass
        FROM drain_src"
    # measure ROUND KIND HOW: one measurement, recorded in drain_result.
    measure() {
        local round=$1 kind=$2 how=$3 lsn before events=0 ms=0 t0 t1 i applied cpu0 cpu1
        q -c "VACUUM drain_src" -c "VACUUM eventlog" -c "CHECKPOINT"
        before=$(q1 "SELECT coalesce(max(id), 0) FROM eventlog")
        if [[ $kind == floor ]]; then
            lsn=$(q1 "SELECT pg_current_wal_insert_lsn()")
            cpu0=$(server_cpu_ticks "$PGHOST/data")
            for (( i = 0; i < drain_statements; i++ )); do
                ms=$(awk "BEGIN { print $ms + $(ms "$floor_sql") }")
            done
            events=$(( drain_statements * drain_rows ))
        else
            # the backlog, the worker paused
            if [[ $kind == bulk ]]; then
                for (( i = 0; i < drain_statements; i++ )); do q -c "UPDATE drain_src SET n1 = n1 + 1"; done
                events=$(( drain_statements * drain_rows ))
            else
                events=$(pgbench -n -c 2 -j 2 -T "$drain_small_seconds" -f "$tmp/drain_upd.sql" "$db" 2>&1 |
                         sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
            fi
            q -c "CHECKPOINT"
            lsn=$(q1 "SELECT pg_current_wal_insert_lsn()")
            cpu0=$(server_cpu_ticks "$PGHOST/data")
            if [[ $how == session ]]; then
                ms=$(ms "SELECT eventlog_capture_apply()")
            else
                # from the moment the worker is seen running (polled every 10 ms)
                # until eventlog_capture_wait returns
                q -c "ALTER SYSTEM SET eventlog.capture_worker = on" -c "SELECT pg_reload_conf()" >/dev/null
                for (( i = 0; i < 3000; i++ )); do [[ -n "$(worker_pid)" ]] && break; sleep 0.01; done
                t0=$(now_ms)
                applied=$(q1 "SELECT eventlog_capture_wait(NULL)")
                t1=$(now_ms)
                [[ $applied == t ]] || { echo "capture_bench: the worker did not apply the backlog" >&2; exit 1; }
                ms=$(( t1 - t0 ))
            fi
        fi
        # (the worker's CPU time included: it is the server's)
        cpu1=$(server_cpu_ticks "$PGHOST/data")
        [[ $how == worker ]] && set_worker off
        q -c "INSERT INTO drain_result VALUES ($round, '$kind', '$how', $events, $ms,
                  pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn'),
                  (SELECT avg(pg_column_size(e.*)) FROM eventlog e WHERE id > $before AND id <= $before + 10000),
                  $(awk "BEGIN { print ($cpu1 - $cpu0) / $ticks_per_second }"))"
        local found
        found=$(q1 "SELECT count(*) FROM eventlog WHERE id > $before")
        printf '  round %d %-6s %-8s %8d events in %8.0f ms: %7.0f events/s, %7.0f events/CPU-s%s\n' \
            "$round" "$kind" "$how" "$events" "$ms" "$(awk "BEGIN { print $events * 1000 / $ms }")" \
            "$(awk "BEGIN { print $events * $ticks_per_second / ($cpu1 - $cpu0 + 0.001) }")" \
            "$([[ $found == "$events" ]] || echo "  WRONG: $found events in the log")"
        [[ $found == "$events" ]] || q -c "UPDATE drain_result SET events = -events WHERE round = $round AND kind = '$kind' AND how = '$how'"
    }
    for (( round = 1; round <= drain_rounds; round++ )); do
        if (( round % 2 == 1 )); then
            order=("floor -" "bulk session" "bulk worker" "small session" "small worker")
        else
            order=("small worker" "small session" "bulk worker" "bulk session" "floor -")
        fi
        for i in "${order[@]}"; do read -r kind how <<<"$i"; measure "$round" "$kind" "$how"; done
    done
    echo
    echo "== drain: results (events/s over all rounds; bulk = $drain_statements UPDATEs of $drain_rows rows," \
         "small = ${drain_small_seconds}s of 1-row UPDATEs, 2 clients; floor = the same events by INSERT ... SELECT)"
    q <<'SQL'
\pset footer off
WITH s AS (SELECT kind, how, sum(events) AS events, sum(ms) AS ms, sum(events) * 1000 / sum(ms) AS rate,
                  min(events * 1000 / ms) AS lo, max(events * 1000 / ms) AS hi,
                  sum(events) / sum(cpu_s) AS cpu_rate,
                  sum(wal_bytes) / sum(events) AS wal_per_event, avg(event_bytes) AS event_bytes,
                  bool_and(events > 0) AS ok
           FROM drain_result GROUP BY kind, how)
SELECT s.kind, s.how, s.events, round(s.rate::numeric) AS "events/s",
       round(s.lo::numeric) AS lowest, round(s.hi::numeric) AS highest,
       round((s.rate / f.rate)::numeric, 3) AS "/floor",
       CASE WHEN s.kind = 'floor' THEN '' WHEN s.rate / f.rate >= 0.8 THEN 'met' ELSE 'MISSED' END AS "goal >= 0.8",
       round(s.cpu_rate::numeric) AS "events/CPU-s", round((s.cpu_rate / f.cpu_rate)::numeric, 3) AS "/floor (CPU)",
       round(s.wal_per_event::numeric) AS "WAL B/event", round(s.event_bytes::numeric) AS "B/event (row)",
       CASE WHEN s.ok THEN 'ok' ELSE 'WRONG' END AS events_check
FROM s, s f WHERE f.kind = 'floor'
ORDER BY array_position(ARRAY['floor', 'bulk', 'small'], s.kind), s.how;
SQL
    cluster_stop drain
    unset PGHOST PGPORT
}

for part in $parts; do
    case $part in
        write) part_write 2>&1 | tee build/bench/capture_write.txt ;;
        sustained) part_sustained 2>&1 | tee build/bench/capture_sustained.txt ;;
        drain) part_drain 2>&1 | tee build/bench/capture_drain.txt ;;
        *) echo "capture_bench: unknown part $part (write, sustained, drain)" >&2; exit 2 ;;
    esac
done
