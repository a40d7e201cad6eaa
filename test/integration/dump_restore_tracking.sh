#!/usr/bin/env bash
# pg_dump -Fc of a database with tracked tables (excluded columns and custom
# messages, a composite key, a quoted name in a quoted schema, one table no
# longer tracked), restored with pg_restore (and with pg_restore -j 2): the
# events come back identical, restoring the tables' rows records nothing, the
# tracking options are the same, and tracking goes on in the restored
# database exactly as in the original, with fresh ids.
source "$(dirname "$0")/lib.bash"

src=track_dump_src
dst=track_dump_dst
dst_jobs=track_dump_dst_jobs
work=$(mktemp -d)
cleanup() {
    rm -rf "$work"
    [ -n "${EVENTLOG_KEEP_DB:-}" ] ||
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
            -c "DROP DATABASE IF EXISTS $dst_jobs" >/dev/null 2>&1
}
trap cleanup EXIT
# script DB SQL: runs SQL as a script, each statement in its own transaction.
script() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" <<<"$2"
}
fresh_db "$src"
fresh_db "$dst"
fresh_db "$dst_jobs"

# The templates carry a quote, a backslash, a JSON-escaped quote and
# non-ASCII text: they must survive pg_get_triggerdef and the dump's quoting.
messages='{"create": "Created {new__name}",
           "update": "{new__name}: {old__status} → {new__status} by {actor} (it'"''"'s \\ \"done\")",
           "delete": "Deleted {old__name} ({tool}/{action} {object_type} #{object_id})"}'
sql "$src" "
CREATE EXTENSION eventlog;
CREATE TABLE certificate (
    id int PRIMARY KEY,
    name text NOT NULL,
    status text NOT NULL,
    secret text,
    updated_at timestamptz NOT NULL DEFAULT '2024-01-01');
SELECT eventlog_track('certificate', tool => 'certs', exclude_columns => '{secret,updated_at}',
                      messages => '$messages');
CREATE TABLE line_item (order_id int, line text, qty int NOT NULL, PRIMARY KEY (order_id, line));
SELECT eventlog_track('line_item', tool => 'orders');
CREATE SCHEMA \"My Schema\";
CREATE TABLE \"My Schema\".\"Odd Name\" (a int, \"b c\" text, v int, PRIMARY KEY (a, \"b c\"));
SELECT eventlog_track('\"My Schema\".\"Odd Name\"', messages => '{\"update\": \"v {old__v} -> {new__v} of {object_id}\"}');
CREATE TABLE scratch (id int PRIMARY KEY, v text);
SELECT eventlog_track('scratch', tool => 'scratch');
" >/dev/null || { echo "FAIL  set up the source database"; exit 1; }

script "$src" "
SET eventlog.actor = 'John Doe';
INSERT INTO certificate (id, name, status, secret) VALUES (1, 'Certificate A', 'active', 's1'), (2, 'Certificate B', 'active', 's2');
UPDATE certificate SET status = 'inactive', secret = 's1b', updated_at = '2024-02-02' WHERE id = 1;
UPDATE certificate SET secret = 'only excluded' WHERE id = 2;
INSERT INTO line_item VALUES (1, 'a', 1), (1, 'b', 2), (2, 'a', 5);
UPDATE line_item SET qty = qty * 10 WHERE order_id = 1;
DELETE FROM line_item WHERE order_id = 2;
INSERT INTO \"My Schema\".\"Odd Name\" VALUES (1, 'x y', 1), (2, 'q\"uote', 1);
UPDATE \"My Schema\".\"Odd Name\" SET v = v + 1;
INSERT INTO scratch VALUES (1, 'tracked');
SELECT eventlog_untrack('scratch');
INSERT INTO scratch VALUES (2, 'untracked');
SELECT eventlog_log('Item {item__name} was checked.', '{\"item__name\": {\"name\": \"Certificate A\"}}',
                    'public.certificate', '1', NULL, 'certs', 'check');
