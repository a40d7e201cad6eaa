#!/usr/bin/env bash
# docs/distributed.md, Citus part, checked on a real cluster: a coordinator and
# two workers on 127.0.0.1 (ports EVENTLOG_CITUS_PORT .. +2, default 54721..54723,
# data in a mktemp directory, stopped and removed on exit), the documented
# citus-* blocks run literally on the coordinator, then:
#  - distributed tables keyed by int, uuid and text, a reference table and a
#    local table: one event per changed row for single-row DML, multi-shard
#    UPDATE/DELETE, INSERT ... SELECT and COPY; a rollback leaves none;
#    object_type / object_table name the Citus table, never a shard;
#  - SET LOCAL eventlog.actor / eventlog.context on the coordinator reach the
#    events written on the workers;
#  - ids unique over the cluster;
#  - the cluster readers and eventlog_cluster_page agree with the union of the
#    nodes' logs (same events, same order, exact count), as a role without
#    SELECT on one table (none of its events) too;
#  - set_config(..., true) does not reach the workers; TRUNCATE of a
#    distributed table is one event; eventlog_untrack removes the shards'
#    triggers;
#  - eventlog_cluster_purge purges every node (each records its purge event);
#  - the log stays append-only on every node.
# Prints (never asserts) pgbench throughput of a tracked vs an untracked
# distributed table. Without Citus installed: "skip  citus: ..." and exit 0.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
doc=$root/docs/distributed.md

if [ ! -f "$(pg_config --pkglibdir)/citus.so" ] || [ ! -f "$(pg_config --sharedir)/extension/citus.control" ]; then
    echo "skip  citus: Citus is not installed in $(pg_config --pkglibdir)"
    exit 0
fi

port0=${EVENTLOG_CITUS_PORT:-54721}
ports=("$port0" "$((port0 + 1))" "$((port0 + 2))")
base=$(mktemp -d /tmp/eventlog-citus.XXXXXX)
chmod 755 "$base"
cleanup() {
    for i in 0 1 2; do "$root/scripts/pg-cluster" stop "$base/node$i"; done
    rm -rf "$base"
}
trap cleanup EXIT
trap "exit 1" INT TERM

for i in 0 1 2; do
    PG_CLUSTER_OPTIONS="-c listen_addresses=127.0.0.1 -c shared_preload_libraries=citus -c max_connections=100 -c max_prepared_transactions=100" \
        "$root/scripts/pg-cluster" start "$base/node$i" "${ports[$i]}" || { echo "FAIL  node $i did not start"; exit 1; }
done
export PGHOST=127.0.0.1 PGUSER=postgres
db=eventlog_citus
# on N QUERY: QUERY on node N (0 coordinator, 1 and 2 workers) as postgres;
# as ROLE N QUERY: the same as ROLE.
on() { PGPORT=${ports[$1]} sql "$db" "$2"; }
as() { PGUSER=$1 PGPORT=${ports[$2]} sql "$db" "$3"; }
on_all() { for i in 0 1 2; do on "$i" "$1"; done; }
for i in 0 1 2; do
    PGPORT=${ports[$i]} sql postgres "CREATE DATABASE $db" >/dev/null
    on "$i" "CREATE EXTENSION citus" >/dev/null
done
on 0 "SELECT citus_set_coordinator_host('127.0.0.1', ${ports[0]})" >/dev/null
on 0 "SELECT citus_add_node('127.0.0.1', ${ports[1]})" >/dev/null
on 0 "SELECT citus_add_node('127.0.0.1', ${ports[2]})" >/dev/null
echo "      citus $(on 0 "SELECT extversion FROM pg_extension WHERE extname = 'citus'"), $(on 0 "SELECT version()" | cut -d' ' -f1-2)"

for block in citus-extension citus-settings citus-setup; do
    [ -n "$(ddl "$block")" ] || { echo "FAIL  docs/distributed.md has no ddl block '$block'"; exit 1; }
    ddl "$block" | PGPORT=${ports[0]} PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f - >/dev/null ||
        { echo "FAIL  ddl block $block"; exit 1; }
done
check "extension on every node, log local everywhere" "1.3 1.3 1.3 0" \
    "$(on_all "SELECT extversion FROM pg_extension WHERE extname = 'eventlog'" | tr '\n' ' ')$(on 0 "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'eventlog%' AND logicalrelid::text <> 'eventlog_probe'")"
