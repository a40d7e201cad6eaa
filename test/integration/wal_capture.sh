#!/usr/bin/env bash
# Capture from the WAL (eventlog_track(..., capture => 'wal')), on a cluster
# of its own with wal_level = logical and eventlog in
# shared_preload_libraries (port $EVENTLOG_WAL_PORT, default 54351):
#  * refused with 55000 where wal_level is not logical (the main cluster);
#  * differential: one workload on two identical tables, one tracked by the
#    triggers and one from the WAL, in the same transactions, gives the same
#    events field by field but for the table's name (multi-row statements,
#    a key change, TOAST values changed and left alone, excluded columns,
#    no-op updates, rolled-back subtransactions and transactions, another
#    role, actor/actor_id/context settings, prepared transactions, DDL
#    between changes, a transaction larger than logical_decoding_work_mem,
#    TRUNCATE, a partitioned table);
#  * updated from 1.3, a trigger-tracked table moved to WAL capture;
#  * history, revert, seal and counts on WAL-captured events;
#  * a change that cannot become an event is recorded in
#    eventlog_capture_errors and capture goes on (a failing value, a
#    failing write);
#  * moving a table between modes under a concurrent writer loses and
#    doubles no event;
#  * untracking the last WAL table, DROP EXTENSION and DROP DATABASE leave
#    no slot, origin or worker.
# Exactly once under faults is test/integration/wal_faults.sh.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

main_host=$PGHOST main_port=$PGPORT
port=${EVENTLOG_WAL_PORT:-54351}
dir=$(mktemp -d /tmp/eventlog-wal.XXXXXX)
chmod 755 "$dir"
options="-c wal_level=logical -c shared_preload_libraries=eventlog -c max_prepared_transactions=5 -c logical_decoding_work_mem=64kB -c max_replication_slots=10 -c max_worker_processes=16"
writer_pid=
cleanup() {
    [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
    PGHOST=$dir "$root/scripts/pg-cluster" stop "$dir"
    rm -rf "$dir"
}
trap cleanup EXIT

# 1. Where wal_level is not logical, capture => 'wal' is refused (55000).
fresh_db wal_refused
sql wal_refused "CREATE EXTENSION eventlog; CREATE TABLE t (id int PRIMARY KEY)" >/dev/null
if [ "$(sql wal_refused "SHOW wal_level")" != logical ]; then
    check "wal_level replica: capture => 'wal' refused" "55000" \
        "$(sqlstate wal_refused "SELECT eventlog_track('t', capture => 'wal')")"
    refusal=$(psql -X -q -d wal_refused -c "SELECT eventlog_track('t', capture => 'wal')" 2>&1)
    check "the refusal says what to set" "yes" "$(grep -q "HINT:.*wal_level = logical" <<<"$refusal" && echo yes)"
fi
check "an unknown capture mode is refused (22023)" "22023" \
    "$(sqlstate wal_refused "SELECT eventlog_track('t', capture => 'disk')")"
psql -X -q -d postgres -c "DROP DATABASE wal_refused" >/dev/null

PG_CLUSTER_OPTIONS=$options "$root/scripts/pg-cluster" start "$dir" "$port" || exit 1
export PGHOST=$dir PGPORT=$port

# wait_capture DB: every committed change applied (eventlog_capture_wait).
wait_capture() { sql "$1" "SELECT eventlog_capture_wait('60 seconds')"; }

# 2. The differential test.
fresh_db walcap
sql walcap "
CREATE EXTENSION eventlog;
CREATE ROLE wal_other;
CREATE TABLE t_trig (id int PRIMARY KEY, name text, status text, big text, secret text, n numeric, doc jsonb);
CREATE TABLE t_wal (LIKE t_trig INCLUDING ALL);
GRANT SELECT, INSERT, UPDATE, DELETE ON t_trig, t_wal TO wal_other;
SELECT eventlog_track('t_trig', tool => 'diff', exclude_columns => '{secret}',
                      messages => '{\"update\": \"{actor} moved {old__name} from {old__status} to {new__status}\"}');
" >/dev/null
sql walcap "SELECT eventlog_track('t_wal', tool => 'diff', exclude_columns => '{secret}',
                      messages => '{\"update\": \"{actor} moved {old__name} from {old__status} to {new__status}\"}',
                      capture => 'wal')" >/dev/null
