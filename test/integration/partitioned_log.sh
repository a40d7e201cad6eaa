#!/usr/bin/env bash
# The time-partitioned layout across operations: an existing plain log is
# converted with scripts/change-layout.sql (events, ids, sequence and
# tracking kept; refused while user objects depend on the extension); a
# partitioned log survives pg_dump/pg_restore when the restore sets
# eventlog.partition_interval; and it converts back to a plain table.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fresh_db part_src
fresh_db part_dst

all_events="SELECT md5(string_agg(e::text, '|' ORDER BY id)) FROM eventlog e"
change_layout() {  # DB INTERVAL
    psql -X -q -At -d "$1" -v partition_interval="$2" -f "$root/scripts/change-layout.sql" >"$work/change.out" 2>&1
}

sql part_src "CREATE EXTENSION eventlog" >/dev/null
sql part_src "CREATE TABLE item (id int PRIMARY KEY, name text, secret text);
              SELECT eventlog_track('item', 'items', '{secret}', '{\"update\": \"{old__name} -> {new__name}\"}');
              INSERT INTO item SELECT g, 'item ' || g, 's' FROM generate_series(1, 300) g;
              UPDATE item SET name = name || '!' WHERE id <= 100;
              DELETE FROM item WHERE id > 290;
              SELECT eventlog_log('app event {n}', '{\"n\": 1}', tool => 'app');
              -- a backdated history, written by the owner
              INSERT INTO eventlog (\"timestamp\", message, tool) VALUES ('2025-01-15 12:00+00', 'old', 'backfill'), ('2025-06-01 00:00+00', 'older', 'backfill');" >/dev/null
sql part_src "BEGIN; SELECT eventlog_log('rolled back'); ROLLBACK;" >/dev/null  # burns an id
events_before=$(sql part_src "$all_events")
tracking_before=$(sql part_src "SELECT table_name, options FROM eventlog_tracked")
last_id=$(sql part_src "SELECT max(id) FROM eventlog")

# Refused while a user's view depends on the log; nothing changes.
sql part_src "CREATE VIEW my_events AS SELECT id, message FROM eventlog" >/dev/null
if change_layout part_src '1 month'; then
    check "conversion refused while a view depends on the log" "refused" "ran"
else
    check "conversion refused while a view depends on the log" "true" "$(grep -q 'view my_events depends' "$work/change.out" && echo true || cat "$work/change.out")"
fi
check "refused conversion changed nothing" "r $events_before" "$(sql part_src "SELECT relkind FROM pg_class WHERE oid = 'eventlog'::regclass") $(sql part_src "$all_events")"
sql part_src "DROP VIEW my_events" >/dev/null

# Plain -> monthly partitions.
if change_layout part_src '1 month'; then
    check "conversion to monthly partitions" "ok" "ok"
else
    check "conversion to monthly partitions" "ok" "$(cat "$work/change.out")"
fi
check "partitioned now" "p" "$(sql part_src "SELECT relkind FROM pg_class WHERE oid = 'eventlog'::regclass")"
check "every event kept as it was" "$events_before" "$(sql part_src "$all_events")"
check "tracking kept" "$tracking_before" "$(sql part_src "SELECT table_name, options FROM eventlog_tracked")"
check "partitions from the oldest event's month" "2025-01-01 00:00:00+00" \
    "$(sql part_src "SET TimeZone = 'UTC'; SELECT min(from_time) FROM eventlog_partitions")"
check "old events in their month's partition" "eventlog_p20250101 eventlog_p20250601" \
    "$(sql part_src "SELECT string_agg(tableoid::regclass::text, ' ' ORDER BY id) FROM eventlog WHERE tool = 'backfill'")"
sql part_src "UPDATE item SET name = 'renamed' WHERE id = 1" >/dev/null
check "tracking goes on: new ids after the old ones" "t item 1! -> renamed" \
    "$(sql part_src "SELECT id > $last_id, message FROM eventlog ORDER BY id DESC LIMIT 1" | tr '|' ' ')"
check "excluded column still excluded" "0" "$(sql part_src "SELECT count(*) FROM eventlog WHERE changes::text LIKE '%secret%'")"
check "append-only after the conversion" "42501" "$(sqlstate part_src "DELETE FROM eventlog")"

# pg_dump / pg_restore of the partitioned log: the restore names the layout.
events_partitioned=$(sql part_src "$all_events")
partitions=$(sql part_src "SELECT string_agg(partition::text || ' ' || from_time || ' ' || to_time, ', ' ORDER BY from_time) FROM eventlog_partitions")
pg_dump -Fc -d part_src -f "$work/dump" || { echo "FAIL  pg_dump"; failures=$((failures + 1)); }
PGOPTIONS="-c eventlog.partition_interval=1mon" pg_restore -d part_dst "$work/dump" 2>"$work/restore.err"
check "pg_restore with eventlog.partition_interval: no error" "(empty)" "$(contents "$work/restore.err")"
check "restored: partitioned" "p" "$(sql part_dst "SELECT relkind FROM pg_class WHERE oid = 'eventlog'::regclass")"
check "restored: the same partitions" "$partitions" \
    "$(sql part_dst "SELECT string_agg(partition::text || ' ' || from_time || ' ' || to_time, ', ' ORDER BY from_time) FROM eventlog_partitions")"
check "restored: every event" "$events_partitioned" "$(sql part_dst "$all_events")"
check "restored: settings" "1 mon 3" "$(sql part_dst "SELECT partition_interval || ' ' || premake FROM eventlog_partition_settings")"
sql part_dst "UPDATE item SET name = 'again' WHERE id = 2" >/dev/null
check "restored: tracking writes on" "item 2! -> again" "$(sql part_dst "SELECT message FROM eventlog ORDER BY id DESC LIMIT 1")"
check "restored: append-only on the partitions" "42501" \
    "$(sqlstate part_dst "TRUNCATE $(sql part_dst "SELECT partition FROM eventlog_partitions ORDER BY from_time LIMIT 1")")"

# Back to a plain table.
events_now=$(sql part_dst "$all_events")
if change_layout part_dst ''; then
    check "conversion back to a plain table" "ok" "ok"
else
    check "conversion back to a plain table" "ok" "$(cat "$work/change.out")"
fi
check "plain again" "r 0" "$(sql part_dst "SELECT relkind, (SELECT count(*) FROM eventlog_partition_settings) FROM pg_class WHERE oid = 'eventlog'::regclass" | tr '|' ' ')"
check "every event kept" "$events_now" "$(sql part_dst "$all_events")"
check "no partition left behind" "0" "$(sql part_dst "SELECT count(*) FROM pg_class WHERE relname ~ '^eventlog_p[0-9]{8}'")"

# A partitioned log of 1.1 updated to the current version: each partition's
# query indexes rebuilt with object_table, the events kept and given their
# tables, the visibility rule in force.
fresh_db part_upgrade
install_released 1.1
sql part_upgrade "SET eventlog.partition_interval = '1 month'; CREATE EXTENSION eventlog VERSION '1.1';
                  CREATE TABLE payroll (id int PRIMARY KEY, amount int);
                  SELECT eventlog_track('payroll');
                  INSERT INTO payroll SELECT g, 100 * g FROM generate_series(1, 50) g;
                  SELECT eventlog_log('about nothing', tool => 'app');
                  SELECT eventlog_partition_maintain(since => now() - interval '2 months');" >/dev/null
old_columns='id, "timestamp", actor, message, object_type, object_id, tool, action, changes, db_user, template_message, values_json, transaction_id'
events_11=$(sql part_upgrade "SELECT md5(string_agg(($old_columns)::text, '|' ORDER BY id)) FROM eventlog e")
partitions_11=$(sql part_upgrade "SELECT count(*) FROM eventlog_partitions")
sql part_upgrade "ALTER EXTENSION eventlog UPDATE" >/dev/null
check "1.1 partitioned log updated" "$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/eventlog.control") p" \
    "$(sql part_upgrade "SELECT extversion || ' ' || (SELECT relkind::text FROM pg_class WHERE oid = 'eventlog'::regclass) FROM pg_extension WHERE extname = 'eventlog'")"
