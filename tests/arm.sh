#!/usr/bin/env bash
# AArch64 under qemu: cross-compiles the golden, core and variants tests with Debian's
# gcc-aarch64-linux-gnu (static, so no target libraries are needed at run time) and runs
# them with qemu-aarch64 (package qemu-user). On AArch64 the NEON path is the active one,
# and the tests also check the scalar path; the golden test prints the paths it ran.
# Prints "arm: N passed, M failed" (the sum over the tests).
#   bash tests/arm.sh          golden + core + variants, full sizes (slow under emulation: minutes)
#   bash tests/arm.sh quick    golden + core with LN_TEST_QUICK=1 (what `make test` runs)
set -u
cd "$(dirname "$0")/.."
CROSS=${CROSS:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-aarch64}
for t in "$CROSS" "$QEMU"; do
  command -v "$t" >/dev/null 2>&1 || { echo "$t not found (apt-get install gcc-aarch64-linux-gnu qemu-user)"; echo "arm: 0 passed, 1 failed"; exit 1; }
done
mkdir -p build/arm
tests="test_golden test_core test_variants"
if [ "${1:-}" = quick ]; then export LN_TEST_QUICK=1; tests="test_golden test_core"; fi
pass=0 fail=0
for t in $tests; do
  # (test_core.c belongs to the core area; until it exists there is only the golden test)
  if [ ! -f "tests/$t.c" ]; then echo "tests/$t.c not in the tree: skipped"; continue; fi
  # (static libgomp makes the linker warn about dlopen, which OpenMP offloading would use;
  #  harmless here, so the compiler's output is shown only when it fails)
  if ! $CROSS -std=c99 -O2 -Wall -Wextra -pedantic -Werror -fopenmp -static -I. \
       -o "build/arm/$t.$$" "tests/$t.c" -lm >"build/arm/$t.cc.log" 2>&1 ||
     ! mv -f "build/arm/$t.$$" "build/arm/$t"; then
    cat "build/arm/$t.cc.log"; echo "$t: cross-compile failed"; fail=$((fail + 1)); continue
  fi
  start=$SECONDS
  # OMP_NUM_THREADS=2: the threaded code paths run too (qemu-user emulates threads).
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} $QEMU "build/arm/$t" >"build/arm/$t.log" 2>&1
  rc=$?
  grep -E '^(golden:|FAIL|quick)|largest error' "build/arm/$t.log" | head -n 20
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "build/arm/$t.log" | tail -n 1)
  echo "$t (aarch64, $((SECONDS - start)) s): ${line:-no summary line, exit $rc}"
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
    pass=$((pass + p)); fail=$((fail + f))
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && fail=$((fail + 1))
  else
    tail -n 5 "build/arm/$t.log"; fail=$((fail + 1))
  fi
done
echo "arm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