check "id ranges per group" "1 281474976710657 562949953421313" \
    "$(on_all "SELECT min_value FROM pg_sequences WHERE sequencename = 'eventlog_id_seq'" | tr '\n' ' ' | sed 's/ $//')"

# path N: the writer's path for an eventlog_log on node N (rolled back).
path() {
    printf 'BEGIN;\nSET LOCAL client_min_messages = debug1;\nSELECT eventlog_log($$path$$);\nROLLBACK;\n' |
        PGPORT=${ports[$1]} psql -X -q -At -d "$db" 2>&1 | sed -n 's/.*written by the \([A-Za-z]*\) path.*/\1/p'
}
check "the writer keeps its direct path on every node (the log is no Citus table)" "direct direct direct" \
    "$(for i in 0 1 2; do path "$i"; done | tr '\n' ' ' | sed 's/ $//')"

# --- tables -----------------------------------------------------------------
on 0 "CREATE TABLE cert_int (id int PRIMARY KEY, g int, name text);
      CREATE TABLE cert_uuid (id uuid PRIMARY KEY, g int, name text);
      CREATE TABLE cert_text (code text PRIMARY KEY, g int, name text);
      CREATE TABLE country (code text PRIMARY KEY, g int, name text);
      CREATE TABLE local_note (id int PRIMARY KEY, g int, name text);
      CREATE TABLE bench_tracked (id int PRIMARY KEY, n int);
      CREATE TABLE bench_plain (id int PRIMARY KEY, n int);
      SELECT create_distributed_table('cert_int', 'id');
      SELECT create_distributed_table('cert_uuid', 'id');
      SELECT create_distributed_table('cert_text', 'code');
      SELECT create_distributed_table('bench_tracked', 'id');
      SELECT create_distributed_table('bench_plain', 'id');
      SELECT create_reference_table('country')" >/dev/null
for t in cert_int cert_uuid cert_text country local_note bench_tracked; do
    on 0 "SELECT eventlog_track('$t')" >/dev/null
done
check "eventlog_track leaves citus.enable_unsafe_triggers as it was" "off" \
    "$(on 0 "SELECT eventlog_track('cert_int'); SHOW citus.enable_unsafe_triggers" | tail -n 1)"
check "capture triggers on every shard of cert_int" "32" \
    "$(on 0 "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname ~ '^cert_int_[0-9]+\$' AND t.tgname LIKE 'eventlog_capture_update%'\$\$)")"

# key TABLE G: the key expression of row number G in TABLE.
key() {
    case $1 in
    cert_int | local_note) echo "$2" ;;
    cert_uuid) echo "md5('$2')::uuid" ;;
    *) echo "'k$2'" ;;
    esac
}
keycol() { case $1 in cert_int | cert_uuid | local_note) echo id ;; *) echo code ;; esac; }
keysql() { case $1 in cert_int | local_note) echo "g" ;; cert_uuid) echo "md5(g::text)::uuid" ;; *) echo "'k' || g" ;; esac; }
keycopy() { case $1 in cert_int | local_note) echo "$2" ;; cert_uuid) on 0 "SELECT md5('$2')::uuid" ;; *) echo "k$2" ;; esac; }

# The same writes on every table: 26 creates, 11 updates, 4 deletes.
for t in cert_int cert_uuid cert_text country local_note; do
    k=$(keycol "$t")
    on 0 "INSERT INTO $t ($k, g, name) SELECT $(keysql "$t"), g, 'n' || g FROM generate_series(1, 20) g" >/dev/null # INSERT ... SELECT
    on 0 "INSERT INTO $t ($k, g, name) VALUES ($(key "$t" 21), 21, 'n21')" >/dev/null                            # single row
    on 0 "UPDATE $t SET name = 'one' WHERE $k = $(key "$t" 1)" >/dev/null                                      # single row
    on 0 "UPDATE $t SET name = 'many' WHERE g <= 10" >/dev/null                                                # multi-shard
    { for g in 22 23 24 25 26; do printf '%s\t%s\tn%s\n' "$(keycopy "$t" "$g")" "$g" "$g"; done; } |
        PGPORT=${ports[0]} psql -X -q -d "$db" -c "COPY $t ($k, g, name) FROM STDIN" >/dev/null # COPY
    on 0 "DELETE FROM $t WHERE g > 23" >/dev/null                                                              # multi-shard
    on 0 "DELETE FROM $t WHERE $k = $(key "$t" 21)" >/dev/null                                                 # single row
    printf 'BEGIN;\nUPDATE %s SET name = $$gone$$;\nDELETE FROM %s WHERE g = 2;\nROLLBACK;\n' "$t" "$t" |
        PGPORT=${ports[0]} psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null                                # none
