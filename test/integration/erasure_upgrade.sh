#!/usr/bin/env bash
# Erasure after the update from 1.3: events sealed under 1.3's encoding
# (their seal chains a hash of their values in the clear) stay verifiable
# and cannot be erased (55000, with a hint, nothing changed); events
# written before the update and sealed after it, and new events, can; the
# chain verifies across both encodings, inside the database, outside it
# (scripts/eventlog-verify-chain, also from 1.3's two COPY outputs) and
# after a dump and restore.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
db=erasure_upgrade
cleanup() {
    rm -rf "$work"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" >/dev/null 2>&1
}
trap cleanup EXIT
export PGTZ=UTC PGDATESTYLE=ISO
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/eventlog.control")

verify() {  # DB -> ok|checked > 0|erased|first_bad_id|reason
    sql "$1" "SELECT ok || '|' || (checked > 0) || '|' || erased || '|' || coalesce(first_bad_id::text, '') || '|'
                     || coalesce(reason, '') FROM eventlog_verify()"
}
copy_out() {  # DB -> the four COPY outputs scripts/eventlog-verify-chain reads
    sql "$1" "COPY (SELECT id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user,
                          template_message, values_json, transaction_id, context, actor_id FROM eventlog ORDER BY id) TO STDOUT" >"$work/events.copy"
    sql "$1" "COPY (SELECT sealed_from, sealed_to, ids, times, encode(chain, 'hex'), encode(prev_digest, 'hex'),
                          encode(digest, 'hex'), encoding FROM eventlog_seals ORDER BY sealed_to) TO STDOUT" >"$work/seals.copy"
    sql "$1" "COPY (SELECT id, encode(secret, 'hex') FROM eventlog_seal_secrets ORDER BY id) TO STDOUT" >"$work/secrets.copy"
    sql "$1" "COPY (SELECT erasure, ord, event_id, encode(sealed, 'hex'), encode(current, 'hex')
                          FROM eventlog_erasures ORDER BY erasure, ord) TO STDOUT" >"$work/erasures.copy"
}
expected_chain() {  # DB -> what the script prints when the chain is intact
    sql "$1" "SELECT 'ok: ' || v.checked || ' events, ' || v.erased || ' erased, chain head '
                     || (SELECT encode(digest, 'hex') FROM eventlog_seals ORDER BY sealed_to DESC LIMIT 1)
              FROM eventlog_verify() v"
}
all_events="SELECT md5(string_agg(e::text, '|' ORDER BY id)) FROM eventlog e"

install_released 1.3 || check "install script of released version 1.3" "installed" "missing"
fresh_db "$db"
sql "$db" "CREATE EXTENSION eventlog VERSION '1.3';
           CREATE TABLE person (id int PRIMARY KEY, name text, email text);
           SELECT eventlog_track('person', tool => 'people', messages => '{\"update\": \"{new__name}: {old__email} -> {new__email}\"}');
           INSERT INTO person VALUES (1, 'Old Sealed', 'old@sealed.example'), (2, 'Mixed Case', 'mixed@first.example');" >/dev/null
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
# 1.3's own outputs, for the script's two-file form.
sql "$db" "COPY (SELECT id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user,
                      template_message, values_json, transaction_id, context FROM eventlog ORDER BY id) TO STDOUT" >"$work/events13.copy"
sql "$db" "COPY (SELECT sealed_from, sealed_to, ids, times, encode(chain, 'hex'), encode(prev_digest, 'hex'),
                      encode(digest, 'hex') FROM eventlog_seals ORDER BY sealed_to) TO STDOUT" >"$work/seals13.copy"
head13=$(sql "$db" "SELECT encode(digest, 'hex') FROM eventlog_seals ORDER BY sealed_to DESC LIMIT 1")
check "1.3: the script reads 1.3's two COPY outputs" "ok: 2 events, 0 erased, chain head $head13" \
    "$("$root/scripts/eventlog-verify-chain" "$work/events13.copy" "$work/seals13.copy")"
# Written under 1.3, sealed after the update.
sql "$db" "UPDATE person SET email = 'mixed@second.example' WHERE id = 2;
           INSERT INTO person VALUES (3, 'Written Before', 'before@unsealed.example');" >/dev/null

