#!/usr/bin/env bash
# kill -9 of a backend in the middle of a tracked bulk UPDATE and of a burst
# of eventlog_log calls. After crash recovery there are no partial events:
# every committed change has its events, nothing of the killed transactions.
# (kill -9 of one backend makes the postmaster end every session and run
# crash recovery; the test waits until the server accepts connections again.)
source "$(dirname "$0")/lib.bash"

db=crash_recovery
work=$(mktemp -d)
bg_pid=
cleanup() {
    [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
    wait_ready >/dev/null
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# wait_ready: until the server accepts queries again (at most 120 s).
wait_ready() {
    for _ in $(seq 1 240); do
        if pg_isready -q -d postgres && psql -X -q -At -d postgres -c "SELECT 1" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    echo "server did not come back" >&2
    return 1
}

# backend_pid APPNAME [WAIT_EVENT]: the pid of the active backend of that
# application (waiting on WAIT_EVENT when given), polled for at most 60 s.
backend_pid() {
    local pid=
    for _ in $(seq 1 600); do
        pid=$(sql "$db" "SELECT pid FROM pg_stat_activity
                         WHERE application_name = '$1' AND state = 'active'
                           ${2:+AND wait_event = '$2'} LIMIT 1")
        [[ $pid =~ ^[0-9]+$ ]] && break
        sleep 0.1
    done
    echo "$pid"
}

# kill_backend PID: kill -9 of a server process (the server runs on this
# machine: PGHOST is its socket directory; the test runs as root or as the
# server's OS user).
kill_backend() {
    kill -9 "$1"
}

fresh_db "$db"
sql "$db" "
CREATE EXTENSION eventlog;
CREATE TYPE mood AS ENUM ('calm', 'slow');
-- to_jsonb of a mood goes through this cast, inside the capture trigger.
CREATE FUNCTION mood_json(m mood) RETURNS json LANGUAGE plpgsql AS
\$\$BEGIN IF m = 'slow' THEN PERFORM pg_sleep(300); END IF; RETURN to_json(m::text); END\$\$;
CREATE CAST (mood AS json) WITH FUNCTION mood_json(mood);
-- Sleeps when the row with id = at is reached (in the middle of a scan).
CREATE FUNCTION sleep_at(id int, at int) RETURNS int LANGUAGE plpgsql AS
\$\$BEGIN IF id = at THEN PERFORM pg_sleep(300); END IF; RETURN 0; END\$\$;
CREATE TABLE item (id int PRIMARY KEY, v int NOT NULL, m mood NOT NULL DEFAULT 'calm');
SELECT eventlog_track('item', tool => 'crash');
INSERT INTO item (id, v) SELECT i, 0 FROM generate_series(1, 200000) i;
UPDATE item SET v = 1 WHERE id <= 1000;" >/dev/null || { echo "FAIL  setup"; exit 1; }

# The committed history: 200000 creates, 1000 updates (v 0 -> 1).
committed_state="200000 1000"
state_query="SELECT count(*) || ' ' || sum(v) FROM item"
history_query="SELECT count(*) FILTER (WHERE action = 'create') || ' ' ||
                      count(*) FILTER (WHERE action = 'update') || ' ' ||
                      count(*) FILTER (WHERE action NOT IN ('create', 'update'))
               FROM eventlog WHERE tool = 'crash'"
check "committed history" "200000 1000 0" "$(sql "$db" "$history_query")"

# kill_update NAME EVENT SQL: runs SQL in the background, kills its backend
# once it waits on pg_sleep (EVENT PgSleep), checks it did not complete.
kill_update() {
    local name=$1 statement=$2 pid rc
    PGAPPNAME="crash_$name" psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "$statement" >"$work/$name.out" 2>&1 &
    bg_pid=$!
    pid=$(backend_pid "crash_$name" PgSleep)
    if ! [[ $pid =~ ^[0-9]+$ ]]; then
        check "$name: backend found sleeping in the statement" "a pid" "${pid:-none}"
        return
    fi
    kill_backend "$pid"
    wait "$bg_pid"
    rc=$?
    bg_pid=
    check "$name: the statement was killed (psql failed)" "failed" "$([ "$rc" -ne 0 ] && echo failed || echo "exit $rc")"
    check "$name: its connection was lost (not an ordinary error)" "lost" \
        "$(grep -q -e 'server closed the connection unexpectedly' -e 'connection to server was lost' "$work/$name.out" &&
           echo lost || head -c 300 "$work/$name.out")"
    wait_ready
    check "$name: server accepts connections after recovery" "1" "$(sql "$db" "SELECT 1")"
    check "$name: table is as committed" "$committed_state" "$(sql "$db" "$state_query")"
    check "$name: events are exactly the committed ones" "200000 1000 0" "$(sql "$db" "$history_query")"
}

# 1. Killed in the middle of the UPDATE's scan (75% of the rows updated).
kill_update mid_scan "UPDATE item SET v = v + 10 + sleep_at(id, 150000)"
# 2. Killed inside the capture trigger, while it converts the changed rows.
kill_update in_capture "UPDATE item SET v = v + 10, m = CASE WHEN id = 150000 THEN 'slow' ELSE m END"
# 3. Killed after the UPDATE and its events, before COMMIT.
kill_update before_commit "BEGIN; UPDATE item SET v = v + 10; SELECT eventlog_log('same transaction', tool => 'crash'); SELECT pg_sleep(300); COMMIT;"

check "every committed change has exactly its event" "0" "$(sql "$db" "
    SELECT count(*) FROM item i FULL JOIN (
        SELECT object_id,
               count(*) FILTER (WHERE action = 'create' AND (changes->'new_value'->>'v')::int = 0) AS creates,
               count(*) FILTER (WHERE action = 'update') AS updates,
               max((changes->'new_value'->>'v')::int) FILTER (WHERE action = 'update') AS updated_to
        FROM eventlog WHERE tool = 'crash' AND object_type = 'public.item' GROUP BY object_id) e
      ON e.object_id = i.id::text
    WHERE i.id IS NULL OR e.object_id IS NULL OR e.creates <> 1
       OR e.updates <> CASE WHEN i.id <= 1000 THEN 1 ELSE 0 END
       OR (e.updates = 1 AND e.updated_to IS DISTINCT FROM i.v)")"
check "no event carries a value of the killed updates" "0" "$(sql "$db" "
    SELECT count(*) FROM eventlog WHERE tool = 'crash' AND (changes->'new_value'->>'v')::int >= 10")"

# 4. A burst of small transactions from 4 clients, each inserting a marker
# row and logging its event; one backend killed mid-burst.
sql "$db" "CREATE TABLE marker (id bigserial PRIMARY KEY, client int NOT NULL)" >/dev/null
cat >"$work/burst.sql" <<'EOF'
BEGIN;
INSERT INTO marker (client) VALUES (:client_id);
SELECT eventlog_log('marker {m}', jsonb_build_object('m', currval('marker_id_seq')),
                    object_type => 'marker', object_id => currval('marker_id_seq')::text, tool => 'burst');
COMMIT;
EOF
PGAPPNAME=crash_burst pgbench -n -c 4 -j 2 -T 120 -f "$work/burst.sql" "$db" >"$work/pgbench.out" 2>&1 &
bg_pid=$!
for _ in $(seq 1 600); do
    [ "$(sql "$db" "SELECT count(*) >= 500 FROM marker")" = t ] && break
    sleep 0.1
done
pid=$(backend_pid crash_burst)
if [[ $pid =~ ^[0-9]+$ ]]; then
    kill_backend "$pid"
    for _ in $(seq 1 600); do kill -0 "$bg_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$bg_pid" 2>/dev/null
    wait "$bg_pid"
    rc=$?
    bg_pid=
    check "burst: pgbench was interrupted by the crash" "failed" "$([ "$rc" -ne 0 ] && echo failed || echo "exit $rc")"
else
    check "burst: a pgbench backend was found" "a pid" "${pid:-none}"
fi
wait_ready
check "burst: markers were committed before the crash" "t" "$(sql "$db" "SELECT count(*) >= 500 FROM marker")"
check "burst: every marker has exactly one event, every event its marker" "0 0 0" "$(sql "$db" "
    SELECT (SELECT count(*) FROM marker m WHERE (SELECT count(*) FROM eventlog e
                WHERE e.tool = 'burst' AND e.object_type = 'marker' AND e.object_id = m.id::text) <> 1) || ' ' ||
           (SELECT count(*) FROM eventlog e WHERE e.tool = 'burst'
                AND NOT EXISTS (SELECT FROM marker m WHERE m.id::text = e.object_id)) || ' ' ||
           (SELECT count(*) FROM eventlog e WHERE e.tool = 'burst' AND e.values_json->>'m' <> e.object_id)")"
echo "      (burst: $(sql "$db" "SELECT count(*) FROM marker") committed markers and events)"

# The log works after recovery: new events get fresh ids.
check "new event after recovery gets a fresh id" "t" "$(sql "$db" "
    SELECT eventlog_log('after recovery') > (SELECT max(id) FROM eventlog WHERE message <> 'after recovery')")"

finish
