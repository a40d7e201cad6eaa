#!/usr/bin/env bash
# The extension's lifecycle: ALTER EXTENSION eventlog UPDATE from every
# released version (1.0 in detail, then each later one; their install
# scripts come from the repository's history, test/released-versions)
# gives exactly what a fresh install of the current version gives (member
# objects, their definitions, privileges and comments, and pg_dump
# --schema-only), keeps the events and tracking; DROP EXTENSION eventlog
# CASCADE leaves the users' tables writable.
source "$(dirname "$0")/lib.bash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$(dirname "$0")/../../eventlog.control")

# The same user objects in both databases; only the way the extension got
# to the current version differs.
user_objects="CREATE TABLE certificate (id int PRIMARY KEY, name text, status text);
              SELECT eventlog_track('certificate', 'certificates', messages => '{\"update\": \"{old__name} is now {new__status}\"}');"

fresh_db life_fresh
sql life_fresh "CREATE EXTENSION eventlog" >/dev/null
sql life_fresh "$user_objects" >/dev/null
# (the tables the upgraded database's old events are about, as they end up there)
sql life_fresh "CREATE TABLE secret (id int PRIMARY KEY);
                CREATE TABLE renamed_now (id int CONSTRAINT renamed_later_id_not_null NOT NULL,
                                          CONSTRAINT renamed_later_pkey PRIMARY KEY (id))" >/dev/null

for v in $(released_versions); do install_released "$v" || check "install script of released version $v" "installed" "missing"; done
fresh_db life_upgraded
sql life_upgraded "CREATE EXTENSION eventlog VERSION '1.0'" >/dev/null
sql life_upgraded "$user_objects" >/dev/null
sql life_upgraded "INSERT INTO certificate VALUES (1, 'A', 'active'); UPDATE certificate SET status = 'inactive'" >/dev/null
sql life_upgraded "SELECT eventlog_log('before the upgrade', tool => 'life')" >/dev/null
# Events about tables, written before events recorded which table they are
# about: one still there, one renamed since (its old name names no table),
# and names that are not tables.
sql life_upgraded "CREATE TABLE secret (id int PRIMARY KEY); CREATE TABLE renamed_later (id int PRIMARY KEY);
                   SELECT eventlog_log('about secret', object_type => 'public.secret', tool => 'life'),
                          eventlog_log('about renamed', object_type => 'public.renamed_later', tool => 'life'),
                          eventlog_log('about a concept', object_type => 'invoice', tool => 'life'),
                          eventlog_log('about a label', object_type => 'app.invoice', tool => 'life');
                   ALTER TABLE renamed_later RENAME TO renamed_now" >/dev/null
# What 1.0 recorded, column by column (1.2 adds object_table).
old_columns='id, "timestamp", actor, message, object_type, object_id, tool, action, changes, db_user, template_message, values_json, transaction_id'
events_before=$(sql life_upgraded "SELECT md5(string_agg(($old_columns)::text, '|' ORDER BY id)) FROM eventlog e")
check "1.0 installed" "1.0" "$(sql life_upgraded "SELECT extversion FROM pg_extension WHERE extname = 'eventlog'")"
sql life_upgraded "ALTER EXTENSION eventlog UPDATE" >/dev/null
check "updated to the current version" "$current" "$(sql life_upgraded "SELECT extversion FROM pg_extension WHERE extname = 'eventlog'")"
# The update counted the events already there (1.3): the page's counts
# equal counting the log, for every tool and with no filter.
check "update counted the events" "t" "$(sql life_upgraded "SELECT bool_and((eventlog_page(tool => t, page_size => 1) ->> 'count')::bigint = n)
    AND (eventlog_page(page_size => 1) ->> 'count')::bigint = sum(n) AND count(*) > 0
    FROM (SELECT tool AS t, count(*) AS n FROM eventlog WHERE tool IS NOT NULL GROUP BY tool) c")"

# Every member object with what defines it: functions (full definition,
# privileges, comment), tables (columns, indexes, constraints, triggers,
# privileges), views, sequences.
members_query="
WITH m AS (
    SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS object
    FROM pg_depend d JOIN pg_extension x ON d.refobjid = x.oid AND d.refclassid = 'pg_extension'::regclass
    WHERE x.extname = 'eventlog' AND d.deptype = 'e')
