#!/usr/bin/env bash
# Capture from the WAL, exactly once whatever stops in between, on a cluster
# of its own (wal_level = logical, eventlog preloaded; port
# $EVENTLOG_WAL_FAULTS_PORT, default 54352). Every writing transaction also
# writes what it changed into an untracked ledger table, in the same
# transaction: the ledger is the truth of what committed. After each fault
# the events of the WAL-tracked table must equal the ledger: none missing,
# none doubled, none of a transaction that did not commit.
#  * kill -9 of the applying worker, at random moments, while it drains a
#    backlog (a transaction of 2,000 changes among 6,000 small ones);
#  * kill -9 of the worker under steady load;
#  * readers of the log polling it while the worker applies under load;
#  * the server stopped with -m immediate while the worker applies;
#  * a bound on the worker's lag: a writer waits while the worker is behind;
#  * without the preload: the changes wait, eventlog_capture_apply() applies
#    them, once;
#  * a dump restored into another database: the table's writes are refused
#    until its capture has a slot again, then captured.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

port=${EVENTLOG_WAL_FAULTS_PORT:-54352}
dir=$(mktemp -d /tmp/eventlog-walf.XXXXXX)
chmod 755 "$dir"
preload="-c wal_level=logical -c shared_preload_libraries=eventlog -c max_replication_slots=10 -c max_worker_processes=16"
writer_pid=
stopped_pid=
cleanup() {
    [ -n "$stopped_pid" ] && kill -CONT "$stopped_pid" 2>/dev/null
    [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
    PGHOST=$dir "$root/scripts/pg-cluster" stop "$dir"
    rm -rf "$dir"
}
trap cleanup EXIT
start() { PG_CLUSTER_OPTIONS=$1 "$root/scripts/pg-cluster" start "$dir" "$port" >/dev/null || exit 1; }
start "$preload"
export PGHOST=$dir PGPORT=$port
db=walfaults

wait_ready() {
    for _ in $(seq 1 240); do
        psql -X -q -At -d postgres -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "server did not come back" >&2
    return 1
}
wait_capture() { sql "$db" "SELECT eventlog_capture_wait('120 seconds')"; }
# exactly_once: "ledger-rows events missing extra unknown": the events
# (transaction, row, action, new value) against the ledger's rows, as
# multisets (a row changed twice in one transaction has two of each).
exactly_once() {
    sql "$db" "WITH e AS (SELECT transaction_id AS xid, object_id::int AS id, action,
                                 CASE WHEN action = 'delete' THEN NULL ELSE (changes -> 'new_value' ->> 'v')::int END AS v
                          FROM eventlog WHERE object_type = 'public.acct'),
                    l AS (SELECT xid, id, action, v FROM ledger)
               SELECT (SELECT count(*) FROM l) || ' ' || (SELECT count(*) FROM e) || ' ' ||
                      (SELECT count(*) FROM (SELECT * FROM l EXCEPT ALL SELECT * FROM e) m) || ' ' ||
                      (SELECT count(*) FROM (SELECT * FROM e EXCEPT ALL SELECT * FROM l) x) || ' ' ||
                      (SELECT count(*) FROM e WHERE NOT EXISTS (SELECT FROM l WHERE l.xid = e.xid))"
}
expect_exact() {  # NAME
    local r
    r=$(exactly_once)
    local n=${r%% *}
    check "$1: the ledger has thousands of changes" "true" "$([ "${n:-0}" -gt 2000 ] 2>/dev/null && echo true || echo "$n")"
    check "$1: events = committed changes (ledger events missing extra unknown)" "$n $n 0 0 0" "$r"
}
# load N: N small transactions (one UPDATE each), and rolled-back ones
load() {
    cat >"$dir/txn.sql" <<'EOF'
\set id random(1, 500)
BEGIN;
UPDATE acct SET v = v + 1 WHERE id = :id;
INSERT INTO ledger SELECT pg_current_xact_id(), id, v, 'update' FROM acct WHERE id = :id;
COMMIT;
BEGIN;
UPDATE acct SET v = -1 WHERE id = :id;
ROLLBACK;
EOF
    pgbench -n -c 3 -j 1 -t "$1" -f "$dir/txn.sql" "$db" >/dev/null 2>&1
}

