#!/usr/bin/env bash
# Runs every test suite and prints one total line: "N passed, M failed".
# Each suite is a command whose own last line is "N passed, M failed" (added to the
# total), or a check with no such line (counted as one test: its exit status).
# Usage: bash tests/run.sh [quick]   (quick: skip the slow sanitizer/cross builds)
set -u
cd "$(dirname "$0")/.."
mkdir -p build/logs
TOTAL_PASS=0
TOTAL_FAIL=0
FAILED_SUITES=""

# suite NAME CMD... : run CMD, fold its counts into the total.
suite() {
  local name=$1; shift
  local log="build/logs/$name.log"
  local start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  local line
  line=$(grep -aE '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  local p=0 f=0
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  else
    if [ "$rc" -eq 0 ]; then p=1; else f=1; fi
  fi
  TOTAL_PASS=$((TOTAL_PASS + p)); TOTAL_FAIL=$((TOTAL_FAIL + f))
  if [ "$f" -ne 0 ]; then
    FAILED_SUITES="$FAILED_SUITES $name"
    printf '%-34s FAIL  %5d passed, %d failed  (%ds)  log: %s\n' "$name" "$p" "$f" $((SECONDS - start)) "$log"
    tail -n 25 "$log" | sed 's/^/    | /'
  else
    printf '%-34s ok    %5d passed  (%ds)\n' "$name" "$p" $((SECONDS - start))
  fi
}

# skip NAME WHY : a suite that cannot run here (a missing tool), reported but not counted.
skip() { printf '%-34s SKIP  %s\n' "$1" "$2"; }

QUICK=${1:-}
. tests/suites.sh

echo
[ -n "$FAILED_SUITES" ] && echo "failed suites:$FAILED_SUITES"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
