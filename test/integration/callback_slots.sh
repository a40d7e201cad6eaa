#!/usr/bin/env bash
# How many of a backend's cache invalidation callback slots the library
# takes: exactly one relcache callback (PostgreSQL has 10 slots per backend,
# shared with PostgreSQL itself and every other library: Citus takes most)
# and one syscache callback per syscache id it depends on (those of
# src/pg/cache_invalidation.cpp's list: pg_authid and pg_auth_members). PostgreSQL cannot list the callbacks, so the test fills
# the slots itself: a test-only library, built here from the C below,
# registers as many do-nothing callbacks as its settings say when it is
# LOADed. In a fresh backend, after a warm-up that makes PostgreSQL register
# what it registers on first use:
#   1. the filler alone finds F, the most callbacks that still fit (F + 1
#      ends the backend: FATAL "out of relcache_callback_list slots");
#   2. the filler with F - 1, then LOAD 'eventlog': the backend lives, so
#      eventlog took at most one slot;
#   3. the same, then a second filler with 1 more: FATAL, so eventlog took
#      at least one.
# The same for syscache callbacks (F - N and N, N the number of syscache
# ids). A cache that registers a
# callback of its own instead of going through src/pg/cache_invalidation.cpp
# makes step 2 fail.
source "$(dirname "$0")/lib.bash"

db=eventlog_callback_slots
fresh_db "$db"
sql "$db" "CREATE EXTENSION IF NOT EXISTS eventlog" >/dev/null

# The filler: readable by the server's user.
lib=$(mktemp -d /tmp/eventlog-callback-slots.XXXXXX)
trap 'rm -rf "$lib"' EXIT
chmod 755 "$lib"
cat >"$lib/slot_filler.c" <<'EOF'
/* Registers slot_filler_X.relcache relcache and slot_filler_X.syscache
   syscache callbacks that do nothing (X: FILLER, set when compiling). */
#include "postgres.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

void _PG_init(void);

static int relcache_callbacks = 0;
static int syscache_callbacks = 0;

static void relcache_nothing(Datum arg, Oid relation) {}

/* The cache id's type changed (int, then an enum in 19); the callback
   ignores it, and an enum is passed as an int. */
static void syscache_nothing(Datum arg, int cache, uint32 hash) {}