fresh_db "$db"
sql "$db" "CREATE EXTENSION eventlog;
           CREATE TABLE acct (id int PRIMARY KEY, v int NOT NULL);
           CREATE TABLE ledger (xid xid8, id int, v int, action text)" >/dev/null
sql "$db" "SELECT eventlog_track('acct', capture => 'wal')" >/dev/null
# 1. A backlog drained by a worker killed at random moments. The worker,
# started for the new slot, is stopped before the first change (else it may
# apply the first rows before it stops).
set_worker off
sql "$db" "BEGIN; INSERT INTO acct SELECT g, 0 FROM generate_series(1, 500) g;
           INSERT INTO ledger SELECT pg_current_xact_id(), g, 0, 'create' FROM generate_series(1, 500) g; COMMIT" >/dev/null
load 1000
sql "$db" "BEGIN; UPDATE acct SET v = v + 100;
           INSERT INTO ledger SELECT pg_current_xact_id(), id, v, 'update' FROM acct;
           SAVEPOINT s; UPDATE acct SET v = -2; ROLLBACK TO SAVEPOINT s;
           UPDATE acct SET v = v + 1000 WHERE id <= 250;
           INSERT INTO ledger SELECT pg_current_xact_id(), id, v, 'update' FROM acct WHERE id <= 250; COMMIT" >/dev/null 2>&1
load 1000
check "with the worker off, the changes wait" "0" "$(sql "$db" "SELECT count(*) FROM eventlog WHERE object_type = 'public.acct'")"
set_worker on
kills=0
for _ in 1 2 3; do
    for _ in $(seq 1 100); do
        pid=$(worker_pid)
        [ -n "$pid" ] && break
        sleep 0.1
    done
    [ -n "$pid" ] || continue
    sleep "0.$((RANDOM % 5 + 1))"
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
    sleep 1
    wait_ready
done
check "the worker was killed while applying" "3" "$kills"
check "after the kills the backlog is applied" "t" "$(wait_capture)"
expect_exact "backlog, worker killed 3 times"

# 2. Steady load, the worker killed meanwhile. The writer reconnects after
# each crash restart (every session ends with it).
(
    end=$((SECONDS + 12))
    while [ $SECONDS -lt $end ]; do
        load 50
    done
) &
writer_pid=$!
for _ in 1 2 3; do
    sleep 3
    pid=$(worker_pid)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    sleep 0.5
    wait_ready
done
wait "$writer_pid"
writer_pid=
wait_ready
check "after steady load the changes are applied" "t" "$(wait_capture)"
expect_exact "steady load, worker killed 3 times"

# 2b. Readers of the log while the worker applies under steady load: a
# reader's snapshot must see the worker's transaction as running (were it
# hidden as a decoding process's is, the reader would take its new events
# for aborted, mark them so, and they would be lost for everyone).
cat >"$dir/reader.sql" <<'EOF2'
SELECT count(*), max(id) FROM eventlog;
EOF2
pgbench -n -c 2 -j 1 -T 10 -f "$dir/reader.sql" "$db" >/dev/null 2>&1 &
reader_pid=$!
(
    end=$((SECONDS + 10))
    while [ $SECONDS -lt $end ]; do
        load 50
    done
)
wait "$reader_pid"
check "with readers polling the log, the changes are applied" "t" "$(wait_capture)"
expect_exact "steady load, readers polling the log meanwhile"

# 3. Immediate stop while the worker applies a backlog.
set_worker off
load 1500
set_worker on
for _ in $(seq 1 100); do
    [ -n "$(worker_pid)" ] && break
    sleep 0.1
done
sleep 0.3
"$root/scripts/pg-cluster" stop "$dir" immediate
start "$preload"
wait_ready
check "after an immediate stop the backlog is applied" "t" "$(wait_capture)"
expect_exact "immediate stop while applying"

