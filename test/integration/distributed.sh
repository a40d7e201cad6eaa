#!/usr/bin/env bash
# docs/distributed.md, checked: the DDL blocks it proposes (extracted from the
# document itself, the only copy) are run and the claims tested.
#  - Logical replication: two extra clusters with wal_level=logical (ports
#    EVENTLOG_DIST_SOURCE_PORT/EVENTLOG_DIST_CENTRAL_PORT, default 54341/54342,
#    stopped and removed on exit), two source databases with id ranges 1 and 2,
#    one central database subscribed to both (source 2's log partitioned when
#    the extension can). The central log must hold exactly
#    each source's events, stay append-only for every role, ignore events
#    forged on a source, and a restored source must keep its range.
#  - Citus (the log on every node): the citus-* blocks exist; on the runner's
#    cluster (no Citus loaded) the cluster readers answer for the local log
#    exactly like the local ones, and eventlog_citus_setup refuses to run.
#    The blocks themselves are run on a Citus cluster by citus.sh.
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)
doc=$root/docs/distributed.md

source_port=${EVENTLOG_DIST_SOURCE_PORT:-54341}
central_port=${EVENTLOG_DIST_CENTRAL_PORT:-54342}
source_dir=$(mktemp -d /tmp/eventlog-dist-source.XXXXXX)
central_dir=$(mktemp -d /tmp/eventlog-dist-central.XXXXXX)
work=$(mktemp -d)
cleanup() {
    "$root/scripts/pg-cluster" stop "$source_dir"
    "$root/scripts/pg-cluster" stop "$central_dir"
    rm -rf "$source_dir" "$central_dir" "$work"
    psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS dist_citus" >/dev/null 2>&1
}
trap cleanup EXIT
trap "exit 1" INT TERM

for block in id-range source central subscribe citus-extension citus-settings citus-setup; do
    [ -n "$(ddl "$block")" ] || { echo "FAIL  docs/distributed.md has no ddl block '$block'"; exit 1; }
done

# on_source / on_central DB QUERY, and run_ddl HOST PORT DB BLOCK [psql -v ...]
on_source() { PGHOST=$source_dir PGPORT=$source_port sql "$@"; }
on_central() { PGHOST=$central_dir PGPORT=$central_port sql "$@"; }
sqlstate_central() { PGHOST=$central_dir PGPORT=$central_port sqlstate central "$1"; }
run_ddl() {
    local host=$1 port=$2 db=$3 block=$4
    shift 4
    ddl "$block" | PGHOST=$host PGPORT=$port PGOPTIONS="-c client_min_messages=warning" \
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@" -f - >/dev/null ||
        { echo "FAIL  ddl block $block in $db"; failures=$((failures + 1)); return 1; }
}

# send_marker DB TEXT: records an event TEXT on source DB and waits until the
# central log has it (bounded: a lost event or a stopped subscription fails
# the test instead of hanging it). Its id is left in $marker.
send_marker() {
    marker=$(on_source "$1" "SELECT eventlog_log('$2')")
    [[ $marker =~ ^[0-9]+$ ]] || { echo "FAIL  could not record '$2' on $1: $marker"; failures=$((failures + 1)); return 1; }
    for _ in $(seq 1200); do
        [ "$(on_central central "SELECT count(*) FROM eventlog WHERE id = $marker AND message = '$2'")" = 1 ] && return 0
        sleep 0.1
    done
    echo "FAIL  event $marker ('$2') never reached the central database; its server log ends with:"
    tail -n 20 "$central_dir/server.log" | sed 's/^/      /'
    failures=$((failures + 1))
    return 1
}

columns="id, \"timestamp\", actor, message, object_type, object_id, tool, action, changes, db_user,
         template_message, values_json, transaction_id, actor_id"
guard_state="SELECT string_agg(tgenabled::text, ' ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'eventlog'::regclass AND tgname LIKE 'eventlog_append_only%'"
# source_events DB: all of a source's events; central_events SOURCE_NO: the
# central events in that source's id range; both in the same comparable form.
source_events() { on_source "$1" "SELECT $columns FROM eventlog ORDER BY id" | md5sum; }
central_events() { on_central central "SELECT $columns FROM eventlog WHERE id / 1000000000000000 = $1 ORDER BY id" | md5sum; }