check "eventlog_tracked shows each table's capture" "t_trig:trigger t_wal:wal" \
    "$(sql walcap "SELECT string_agg(table_name || ':' || capture, ' ' ORDER BY table_name::text) FROM eventlog_tracked")"
check "tracking set REPLICA IDENTITY FULL" "f" "$(sql walcap "SELECT relreplident FROM pg_class WHERE oid = 't_wal'::regclass")"
check "the database has its capture slot" "1" "$(sql walcap "SELECT count(*) FROM pg_replication_slots WHERE plugin = 'eventlog'")"

# A big value that stays TOASTed (not compressible).
big="(SELECT string_agg(md5(g::text || 'x'), '') FROM generate_series(1, 400) g)"
both() {  # both STATEMENT-TEMPLATE: the statement for t_trig, then for t_wal
    printf '%s\n%s\n' "${1//@/t_trig}" "${1//@/t_wal}"
}
run() {  # run SQL: one psql call, stopping at the first error
    psql -X -q -v ON_ERROR_STOP=1 -d walcap >/dev/null <<<"$1" || echo "FAIL  workload step failed: ${1:0:200}"
}
run "BEGIN; SET LOCAL eventlog.actor = 'jane'; SET LOCAL eventlog.actor_id = '42';
     SET LOCAL eventlog.context = '{\"request_id\": \"r-1\"}';
     $(both "INSERT INTO @ SELECT g, 'n' || g, 'active', CASE WHEN g % 3 = 0 THEN $big END, 's' || g, g / 3.0, jsonb_build_object('k', g) FROM generate_series(1, 12) g;")
     COMMIT;"
run "BEGIN; $(both "UPDATE @ SET status = 'inactive' WHERE id <= 4;")
     $(both "UPDATE @ SET status = status WHERE id <= 4;")
     $(both "UPDATE @ SET secret = 'changed' WHERE id = 5;")
     $(both "UPDATE @ SET n = 2.0 WHERE id = 6;")
     COMMIT;"
run "BEGIN; $(both "UPDATE @ SET name = 'renamed' WHERE id IN (3, 6, 9);")
     $(both "UPDATE @ SET big = big || 'y' WHERE id = 3;")
     $(both "UPDATE @ SET id = id + 100 WHERE id = 1;")
     COMMIT;"
run "BEGIN; $(both "UPDATE @ SET status = 'kept' WHERE id = 2;")
     SAVEPOINT s; $(both "UPDATE @ SET status = 'undone' WHERE id = 2;") ROLLBACK TO SAVEPOINT s;
     SAVEPOINT s2; $(both "DELETE FROM @ WHERE id = 4;") RELEASE SAVEPOINT s2;
     COMMIT;"
run "BEGIN; $(both "UPDATE @ SET status = 'lost' WHERE id = 5;") ROLLBACK;"
run "BEGIN; SET LOCAL ROLE wal_other; SET LOCAL eventlog.actor = 'someone else';
     $(both "UPDATE @ SET status = 'by other' WHERE id = 7;") COMMIT;"
run "BEGIN; $(both "UPDATE @ SET doc = doc || '{\"z\": 1}' WHERE id = 8;") PREPARE TRANSACTION 'walcap1';"
run "COMMIT PREPARED 'walcap1';"
run "BEGIN; $(both "UPDATE @ SET status = 'never' WHERE id = 8;") PREPARE TRANSACTION 'walcap2';"
run "ROLLBACK PREPARED 'walcap2';"
run "BEGIN; $(both "ALTER TABLE @ ADD COLUMN extra int;")
     $(both "UPDATE @ SET extra = 1, status = 'with extra' WHERE id = 9;")
     $(both "ALTER TABLE @ DROP COLUMN n;")
     $(both "UPDATE @ SET status = 'without n' WHERE id = 10;")
     $(both "ALTER TABLE @ RENAME COLUMN doc TO document;")
     $(both "UPDATE @ SET document = '{}' WHERE id = 10;")
     COMMIT;"
run "BEGIN; $(both "INSERT INTO @ (id, name, status) SELECT g, 'bulk ' || g, repeat('s', 50) FROM generate_series(1000, 3999) g;")
     $(both "UPDATE @ SET status = 'bulk done' WHERE id >= 1000;") COMMIT;"
run "BEGIN; $(both "DELETE FROM @ WHERE id BETWEEN 1000 AND 1999;") $(both "TRUNCATE @;")
     $(both "INSERT INTO @ (id, name, status) VALUES (1, 'after', 'truncate');") COMMIT;"

