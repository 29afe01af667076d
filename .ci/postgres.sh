#!/usr/bin/env bash
# A throw-away PostgreSQL server from the installed binaries: trust auth, 127.0.0.1 only.
# .ci/run sources this when nothing answers on 127.0.0.1:5432; the fault tests run it directly
# on another port, to restart a server of their own (never the shared one):
#
#     .ci/postgres.sh start PORT DIR    # initdb into DIR/data, start, wait until it answers
#     .ci/postgres.sh stop DIR          # stop it (DIR is left for the caller to remove)
#     .ci/postgres.sh resume DIR        # start it again, data and port as they were
#
# initdb and postgres refuse to run as root: as root, they run as the user `postgres`
# (created if missing), which then owns DIR.
set -euo pipefail

pg_bin_dir() {
    local found
    found=$(command -v initdb 2>/dev/null || true)
    if [ -z "$found" ]; then  # Debian keeps them out of PATH, one folder per version
        found=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    fi
    [ -n "$found" ] || { echo "No PostgreSQL binaries (initdb) are installed." >&2; return 1; }
    dirname "$(readlink -f "$found")"
}

pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        # cd /: the postgres user may not be allowed into the caller's folder.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_start() {
    local port=$1 dir=$2 bin
    bin=$(pg_bin_dir)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$dir"
    fi
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
        --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    # In its configuration, not on pg_ctl's command line: a later start keeps the port.
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" \
        "$port" "$dir" | pg_as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    pg_resume "$dir"
}

pg_resume() {
    local dir=$1 bin
    bin=$(pg_bin_dir)
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null \
        || { cat "$dir/log" >&2; return 1; }
}

pg_stop() {
    local dir=$1 bin
    bin=$(pg_bin_dir)
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-}" in
        start) pg_start "$2" "$3" ;;
        stop) pg_stop "$2" ;;
        resume) pg_resume "$2" ;;
        *) echo "usage: $0 start PORT DIR | stop DIR | resume DIR" >&2; exit 2 ;;
    esac
fi