SELECT object || ' | ' || coalesce(
    CASE m.classid
    WHEN 'pg_proc'::regclass THEN
        (SELECT pg_get_functiondef(p.oid) || ' acl=' || coalesce(p.proacl::text, 'default')
         FROM pg_proc p WHERE p.oid = m.objid)
    WHEN 'pg_class'::regclass THEN
        (SELECT c.relkind::text || ' acl=' || coalesce(c.relacl::text, 'default')
                || ' columns=' || coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                                   || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                                                   || coalesce(' collate ' || co.collname, ''), ', ' ORDER BY a.attnum)
                                            FROM pg_attribute a
                                            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                                            LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
                                            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
                || ' indexes=' || coalesce((SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY pg_get_indexdef(i.indexrelid))
                                            FROM pg_index i WHERE i.indrelid = c.oid), '')
                || ' constraints=' || coalesce((SELECT string_agg(con.conname || ' ' || pg_get_constraintdef(con.oid), '; ' ORDER BY con.conname)
                                                FROM pg_constraint con WHERE con.conrelid = c.oid), '')
                || ' triggers=' || coalesce((SELECT string_agg(pg_get_triggerdef(t.oid), '; ' ORDER BY t.tgname)
                                             FROM pg_trigger t WHERE t.tgrelid = c.oid), '')
                || CASE WHEN c.relkind = 'v' THEN ' view=' || pg_get_viewdef(c.oid) ELSE '' END
                || ' options=' || coalesce(c.reloptions::text, '') || ' row_security=' || c.relrowsecurity
                || ' policies=' || coalesce((SELECT string_agg(pol.polname || ' ' || pol.polcmd::text || ' ' || pol.polroles::text
                                                               || ' ' || coalesce(pg_get_expr(pol.polqual, pol.polrelid), ''), '; ' ORDER BY pol.polname)
                                             FROM pg_policy pol WHERE pol.polrelid = c.oid), '')
         FROM pg_class c WHERE c.oid = m.objid)
    ELSE '' END, '')
    || ' comment=' || coalesce(obj_description(m.objid, m.classid::regclass::name), '')
FROM m ORDER BY object"
# compare_with_fresh DB LABEL: DB's extension equals the fresh install's.
sql life_fresh "$members_query" >"$work/fresh.members" ||
    { echo "FAIL  listing the fresh install's members"; failures=$((failures + 1)); }
check "a fresh install has its member objects" "true" "$([ "$(wc -l <"$work/fresh.members")" -ge 20 ] && echo true || echo "only $(wc -l <"$work/fresh.members")")"
# (without comments and the random \restrict keys of newer pg_dump releases)
# (pg_dump's status itself: two failed dumps would compare equal)
schema_dump() {
    { pg_dump --schema-only -d "$1" || echo "pg_dump failed: exit $?"; } |
        grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict'
}
schema_dump life_fresh >"$work/fresh.dump"
compare_with_fresh() {
    local db=$1 label=$2
    sql "$db" "$members_query" >"$work/$db.members" ||
        { echo "FAIL  listing the members ($label)"; failures=$((failures + 1)); }
    check "as many members ($label)" "$(wc -l <"$work/fresh.members")" "$(wc -l <"$work/$db.members")"
    if ! diff -u "$work/fresh.members" "$work/$db.members" >"$work/$db.members.diff"; then
        check "member objects and their definitions identical ($label)" "no difference" "differences (below)"
        head -40 "$work/$db.members.diff"
    else
        check "member objects and their definitions identical ($label)" "no difference" "no difference"
    fi
    check "the extension's dump configuration identical ($label)" \
        "$(sql life_fresh "SELECT array(SELECT c::regclass::text FROM pg_extension x, unnest(x.extconfig) c WHERE x.extname = 'eventlog' ORDER BY 1)")" \
        "$(sql "$db" "SELECT array(SELECT c::regclass::text FROM pg_extension x, unnest(x.extconfig) c WHERE x.extname = 'eventlog' ORDER BY 1)")"
    schema_dump "$db" >"$work/$db.dump"
    check "pg_dump --schema-only of both databases ran ($label)" "0" "$(cat "$work/fresh.dump" "$work/$db.dump" | grep -c '^pg_dump failed')"
    if diff -u "$work/fresh.dump" "$work/$db.dump" >"$work/$db.dump.diff"; then
        check "pg_dump --schema-only identical ($label)" "no difference" "no difference"
    else
        check "pg_dump --schema-only identical ($label)" "no difference" "differences (below)"
        head -40 "$work/$db.dump.diff"
    fi
}
compare_with_fresh life_upgraded "from 1.0"