check "changes wait for the applier or apply now" "t" "$(wait_capture walcap)"
fields="action, object_id, changes::text, replace(message, object_type, 'TABLE'), actor, actor_id, db_user,
        context::text, transaction_id::text, tool, template_message"
events_of() {
    sql walcap "SELECT count(*) || ' ' || md5(string_agg(row($fields)::text, '|' ORDER BY id)) FROM eventlog
                WHERE object_type = 'public.$1'"
}
trig_events=$(events_of t_trig)
wal_events=$(events_of t_wal)
check "the trigger table has its events" "true" "$([ "${trig_events%% *}" -gt 6000 ] 2>/dev/null && echo true || echo "$trig_events")"
check "WAL capture gives the same events, field by field" "$trig_events" "$wal_events"
if [ "$trig_events" != "$wal_events" ]; then
    sql walcap "WITH a AS (SELECT row_number() OVER (ORDER BY id) AS n, row($fields)::text AS e FROM eventlog WHERE object_type = 'public.t_trig'),
                     b AS (SELECT row_number() OVER (ORDER BY id) AS n, row($fields)::text AS e FROM eventlog WHERE object_type = 'public.t_wal')
                SELECT coalesce(a.n, b.n) || E'\n  trigger: ' || coalesce(a.e, '-') || E'\n  wal:     ' || coalesce(b.e, '-')
                FROM a FULL JOIN b ON a.n = b.n WHERE a.e IS DISTINCT FROM b.e ORDER BY 1 LIMIT 5"
fi
check "object_table is each event's table" "t_trig t_wal" \
    "$(sql walcap "SELECT string_agg(DISTINCT object_table::text, ' ' ORDER BY object_table::text) FROM eventlog WHERE tool = 'diff'")"
check "an unchanged TOAST value is not in an update's changes" "0" \
    "$(sql walcap "SELECT count(*) FROM eventlog WHERE object_type = 'public.t_wal' AND action = 'update' AND object_id = '9' AND changes -> 'new_value' ? 'big'")"
check "a TOAST value's change is" "1" \
    "$(sql walcap "SELECT count(*) FROM eventlog WHERE object_type = 'public.t_wal' AND action = 'update' AND object_id = '3' AND length(changes -> 'new_value' ->> 'big') = 12801")"
check "timestamps are the statements' times, in order" "t" \
    "$(sql walcap "SELECT bool_and(ts <= next_ts) FROM (SELECT timestamp AS ts, lead(timestamp) OVER (ORDER BY id) AS next_ts
                                                      FROM eventlog WHERE object_type = 'public.t_wal') x WHERE next_ts IS NOT NULL")"
check "a WAL event's time is its statement's, not its apply time" "t" \
    "$(sql walcap "SELECT max(timestamp) < (SELECT applied_at FROM eventlog_capture_status) FROM eventlog WHERE object_type = 'public.t_wal'")"
check "counts are exact for WAL events" "t" \
    "$(sql walcap "SELECT (eventlog_page(object_type => 'public.t_wal', page_size => 1) ->> 'count')::bigint = count(*)
                          AND (eventlog_page(tool => 'diff', page_size => 1) ->> 'count')::bigint
                              = (SELECT count(*) FROM eventlog WHERE tool = 'diff')
                   FROM eventlog WHERE object_type = 'public.t_wal'")"

# 2b. Updated from 1.3: a table tracked by triggers before the update moves
# to WAL capture after it, without losing or doubling an event.
install_released 1.3
fresh_db walupgrade
sql walupgrade "CREATE EXTENSION eventlog VERSION '1.3'; CREATE TABLE u (id int PRIMARY KEY, v text);
                SELECT eventlog_track('u'); INSERT INTO u VALUES (1, 'before')" >/dev/null
sql walupgrade "ALTER EXTENSION eventlog UPDATE" >/dev/null
sql walupgrade "SELECT eventlog_track('u', capture => 'wal')" >/dev/null
sql walupgrade "UPDATE u SET v = 'after' WHERE id = 1; INSERT INTO u VALUES (2, 'new')" >/dev/null
wait_capture walupgrade >/dev/null
check "updated from 1.3, then WAL-tracked: every change once" "create 1|update 1|create 2" \
    "$(sql walupgrade "SELECT string_agg(action || ' ' || object_id, '|' ORDER BY id) FROM eventlog")"