done

# total: the sum of the numbers on stdin, one a line.
total() { awk '{ s += $1 } END { print s + 0 }'; }
# union QUERY-ON-EVERY-NODE: the rows of QUERY from every node.
union() { on_all "$1"; }
per_node_counts() { on_all "SELECT count(*) FROM eventlog WHERE object_type = '$1'" | tr '\n' ' ' | sed 's/ $//'; }
for t in cert_int cert_uuid cert_text country local_note; do
    check "$t: one event per changed row over the cluster" "create:26 delete:4 update:11" \
        "$(union "SELECT action FROM eventlog WHERE object_type = 'public.$t'" | sort | uniq -c | awk '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1}')"
    check "$t: one create per key" "26" \
        "$(union "SELECT object_id FROM eventlog WHERE object_type = 'public.$t' AND action = 'create'" | sort -u | wc -l)"
done
nodes_with() { for i in 0 1 2; do on "$i" "SELECT count(*) > 0 FROM eventlog WHERE object_type = '$1'"; done | tr '\n' ' ' | sed 's/ $//'; }
check "distributed table's events are on the workers only" "f t t" "$(nodes_with public.cert_int)"
check "reference table's events are on the coordinator only" "t f f" "$(nodes_with public.country)"
check "local table's events are on the coordinator only" "t f f" "$(nodes_with public.local_note)"
check "object_type is the Citus table's name, never a shard's" "public.cert_int public.cert_text public.cert_uuid public.country public.local_note" \
    "$(union "SELECT DISTINCT object_type FROM eventlog WHERE object_type IS NOT NULL" | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "object_table is the Citus table on every node" "0" \
    "$(union "SELECT count(*) FROM eventlog WHERE object_type IS NOT NULL AND object_table IS DISTINCT FROM to_regclass(object_type)" | total)"
check "ids unique over the cluster" "$(union "SELECT id FROM eventlog" | wc -l)" "$(union "SELECT id FROM eventlog" | sort -u | wc -l)"

# --- actor and context ---------------------------------------------------------
# (a transaction block of separate statements, as an application sends them)
PGPORT=${ports[0]} psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || echo "FAIL  the transaction of alice"
BEGIN;
SET LOCAL eventlog.actor = 'alice';
SET LOCAL eventlog.context = '{"ticket": 7}';
UPDATE cert_int SET name = 'by alice' WHERE g <= 10;
UPDATE country SET name = 'by alice' WHERE g = 3;
COMMIT;
SQL
check "SET LOCAL actor and context reach every node's events" "11 11 t" \
    "$(union "SELECT count(*) FROM eventlog WHERE actor = 'alice'" | total) $(union "SELECT count(*) FROM eventlog WHERE context @> '{\"ticket\": 7}'" | total) $(
        for i in 1 2; do on "$i" "SELECT count(*) > 0 FROM eventlog WHERE actor = 'alice'"; done | sort -u | tr -d '\n')"

# --- reading from the coordinator ---------------------------------------------
# merged QUERY: the union of QUERY's "id|timestamp" rows, newest first.
cols="SELECT id, (extract(epoch FROM \"timestamp\") * 1000000)::bigint AS us FROM"
merged() { union "$cols ($1) e" | sort -t'|' -k2,2nr -k1,1nr | cut -d'|' -f1; }
cluster() { on 0 "SELECT id FROM ($1) e" ; }
check "eventlog_cluster_for_object = union of the nodes (cert_int 1)" "$(merged "SELECT * FROM eventlog_for_object('public.cert_int', '1')")" \
    "$(cluster "SELECT * FROM eventlog_cluster_for_object('public.cert_int', '1')")"
check "eventlog_cluster_for_object: cert_int 1 has 4 events" "4" "$(on 0 "SELECT count(*) FROM eventlog_cluster_for_object('public.cert_int', '1')")"
check "eventlog_cluster_for_tool = union of the nodes (cert_uuid)" "$(merged "SELECT * FROM eventlog_for_tool('cert_uuid')")" \
    "$(cluster "SELECT * FROM eventlog_cluster_for_tool('cert_uuid')")"
check "eventlog_cluster_for_actor = union of the nodes (alice)" "$(merged "SELECT * FROM eventlog_for_actor('alice')")" \
    "$(cluster "SELECT * FROM eventlog_cluster_for_actor('alice')")"