# The upgrade keeps the events, tracking and the append-only rule, and the
# new version's functions work on the old data.
check "events kept by the upgrade" "$events_before" \
    "$(sql life_upgraded "SELECT md5(string_agg(($old_columns)::text, '|' ORDER BY id)) FROM eventlog e")"
# Which table each old event is about, and who may read it now: the table
# its name named at the upgrade; a qualified name of no table counts as a
# dropped table (the owner's alone); other names are about no table.
check "old events got their tables" \
    "create:public.certificate:certificate update:public.certificate:certificate before the upgrade:-:- about secret:public.secret:secret about renamed:public.renamed_later:0 about a concept:invoice:- about a label:app.invoice:0" \
    "$(sql life_upgraded "SELECT string_agg(coalesce(nullif(action, ''), message) || ':' || coalesce(object_type, '-') || ':'
                                           || coalesce(CASE WHEN object_table::oid = 0 THEN '0' ELSE object_table::text END, '-'),
                                           ' ' ORDER BY id)
                          FROM eventlog")"
sql life_upgraded "SET client_min_messages = warning; DROP ROLE IF EXISTS life_reader; CREATE ROLE life_reader; GRANT SELECT ON certificate TO life_reader" >/dev/null
check "an ordinary role sees what it may read of them" "A is now inactive,about a concept,before the upgrade,public.certificate 1 was created by postgres." \
    "$(sql life_upgraded "SET ROLE life_reader; SELECT string_agg(message, ',' ORDER BY message) FROM eventlog")"
sql life_upgraded "DROP OWNED BY life_reader; DROP ROLE life_reader" >/dev/null
sql life_upgraded "UPDATE certificate SET status = 'active'" >/dev/null
check "tracking goes on after the upgrade" "A is now active" \
    "$(sql life_upgraded "SELECT message FROM eventlog ORDER BY id DESC LIMIT 1")"
check "still append-only after the upgrade" "42501" "$(sqlstate life_upgraded "DELETE FROM eventlog")"
check "eventlog_purge works on the upgraded log" "8" "$(sql life_upgraded "SELECT eventlog_purge('0')")"
check "and recorded its purge event" "purge" "$(sql life_upgraded "SELECT string_agg(action, ',') FROM eventlog")"

# Every later released version: installed, given tracked and logged events,
# updated, and compared with the fresh install.
for v in $(released_versions); do
    [ "$v" = 1.0 ] && continue
    fresh_db life_from
    sql life_from "CREATE EXTENSION eventlog VERSION '$v'" >/dev/null
    sql life_from "$user_objects" >/dev/null
    sql life_from "CREATE TABLE secret (id int PRIMARY KEY);
                   CREATE TABLE renamed_now (id int CONSTRAINT renamed_later_id_not_null NOT NULL,
                                             CONSTRAINT renamed_later_pkey PRIMARY KEY (id));
                   INSERT INTO certificate VALUES (1, 'A', 'active'); UPDATE certificate SET status = 'inactive';
                   SELECT eventlog_log('before the upgrade', tool => 'life')" >/dev/null
    before=$(sql life_from "SELECT md5(string_agg(($old_columns)::text, '|' ORDER BY id)) FROM eventlog e")
    check "$v installed" "$v" "$(sql life_from "SELECT extversion FROM pg_extension WHERE extname = 'eventlog'")"
    sql life_from "ALTER EXTENSION eventlog UPDATE" >/dev/null
    check "$v updated to the current version" "$current" "$(sql life_from "SELECT extversion FROM pg_extension WHERE extname = 'eventlog'")"
    compare_with_fresh life_from "from $v"
    check "events kept by the update from $v" "$before" \
        "$(sql life_from "SELECT md5(string_agg(($old_columns)::text, '|' ORDER BY id)) FROM eventlog e")"
    check "the writer's direct path after the update from $v" "1" \
        "$(psql -X -q -d life_from -c "SET client_min_messages = debug1" -c "SELECT eventlog_log('after the update', tool => 'life')" 2>&1 >/dev/null |
           grep -c 'written by the direct path')"
    sql life_from "UPDATE certificate SET status = 'active'" >/dev/null
    check "tracking goes on after the update from $v" "A is now active" \
        "$(sql life_from "SELECT message FROM eventlog ORDER BY id DESC LIMIT 1")"
    check "counts exact after the update from $v" "t" "$(sql life_from "SELECT bool_and((eventlog_page(tool => t, page_size => 1) ->> 'count')::bigint = n)
        AND (eventlog_page(page_size => 1) ->> 'count')::bigint = sum(n)
        FROM (SELECT tool AS t, count(*) AS n FROM eventlog WHERE tool IS NOT NULL GROUP BY tool) c")"
    psql -X -q -d postgres -c "DROP DATABASE life_from" >/dev/null