# --- the clusters -------------------------------------------------------------
export PG_CLUSTER_OPTIONS="-c wal_level=logical"
"$root/scripts/pg-cluster" start "$source_dir" "$source_port" || { echo "FAIL  start the source cluster"; exit 1; }
"$root/scripts/pg-cluster" start "$central_dir" "$central_port" || { echo "FAIL  start the central cluster"; exit 1; }
unset PG_CLUSTER_OPTIONS
for host_port in "$source_dir $source_port" "$central_dir $central_port"; do
    read -r host port <<<"$host_port"
    [ "$(PGHOST=$host PGPORT=$port sql postgres "SELECT 1")" = 1 ] || { echo "FAIL  cannot connect to $host:$port"; exit 1; }
done

# make_source DB SOURCE_NO [partitioned]: an application database with the
# proposed setup, a tracked table and events recorded before any subscription
# exists; its log partitioned by month when asked and the extension has that
# layout (eventlog.partition_interval, 1.1), else a plain table.
make_source() {
    on_source postgres "CREATE DATABASE $1" >/dev/null
    if [ "${3:-}" = partitioned ] && [ "$(on_source "$1" "SELECT count(*) > 0 FROM pg_available_extensions
                                                           WHERE name = 'eventlog' AND default_version <> '1.0'")" = t ]; then
        on_source "$1" "SET eventlog.partition_interval = '1 month'; CREATE EXTENSION eventlog" >/dev/null
    else
        on_source "$1" "CREATE EXTENSION eventlog" >/dev/null
    fi
    run_ddl "$source_dir" "$source_port" "$1" id-range -v source_no="$2"
    run_ddl "$source_dir" "$source_port" "$1" source
    on_source "$1" "CREATE TABLE certificate (id int PRIMARY KEY, name text, status text)" >/dev/null
    on_source "$1" "SELECT eventlog_track('certificate', messages => '{\"update\": \"{new__name}: {old__status} -> {new__status}\"}')" >/dev/null
    on_source "$1" "INSERT INTO certificate SELECT g, 'Certificate ' || g, 'active' FROM generate_series(1, 20) g" >/dev/null
    on_source "$1" "SELECT eventlog_log('Item {item__name} was checked.', '{\"item__name\": {\"name\": \"A\"}}',
                                       'public.certificate', '1', 'John', 'feature', 'check')" >/dev/null
}
# more_events DB: tracked changes and logged events after the subscription.
more_events() {
    on_source "$1" "BEGIN; SET LOCAL eventlog.actor = 'jane'; SET LOCAL eventlog.actor_id = 'u-7'; UPDATE certificate SET status = 'inactive' WHERE id <= 10; COMMIT" >/dev/null
    on_source "$1" "DELETE FROM certificate WHERE id > 15" >/dev/null
    on_source "$1" "BEGIN; SELECT eventlog_log('rolled back'); ROLLBACK" >/dev/null
    on_source "$1" "SELECT eventlog_log_row(c, 'Row {r}', '{\"r\": 1}', tool => 'feature', action => 'note') FROM certificate c WHERE id = 1" >/dev/null
    on_source "$1" "TRUNCATE certificate" >/dev/null
    on_source "$1" "SELECT eventlog_log(NULL)" >/dev/null
}

make_source app1 1
make_source app2 2 partitioned
if [ "$(on_source app2 "SELECT to_regproc('eventlog_partition_maintain') IS NOT NULL")" = t ]; then
    check "source 2's log is partitioned (published via the partition root)" "p" \
        "$(on_source app2 "SELECT relkind FROM pg_class WHERE oid = 'eventlog'::regclass")"
else
    echo "note  this version of eventlog has no partitioned layout: source 2's log is a plain table"
