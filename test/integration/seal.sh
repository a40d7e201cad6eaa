#!/usr/bin/env bash
# Tamper evidence across sessions, dumps and programs: a transaction still
# in flight holds eventlog_seal back below its event id, and its event is
# sealed once it commits; scripts/eventlog-verify-chain recomputes the same
# chain from COPY output outside the database and finds an edit made behind
# the triggers' back; a pg_dump restored elsewhere verifies.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
db=seal_chain
cleanup() {
    exec 3>&- 4>&- 2>/dev/null
    rm -rf "$work"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" >/dev/null 2>&1
}
trap cleanup EXIT
fresh_db "$db"
export PGTZ=UTC PGDATESTYLE=ISO

sql "$db" "CREATE EXTENSION eventlog;
           CREATE TABLE item (id int PRIMARY KEY, note text);
           SELECT eventlog_track('item', tool => 'items');
           INSERT INTO item VALUES (1, E'tab\there, new\nline, back\\\\slash, vt\x0b, é');
           UPDATE item SET note = 'plain' WHERE id = 1;
           SELECT eventlog_log('first', tool => 'app', context => '{\"request_id\": \"r-1\"}');" >/dev/null

sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
sealed_first=$(sql "$db" "SELECT max(sealed_to) FROM eventlog_seals")
check "with nothing in flight, everything is sealed" "$(sql "$db" "SELECT max(id) FROM eventlog")" "$sealed_first"

# Session A takes an id and stays in flight.
mkfifo "$work/a.in"
psql -X -q -At -d "$db" <"$work/a.in" >"$work/a.out" 2>&1 &
a_pid=$!
exec 3>"$work/a.in"
echo "BEGIN; SELECT eventlog_log('in flight', tool => 'app');" >&3
for _ in $(seq 1 100); do grep -qE '^[0-9]+$' "$work/a.out" && break; sleep 0.1; done
in_flight=$(grep -E '^[0-9]+$' "$work/a.out" | head -n 1)
check "session A holds an event id" "t" "$([[ $in_flight =~ ^[0-9]+$ ]] && echo t || cat "$work/a.out")"

# Session B commits later events; the seal stops below A's id.
sql "$db" "SELECT eventlog_log('after ' || g, tool => 'app') FROM generate_series(1, 5) g" >/dev/null
last_b=$(sql "$db" "SELECT max(id) FROM eventlog")
check "B's events have larger ids than A's" "t" "$(sql "$db" "SELECT $last_b > ${in_flight:-0}")"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "seal held back below the id in flight" "t" \
    "$(sql "$db" "SELECT coalesce(max(sealed_to), 0) < ${in_flight:-0} FROM eventlog_seals")"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "still held back while A is in flight" "t" \
    "$(sql "$db" "SELECT coalesce(max(sealed_to), 0) < ${in_flight:-0} FROM eventlog_seals")"

# A commits: the next seals take its event and B's.
echo "COMMIT;" >&3
exec 3>&-
wait "$a_pid"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "after A commits, every event is sealed, A's included" "true true" \
    "$(sql "$db" "SELECT (max(sealed_to) >= $last_b) || ' ' || (${in_flight:-0} = ANY (array_agg(i))) FROM eventlog_seals, unnest(ids) i")"
check "verify: ok" "true||" "$(sql "$db" "SELECT ok || '|' || coalesce(first_bad_id::text, '') || '|' || coalesce(reason, '') FROM eventlog_verify()")"

# The newest transaction in flight, with no transaction ended since it got
# its xid: no snapshot lists it (a snapshot's xmax is the latest ended
# transaction's successor), yet the seal must not take it for ended.
mkfifo "$work/c.in"
psql -X -q -At -d "$db" <"$work/c.in" >"$work/c.out" 2>&1 &
c_pid=$!
exec 4>"$work/c.in"
echo "BEGIN; SELECT eventlog_log('newest in flight', tool => 'app');" >&4
for _ in $(seq 1 100); do grep -qE '^[0-9]+$' "$work/c.out" && break; sleep 0.1; done
newest=$(grep -E '^[0-9]+$' "$work/c.out" | head -n 1)
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "seal held back below the newest transaction's id" "t" \
    "$(sql "$db" "SELECT coalesce(max(sealed_to), 0) < ${newest:-0} FROM eventlog_seals")"
