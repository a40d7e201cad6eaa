# Helpers for integration tests. Sourced; expects PGHOST/PGPORT/PGUSER of a
# running throw-away cluster. Each check prints ok/FAIL; finish exits non-zero
# when any check failed.
set -uo pipefail

failures=0

# sql DB QUERY: runs QUERY, prints the unaligned result.
sql() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# sqlstate DB QUERY: the SQLSTATE QUERY fails with (empty when it succeeds).
sqlstate() {
    printf '%s;\n\\echo :LAST_ERROR_SQLSTATE\n' "$2" | psql -X -q -At -d "$1" 2>/dev/null | tail -n 1
}

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then
        echo "ok    $1"
    else
        echo "FAIL  $1"
        echo "      expected: $2"
        echo "      actual:   $3"
        failures=$((failures + 1))
    fi
}

# fresh_db NAME: drops and creates database NAME.
fresh_db() {
    psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null
}

finish() {
    [ "$failures" -eq 0 ]
}