sql walupgrade "SELECT eventlog_untrack('u')" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE walupgrade" >/dev/null

# 3. A partitioned table tracked from the WAL: the partitions' changes are
# its events, with its columns (a partition's own column order differs).
sql walcap "CREATE TABLE p_wal (id int, region text, v text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
            CREATE TABLE p_wal_eu (v text, region text NOT NULL, id int NOT NULL);
            ALTER TABLE p_wal ATTACH PARTITION p_wal_eu FOR VALUES IN ('eu');
            CREATE TABLE p_wal_us PARTITION OF p_wal FOR VALUES IN ('us')" >/dev/null
sql walcap "SELECT eventlog_track('p_wal', capture => 'wal')" >/dev/null
sql walcap "INSERT INTO p_wal VALUES (1, 'eu', 'a'), (2, 'us', 'b'); UPDATE p_wal SET v = 'c' WHERE id = 1;
            UPDATE p_wal SET region = 'us' WHERE id = 1; DELETE FROM p_wal WHERE id = 2" >/dev/null
wait_capture walcap >/dev/null
check "a partitioned table's events, with its own columns" \
    "create [1,\"eu\"] {\"v\": \"a\", \"id\": 1, \"region\": \"eu\"}|create [2,\"us\"] {\"v\": \"b\", \"id\": 2, \"region\": \"us\"}|update [1,\"eu\"] {\"v\": \"c\"}|update [1,\"us\"] {\"region\": \"us\"}|delete [2,\"us\"] {}" \
    "$(sql walcap "SELECT string_agg(action || ' ' || object_id || ' ' || (changes -> 'new_value')::text, '|' ORDER BY id)
                   FROM eventlog WHERE object_type = 'public.p_wal'")"

# 4. History, revert, seal and purge on WAL-captured events.
check "the state of a WAL-tracked row before the TRUNCATE, rebuilt" \
    "{\"n\": 0.66666666666666666667, \"id\": 2, \"big\": null, \"doc\": {\"k\": 2}, \"name\": \"n2\", \"status\": \"kept\"}" \
    "$(sql walcap "SELECT eventlog_state_at('public.t_wal', '2',
                          (SELECT timestamp - interval '1 microsecond' FROM eventlog WHERE object_type = 'public.t_wal' AND action = 'truncate'))")"
check "the versions of a WAL-tracked row" "truncate update update create" \
    "$(sql walcap "SELECT string_agg(action, ' ') FROM eventlog_versions('public.t_wal', '2')")"
sql walcap "UPDATE t_wal SET status = 'to revert' WHERE id = 1" >/dev/null
wait_capture walcap >/dev/null
last_update=$(sql walcap "SELECT max(id) FROM eventlog WHERE object_type = 'public.t_wal' AND object_id = '1' AND action = 'update'")
sql walcap "SELECT eventlog_revert($last_update)" >/dev/null
wait_capture walcap >/dev/null
check "a revert of a WAL event is itself captured, with revert_of" "truncate $last_update" \
    "$(sql walcap "SELECT (SELECT status FROM t_wal WHERE id = 1) || ' ' || (context ->> 'revert_of')
                   FROM eventlog WHERE object_type = 'public.t_wal' ORDER BY id DESC LIMIT 1")"
sql walcap "SELECT eventlog_seal()" >/dev/null
check "the seal covers WAL events and verifies" "t" "$(sql walcap "SELECT ok FROM eventlog_verify()")"

# 5. A change that cannot become an event is recorded, and capture goes on.
sql walcap "CREATE TYPE mood AS ENUM ('calm', 'bad');
            CREATE FUNCTION mood_json(m mood) RETURNS json LANGUAGE plpgsql AS
            \$\$BEGIN IF m = 'bad' THEN RAISE EXCEPTION 'no json for bad moods'; END IF; RETURN to_json(m::text); END\$\$;
            CREATE CAST (mood AS json) WITH FUNCTION mood_json(mood);
            CREATE TABLE moods (id int PRIMARY KEY, m mood)" >/dev/null
sql walcap "SELECT eventlog_track('moods', capture => 'wal')" >/dev/null
sql walcap "INSERT INTO moods VALUES (1, 'calm'); INSERT INTO moods VALUES (2, 'bad'); INSERT INTO moods VALUES (3, 'calm')" >/dev/null
wait_capture walcap >/dev/null
check "the changes around a failing one became events" "1 3" \
    "$(sql walcap "SELECT string_agg(object_id, ' ' ORDER BY id) FROM eventlog WHERE object_type = 'public.moods'")"
