#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `start` makes a cluster in a temporary folder, listens on 127.0.0.1
# (port PGTEST_PORT, 54329 by default) with trust authentication, makes user atelier and database atelier_test, and
# prints `export ATELIER_TEST_POSTGRES=postgresql://atelier@127.0.0.1:54329/atelier_test` (eval it); `stop` stops it
# and removes the folder. The folder is remembered in ${PGTEST_STATE:-/tmp/atelier-postgres-test}.
set -euo pipefail
port="${PGTEST_PORT:-54329}"
state="${PGTEST_STATE:-/tmp/atelier-postgres-test}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  bin=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
fi
[ -x "$bin/initdb" ] || { echo "No PostgreSQL server binaries (initdb): install Debian's postgresql (apt-get install -y postgresql)." >&2; exit 1; }

# PostgreSQL refuses to run as root: run its commands as the postgres user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ -f "$state" ] && [ -d "$(cat "$state")" ]; then "$0" stop >/dev/null 2>&1 || true; fi
    dir=$(mktemp -d /tmp/atelier-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
      chown postgres "$dir"
    fi
    chmod 700 "$dir"
    echo "$dir" > "$state"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      -l "$dir/log" start -w >/dev/null || { cat "$dir/log" >&2; exit 1; }
    as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE USER atelier" -c "CREATE DATABASE atelier_test OWNER atelier" >/dev/null
    echo "export ATELIER_TEST_POSTGRES=postgresql://atelier@127.0.0.1:$port/atelier_test"
    ;;
  stop)
    [ -f "$state" ] || exit 0
    dir=$(cat "$state")
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null 2>&1 || true; fi
    case "$dir" in /tmp/atelier-pg.*) rm -rf "$dir" ;; esac
    rm -f "$state"
    ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