sql "$db" "ALTER EXTENSION eventlog UPDATE" >/dev/null
check "updated" "$current" "$(sql "$db" "SELECT extversion FROM pg_extension WHERE extname = 'eventlog'")"
check "the records sealed under 1.3 keep their encoding" "1:1" \
    "$(sql "$db" "SELECT string_agg(DISTINCT encoding::text, ',') || ':' || count(*) FROM eventlog_seals")"
check "verify: ok after the update" "true|true|0||" "$(verify "$db")"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "new seals use encoding 2" "1,2" "$(sql "$db" "SELECT string_agg(DISTINCT encoding::text, ',' ORDER BY encoding::text) FROM eventlog_seals")"
check "verify: ok across both encodings" "true|true|0||" "$(verify "$db")"

# An event sealed under 1.3: refused, nothing changed.
before=$(sql "$db" "$all_events")
check "erasing an event sealed under 1.3: 55000" "55000" \
    "$(sqlstate "$db" "SELECT eventlog_erase('public.person', '1', '{email}')")"
psql -X -q -d "$db" -c "SELECT eventlog_erase('public.person', '1', '{email}')" >"$work/refused.out" 2>&1
check "...with a hint saying what to do" "HINT:  Such events can only leave the log whole, with eventlog_purge." \
    "$(grep -o 'HINT:  Such events can only leave the log whole, with eventlog_purge.' "$work/refused.out" || cat "$work/refused.out")"
check "...nothing changed" "$before" "$(sql "$db" "$all_events")"
# An object with events of both kinds: refused as a whole.
check "erasing an object with a 1.3-sealed event among others: 55000" "55000" \
    "$(sqlstate "$db" "SELECT eventlog_erase('public.person', '2', '{email}')")"
check "...nothing changed" "$before" "$(sql "$db" "$all_events")"

# Written before the update, sealed after: erasable; so are new events.
check "an event written under 1.3 and sealed since: erased" "1" \
    "$(sql "$db" "SELECT eventlog_erase('public.person', '3', '{email}')")"
sql "$db" "INSERT INTO person VALUES (4, 'New One', 'new@after.example')" >/dev/null
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "a new event: erased" "1" "$(sql "$db" "SELECT eventlog_erase('public.person', '4', '{email}')")"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "no erased email left" "0" \
    "$(sql "$db" "SELECT count(*) FROM eventlog WHERE changes::text LIKE '%before@unsealed%' OR changes::text LIKE '%new@after%'")"
check "verify: ok, the erased events checked" "true|true|2||" "$(verify "$db")"
copy_out "$db"
check "outside the database: ok across both encodings" "$(expected_chain "$db")" \
    "$("$root/scripts/eventlog-verify-chain" "$work/events.copy" "$work/seals.copy" "$work/secrets.copy" "$work/erasures.copy")"
sql "$db" "SET session_replication_role = replica; UPDATE eventlog SET message = 'rewritten' WHERE id = 1" >/dev/null
check "an event sealed under 1.3 edited: found" "false|false|0|1|changed" "$(verify "$db")"
copy_out "$db"
check "...outside the database too" "not ok: event 1: changed" \
    "$("$root/scripts/eventlog-verify-chain" "$work/events.copy" "$work/seals.copy" "$work/secrets.copy" "$work/erasures.copy")"
sql "$db" "SET session_replication_role = replica; UPDATE eventlog SET message = 'public.person 1 was created by postgres.' WHERE id = 1" >/dev/null
check "put back: ok" "true|true|2||" "$(verify "$db")"

# A dump of the updated database, restored.
pg_dump -Fc -d "$db" -f "$work/dump" || failures=$((failures + 1))
psql -X -q -d postgres -c "CREATE DATABASE ${db}_restored" >/dev/null
pg_restore -d "${db}_restored" "$work/dump" 2>"$work/restore.err" || failures=$((failures + 1))
check "restore: no warnings" "(empty)" "$(contents "$work/restore.err")"
check "restored: verify ok across both encodings" "true|true|2||" "$(verify "${db}_restored")"
check "restored: still refused for 1.3-sealed events" "55000" \
    "$(sqlstate "${db}_restored" "SELECT eventlog_erase('public.person', '1', '{email}')")"

finish
