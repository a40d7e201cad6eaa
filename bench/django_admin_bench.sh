#!/usr/bin/env bash
# bench/django_admin_bench.sh — the Django admin (clients/django) on a large
# log: how long its pages take at BENCH_EVENTS events (default 1,000,000),
# through Django's test client in one process (no HTTP, no browser).
#
# Usage:
#   PGHOST=... PGPORT=... PGUSER=postgres bench/django_admin_bench.sh
#   BENCH_EVENTS=100000 bench/django_admin_bench.sh        # quick smoke run
#
# Needs a running server with the extension installed and Debian's Django
# (/usr/bin/python3 with python3-django and friends, as test/integration/
# django.sh). Creates the database eventlog_admin_bench (dropped at the end;
# BENCH_KEEP_DB=1 keeps it), migrates the test project into it and loads the
# events as the log's owner (clients/django/tests/admin_bench.py documents
# the data). Prints, per page, the median of 5 requests after a warm-up, as
# a superuser and as staff who may view certificates only (the visibility
# rule in force), then EXPLAIN of the list's query for that staff user.
# Timing only: nothing fails on a number.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
db=eventlog_admin_bench
events=${BENCH_EVENTS:-1000000}

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
drop() { [ -n "${BENCH_KEEP_DB:-}" ] || psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; }
trap drop EXIT

echo "Django admin on $events events ($(psql -X -At -d postgres -c 'SHOW server_version'), $(/usr/bin/python3 -c 'import django; print("Django", django.get_version())'))"
cd "$root/clients/django"
EVENTLOG_DJANGO_DB=$db DJANGO_SETTINGS_MODULE=testproject.settings PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 -m tests.admin_bench "$events"
