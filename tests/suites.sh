# The list of suites tests/run.sh runs (sourced by it; `suite`, `skip` come from there).
# Each section belongs to one area; add new suites inside your own section.

WARN="-Wall -Wextra -pedantic -Werror"

# build_run OUT "COMPILER FLAGS..." SOURCES... : compile, then run ./OUT.
build_run() {
  local out=$1 cc=$2; shift 2
  $cc "$@" -I. -o "$out" -lm && "./$out"
}

# --- core: functional and accuracy tests, gcc and clang, every compiled path ---
suite core-gcc-O2     build_run build/test_core_gcc   "gcc -std=c99 -O2 $WARN -fopenmp"   tests/test_core.c
suite core-clang-O2   build_run build/test_core_clang "clang -std=c11 -O2 $WARN -fopenmp" tests/test_core.c

# --- bench smoke ---
# bench/bench.c builds warning-free and `--quick` prints every row (< 5 s; no timings checked)
suite bench-smoke bash bench/smoke.sh

# --- demo smoke (issue 6) ---
# examples/demo.c's model: a tiny synthetic training run (loss goes down, same for 1 and
# 2 threads), whole-network gradient vs finite differences, IDX reader, SVG writer (~1 s)
suite demo-smoke build_run build/test_demo "gcc -std=c99 -O2 $WARN -fopenmp" tests/test_demo.c

# --- variants (issue 5) ---
# tests/test_variants.c: RMSNorm, fused add, accumulating backward and strided layout vs a
# float64 reference and vs the base functions, on every compiled path, plus conventions,
# bad input, NaN rows and thread-count determinism. The sanitizer build runs the quick sizes.
# OMP_WAIT_POLICY=passive: idle OpenMP threads sleep instead of spinning on the shared cores.
variants_run() { # OUT QUICK COMPILER FLAGS...
  local out=$1 quick=$2; shift 2
  "$@" -I. -o "$out" tests/test_variants.c -lm &&
    LN_TEST_QUICK=$quick OMP_WAIT_POLICY=passive "./$out"
}
suite variants-gcc-O2        variants_run build/test_variants_gcc    0 gcc -std=c99 -O2 $WARN -fopenmp
suite variants-gcc-O2-nosimd variants_run build/test_variants_nosimd 0 gcc -std=c99 -O2 $WARN -fopenmp -DLAYERNORM_NO_SIMD
if [ -z "$QUICK" ]; then
  suite variants-clang-asan-ubsan variants_run build/test_variants_san 1 clang -std=c11 -O2 $WARN -fopenmp \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
  skip variants-clang-asan-ubsan "quick run"
fi