BEGIN; UPDATE certificate SET status = 'rolled back'; ROLLBACK;   -- burns ids
" >/dev/null || { echo "FAIL  record events in the source database"; exit 1; }
before=$(sql "$src" "SELECT count(*) || ' ' || max(id) FROM eventlog")
max_id=${before#* }
check "source: 15 events recorded, the rolled-back update burned ids" "15 t" \
    "$(sql "$src" "SELECT format('%s %s', count(*), (SELECT last_value FROM eventlog_id_seq) > max(id)) FROM eventlog")"
burned_to=$(sql "$src" "SELECT last_value FROM eventlog_id_seq")

pg_dump -Fc -d "$src" -f "$work/dump" 2>"$work/dump.err" || { echo "FAIL  pg_dump"; cat "$work/dump.err"; exit 1; }
check "pg_dump: no warnings" "(empty)" "$(contents "$work/dump.err")"
pg_restore -d "$dst" "$work/dump" 2>"$work/restore.err" || { echo "FAIL  pg_restore"; cat "$work/restore.err"; exit 1; }
check "pg_restore: no warnings" "(empty)" "$(contents "$work/restore.err")"
pg_restore -j 2 -d "$dst_jobs" "$work/dump" 2>"$work/restore_jobs.err" ||
    { echo "FAIL  pg_restore -j 2"; cat "$work/restore_jobs.err"; exit 1; }
check "pg_restore -j 2: no warnings" "(empty)" "$(contents "$work/restore_jobs.err")"

events="SELECT id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user,
               template_message, values_json, transaction_id FROM eventlog ORDER BY id"
tracked="SELECT table_name::text, tool, exclude_columns, messages, options FROM eventlog_tracked ORDER BY table_name::text COLLATE \"C\""
triggers="SELECT tgrelid::regclass::text, tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger
          WHERE NOT tgisinternal ORDER BY tgrelid::regclass::text COLLATE \"C\", tgname"
tables="SELECT * FROM (SELECT format('%s %s %s %s', id, name, status, secret) FROM certificate
        UNION ALL SELECT format('%s %s %s', order_id, line, qty) FROM line_item
        UNION ALL SELECT format('%s %s %s', a, \"b c\", v) FROM \"My Schema\".\"Odd Name\"
        UNION ALL SELECT format('%s %s', id, v) FROM scratch) t(r) ORDER BY r COLLATE \"C\""
for db in "$dst" "$dst_jobs"; do
    check "$db: events restored identically" "$(sql "$src" "$events" | md5sum)" "$(sql "$db" "$events" | md5sum)"
    check "$db: event count and max id (restoring the rows recorded nothing)" "$before" \
        "$(sql "$db" "SELECT count(*) || ' ' || max(id) FROM eventlog")"
    check "$db: eventlog_tracked identical" "$(sql "$src" "$tracked")" "$(sql "$db" "$tracked")"
    check "$db: triggers identical" "$(sql "$src" "$triggers")" "$(sql "$db" "$triggers")"
    check "$db: tables' rows identical" "$(sql "$src" "$tables")" "$(sql "$db" "$tables")"
done

# Which table each event is about survives the dump by name: the restored
# events name the restored tables (new oids), and the visibility rule reads
# privileges on them.
object_tables="SELECT id, coalesce(object_table::text, '-') FROM eventlog ORDER BY id"
for db in "$dst" "$dst_jobs"; do
    check "$db: events name the restored tables" "$(sql "$src" "$object_tables")" "$(sql "$db" "$object_tables")"
done
check "source and restored tables differ in oid (the names carried the mapping)" "t" \
    "$(sql "$dst" "SELECT 'certificate'::regclass::oid <> $(sql "$src" "SELECT 'certificate'::regclass::oid")")"
check "restored: an ordinary role sees the events of the tables it may read" "6 line_item" \
    "$(sql "$dst" "SET client_min_messages = warning; DROP ROLE IF EXISTS dump_reader; CREATE ROLE dump_reader;
                   GRANT SELECT ON line_item TO dump_reader; SET ROLE dump_reader;
                   SELECT string_agg(n || ' ' || t, ',' ORDER BY t DESC)
                   FROM (SELECT coalesce(object_table::text, '-') AS t, count(*) AS n FROM eventlog GROUP BY 1) c;
                   RESET ROLE; DROP OWNED BY dump_reader; DROP ROLE dump_reader")"

# The options themselves, spelled out (not only equal to the source's).
check "tracked tables and tools" \
    '"My Schema"."Odd Name"|Odd Name|{}
certificate|certs|{secret,updated_at}
line_item|orders|{}' \
    "$(sql "$dst" "SELECT table_name::text, tool, exclude_columns FROM eventlog_tracked ORDER BY table_name::text COLLATE \"C\"")"
check "custom messages restored" "t" "$(sql "$dst" "SELECT messages = '$messages'::jsonb FROM eventlog_tracked
                                                    WHERE table_name = 'certificate'::regclass")"

# The same changes in the source and in the restored database record the same
# events (same ids, since the sequence continues where it stopped).
workload="
SET eventlog.actor = 'restorer';
UPDATE certificate SET status = 'renewed', secret = 'new secret', updated_at = '2025-01-01' WHERE id = 1;
UPDATE certificate SET secret = 'only excluded again', updated_at = '2025-01-02' WHERE id = 2;
INSERT INTO certificate (id, name, status, secret) VALUES (3, 'Certificate C', 'new', 'hidden');
DELETE FROM certificate WHERE id = 2;
UPDATE line_item SET qty = qty + 1 WHERE order_id = 1 AND line = 'b';
INSERT INTO line_item VALUES (3, 'c', 7);
UPDATE \"My Schema\".\"Odd Name\" SET v = 10 WHERE a = 2;
DELETE FROM \"My Schema\".\"Odd Name\" WHERE a = 1;
INSERT INTO scratch VALUES (3, 'still untracked');
TRUNCATE line_item;
SELECT eventlog_log('after');"
script "$src" "$workload" >/dev/null || { echo "FAIL  workload in the source database"; exit 1; }
script "$dst" "$workload" >/dev/null || { echo "FAIL  workload in the restored database"; exit 1; }
new_events="SELECT id, actor, message, object_type, object_id, tool, action, changes, db_user, template_message, values_json
            FROM eventlog WHERE id > $max_id ORDER BY id"
check "same workload, same new events in source and restored database" \
    "$(sql "$src" "$new_events")" "$(sql "$dst" "$new_events")"

q() { sql "$dst" "SELECT string_agg(format('%s|%s|%s', action, message, changes), E'\n' ORDER BY id) FROM eventlog
                  WHERE id > $max_id AND $1"; }
check "restored: custom update message, excluded columns absent" \
    'update|Certificate A: inactive → renewed by restorer (it'"'"'s \ "done")|{"new_value": {"status": "renewed"}, "old_value": {"status": "inactive"}}' \
    "$(q "object_type = 'public.certificate' AND object_id = '1'")"
check "restored: custom create and delete messages" \
    'create|Created Certificate C|{"new_value": {"id": 3, "name": "Certificate C", "status": "new"}, "old_value": {}}
delete|Deleted Certificate B (certs/delete public.certificate #2)|{"new_value": {}, "old_value": {"id": 2, "name": "Certificate B", "status": "active"}}' \
    "$(q "object_type = 'public.certificate' AND object_id IN ('2', '3')")"
check "restored: composite key, default messages, tool orders" \
    'update|[1,"b"]|orders
create|[3,"c"]|orders
truncate||orders' \
    "$(sql "$dst" "SELECT string_agg(format('%s|%s|%s', action, object_id, tool), E'\n' ORDER BY id) FROM eventlog
                   WHERE id > $max_id AND object_type = 'public.line_item'")"
check "restored: quoted schema and table name, tool defaults to the table name" \
    'update|"My Schema"."Odd Name"|[2,"q\"uote"]|Odd Name|v 2 -> 10 of [2,"q\"uote"]
delete|"My Schema"."Odd Name"|[1,"x y"]|Odd Name|' \
    "$(sql "$dst" "SELECT string_agg(format('%s|%s|%s|%s|%s', action, object_type, object_id, tool,
                                            CASE WHEN action = 'update' THEN message END), E'\n' ORDER BY id)
                   FROM eventlog WHERE id > $max_id AND object_type LIKE '%Odd Name%'")"
check "restored: untracked table stays untracked" "0" \
    "$(sql "$dst" "SELECT count(*) FROM eventlog WHERE id > $max_id AND object_type = 'public.scratch'")"
check "restored: 9 new events, ids continue after the burned ones" "9 $((burned_to + 1)) $((burned_to + 9))" \
    "$(sql "$dst" "SELECT format('%s %s %s', count(*), min(id), max(id)) FROM eventlog WHERE id > $max_id")"
check "restored (-j 2): tracking works" "update|Certificate A: inactive → renewed by restorer (it's \\ \"done\")" \
    "$(sql "$dst_jobs" "SET eventlog.actor = 'restorer';
                        UPDATE certificate SET status = 'renewed', secret = 'x' WHERE id = 1;
                        SELECT action || '|' || message FROM eventlog WHERE id > $max_id")"

finish
