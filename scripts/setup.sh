#!/usr/bin/env bash
# Prepare a checkout for the test suite; safe to run again and again (it only does what is missing).
#   - npm packages (deno, tsup, esbuild, playwright-core, duckdb-wasm, hono, workerd, ...): `npm ci` when
#     node_modules is missing or does not match package.json / package-lock.json;
#   - Chromium for the browser smoke test: apt-get when /usr/bin/chromium is missing;
#   - Python 3 with venv + pip, for real Airbyte connectors installed from PyPI by the tests;
#   - podman (its Docker-compatible Engine API), runc, catatonit and debootstrap, for the Docker
#     executor's tests and the connector images they build (scripts/images/build.sh).
#   - PostgreSQL's server binaries (initdb, pg_ctl) and openssl for the PostgresCache tests: apt-get when missing.
# Caches live outside the repository (npm's cache, apt's cache) so that fresh clones reuse them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"
    return 1
  fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- npm packages ----------------------------------------------------------------------------
# A stamp in node_modules records the manifests it was installed from; a tree that predates the
# stamp is adopted when `npm ls` finds it consistent, instead of being reinstalled.
stamp_file=node_modules/.airbyte-ts-setup-stamp
manifest_hash=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
npm_tree_ok() {
  [ -x node_modules/.bin/deno ] && [ -x node_modules/.bin/tsup ] && [ -x node_modules/.bin/esbuild ] &&
    [ -f node_modules/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm ] && [ -d node_modules/playwright-core ] &&
    [ -d node_modules/hono ] && [ -d node_modules/@hono/node-server ] && node -e 'require("fs").accessSync(require("workerd").default)' 2>/dev/null
}
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$manifest_hash" ] && npm_tree_ok; then
  log "npm packages up to date"
elif [ -d node_modules ] && npm_tree_ok && npm ls --depth=0 >/dev/null 2>&1; then
  log "npm packages present and consistent"
  echo "$manifest_hash" >"$stamp_file"
else
  npm_log=$(mktemp)
  if [ -f package-lock.json ]; then
    log "npm ci"
    # npm 11's `npm ci` rejects lockfiles that lack optional dependencies for other platforms
    # ("Missing: @duckdb/node-bindings-darwin-arm64@ from lock file"), even freshly generated ones;
    # `npm install` installs the same locked versions, so fall back to it.
    if ! npm ci --prefer-offline --no-audit --no-fund >"$npm_log" 2>&1; then
      grep -m 3 'npm error [A-Z`]' "$npm_log" | sed 's/^/[setup]   /' || true
      log "npm ci failed; falling back to npm install"
      npm install --prefer-offline --no-audit --no-fund
    else
      cat "$npm_log"
    fi
  else
    log "npm install (no package-lock.json)"
    npm install --prefer-offline --no-audit --no-fund
  fi
  rm -f "$npm_log"
  echo "$manifest_hash" >"$stamp_file"
fi
npx --no-install deno --version | head -n 1 | sed 's/^/[setup] /'

# --- Chromium --------------------------------------------------------------------------------
if [ -x /usr/bin/chromium ]; then
  log "chromium present"
else
  apt_install chromium
  [ -x /usr/bin/chromium ] || {
    log "chromium did not install at /usr/bin/chromium"
    exit 1
  }
fi

# --- Python 3 with venv and pip ---------------------------------------------------------------
# Creating a throwaway venv is the only reliable test: Debian splits venv/ensurepip into packages.
python_ok() {
  command -v python3 >/dev/null || return 1
  local dir
  dir=$(mktemp -d)
  python3 -m venv "$dir/venv" >/dev/null 2>&1 && "$dir/venv/bin/python" -m pip --version >/dev/null 2>&1
  local status=$?
  rm -rf "$dir"
  return $status
}
# The (slow) venv test is remembered per interpreter in a cache outside the repository.
python_stamp="${XDG_CACHE_HOME:-$HOME/.cache}/airbyte-ts/python-venv-ok"
python_id="$(command -v python3 || true) $(python3 --version 2>&1 || true)"
if [ -f "$python_stamp" ] && [ "$(cat "$python_stamp")" = "$python_id" ]; then
  log "$(python3 --version) with venv present (checked before)"
elif python_ok; then
  mkdir -p "$(dirname "$python_stamp")"
  echo "$python_id" >"$python_stamp"
  log "$(python3 --version) with venv present"
else
  apt_install python3 python3-venv python3-pip
  python_ok || {
    log "python3 with venv is still missing"
    exit 1
  }
  python_id="$(command -v python3) $(python3 --version 2>&1)"
  mkdir -p "$(dirname "$python_stamp")"
  echo "$python_id" >"$python_stamp"
fi

# --- podman, for the Docker executor ---------------------------------------------------------
# The service itself is started by scripts/test.sh (scripts/services/podman.sh); the images are
# built there too, cached under ~/.cache/airbyte-ts.
podman_packages=()
command -v podman >/dev/null || podman_packages+=(podman)
command -v runc >/dev/null || podman_packages+=(runc)
command -v catatonit >/dev/null || podman_packages+=(catatonit)
command -v debootstrap >/dev/null || podman_packages+=(debootstrap)
command -v curl >/dev/null || podman_packages+=(curl)
if [ ${#podman_packages[@]} -eq 0 ]; then
  log "podman, runc, catatonit, debootstrap present"
else
  apt_install "${podman_packages[@]}"
fi

# --- PostgreSQL server binaries (tests start a private cluster: scripts/services/postgres.sh) ---
if command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  log "PostgreSQL server binaries present"
else
  apt_install postgresql
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || {
    log "PostgreSQL did not install (no initdb under /usr/lib/postgresql)"
    exit 1
  }
fi
# openssl makes the self-signed certificate of the PostgreSQL TLS test.
if command -v openssl >/dev/null 2>&1; then
  log "openssl present"
else
  apt_install openssl
fi

log "done"
