#!/usr/bin/env bash
# bench/seal_bench.sh — what tamper evidence costs: events sealed per second
# (eventlog_seal) and verified per second (eventlog_verify), against the
# time it took to record the same events (a tracked INSERT of N rows, one
# statement, then 10 UPDATE statements of N/10 rows each), in the same run.
#
# Usage: PGHOST=... PGPORT=... PGUSER=... bench/seal_bench.sh
#   BENCH_EVENTS  events to record, seal and verify (default 200000)
#   BENCH_ROUNDS  rounds (default 3); the median of each figure is reported
# Needs a superuser connection; creates and drops the database
# eventlog_seal_bench (BENCH_DB).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
db="${BENCH_DB:-eventlog_seal_bench}"
events="${BENCH_EVENTS:-200000}"
rounds="${BENCH_ROUNDS:-3}"
label=seal_bench
# shellcheck source=bench/lib.bash
source "$(dirname "$0")/lib.bash"
echo "command: $0; BENCH_EVENTS=$events BENCH_ROUNDS=$rounds"
report_build
report_server
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION eventlog"

ms() { q -At -c "\\timing on" -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$work/record"; : >"$work/seal"; : >"$work/verify"
for (( r = 1; r <= rounds; r++ )); do
    n=$(( events / 2 ))
    q -c "DROP TABLE IF EXISTS item" -c "CREATE TABLE item (id int PRIMARY KEY, name text, qty int, note text)" \
      -c "SELECT eventlog_track('item')" >/dev/null
    t1=$(ms "INSERT INTO item SELECT g, 'item ' || g, g % 100, 'a note of some length for item ' || g FROM generate_series(1, $n) g")
    t2=$(ms "UPDATE item SET qty = qty + 1")
    echo "$t1 $t2" | awk '{ print $1 + $2 }' >>"$work/record"
    ms "SELECT * FROM eventlog_seal()" >>"$work/seal"
    ms "SELECT * FROM eventlog_verify(from_id => (SELECT min(id) FROM eventlog WHERE object_type = 'public.item'))" >>"$work/verify"
    q -At -c "SELECT ok, checked FROM eventlog_verify(from_id => (SELECT max(id) - 10 FROM eventlog))" | grep -q '^t|' ||
        { echo "seal_bench: verify failed" >&2; exit 1; }
    # next round seals only its own events: purge nothing, just go on
done
record=$(median <"$work/record"); seal=$(median <"$work/seal"); verify=$(median <"$work/verify")
echo
echo "== results: $events events per round (a tracked INSERT of $((events / 2)) rows and an UPDATE of them), median of $rounds"
awk -v n="$events" -v r="$record" -v s="$seal" -v v="$verify" 'BEGIN {
    printf "record (tracked INSERT + UPDATE)  %9.0f ms  %9.0f events/s\n", r, n / r * 1000
    printf "eventlog_seal()                   %9.0f ms  %9.0f events/s  (%.2f of the recording time)\n", s, n / s * 1000, s / r
    printf "eventlog_verify()                 %9.0f ms  %9.0f events/s  (%.2f of the recording time)\n", v, n / v * 1000, v / r }'
