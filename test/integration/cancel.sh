#!/usr/bin/env bash
# statement_timeout and pg_cancel_backend stop long diffs and long tracked
# bulk UPDATEs: SQLSTATE 57014, nothing recorded from the cancelled statement,
# the session usable afterwards. Elapsed times are printed for information
# only. (sql/diff.sql already shows statement_timeout on a wide diff; this
# covers deep diffs, diffs over many rows, cancels from another session and
# tracked bulk UPDATEs.)
source "$(dirname "$0")/lib.bash"

db=cancel_test
work=$(mktemp -d)
bg_pid=
cleanup() {
    [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

fresh_db "$db"
sql "$db" "
CREATE EXTENSION eventlog;
CREATE TABLE item (id int PRIMARY KEY, v int NOT NULL, d jsonb);
INSERT INTO item SELECT i, 0, jsonb_build_object('k', i, 's', repeat('x', 50)) FROM generate_series(1, 200000) i;
SELECT eventlog_track('item', tool => 'cancel');
-- Documents for long diffs: 3000 levels deep (diffed deep over and over,
-- about 10 ms each), and many rows of wide objects.
CREATE TABLE deep AS
SELECT (repeat('{\"a\":', 3000) || '1' || repeat('}', 3000))::jsonb AS a,
       (repeat('{\"a\":', 3000) || '2' || repeat('}', 3000))::jsonb AS b;
CREATE TABLE wide AS
SELECT jsonb_object_agg('k' || i, i) AS a, jsonb_object_agg('k' || i, i + 1) AS b FROM generate_series(1, 50000) i;" \
    >/dev/null || { echo "FAIL  setup"; exit 1; }

state_query="SELECT count(*) || ' ' || sum(v) FROM item"
events_query="SELECT count(*) FROM eventlog WHERE tool = 'cancel'"
check "setup: no events yet" "0" "$(sql "$db" "$events_query")"

# session SCRIPT: runs SCRIPT in one psql session (errors do not stop it),
# prints its output.
session() {
    psql -X -q -At -d "$db" 2>&1 <<<"$1"
}

# 1. statement_timeout stops a long run of deep diffs, then the same session works.
out=$(session "
SET statement_timeout = '500ms';
\\timing on
SELECT count(jsonb_diff_schema(a, b, deep => true)) FROM deep, generate_series(1, 100000);
\\timing off
\\echo sqlstate=:LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT 'usable ' || jsonb_diff_schema('{\"a\": 1}', '{\"a\": 2}')::text;")
check "timeout: deep diff stopped with 57014" "sqlstate=57014" "$(grep -o 'sqlstate=.*' <<<"$out")"
check "timeout: the diff returned no result" "no result" "$(grep -E '^[0-9]+$' <<<"$out" || echo "no result")"
check "timeout: session usable afterwards" 'usable {"new_value": {"a": 2}, "old_value": {"a": 1}}' "$(grep '^usable' <<<"$out")"
echo "      (deep diff stopped after $(grep -o 'Time: .*' <<<"$out"))"

# 2. statement_timeout stops a tracked bulk UPDATE of 200000 rows: nothing
# changed, nothing recorded, the session records events afterwards.
out=$(session "
SET statement_timeout = '500ms';
\\timing on
UPDATE item SET v = v + 1;
\\timing off
\\echo sqlstate=:LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT 'usable ' || (eventlog_log('after timeout', tool => 'cancel_after') > 0);")
check "timeout: bulk UPDATE stopped with 57014" "sqlstate=57014" "$(grep -o 'sqlstate=.*' <<<"$out")"
check "timeout: table unchanged" "200000 0" "$(sql "$db" "$state_query")"
check "timeout: no event recorded" "0" "$(sql "$db" "$events_query")"
check "timeout: session usable afterwards" "usable true" "$(grep '^usable' <<<"$out")"
echo "      (bulk UPDATE stopped after $(grep -o 'Time: .*' <<<"$out"))"

# cancel_from_outside NAME SQL: runs SQL in a background session, cancels it
# with pg_cancel_backend from another session 1 s after it became active,
# leaves the background session's output in $work/NAME.out.
cancel_from_outside() {
    local name=$1 pid=
    PGAPPNAME="cancel_$name" psql -X -q -At -d "$db" >"$work/$name.out" 2>&1 <<<"$2" &
    bg_pid=$!
    for _ in $(seq 1 600); do
        pid=$(sql "$db" "SELECT pid FROM pg_stat_activity WHERE application_name = 'cancel_$name'
                           AND state = 'active' AND query ~ 'jsonb_diff_schema|UPDATE' LIMIT 1")
        [[ $pid =~ ^[0-9]+$ ]] && break
        sleep 0.1
    done
    if ! [[ $pid =~ ^[0-9]+$ ]]; then
        check "$name: the statement was seen running" "a pid" "${pid:-none}"
    else
        sleep 1
        check "$name: pg_cancel_backend signalled it" "t" "$(sql "$db" "SELECT pg_cancel_backend($pid)")"
    fi
    wait "$bg_pid"
    bg_pid=
}

# 3. pg_cancel_backend stops a diff over many rows of wide objects.
cancel_from_outside diff_rows "
\\timing on
SELECT count(jsonb_diff_schema(a, b)) FROM wide, generate_series(1, 100000);
\\timing off
\\echo sqlstate=:LAST_ERROR_SQLSTATE
SELECT 'usable ' || jsonb_diff_schema('{}', '{\"a\": 1}')::text;"
out=$(cat "$work/diff_rows.out")
check "cancel: diff over many rows stopped with 57014" "sqlstate=57014" "$(grep -o 'sqlstate=.*' <<<"$out")"
check "cancel: the diff returned no count" "no count" "$(grep -E '^[0-9]+$' <<<"$out" || echo "no count")"
check "cancel: session usable afterwards" 'usable {"new_value": {"a": 1}, "old_value": {"a": null}}' "$(grep '^usable' <<<"$out")"
echo "      (diff cancelled after $(grep -o 'Time: .*' <<<"$out"))"

# 4. pg_cancel_backend stops a tracked bulk UPDATE (inside an explicit
# transaction, which must then be rolled back; the session goes on).
cancel_from_outside bulk_update "
BEGIN;
\\timing on
UPDATE item SET v = v + 1, d = d || '{\"cancelled\": true}';
\\timing off
\\echo sqlstate=:LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT 'usable ' || (eventlog_log('after cancel', tool => 'cancel_after') > 0);"
out=$(cat "$work/bulk_update.out")
check "cancel: bulk UPDATE stopped with 57014" "sqlstate=57014" "$(grep -o 'sqlstate=.*' <<<"$out")"
check "cancel: table unchanged" "200000 0" "$(sql "$db" "$state_query")"
check "cancel: no event recorded" "0" "$(sql "$db" "$events_query")"
check "cancel: session usable afterwards" "usable true" "$(grep '^usable' <<<"$out")"
echo "      (bulk UPDATE cancelled after $(grep -o 'Time: .*' <<<"$out"))"

# The same UPDATE, not cancelled, does finish and record one event per row:
# the checks above could fail.
sql "$db" "UPDATE item SET v = v + 1 WHERE id <= 1000" >/dev/null
check "an UPDATE that is not cancelled records its events" "1000" "$(sql "$db" "$events_query")"
check "events of the sessions after the cancels" "2" "$(sql "$db" "SELECT count(*) FROM eventlog WHERE tool = 'cancel_after'")"

finish
