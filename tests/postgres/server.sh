#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: `server.sh start DIR` creates a cluster in DIR (which
# must not exist), starts it listening only on a unix socket in DIR and prints its URL;
# `server.sh stop DIR` stops it and removes DIR. As root the server runs as `nobody`, since
# PostgreSQL refuses to run as root.
set -euo pipefail

find_bin() {
  if command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    echo "server.sh: PostgreSQL server programs (initdb, pg_ctl) not found; install the" \
      "Debian package 'postgresql' (scripts/install-deps does)" >&2
    exit 1
  fi
  echo "$dir"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
  else
    "$@"
  fi
}

cmd=${1:?usage: server.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: server.sh start|stop DIR}")
cd /  # the server's user may not be allowed into the caller's folder
bin=$(find_bin)

case "$cmd" in
  start)
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown nobody:nogroup "$dir"; fi
    if ! as_owner "$bin/initdb" -D "$dir/data" -U rebill --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1; then
      echo "server.sh: initdb failed:" >&2
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=on -c max_connections=60" \
      start >/dev/null 2>&1; then
      echo "server.sh: the PostgreSQL server did not start:" >&2
      cat "$dir/server.log" >&2
      exit 1
    fi
    # The socket directory must be reachable by the tests.
    chmod 755 "$dir"
    echo "postgresql://rebill@/postgres?host=$dir"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
