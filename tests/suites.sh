# The list of suites tests/run.sh runs (sourced by it; `suite`, `skip` come from there).
# Each section belongs to one area; add new suites inside your own section.

WARN="-Wall -Wextra -pedantic -Werror"

# build_run OUT "COMPILER FLAGS..." SOURCES... : compile, then run ./OUT.
build_run() {
  local out=$1 cc=$2; shift 2
  $cc "$@" -I. -o "$out" -lm && "./$out"
}

# --- core: functional and accuracy tests, gcc and clang, every compiled path ---
# tests/test_core.c (issues 2, 3): hand cases, float64 reference on many shapes, finite
# differences, bad input, NULL/in-place/+=, NaN rows, accuracy families on every path,
# thread-count determinism. gcc and clang -O2 run the full sizes; the other builds run
# LN_TEST_QUICK=1 (smaller big cases) to keep `make test` short. tests/compile/run.sh is
# the compile matrix (C99/C11/C++11/C++17, static, two translation units, OpenMP on/off,
# NO_SIMD), one test per build+run.
core_run() { # OUT QUICK COMPILER FLAGS...
  local out=$1 quick=$2; shift 2
  "$@" -I. -o "$out" tests/test_core.c -lm &&
    LN_TEST_QUICK=$quick OMP_WAIT_POLICY=passive "./$out"
}
# (Suites run two at a time in this order, so the longest ones start first: the
# sanitizer build, about 55 s, sets the wall time if it starts late. It is built at -O0,
# like the variants' one: -O1 took 70 s to compile (the inlined kernels under ASan) and
# 20 s to run, -O0 takes 16 s and 39 s.)
if [ -z "$QUICK" ]; then
  suite core-clang-asan-ubsan core_run build/test_core_san  1 clang -std=c11 -O0 -gline-tables-only $WARN \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
  skip core-clang-asan-ubsan "quick run"
fi
# (lint, of the trust-and-reach area, starts here too: about 60 s, most of it clang-tidy's
# analyzer; started last, it ran alone for its last half-minute.)
# cppcheck x86-64, scalar and AArch64; clang-tidy x86-64 and AArch64 (make lint adds scalar)
if [ -z "$QUICK" ]; then
  suite lint bash tests/lint.sh quick
else
  skip lint "quick run"
fi
suite core-gcc-O2          core_run build/test_core_gcc     0 gcc -std=c99 -O2 $WARN -fopenmp
suite core-clang-O2        core_run build/test_core_clang   0 clang -std=c11 -O2 $WARN -fopenmp
suite core-gcc-O3-native   core_run build/test_core_native  1 gcc -std=c11 -O3 -march=native $WARN -fopenmp
suite core-gcc-O2-nosimd   core_run build/test_core_nosimd  1 gcc -std=c99 -O2 $WARN -fopenmp -DLAYERNORM_NO_SIMD
suite core-gcc-O0-noomp    core_run build/test_core_O0      1 gcc -std=c99 -O0 $WARN
# A user's -ffast-math / -Ofast file: the header opts its implementation out (the checks
# keep IEEE semantics, tests/fp_checks.h). Without that, 358 of the core checks failed (y
# 1000x its bound on rows with a large mean). Clang's -Ofast also contracts a multiply and
# an add across statements whatever the pragmas say: the pipelined kernels' bits must
# still be their parts' (they were not when a missing γ was a γ of 1). GCC's is folded
# into the build that streams every output (non-temporal stores are off by default), to
# keep make test's time.
suite core-gcc-stream-fast-math core_run build/test_core_stream 1 gcc -std=c11 -O2 -ffast-math $WARN -fopenmp -DLAYERNORM_STREAM_MIN=0
suite core-clang-Ofast     core_run build/test_core_cofast  1 clang -std=c11 -Ofast $WARN -fopenmp
if [ -z "$QUICK" ]; then
  suite compile-matrix     bash tests/compile/run.sh
else
  skip compile-matrix "quick run"
fi

# --- bench smoke ---
# bench/bench.c builds warning-free and `--quick` prints every row (< 5 s; no timings checked)
suite bench-smoke bash bench/smoke.sh

# --- demo smoke (issue 6) ---
# examples/demo.c's model: a tiny synthetic training run (loss goes down, same for 1 and
# 2 threads), whole-network gradient vs finite differences, IDX reader, SVG writer (~1 s).
# The scalar path (LAYERNORM_NO_SIMD): the demo's code is under test here, the kernels in
# the other suites; with them the build took 11 s of make test's time, now 2.
suite demo-smoke build_run build/test_demo "gcc -std=c99 -O2 $WARN -fopenmp -DLAYERNORM_NO_SIMD" tests/test_demo.c