fi
check "source 1's ids are in range 1" "1000000000000001 1000000000000021 21" \
    "$(on_source app1 "SELECT min(id) || ' ' || max(id) || ' ' || count(*) FROM eventlog")"

on_central postgres "CREATE DATABASE central" >/dev/null
run_ddl "$central_dir" "$central_port" central central
run_ddl "$central_dir" "$central_port" central subscribe -v subscription=eventlog_from_app1 \
    -v conninfo="host=$source_dir port=$source_port dbname=app1 user=postgres"

more_events app1
send_marker app1 'marker 1'
check "central has source 1's events, before and after subscribing" "$(source_events app1)" "$(central_events 1)"
check "source 1's event count" "$(on_source app1 "SELECT count(*) FROM eventlog")" \
    "$(on_central central "SELECT count(*) FROM eventlog")"
check "tracked actions arrived" "check create delete note truncate update" \
    "$(on_central central "SELECT string_agg(DISTINCT action, ' ' ORDER BY action) FROM eventlog")"

# The second source: same table, same keys, same object names.
run_ddl "$central_dir" "$central_port" central subscribe -v subscription=eventlog_from_app2 \
    -v conninfo="host=$source_dir port=$source_port dbname=app2 user=postgres"
more_events app2
send_marker app2 'marker 2'
check "central has source 2's events" "$(source_events app2)" "$(central_events 2)"
check "source 1's events unchanged" "$(source_events app1)" "$(central_events 1)"
total=$(($(on_source app1 "SELECT count(*) FROM eventlog") + $(on_source app2 "SELECT count(*) FROM eventlog")))
check "no collision: central count is the sum" "$total" "$(on_central central "SELECT count(*) FROM eventlog")"
one_object="SELECT count(*) FROM eventlog WHERE object_type = 'public.certificate' AND object_id = '1'"
both=$(($(on_source app1 "$one_object") + $(on_source app2 "$one_object")))
check "eventlog_for_object on central: both sources' history of the object" "$both" \
    "$(on_central central "SELECT count(*) FROM eventlog_for_object('public.certificate', '1')")"
check "eventlog_page on central counts the same" "$both" \
    "$(on_central central "SELECT eventlog_page(object_type => 'public.certificate', object_id => '1') -> 'count'")"
page_count_agrees="SELECT (eventlog_page(page_size => 1) ->> 'count')::bigint = (SELECT count(*) FROM eventlog)
                       AND (eventlog_page(tool => 'feature', page_size => 1) ->> 'count')::bigint
                           = (SELECT count(*) FROM eventlog WHERE tool = 'feature')
                       AND (eventlog_page(actor_id => 'u-7', page_size => 1) ->> 'count')::bigint
                           = (SELECT count(*) FROM eventlog WHERE actor_id = 'u-7')
                       AND (SELECT count(*) FROM eventlog WHERE actor_id = 'u-7') > 0"
check "central: replicated events are counted (the trigger's deltas)" "t" "$(on_central central "$page_count_agrees")"
check "central: a scheduled fold keeps them exact" "t t 0" \
    "$(on_central central "SELECT eventlog_counts_fold() > 0") $(on_central central "$page_count_agrees") $(on_central central "SELECT count(*) FROM eventlog_count_deltas")"
check "filtering by id range gives one source's history" "$(on_source app2 "$one_object")" \
    "$(on_central central "SELECT count(*) FROM eventlog_for_object('public.certificate', '1') WHERE id / 1000000000000000 = 2")"

# Append-only on the central side, for an ordinary role and for the superuser.
on_central central "CREATE ROLE dist_reader" >/dev/null
check "central: ordinary role cannot UPDATE" "42501" "$(sqlstate_central "SET ROLE dist_reader; UPDATE eventlog SET message = 'x'")"
check "central: ordinary role cannot DELETE" "42501" "$(sqlstate_central "SET ROLE dist_reader; DELETE FROM eventlog")"
check "central: ordinary role cannot TRUNCATE" "42501" "$(sqlstate_central "SET ROLE dist_reader; TRUNCATE eventlog")"
check "central: superuser cannot UPDATE" "42501" "$(sqlstate_central "UPDATE eventlog SET message = 'x'")"
check "central: superuser cannot DELETE" "42501" "$(sqlstate_central "DELETE FROM eventlog")"
check "central: guard fires for replicated rows too (ENABLE ALWAYS)" "A A" "$(on_central central "$guard_state")"