echo "COMMIT;" >&4
exec 4>&-
wait "$c_pid"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "once it commits, it is sealed; verify: ok" "true true" \
    "$(sql "$db" "SELECT (${newest:-0} = ANY (array_agg(i))) || ' ' || (SELECT ok FROM eventlog_verify()) FROM eventlog_seals, unnest(ids) i")"

# Outside the database: the chain recomputed from COPY output.
copy_out() {  # DB -> events.copy, seals.copy, secrets.copy, erasures.copy
    sql "$1" "COPY (SELECT id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user,
                          template_message, values_json, transaction_id, context, actor_id FROM eventlog ORDER BY id) TO STDOUT" >"$work/events.copy"
    sql "$1" "COPY (SELECT sealed_from, sealed_to, ids, times, encode(chain, 'hex'), encode(prev_digest, 'hex'),
                          encode(digest, 'hex'), encoding FROM eventlog_seals ORDER BY sealed_to) TO STDOUT" >"$work/seals.copy"
    sql "$1" "COPY (SELECT id, encode(secret, 'hex') FROM eventlog_seal_secrets ORDER BY id) TO STDOUT" >"$work/secrets.copy"
    sql "$1" "COPY (SELECT erasure, ord, event_id, encode(sealed, 'hex'), encode(current, 'hex')
                          FROM eventlog_erasures ORDER BY erasure, ord) TO STDOUT" >"$work/erasures.copy"
}
verify_chain() {
    "$root/scripts/eventlog-verify-chain" "$work/events.copy" "$work/seals.copy" "$work/secrets.copy" "$work/erasures.copy"
}
copy_out "$db"
head=$(sql "$db" "SELECT encode(digest, 'hex') FROM eventlog_seals ORDER BY sealed_to DESC LIMIT 1")
check "the script recomputes the chain head" "ok: $(sql "$db" "SELECT count(*) FROM eventlog") events, 0 erased, chain head $head" \
    "$(verify_chain)"

# An edit behind the triggers' back: both find it, at the same event.
first_item=$(sql "$db" "SELECT min(id) FROM eventlog WHERE tool = 'items'")
sql "$db" "SET session_replication_role = replica; UPDATE eventlog SET actor = 'someone else' WHERE id = $first_item" >/dev/null
check "verify finds the edit" "false|$first_item|changed" \
    "$(sql "$db" "SELECT ok || '|' || first_bad_id || '|' || reason FROM eventlog_verify()")"
copy_out "$db"
check "so does the script" "not ok: event $first_item: changed" "$(verify_chain)"
sql "$db" "SET session_replication_role = replica; UPDATE eventlog SET actor = 'postgres' WHERE id = $first_item" >/dev/null
check "put back: verify ok" "t" "$(sql "$db" "SELECT ok FROM eventlog_verify()")"

# A dump restored into another database verifies there, inside and out.
pg_dump -Fc -d "$db" -f "$work/dump" || failures=$((failures + 1))
psql -X -q -d postgres -c "CREATE DATABASE ${db}_restored" >/dev/null
pg_restore -d "${db}_restored" "$work/dump" 2>"$work/restore.err" || failures=$((failures + 1))
check "restore: no warnings" "(empty)" "$(contents "$work/restore.err")"
check "restored: seal records kept" "$(sql "$db" "SELECT count(*) FROM eventlog_seals")" \
    "$(sql "${db}_restored" "SELECT count(*) FROM eventlog_seals")"
check "restored: verify ok" "t" "$(sql "${db}_restored" "SELECT ok FROM eventlog_verify()")"
copy_out "${db}_restored"
check "restored: the script recomputes the same head" "ok: $(sql "$db" "SELECT count(*) FROM eventlog") events, 0 erased, chain head $head" \
    "$(verify_chain)"
sql "${db}_restored" "SELECT eventlog_log('in the restored database')" >/dev/null
check "restored: sealing goes on" "t" \
    "$(sql "${db}_restored" "SELECT last_id = (SELECT max(id) FROM eventlog) FROM eventlog_seal()")"

finish
