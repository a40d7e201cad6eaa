#!/usr/bin/env bash
# bench/erase_bench.sh — what erasure costs: the time to erase the events of
# N objects (eventlog_erase of two keys, one call per object, all in one
# statement), against the time it took to record them (a tracked INSERT of
# N rows, then two UPDATEs of all of them: 3 events per object), and
# eventlog_verify on the log once its events are erased, against verifying
# the same log before, in the same run. Every event is sealed before it is
# erased (the costly case: each gets an erasure record and a new secret).
#
# Usage: PGHOST=... PGPORT=... PGUSER=... bench/erase_bench.sh
#   BENCH_OBJECTS  objects to record and erase (default 10000)
#   BENCH_ROUNDS   rounds (default 3); the median of each figure is reported
# Needs a superuser connection; creates and drops the database
# eventlog_erase_bench (BENCH_DB).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
db="${BENCH_DB:-eventlog_erase_bench}"
objects="${BENCH_OBJECTS:-10000}"
rounds="${BENCH_ROUNDS:-3}"
label=erase_bench
# shellcheck source=bench/lib.bash
source "$(dirname "$0")/lib.bash"
echo "command: $0; BENCH_OBJECTS=$objects BENCH_ROUNDS=$rounds"
report_build
report_server

ms() { q -At -c "\\timing on" -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$work/record"; : >"$work/erase"; : >"$work/verify_before"; : >"$work/verify_after"; : >"$work/events"
for (( r = 1; r <= rounds; r++ )); do
    q -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS eventlog CASCADE" -c "DROP TABLE IF EXISTS person" \
      -c "CREATE EXTENSION eventlog" \
      -c "CREATE TABLE person (id int PRIMARY KEY, name text, email text, city text)" \
      -c "SELECT eventlog_track('person', messages => '{\"update\": \"{new__name} <{new__email}> in {new__city}\"}')" >/dev/null
    t1=$(ms "INSERT INTO person SELECT g, 'Person ' || g, 'p' || g || '@example.org', 'Oslo' FROM generate_series(1, $objects) g")
    t2=$(ms "UPDATE person SET email = 'new.' || email")
    t3=$(ms "UPDATE person SET name = name || ' Jr.'")
    echo "$t1 $t2 $t3" | awk '{ print $1 + $2 + $3 }' >>"$work/record"
    q -c "SELECT * FROM eventlog_seal()" >/dev/null
    q1 "SELECT count(*) FROM eventlog" >>"$work/events"
    ms "SELECT * FROM eventlog_verify()" >>"$work/verify_before"
    ms "SELECT sum(eventlog_erase('public.person', g::text, '{name,email}')) FROM generate_series(1, $objects) g" >>"$work/erase"
    q -c "SELECT * FROM eventlog_seal()" >/dev/null
    ms "SELECT * FROM eventlog_verify()" >>"$work/verify_after"
    q1 "SELECT ok || ' ' || erased FROM eventlog_verify()" | grep -q "^true $(( 3 * objects ))$" ||
        { echo "erase_bench: verify failed or did not count every erased event: $(q1 "SELECT * FROM eventlog_verify()")" >&2; exit 1; }
done
record=$(median <"$work/record"); erase=$(median <"$work/erase")
before=$(median <"$work/verify_before"); after=$(median <"$work/verify_after"); events=$(median <"$work/events")
echo
echo "== results: $objects objects, $events events (3 per object), all sealed, then erased; median of $rounds"
awk -v o="$objects" -v n="$events" -v r="$record" -v e="$erase" -v b="$before" -v a="$after" 'BEGIN {
    printf "record (tracked INSERT + 2 UPDATEs)          %9.0f ms  %9.0f events/s\n", r, n / r * 1000
    printf "erase the events of %d objects %13.0f ms  %9.0f objects/s, %.0f events/s  (%.2f of the recording time)\n", o, e, o / e * 1000, n / e * 1000, e / r
    printf "eventlog_verify(), nothing erased            %9.0f ms  %9.0f events/s\n", b, n / b * 1000
    printf "eventlog_verify(), every event erased        %9.0f ms  %9.0f events/s  (%.2f of the time before; %.2f per event, %d erase events more)\n", a, (n + o) / a * 1000, a / b, (a / (n + o)) / (b / n), o }'
