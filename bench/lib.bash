# Shared by the benchmarks that need a database of their own. Sourced after
# the caller has set `db` (the database name), `label` (for messages) and
# `here` (the repository). Creates the database (refusing one that exists),
# drops it on exit unless BENCH_KEEP_DB=1, and defines q (psql on it), q1
# (one value), report_build / module_id (which build the server loads) and
# report_server (server version and the settings that matter). A caller
# may add functions to cleanup_hooks; they run first on exit.

work="$(mktemp -d)"
created_db=0
cleanup_hooks=()
cleanup() {
    local hook
    for hook in "${cleanup_hooks[@]}"; do "$hook" || true; done
    rm -rf "$work"
    if [[ $created_db == 1 && "${BENCH_KEEP_DB:-0}" != 1 ]]; then
        dropdb --force --if-exists "$db" || true
    fi
}
trap cleanup EXIT

# psql on the bench database: quiet, stop on error, no psqlrc.
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# one value
q1() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

if [[ -n "$(psql -X -A -t -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
    echo "$label: database $db already exists; drop it or set BENCH_DB" >&2
    exit 2
fi
createdb "$db"
created_db=1

# The module the server will load (new connections load the file as it is
# then): reported, and compared at the end, so a rebuild in the middle of a
# run does not go unnoticed.
module="$(pg_config --pkglibdir 2>/dev/null)/eventlog.so"
module_id() { [[ -r "$module" ]] && echo "$(md5sum <"$module" | cut -c1-12) $(date -r "$module" '+%F %T')" || echo "unknown"; }
report_build() {
    module_at_start=$(module_id)
    echo "module: $module ($module_at_start)"
    if git -C "$here" rev-parse --short HEAD >/dev/null 2>&1; then
        echo "source: $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- src extension 2>/dev/null || echo ' (src/extension modified)')"
    fi
}

# report_server [PSQL_FUNCTION]: the server's version and the settings the
# figures depend on, through q or the psql function named (another server).
report_server() {
    "${1:-q}" <<'SQL'
\pset footer off
SELECT pg_catalog.version() AS server;
SELECT name, setting, unit, source FROM pg_catalog.pg_settings
WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers',
               'wal_buffers', 'max_wal_size', 'checkpoint_timeout', 'work_mem', 'autovacuum', 'jit',
               'wal_sync_method', 'wal_compression', 'max_connections',
               'shared_preload_libraries', 'eventlog.capture_worker', 'track_commit_timestamp')
ORDER BY name;
SQL
}

# server_cpu_ticks (bench/cpu.bash)
# shellcheck source=bench/cpu.bash
source "$(dirname "${BASH_SOURCE[0]}")/cpu.bash"
