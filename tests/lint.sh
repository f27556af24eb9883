#!/usr/bin/env bash
# Static analysis of layernorm.h, implementation included: cppcheck and clang-tidy, each
# over the configurations the code has (x86-64 with its AVX2/AVX-512 kernels and OpenMP,
# AArch64 with NEON, and the portable scalar build). Suppressions, each justified, are in
# .cppcheck-suppressions.xml and .clang-tidy. Any finding fails.
#   bash tests/lint.sh          everything
#   bash tests/lint.sh quick    no scalar clang-tidy run (what `make test` runs)
# Prints "lint: N passed, M failed" (one per tool and configuration).
set -u
cd "$(dirname "$0")/.."
mkdir -p build/lint
pass=0 fail=0
run() { # run NAME CMD...: a tool run passes when it exits 0 and prints no finding
  local name=$1; shift
  "$@" >"build/lint/$name.log" 2>&1
  local rc=$?
  if [ "$rc" -eq 0 ] && ! grep -qE '(warning|error|style|performance|portability):' "build/lint/$name.log"; then
    pass=$((pass + 1)); echo "ok   $name"
  else
    fail=$((fail + 1)); echo "FAIL $name"
    grep -E '(warning|error|style|performance|portability|note):' "build/lint/$name.log" | head -n 20 | sed 's/^/   | /'
  fi
}
have() { command -v "$1" >/dev/null 2>&1 || { echo "FAIL $1 not found (apt-get install $2)"; fail=$((fail + 1)); return 1; }; }

if have cppcheck cppcheck; then
  CPPCHECK=(cppcheck --enable=warning,style,performance,portability --std=c99 --inline-suppr
    --suppress-xml=.cppcheck-suppressions.xml --error-exitcode=1 --quiet
    "--template={file}:{line}:{column}: {severity}: {message} [{id}]"
    -I. -DLAYERNORM_IMPLEMENTATION)
  # (cppcheck predefines nothing, so each platform's macros are given explicitly)
  run cppcheck-x86_64 "${CPPCHECK[@]}" -D__GNUC__ -D__x86_64__ -D_OPENMP layernorm.h
  run cppcheck-scalar "${CPPCHECK[@]}" -DLAYERNORM_NO_SIMD layernorm.h
  run cppcheck-aarch64 "${CPPCHECK[@]}" -D__GNUC__ -D__aarch64__ -D__ARM_NEON layernorm.h
fi

if have clang-tidy clang-tidy; then
  TIDY="clang-tidy --quiet layernorm.h --"
  run clang-tidy-x86_64 $TIDY -x c -std=c99 -fopenmp -DLAYERNORM_IMPLEMENTATION -I.
  # (AArch64 is in the quick run: its NEON kernels are analyzed by nothing else, and a
  # finding sat there unseen while only `make lint` ran it; 12 s)
  if [ -d /usr/aarch64-linux-gnu/include ]; then
    run clang-tidy-aarch64 $TIDY -x c -std=c99 --target=aarch64-linux-gnu \
      --sysroot=/usr/aarch64-linux-gnu -isystem /usr/aarch64-linux-gnu/include \
      -DLAYERNORM_IMPLEMENTATION -I.
  else
    echo "FAIL clang-tidy-aarch64 (no /usr/aarch64-linux-gnu/include: apt-get install libc6-dev-arm64-cross)"
    fail=$((fail + 1))
  fi
  # (not in the quick run: the x86-64 and AArch64 runs analyze the scalar kernels too)
  [ "${1:-}" = quick ] ||
    run clang-tidy-scalar $TIDY -x c -std=c99 -DLAYERNORM_NO_SIMD -DLAYERNORM_IMPLEMENTATION -I.
fi
echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
