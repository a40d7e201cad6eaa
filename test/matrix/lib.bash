# shellcheck shell=bash disable=SC2154 # work, cache, mirror, ... are set by the caller
# Debian chroots for the tests that run on other PostgreSQL majors or on
# the built packages (test/matrix/run, test/packages/run): made with
# mmdebstrap from the host's own archive, packed into a cache and unpacked
# from it, mounted, entered, and cleaned up. Sourced; the caller sets:
#   work        its work directory (every chroot lives below it; nothing
#               outside it is ever unmounted or removed)
#   cache       directory of packed chroots (empty: no cache)
#   cache_days  a packed chroot older than this is made anew
#   mirror      Debian archive to make the chroots from (host_mirror)
#   port        port of the throw-away clusters inside the chroots
#   pghost      their socket directory, as seen inside the chroot
# and may set the array mounted_dirs (chroots mount_chroot mounted).
#
# Two kinds of chroot, each for PostgreSQL VERSION in the suite that ships
# it (suite_for; "sid+experimental": sid with the experimental suite added,
# the VERSION's server packages and Django taken from experimental):
#   dev     the server, its development files, g++, make, nlohmann-json3-dev,
#           Debian's tools for building extension packages (build-essential,
#           debhelper, postgresql-all: pg_buildext, dh --with pgxs), Django
#           and friends
#   server  the server alone (what a machine that installs the package has)
# The packed chroots are named SUITE-pgVERSION-KIND-KEY.tar.zst, KEY a hash
# of the whole recipe (suite, mirror, packages, options): a change of any
# makes a new one, and test/matrix/run and test/packages/run share the dev
# chroots.

[ -n "${mounted_dirs+set}" ] || mounted_dirs=()

# The host's archive (the one this machine's apt uses for its main suite).
host_mirror() {
    apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
        awk '$2 !~ /-security|-updates|-backports/ { sub(/\/$/, "", $1); print $1; exit }'
}

# suite_for VERSION: the Debian suite that ships PostgreSQL VERSION
# (EVENTLOG_MATRIX_SUITE_<VERSION> overrides). SUITE+EXTRA (sid+experimental)
# is SUITE with the suite EXTRA added to its sources: apt installs from
# EXTRA only what is named pkg/EXTRA (see packages_for; experimental's
# packages have pin priority 1, so nothing else comes from it).
suite_for() {
    local var=EVENTLOG_MATRIX_SUITE_$1
    if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
    case $1 in
    15) echo bookworm ;;
    17) echo trixie ;;
    18) echo forky ;;
    # release candidates: in experimental, beside sid's 18
    19) echo sid+experimental ;;
    *) return 1 ;;
    esac
}

# base_suite SUITE, extra_suite SUITE: sid and experimental of sid+experimental.
base_suite() { echo "${1%%+*}"; }
extra_suite() { [[ $1 == *+* ]] && echo "${1#*+}"; return 0; }

# mirrors_for SUITE: mmdebstrap's mirror arguments: the archive for a plain
# suite, a sources line per suite for SUITE+EXTRA.
mirrors_for() {
    local extra
    extra=$(extra_suite "$1")
    if [ -z "$extra" ]; then
        echo "$mirror"
    else
        echo "deb $mirror $(base_suite "$1") main"
        echo "deb $mirror $extra main"
    fi
}

now() { date +%s; }

# packages_for VERSION SUITE [KIND]. The Django adapter's test (django.sh)
# needs Debian's Django and friends; clients/django works with the Django of
# bookworm (3.2), trixie (4.2) and forky (5.2), so every suite gets them;
# sid+experimental gets experimental's Django (6.1), sid's DRF (3.18),
# django-filter (25) and psycopg 3 besides psycopg2.
django_packages="python3-django python3-djangorestframework python3-django-filters python3-psycopg2 python3-pytest-django"
# What debian/control's Build-Depends name, and build-essential, which
# dpkg-buildpackage also requires. postgresql-all and postgresql-server-dev-all
# bring the server and development files of the suite's default PostgreSQL
# only (15 in bookworm, 17 in trixie, 18 in forky), the VERSION of suite_for.
packaging_packages="build-essential debhelper postgresql-all postgresql-server-dev-all"
# From SUITE+EXTRA: the server, its development files and the libpq they
# need (apt takes from EXTRA only what is named pkg/EXTRA, not the
# dependencies).
packages_for() {
    local x pg dev django=$django_packages
    x=$(extra_suite "$2")
    if [ -z "$x" ]; then
        pg="postgresql-$1"
        dev="postgresql-server-dev-$1"
    else
        pg="postgresql-$1/$x libpq5/$x"
        dev="postgresql-server-dev-$1/$x libpq-dev/$x"
        django="python3-django/$x ${django#python3-django } python3-psycopg"
    fi
    case ${3:-dev} in
    server) echo "$pg"; return ;;
    esac
    echo "$pg $dev g++ make nlohmann-json3-dev $packaging_packages $django"
}

