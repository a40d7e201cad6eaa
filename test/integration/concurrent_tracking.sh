#!/usr/bin/env bash
# 8 pgbench clients hammer the same 10 tracked rows: counter increments,
# updates of other columns, no-op updates, eventlog_log calls about the same
# row, explicit ROLLBACKs, failed statements caught in a subtransaction and
# REPEATABLE READ serialization failures (retried by pgbench). Afterwards:
# no event lost, duplicated or left over from a rolled-back transaction, and
# every row's history chains (each update's old value is the previous new
# value) in id order and in timestamp order.
source "$(dirname "$0")/lib.bash"

db=concurrent_tracking
clients=8
per_client=150
seed=${EVENTLOG_TEST_SEED:-$RANDOM}
work=$(mktemp -d)
cleanup() {
    rm -rf "$work"
    [ -n "${EVENTLOG_KEEP_DB:-}" ] || psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
}
trap cleanup EXIT
fresh_db "$db"

sql "$db" "CREATE EXTENSION eventlog" >/dev/null
sql "$db" "
CREATE TABLE counted (
    id int PRIMARY KEY,
    counter int NOT NULL DEFAULT 0 CHECK (counter >= 0),
    other int NOT NULL DEFAULT 0,
    note text,
    touched_at timestamptz);
SELECT eventlog_track('counted', tool => 'bench', exclude_columns => '{touched_at}');
INSERT INTO counted (id) SELECT i FROM generate_series(1, 10) i;

-- An update and an event that are undone by a failing statement; the caller
-- catches the error, so only this subtransaction rolls back.
CREATE FUNCTION bump_then_fail(r int) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
    BEGIN
        UPDATE counted SET counter = counter + 1000, note = 'rolled back' WHERE id = r;
        PERFORM eventlog_log('Rolled back {row}', jsonb_build_object('row', r), 'public.counted', r::text,
                             NULL, 'bench', 'rolled_back');
        UPDATE counted SET counter = -1 WHERE id = r;   -- violates the CHECK
    EXCEPTION WHEN check_violation THEN
        NULL;
    END;
END
\$\$;" >/dev/null

# Every committed script increments the counter of row :r exactly once and
# logs exactly one 'bump' event about row :r in the same transaction. Rows
# are locked in ascending id order (:s >= :r), so clients never deadlock.
# Script 1: read committed; sometimes a second row's other/note, sometimes
# updates that change no tracked column (must record nothing).
cat >"$work/bump.sql" <<'EOF'
\set r random(1, 10)
\set s random(:r, 10)
\set also_other random(0, 1)
\set noop random(0, 2)
BEGIN;
SELECT set_config('eventlog.actor', 'client :client_id', true);
UPDATE counted SET counter = counter + 1, touched_at = clock_timestamp() WHERE id = :r;
SELECT eventlog_log('Bumped row {row}', jsonb_build_object('row', :r), 'public.counted', ':r', NULL, 'bench', 'bump');
\if :also_other
UPDATE counted SET other = other + 1, note = 'note ' || (other + 1) WHERE id = :s;
\endif
\if :noop = 1
UPDATE counted SET touched_at = clock_timestamp() WHERE id = :s;
\elif :noop = 2
UPDATE counted SET note = note, other = other WHERE id = :s;
\endif
COMMIT;
EOF
# Script 2: repeatable read; concurrent updates raise serialization failures
# (possibly after the first update already recorded its event), pgbench rolls
# back and retries.
cat >"$work/repeatable.sql" <<'EOF'
\set r random(1, 10)
\set s random(:r, 10)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT set_config('eventlog.actor', 'client :client_id', true);
UPDATE counted SET counter = counter + 1 WHERE id = :r;
SELECT eventlog_log('Bumped row {row}', jsonb_build_object('row', :r), 'public.counted', ':r', NULL, 'bench', 'bump');
UPDATE counted SET other = other + 1, note = 'note ' || (other + 1) WHERE id = :s;
COMMIT;
EOF
# Script 3: a failed statement rolled back to a subtransaction, then a
# committed bump of the same row.
cat >"$work/subfail.sql" <<'EOF'
\set r random(1, 10)
BEGIN;
SELECT set_config('eventlog.actor', 'client :client_id', true);
SELECT bump_then_fail(:r);
UPDATE counted SET counter = counter + 1 WHERE id = :r;
SELECT eventlog_log('Bumped row {row}', jsonb_build_object('row', :r), 'public.counted', ':r', NULL, 'bench', 'bump');
COMMIT;
EOF
# Script 4: everything rolled back explicitly.
cat >"$work/rollback.sql" <<'EOF'
\set r random(1, 10)
BEGIN;
SELECT set_config('eventlog.actor', 'client :client_id', true);
UPDATE counted SET counter = counter + 1000, note = 'rolled back' WHERE id = :r;
SELECT eventlog_log('Rolled back {row}', jsonb_build_object('row', :r), 'public.counted', ':r', NULL, 'bench', 'rolled_back');
UPDATE counted SET other = other + 1000 WHERE id = :r;
ROLLBACK;
EOF

