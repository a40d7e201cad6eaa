#!/usr/bin/env bash
# The Django admin of clients/django in a real browser: Debian's chromium,
# driven headless by python3-selenium through chromium-driver
# (browser_admin.py), against Django's runserver on 127.0.0.1 serving the
# test project (clients/django/testproject) from a database of its own in
# the cluster of PGHOST/PGPORT, with the extension. Staff log in, find an
# event by filter and search, read its diff, open a document's History,
# revert one change, see the refusal for a row changed since, and a staff
# user without the view permission on documents sees none of their events.
# Screenshots of the list, the diff and the history go to
# $EVENTLOG_BROWSER_OUT (default build/browser/django-<version>/).
#
# The browser runs on this machine. The server runs with this machine's
# Django (/usr/bin/python3), or, when EVENTLOG_BROWSER_CHROOT names a
# chroot (test/matrix/run does this), with the chroot's Django against the
# chroot's cluster (PGHOST/PGPORT as seen inside it; the chroot shares the
# host's network, so its server is reachable on 127.0.0.1), from the tree
# copied to /src in it. EVENTLOG_BROWSER_PORT: the server's port (default
# PGPORT + 2).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

export PGUSER=postgres
db=eventlog_browser
port=${EVENTLOG_BROWSER_PORT:-$((PGPORT + 2))}
chroot_dir=${EVENTLOG_BROWSER_CHROOT:-}

# server CMD...: CMD in clients/django with the Django that serves the pages
# (each command of run_in execs the next: the pid of `server ... &` is CMD's).
if [ -n "$chroot_dir" ]; then
    run_in=(chroot "$chroot_dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb
        "PATH=/usr/lib/postgresql/${EVENTLOG_BROWSER_PG:-}/bin:/usr/bin:/bin"
        "PGHOST=$PGHOST" "PGPORT=$PGPORT" PGUSER=postgres "EVENTLOG_DJANGO_DB=$db"
        DJANGO_SETTINGS_MODULE=testproject.settings PYTHONDONTWRITEBYTECODE=1
        sh -c 'cd /src/clients/django && exec "$@"' sh)
else
    run_in=(env "EVENTLOG_DJANGO_DB=$db" DJANGO_SETTINGS_MODULE=testproject.settings PYTHONDONTWRITEBYTECODE=1
        sh -c 'cd "$0" && exec "$@"' "$root/clients/django")
fi
server() { "${run_in[@]}" "$@"; }

missing=()
for f in /usr/bin/chromium /usr/bin/chromedriver; do [ -x "$f" ] || missing+=("$f"); done
/usr/bin/python3 -c "import selenium" 2>/dev/null || missing+=("python3-selenium")
if [ ${#missing[@]} -gt 0 ]; then
    echo "FAIL  chromium, chromium-driver and python3-selenium needed (scripts/install-deps): missing ${missing[*]}"
    exit 1
fi
if ! server /usr/bin/python3 -c "import django, rest_framework, django_filters" 2>/dev/null; then
    echo "FAIL  the server side needs python3-django, python3-djangorestframework, python3-django-filters"
    exit 1
fi
django=$(server /usr/bin/python3 -c "import django; print(django.get_version())")
out=${EVENTLOG_BROWSER_OUT:-$root/build/browser/django-$django}
rm -rf "$out"
mkdir -p "$out"
echo "Django $django (server), $(/usr/bin/chromium --version 2>/dev/null), selenium $(/usr/bin/python3 -c 'import selenium; print(selenium.__version__)')"

server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    server psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

server psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
setup=$(server /usr/bin/python3 -m tests.browser_project setup 2>"$out/setup.log")
rc=$?
check "the test project migrated and filled (tests/browser_project.py)" 0 "$rc"
[ "$rc" -eq 0 ] || { cat "$out/setup.log"; finish; }
echo "setup: $setup"

# --noreload: one process (its pid is the server); --insecure: static files with DEBUG off.
"${run_in[@]}" /usr/bin/python3 -m django runserver "127.0.0.1:$port" --noreload --insecure >"$out/server.log" 2>&1 &
server_pid=$!
up=no
for _ in $(seq 1 120); do
    if /usr/bin/python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://127.0.0.1:$port/admin/login/" 2>/dev/null; then
        up=yes
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
done
check "the test server answers on 127.0.0.1:$port" yes "$up"
[ "$up" = yes ] || { tail -n 30 "$out/server.log"; finish; }

/usr/bin/python3 "$root/test/integration/browser_admin.py" "http://127.0.0.1:$port" "$setup" "$out" | tee "$out/checks.log"
failures=$((failures + $(grep -c '^FAIL' "$out/checks.log")))
check "the browser checks ran" 1 "$(grep -c 'the revert is the newest event' "$out/checks.log")"
for shot in list diff history; do
    check "screenshot $shot.png saved" yes "$([ -s "$out/$shot.png" ] && echo yes || echo no)"
done
# runserver's access log: "GET /path HTTP/1.1" STATUS SIZE
errors=$(grep -E '" 5[0-9][0-9] [0-9]+$' "$out/server.log" | head -n 3 | tr '\n' ' ')
check "no server error (5xx) during the browser steps" "" "$errors"
echo "screenshots and logs: $out"

finish
