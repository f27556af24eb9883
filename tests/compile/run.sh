#!/usr/bin/env bash
# tests/compile/run.sh - the compile matrix: does layernorm.h build warning-free (-Wall
# -Wextra -pedantic -Werror) as C99/C11 with gcc and clang and as C++11/C++17 with g++ and
# clang++; with and without -fopenmp; with LAYERNORM_STATIC, LAYERNORM_NO_SIMD and
# LAYERNORM_NO_OPENMP; as two translation units (one with the implementation, one with
# only the header, also mixing C and C++); and does each program then run correctly?
# Every compile+run is one test. Last line: "N passed, M failed".
# A missing compiler is a failure, not a skip: .ci/run installs gcc, g++ and clang.
set -u
cd "$(dirname "$0")/../.."
OUT=build/compile
mkdir -p "$OUT"
W="-Wall -Wextra -pedantic -Werror -I."
PASS=0
FAIL=0

# t NAME CMD... : one test; passes when CMD (compile && run) exits 0.
t() {
  local name=$1; shift
  if "$@" >"$OUT/$name.log" 2>&1; then
    PASS=$((PASS + 1)); echo "ok    $name"
  else
    FAIL=$((FAIL + 1)); echo "FAIL  $name"
    head -n 30 "$OUT/$name.log" | sed 's/^/    | /'
  fi
}

# one CC STD NAME FLAGS... : build one.c as the language STD implies, run it.
one() {
  local cc=$1 std=$2 name=$3; shift 3
  local lang=c
  case $std in c++*) lang=c++ ;; esac
  command -v "$cc" >/dev/null || { echo "$cc not found"; return 1; }
  $cc -x $lang -std="$std" -O2 $W "$@" -o "$OUT/$name" tests/compile/one.c -lm && "./$OUT/$name"
}

# two CC_IMPL STD_IMPL CC_MAIN STD_MAIN NAME FLAGS... : tu_impl.c + tu_main.c, linked by CC_MAIN.
two() {
  local cci=$1 stdi=$2 ccm=$3 stdm=$4 name=$5; shift 5
  local li=c lm=c
  case $stdi in c++*) li=c++ ;; esac
  case $stdm in c++*) lm=c++ ;; esac
  command -v "$cci" >/dev/null || { echo "$cci not found"; return 1; }
  command -v "$ccm" >/dev/null || { echo "$ccm not found"; return 1; }
  $cci -x $li -std="$stdi" -O2 $W "$@" -c -o "$OUT/$name-impl.o" tests/compile/tu_impl.c &&
    $ccm -x $lm -std="$stdm" -O2 $W "$@" -c -o "$OUT/$name-main.o" tests/compile/tu_main.c &&
    $ccm "$@" -o "$OUT/$name" "$OUT/$name-impl.o" "$OUT/$name-main.o" -lm &&
    "./$OUT/$name"
}

for cc in gcc clang; do
  for std in c99 c11; do
    t "$cc-$std"            one $cc $std "$cc-$std"
    t "$cc-$std-openmp"     one $cc $std "$cc-$std-openmp" -fopenmp
    t "$cc-$std-static"     one $cc $std "$cc-$std-static" -DLAYERNORM_STATIC
    t "$cc-$std-two-tu"     two $cc $std $cc $std "$cc-$std-two-tu"
  done
  t "$cc-c99-no-simd"         one $cc c99 "$cc-c99-no-simd" -DLAYERNORM_NO_SIMD
  t "$cc-c11-no-avx512"       one $cc c11 "$cc-c11-no-avx512" -DLAYERNORM_NO_AVX512
  t "$cc-c11-no-openmp-flag"  one $cc c11 "$cc-c11-no-openmp-flag" -fopenmp -DLAYERNORM_NO_OPENMP
  t "$cc-c99-static-two-tu"   two $cc c99 $cc c99 "$cc-c99-static-two-tu" -DLAYERNORM_STATIC -DTU_MAIN_IS_STATIC
  t "$cc-c11-two-tu-openmp"   two $cc c11 $cc c11 "$cc-c11-two-tu-openmp" -fopenmp
done
for cxx in g++ clang++; do
  for std in c++11 c++17; do
    t "$cxx-$std"           one $cxx $std "$cxx-$std"
    t "$cxx-$std-openmp"    one $cxx $std "$cxx-$std-openmp" -fopenmp
  done
  t "$cxx-c++11-no-simd"    one $cxx c++11 "$cxx-c++11-no-simd" -DLAYERNORM_NO_SIMD
  t "$cxx-c++17-static"     one $cxx c++17 "$cxx-c++17-static" -DLAYERNORM_STATIC
  t "$cxx-c++11-two-tu"     two $cxx c++11 $cxx c++11 "$cxx-c++11-two-tu"
done
# C implementation unit, C++ user unit (and the reverse): extern "C" must line up.
t "gcc-impl-g++-main"       two gcc c99 g++ c++11 "gcc-impl-g++-main"
t "clang++-impl-clang-main" two clang++ c++17 clang c11 "clang++-impl-clang-main"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
