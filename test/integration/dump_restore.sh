#!/usr/bin/env bash
# pg_dump -Fc of a database with events, restored into a new database:
# events and ids survive, the sequence continues, the log stays append-only.
source "$(dirname "$0")/lib.bash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fresh_db dump_src
fresh_db dump_dst

sql dump_src "CREATE EXTENSION eventlog" >/dev/null
sql dump_src "SELECT eventlog_log('Item {item__name} was updated.', '{\"item__name\": {\"name\": \"A\"}}',
                                  'public.certificate', '1', 'John', 'feature', 'update',
                                  jsonb_diff_schema('{\"n\": 123456789012345678901234567890}',
                                                    '{\"n\": 123456789012345678901234567891}'))
              FROM generate_series(1, 50)" >/dev/null
sql dump_src "SELECT eventlog_log('keyed', tool => 'keyed', actor => 'Jane', actor_id => '42') FROM generate_series(1, 3)" >/dev/null
sql dump_src "BEGIN; SELECT eventlog_log('rolled back'); ROLLBACK;" >/dev/null  # burns an id
before=$(sql dump_src "SELECT count(*) || ' ' || max(id) FROM eventlog")

pg_dump -Fc -d dump_src -f "$work/dump" || { echo "FAIL  pg_dump"; exit 1; }
pg_restore -d dump_dst "$work/dump" || { echo "FAIL  pg_restore"; exit 1; }

query="SELECT id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user,
              template_message, values_json, transaction_id, context, actor_id FROM eventlog ORDER BY id"
check "events restored identically" "$(sql dump_src "$query" | md5sum)" "$(sql dump_dst "$query" | md5sum)"
check "event count and max id" "$before" "$(sql dump_dst "SELECT count(*) || ' ' || max(id) FROM eventlog")"

src_next=$(sql dump_src "SELECT eventlog_log('after dump')")
dst_next=$(sql dump_dst "SELECT eventlog_log('after restore')")
check "restored sequence continues where it stopped" "$src_next" "$dst_next"
check "new id is fresh" "t" "$(sql dump_dst "SELECT $dst_next > max(id) FROM eventlog WHERE id <> $dst_next")"
check "restored log is append-only" "42501" "$(sqlstate dump_dst "UPDATE eventlog SET message = 'x'")"
# The counts come with the events (dumped, not recounted): after the
# restore the page counts what the log holds (with no filter, and tool
# 'feature': the 50 events logged above).
counts="SELECT (eventlog_page(page_size => 1) ->> 'count') || ' ' || (SELECT count(*) FROM eventlog)
               || ' ' || (eventlog_page(tool => 'feature', page_size => 1) ->> 'count')
               || ' ' || (eventlog_page(actor_id => '42', page_size => 1) ->> 'count')"
all_events=$(sql dump_src "SELECT count(*) FROM eventlog")
check "restored counts equal the events" "$all_events $all_events 50 3" "$(sql dump_dst "$counts")"

finish
