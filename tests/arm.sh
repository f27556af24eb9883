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
. tests/emulated.sh
pass=0 fail=0
for t in $tests; do
  cross_build "build/arm/$t" "tests/$t.c" $CROSS -std=c99 -O2 -Wall -Wextra -pedantic -Werror -fopenmp ||
    continue
  # OMP_NUM_THREADS=2: the threaded code paths run too (qemu-user emulates threads).
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} emulated_run "$t (aarch64)" "build/arm/$t" "$QEMU"
done
echo "arm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