check "its events kept" "$events_11" "$(sql part_upgrade "SELECT md5(string_agg(($old_columns)::text, '|' ORDER BY id)) FROM eventlog e")"
check "every partition's object index carries object_table, and no other index" "$partitions_11 $partitions_11" \
    "$(sql part_upgrade "SELECT count(*) || ' ' || count(*) FILTER (WHERE pg_get_indexdef(i.indexrelid) LIKE '%\\_object\\_idx ON %')
                         FROM eventlog_partitions p JOIN pg_index i ON i.indrelid = p.partition
                         WHERE pg_get_indexdef(i.indexrelid) LIKE '%INCLUDE (object_table)'")"
check "every partition has this version's indexes: 7 b-trees (1 partial) and a BRIN index" "$partitions_11 x 7 1 1" \
    "$(sql part_upgrade "SELECT count(*) || ' x ' || string_agg(DISTINCT n, ',') FROM (
                             SELECT p.partition, count(*) FILTER (WHERE am.amname = 'btree') || ' '
                                    || count(*) FILTER (WHERE i.indpred IS NOT NULL) || ' '
                                    || count(*) FILTER (WHERE am.amname = 'brin') AS n
                             FROM eventlog_partitions p JOIN pg_index i ON i.indrelid = p.partition
                             JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                             GROUP BY p.partition) s")"