void _PG_init(void) {
    DefineCustomIntVariable(FILLER ".relcache", "relcache callbacks to register", NULL, &relcache_callbacks, 0, 0,
                            1000, PGC_USERSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable(FILLER ".syscache", "syscache callbacks to register", NULL, &syscache_callbacks, 0, 0,
                            1000, PGC_USERSET, 0, NULL, NULL, NULL);
    for (int i = 0; i < relcache_callbacks; i++) CacheRegisterRelcacheCallback(relcache_nothing, (Datum) 0);
    for (int i = 0; i < syscache_callbacks; i++)
        CacheRegisterSyscacheCallback(TYPEOID, (SyscacheCallbackFunction) syscache_nothing, (Datum) 0);
}
EOF
cc=$(pg_config --cc)
for x in a b; do
    $cc -fPIC -shared -O1 -Wall -DFILLER="\"slot_filler_$x\"" -I"$(pg_config --includedir-server)" \
        -o "$lib/slot_filler_$x.so" "$lib/slot_filler.c" || { check "the filler library builds ($cc)" 0 1; finish; }
done

# What PostgreSQL registers on first use (the type cache's relcache
# callback, for one), done before the slots are counted, so that the count
# is the same whatever runs after it. Nothing of eventlog: its library is
# not loaded by this.
warm_up="SELECT string_agg(x::text, ',' ORDER BY x), jsonb_agg(x ORDER BY x DESC) FROM generate_series(1, 3) x \\g /dev/null"

# probe KIND A EVENTLOG B: in a fresh backend, filler a with A callbacks of
# KIND (relcache or syscache), LOAD 'eventlog' when EVENTLOG is 1, filler b
# with B; prints "alive" when the backend lived through it, "out of slots"
# when it ended with PostgreSQL's FATAL for KIND, else what went wrong.
probe() {
    local kind=$1 a=$2 with=$3 b=$4 out
    out=$(psql -X -q -At -d "$db" 2>&1 <<EOF
$warm_up
SET slot_filler_a.$kind = $a;
LOAD '$lib/slot_filler_a.so';
$([ "$with" = 1 ] && echo "LOAD 'eventlog';")
SET slot_filler_b.$kind = $b;
LOAD '$lib/slot_filler_b.so';
SELECT 'alive';
EOF
    )
    if [ "$out" = alive ]; then
        echo alive
    elif grep -q "FATAL: *out of ${kind}_callback_list slots" <<<"$out"; then
        echo "out of slots"
    else
        echo "unexpected: $(tr '\n' ' ' <<<"$out")"
    fi
}

# free_slots KIND MAX: the most callbacks of KIND the filler alone can
# register in a fresh backend (-1: not even 0, or no limit below MAX).
free_slots() {
    local kind=$1 max=$2 n=0 r
    while [ "$n" -le "$max" ]; do
        r=$(probe "$kind" "$n" 0 0)
        if [ "$r" = "out of slots" ]; then
            echo $((n - 1))
            return
        fi
        [ "$r" = alive ] || { echo "-1 ($r)"; return; }
        n=$((n + 1))
    done
    echo -1
}

# the library's share of KIND's slots is exactly TAKES
takes_exactly() {
    local kind=$1 max=$2 takes=$3 free
    free=$(free_slots "$kind" "$max")
    echo "      $kind callback slots free in a fresh backend after the warm-up: $free"
    check "$kind: the filler finds the slots' limit (at least $takes free)" yes "$([[ $free =~ ^[0-9]+$ ]] && [ "$free" -ge "$takes" ] && echo yes || echo "no: $free")"
    [[ $free =~ ^[0-9]+$ ]] && [ "$free" -ge "$takes" ] || return
    check "$kind: the filler with $((free - takes)), then LOAD 'eventlog': the backend lives (eventlog takes at most $takes)" \
        alive "$(probe "$kind" $((free - takes)) 1 0)"
    check "$kind: ... then a second filler with 1 more: out of ${kind}_callback_list slots (eventlog takes at least $takes)" \
        "out of slots" "$(probe "$kind" $((free - takes)) 1 1)"
}

# one syscache callback per syscache id of cache_invalidation.cpp's list
root=$(cd "$(dirname "$0")/../.." && pwd)
syscache_ids=$(awk '/syscache_caches\[\] = \{/ { on = 1; next } on && /^};/ { exit }
    on && match($0, /^ *\{[A-Z_]+,/) { print substr($0, RSTART, RLENGTH) }' "$root/src/pg/cache_invalidation.cpp" |
    tr -d ' {,' | sort -u | wc -l)
echo "      syscache ids in src/pg/cache_invalidation.cpp: $syscache_ids"

takes_exactly relcache 64 1
takes_exactly syscache 256 "$syscache_ids"

# eventlog still works in a backend where it took the last relcache slot.
relcache_free=$(free_slots relcache 64)
[[ $relcache_free =~ ^[0-9]+$ ]] || relcache_free=1
out=$(psql -X -q -At -d "$db" 2>&1 <<EOF
$warm_up
SET slot_filler_a.relcache = $((relcache_free - 1));
LOAD '$lib/slot_filler_a.so';
CREATE TABLE slot_items (id int PRIMARY KEY, name text);
SELECT eventlog_track('slot_items');
INSERT INTO slot_items VALUES (1, 'a');
UPDATE slot_items SET name = 'b';
SELECT string_agg(action, ',' ORDER BY id) FROM eventlog WHERE object_table = 'slot_items'::regclass;
EOF
)
check "tracking works in a backend whose relcache slots are all taken" "$(printf '\ncreate,update')" "$out"

sql postgres "DROP DATABASE $db" >/dev/null
finish
