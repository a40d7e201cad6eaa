#!/usr/bin/env bash
# At a million events, every query of the contract is an index scan: the
# plans of the functions and views (EXPLAIN ANALYZE) contain no sequential
# scan of eventlog, and calling the functions -- eventlog_page included,
# whose queries are built at run time -- starts no sequential scan on it
# (pg_stat_user_tables.seq_scan does not move).
source "$(dirname "$0")/lib.bash"

db=query_plans
fresh_db "$db"
sql "$db" "CREATE EXTENSION eventlog" >/dev/null
sql "$db" "CREATE TABLE t3 (id int PRIMARY KEY)" >/dev/null
# The owner may insert into the log directly: 1M events over 50k objects of
# 20 types, 100 tools, 500 actors (four events in five with an actor_id,
# 500 of them), 3 actions, 100k transactions, a year; counted afterwards.
# The events of type public.t3 are about the table t3 (object_table), the
# others about no table.
sql "$db" "ALTER TABLE eventlog SET (autovacuum_enabled = false)" >/dev/null
start=$(date +%s)
sql "$db" "
INSERT INTO eventlog (\"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user, transaction_id, actor_id,
                      object_table)
SELECT '2025-01-01'::timestamptz + i * interval '31 seconds',
       'actor_' || (i * 7919 % 500),
       'event ' || i,
       'public.t' || (i % 20),
       (i * 104729 % 50000)::text,
       'tool_' || (i * 31 % 100),
       (ARRAY['create', 'update', 'delete'])[1 + i % 3],
       jsonb_build_object('old_value', jsonb_build_object('n', i - 1), 'new_value', jsonb_build_object('n', i)),
       'postgres',
       (1000 + i / 10)::text::xid8,
       CASE WHEN i % 5 <> 0 THEN 'user-' || (i * 7919 % 500) END,
       CASE WHEN i % 20 = 3 THEN 't3'::regclass END
FROM generate_series(1::bigint, 1000000) i" >/dev/null
sql "$db" "SELECT eventlog_counts_rebuild()" >/dev/null
sql "$db" "VACUUM ANALYZE eventlog" >/dev/null
echo "      loaded 1M events in $(($(date +%s) - start)) s"
check "a million events" "1000000" "$(sql "$db" "SELECT count(*) FROM eventlog")"

# Pick existing keys.
read -r object_type object_id <<<"$(sql "$db" "SELECT object_type || ' ' || object_id FROM eventlog WHERE id = 4242")"
read -r xid <<<"$(sql "$db" "SELECT transaction_id FROM eventlog WHERE id = 4242")"
object_type_3="public.t3"
object_id_3=$(sql "$db" "SELECT object_id FROM eventlog WHERE object_type = 'public.t3' LIMIT 1")

# 1. Plans: no sequential scan of eventlog in EXPLAIN (ANALYZE, BUFFERS).
plan_has_no_seq_scan() {
    local name=$1 query=$2 plan
    plan=$(sql "$db" "EXPLAIN (ANALYZE, BUFFERS) $query")
    if grep -q "Seq Scan on eventlog" <<<"$plan"; then
        check "$name: no sequential scan of eventlog" "no Seq Scan" "$(grep 'Seq Scan' <<<"$plan" | head -1)"
    elif ! grep -qE "Index (Only )?Scan|Bitmap Index Scan" <<<"$plan"; then
        check "$name: an index scan" "Index Scan" "$(head -3 <<<"$plan")"
    else
        check "$name: index scan ($(grep -m1 -oE '(Index Only Scan|Index Scan|Bitmap Index Scan)[^(]*' <<<"$plan" | sed 's/ *$//'))" ok ok
    fi
}
plan_has_no_seq_scan "eventlog_for_object" "SELECT * FROM eventlog_for_object('$object_type', '$object_id')"
plan_has_no_seq_scan "eventlog_for_key" "SELECT * FROM eventlog_for_key('t3', $object_id_3)"
plan_has_no_seq_scan "eventlog_for_tool" "SELECT * FROM eventlog_for_tool('tool_7') LIMIT 100"
plan_has_no_seq_scan "eventlog_for_actor" "SELECT * FROM eventlog_for_actor('actor_9') LIMIT 100"
plan_has_no_seq_scan "eventlog_for_actor_id" "SELECT * FROM eventlog_for_actor_id('user-9') LIMIT 100"
plan_has_no_seq_scan "eventlog_for_transaction" "SELECT * FROM eventlog_for_transaction('$xid')"
plan_has_no_seq_scan "eventlog_by_tool" "SELECT * FROM eventlog_by_tool WHERE tool = 'tool_7'"
plan_has_no_seq_scan "eventlog_by_object" \
    "SELECT * FROM eventlog_by_object WHERE object_type = '$object_type' AND object_id = '$object_id'"

# 2. Functions, whatever their plans: seq_scan on eventlog does not move.
# Each call runs in its own session; a session's statistics are flushed
# when it ends.
seq_scans() {
    sql "$db" "SELECT pg_stat_force_next_flush()" >/dev/null
    sleep 0.2
    sql "$db" "SELECT seq_scan FROM pg_stat_user_tables WHERE relid = 'eventlog'::regclass"
}
no_seq_scan_in() {
    local name=$1 query=$2 before after
    before=$(seq_scans)
    sql "$db" "$query" >/dev/null
    after=$(seq_scans)
    check "$name: starts no sequential scan" "$before" "$after"
}
# The check itself can fail: a query that does scan moves the counter.
before=$(seq_scans)
sql "$db" "SELECT count(*) FROM eventlog WHERE message = 'x'" >/dev/null
after=$(seq_scans)
check "the seq_scan counter sees a sequential scan" "t" "$(sql "$db" "SELECT $after > $before")"