done

# Functions that the update to 1.4 makes again (a new last parameter,
# actor_id) keep the EXECUTE privileges an owner gave them, and pg_dump
# still dumps those privileges; calls of the old parameter lists still work.
fresh_db life_acl
sql life_acl "CREATE EXTENSION eventlog VERSION '1.3';
              SET client_min_messages = warning; DROP ROLE IF EXISTS life_writer; DROP ROLE IF EXISTS life_other;
              CREATE ROLE life_writer; CREATE ROLE life_other;
              REVOKE EXECUTE ON FUNCTION eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb) FROM PUBLIC;
              GRANT EXECUTE ON FUNCTION eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb) TO life_writer;
              REVOKE EXECUTE ON FUNCTION eventlog_page(text, text, text, text, text, integer, integer) FROM PUBLIC" >/dev/null
sql life_acl "ALTER EXTENSION eventlog UPDATE" >/dev/null
check "1.4 update keeps the EXECUTE privileges of the functions it makes again" "1 0 0 0 1" \
    "$(sql life_acl "SELECT has_function_privilege('life_writer', 'eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb, text)', 'EXECUTE')::int || ' '
                     || has_function_privilege('life_other', 'eventlog_log(text, jsonb, text, text, text, text, text, jsonb, jsonb, text)', 'EXECUTE')::int || ' '
                     || has_function_privilege('life_writer', 'eventlog_page(text, text, text, text, text, integer, integer, text)', 'EXECUTE')::int || ' '
                     || has_function_privilege('life_other', 'eventlog_page(text, text, text, text, text, integer, integer, text)', 'EXECUTE')::int || ' '
                     || has_function_privilege('life_other', 'eventlog_log_row(anyelement, text, jsonb, text, text, text, jsonb, jsonb, text)', 'EXECUTE')::int" 2>&1)"
check "and pg_dump dumps them" "2" \
    "$(pg_dump --schema-only -d life_acl | grep -cE '^(REVOKE ALL ON FUNCTION public.eventlog_log\(.*actor_id text\) FROM PUBLIC|GRANT ALL ON FUNCTION public.eventlog_log\(.*actor_id text\) TO life_writer);')"
sql life_acl "SELECT eventlog_log('positional', NULL, NULL, NULL, 'Jane', 'life', 'custom', NULL, '{}')" >/dev/null
check "old parameter lists still work after the update" "1" \
    "$(sql life_acl "SELECT eventlog_page('life', NULL, NULL, 'custom', 'Jane', 10, 1) ->> 'count'")"
psql -X -q -d postgres -c "DROP DATABASE life_acl" -c "DROP ROLE life_writer" -c "DROP ROLE life_other" >/dev/null

# DROP EXTENSION ... CASCADE removes the log and the capture triggers; the
# users' tables stay, with their rows, and stay writable.
sql life_fresh "INSERT INTO certificate VALUES (1, 'A', 'active')" >/dev/null
sql life_fresh "SET client_min_messages = warning; DROP EXTENSION eventlog CASCADE" >/dev/null
check "drop cascade: log gone" "none" "$(sql life_fresh "SELECT coalesce(to_regclass('eventlog')::text, 'none')")"
check "drop cascade: capture triggers gone" "0" "$(sql life_fresh "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'certificate'::regclass")"
check "drop cascade: tables writable" "2 inactive" \
    "$(sql life_fresh "INSERT INTO certificate VALUES (2, 'B', 'x'); UPDATE certificate SET status = 'inactive'; DELETE FROM certificate WHERE id = 3; TRUNCATE certificate; INSERT INTO certificate VALUES (2, 'B', 'inactive'); SELECT id || ' ' || status FROM certificate")"
sql life_fresh "CREATE EXTENSION eventlog" >/dev/null
check "re-created after the drop" "0" "$(sql life_fresh "SELECT count(*) FROM eventlog")"

psql -X -q -d postgres -c "DROP DATABASE life_fresh" -c "DROP DATABASE life_upgraded" >/dev/null
finish
