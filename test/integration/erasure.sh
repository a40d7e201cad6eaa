#!/usr/bin/env bash
# Erasure across dumps, sessions, partitions and purge:
#  - after eventlog_erase and eventlog_erase_actor, a pg_dump of the whole
#    database holds none of the erased values (from diffs, messages,
#    values_json nested under another key, context, and as the actor), nor
#    any unsalted MD5 or SHA-256 (hex) of them, of their JSON forms, of the
#    fields that held them, or of the lines eventlog_seal_line (1.3's chain)
#    made of the events that held them; and it did before (the check can
#    fail);
#  - verification inside the database and outside it
#    (scripts/eventlog-verify-chain) is ok across the erased events, counts
#    them, and a restored dump verifies, seals and erases on;
#  - several sessions writing tracked changes and events while others
#    erase objects and actors and seal: nothing lost, counts exact, the
#    chain verifies; a seal and an erasure that do not see each other fail
#    to serialize under REPEATABLE READ;
#  - purge after erasure, and a time-partitioned log (erasure across
#    partitions, retention by erasure, partitions dropped by purge).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
db=erasure_it
cleanup() {
    exec 3>&- 2>/dev/null
    [ -n "${bench_pid:-}" ] && kill "$bench_pid" 2>/dev/null
    rm -rf "$work"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_restored" \
        -c "DROP DATABASE IF EXISTS ${db}_part" >/dev/null 2>&1
}
trap cleanup EXIT
fresh_db "$db"
export PGTZ=UTC PGDATESTYLE=ISO