check "eventlog_cluster_for_tool: rows equal the nodes' rows" \
    "$(union "SELECT id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user, transaction_id, object_table::text, context FROM eventlog WHERE tool = 'cert_text'" | sort | md5sum)" \
    "$(on 0 "SELECT id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user, transaction_id, object_table::text, context FROM eventlog_cluster_for_tool('cert_text')" | sort | md5sum)"
page_ids() { on 0 "SELECT string_agg(x ->> 'id', ' ' ORDER BY n) FROM jsonb_array_elements(($1) -> 'results') WITH ORDINALITY r(x, n)"; }
all_merged=$(merged "SELECT * FROM eventlog")
check "eventlog_cluster_page: count of everything is exact" "$(wc -l <<<"$all_merged")" "$(on 0 "SELECT eventlog_cluster_page() -> 'count'")"
check "eventlog_cluster_page: page 3 of 7 = union, merged" "$(sed -n 15,21p <<<"$all_merged" | tr '\n' ' ' | sed 's/ $//')" \
    "$(page_ids "eventlog_cluster_page(page_size => 7, page => 3)")"
tool_merged=$(merged "SELECT * FROM eventlog_for_tool('cert_int')")
check "eventlog_cluster_page(tool): count exact" "$(wc -l <<<"$tool_merged")" "$(on 0 "SELECT eventlog_cluster_page(tool => 'cert_int') -> 'count'")"
check "eventlog_cluster_page(tool): page 2 of 10" "$(sed -n 11,20p <<<"$tool_merged" | tr '\n' ' ' | sed 's/ $//')" \
    "$(page_ids "eventlog_cluster_page(tool => 'cert_int', page_size => 10, page => 2)")"
check "eventlog_cluster_page(object): count exact" \
    "$(union "SELECT count(*) FROM eventlog WHERE object_type = 'public.cert_text' AND object_id = 'k1'" | total)" \
    "$(on 0 "SELECT eventlog_cluster_page(object_type => 'public.cert_text', object_id => 'k1') -> 'count'")"
check "eventlog_cluster_page(actor, action): count exact" "10" \
    "$(on 0 "SELECT eventlog_cluster_page(actor => 'alice', action => 'update', tool => 'cert_int') -> 'count'")"

# --- visibility ------------------------------------------------------------------
on 0 "CREATE ROLE eventlog_citus_reader LOGIN;
      GRANT SELECT ON cert_int, cert_text, country, local_note TO eventlog_citus_reader" >/dev/null
check "visibility: a role without SELECT on cert_uuid sees none of its events" "0 0 0" \
    "$(as eventlog_citus_reader 0 "SELECT eventlog_cluster_page(tool => 'cert_uuid') -> 'count'") $(
        as eventlog_citus_reader 0 "SELECT count(*) FROM eventlog_cluster_for_tool('cert_uuid')") $(
        as eventlog_citus_reader 0 "SELECT count(*) FROM jsonb_array_elements(eventlog_cluster_page(page_size => 1000) -> 'results') e WHERE e ->> 'tool' = 'cert_uuid'")"
check "visibility: the same role sees cert_int's events" "$(wc -l <<<"$tool_merged")" \
    "$(as eventlog_citus_reader 0 "SELECT eventlog_cluster_page(tool => 'cert_int') -> 'count'")"
check "visibility: the role's unfiltered count = the readable events of every node" \
    "$(union "SELECT count(*) FROM eventlog WHERE object_table IS NOT NULL AND object_type <> 'public.cert_uuid' AND object_type NOT LIKE 'public.bench%'" | total)" \
    "$(as eventlog_citus_reader 0 "SELECT eventlog_cluster_page() -> 'count'")"
check "visibility: the role may not purge" "42501" \
    "$(PGUSER=eventlog_citus_reader PGPORT=${ports[0]} sqlstate "$db" "SELECT * FROM eventlog_cluster_purge('0 seconds')")"

# --- append-only -------------------------------------------------------------------
for i in 0 1 2; do
    check "node $i: DELETE/UPDATE/TRUNCATE of eventlog refused" "42501 42501 42501" \
        "$(PGPORT=${ports[$i]} sqlstate "$db" "DELETE FROM eventlog") $(PGPORT=${ports[$i]} sqlstate "$db" "UPDATE eventlog SET message = 'x'") $(PGPORT=${ports[$i]} sqlstate "$db" "TRUNCATE eventlog")"
done

