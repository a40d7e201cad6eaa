# Sourced by the benchmarks (bench/lib.bash, bench/capture_bench.sh): what a
# PostgreSQL server has spent in CPU time, read from /proc.

# server_cpu_ticks DATA_DIRECTORY: the CPU time (user + system, in clock
# ticks, getconf CLK_TCK a second) the server of that data directory has
# used so far: the postmaster's own, that of its exited children (reaped by
# the postmaster: backends that have ended) and that of its live children.
# The difference over a run is what the server spent on it, whatever else
# the machine was doing. Prints nothing when /proc cannot tell (another
# machine, another user).
server_cpu_ticks() {
    local pm children
    pm=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) || return 0
    [[ -r /proc/$pm/stat ]] || return 0
    children=$(ps -o pid= --ppid "$pm" | tr -d ' ' | sed 's|.*|/proc/&/stat|')
    # (fields 14-17: utime, stime, cutime, cstime; a child may end meanwhile)
    # shellcheck disable=SC2086
    # (cat fails for a child that has ended: that is no failure here, and
    # under pipefail it would end the calling script)
    { cat "/proc/$pm/stat"; cat $children 2>/dev/null || true; } |
        awk -v pm="$pm" '{ sub(/^.*\) /, ""); t += $12 + $13; if (NR == 1) t += $14 + $15 } END { print t }'
}
