#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests and benchmarks: created in a fresh temp dir, started
# on a free 127.0.0.1 port (and a unix socket in that dir), stopped and removed by `stop`.
#
#   eval "$(scripts/services/postgres.sh start [--durable] [--watch PID] [--pointer FILE])"
#       prints shell assignments: AIRBYTE_TS_TEST_PG_URL=postgres://airbyte:…@127.0.0.1:PORT/postgres
#       and AIRBYTE_TS_TEST_PG_DIR=DIR (what `stop` needs).
#   scripts/services/postgres.sh stop DIR
#
# The superuser `airbyte` gets a random password; TCP connections must give it (scram-sha-256),
# so tests can provoke a wrong password. Without --durable the cluster skips fsync (tests kill
# clients, never the server); the benchmark passes --durable to measure PostgreSQL as shipped.
# --watch PID stops the cluster once process PID is gone, even if it was killed (SIGKILL), so a
# test process that dies never leaves a server behind. --pointer FILE names a file (made by the
# caller, e.g. the test helper that shares one cluster between test files) that `stop` removes
# with the cluster. initdb refuses to run as root: as root the
# cluster belongs to the `postgres` user. PostgreSQL 15's initdb/pg_ctl must be on PATH (or in
# /usr/lib/postgresql/*/bin); scripts/setup.sh installs Debian's postgresql when they are missing.
set -euo pipefail

log() { printf '[postgres] %s\n' "$*" >&2; }

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
    return
  fi
  local candidate
  for candidate in /usr/lib/postgresql/*/bin/"$1"; do
    [ -x "$candidate" ] && echo "$candidate" && return
  done
  log "cannot find '$1': install PostgreSQL (Debian: apt-get install postgresql), or run scripts/setup.sh"
  exit 1
}

# Run a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local durable=0 watch="" pointer=""
  while [ $# -gt 0 ]; do
    case $1 in
      --durable) durable=1 ;;
      --watch)
        watch=$2
        shift
        ;;
      --pointer)
        pointer=$2
        shift
        ;;
      *)
        log "unknown option '$1'"
        exit 2
        ;;
    esac
    shift
  done
  local initdb pg_ctl
  initdb=$(find_bin initdb)
  pg_ctl=$(find_bin pg_ctl)
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/airbyte-ts-pg.XXXXXX")
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 24)
  (umask 077 && printf '%s\n' "$password" >"$dir/pwfile")
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/pwfile"
  if ! as_owner "$initdb" -D "$dir/data" -U airbyte --pwfile="$dir/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  rm -f "$dir/pwfile"
  local settings="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200"
  if [ "$durable" -eq 0 ]; then
    settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$pg_ctl" -D "$dir/data" -o "-p $port $settings" -w -t 60 -l "$dir/server.log" start \
      >/dev/null 2>&1; then
      break
    fi
    port=""
    log "start on port attempt $attempt failed; retrying"
  done
  if [ -z "$port" ]; then
    tail -n 20 "$dir/server.log" >&2 || true
    rm -rf "$dir"
    exit 1
  fi
  echo "$port" >"$dir/port"
  [ -n "$pointer" ] && printf '%s\n' "$pointer" >"$dir/pointer"
  if [ -n "$watch" ]; then
    # Detached from our stdout so `$(…)` returns at once; it outlives this script on purpose.
    nohup bash "${BASH_SOURCE[0]}" _watch "$watch" "$dir" >/dev/null 2>&1 &
  fi
  log "PostgreSQL $("$pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port (socket dir $dir)"
  printf "AIRBYTE_TS_TEST_PG_URL='postgres://airbyte:%s@127.0.0.1:%s/postgres'\n" "$password" "$port"
  printf "AIRBYTE_TS_TEST_PG_DIR='%s'\n" "$dir"
}

stop() {
  local dir=${1:?usage: postgres.sh stop DIR}
  case $dir in
    */airbyte-ts-pg.*) ;;
    *)
      log "refusing to remove '$dir': not a directory made by 'postgres.sh start'"
      exit 2
      ;;
  esac
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pointer" ]; then rm -f "$(cat "$dir/pointer")"; fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(find_bin pg_ctl)" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
      as_owner "$(find_bin pg_ctl)" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

watch() {
  local pid=$1 dir=$2
  while kill -0 "$pid" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
  stop "$dir"
}

case ${1:-} in
  start)
    shift
    start "$@"
    ;;
  stop)
    shift
    stop "$@"
    ;;
  _watch)
    shift
    watch "$@"
    ;;
  *)
    echo "usage: $0 start [--durable] [--watch PID] [--pointer FILE] | stop DIR" >&2
    exit 2
    ;;
esac