start=$(date +%s)
pgbench -n -c "$clients" -j 1 -t "$per_client" --random-seed="$seed" --max-tries=1000 \
    -f "$work/bump.sql@6" -f "$work/repeatable.sql@2" -f "$work/subfail.sql@1" -f "$work/rollback.sql@2" \
    "$db" >"$work/pgbench.out" 2>"$work/pgbench.err"
rc=$?
echo "      pgbench: seed $seed, $(($(date +%s) - start)) s, $(grep -E '^number of transactions retried' "$work/pgbench.out")"
if [ "$rc" -ne 0 ] || grep -q 'aborted' "$work/pgbench.err"; then
    echo "FAIL  pgbench ran (exit $rc)"
    { head -n 12 "$work/pgbench.err"; grep -E '^(number of|SQL script)|^ - [0-9]+ transactions' "$work/pgbench.out"; } |
        sed 's/^/      /'
    exit 1
fi
check "pgbench: every transaction processed, none failed" \
    "$((clients * per_client))/$((clients * per_client)) 0" \
    "$(sed -nE 's|^number of transactions actually processed: ([0-9]+/[0-9]+)$|\1|p' "$work/pgbench.out") $(sed -nE 's|^number of failed transactions: ([0-9]+) .*|\1|p' "$work/pgbench.out")"

# Committed transactions per script, as pgbench counted them.
mapfile -t per_script < <(awk '/^SQL script [0-9]+:/ {n++} n && /^ - [0-9]+ transactions/ {print $2}' "$work/pgbench.out")
check "pgbench reported all four scripts" "4" "${#per_script[@]}"
[ "${#per_script[@]}" -eq 4 ] || { sed 's/^/      /' "$work/pgbench.out"; exit 1; }
n_bump=${per_script[0]} n_repeatable=${per_script[1]} n_subfail=${per_script[2]} n_rollback=${per_script[3]}
echo "      committed: bump $n_bump, repeatable read $n_repeatable, subtransaction failure $n_subfail; rolled back: $n_rollback"
check "every script ran" "t" "$([ "$n_bump" -gt 0 ] && [ "$n_repeatable" -gt 0 ] && [ "$n_subfail" -gt 0 ] && [ "$n_rollback" -gt 0 ] && echo t)"
committed_bumps=$((n_bump + n_repeatable + n_subfail))

# Independent count: the counters sum to the committed increments.
check "counters sum to the committed increments" "$committed_bumps" "$(sql "$db" "SELECT sum(counter) FROM counted")"
check "other sums to at least the repeatable read updates" "t" "$(sql "$db" "SELECT sum(other) >= $n_repeatable FROM counted")"

ev="FROM eventlog WHERE object_type = 'public.counted'"

# (a) No event lost or duplicated: per row, exactly one update event per
# committed change of counter, and one per committed change of other; every
# update event changes exactly one of them (no-op updates record nothing).
check "one create event per row" "10 10" "$(sql "$db" "SELECT count(*) || ' ' || count(DISTINCT object_id) $ev AND action = 'create'")"
# (Each per-row check prints "N of 10 rows differ", then up to all of them.)
check "update events touching counter = counter, per row" "0 of 10 rows differ" "$(sql "$db" "
    SELECT count(*) FILTER (WHERE c.counter <> coalesce(e.n, 0)) || ' of ' || count(*) || ' rows differ'
           || coalesce(': ' || string_agg('row ' || c.id || ' counter ' || c.counter || ' events ' || coalesce(e.n, 0), ', ')
                                  FILTER (WHERE c.counter <> coalesce(e.n, 0)), '')
    FROM counted c LEFT JOIN (SELECT object_id, count(*) n $ev AND action = 'update'
                              AND changes->'new_value' ? 'counter' GROUP BY 1) e ON e.object_id = c.id::text")"
check "update events touching other = other, per row" "0 of 10 rows differ" "$(sql "$db" "
    SELECT count(*) FILTER (WHERE c.other <> coalesce(e.n, 0)) || ' of ' || count(*) || ' rows differ'
           || coalesce(': ' || string_agg('row ' || c.id || ' other ' || c.other || ' events ' || coalesce(e.n, 0), ', ')
                                  FILTER (WHERE c.other <> coalesce(e.n, 0)), '')
    FROM counted c LEFT JOIN (SELECT object_id, count(*) n $ev AND action = 'update'
                              AND changes->'new_value' ? 'other' GROUP BY 1) e ON e.object_id = c.id::text")"