# The whole recipe of a chroot; its hash names the cache file, so a change
# here (packages, options) makes a new one.
recipe_for() {
    local v=$1 suite=$2 kind=${3:-dev}
    cat <<EOF
suite=$suite mirror=$mirror packages=$(packages_for "$v" "$suite" "$kind")
--variant=minbase --mode=root
--aptopt=Acquire::Check-Valid-Until "false"
--dpkgopt=force-unsafe-io
--dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/doc/* --dpkgopt=path-include=/usr/share/doc/*/copyright --dpkgopt=path-exclude=/usr/share/locale/*
essential-hook: policy-rc.d exit 101; createcluster.conf create_main_cluster = false
EOF
    # (only for SUITE+EXTRA, so that the plain suites' keys stay as they were)
    [ -z "$(extra_suite "$suite")" ] || echo "sources: $(mirrors_for "$suite" | tr '\n' ';')"
}

# umount_under DIR: unmounts everything mounted at or below DIR, deepest first.
umount_under() {
    local m
    case $1 in "$work"/?*) ;; *) echo "umount_under: $1 is not below $work" >&2; return 1 ;; esac
    findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d "/") == 1 || $0 == d' | sort -r | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}

# remove_dir DIR: rm -rf, but never across a mount point.
remove_dir() {
    [ -e "$1" ] || return 0
    case $1 in "$work"/?*) ;; *) echo "remove_dir: $1 is not below $work" >&2; return 1 ;; esac
    umount_under "$1"
    if findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d "/") == 1 { found = 1 } END { exit !found }'; then
        echo "still mounted below $1; not removing it" >&2
        return 1
    fi
    rm -rf --one-file-system "$1"
}

# make_chroot VERSION DIR [KIND]: DIR (below $work, made anew) with the
# packages of packages_for, from the cache when a fresh enough packed one is
# there. One process at a time makes or packs a given kind of chroot (a lock
# file in the cache, held by a subshell): another waits, then unpacks what
# the first packed.
make_chroot() {
    local v=$1 dir=$2 kind=${3:-dev} suite
    suite=$(suite_for "$v") || {
        echo "no Debian suite known to ship PostgreSQL $v (none of bookworm, trixie, forky, sid, experimental and the backports has postgresql-16; set EVENTLOG_MATRIX_SUITE_$v to try one)"
        return 1
    }
    remove_dir "$dir" || return 1
    mkdir -p "$(dirname "$dir")"
    if [ -z "$cache" ]; then
        make_chroot_locked "$v" "$dir" "$kind" "$suite"
        return
    fi
    mkdir -p "$cache" || return 1
    (
        exec 8>"$cache/$suite-pg$v-$kind.lock"
        if ! flock -n 8; then
            echo "another run is making or packing the $kind chroot for $v; waiting for it"
            flock 8
        fi
        make_chroot_locked "$v" "$dir" "$kind" "$suite"
    )
}

make_chroot_locked() {
    local v=$1 dir=$2 kind=$3 suite=$4 key packed t0 f
    key=$(recipe_for "$v" "$suite" "$kind" | sha256sum | cut -c1-12)
    packed=${cache:+$cache/$suite-pg$v-$kind-$key.tar.zst}
    t0=$(now)
    if [ -n "$packed" ] && [ -f "$packed" ] && [ -n "$(find "$packed" -mtime -"$cache_days")" ]; then
        echo "unpacking $packed (made $(date -r "$packed" '+%F %R'))"
        mkdir -p "$dir"
        if zstd -q -dc "$packed" | tar -C "$dir" --numeric-owner -xf -; then
            echo "chroot from cache in $(($(now) - t0)) s"
            cat "$packed.versions" 2>/dev/null
            return 0
        fi
        echo "unpacking failed; making the chroot anew"
        remove_dir "$dir" || return 1
    fi
    echo "mmdebstrap $suite for PostgreSQL $v ($kind: $(packages_for "$v" "$suite" "$kind"))"
    local mirrors
    mapfile -t mirrors < <(mirrors_for "$suite")
    # The essential hook runs before the packages are installed: no service
    # started by package scripts, no default cluster created by postgresql-common.
    if ! mmdebstrap --variant=minbase --mode=root --quiet \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --dpkgopt=force-unsafe-io \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --essential-hook='printf "#!/bin/sh\nexit 101\n" >"$1/usr/sbin/policy-rc.d" && chmod 755 "$1/usr/sbin/policy-rc.d" && mkdir -p "$1/etc/postgresql-common" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.conf"' \
        --include="$(packages_for "$v" "$suite" "$kind" | tr ' ' ,)" \
        "$(base_suite "$suite")" "$dir" "${mirrors[@]}"; then
        echo "mmdebstrap failed"
        return 1
    fi
    [ -x "$dir/usr/lib/postgresql/$v/bin/postgres" ] || { echo "no PostgreSQL $v server in the chroot"; return 1; }
    if [ "$kind" = dev ] && [ ! -x "$dir/usr/lib/postgresql/$v/bin/pg_config" ]; then
        echo "no pg_config for $v in the chroot"
        return 1
    fi
    echo "chroot made in $(($(now) - t0)) s"
    # shellcheck disable=SC2046 # one word per package
    chroot "$dir" dpkg-query -W -f='${Package} ${Version}\n' $(packages_for "$v" "$suite" "$kind" | sed 's|/[a-z]*||g') >"$dir/.versions" 2>/dev/null
    cat "$dir/.versions"
    [ -n "$packed" ] || return 0
    t0=$(now)
    rm -f "$cache/$suite-pg$v-$kind-"*.tar.zst*
    # Packed chroots named before there were kinds (SUITE-pgVERSION-KEY), once expired.
    for f in "$cache/$suite-pg$v-"*; do
        [[ ${f##*/} =~ ^$suite-pg$v-[0-9a-f]{12}\.tar\.zst ]] && [ -n "$(find "$f" -mtime +"$cache_days")" ] && rm -f "$f"
    done
    if tar -C "$dir" --numeric-owner -cf - . | zstd -q -T0 -3 -o "$packed.tmp.$$"; then
        mv "$packed.tmp.$$" "$packed"
        cp "$dir/.versions" "$packed.versions"
        echo "packed into $packed ($(du -h "$packed" | cut -f1)) in $(($(now) - t0)) s"
    else
        rm -f "$packed.tmp.$$"
        echo "packing into $cache failed (the cache is only an optimisation)"
    fi
    return 0
}

