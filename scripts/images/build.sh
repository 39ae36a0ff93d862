#!/usr/bin/env bash
# Real Airbyte connector images for the Docker executor's tests and benchmark, built without any
# image registry (none is reachable here): a Debian root filesystem from Debian's own mirror
# (debootstrap, minbase) with python3, then a connector pip-installed from PyPI into a venv, then
# `podman import` with Airbyte's image conventions: working dir /airbyte, AIRBYTE_ENTRYPOINT and a
# matching ENTRYPOINT, the non-root user `airbyte` (uid 1000).
#
#   build.sh ensure   make sure every image below is in podman's storage with its current inputs:
#                     already there -> nothing; tarball cached -> import (seconds); else build
#   build.sh list     print each image's tag and input key
#
# Images (tag: contents):
#   localhost/airbyte-ts/source-faker:7.2.1       airbyte-source-faker==7.2.1 (PyPI)
#   localhost/airbyte-ts/destination-jsonl:0.1.0  tests/fixtures/destination_jsonl (airbyte-cdk)
#   localhost/airbyte-ts/fixtures:dev             python3 + tests/fixtures/connectors/*.py and
#                                                 bench/replay_source.py under /airbyte/connectors
#                                                 (stdlib-only scripts; entrypoint source-replay)
#
# Root filesystem tarballs are cached in ~/.cache/airbyte-ts/images/, named by a hash of their
# inputs (this script, the package lists, the pip requirement or the fixture files), so a second
# run only imports them. The Debian base is built once and shared by all images. Bump RECIPE when
# a change to this script changes what ends up in an image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT_DIR=$PWD

CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/airbyte-ts"
IMAGES_DIR="$CACHE_HOME/images"
PODMAN=(bash "$ROOT_DIR/scripts/services/podman.sh" exec)
SUITE=bookworm
MIRROR="${AIRBYTE_TS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_PACKAGES="python3,python3-venv,ca-certificates"
LABEL=io.airbyte-ts.inputs

log() { printf '[images] %s\n' "$*" >&2; }
hash_text() { sha256sum | cut -c1-16; }
hash_files() { (cd "$ROOT_DIR" && find "$@" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 |
  sort -z | xargs -0 sha256sum) | hash_text; }

RECIPE=1
BASE_KEY=$(printf '%s %s %s' "$RECIPE" "$SUITE" "$BASE_PACKAGES" | hash_text)
FAKER_REQ="airbyte-source-faker==7.2.1"
FAKER_KEY=$(printf '%s %s' "$BASE_KEY" "$FAKER_REQ" | hash_text)
DEST_KEY=$(printf '%s %s' "$BASE_KEY" "$(hash_files tests/fixtures/destination_jsonl)" | hash_text)
FIXTURES_KEY=$(printf '%s %s' "$BASE_KEY" \
  "$(hash_files tests/fixtures/connectors bench/replay_source.py)" | hash_text)

# --- root filesystems ---------------------------------------------------------------------------

# Mounts made for a chroot are undone, and unfinished build directories removed, on any exit.
MOUNTS=()
WORKDIRS=()
cleanup_mounts() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
  MOUNTS=()
}
on_exit() {
  cleanup_mounts
  local dir
  for dir in "${WORKDIRS[@]}"; do [ -d "$dir" ] && remove_tree "$dir"; done
  return 0
}
trap on_exit EXIT

# A fresh build directory under the cache (same file system as the tarballs), in $WORKDIR.
workdir() {
  WORKDIR=$(mktemp -d "$IMAGES_DIR/$1.XXXXXX")
  WORKDIRS+=("$WORKDIR")
}

# The chroot gets /proc (pip and Python want it) and the host's DNS settings; /dev keeps the
# device nodes debootstrap made (no bind mount of the host's /dev that a cleanup could reach).
chroot_prepare() {
  local dir=$1
  mount -t proc proc "$dir/proc" && MOUNTS+=("$dir/proc")
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
}

# Remove a build directory, never while something is still mounted inside it.
remove_tree() {
  local dir=$1
  if grep -q " $dir/" /proc/mounts; then
    log "not removing $dir: something is still mounted in it"
    return 1
  fi
  rm -rf "$dir"
}