# --- variants (issue 5) ---
# tests/test_variants.c: RMSNorm, fused add, accumulating backward and strided layout vs a
# float64 reference and vs the base functions, on every compiled path, plus conventions,
# bad input, NaN rows and thread-count determinism. The sanitizer build runs the quick sizes
# at -O0 (the core sanitizer build is the -O1 one): 30 s where -O2 took 50-60 s.
# OMP_WAIT_POLICY=passive: idle OpenMP threads sleep instead of spinning on the shared cores.
variants_run() { # OUT QUICK COMPILER FLAGS...
  local out=$1 quick=$2; shift 2
  "$@" -I. -o "$out" tests/test_variants.c -lm &&
    LN_TEST_QUICK=$quick OMP_WAIT_POLICY=passive "./$out"
}
suite variants-gcc-O2        variants_run build/test_variants_gcc    0 gcc -std=c99 -O2 $WARN -fopenmp
# (the scalar-only build is also the variants' -ffast-math one: GCC's optimize attributes
# on the vectorized C loops; 16 failures with the unguarded header)
suite variants-gcc-O2-nosimd-fast-math variants_run build/test_variants_nosimd 0 gcc -std=c11 -O2 -ffast-math $WARN -fopenmp -DLAYERNORM_NO_SIMD
if [ -z "$QUICK" ]; then
  suite variants-clang-asan-ubsan variants_run build/test_variants_san 1 clang -std=c11 -O0 $WARN -fopenmp \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
  skip variants-clang-asan-ubsan "quick run"
fi

# --- trust and reach (issue 4) ---
# (the longer suites first, the golden builds, 1-12 s each, last: they fill the end)
# AArch64 (NEON) under qemu: golden test + core test in quick mode (make test-arm: full)
if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 && command -v qemu-aarch64 >/dev/null 2>&1; then
  suite arm-qemu bash tests/arm.sh quick
else
  skip arm-qemu "gcc-aarch64-linux-gnu or qemu-user not installed"
fi
# 32-bit targets under qemu: i686 (x87, GCC's GNU-mode excess precision; as C and as
# C++) and armhf, the scalar path with a 32-bit size_t; the sections that matter there
# (make test-cross32: all)
if command -v i686-linux-gnu-gcc >/dev/null 2>&1 && command -v arm-linux-gnueabihf-gcc >/dev/null 2>&1 &&
   command -v qemu-i386 >/dev/null 2>&1; then
  suite cross32-qemu bash tests/cross32.sh
else
  skip cross32-qemu "gcc-i686-linux-gnu, gcc-arm-linux-gnueabihf or qemu-user not installed"
fi
# a compiler that is neither GCC nor Clang (tcc): no attributes, pragmas or builtins, the
# scalar path only, as other compilers (MSVC) get it; golden + core and variants quick
if command -v tcc >/dev/null 2>&1; then
  suite tcc-golden   build_run build/test_golden_tcc "tcc -Wall -Werror" tests/test_golden.c
  suite tcc-core     core_run build/test_core_tcc 1 tcc -Wall -Werror
  suite tcc-variants variants_run build/test_variants_tcc 1 tcc -Wall -Werror
else
  skip tcc "tcc not installed"
fi
# Windows x86-64 (LLP64) with MinGW-w64 GCC, run under wine: the header's strict compiles
# as C and C++, golden + core and variants quick with OpenMP, the core test at -O0
if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 && command -v wine >/dev/null 2>&1; then
  suite windows-mingw-wine bash tests/windows.sh
else
  skip windows-mingw-wine "gcc-mingw-w64-x86-64-posix, g++-mingw-w64-x86-64-posix or wine not installed"
fi
# install + CMake (add_subdirectory, FetchContent, find_package) + pkg-config consumers
if command -v cmake >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1; then
  suite consumers bash tests/consumer/run.sh
else
  skip consumers "cmake or pkg-config not installed"
fi
# the fuzz target over the committed corpus only (fuzz/corpus), ASan + UBSan
if echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }' |
   clang -x c -fsanitize=fuzzer -o build/.fuzz_probe - >/dev/null 2>&1; then
  suite fuzz-corpus bash fuzz/run.sh corpus
else
  skip fuzz-corpus "clang's libFuzzer runtime not installed"
fi
# valgrind memcheck on the golden test (make valgrind adds the core test)
if command -v valgrind >/dev/null 2>&1; then
  suite valgrind-golden bash tests/valgrind.sh quick
else
  skip valgrind-golden "valgrind not installed"
fi
# golden: PyTorch float64 outputs (tests/golden/golden.bin, from tests/gen_golden.py) vs every
# supported path and every function, across compilers and optimisation levels (< 1 s each).
golden_run() { # OUT COMPILER FLAGS...
  local out=$1; shift
  "$@" -I. -o "$out" tests/test_golden.c -lm && OMP_WAIT_POLICY=passive "./$out"
}
suite golden-gcc-O2               golden_run build/test_golden_gcc      gcc -std=c99 -O2 $WARN -fopenmp
suite golden-gcc-O0-nosimd        golden_run build/test_golden_nosimd   gcc -std=c99 -O0 $WARN -DLAYERNORM_NO_SIMD
suite golden-clang-O0             golden_run build/test_golden_clang0   clang -std=c11 -O0 $WARN
suite golden-clang-O3-native      golden_run build/test_golden_clang3   clang -std=c11 -O3 -march=native $WARN -fopenmp
# (gcc -O3 -march=native: core-gcc-O3-native above; its golden twin, 11-14 s of compiling,
# made room for the tcc and 32-bit suites)
