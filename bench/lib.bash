# Shared by the benchmarks that need a database of their own. Sourced after
# the caller has set `db` (the database name) and `label` (for messages).
# Creates the database (refusing one that exists), drops it on exit unless
# BENCH_KEEP_DB=1, and defines q (psql on it) and q1 (one value).

work="$(mktemp -d)"
created_db=0
cleanup() {
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