# Who reads the central log: the sources' tables are not there, so the
# events that name an object are the owner's (and superusers') alone; those
# with no object_type are everyone's.
no_object="SELECT count(*) FROM eventlog WHERE object_type IS NULL"
no_object_total=$(($(on_source app1 "$no_object") + $(on_source app2 "$no_object")))
check "sources: events about their tables, and with no object" "t t" \
    "$(on_source app1 "SELECT count(*) > 0 FROM eventlog WHERE object_table IS NOT NULL") $( [ "$no_object_total" -gt 0 ] && echo t || echo f)"
check "central: replicated events naming an object are about a table not here" "$(($total - $no_object_total)) 0" \
    "$(on_central central "SELECT count(*) || ' ' || string_agg(DISTINCT object_table::oid::text, ',') FROM eventlog WHERE object_table IS NOT NULL")"
check "central: an ordinary role sees only the events with no object" "$no_object_total" \
    "$(on_central central "SET ROLE dist_reader; SELECT count(*) FROM eventlog")"

# A superuser on source 1 forges its log: nothing of it reaches the central copy.
before=$(central_events 1)
before_count=$(on_central central "SELECT count(*) FROM eventlog WHERE id / 1000000000000000 = 1")
on_source app1 "ALTER TABLE eventlog DISABLE TRIGGER eventlog_append_only" >/dev/null
on_source app1 "UPDATE eventlog SET message = 'forged' WHERE action = 'update'" >/dev/null
on_source app1 "DELETE FROM eventlog WHERE action = 'delete'" >/dev/null
on_source app1 "ALTER TABLE eventlog ENABLE TRIGGER eventlog_append_only" >/dev/null
send_marker app1 'marker 3'
check "forged changes on a source do not reach central" "$before" \
    "$(on_central central "SELECT $columns FROM eventlog WHERE id / 1000000000000000 = 1 AND id <> $marker ORDER BY id" | md5sum)"
check "central still has the events deleted on the source" "$((before_count + 1))" \
    "$(on_central central "SELECT count(*) FROM eventlog WHERE id / 1000000000000000 = 1")"

# pg_dump/restore of a source keeps it in its range; the block can run again.
PGHOST=$source_dir PGPORT=$source_port pg_dump -Fc -d app1 -f "$work/app1.dump" || failures=$((failures + 1))
on_source postgres "CREATE DATABASE app1_restored" >/dev/null
PGHOST=$source_dir PGPORT=$source_port pg_restore -d app1_restored "$work/app1.dump" 2>"$work/restore.err" ||
    { echo "FAIL  pg_restore"; cat "$work/restore.err"; failures=$((failures + 1)); }
run_ddl "$source_dir" "$source_port" app1_restored id-range -v source_no=1
next=$(on_source app1_restored "SELECT eventlog_log('after restore')")
check "restored source continues in its range, after its last event" "t" \
    "$(on_source app1_restored "SELECT $next > max(id) AND $next / 1000000000000000 = 1 FROM eventlog WHERE id <> $next")"
check "id range limits are back after running the block again" "1000000000000001 2000000000000000" \
    "$(on_source app1_restored "SELECT min_value || ' ' || max_value FROM pg_sequences WHERE sequencename = 'eventlog_id_seq'")"
# (the error's text, not LAST_ERROR_SQLSTATE: psql 17 and later leave that
# empty after an error inside \gexec)
check "a wrong range for a source with events is refused" "refused" \
    "$({ ddl id-range; } | PGHOST=$source_dir PGPORT=$source_port psql -X -q -At -d app1 -v source_no=0 -f - 2>&1 |
        grep -q 'RESTART value .* cannot be greater than MAXVALUE\|cannot be greater than MAXVALUE' && echo refused || echo accepted)"