# --- inside a chroot -------------------------------------------------------

mount_chroot() {
    local dir=$1
    mount -t proc proc "$dir/proc" || return 1
    mounted_dirs+=("$dir")
    mount -t tmpfs -o mode=1777,size=1g tmpfs "$dir/dev/shm" || return 1
}

# forget_mounted DIR: DIR is no longer mounted (release_chroot was called).
forget_mounted() {
    local d rest=()
    for d in ${mounted_dirs[@]+"${mounted_dirs[@]}"}; do [ "$d" = "$1" ] || rest+=("$d"); done
    mounted_dirs=(${rest[@]+"${rest[@]}"})
}

# kill_in DIR: ends the processes whose root is DIR (the servers and tests
# this script started there), by pid.
kill_in() {
    local dir=$1 p pids=()
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$dir" ] && pids+=("${p#/proc/}")
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    kill "${pids[@]}" 2>/dev/null
    sleep 2
    kill -9 "${pids[@]}" 2>/dev/null
    return 0
}

# release_chroot DIR VERSION: stops every cluster still running in the
# chroot (the tests' own included), ends what is left there, unmounts.
release_chroot() {
    local dir=$1 v=$2 d
    if [ -d "$dir/proc/self" ]; then
        for d in "$dir"/tmp/*/data "$dir"/tmp/*/*/data; do
            [ -f "$d/postmaster.pid" ] || continue
            in_chroot "$dir" "$v" runuser -u postgres -- "/usr/lib/postgresql/$v/bin/pg_ctl" -D "${d#"$dir"}" -m immediate -w stop >/dev/null 2>&1
        done
    fi
    kill_in "$dir"
    umount_under "$dir"
}

# in_chroot DIR VERSION CMD...: CMD in the chroot with a clean environment:
# VERSION's binaries first in PATH, PG_CONFIG and PG_BINDIR set, libpq aimed
# at the throw-away cluster ($pghost, $port), and the caller's EVENTLOG_*
# variables (those of the chroot scripts themselves excepted).
in_chroot() {
    local dir=$1 v=$2
    shift 2
    local env=(HOME=/root LANG=C.UTF-8 TERM=dumb
        "PATH=/usr/lib/postgresql/$v/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        "PG_CONFIG=/usr/lib/postgresql/$v/bin/pg_config" "PG_BINDIR=/usr/lib/postgresql/$v/bin"
        "PGHOST=$pghost" "PGPORT=$port" PGUSER=postgres PGDATABASE=postgres)
    local name
    for name in $(compgen -e); do
        [[ $name == EVENTLOG_* && $name != EVENTLOG_MATRIX_* && $name != EVENTLOG_PACKAGES_* ]] && env+=("$name=${!name}")
    done
    chroot "$dir" /usr/bin/env -i "${env[@]}" "$@"
}

# fg_wait CMD...: CMD in the background, waited for. Bash runs a trap (for a
# TERM from a CI timeout, say) only between commands, and a wait is one: the
# cleanup then ends what runs in the chroot at once.
fg_wait() {
    "$@" &
    wait $!
}
