#!/usr/bin/env bash
# The Django/DRF adapter (clients/django): its pytest suite against the
# extension installed in the cluster of PGHOST/PGPORT, as postgres, in a
# database of its own (created by pytest-django, dropped afterwards). The
# test project lists "django_simple_eventlog" in INSTALLED_APPS, as the
# original app's README; tests/test_install.py also installs it under
# "eventlog", in a process and a database of its own (<test db>_install).
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

export PGUSER=postgres
export EVENTLOG_DJANGO_DB=eventlog_django_it
export EVENTLOG_DJANGO_TEST_DB=eventlog_django_it_test
drop_dbs() {
    psql -X -q -d postgres -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS ${EVENTLOG_DJANGO_TEST_DB}_install WITH (FORCE)" \
        -c "DROP DATABASE IF EXISTS $EVENTLOG_DJANGO_TEST_DB" -c "DROP DATABASE IF EXISTS $EVENTLOG_DJANGO_DB" >/dev/null
}
trap drop_dbs EXIT
fresh_db "$EVENTLOG_DJANGO_DB"

# Debian's python3 and its python3-django* packages (not a python3 earlier on PATH).
python=/usr/bin/python3
# The driver: psycopg 3 (python3-psycopg; Django 4.2 and later take it when
# it is installed) or psycopg2 (python3-psycopg2; the only one Django 3.2 knows).
if ! "$python" -c "import django, rest_framework, django_filters, pytest_django" 2>/dev/null ||
    ! "$python" -c "import django; from django.db.backends.postgresql import base" 2>/dev/null; then
    echo "FAIL  python3-django, python3-djangorestframework, python3-django-filters, python3-pytest-django and python3-psycopg (or python3-psycopg2) needed (scripts/install-deps)"
    exit 1
fi
"$python" -c "import django; from django.db.backends.postgresql.base import Database; print('Django', django.get_version(), 'with', Database.__name__, Database.__version__.split()[0])"

cd "$root/clients/django" || exit 1
out=$(PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -q -p no:cacheprovider 2>&1)
rc=$?
echo "$out" | tail -n 40
summary=$(echo "$out" | grep -E '^[0-9]+ (passed|failed)|[0-9]+ passed|[0-9]+ failed|error' | tail -n 1)
check "pytest exit status (clients/django): $summary" 0 "$rc"
check "pytest ran tests" 1 "$(echo "$out" | grep -cE '[1-9][0-9]* passed')"

finish
