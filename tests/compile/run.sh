#!/usr/bin/env bash
# tests/compile/run.sh - the compile matrix: does layernorm.h build warning-free (-Wall
# -Wextra -pedantic -Wshadow -Wdouble-promotion -Wconversion -Wsign-conversion -Werror:
# users build with strict flags too) as C99/C11 with gcc and clang and as C++11/C++17
# with g++ and clang++; with and without -fopenmp; with LAYERNORM_STATIC, LAYERNORM_NO_SIMD and
# LAYERNORM_NO_OPENMP; as two translation units (one with the implementation, one with
# only the header, also mixing C and C++); and does each program then run correctly?
# Every compile+run is one test. Last line: "N passed, M failed".
#
# The header takes gcc ~3 s to compile (the SIMD kernels), so the matrix is a chosen set,
# not the full product, run two at a time. The core suites (tests/suites.sh) already
# build the whole test suite with gcc -O0/-O2/-O3 and clang -O2; here the optimization
# level varies per line so that both -O0 and -O2 (whose flow analysis adds warnings such
# as -Wmaybe-uninitialized) are seen by every compiler.
# A missing compiler is a failure, not a skip: .ci/run installs gcc, g++ and clang.
set -u
cd "$(dirname "$0")/../.."
OUT=build/compile
rm -rf "$OUT"
mkdir -p "$OUT"
W="-Wall -Wextra -pedantic -Wshadow -Wdouble-promotion -Wconversion -Wsign-conversion -Werror -I."
JOBS=${JOBS:-2}
NAMES=()

# one CC STD OPT NAME FLAGS... : build one.c as the language STD implies, run it.
one() {
  local cc=$1 std=$2 opt=$3 name=$4; shift 4
  local lang=c
  case $std in c++*) lang=c++ ;; esac
  command -v "$cc" >/dev/null || { echo "$cc not found"; return 1; }
  $cc -x $lang -std="$std" "$opt" $W "$@" -o "$OUT/$name" tests/compile/one.c -lm &&
    "./$OUT/$name"
}

# two CC_IMPL STD_IMPL CC_MAIN STD_MAIN OPT NAME FLAGS... : tu_impl.c + tu_main.c, linked by CC_MAIN.
two() {
  local cci=$1 stdi=$2 ccm=$3 stdm=$4 opt=$5 name=$6; shift 6
  local li=c lm=c
  case $stdi in c++*) li=c++ ;; esac
  case $stdm in c++*) lm=c++ ;; esac
  command -v "$cci" >/dev/null || { echo "$cci not found"; return 1; }
  command -v "$ccm" >/dev/null || { echo "$ccm not found"; return 1; }
  $cci -x $li -std="$stdi" "$opt" $W "$@" -c -o "$OUT/$name-impl.o" tests/compile/tu_impl.c &&
    $ccm -x $lm -std="$stdm" "$opt" $W "$@" -c -o "$OUT/$name-main.o" tests/compile/tu_main.c &&
    $ccm "$@" -o "$OUT/$name" "$OUT/$name-impl.o" "$OUT/$name-main.o" -lm &&
    "./$OUT/$name"
}

# t NAME CMD... : one test, run in the background (at most JOBS at once); its exit
# status goes to $OUT/NAME.rc and its output to $OUT/NAME.log.
t() {
  local name=$1; shift
  NAMES+=("$name")
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  ( "$@" >"$OUT/$name.log" 2>&1; echo $? >"$OUT/$name.rc" ) &
}

# Each line is a build + run; together they cover every compiler, standard and option
# (the core suites add gcc C99 -O0 and -O2, gcc C11 -O3, clang C11 -O2, with and without
# OpenMP, and gcc -DLAYERNORM_NO_SIMD).
# C: gcc and clang, C99 and C11
t gcc-c99-O0-two-tu          two gcc c99 gcc c99 -O0 gcc-c99-O0-two-tu
t gcc-c11-O0-static-two-tu   two gcc c11 gcc c11 -O0 gcc-c11-O0-static-two-tu -DLAYERNORM_STATIC -DTU_MAIN_IS_STATIC
t gcc-c11-O0-omp-no-openmp-fast-math one gcc c11 -O0 gcc-c11-O0-omp-no-openmp-fast-math -fopenmp -DLAYERNORM_NO_OPENMP -ffast-math -DLN_TEST_FAST_MATH
t clang-c99-O2               one clang c99 -O2 clang-c99-O2
t clang-c99-O0-static-two-tu two clang c99 clang c99 -O0 clang-c99-O0-static-two-tu -DLAYERNORM_STATIC -DTU_MAIN_IS_STATIC
t clang-c99-O0-no-avx512-fast-math one clang c99 -O0 clang-c99-O0-no-avx512-fast-math -DLAYERNORM_NO_AVX512 -DLAYERNORM_NO_AVX2 -ffast-math -DLN_TEST_FAST_MATH
# C++: g++ and clang++, C++11 and C++17
t g++-c++11-O2-fast-math     one g++ c++11 -O2 g++-c++11-O2-fast-math -ffast-math -DLN_TEST_FAST_MATH
t g++-c++17-O0-omp-static    one g++ c++17 -O0 g++-c++17-O0-omp-static -fopenmp -DLAYERNORM_STATIC
t clang++-c++11-O0-openmp    one clang++ c++11 -O0 clang++-c++11-O0-openmp -fopenmp
t clang++-c++17-O2-no-simd   one clang++ c++17 -O2 clang++-c++17-O2-no-simd -DLAYERNORM_NO_SIMD
# C implementation unit with a C++ user unit, and the reverse: extern "C" must line up.
t gcc-impl-g++-main          two gcc c99 g++ c++11 -O0 gcc-impl-g++-main
t clang++-impl-clang-main    two clang++ c++17 clang c11 -O0 clang++-impl-clang-main
wait

PASS=0
FAIL=0
for name in "${NAMES[@]}"; do
  rc=$(cat "$OUT/$name.rc" 2>/dev/null || echo 1)
  if [ "$rc" = 0 ]; then
    PASS=$((PASS + 1)); echo "ok    $name"
  else
    FAIL=$((FAIL + 1)); echo "FAIL  $name"
    head -n 30 "$OUT/$name.log" | sed 's/^/    | /'
  fi
done
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