# Smaller images: no docs, manuals, locales, package lists or caches.
slim_rootfs() {
  local dir=$1
  rm -rf "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* \
    "$dir"/usr/share/locale/* "$dir"/var/cache/apt/* "$dir"/var/lib/apt/lists/* \
    "$dir"/var/cache/debconf/*-old "$dir"/var/log/*.log "$dir"/root/.cache "$dir"/tmp/*
  : >"$dir/etc/resolv.conf"
}

pack_rootfs() {
  local dir=$1 out=$2
  tar --numeric-owner --xattrs -C "$dir" -cf "$out.partial" .
  mv "$out.partial" "$out"
}

build_base() {
  local out="$IMAGES_DIR/base-$BASE_KEY.tar"
  [ -f "$out" ] && return 0
  command -v debootstrap >/dev/null || {
    log "debootstrap is missing: run scripts/setup.sh"
    exit 1
  }
  local dir
  workdir base
  dir=$WORKDIR
  log "debootstrap $SUITE (minbase + $BASE_PACKAGES) from $MIRROR"
  local started=$SECONDS
  debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$dir" "$MIRROR" >"$dir.log" 2>&1 || {
    tail -n 20 "$dir.log" >&2
    exit 1
  }
  chroot "$dir" /usr/sbin/useradd --uid 1000 --user-group --create-home --shell /bin/sh airbyte
  mkdir -p "$dir/airbyte"
  chown 1000:1000 "$dir/airbyte"
  chmod 755 "$dir/airbyte"
  slim_rootfs "$dir"
  pack_rootfs "$dir" "$out"
  remove_tree "$dir" && rm -f "$dir.log"
  log "base root filesystem built in $((SECONDS - started)) s: $(du -h "$out" | cut -f1)"
}

# build_venv_image OUT INSTALL-SOURCE-DIR PIP-ARGS...: the base plus a venv at /airbyte/venv.
build_venv_rootfs() {
  local out=$1 source_dir=$2
  shift 2
  [ -f "$out" ] && return 0
  local dir
  workdir rootfs
  dir=$WORKDIR
  tar -C "$dir" -xf "$IMAGES_DIR/base-$BASE_KEY.tar"
  chroot_prepare "$dir"
  if [ -n "$source_dir" ]; then
    mkdir -p "$dir/tmp/src"
    cp -a "$ROOT_DIR/$source_dir/." "$dir/tmp/src/"
  fi
  # pip runs with a clean environment: the host's PIP_* settings name host paths. The host's CA
  # bundle comes along for the build only (machines behind a TLS-inspecting proxy need it); the
  # image keeps Debian's own.
  local pip_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PIP_DISABLE_PIP_VERSION_CHECK=1
    PIP_DEFAULT_TIMEOUT=180 PIP_NO_CACHE_DIR=1)
  local host_ca=${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}
  if [ -f "$host_ca" ]; then
    cp "$host_ca" "$dir/tmp/host-ca.crt"
    pip_env+=(PIP_CERT=/tmp/host-ca.crt)
  fi
  local started=$SECONDS
  chroot "$dir" /usr/bin/python3 -m venv /airbyte/venv
  "${pip_env[@]}" chroot "$dir" /airbyte/venv/bin/pip install --quiet "$@" || exit 1
  cleanup_mounts
  slim_rootfs "$dir"
  pack_rootfs "$dir" "$out"
  remove_tree "$dir"
  log "$(basename "$out") built in $((SECONDS - started)) s: $(du -h "$out" | cut -f1)"
}

