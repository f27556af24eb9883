#!/usr/bin/env bash
# 32-bit targets under qemu, where size_t has 32 bits and only the scalar path exists:
#   i686 (gcc-i686-linux-gnu): x87 arithmetic, FLT_EVAL_METHOD 2. Built in GCC's default
#     GNU mode (-std=gnu11), whose -fexcess-precision=fast keeps floats in 80-bit registers
#     past assignments: the fused add's sum and the accumulated dx must still be the floats
#     the contracts name.
#   i686-cxx (g++-i686-linux-gnu): the same, the tests compiled as C++17 (GNU mode too).
#   armhf (gcc-arm-linux-gnueabihf): 32-bit ARM, C99.
# x87 is slow under emulation (the full variants test takes minutes), so `make test` runs
# the sections that matter there, with LN_TEST_QUICK=2 (it also drops the variants'
# 64K-column and 4K-row cases: 28 s of x87 emulation, where the small rows already show
# what differs on these targets); `bash tests/cross32.sh full` runs everything.
# Prints "cross: N passed, M failed" (the sum over the runs).
set -u
cd "$(dirname "$0")/.."
mkdir -p build/cross32
. tests/emulated.sh
pass=0 fail=0
# name:compiler:qemu:std (a compiler with "-x c++" builds the C tests as C++)
targets=("i686:i686-linux-gnu-gcc:qemu-i386:gnu11" "i686-cxx:i686-linux-gnu-g++ -x c++:qemu-i386:gnu++17"
         "armhf:arm-linux-gnueabihf-gcc:qemu-arm:c99")
# test:sections (LN_TEST_ONLY; empty: all)
if [ "${1:-}" = full ]; then
  export LN_TEST_QUICK=1
  runs=("test_golden:" "test_core:" "test_variants:")
else
  export LN_TEST_QUICK=2
  runs=("test_golden:" "test_core:hand-computed,bad input,constant rows"
        "test_variants:hand-worked,bad input,row variants,RMSNorm")
fi
for tgt in "${targets[@]}"; do
  IFS=: read -r name cc qemu std <<<"$tgt"
  if ! command -v "${cc%% *}" >/dev/null 2>&1 || ! command -v "$qemu" >/dev/null 2>&1; then
    echo "$name: ${cc%% *} or $qemu not found (apt-get install gcc-i686-linux-gnu g++-i686-linux-gnu libc6-dev-i386-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user)"
    fail=$((fail + 1)); continue
  fi
  for run in "${runs[@]}"; do
    t=${run%%:*} only=${run#*:}
    cross_build "build/cross32/$t.$name" "tests/$t.c" $cc -std=$std -O2 -Wall -Wextra -pedantic -Werror ||
      continue
    LN_TEST_ONLY="$only" emulated_run "$t ($name${only:+, sections: $only})" "build/cross32/$t.$name" "$qemu"
  done
done
echo "cross: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