check "every update event changes exactly one of counter, other" "0" "$(sql "$db" "
    SELECT count(*) $ev AND action = 'update'
    AND ((changes->'new_value' ? 'counter') = (changes->'new_value' ? 'other'))")"
check "total update events = committed changes" "$(sql "$db" "SELECT sum(counter + other) FROM counted")" \
    "$(sql "$db" "SELECT count(*) $ev AND action = 'update'")"
check "no other actions, excluded column never recorded" "0" "$(sql "$db" "
    SELECT count(*) $ev AND (action NOT IN ('create', 'update', 'bump')
                             OR changes->'old_value' ? 'touched_at' OR changes->'new_value' ? 'touched_at')")"

# (b) Nothing from rolled-back work: no rolled-back event, no rolled-back
# value, and rolled-back statements did burn ids (so they did run).
check "no event of a rolled-back transaction or subtransaction" "0" "$(sql "$db" "
    SELECT count(*) FROM eventlog WHERE action = 'rolled_back' OR message LIKE 'Rolled back%'
    OR changes::text LIKE '%rolled back%' OR (changes->'new_value'->>'counter')::int >= 1000
    OR (changes->'new_value'->>'other')::int >= 1000 OR (changes->'new_value'->>'counter')::int < 0")"
check "rolled-back events burned ids" "t" "$(sql "$db" "SELECT max(id) > count(*) FROM eventlog")"

# (c) Each row's history chains, column by column: ordered by id, every
# update's old value is the previous event's new value (starting from the
# create event), the last new value is the row's current value, and ordering
# by (timestamp, id) gives the same order.
chain="
WITH ev AS (
    SELECT e.object_id, e.id, e.\"timestamp\", e.action, k.key, k.value AS new,
           e.changes->'old_value'->k.key AS old
    FROM eventlog e CROSS JOIN LATERAL jsonb_each(e.changes->'new_value') k
    WHERE e.object_type = 'public.counted' AND e.action IN ('create', 'update')),
