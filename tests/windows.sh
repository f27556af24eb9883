#!/usr/bin/env bash
# Windows x86-64 with MinGW-w64 GCC (gcc-mingw-w64-x86-64-posix), the tests run under wine
# (wine64): an LLP64 target (32-bit long), Windows' C runtime and its 16-byte stack
# alignment under the AVX-512 and AVX2 kernels, OpenMP threads from MinGW's libgomp.
#   - the header alone, C99 and C++11, with the compile matrix's warnings;
#   - golden, core and variants tests (LN_TEST_QUICK=1), C with OpenMP at -O2, and the
#     core test at -O0 (every local spilled to the stack).
# Prints "windows: N passed, M failed" (the sum over the runs).
set -u
cd "$(dirname "$0")/.."
mkdir -p build/windows
. tests/emulated.sh
pass=0 fail=0
CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++
if ! command -v $CC >/dev/null 2>&1 || ! command -v $CXX >/dev/null 2>&1 ||
   ! command -v wine >/dev/null 2>&1; then
  echo "$CC, $CXX or wine not found (apt-get install gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix wine wine64)"
  echo "windows: 0 passed, 1 failed"
  exit 1
fi
# a wine prefix of our own (created at the first run, a few seconds), quiet
export WINEPREFIX="$PWD/build/windows/wine" WINEDEBUG=-all
export LN_TEST_QUICK=1 OMP_WAIT_POLICY=passive
STRICT="-Wall -Wextra -pedantic -Wshadow -Wdouble-promotion -Wconversion -Wsign-conversion -Werror"
# (C++ is checked by its front end only, -fsyntax-only: its conversion and shadowing
# warnings are the front end's, and the C build's -O2 sees the flow-analysis ones; a
# full C++ -O2 compile took 10 s of make test's time)
for b in "$CC -std=c99 -x c -c -o build/windows/header.o" "$CXX -std=c++11 -x c++ -fsyntax-only"; do
  if printf '#define LAYERNORM_IMPLEMENTATION\n#include "layernorm.h"\n' |
     $b -O2 -fopenmp $STRICT -I. - >build/windows/header.log 2>&1; then
    pass=$((pass + 1))
  else
    cat build/windows/header.log; echo "header, $b: compile failed"; fail=$((fail + 1))
  fi
done
# (the tests print size_t with %zu: MinGW's own printf has it, msvcrt's may not)
TFLAGS="-Wall -Wextra -pedantic -Werror -D__USE_MINGW_ANSI_STDIO=1"
# name:compiler and flags:test
runs=("O2-omp:$CC -std=c99 -O2 -fopenmp:test_golden" "O2-omp:$CC -std=c99 -O2 -fopenmp:test_core"
      "O2-omp:$CC -std=c99 -O2 -fopenmp:test_variants" "O0:$CC -std=c99 -O0:test_core")
for r in "${runs[@]}"; do
  IFS=: read -r name cc t <<<"$r"
  cross_build "build/windows/$t.$name.exe" "tests/$t.c" $cc $TFLAGS || continue
  emulated_run "$t ($name)" "build/windows/$t.$name.exe" wine
done
echo "windows: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