no_seq_scan_in "eventlog_for_object" "SELECT count(*) FROM eventlog_for_object('$object_type', '$object_id')"
no_seq_scan_in "eventlog_for_key" "SELECT count(*) FROM eventlog_for_key('t3', $object_id_3)"
no_seq_scan_in "eventlog_for_tool" "SELECT count(*) FROM (SELECT * FROM eventlog_for_tool('tool_7') LIMIT 100) s"
no_seq_scan_in "eventlog_for_actor" "SELECT count(*) FROM (SELECT * FROM eventlog_for_actor('actor_9') LIMIT 100) s"
no_seq_scan_in "eventlog_for_actor_id" "SELECT count(*) FROM (SELECT * FROM eventlog_for_actor_id('user-9') LIMIT 100) s"
no_seq_scan_in "eventlog_for_transaction" "SELECT count(*) FROM eventlog_for_transaction('$xid')"
no_seq_scan_in "eventlog_by_tool" "SELECT * FROM eventlog_by_tool WHERE tool = 'tool_7'"
no_seq_scan_in "eventlog_by_object" \
    "SELECT * FROM eventlog_by_object WHERE object_type = '$object_type' AND object_id = '$object_id'"
no_seq_scan_in "eventlog_page(object)" \
    "SELECT eventlog_page(object_type => '$object_type', object_id => '$object_id')"
no_seq_scan_in "eventlog_page(tool)" "SELECT eventlog_page(tool => 'tool_7')"
no_seq_scan_in "eventlog_page(action)" "SELECT eventlog_page(action => 'delete', page => 3)"
no_seq_scan_in "eventlog_page(actor)" "SELECT eventlog_page(actor => 'actor_9', page_size => 50)"
no_seq_scan_in "eventlog_page(actor_id)" "SELECT eventlog_page(actor_id => 'user-9', page_size => 50, page => 2)"
no_seq_scan_in "eventlog_page(actor, actor_id)" "SELECT eventlog_page(actor => 'actor_9', actor_id => 'user-9')"
no_seq_scan_in "eventlog_page(tool, action, actor)" \
    "SELECT eventlog_page(tool => 'tool_7', action => 'update', actor => 'actor_9')"
no_seq_scan_in "eventlog_page(object, tool)" \
    "SELECT eventlog_page(tool => 'tool_1', object_type => '$object_type_3', object_id => '$object_id_3')"
no_seq_scan_in "eventlog_page()" "SELECT eventlog_page()"

# As an ordinary role (row security in force) that may not read t3: one
# t3 object's page is an index scan too, and reads none of the rows of
# its events (the rule is checked on the object index's entries first);
# a role that may read t3 gets the page the owner gets.
sql "$db" "SET client_min_messages = warning; DROP ROLE IF EXISTS qp_reader, qp_t3_reader; CREATE ROLE qp_reader; CREATE ROLE qp_t3_reader;
    GRANT SELECT ON t3 TO qp_t3_reader" >/dev/null
no_seq_scan_in "eventlog_page(object) as an ordinary role" \
    "SET ROLE qp_reader; SELECT eventlog_page(object_type => '$object_type_3', object_id => '$object_id_3')"
heap_rows_read() {
    sql "$db" "SELECT pg_stat_force_next_flush()" >/dev/null
    sleep 0.2
    sql "$db" "SELECT seq_tup_read + idx_tup_fetch FROM pg_stat_user_tables WHERE relid = 'eventlog'::regclass"
}
t3_events=$(sql "$db" "SELECT count(*) FROM eventlog WHERE object_type = '$object_type_3' AND object_id = '$object_id_3'")
before=$(heap_rows_read)
sql "$db" "SET ROLE qp_reader; SELECT eventlog_page(object_type => '$object_type_3', object_id => '$object_id_3')" >/dev/null
after=$(heap_rows_read)
check "a page of an object whose $t3_events events a role may not see reads none of their rows" \
    "0" "$(sql "$db" "SELECT $after - $before")"
check "eventlog_page(object) as a role that may read the table: the owner's page" \
    "$(sql "$db" "SELECT eventlog_page(object_type => '$object_type_3', object_id => '$object_id_3', page_size => 7, page => 2)")" \
    "$(sql "$db" "SET ROLE qp_t3_reader; SELECT eventlog_page(object_type => '$object_type_3', object_id => '$object_id_3', page_size => 7, page => 2)")"

# count is exact at this size too.
check "eventlog_page count is exact" \
    "$(sql "$db" "SELECT count(*) FROM eventlog WHERE tool = 'tool_7' AND action = 'update'")" \
    "$(sql "$db" "SELECT eventlog_page(tool => 'tool_7', action => 'update') ->> 'count'")"
check "eventlog_page count by actor_id is exact" \
    "$(sql "$db" "SELECT count(*) FROM eventlog WHERE actor_id = 'user-9'")" \
    "$(sql "$db" "SELECT eventlog_page(actor_id => 'user-9') ->> 'count'")"
check "eventlog_page's first page by actor_id is the newest of that actor_id" \
    "$(sql "$db" "SELECT string_agg(id::text, ',' ORDER BY \"timestamp\" DESC, id DESC) FROM (SELECT id, \"timestamp\" FROM eventlog WHERE actor_id = 'user-9' ORDER BY \"timestamp\" DESC, id DESC LIMIT 5) s")" \
    "$(sql "$db" "SELECT string_agg(r ->> 'id', ',') FROM jsonb_array_elements(eventlog_page(actor_id => 'user-9', page_size => 5) -> 'results') r")"

psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
psql -X -q -d postgres -c "DROP ROLE qp_reader, qp_t3_reader" >/dev/null
finish
