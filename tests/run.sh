#!/usr/bin/env bash
# Runs every test suite and prints one total line: "N passed, M failed".
# Each suite is a command whose own last line is "N passed, M failed" (added to the
# total), or a check with no such line (counted as one test: its exit status).
# Suites run two at a time (LN_TEST_JOBS=N to change); each one's log is in build/logs/.
# Usage: bash tests/run.sh [quick]   (quick: skip the slow sanitizer/cross builds)
set -u
cd "$(dirname "$0")/.."
mkdir -p build/logs
rm -f build/logs/*.res
JOBS=${LN_TEST_JOBS:-2}
SUITES=()

# run_suite NAME CMD... : run CMD, write "passed failed" to build/logs/NAME.res, and
# print one line (with the log's tail on failure) in a single write.
run_suite() {
  local name=$1; shift
  local log="build/logs/$name.log" start=$SECONDS rc line p=0 f=0 out
  "$@" >"$log" 2>&1
  rc=$?
  line=$(grep -aE '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  else
    if [ "$rc" -eq 0 ]; then p=1; else f=1; fi
  fi
  echo "$p $f" >"build/logs/$name.res"
  if [ "$f" -ne 0 ]; then
    out=$(printf '%-34s FAIL  %5d passed, %d failed  (%ds)  log: %s\n' "$name" "$p" "$f" $((SECONDS - start)) "$log"
          tail -n 25 "$log" | sed 's/^/    | /')
  else
    out=$(printf '%-34s ok    %5d passed  (%ds)' "$name" "$p" $((SECONDS - start)))
  fi
  printf '%s\n' "$out"
}

# suite NAME CMD... : run CMD in the background once a slot is free.
suite() {
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n 2>/dev/null || true; done
  SUITES+=("$1")
  run_suite "$@" &
}

# skip NAME WHY : a suite that cannot run here (a missing tool), reported but not counted.
skip() { printf '%-34s SKIP  %s\n' "$1" "$2"; }

QUICK=${1:-}
. tests/suites.sh
wait

TOTAL_PASS=0
TOTAL_FAIL=0
FAILED_SUITES=""
for name in "${SUITES[@]}"; do
  if [ -f "build/logs/$name.res" ]; then
    read -r p f <"build/logs/$name.res"
  else
    p=0 f=1 # the suite died before writing its result
  fi
  TOTAL_PASS=$((TOTAL_PASS + p)); TOTAL_FAIL=$((TOTAL_FAIL + f))
  [ "$f" -ne 0 ] && FAILED_SUITES="$FAILED_SUITES $name"
done
echo
[ -n "$FAILED_SUITES" ] && echo "failed suites:$FAILED_SUITES"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