check "the failing change is recorded for the owner" "public.moods create P0001 no json for bad moods" \
    "$(sql walcap "SELECT object_type || ' ' || action || ' ' || sqlstate || ' ' || error FROM eventlog_capture_errors WHERE object_type = 'public.moods'")"
# A write the log refuses (a constraint the owner added): the events of
# that write are recorded with the error, the rest applied.
sql walcap "ALTER TABLE eventlog ADD CONSTRAINT no_thirteen CHECK (object_id IS DISTINCT FROM '13')" >/dev/null
sql walcap "INSERT INTO moods VALUES (13, 'calm'); INSERT INTO moods VALUES (14, 'calm')" >/dev/null
wait_capture walcap >/dev/null
check "a refused write is recorded with its event" "23514 13" \
    "$(sql walcap "SELECT sqlstate || ' ' || (event ->> 'object_id') FROM eventlog_capture_errors WHERE event IS NOT NULL")"
check "and capture went on" "14" "$(sql walcap "SELECT max(object_id::int) FROM eventlog WHERE object_type = 'public.moods'")"
sql walcap "ALTER TABLE eventlog DROP CONSTRAINT no_thirteen" >/dev/null
check "eventlog_capture_status counts the failures" "2" "$(sql walcap "SELECT failures FROM eventlog_capture_status")"
check "eventlog_capture_status shows the last error" "t" \
    "$(sql walcap "SELECT last_error LIKE '%no_thirteen%' FROM eventlog_capture_status")"
check "the worker met no error of its own" "" "$(sql walcap "SELECT last_error FROM eventlog_capture_worker_state()")"
check "eventlog_capture_errors is the owner's" "42501" \
    "$(sqlstate walcap "SET ROLE wal_other; SELECT * FROM eventlog_capture_errors")"
check "counts are exact after a refused write" "t" \
    "$(sql walcap "SELECT (eventlog_page(object_type => 'public.moods', page_size => 1) ->> 'count')::bigint = count(*)
                   FROM eventlog WHERE object_type = 'public.moods'")"

# 5b. One apply of many transactions: their counts are summed per key in
# memory and written as one delta row per key; exact with more keys than a
# sum holds (64), however the keys come.
sql walcap "CREATE TABLE work (id int PRIMARY KEY, n int); SELECT eventlog_track('work', capture => 'wal')" >/dev/null
set_worker off
deltas_before=$(sql walcap "SELECT count(*) FROM eventlog_count_deltas")
(
    echo "SET eventlog.actor = 'one clerk'; INSERT INTO work VALUES (0, 0);"
    for i in $(seq 1 300); do echo "UPDATE work SET n = $i WHERE id = 0;"; done
) | psql -X -q -d walcap >/dev/null
sql walcap "SELECT eventlog_capture_apply()" >/dev/null
check "301 transactions, two keys (create, update): two delta rows" "2" \
    "$(sql walcap "SELECT count(*) - $deltas_before FROM eventlog_count_deltas")"
for i in $(seq 1 300); do
    echo "SET eventlog.actor = 'clerk $((i % 100))'; INSERT INTO work VALUES ($i, $i);"
done | psql -X -q -d walcap >/dev/null
sql walcap "SELECT eventlog_capture_apply()" >/dev/null
check "counts exact for each actor and the table, 100 actors in one apply" "0 101 true" \
    "$(sql walcap "SELECT (SELECT count(*) FROM (SELECT actor, count(*) AS n FROM eventlog GROUP BY actor) c
                           WHERE (eventlog_page(actor => c.actor, page_size => 1) ->> 'count')::bigint <> c.n) || ' ' ||
                          (SELECT count(DISTINCT actor) FROM eventlog WHERE object_type = 'public.work') || ' ' ||
                          ((eventlog_page(object_type => 'public.work', page_size => 1) ->> 'count')::bigint = 601)")"
set_worker on

# 6. Moving a table between modes under a concurrent writer: every committed
# change has exactly one event, whichever mode recorded it.
sql walcap "CREATE TABLE moving (id int PRIMARY KEY, v int); INSERT INTO moving SELECT g, 0 FROM generate_series(1, 10) g;
            CREATE TABLE moving_ledger (xid xid8, id int, v int)" >/dev/null
