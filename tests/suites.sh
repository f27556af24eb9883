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