build_fixtures_rootfs() {
  local out=$1
  [ -f "$out" ] && return 0
  local dir
  workdir rootfs
  dir=$WORKDIR
  tar -C "$dir" -xf "$IMAGES_DIR/base-$BASE_KEY.tar"
  mkdir -p "$dir/airbyte/connectors"
  cp "$ROOT_DIR"/tests/fixtures/connectors/*.py "$ROOT_DIR/bench/replay_source.py" "$dir/airbyte/connectors/"
  chmod 755 "$dir"/airbyte/connectors/*.py
  pack_rootfs "$dir" "$out"
  remove_tree "$dir"
}

# --- images -------------------------------------------------------------------------------------

# image_current TAG KEY: is TAG in podman's storage, built from KEY?
image_current() {
  local found
  found=$("${PODMAN[@]}" image inspect --format "{{index .Labels \"$LABEL\"}}" "$1" 2>/dev/null || true)
  [ "$found" = "$2" ]
}

# import_image TAG KEY TARBALL CHANGE...
import_image() {
  local tag=$1 key=$2 tarball=$3
  shift 3
  local changes=() change
  for change in "$@" "LABEL $LABEL=$key"; do changes+=(--change "$change"); done
  local started=$SECONDS
  "${PODMAN[@]}" import --quiet "${changes[@]}" "$tarball" "$tag" >/dev/null
  log "imported $tag in $((SECONDS - started)) s"
}

CONVENTIONS=("USER airbyte" "WORKDIR /airbyte")
VENV_PATH="ENV PATH=/airbyte/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

ensure_faker() {
  local tag=localhost/airbyte-ts/source-faker:7.2.1
  image_current "$tag" "$FAKER_KEY" && return 0
  local tarball="$IMAGES_DIR/source-faker-7.2.1-$FAKER_KEY.tar"
  build_base
  build_venv_rootfs "$tarball" "" "$FAKER_REQ"
  import_image "$tag" "$FAKER_KEY" "$tarball" "${CONVENTIONS[@]}" "$VENV_PATH" \
    "ENV AIRBYTE_ENTRYPOINT=/airbyte/venv/bin/source-faker" \
    'ENTRYPOINT ["/airbyte/venv/bin/source-faker"]' \
    "LABEL io.airbyte.name=airbyte/source-faker" "LABEL io.airbyte.version=7.2.1"
}

ensure_destination() {
  local tag=localhost/airbyte-ts/destination-jsonl:0.1.0
  image_current "$tag" "$DEST_KEY" && return 0
  local tarball="$IMAGES_DIR/destination-jsonl-0.1.0-$DEST_KEY.tar"
  build_base
  build_venv_rootfs "$tarball" tests/fixtures/destination_jsonl /tmp/src
  import_image "$tag" "$DEST_KEY" "$tarball" "${CONVENTIONS[@]}" "$VENV_PATH" \
    "ENV AIRBYTE_ENTRYPOINT=/airbyte/venv/bin/destination-jsonl" \
    'ENTRYPOINT ["/airbyte/venv/bin/destination-jsonl"]' \
    "LABEL io.airbyte.name=airbyte-ts/destination-jsonl" "LABEL io.airbyte.version=0.1.0"
}

ensure_fixtures() {
  local tag=localhost/airbyte-ts/fixtures:dev
  image_current "$tag" "$FIXTURES_KEY" && return 0
  local tarball="$IMAGES_DIR/fixtures-$FIXTURES_KEY.tar"
  build_base
  build_fixtures_rootfs "$tarball"
  import_image "$tag" "$FIXTURES_KEY" "$tarball" "${CONVENTIONS[@]}" \
    "ENV AIRBYTE_ENTRYPOINT=/airbyte/connectors/replay_source.py" \
    'ENTRYPOINT ["/airbyte/connectors/replay_source.py"]'
}

# Older tarballs of the same images (other input keys) are removed once the current ones exist.
prune_cache() {
  local keep=("base-$BASE_KEY.tar" "source-faker-7.2.1-$FAKER_KEY.tar"
    "destination-jsonl-0.1.0-$DEST_KEY.tar" "fixtures-$FIXTURES_KEY.tar")
  local file name
  for file in "$IMAGES_DIR"/*.tar; do
    [ -e "$file" ] || continue
    name=$(basename "$file")
    [[ " ${keep[*]} " == *" $name "* ]] || { log "removing outdated $name"; rm -f "$file"; }
  done
}

case "${1:-ensure}" in
ensure)
  mkdir -p "$IMAGES_DIR"
  # One builder at a time (the test run and a test file's private service may both ask).
  exec 9>"$IMAGES_DIR/.lock"
  flock 9
  ensure_fixtures
  ensure_faker
  ensure_destination
  prune_cache
  ;;
list)
  echo "localhost/airbyte-ts/source-faker:7.2.1 $FAKER_KEY"
  echo "localhost/airbyte-ts/destination-jsonl:0.1.0 $DEST_KEY"
  echo "localhost/airbyte-ts/fixtures:dev $FIXTURES_KEY"
  ;;
*)
  echo "usage: $0 ensure | list" >&2
  exit 2
  ;;
esac