verify() {  # DB -> ok|erased|first_bad_id|reason
    sql "$1" "SELECT ok || '|' || (erased > 0) || '|' || coalesce(first_bad_id::text, '') || '|' || coalesce(reason, '')
              FROM eventlog_verify()"
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
verify_chain() {
    "$root/scripts/eventlog-verify-chain" "$work/events.copy" "$work/seals.copy" "$work/secrets.copy" "$work/erasures.copy"
}
expected_chain() {  # DB -> what the script prints when the chain is intact
    sql "$1" "SELECT 'ok: ' || v.checked || ' events, ' || v.erased || ' erased, chain head '
                     || (SELECT encode(digest, 'hex') FROM eventlog_seals ORDER BY sealed_to DESC LIMIT 1)
              FROM eventlog_verify() v"
}

# -----------------------------------------------------------------------------
: "A customer, her history, and an employee who acted on it"
# -----------------------------------------------------------------------------
sql "$db" "CREATE EXTENSION eventlog;
CREATE TABLE customer (id int PRIMARY KEY, name text, email text, birth_date date, status text, profile jsonb);
SELECT eventlog_track('customer', tool => 'crm', messages => '{
    \"create\": \"New customer {new__name} born {new__birth_date}\",
    \"update\": \"{new__name} is {new__status} ({old__status} before), handled by {actor}\",
    \"delete\": \"{old__name} ({old__email}) removed\"}');
CREATE TABLE invoice (id int PRIMARY KEY, amount numeric);
SELECT eventlog_track('invoice', tool => 'billing');" >/dev/null
customer="Zoë Quintessa Erasmus"
email="zoe.erasmus@hidden.example"
birth="1984-02-29"
status1="gold-vip-7"
status2="platinum-vip-9"
street="17 Hidden Lane"
phone="+47 555 0142"
actor="Ulrike Actorsson"
actor_id="emp-7731-ulrike"
sql "$db" "BEGIN;
SET LOCAL eventlog.actor = '$actor';
SET LOCAL eventlog.actor_id = '$actor_id';
SET LOCAL eventlog.context = '{\"request\": \"r-9\", \"customer\": {\"email\": \"$email\"}}';
INSERT INTO customer VALUES (1, '$customer', '$email', '$birth', '$status1',
                             '{\"address\": {\"street\": \"$street\"}, \"phone\": \"$phone\"}');
COMMIT;
INSERT INTO customer VALUES (2, 'Other Person', 'other@kept.example', '1970-01-01', 'bronze', NULL);" >/dev/null
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null   # these are sealed before they are erased; the rest after
sql "$db" "BEGIN;
SET LOCAL eventlog.actor = '$actor';
SET LOCAL eventlog.actor_id = '$actor_id';
UPDATE customer SET status = '$status2' WHERE id = 1;
SELECT eventlog_log('Welcome mail to {customer__email} ({customer__profile__phone}), approved by {approved_by}',
                    jsonb_build_object('customer__email', '$email',
                                       'customer__profile__phone', jsonb_build_object('id', 1, 'name', '$customer',
                                                                                      'profile', c.profile),
                                       'approved_by', '$actor'),
                    'public.customer', '1', tool => 'mail', action => 'welcome',
                    context => jsonb_build_object('birth_date', '$birth'))
FROM customer c WHERE c.id = 1;
INSERT INTO invoice VALUES (10, 99.5);
SELECT eventlog_log('Invoice approved by {approved_by}', '{\"approved_by\": \"$actor\"}', 'public.invoice', '10',
                    tool => 'billing', action => 'approve');
COMMIT;" >/dev/null
sql "$db" "UPDATE customer SET status = 'bronze-2' WHERE id = 2" >/dev/null
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null   # (her deletion, below, is not sealed when she is erased)

values=("$customer" "$email" "$birth" "$status1" "$status2" "$street" "$phone" "$actor" "$actor_id")
# Every unsalted digest (hex) a dump might betray them by: of each value and
# its JSON form, and of the fields, the erasable lines and the 1.3-style
# seal lines of every event that held one of them.
: >"$work/digests"
for v in "${values[@]}"; do
    for form in "$v" "\"$v\""; do
        printf '%s' "$form" | md5sum | cut -c1-32 >>"$work/digests"
        printf '%s' "$form" | sha256sum | cut -c1-64 >>"$work/digests"
    done
done
sql "$db" "SELECT h FROM eventlog e,
           LATERAL (VALUES (eventlog_seal_line(e)), (eventlog_seal_erasable(e)), (e.actor), (e.actor_id), (e.message), (e.changes::text),
                           (e.values_json::text), (e.context::text), (e.changes -> 'new_value' ->> 'profile')) AS f(t),
           LATERAL (VALUES (md5(f.t)), (encode(sha256(convert_to(f.t, 'UTF8')), 'hex'))) AS d(h)
           WHERE f.t IS NOT NULL AND (e.object_id = '1' AND e.object_type = 'public.customer' OR e.actor = '$actor')" \
    >>"$work/digests"
check "digests to look for" "t" "$([ "$(wc -l <"$work/digests")" -gt 60 ] && echo t || wc -l <"$work/digests")"
found_in_dump() {  # DUMP -> the values and digests found in it, one per line
    for v in "${values[@]}"; do grep -qF -- "$v" "$1" && echo "value: $v"; done
    grep -oiF -f "$work/digests" "$1" | sort -u | sed 's/^/digest: /'
}
pg_dump -d "$db" -f "$work/before.sql" || failures=$((failures + 1))
check "before the erasure, the dump holds every value" "${#values[@]}" "$(found_in_dump "$work/before.sql" | grep -c '^value')"
{ cat "$work/before.sql"; echo "x $(sed -n 7p "$work/digests") x"; } >"$work/planted.sql"
check "...and the search finds a digest where there is one" "1" "$(found_in_dump "$work/planted.sql" | grep -c '^digest')"

# What the sealed ones among them committed to, and the secrets that open
# it now: afterwards, a guess of their fields must not be testable.
sql "$db" "COPY (SELECT e.id, eventlog_seal_erasable(e) FROM eventlog e JOIN eventlog_seal_secrets k ON k.id = e.id
                 WHERE e.object_id = '1' AND e.object_type = 'public.customer' OR e.actor = '$actor') TO STDOUT" >"$work/originals.copy"
opens() {  # DB -> how many of the originals the current secrets open (sha256(secret || fields) = the chained commitment)
    psql -X -q -At -d "$1" -c "CREATE TEMP TABLE originals (id bigint, erasable text)" \
        -c "\\copy originals FROM '$work/originals.copy'" \
        -c "SELECT count(*) FROM originals o JOIN eventlog_seal_secrets k ON k.id = o.id
            WHERE sha256(k.secret || convert_to(o.erasable, 'UTF8'))
                  = COALESCE((SELECT r.sealed FROM eventlog_erasures r WHERE r.event_id = o.id ORDER BY r.erasure LIMIT 1),
                             sha256(k.secret || convert_to(o.erasable, 'UTF8')))"
}
check "before the erasure, the secrets open what the sealed events committed to" "$(wc -l <"$work/originals.copy")" "$(opens "$db")"
check "...some of them" "t" "$([ "$(wc -l <"$work/originals.copy")" -ge 2 ] && echo t)"

# -----------------------------------------------------------------------------
: "Erasure: the customer (after the application deleted her row), then the employee"
# -----------------------------------------------------------------------------
sql "$db" "DELETE FROM customer WHERE id = 1" >/dev/null
check "eventlog_erase: every event about her changed" \
    "$(sql "$db" "SELECT count(*) FROM eventlog WHERE object_type = 'public.customer' AND object_id = '1'")" \
    "$(sql "$db" "SELECT eventlog_erase('public.customer', '1', reason => 'Art. 17 request #4411')")"
check "eventlog_erase_actor: every event the employee caused changed" \
    "$(sql "$db" "SELECT count(*) FROM eventlog WHERE actor = '$actor'")" \
    "$(sql "$db" "SELECT eventlog_erase_actor('$actor', 'left the company')")"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "verify: ok across the erased events" "true|true||" "$(verify "$db")"
pg_dump -d "$db" -f "$work/after.sql" || failures=$((failures + 1))
check "after the erasure, the dump holds none of the values or their digests" "(empty)" \
    "$(found_in_dump "$work/after.sql" >"$work/found"; contents "$work/found")"
check "no secret kept opens what an erased event committed to" "0" "$(opens "$db")"
check "...it holds the erasure's marks and the pseudonym" "t t" \
    "$(grep -q '\[erased\]' "$work/after.sql" && echo t) $(grep -qE 'erased-actor-[0-9a-f]{16}' "$work/after.sql" && echo t)"
check "...and the other customer's values" "t" "$(grep -q 'other@kept.example' "$work/after.sql" && echo t)"
check "the erase events hold none of them (their own values_json, messages)" "0" \
    "$(sql "$db" "SELECT count(*) FROM eventlog e WHERE e.action = 'erase' AND (e::text LIKE '%Erasmus%' OR e::text LIKE '%Actorsson%' OR e::text LIKE '%emp-7731%')")"
check "the dump restores the messages as erased" \
    "[erased] ([erased]) removed|[erased] is [erased] ([erased] before), handled by erased-actor" \
    "$(sql "$db" "SELECT string_agg(regexp_replace(message, 'erased-actor-[0-9a-f]+', 'erased-actor'), '|' ORDER BY id DESC)
                 FROM eventlog WHERE object_id = '1' AND action IN ('delete', 'update')")"

copy_out "$db"
check "outside the database: the chain verifies, erased events counted" "$(expected_chain "$db")" "$(verify_chain)"
erased_id=$(sql "$db" "SELECT min(event_id) FROM eventlog_erasures")
sql "$db" "SET session_replication_role = replica;
           UPDATE eventlog SET changes = jsonb_set(changes, '{new_value,email}', '\"made.up@example.org\"') WHERE id = $erased_id" >/dev/null
copy_out "$db"
check "outside the database: an erased event restored with a made-up value is found" \
    "not ok: event $erased_id: changed (an erased event that is not as its erasure left it)" "$(verify_chain)"
check "...and inside" "false|$erased_id" "$(sql "$db" "SELECT ok || '|' || first_bad_id FROM eventlog_verify()")"
sql "$db" "SET session_replication_role = replica;
           UPDATE eventlog SET changes = jsonb_set(changes, '{new_value,email}', '\"[erased]\"') WHERE id = $erased_id" >/dev/null
sql "$db" "CREATE TABLE saved_erasures AS SELECT * FROM eventlog_erasures;
           SET session_replication_role = replica; UPDATE eventlog_erasures SET current = sha256(current) WHERE event_id = $erased_id" >/dev/null
copy_out "$db"
check "outside the database: an erasure record altered is found" "not ok: event" "$(verify_chain | cut -c1-13)"
sql "$db" "SET session_replication_role = replica; DELETE FROM eventlog_erasures;
           INSERT INTO eventlog_erasures SELECT * FROM saved_erasures; DROP TABLE saved_erasures" >/dev/null
check "put back: verify ok" "true|true||" "$(verify "$db")"

# -----------------------------------------------------------------------------
: "A dump restored elsewhere verifies, and seals and erases on"
# -----------------------------------------------------------------------------
pg_dump -Fc -d "$db" -f "$work/dump" || failures=$((failures + 1))
psql -X -q -d postgres -c "CREATE DATABASE ${db}_restored" >/dev/null
pg_restore -d "${db}_restored" "$work/dump" 2>"$work/restore.err" || failures=$((failures + 1))
check "restore: no warnings" "(empty)" "$(contents "$work/restore.err")"
check "restored: the secrets and erasure records came along" \
    "$(sql "$db" "SELECT (SELECT count(*) FROM eventlog_seal_secrets) || ' ' || (SELECT count(*) FROM eventlog_erasures)")" \
    "$(sql "${db}_restored" "SELECT (SELECT count(*) FROM eventlog_seal_secrets) || ' ' || (SELECT count(*) FROM eventlog_erasures)")"
check "restored: verify ok" "true|true||" "$(verify "${db}_restored")"
copy_out "${db}_restored"
check "restored: outside the database too" "$(expected_chain "$db")" "$(verify_chain)"
sql "${db}_restored" "SELECT eventlog_erase('public.customer', '2', '{email}', 'restored, then erased')" >/dev/null
sql "${db}_restored" "SELECT * FROM eventlog_seal()" >/dev/null
check "restored: erased and sealed on, verify ok" "true|true||" "$(verify "${db}_restored")"
check "restored: erasure numbers go on" "3" \
    "$(sql "${db}_restored" "SELECT values_json ->> 'erasure' FROM eventlog WHERE action = 'erase' ORDER BY id DESC LIMIT 1")"

# -----------------------------------------------------------------------------
: "Several sessions write while others erase and seal"
# -----------------------------------------------------------------------------
sql "$db" "INSERT INTO customer SELECT g, 'Person ' || g, 'p' || g || '@bench.example', NULL, 'new', NULL
           FROM generate_series(100, 119) g" >/dev/null
start=$(sql "$db" "SELECT max(id) FROM eventlog")
cat >"$work/write.sql" <<'EOF'
\set r random(100, 119)
\set who random(0, 3)
BEGIN;
SELECT set_config('eventlog.actor', CASE WHEN :who = 0 THEN 'shared clerk' ELSE 'clerk :client_id' END, true);
UPDATE customer SET status = 'seen ' || txid_current(), email = 'p' || id || '-' || txid_current() || '@bench.example' WHERE id = :r;
SELECT eventlog_log('Contacted {customer__email}', jsonb_build_object('customer__email', 'x' || :r || '@bench.example'),
                    'public.customer', ':r', NULL, 'bench', 'contact');
COMMIT;
EOF
pgbench -n -c 4 -j 2 -T 8 -f "$work/write.sql" "$db" >"$work/pgbench.out" 2>&1 &
bench_pid=$!
erasures=0
: >"$work/loop.err"
while kill -0 "$bench_pid" 2>/dev/null; do
    r=$((100 + RANDOM % 20))
    sql "$db" "SELECT eventlog_erase('public.customer', '$r', '{email}')" >/dev/null || echo "erase failed" >>"$work/loop.err"
    sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null || echo "seal failed" >>"$work/loop.err"
    [ $((erasures % 5)) -eq 0 ] && { sql "$db" "SELECT eventlog_erase_actor('shared clerk')" >/dev/null || echo "erase_actor failed" >>"$work/loop.err"; }
    erasures=$((erasures + 1))
done
wait "$bench_pid"
bench_rc=$?
bench_pid=
check "pgbench ran without errors" "0" "$bench_rc"
tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.out")
check "erasures and seals ran alongside" "t (empty)" "$([ "$erasures" -ge 3 ] && echo t || echo "$erasures") $(contents "$work/loop.err")"
# Each transaction's UPDATE changes its row for certain (a new xid in both
# columns): an UPDATE that changes nothing records nothing, and random values
# met the row's old ones about once in 60 runs.
check "no event lost: one tracked UPDATE and one eventlog_log per transaction" "${tx:-0} ${tx:-0}" \
    "$(sql "$db" "SELECT count(*) FILTER (WHERE tool = 'crm') || ' ' || count(*) FILTER (WHERE tool = 'bench')
                  FROM eventlog WHERE id > $start")"
sql "$db" "SELECT * FROM eventlog_seal(); SELECT * FROM eventlog_seal()" >/dev/null
check "verify: ok" "true|true||" "$(verify "$db")"
for r in $(seq 100 119); do sql "$db" "SELECT eventlog_erase('public.customer', '$r', '{email}')" >/dev/null; done
check "once the writers stopped and each customer was erased again, no email is left" "0" \
    "$(sql "$db" "SELECT count(*) FROM eventlog e WHERE e::text LIKE '%@bench.example%'")"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "verify: ok" "true|true||" "$(verify "$db")"
sql "$db" "SELECT eventlog_counts_fold()" >/dev/null
check "counts exact for every actor (pseudonyms included) and tool" "0" \
    "$(sql "$db" "SELECT count(*) FROM (
        SELECT actor AS v, 'actor' AS f, count(*) AS n FROM eventlog WHERE actor IS NOT NULL GROUP BY actor
        UNION ALL SELECT tool, 'tool', count(*) FROM eventlog WHERE tool IS NOT NULL GROUP BY tool) c
        WHERE (eventlog_page(tool => CASE WHEN f = 'tool' THEN v END, actor => CASE WHEN f = 'actor' THEN v END,
                             page_size => 1) ->> 'count')::bigint <> n")"
copy_out "$db"
check "outside the database: ok" "$(expected_chain "$db")" "$(verify_chain)"

: "REPEATABLE READ: a seal and an erasure that do not see each other fail to serialize"
mkfifo "$work/a.in"
rr_session() {  # STATEMENT -> A's output, after B ran $2 in between
    psql -X -q -At -d "$db" <"$work/a.in" >"$work/a.out" 2>&1 &
    local pid=$!
    exec 3>"$work/a.in"
    echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'snapshot';" >&3
    for _ in $(seq 1 100); do grep -q snapshot "$work/a.out" && break; sleep 0.1; done
    sql "$db" "$2" >/dev/null
    echo "\\set VERBOSITY sqlstate
$1;
\\echo :LAST_ERROR_SQLSTATE
ROLLBACK;" >&3
    exec 3>&-
    wait "$pid"
    tail -n 1 "$work/a.out"
}
sql "$db" "SELECT eventlog_log('to seal')" >/dev/null
check "an erasure whose snapshot misses a seal" "40001" \
    "$(rr_session "SELECT eventlog_erase('public.customer', '100', '{status}')" "SELECT * FROM eventlog_seal()")"
check "a seal whose snapshot misses an erasure" "40001" \
    "$(rr_session "SELECT * FROM eventlog_seal()" "SELECT eventlog_erase('public.customer', '101', '{status}')")"
sql "$db" "SELECT * FROM eventlog_seal()" >/dev/null
check "verify: ok" "true|true||" "$(verify "$db")"

: "Purge after erasure: what is left verifies, the secrets of purged events are gone"
sql "$db" "SELECT eventlog_purge('0')" >/dev/null
check "no secret left of a purged event" "0" \
    "$(sql "$db" "SELECT count(*) FROM eventlog_seal_secrets k WHERE NOT EXISTS (SELECT FROM eventlog e WHERE e.id = k.id)")"
sql "$db" "SELECT eventlog_log('after the purge'); SELECT * FROM eventlog_seal()" >/dev/null
check "verify: ok after the purge" "true|false||" "$(verify "$db")"
copy_out "$db"
check "outside the database: ok after the purge" "$(expected_chain "$db")" "$(verify_chain)"

# -----------------------------------------------------------------------------
: "A time-partitioned log"
# -----------------------------------------------------------------------------
pdb=${db}_part
fresh_db "$pdb"
sql "$pdb" "SET eventlog.partition_interval = '1 month'; CREATE EXTENSION eventlog;
CREATE TABLE customer (id int PRIMARY KEY, name text, email text);
SELECT eventlog_track('customer', tool => 'crm');
SELECT eventlog_partition_maintain(since => now() - interval '3 months') IS NOT NULL;
INSERT INTO eventlog (\"timestamp\", message, object_type, object_id, tool, action, changes)
SELECT now() - g * interval '1 month', 'old change ' || g, 'public.customer', '5', 'crm', 'update',
       jsonb_build_object('old_value', jsonb_build_object('email', 'old' || g || '@part.example'),
                          'new_value', jsonb_build_object('email', 'new' || g || '@part.example'))
FROM generate_series(1, 3) g;
INSERT INTO customer VALUES (5, 'Pat', 'pat@part.example');" >/dev/null
sql "$pdb" "SELECT * FROM eventlog_seal()" >/dev/null
check "events in four partitions" "4" "$(sql "$pdb" "SELECT count(DISTINCT tableoid) FROM eventlog WHERE object_id = '5'")"
check "erasure across partitions" "4" "$(sql "$pdb" "SELECT eventlog_erase('public.customer', '5', '{email}')")"
check "no email left" "0" "$(sql "$pdb" "SELECT count(*) FROM eventlog WHERE changes::text LIKE '%@part.example%'")"
sql "$pdb" "SELECT * FROM eventlog_seal()" >/dev/null
check "partitioned: verify ok" "true|true||" "$(verify "$pdb")"
sql "$pdb" "INSERT INTO eventlog (\"timestamp\", message, tool, action, changes)
            VALUES (now() - interval '40 days', 'old signup', 'signup', 'create', '{\"new_value\": {\"email\": \"s@part.example\"}}')" >/dev/null
sql "$pdb" "SELECT * FROM eventlog_seal()" >/dev/null
check "retention by erasure in an old partition" "1" "$(sql "$pdb" "SELECT eventlog_erase_older('30 days', '{email}', 'signup')")"
sql "$pdb" "SELECT * FROM eventlog_seal()" >/dev/null
check "partitioned: verify ok" "true|true||" "$(verify "$pdb")"
check "purge drops the old partitions" "t" "$(sql "$pdb" "SELECT eventlog_purge('45 days') >= 2")"
check "their events' secrets went with them" "0" \
    "$(sql "$pdb" "SELECT count(*) FROM eventlog_seal_secrets k WHERE NOT EXISTS (SELECT FROM eventlog e WHERE e.id = k.id)")"
sql "$pdb" "SELECT * FROM eventlog_seal()" >/dev/null
check "partitioned, after the purge: verify ok" "true|true||" "$(verify "$pdb")"
copy_out "$pdb"
check "partitioned: outside the database too" "$(expected_chain "$pdb")" "$(verify_chain)"

finish
