# Helpers for integration tests. Sourced; expects PGHOST/PGPORT/PGUSER of a
# running throw-away cluster. Each check prints ok/FAIL; finish exits non-zero
# when any check failed.
set -uo pipefail

failures=0

# sql DB QUERY: runs QUERY, prints the unaligned result and returns psql's
# exit status. psql's stderr stays visible. When psql fails, sql also prints
# (on stdout, after any partial result) a line
#   <psql failed (exit N) #NONCE: first error line>
# NONCE is unique to the call, so the outputs of two failed calls never equal
# each other, nor their md5sum or line counts; check fails whenever either of
# its values contains "<psql failed": inside "$(...)" a failing statement can
# never pass for an expected value, empty or not.
sql_failed='<psql failed'
sql() {
    local err rc
    { err=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1 1>&3 3>&-); rc=$?; } 3>&1
    [ -n "$err" ] && printf '%s\n' "$err" >&2
    if [ "$rc" -ne 0 ]; then
        local first
        first=$(grep -m 1 -E 'ERROR|FATAL|PANIC|error' <<<"$err" || head -n 1 <<<"$err")
        printf '%s (exit %d) #%s.%s.%s: %s>\n' "$sql_failed" "$rc" "$BASHPID" "${EPOCHREALTIME/[.,]/}" "$SRANDOM" "${first:-no message}"
    fi
    return "$rc"
}

# sqlstate DB QUERY: the SQLSTATE QUERY fails with (00000 when it succeeds,
# empty when psql cannot run it at all).
sqlstate() {
    printf '%s;\n\\echo :LAST_ERROR_SQLSTATE\n' "$2" | psql -X -q -At -d "$1" 2>/dev/null | tail -n 1
}

# check NAME EXPECTED ACTUAL: ok when they are equal and neither holds the
# output of a failed sql call.
check() {
    if [ "$2" == "$3" ] && [[ $2 != *"$sql_failed"* && $3 != *"$sql_failed"* ]]; then
        echo "ok    $1"
    else
        echo "FAIL  $1"
        echo "      expected: $2"
        echo "      actual:   $3"
        failures=$((failures + 1))
    fi
}

# contents FILE: FILE's text, "(empty)" when it has none, "(missing FILE)"
# when it does not exist; for checks that a command printed nothing.
contents() {
    if [ ! -f "$1" ]; then
        echo "(missing $1)"
    elif [ -s "$1" ]; then
        cat "$1"
    else
        echo "(empty)"
    fi
}

# fresh_db NAME: drops and creates database NAME.
fresh_db() {
    psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null
}

# install_released VERSION: puts the full install script of a released
# version (test/released/, written from the repository's history by
# scripts/released-scripts) into the server's extension directory, so that
# CREATE EXTENSION eventlog VERSION 'VERSION' works; finish removes it again.
released_installed=()
install_released() {
    local root script target
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    script=$root/test/released/eventlog--$1.sql
    [ -f "$script" ] || "$root/scripts/released-scripts" || return 1
    [ -f "$script" ] || { echo "install_released: no released version $1 in test/released-versions" >&2; return 1; }
    target=$(pg_config --sharedir)/extension/eventlog--$1.sql
    [ -f "$target" ] && return 0
    cp "$script" "$target" && released_installed+=("$target")
}

# released_versions: the released versions, oldest first.
released_versions() {
    awk '$1 !~ /^#/ && NF == 3 { print $1 }' "$(dirname "${BASH_SOURCE[0]}")/../released-versions"
}

# worker_pid: the capture workers' pids (none when none runs).
worker_pid() {
    psql -X -q -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'eventlog capture worker'" 2>/dev/null
}

# set_worker on|off: eventlog.capture_worker, by ALTER SYSTEM and a reload;
# off returns once no worker runs.
set_worker() {
    psql -X -q -d postgres -c "ALTER SYSTEM SET eventlog.capture_worker = $1" -c "SELECT pg_reload_conf()" >/dev/null
    if [ "$1" = off ]; then
        for _ in $(seq 1 100); do
            [ -z "$(worker_pid)" ] && return 0
            sleep 0.1
        done
        echo "the worker did not stop" >&2
    fi
}

finish() {
    [ ${#released_installed[@]} -eq 0 ] || rm -f "${released_installed[@]}"
    [ "$failures" -eq 0 ]
}

# ddl NAME: the SQL block after "<!-- ddl: NAME -->" in the file $doc (the
# test sets it; docs/distributed.md for the tests of its steps).
ddl() {
    awk -v marker="<!-- ddl: $1 -->" '
        $0 == marker { found = 1; next }
        found == 1 && /^```sql/ { found = 2; next }
        found == 2 && /^```/ { exit }
        found == 2 { print }' "$doc"
}