check "every partition keeps its primary key" "$partitions_11" \
    "$(sql part_upgrade "SELECT count(*) FROM eventlog_partitions p JOIN pg_constraint c ON c.conrelid = p.partition AND c.contype = 'p'")"
check "old events got their table" "50 payroll" \
    "$(sql part_upgrade "SELECT count(*) || ' ' || string_agg(DISTINCT object_table::text, ',') FROM eventlog WHERE object_type = 'public.payroll'")"
check "an ordinary role sees only the event about no table" "about nothing" \
    "$(sql part_upgrade "SET client_min_messages = warning; DROP ROLE IF EXISTS part_reader; CREATE ROLE part_reader;
                         SET ROLE part_reader; SELECT string_agg(message, ',') FROM eventlog; RESET ROLE; DROP ROLE part_reader")"
sql part_upgrade "INSERT INTO payroll VALUES (51, 1)" >/dev/null
check "tracking writes on after the update" "1 payroll" \
    "$(sql part_upgrade "SELECT count(*) || ' ' || min(object_table::text) FROM eventlog WHERE object_id = '51'")"

sql part_upgrade "SET eventlog.actor_id = 'u-1'; INSERT INTO payroll VALUES (52, 1); SELECT eventlog_log('by u-1', actor_id => 'u-1')" >/dev/null
check "actor_id recorded and counted in the updated partitioned log (old events: none)" "2 2 0 52" \
    "$(sql part_upgrade "SELECT (eventlog_page(actor_id => 'u-1') ->> 'count') || ' ' || count(*) FILTER (WHERE actor_id = 'u-1') || ' '
                                || count(*) FILTER (WHERE actor_id IS NOT NULL AND actor_id <> 'u-1') || ' '
                                || (SELECT count(*) FROM eventlog WHERE actor_id IS NULL)
                         FROM eventlog")"
check "eventlog_for_actor_id reads the partitions' actor_id indexes" "t" \
    "$(sql part_upgrade "EXPLAIN SELECT * FROM eventlog_for_actor_id('u-1')" | grep -q 'actor_id_idx' && echo t || echo f)"

psql -X -q -d postgres -c "DROP DATABASE part_src" -c "DROP DATABASE part_dst" -c "DROP DATABASE part_upgrade" >/dev/null
finish