sql walcap "SELECT eventlog_track('moving')" >/dev/null
(
    for i in $(seq 1 400); do
        echo "BEGIN; UPDATE moving SET v = $i WHERE id = $((i % 10 + 1));
              INSERT INTO moving_ledger VALUES (pg_current_xact_id(), $((i % 10 + 1)), $i); COMMIT;"
    done | psql -X -q -d walcap >/dev/null 2>&1
) &
writer_pid=$!
for mode in wal trigger wal trigger wal; do
    sleep 0.2
    sql walcap "SELECT eventlog_track('moving', capture => '$mode')" >/dev/null
done
wait "$writer_pid"
writer_pid=
wait_capture walcap >/dev/null
check "mode switches under load: every committed change once" "400 400 0 0" \
    "$(sql walcap "SELECT (SELECT count(*) FROM moving_ledger) || ' ' ||
                          (SELECT count(*) FROM eventlog WHERE object_type = 'public.moving' AND action = 'update') || ' ' ||
                          (SELECT count(*) FROM moving_ledger l WHERE NOT EXISTS (
                               SELECT FROM eventlog e WHERE e.object_type = 'public.moving' AND e.transaction_id = l.xid
                                 AND e.object_id = l.id::text AND (e.changes -> 'new_value' ->> 'v')::int = l.v)) || ' ' ||
                          (SELECT count(*) - count(DISTINCT transaction_id) FROM eventlog
                           WHERE object_type = 'public.moving' AND action = 'update')")"

# 7. Untracking: the last WAL-tracked table gone, no slot, origin or worker.
sql walcap "SELECT eventlog_untrack('t_wal'), eventlog_untrack('p_wal'), eventlog_untrack('moods'), eventlog_untrack('work')" >/dev/null
check "a WAL table left keeps the slot" "1" "$(sql walcap "SELECT count(*) FROM pg_replication_slots WHERE plugin = 'eventlog'")"
check "untracking restored the replica identity" "d" "$(sql walcap "SELECT relreplident FROM pg_class WHERE oid = 't_wal'::regclass")"
sql walcap "SELECT eventlog_untrack('moving')" >/dev/null
sleep 1
check "untracking the last WAL table: no slot, origin or worker" "0 0 0" \
    "$(sql walcap "SELECT (SELECT count(*) FROM pg_replication_slots WHERE plugin = 'eventlog') || ' ' ||
                          (SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'eventlog\_%') || ' ' ||
                          (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'eventlog capture worker')")"
sql walcap "SELECT eventlog_track('t_wal', capture => 'wal')" >/dev/null
sql walcap "INSERT INTO t_wal (id) VALUES (5000)" >/dev/null
check "tracked again: captured" "t create" \
    "$(wait_capture walcap) $(sql walcap "SELECT action FROM eventlog WHERE object_type = 'public.t_wal' ORDER BY id DESC LIMIT 1")"
for _ in $(seq 1 50); do
    [ "$(sql walcap "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'eventlog capture worker'")" = 1 ] && break
    sleep 0.2
done
check "the worker runs" "1" "$(sql walcap "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'eventlog capture worker'")"
sql walcap "DROP EXTENSION eventlog CASCADE" >/dev/null 2>&1
sleep 1
check "DROP EXTENSION: no slot, origin or worker" "0 0 0" \
    "$(sql walcap "SELECT (SELECT count(*) FROM pg_replication_slots WHERE plugin = 'eventlog') || ' ' ||
                          (SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'eventlog\_%') || ' ' ||
                          (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'eventlog capture worker')")"
check "the table's writes go on" "t" "$(sql walcap "UPDATE t_wal SET status = 'free' WHERE id = 5000 RETURNING true")"

# DROP DATABASE with its worker running.
sql walcap "CREATE EXTENSION eventlog" >/dev/null
sql walcap "SELECT eventlog_track('t_wal', capture => 'wal')" >/dev/null
for _ in $(seq 1 50); do
    [ "$(sql postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'eventlog capture worker'")" = 1 ] && break
    sleep 0.2
done
check "DROP DATABASE with its capture worker running" "0" \
    "$(psql -X -q -d postgres -c "DROP DATABASE walcap" >/dev/null 2>&1; echo $?)"
check "and no slot or origin is left" "0 0" \
    "$(sql postgres "SELECT (SELECT count(*) FROM pg_replication_slots WHERE plugin = 'eventlog') || ' ' ||
                            (SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'eventlog\_%')")"
finish
