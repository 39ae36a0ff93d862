#!/usr/bin/env bash
# A private podman Engine API service (the Docker-compatible HTTP API) for the tests.
#
#   podman.sh start [DIR]   start `podman system service` on DIR/podman.sock (DIR: a fresh temp dir
#                           when omitted), wait until it answers, print its address (unix://...)
#   podman.sh stop DIR      stop the service started in DIR and remove DIR
#   podman.sh exec ARGS...  run the podman CLI against the same storage (image import/load)
#   podman.sh env           print the environment every podman call here uses
#   podman.sh leftovers ADDRESS
#                           fail (listing them) if the engine at unix://... holds any container
#
# Everything is kept apart from any system podman: our own containers.conf (runc, no network by
# default, the rlimits this kernel accepts; crun fails on this kernel's cgroups), our own storage
# under ~/.cache/airbyte-ts/podman (images survive between runs), and run state under /run.
set -euo pipefail

CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/airbyte-ts"
PODMAN_HOME="${AIRBYTE_TS_PODMAN_HOME:-$CACHE_HOME/podman}"
RUN_DIR="${AIRBYTE_TS_PODMAN_RUN:-/run/airbyte-ts-podman}"

log() { printf '[podman] %s\n' "$*" >&2; }

configure() {
  mkdir -p "$PODMAN_HOME" "$RUN_DIR"
  cat >"$PODMAN_HOME/containers.conf.new" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$RUN_DIR/libpod"
CONF
  cat >"$PODMAN_HOME/storage.conf.new" <<CONF
[storage]
driver = "overlay"
graphroot = "$PODMAN_HOME/storage"
runroot = "$RUN_DIR/storage"
CONF
  mv "$PODMAN_HOME/containers.conf.new" "$PODMAN_HOME/containers.conf"
  mv "$PODMAN_HOME/storage.conf.new" "$PODMAN_HOME/storage.conf"
  export CONTAINERS_CONF="$PODMAN_HOME/containers.conf"
  export CONTAINERS_STORAGE_CONF="$PODMAN_HOME/storage.conf"
}

require_podman() {
  command -v podman >/dev/null && command -v runc >/dev/null || {
    log "podman and runc are missing: run scripts/setup.sh (apt-get install podman runc)"
    exit 1
  }
}

ping() { curl -sf --max-time 2 --unix-socket "$1" http://d/_ping >/dev/null 2>&1; }

start() {
  require_podman
  configure
  local dir=${1:-}
  if [ -z "$dir" ]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/airbyte-ts-podman.XXXXXX"); fi
  mkdir -p "$dir"
  chmod 700 "$dir"
  local sock="$dir/podman.sock"
  # setsid: the service leads its own session, so a terminal's Ctrl-C reaches the test run, and
  # the run's stop (not the signal) ends the service.
  # Run from the service's own directory: conmon drops files such as `oom` (a container killed
  # at its memory limit) into its working directory, which would otherwise be the caller's.
  (cd "$dir" && exec setsid podman system service --time=0 "unix://$sock" >"$dir/service.log" 2>&1 </dev/null) &
  echo $! >"$dir/podman.pid"
  local waited=0
  until ping "$sock"; do
    if ! kill -0 "$(cat "$dir/podman.pid")" 2>/dev/null; then
      log "podman system service exited; its log:"
      sed 's/^/  /' "$dir/service.log" >&2
      exit 1
    fi
    waited=$((waited + 1))
    if [ "$waited" -gt 300 ]; then
      log "podman system service did not answer on $sock within 30 s"
      stop "$dir"
      exit 1
    fi
    sleep 0.1
  done
  echo "unix://$sock"
}

stop() {
  local dir=${1:?usage: podman.sh stop DIR}
  if [ -f "$dir/podman.pid" ]; then
    local pid
    pid=$(cat "$dir/podman.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

leftovers() {
  local address=${1:?usage: podman.sh leftovers unix:///path/podman.sock}
  local listing
  listing=$(curl -sf --max-time 30 --unix-socket "${address#unix://}" 'http://d/v1.41/containers/json?all=1') || {
    log "cannot list containers at $address"
    exit 1
  }
  if [ "$listing" != "[]" ]; then
    echo "containers left over at $address:"
    echo "$listing"
    exit 1
  fi
  echo "no container left over at $address (GET /containers/json?all=1 lists none)"
}

case "${1:-}" in
start) start "${2:-}" ;;
leftovers) leftovers "${2:-}" ;;
stop) stop "${2:-}" ;;
exec)
  shift
  require_podman
  configure
  exec podman "$@"
  ;;
env)
  configure
  echo "CONTAINERS_CONF=$CONTAINERS_CONF"
  echo "CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
  ;;
*)
  echo "usage: $0 start [DIR] | stop DIR | exec PODMAN-ARGS... | env | leftovers ADDRESS" >&2
  exit 2
  ;;
esac
