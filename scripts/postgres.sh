#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, never the system's own service.
#   scripts/postgres.sh start DIR [PORT]   initdb in DIR, start it on DIR's socket and 127.0.0.1:PORT,
#                                          create the database `credit`, print its URL
#   scripts/postgres.sh stop DIR           stop it (the directory is left for the caller to remove)
#   scripts/postgres.sh run CMD...         start one in a temporary directory, run CMD with
#                                          CREDIT_TEST_DATABASE_URL set, stop it and clean up
# initdb refuses root, so as root the cluster runs as the `postgres` account.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() {
  local dir=$1 port=${2:-$(free_port)}
  mkdir -p "$dir"; chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U credit --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h "$dir" -p "$port" -U credit credit
  echo "postgresql://credit@127.0.0.1:$port/credit"
}

stop() { as_owner "$bin/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 || true; }

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  run)
    shift
    dir=$(mktemp -d /tmp/credit-pg.XXXXXX)
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    url=$(start "$dir")
    CREDIT_TEST_DATABASE_URL=$url "$@" ;;
  *) echo "usage: scripts/postgres.sh start DIR [PORT] | stop DIR | run CMD..." >&2; exit 64 ;;
esac