ch AS (
    SELECT ev.*, lag(new) OVER (PARTITION BY object_id, key ORDER BY id) AS prev,
           row_number() OVER (PARTITION BY object_id, key ORDER BY id) AS by_id,
           row_number() OVER (PARTITION BY object_id, key ORDER BY \"timestamp\", id) AS by_time,
           row_number() OVER (PARTITION BY object_id, key ORDER BY id DESC) AS from_end
    FROM ev)"
# Each check prints "N events", then (up to 5 of) the offending ones.
broken() {
    echo "SELECT count(*) || ' events' || coalesce(': ' || string_agg(d, '; ') FILTER (WHERE n <= 5), '')
          FROM (SELECT $1 AS d, row_number() OVER (ORDER BY object_id, key, id) AS n FROM ch WHERE $2) b"
}
check "history chains: old value = previous new value" "0 events" "$(sql "$db" "$chain $(broken \
    "format('row %s %s: event %s old %s, previous new %s', object_id, key, id, old, prev)" \
    "action = 'update' AND old IS DISTINCT FROM prev")")"
check "history chains: the create event comes first" "0 events" "$(sql "$db" "$chain $(broken \
    "format('row %s %s: create event %s is number %s', object_id, key, id, by_id)" \
    "action = 'create' AND by_id <> 1")")"
check "history chains: id order = timestamp order" "0 events" "$(sql "$db" "$chain $(broken \
    "format('row %s %s: event %s at %s is number %s by id, %s by time', object_id, key, id, \"timestamp\", by_id, by_time)" \
    "by_id <> by_time")")"
check "history chains: last new value = current row" "0 events" "$(sql "$db" "$chain $(broken \
    "format('row %s %s: last event %s new %s, row has %s', object_id, key, id, new, (SELECT to_jsonb(c) -> ch.key FROM counted c WHERE c.id::text = ch.object_id))" \
    "from_end = 1 AND new IS DISTINCT FROM (SELECT to_jsonb(c) -> ch.key FROM counted c WHERE c.id::text = ch.object_id)")")"
check "history chains: counter goes up by one per event" "0 events" "$(sql "$db" "$chain $(broken \
    "format('row %s: event %s counter %s -> %s', object_id, id, old, new)" \
    "key = 'counter' AND action = 'update' AND new::int <> old::int + 1")")"

# (d) eventlog_log: one event per committed call, about the right row, in the
# same transaction as that row's increment, with that client's actor.
check "bump events = committed eventlog_log calls" "$committed_bumps" "$(sql "$db" "SELECT count(*) $ev AND action = 'bump'")"
check "bump events per row = counter" "0 of 10 rows differ" "$(sql "$db" "
    SELECT count(*) FILTER (WHERE c.counter <> coalesce(e.n, 0)) || ' of ' || count(*) || ' rows differ'
           || coalesce(': ' || string_agg('row ' || c.id || ' counter ' || c.counter || ' events ' || coalesce(e.n, 0), ', ')
                                  FILTER (WHERE c.counter <> coalesce(e.n, 0)), '')
    FROM counted c LEFT JOIN (SELECT object_id, count(*) n $ev AND action = 'bump' GROUP BY 1) e
         ON e.object_id = c.id::text")"
check "each transaction: one bump and one counter update of the same row, one actor" "0 transactions" "$(sql "$db" "
    SELECT count(*) || ' transactions' || coalesce(': ' || string_agg(d, '; ') FILTER (WHERE n <= 5), '') FROM (
        SELECT format('transaction %s: events %s', transaction_id,
                      string_agg(format('%s %s %s row %s', id, actor, action, object_id), ', ' ORDER BY id)) AS d,
               row_number() OVER (ORDER BY transaction_id) AS n
        FROM eventlog WHERE object_type = 'public.counted' AND action <> 'create'
        GROUP BY transaction_id
        HAVING count(*) FILTER (WHERE action = 'bump') <> 1
            OR count(*) FILTER (WHERE action = 'update' AND changes->'new_value' ? 'counter') <> 1
            OR count(DISTINCT object_id) FILTER (WHERE action = 'bump' OR changes->'new_value' ? 'counter') <> 1
            OR count(DISTINCT actor) <> 1 OR min(actor) NOT LIKE 'client %') t")"
check "transactions with events = committed transactions" "$committed_bumps" \
    "$(sql "$db" "SELECT count(DISTINCT transaction_id) $ev AND action <> 'create'")"
check "events are recorded as the database role, tool bench" "postgres bench" \
    "$(sql "$db" "SELECT string_agg(DISTINCT db_user, ',') || ' ' || string_agg(DISTINCT tool, ',') $ev")"

# Counts under concurrency: the run above, then 4 clients writing 1,000
# events each (every backend folds after 512 writes, so folds meet: one at a
# time, the others skip) while a fifth folds all the time; afterwards the
# page's counts equal counting the log, for every tool and action.
cat >"$work/count_write.sql" <<'EOF'
\set a random(1, 3)
SELECT eventlog_log('count me', NULL, NULL, NULL, NULL, 'fold_test', 'action_' || :a);
EOF
cat >"$work/count_fold.sql" <<'EOF'
SELECT eventlog_counts_fold();
EOF
pgbench -n -c 4 -j 1 -t 1000 -f "$work/count_write.sql" "$db" >"$work/count_write.out" 2>&1 &
writers=$!
pgbench -n -c 1 -j 1 -T 5 -f "$work/count_fold.sql" "$db" >"$work/count_fold.out" 2>&1
folder_rc=$?
wait "$writers"
writers_rc=$?
check "count writers and folder ran" "0 0" "$writers_rc $folder_rc"
agree="SELECT count(*) || ' disagree: ' || coalesce(string_agg(f || ' ' || v, ', '), 'none') FROM (
    SELECT 'tool' AS f, tool AS v, (eventlog_page(tool => tool, page_size => 1) ->> 'count')::bigint AS page, count(*) AS n
    FROM eventlog WHERE tool IS NOT NULL GROUP BY tool
    UNION ALL
    SELECT 'action', action, (eventlog_page(action => action, page_size => 1) ->> 'count')::bigint, count(*)
    FROM eventlog WHERE action IS NOT NULL GROUP BY action
    UNION ALL
    SELECT 'none', '', (eventlog_page(page_size => 1) ->> 'count')::bigint, count(*) FROM eventlog) c
    WHERE page IS DISTINCT FROM n"
check "concurrent writes and folds: counts against the log" "0 disagree: none" "$(sql "$db" "$agree")"
check "fold_test: 4,000 events, counted" "4000 4000" \
    "$(sql "$db" "SELECT count(*) || ' ' || (eventlog_page(tool => 'fold_test', page_size => 1) ->> 'count') FROM eventlog WHERE tool = 'fold_test'")"
check "writers folded their deltas (fewer left than writes)" "t" "$(sql "$db" "SELECT count(*) < 4000 FROM eventlog_count_deltas")"

finish