# --- throughput (printed, never asserted) -----------------------------------------------
on 0 "INSERT INTO bench_tracked SELECT g, 0 FROM generate_series(1, 1000) g; INSERT INTO bench_plain SELECT g, 0 FROM generate_series(1, 1000) g" >/dev/null
for t in bench_plain bench_tracked bench_plain bench_tracked; do
    printf '\\set id random(1, 1000)\nUPDATE %s SET n = n + 1 WHERE id = :id;\n' "$t" >"$base/$t.pgbench"
    tps=$(PGPORT=${ports[0]} pgbench -n -c 2 -j 2 -T "${EVENTLOG_CITUS_BENCH_SECONDS:-10}" -f "$base/$t.pgbench" "$db" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "      throughput: 1-row UPDATE of a distributed table from the coordinator, 2 clients: $t ${tps:-?} tps"
done
check "bench_tracked: one event per update" "$(on 0 "SELECT sum(n) FROM bench_tracked")" \
    "$(union "SELECT count(*) FROM eventlog WHERE tool = 'bench_tracked' AND action = 'update'" | total)"

# --- what does not reach the workers, TRUNCATE, untrack -----------------------------
PGPORT=${ports[0]} psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || echo "FAIL  the transaction of carol"
BEGIN;
SELECT set_config('eventlog.actor', 'carol', true);
UPDATE cert_int SET name = 'by carol' WHERE g <= 4;
COMMIT;
SQL
check "set_config(eventlog.actor, ..., true) does not reach the workers (documented)" "0 4" \
    "$(union "SELECT count(*) FROM eventlog WHERE actor = 'carol'" | total) $(union "SELECT count(*) FROM eventlog WHERE changes -> 'new_value' ->> 'name' = 'by carol'" | total)"
on 0 "CREATE TABLE trunc_t (id int PRIMARY KEY); SELECT create_distributed_table('trunc_t', 'id');
      SELECT eventlog_track('trunc_t'); INSERT INTO trunc_t SELECT generate_series(1, 3)" >/dev/null
on 0 "TRUNCATE trunc_t" >/dev/null
check "TRUNCATE of a distributed table: one event, on the coordinator" "1 0 0" \
    "$(on_all "SELECT count(*) FROM eventlog WHERE object_type = 'public.trunc_t' AND action = 'truncate'" | tr '\n' ' ' | sed 's/ $//')"
before_untrack=$(union "SELECT count(*) FROM eventlog WHERE tool = 'cert_text'" | total)
on 0 "SELECT eventlog_untrack('cert_text')" >/dev/null
on 0 "UPDATE cert_text SET name = 'untracked'" >/dev/null
check "eventlog_untrack of a distributed table: no trigger left on its shards, no new event" "0 $before_untrack" \
    "$(on 0 "SELECT sum(result::int) FROM run_command_on_all_nodes(\$\$SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE 'cert_text%' AND t.tgname LIKE 'eventlog_capture%'\$\$)") $(
        union "SELECT count(*) FROM eventlog WHERE tool = 'cert_text'" | total)"

# --- purge -----------------------------------------------------------------------
before=$(on_all "SELECT count(*) FROM eventlog" | tr '\n' ' ' | sed 's/ $//')
check "eventlog_cluster_purge: every node purges its own log" "0:${before%% *} 1:$(cut -d' ' -f2 <<<"$before") 2:$(cut -d' ' -f3 <<<"$before")" \
    "$(on 0 "SELECT string_agg(node_group || ':' || purged, ' ' ORDER BY node_group) FROM eventlog_cluster_purge('0 seconds')")"
check "after the purge: each node holds its purge event only" "1 1 1" "$(on_all "SELECT count(*) FROM eventlog" | tr '\n' ' ' | sed 's/ $//')"
check "after the purge: the cluster page counts them" "3" "$(on 0 "SELECT eventlog_cluster_page() -> 'count'")"

# --- the probe must reach every worker ------------------------------------------------
on 0 "DROP TABLE eventlog_probe" >/dev/null
check "no probe: the readers refuse (with a hint)" "P0001" "$(PGPORT=${ports[0]} sqlstate "$db" "SELECT eventlog_cluster_page()")"
on 0 "SELECT eventlog_citus_setup()" >/dev/null
check "setup again: ids kept their ranges, readers work" "281474976710657 3" \
    "$(on 1 "SELECT min_value FROM pg_sequences WHERE sequencename = 'eventlog_id_seq'") $(on 0 "SELECT eventlog_cluster_page() -> 'count'")"

finish