# pg_dump/restore of the central database: every event comes back, ENABLE
# ALWAYS does not (the trigger belongs to the extension) until the central
# block runs again; the subscriptions come back disabled.
PGHOST=$central_dir PGPORT=$central_port pg_dump -Fc -d central -f "$work/central.dump" || failures=$((failures + 1))
on_central postgres "CREATE DATABASE central_restored" >/dev/null
PGHOST=$central_dir PGPORT=$central_port pg_restore -d central_restored "$work/central.dump" 2>"$work/restore.err" ||
    { echo "FAIL  pg_restore"; cat "$work/restore.err"; failures=$((failures + 1)); }
all_events="SELECT $columns FROM eventlog ORDER BY id"
check "restored central has every event" "$(on_central central "$all_events" | md5sum)" \
    "$(on_central central_restored "$all_events" | md5sum)"
check "restored central: guard back to ENABLE ORIGIN" "O O" "$(on_central central_restored "$guard_state")"
run_ddl "$central_dir" "$central_port" central_restored central
check "restored central: ENABLE ALWAYS after the central block again" "A A" "$(on_central central_restored "$guard_state")"
check "restored central: subscriptions restored, disabled" "eventlog_from_app1:false eventlog_from_app2:false" \
    "$(on_central central_restored "SELECT string_agg(subname || ':' || subenabled, ' ' ORDER BY subname)
                                    FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())")"

# --- Citus: the cluster readers without Citus --------------------------------------
fresh_db dist_citus
run_ddl "$PGHOST" "$PGPORT" dist_citus citus-extension
sql dist_citus "CREATE TABLE certificate (id int PRIMARY KEY, name text)" >/dev/null
sql dist_citus "SELECT eventlog_track('certificate')" >/dev/null
sql dist_citus "INSERT INTO certificate SELECT g, 'c' || g FROM generate_series(1, 5) g" >/dev/null
sql dist_citus "UPDATE certificate SET name = 'x' WHERE id <= 2" >/dev/null
sql dist_citus "DELETE FROM certificate WHERE id = 5" >/dev/null
sql dist_citus "SELECT eventlog_log('checked', object_type => 'public.certificate', object_id => '1')" >/dev/null
check "no citus: eventlog_cluster_for_object = eventlog_for_object" \
    "$(sql dist_citus "SELECT string_agg(id::text, ' ' ORDER BY \"timestamp\" DESC, id DESC) FROM eventlog_for_object('public.certificate', '1')")" \
    "$(sql dist_citus "SELECT string_agg(id::text, ' ') FROM eventlog_cluster_for_object('public.certificate', '1')")"
check "no citus: eventlog_cluster_for_object has the 3 events" "3" \
    "$(sql dist_citus "SELECT count(*) FROM eventlog_cluster_for_object('public.certificate', '1')")"
check "no citus: eventlog_cluster_page = eventlog_page" "$(sql dist_citus "SELECT eventlog_page(tool => 'certificate', page_size => 3, page => 2)")" \
    "$(sql dist_citus "SELECT eventlog_cluster_page(tool => 'certificate', page_size => 3, page => 2)")"
check "no citus: eventlog_cluster_for_tool rows = eventlog_for_tool rows" \
    "$(sql dist_citus "SELECT e::text FROM eventlog_for_tool('certificate') e ORDER BY \"timestamp\" DESC, id DESC" | md5sum)" \
    "$(sql dist_citus "SELECT e::text FROM eventlog_cluster_for_tool('certificate') e" | md5sum)"
check "no citus: eventlog_citus_setup refuses" "0A000" "$(sqlstate dist_citus "SELECT eventlog_citus_setup()")"
if sql dist_citus "SHOW shared_preload_libraries" | grep -qw citus; then
    echo "skip  citus: this server has Citus loaded; the citus-* blocks are run by test/integration/citus.sh"
else
    echo "skip  citus: the citus-* blocks of docs/distributed.md are run on a Citus cluster by test/integration/citus.sh"
fi

finish
