#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run). Every stage runs even when an earlier one failed,
# so one run shows everything that is broken. Stages:
#   setup, deno fmt --check, deno lint, deno check, deno test (unit + integration, counted per test),
#   doc examples (deno test --doc, counted per example), npm run build, the npm package installed into
#   fresh ESM, CommonJS and Deno projects (tests/package/, counted per test), Node smoke, browser smoke,
#   the JSR dry run with slow types checked (deno publish --dry-run), and deno doc --lint mod.ts.
# Stages other than the test runs count as one test each. The very last line of output is
# "N passed, N failed"; the exit status is non-zero when anything failed.
#
# Environment:
#   STAGES="fmt lint test"  run only these stages (names: setup fmt lint check test doc build package node
#                           browser jsr doclint)
#   DENO_JOBS=2             parallel deno test workers (default 2: the CI machine has 2 cores)
#   TEST_LOG_DIR=dir        keep stage logs there (default: a fresh temp dir, printed at the end)
#
# Services: the test stage runs against one podman Engine API service (scripts/services/podman.sh,
# exported as AIRBYTE_TS_TEST_DOCKER_HOST) with the connector images built or loaded beforehand
# (scripts/images/build.sh); after the tests, a check that the engine holds no container at all
# counts as one more test. The service is stopped at the end, also on Ctrl-C.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DENO_JOBS="${DENO_JOBS:-2}"
[ -t 1 ] || export NO_COLOR=1
LOG_DIR="${TEST_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/airbyte-ts-test.XXXXXX")}"
mkdir -p "$LOG_DIR"
RESULTS="$LOG_DIR/results.tsv"
: >"$RESULTS"
DENO=(npx --no-install deno)

ALL_STAGES="setup fmt lint check test doc build package node browser jsr doclint"
SELECTED="${STAGES:-$ALL_STAGES}"
stage_total=$(wc -w <<<"$SELECTED")
# The test stage brings two more: the Docker images, and the check for leftover containers.
if [[ " $SELECTED " == *" test "* ]]; then stage_total=$((stage_total + 2)); fi
stage_no=0
total_passed=0
total_failed=0

wanted() { [[ " $SELECTED " == *" $1 "* ]]; }

# run_stage KEY "Title" COUNTING TIMEOUT_SECONDS COMMAND...
#   COUNTING is "one" (the stage is one test) or "deno" (count the tests in deno's summary line).
run_stage() {
  local key=$1 title=$2 counting=$3 limit=$4
  shift 4
  wanted "$key" || return 0
  stage_no=$((stage_no + 1))
  local log="$LOG_DIR/$stage_no-$key.log"
  printf '\n━━━ [%d/%d] %s ━━━\n$ %s\n' "$stage_no" "$stage_total" "$title" "$*"
  local started=$SECONDS
  timeout -k 30 "$limit" "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local seconds=$((SECONDS - started))
  local passed failed
  if [ "$counting" = deno ]; then
    read -r passed failed < <(node scripts/summarize.mjs deno-counts "$log" || echo "0 1")
    # A non-zero exit with no failed test (a crash, a leak, a timeout) is still a failure.
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  elif [ "$status" -eq 0 ]; then
    passed=1 failed=0
  else
    passed=0 failed=1
  fi
  local outcome="ok"
  [ "$status" -eq 124 ] && outcome="TIMED OUT after ${limit}s"
  [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && outcome="FAILED (exit $status)"
  local mark='✘'
  [ "$status" -eq 0 ] && mark='✔'
  printf '%s %s: %s — %d passed, %d failed (%ds)\n' "$mark" \
    "$title" "$outcome" "$passed" "$failed" "$seconds"
  printf '%s\t%d\t%d\t%d\n' "$title" "$passed" "$failed" "$seconds" >>"$RESULTS"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

run_stage setup "setup" one 1800 bash scripts/setup.sh

# --- services for the test stage ---------------------------------------------------------------
# Started once for the whole run and stopped when this script exits (scripts/services/*.sh; each
# also stops itself if this shell dies). A test file run alone starts its own (tests/_services/).
PODMAN_DIR=""
PG_DIR=""
stop_services() {
  if [ -n "$PODMAN_DIR" ]; then bash scripts/services/podman.sh stop "$PODMAN_DIR" || true; fi
  PODMAN_DIR=""
  if [ -n "$PG_DIR" ]; then bash scripts/services/postgres.sh stop "$PG_DIR" || true; fi
  PG_DIR=""
}
trap stop_services EXIT
trap 'stop_services; exit 130' INT TERM
if wanted test; then
  # One PostgreSQL cluster for every test file; each file makes its own databases in it.
  if pg_env=$(bash scripts/services/postgres.sh start --watch $$); then
    eval "$pg_env"
    export AIRBYTE_TS_TEST_PG_URL
    PG_DIR=$AIRBYTE_TS_TEST_PG_DIR
  else
    echo "PostgreSQL did not start here; each PostgreSQL test file will try to start its own."
  fi
  PODMAN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/airbyte-ts-podman.XXXXXX")
  if AIRBYTE_TS_TEST_DOCKER_HOST=$(bash scripts/services/podman.sh start "$PODMAN_DIR"); then
    export AIRBYTE_TS_TEST_DOCKER_HOST
  else
    unset AIRBYTE_TS_TEST_DOCKER_HOST
    echo "podman service did not start: the Docker executor tests will try to start their own"
  fi
  run_stage test "docker images (build or load)" one 1800 bash scripts/images/build.sh ensure
fi
run_stage fmt "deno fmt --check" one 300 "${DENO[@]}" fmt --check
run_stage lint "deno lint" one 300 "${DENO[@]}" lint
run_stage check "deno check" one 600 "${DENO[@]}" check mod.ts src/cli/main.ts examples/ bench/
run_stage test "deno test" deno 3600 "${DENO[@]}" test -A --parallel --ignore=tests/package/ tests/
# No container may outlive the tests: the engine must list none at all (`all=1`: also stopped ones).
if wanted test && [ -n "${AIRBYTE_TS_TEST_DOCKER_HOST:-}" ]; then
  run_stage test "no containers left over" one 60 \
    bash scripts/services/podman.sh leftovers "$AIRBYTE_TS_TEST_DOCKER_HOST"
fi
stop_services

run_stage doc "doc examples" deno 900 "${DENO[@]}" test -A --doc --parallel mod.ts src/
run_stage build "npm run build" one 600 npm run build
# Packs dist/ as the build stage just made it (AIRBYTE_TS_PACK_PREBUILT); alone, `npm pack` builds.
prebuilt=0
wanted build && prebuilt=1
run_stage package "npm package in fresh projects" deno 1800 \
  env AIRBYTE_TS_PACK_PREBUILT=$prebuilt "${DENO[@]}" test -A tests/package/
run_stage node "node smoke" one 300 node tests/runtime/node_smoke.mjs
run_stage browser "browser smoke" one 600 "${DENO[@]}" run -A tests/runtime/browser_smoke.ts
run_stage jsr "deno publish --dry-run (slow types checked)" one 600 "${DENO[@]}" publish --dry-run --allow-dirty
run_stage doclint "deno doc --lint mod.ts" one 300 "${DENO[@]}" doc --lint mod.ts

echo ""
echo "logs: $LOG_DIR"
# The report's last line is "N passed, N failed"; if Node itself is broken, print it from here.
node scripts/summarize.mjs report "$RESULTS"
case $? in
  0 | 1) ;;
  *) printf '%d passed, %d failed\n' "$total_passed" "$total_failed" ;;
esac
[ "$total_failed" -eq 0 ]