# 3b. A bound on the worker's lag (eventlog.capture_max_lag): the worker
# stopped (SIGSTOP) and further behind than the bound, a writer of a
# WAL-tracked table waits (wait event Extension) before its statement
# changes anything, and goes on once the worker has caught up; nothing is
# lost or doubled. (The WAL the worker is behind comes from an untracked
# table: a tracked writer would itself wait.)
psql -X -q -d postgres -c "ALTER SYSTEM SET eventlog.capture_max_lag = '64kB'" -c "SELECT pg_reload_conf()" >/dev/null
sql "$db" "CREATE TABLE filler (id int, pad text)" >/dev/null
check "with the bound set, the writers run while the worker keeps up" "t" "$(load 50; wait_capture)"
pid=$(worker_pid)
check "the worker runs" "true" "$([ -n "$pid" ] && echo true)"
stopped_pid=$pid
kill -STOP "$pid"
sql "$db" "INSERT INTO filler SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g" >/dev/null
PGAPPNAME=lagwriter psql -X -q -d "$db" >/dev/null 2>&1 <<'EOF2' &
BEGIN;
UPDATE acct SET v = v + 1 WHERE id = 7;
INSERT INTO ledger SELECT pg_current_xact_id(), id, v, 'update' FROM acct WHERE id = 7;
COMMIT;
EOF2
writer_pid=$!
waiting=
for _ in $(seq 1 60); do
    waiting=$(sql "$db" "SELECT wait_event_type || ' ' || wait_event FROM pg_stat_activity
                         WHERE application_name = 'lagwriter' AND state = 'active'")
    [ "$waiting" = "Extension Extension" ] && break
    sleep 0.1
done
check "a writer waits while the worker is further behind than the bound" "Extension Extension" "$waiting"
kill -CONT "$pid"
stopped_pid=
wait "$writer_pid"
check "once the worker caught up, the writer's transaction committed" "0" "$?"
writer_pid=
check "and was applied" "t" "$(wait_capture)"
expect_exact "a writer held back by the bound on the worker's lag"
psql -X -q -d postgres -c "ALTER SYSTEM RESET eventlog.capture_max_lag" -c "SELECT pg_reload_conf()" >/dev/null

# 4. Without the preload: no worker; the changes wait, and are applied by
# hand, once.
"$root/scripts/pg-cluster" stop "$dir"
start "-c wal_level=logical -c max_replication_slots=10"
before=$(sql "$db" "SELECT count(*) FROM eventlog WHERE object_type = 'public.acct'")
load 200
check "without the preload there is no worker" "" "$(sql "$db" "SELECT worker_pid FROM eventlog_capture_status")"
check "the changes wait, and the status says how much" "0 true" \
    "$(sql "$db" "SELECT (SELECT count(*) FROM eventlog WHERE object_type = 'public.acct') - $before || ' ' || (pending_bytes > 0)
                  FROM eventlog_capture_status")"
applied=$(sql "$db" "SELECT eventlog_capture_apply()")
check "eventlog_capture_apply() applies them and says how many" "$(sql "$db" "SELECT count(*) FROM ledger") " \
    "$((before + applied)) "
check "applying again finds nothing" "0" "$(sql "$db" "SELECT eventlog_capture_apply()")"
check "eventlog_capture_wait applies by hand too" "t" "$(load 10; wait_capture)"
expect_exact "without the preload, applied by hand"
check "the status shows what was applied" "t" \
    "$(sql "$db" "SELECT applied_lsn IS NOT NULL AND applied_commit_time IS NOT NULL FROM eventlog_capture_status")"

# 5. A dump restored into another database (no slot there): the table's
# writes are refused until its capture has a slot, then captured.
pg_dump -d "$db" -Fc -f "$dir/walfaults.dump"
fresh_db walrestored
pg_restore -d walrestored "$dir/walfaults.dump" 2>"$dir/restore.err" || true
check "the restored database has the events" "$(sql "$db" "SELECT count(*) FROM eventlog")" \
    "$(sql walrestored "SELECT count(*) FROM eventlog")"
check "a write of the WAL-tracked table is refused without a slot (55000)" "55000" \
    "$(sqlstate walrestored "UPDATE acct SET v = 0 WHERE id = 1")"
sql walrestored "SELECT eventlog_capture_start('acct')" >/dev/null
sql walrestored "UPDATE acct SET v = 7 WHERE id = 1" >/dev/null
check "with its slot made, the write is captured" "t 7" \
    "$(sql walrestored "SELECT eventlog_capture_wait()") $(sql walrestored "SELECT changes -> 'new_value' ->> 'v' FROM eventlog ORDER BY id DESC LIMIT 1")"
sql walrestored "SELECT eventlog_untrack('acct')" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE walrestored" >/dev/null
finish
