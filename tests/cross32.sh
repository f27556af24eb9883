#!/usr/bin/env bash
# 32-bit targets under qemu, where size_t has 32 bits and only the scalar path exists:
#   i686 (gcc-i686-linux-gnu): x87 arithmetic, FLT_EVAL_METHOD 2. Built in GCC's default
#     GNU mode (-std=gnu11), whose -fexcess-precision=fast keeps floats in 80-bit registers
#     past assignments: the fused add's sum and the accumulated dx must still be the floats
#     the contracts name.
#   armhf (gcc-arm-linux-gnueabihf): 32-bit ARM, C99.
# x87 is slow under emulation (the full variants test takes minutes), so `make test` runs
# the sections that matter there; `bash tests/cross32.sh full` runs everything.
# Also the variants test as C++17 for i686 (g++-i686-linux-gnu).
# Prints "cross: N passed, M failed" (the sum over the runs).
set -u
cd "$(dirname "$0")/.."
mkdir -p build/cross32
. tests/emulated.sh
pass=0 fail=0
# target compiler qemu std
targets="i686:i686-linux-gnu-gcc:qemu-i386:gnu11 armhf:arm-linux-gnueabihf-gcc:qemu-arm:c99"
# test:sections (LN_TEST_ONLY; empty: all)
if [ "${1:-}" = full ]; then
  runs=("test_golden:" "test_core:" "test_variants:")
else
  runs=("test_golden:" "test_core:hand-computed,bad input,constant rows"
        "test_variants:hand-worked,bad input,row variants,RMSNorm")
fi
# (LN_TEST_QUICK=2 also drops the variants' 64K-column and 4K-row cases: 28 s of x87
# emulation, where the small rows already show what differs on these targets)
export LN_TEST_QUICK=2
[ "${1:-}" = full ] && export LN_TEST_QUICK=1
for tgt in $targets; do
  IFS=: read -r name cc qemu std <<<"$tgt"
  if ! command -v "$cc" >/dev/null 2>&1 || ! command -v "$qemu" >/dev/null 2>&1; then
    echo "$name: $cc or $qemu not found (apt-get install gcc-i686-linux-gnu libc6-dev-i386-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user)"
    fail=$((fail + 1)); continue
  fi
  for run in "${runs[@]}"; do
    t=${run%%:*} only=${run#*:}
    cross_build "build/cross32/$t.$name" "tests/$t.c" $cc -std=$std -O2 -Wall -Wextra -pedantic -Werror ||
      continue
    LN_TEST_ONLY="$only" emulated_run "$t ($name${only:+, sections: $only})" "build/cross32/$t.$name" "$qemu"
  done
done
# C++ on i686 (g++-i686-linux-gnu; GNU mode, so excess precision as above): the variants'
# contracts, compiled as C++17
if command -v i686-linux-gnu-g++ >/dev/null 2>&1 && command -v qemu-i386 >/dev/null 2>&1; then
  if cross_build build/cross32/test_variants.i686-cxx tests/test_variants.c \
       i686-linux-gnu-g++ -x c++ -std=gnu++17 -O2 -Wall -Wextra -pedantic -Werror; then
    only=${runs[2]#*:}
    LN_TEST_ONLY="$only" emulated_run "test_variants (i686, C++17${only:+, sections: $only})" \
      build/cross32/test_variants.i686-cxx qemu-i386
  fi
else
  echo "i686 C++: i686-linux-gnu-g++ or qemu-i386 not found (apt-get install g++-i686-linux-gnu qemu-user)"
  fail=$((fail + 1))
fi
echo "cross: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
