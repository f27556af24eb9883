/* layernorm.h - v0.1.0 - layer normalization for float buffers, forward and backward.
   Single header, no dependencies beyond the C standard library and libm.
   License: MIT or public domain, your choice; the text is at the end of this file.

   USAGE
     Do this in *one* C or C++ file, before the #include:
         #define LAYERNORM_IMPLEMENTATION
         #include "layernorm.h"
     Every other file just #includes "layernorm.h". Then, for x of rows × cols floats:
         float mean[rows], rstd[rows];
         ln_forward(y, mean, rstd, x, gamma, beta, rows, cols, 1e-5f);
         ln_backward(dx, dgamma, dbeta, dy, x, gamma, mean, rstd, rows, cols);
     Every function returns 0 (LN_OK) or a negative LN_ERR_* code; on error nothing is
     written. ln_strerror(code) says what went wrong.

   THE MATH (per row of cols values; the contract every code path keeps)
       mean = Σx / cols
       var  = Σ(x − mean)² / cols               biased, as PyTorch
       rstd = 1 / sqrt(var + eps)               eps inside the sqrt
       y    = (x − mean) · rstd · γ + β
     Backward, with x̂ = (x − mean)·rstd and g = γ·dy:
       dx  = rstd · (g − mean(g) − x̂ · mean(g·x̂))   overwritten
       dγ += Σ_rows dy · x̂                          accumulated: zero once per step
       dβ += Σ_rows dy                              accumulated: zero once per step

   OPTIONS (#define before the #include that has LAYERNORM_IMPLEMENTATION)
     LAYERNORM_STATIC       all functions static: a private copy per translation unit
     LAYERNORM_NO_SIMD      only the portable scalar path (the reference)
     LAYERNORM_NO_AVX512    no AVX-512 path          (x86-64, GCC/Clang)
     LAYERNORM_NO_AVX2      no AVX2+FMA path         (x86-64, GCC/Clang)
     LAYERNORM_NO_NEON      no NEON path             (AArch64)
     LAYERNORM_NO_OPENMP    single-threaded even when compiled with -fopenmp
     LN_MALLOC(n), LN_FREE(p)  allocator for ln_backward's dγ/dβ scratch (see below)
     LAYERNORM_PARALLEL_MIN elements (rows·cols) from which a call uses OpenMP threads
                            (default 32768)
     LAYERNORM_STREAM_MIN   output bytes from which stores bypass the cache (non-temporal);
                            default: by CPU (never, but on AMD Zen 3/4: see below)

   SIMD AND THREADS
     On x86-64 with GCC or Clang the AVX-512 and AVX2+FMA kernels are compiled with
     per-function target attributes, so a plain `cc -O2` build gets them; the CPU is
     checked once, at the first call. On AArch64 NEON is always used. Elsewhere (32-bit
     x86 and ARM, other CPUs) the portable scalar path runs, with the same results and
     contracts (tested on i686 with x87 arithmetic and on armhf). Windows x86-64 with
     MinGW-w64 GCC gets the SIMD kernels too (tested under wine). Compile with
     -fopenmp to split large calls over omp_get_max_threads() threads; without it the
     header is single-threaded and needs nothing else. On AMD family 19h (Zen 3/4), in a
     call whose x reaches 16 MiB, the forward takes rows narrower than 1024 columns
     (RMSNorm: 4096) one at a time instead of pipelined, and y and dx are stored
     non-temporally from 768 columns on (forward; RMSNorm's from 1536) and 512
     (backward, but not dx +=), and where each row of the output starts a 64-byte line
     from 512 (forward; and rows of 16) and 64 (backward), unless LAYERNORM_STREAM_MIN
     is set: each measured faster there (the backward's rows of 3072 columns or more
     stay pipelined). There too, in calls of any size, the AVX-512 backward sums the
     dγ/dβ of rows of 128 to 1023 columns with the AVX2 kernel's 256-bit conversions.
     And in the same large calls the AVX-512 channels-first kernels store y and dx
     non-temporally when that output is 64-byte aligned and inner is a multiple of 16,
     at least 64 (forward) or 128 (backward); the forward's other slices of inner 16 to
     1024 and up to 2^21 floats write y in memory order after the slice's statistics,
     streamed. The bits are the same either way.

   DETERMINISM
     For a given code path (scalar, AVX2, AVX-512, NEON) every output is bitwise
     identical on every run and for every thread count: rows are independent, and the
     dγ/dβ sums over rows use fixed row chunks added in a fixed order, in double.
     Different paths may differ in the last bits (FMA versus separate rounding, the
     order of a sum); all of them stay within a few float ulps of a float64 reference.
     The scalar path may also change in the last bit with the compiler's
     floating-point contraction setting (-ffp-contract).

   COMPILER FLAGS
     -ffast-math / -Ofast on the implementation's file are fine: it opts out of them
     (GCC; Clang 13+) and keeps its accuracy and NaN handling. With Clang, include the
     implementation before <immintrin.h> / <arm_neon.h> (it warns otherwise). Such a
     program flushes subnormal floats to zero (FTZ/DAZ), so an rstd below FLT_MIN (rows
     whose RMS is above about 1e38) becomes 0.

   MEMORY
     The forward functions allocate nothing. A backward with dgamma or dbeta and rows > 1
     makes one allocation per call for its double-precision dγ/dβ accumulators: 32·cols
     bytes on one thread, up to 64 chunk partials of 16·cols bytes on several, at most
     1 MiB of them unless two need more (for rows of 262144 columns or more: 72 bytes
     per row instead). If it fails the call returns LN_ERR_NOMEM and writes nothing. The
     channels-first backward needs 128·cols bytes per partial likewise. On the stack a
     backward call uses up to about 20 KB per thread (per-row factors of a group of rows,
     and a column tile of wide rows), the channels-first forward up to about 13 KB (a
     slice's per-lane statistics).

   ALIASING
     y may equal x. dx may equal dy or x. sum (fused add) may equal x or residual.
     Any other overlap between an output and another buffer is undefined.
*/
#ifndef LAYERNORM_H
#define LAYERNORM_H

#include <stddef.h>

#define LAYERNORM_VERSION_MAJOR 0
#define LAYERNORM_VERSION_MINOR 1
#define LAYERNORM_VERSION_PATCH 0
#define LAYERNORM_VERSION_STRING "0.1.0"

#ifndef LNDEF
#ifdef LAYERNORM_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define LNDEF static __attribute__((unused)) /* a private copy need not use every function */
#else
#define LNDEF static
#endif
#else
#define LNDEF extern
#endif
#endif

/* Status codes. Every function returns LN_OK or one of these, and writes nothing on error. */
#define LN_OK          0
#define LN_ERR_NULL   (-1) /* a required pointer is NULL                                  */
#define LN_ERR_SIZE   (-2) /* cols (or inner, outer) == 0 with work to do, or a size overflows */
#define LN_ERR_EPS    (-3) /* eps is negative, NaN or infinite                              */
#define LN_ERR_NOMEM  (-4) /* ln_backward could not allocate its dγ/dβ scratch              */

/* Kernel paths, for tests and benchmarks (see ln_path_*). */
#define LN_PATH_SCALAR 1
#define LN_PATH_AVX2   2
#define LN_PATH_AVX512 3
#define LN_PATH_NEON   4

#ifdef __cplusplus
extern "C" {
#endif

/* Forward. For each of the `rows` rows of x ([rows × cols], row-major):
       y = (x − mean)·rstd·γ + β,  rstd = 1/sqrt(Σ(x − mean)²/cols + eps)
   gamma NULL: γ = 1.  beta NULL: β = 0.  mean, rstd ([rows]) NULL: not stored.
   y may equal x. Needs y, x non-NULL, cols > 0 when rows > 0, 0 <= eps < inf.
   rows == 0 is a successful no-op. */
LNDEF int ln_forward(float *y, float *mean, float *rstd,
                     const float *x, const float *gamma, const float *beta,
                     size_t rows, size_t cols, float eps);

/* Backward, from the mean and rstd that ln_forward saved (both required):
       dx  = rstd·(g − mean(g) − x̂·mean(g·x̂)),  g = γ·dy,  x̂ = (x − mean)·rstd
       dγ += Σ_rows dy·x̂     dβ += Σ_rows dy
   dx is overwritten; dgamma and dbeta ([cols]) are accumulated (+=). Any of dx,
   dgamma, dbeta may be NULL to skip it. gamma NULL: γ = 1. dx may equal dy or x.
   The float mean that forward saved is rounded; the backward measures that rounding
   from x and corrects for it, so dx and dγ stay accurate for rows with a large mean. */
LNDEF int ln_backward(float *dx, float *dgamma, float *dbeta,
                      const float *dy, const float *x, const float *gamma,
                      const float *mean, const float *rstd,
                      size_t rows, size_t cols);

/* A one-line description of a status code; never NULL, also for unknown codes. */
LNDEF const char *ln_strerror(int status);

/* ---- Variants (same conventions: NULL γ/β, optional stats, += on dγ/dβ, errors) ---- */

/* RMSNorm: rstd = 1/sqrt(Σx²/cols + eps), y = x·rstd·γ. rstd may be NULL. */
LNDEF int ln_rms_forward(float *y, float *rstd, const float *x, const float *gamma,
                         size_t rows, size_t cols, float eps);
/* RMSNorm backward: x̂ = x·rstd, g = γ·dy
       dx = rstd·(g − x̂·mean(g·x̂))   dγ += Σ_rows dy·x̂ */
LNDEF int ln_rms_backward(float *dx, float *dgamma, const float *dy, const float *x,
                          const float *gamma, const float *rstd, size_t rows, size_t cols);

/* Pre-LN residual stream: sum = x + residual (written, bitwise the float add; may alias
   x or residual), then y = LayerNorm(sum), in one pass over memory. */
LNDEF int ln_add_forward(float *y, float *sum, float *mean, float *rstd,
                         const float *x, const float *residual,
                         const float *gamma, const float *beta,
                         size_t rows, size_t cols, float eps);
/* Same with y = RMSNorm(sum). */
LNDEF int ln_rms_add_forward(float *y, float *sum, float *rstd,
                             const float *x, const float *residual, const float *gamma,
                             size_t rows, size_t cols, float eps);

/* As ln_backward / ln_rms_backward, but dx is ACCUMULATED (dx += ...): the gradient of a
   residual stream receives both the skip path and the norm path. */
LNDEF int ln_backward_acc(float *dx, float *dgamma, float *dbeta,
                          const float *dy, const float *x, const float *gamma,
                          const float *mean, const float *rstd, size_t rows, size_t cols);
LNDEF int ln_rms_backward_acc(float *dx, float *dgamma, const float *dy, const float *x,
                              const float *gamma, const float *rstd, size_t rows, size_t cols);

/* Channels-first: x is [outer][cols][inner]; each (outer, inner) pair is normalized over
   the middle axis (LayerNorm over C of NCHW data: outer = N, cols = C, inner = H·W).
   gamma/beta have cols entries; mean/rstd are [outer][inner]. inner == 1 is ln_forward. */
LNDEF int ln_forward_strided(float *y, float *mean, float *rstd,
                             const float *x, const float *gamma, const float *beta,
                             size_t outer, size_t cols, size_t inner, float eps);
LNDEF int ln_backward_strided(float *dx, float *dgamma, float *dbeta,
                              const float *dy, const float *x, const float *gamma,
                              const float *mean, const float *rstd,
                              size_t outer, size_t cols, size_t inner);

/* ---- Kernel paths: for tests and benchmarks ---- */

/* 1 if `path` (LN_PATH_*) is compiled in and this CPU can run it, else 0. */
LNDEF int ln_path_supported(int path);
/* The path every call uses: the best supported one (LN_PATH_SCALAR with LAYERNORM_NO_SIMD). */
LNDEF int ln_path_active(void);
/* "scalar", "avx2", "avx512", "neon", or "unknown". */
LNDEF const char *ln_path_name(int path);

#ifdef __cplusplus
}
#endif
#endif /* LAYERNORM_H */

/* ======================================================================================
   IMPLEMENTATION
   Sections: 1. setup  2. scalar reference kernels  3. SIMD kernels (AVX-512, AVX2, NEON)
             4. dispatch  5. row drivers and threading  6. public functions  7. variants
   ====================================================================================== */
#ifdef LAYERNORM_IMPLEMENTATION
#ifndef LAYERNORM_IMPLEMENTATION_INCLUDED
#define LAYERNORM_IMPLEMENTATION_INCLUDED

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- 1. setup ------------------------------------------------------------------------ */

#ifndef LN_MALLOC
#define LN_MALLOC(n) malloc(n)
#define LN_FREE(p) free(p)
#endif
/* A parallel region costs about 0.6 us here (2 threads, warm). At 32768 elements two
   threads took 0.55-0.65x the time of one, forward and backward, every variant (Zen 4,
   in-process, data in cache: 64x768, 128x256, 512x64, 8x4096, 1x32768); at 24576
   (32x768) about 1.0x, so not below. Threads that have slept cost more: with 1 ms idle
   before each call 64x768 still took 0.70-0.73x on two threads, with 10 ms idle the
   forward took 1.6x (the backward 1.07x). A program that calls rarely can raise it. */
#ifndef LAYERNORM_PARALLEL_MIN
#define LAYERNORM_PARALLEL_MIN 32768
#endif
#ifndef LAYERNORM_STREAM_MIN /* default: by CPU (ln__stream_for) */
#define LAYERNORM_STREAM_MIN ((size_t)-1)
#define LN__STREAM_BY_CPU 1
#endif

#if defined(__GNUC__) || defined(__clang__)
#define LN__UNUSED __attribute__((unused))
#else
#define LN__UNUSED
#endif
/* Private functions. The ln__*_on twins of the public functions are for tests and
   benchmarks, so a translation unit that never calls them must not warn. */
#define LN__PRIV static LN__UNUSED
/* GCC vectorizes plain loops only with its -O3 cost model: asked for where it matters,
   whatever the user's -O level (Clang vectorizes them at -O2 already). Loops start on a
   64-byte boundary: the channels-first backward ran 1.6x slower or faster depending on
   where its short inner loop happened to fall. no-fast-math: an optimize attribute starts
   from the command line's options, not from the floating-point guard's pragma below. */
#if defined(__GNUC__) && !defined(__clang__)
#define LN__VECTORIZE __attribute__((optimize("O3", "align-loops=64", "no-fast-math")))
#else
#define LN__VECTORIZE
#endif
/* Fully unroll the next loop (a small constant trip count), so that its arrays of vectors
   stay in registers: GCC -O2 keeps such a loop, and the arrays on the stack. Not under
   AddressSanitizer, which checks the same accesses either way: there the unrolled narrow-row
   kernels doubled the compile time. */
#if defined(__SANITIZE_ADDRESS__)
#define LN__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LN__ASAN 1
#endif
#endif
#if defined(LN__ASAN)
#define LN__UNROLL
#elif defined(__clang__)
#define LN__UNROLL _Pragma("unroll")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define LN__UNROLL _Pragma("GCC unroll 8")
#else
#define LN__UNROLL
#endif
/* Ask for the cache line at p in every level (x86 prefetcht0); nothing where the compiler
   has no prefetch builtin. */
#if defined(__GNUC__) || defined(__clang__)
#define LN__PREFETCH(p) __builtin_prefetch((p), 0, 3)
#define LN__PREFETCH_L2(p) __builtin_prefetch((p), 0, 2) /* L2 and out (prefetcht1) */
#define LN__PREFETCH_W(p) __builtin_prefetch((p), 1, 3)  /* for writing (prefetchw) */
#else
#define LN__PREFETCH(p) ((void)(p))
#define LN__PREFETCH_L2(p) ((void)(p))
#define LN__PREFETCH_W(p) ((void)(p))
#endif
/* the next row's line at p: into L2 only (l2: LN__PF_L2_COLS), or into L1 too (a
   statement: clang 14 crashed at -O0 on the two prefetches as the arms of a ?:) */
#define ln__prefetch_next(p, l2)                                                            \
    do {                                                                                    \
        if (l2) LN__PREFETCH_L2(p);                                                         \
        else LN__PREFETCH(p);                                                               \
    } while (0)
/* Row drivers are written once and inlined into a function per SIMD target, so the
   kernels they call inline too (a call per row would cost more than a 64-float row). */
#if defined(__GNUC__) || defined(__clang__)
#define LN__INLINE static inline __attribute__((always_inline))
#else
#define LN__INLINE static inline
#endif

/* Floating-point semantics. The accuracy rests on the float operations happening as
   written ((x − mhi) − mlo, the shifted sums), so the implementation opts out of a user's
   -ffast-math / -Ofast / -fassociative-math: under them, y on rows with a large mean
   missed its bound 1000x, and the NaN checks on eps were compiled away. Set before the
   intrinsics headers, since Clang gives an intrinsic the options in force where it is
   defined (so, in the same file, intrinsics the user calls after this header run
   precise too); restored at the end of the implementation, where the user's code gets
   its own options back. float_control came with LLVM's Clang 11; 13 is asked for since
   Apple's Clang 12 can be LLVM 10. */
#if defined(__clang__)
#if __clang_major__ >= 13
#define LN__CLANG_FP_GUARD 1
#if defined(__FAST_MATH__) && (defined(__IMMINTRIN_H) || defined(__ARM_NEON_H)) && \
    !defined(LAYERNORM_NO_SIMD)
#warning "layernorm.h: the implementation comes after <immintrin.h> or <arm_neon.h> in a \
-ffast-math file; Clang then compiles the SIMD kernels with fast-math and they lose \
accuracy. Include the implementation first, or give it a file of its own."
#endif
#pragma float_control(precise, on, push)
#pragma clang fp contract(on)
#endif
#elif defined(__GNUC__) && (defined(__FAST_MATH__) || defined(__ASSOCIATIVE_MATH__) || \
                            defined(__RECIPROCAL_MATH__) || defined(__NO_SIGNED_ZEROS__) || \
                            (defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__))
#define LN__GCC_FP_GUARD 1
/* GCC 12's pop_options leaves the predefined macros that the pragma changed as it set
   them (once a function was defined in between): note the user's, to put them back */
#ifdef __FAST_MATH__
#define LN__HAD_FAST_MATH 1
#endif
#ifdef __ASSOCIATIVE_MATH__
#define LN__HAD_ASSOCIATIVE_MATH 1
#endif
#ifdef __RECIPROCAL_MATH__
#define LN__HAD_RECIPROCAL_MATH 1
#endif
#ifdef __NO_SIGNED_ZEROS__
#define LN__HAD_NO_SIGNED_ZEROS 1
#endif
#ifdef __NO_TRAPPING_MATH__
#define LN__HAD_NO_TRAPPING_MATH 1
#endif
#ifdef __NO_MATH_ERRNO__
#define LN__HAD_NO_MATH_ERRNO 1
#endif
#if defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__
#define LN__HAD_FINITE_MATH_ONLY 1
#endif
#pragma GCC push_options
#pragma GCC optimize("no-fast-math")
#endif

#if !defined(LAYERNORM_NO_SIMD) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(_M_X64))
#include <cpuid.h>
#include <immintrin.h>
#ifndef LAYERNORM_NO_AVX512
#define LN__HAVE_AVX512 1
#endif
#ifndef LAYERNORM_NO_AVX2
#define LN__HAVE_AVX2 1
#endif
#endif
#if !defined(LAYERNORM_NO_SIMD) && !defined(LAYERNORM_NO_NEON) && defined(__aarch64__) && \
    defined(__ARM_NEON)
#include <arm_neon.h>
#define LN__HAVE_NEON 1
#endif

#if defined(_OPENMP) && !defined(LAYERNORM_NO_OPENMP)
#include <omp.h>
#define LN__OPENMP 1
#define LN__PRAGMA(x) _Pragma(#x)
#else
#define LN__PRAGMA(x)
#endif

/* Rows longer than this are summarized block by block (Chan's merge): a block's shifted
   sums lose at most a factor of about nb²/32 of double precision (see ln__row_moments),
   about 1e-10 relative for a block of 4096. */
#define LN__BLOCK 4096
/* dγ/dβ are summed over fixed chunks of about this many elements' rows; the chunk
   partials are added in chunk order, which makes them independent of thread count. */
#define LN__CHUNK_ELEMS 32768
#define LN__MAX_CHUNKS 64
/* ...and threads need one double partial per chunk: fewer chunks (but 2) when their
   partials would pass 1 MiB. Measured at 2 threads: 64x32000 had 32 MiB of partials (a
   fresh mmap, page faults, every call) and ran 2.3x slower; 2048x4096 is 1.08x faster
   with 1 MiB than with 4 MiB. Chunks bound the threads: 16 for 4096 columns. */
#define LN__SCRATCH_BYTES ((size_t)1 << 20)
/* From this many columns, the backward sums dγ/dβ tile by tile over all rows instead of
   into a cols-long double accumulator (4 MiB here, no longer near the L2 cache); tiles of
   LN__SEG columns, with a stack buffer, in spans whose rows' x and dy fill about
   LN__SPAN_BYTES (half the L2 cache), at most LN__SPAN_MAX tiles. One-row calls always do.
   Measured, 1 thread: below it the pipelined rows are faster (0.58x the time at 32768
   columns, 0.65x at 131072, 0.92x at 262144), above it slower (1.14x at 524288). */
#define LN__WIDE 262144
#define LN__SEG 1024
#define LN__SPAN_BYTES ((size_t)512 * 1024)
#define LN__SPAN_MAX 16
/* ...but a single row takes its dx and dγ/dβ terms (into the stack buffer, then onto the
   user's floats) 256 columns at a time, not 1024: the same operations on each column.
   Zen 4, in-process, both link orders: at 1 thread 0.76-0.79x the time at 1048576
   columns, 0.90-0.92x at 65536, 0.92-0.97x at 8192-16384, 0.92-1.05x at 4096 (in cache
   0.92-1.0x), 768 alike; 2 threads 0.83-0.88x at 1048576, 0.99x at 65536; dx += 0.79-0.88x;
   RMSNorm's (dγ only) unchanged. 192 columns measured about the same; 128 as much at
   65536 and more, but up to 1.3x the time at 4096. */
#define LN__SEG_ROW1 256

/* Rows of at most this many columns go eight at a time through fwd_rows8 / bwd_rows8
   (paths that have them), their statistics computed together */
#define LN__ROWS8_COLS 32
/* ...but the AVX-512 backward's only up to 16 (one vector a row); wider rows take the
   pipelined rows, which on AMD Zen 4 (AVX-512 on 256-bit units, so this backward is
   bound by its arithmetic) measured 0.78x the time at 32 columns, 0.95x at 28, 0.97x at
   24 and 1.01x at 20 (1 thread, out of cache, medians of 5 alternating runs). The same
   runs put AVX2's eight-row batches ahead up to 32 (pipelined: 1.19x at 24), so AVX2
   keeps LN__ROWS8_COLS. */
#define LN__BWD_ROWS8_COLS_512 16
/* ...and in LayerNorm's forward on the AVX-512 path, rows of up to this many
   (ln__512_fwd_batch8_body). Against the pipelined rows (in-process, both link orders,
   medians of 6-12 runs, 1 thread): 48 columns 0.89x the time, 64 0.91-0.97x, 100 0.90x,
   128 0.81-0.90x, the fused add 0.88x at 64 and 1.00x at 128; 192 1.04-1.09x, 512 1.19x,
   so not past 128. RMSNorm's rows of 64-128 took 1.01-1.09x, and stay pipelined. */
#define LN__BATCH8_COLS 128
/* ...and likewise on the AVX2 path (ln__256_fwd_rows8_body with ln__256_moments_lanes
   past 32 columns), LayerNorm without the fused add. Zen 4 (AVX2 path), out of cache,
   against the rows one by one (calls of 16 MiB and more) or pipelined (smaller ones),
   1 thread (2): 33 columns 0.78x the time (0.83x), 40 0.74x (0.90x), 48 0.84-0.87x
   (0.90x), 64 0.72-0.78x (0.79-0.91x), 100 0.78x (0.75x), 128 0.73-0.78x (0.79-0.88x),
   malloc'd buffers 0.75-0.84x; in L2 0.80-0.98x. The fused add's batches took 1.08-1.27x
   (the sum is written in the first sweep, then read back), and stay as they were. */
#define LN__BATCH8_COLS_AVX2 128

/* How far ahead of a row sweep that reads from memory the pipelined rows prefetch: 3 KiB.
   Measured against a whole row ahead: 4096 columns 0.91-0.95x the time (forward and
   backward), 128 columns 0.86-0.95x, 256 0.93-0.97x, 512 1.00-1.02x, and the backward's
   80-100 columns 0.89-0.91x; 1-2 KiB and 4-6 KiB fell in between. The forward's rows
   under 128 columns don't prefetch (64: 1.12x slower); the backward's pipelined rows
   all do. */
#define LN__PF_AHEAD 768
/* ...and the backward's pipelined rows (bwd_apply_sums) of at least this many columns ask
   for it (x, dy, and dx += 's old dx) into L2 only (prefetcht1), not L1: each row period
   reads four rows' worth (this row's x and dy from cache, the next row's from memory),
   and lines pulled into L1 ahead push out this row's. Zen 4, out of cache, aligned
   buffers, in-process A/B, 1 thread (2), T1 over T0, time:
     AVX-512  3072-16384 columns 0.81-0.87x (0.85-0.90x), RMSNorm's 0.79-0.84x;
              dx += 4096-8192 0.80-0.83x (0.93x), 768 0.86x (0.85x), 256 0.90x (0.97x)
     AVX2     3072-8192 0.86-0.90x, 256 0.94-0.95x; dx += 768-8192 0.76-0.84x (0.85-0.93x)
     in L2/L3 (64x768 to 256x2048) 0.96-0.99x, dx += 0.82-0.90x.
   At 64 and 128 columns it took 1.01-1.19x, so not there. The forward's pipelined rows
   stay with L1 (T1 measured 1.03-1.10x at 512-4096 columns in L3). */
#define LN__PF_L2_COLS 256
/* LN__FWD8_PF_L2: the AVX-512 forward's row batches (fwd_rows8 of up to 32 columns,
   fwd_batch8 of 33-128) ask for the next batch into L2 only (prefetcht1) too. Zen 4, out
   of cache, 1 thread (2), T1 over T0, time: rows of 16 columns 0.95-0.97x (0.94-0.97x),
   32 0.81-0.99x (0.96-0.98x), 8 and 24 0.99-1.01x, RMSNorm's and the fused add's rows of
   16-32 0.86-0.90x and 0.94-0.95x; 48 0.94-0.97x (0.94-0.98x), 64 0.96-0.99x
   (0.96x), 100 0.94x (0.98x), 128 0.91-0.93x (0.94x). Not the fused add's batches (x and
   the residual into L2: 48-128 columns 1.15-1.25x): they keep L1.
   The AVX-512 backward's rows8 do from LN__BWD8_PF_L2_COLS columns: 16 0.90-0.91x
   (0.92x), RMSNorm's 0.91x, with malloc's buffers 0.91x; 15 0.93-0.94x (0.95x); but 14
   0.97x aligned and 1.14x with malloc's buffers, 12 1.06x (1.30x), 8 1.06-1.07x. The AVX2
   rows8 (up to 32 columns) only at 16 and 32: 0.93x and 0.90x (0.91x and 0.92x), with
   malloc's buffers 0.95-0.96x; at 15 and 20 they took 1.02-1.07x, at 24 and 26
   0.95-1.02x, 8 and 12 1.06-1.14x. */
#define LN__BWD8_PF_L2_COLS 15

/* bwd_params of at most this many whole rows (a group of rows of 8192 columns and more
   holds LN__GROUP_MIN_ROWS) asks for each row's columns LN__PARAMS_AHEAD (two AVX-512
   tiles) ahead: with four rows the hardware prefetcher does not follow the eight streams,
   8 to 32 KiB apart. Zen 4, out of cache, in-process, both link orders, 1 thread (2):
   8192 columns 0.93x the time (0.97x), 16384 0.89-0.94x (0.93x), 32768 0.85x (0.91x),
   131072 0.94x (0.99x). Not for the column spans of rows of LN__WIDE columns and more
   (4 rows of 1048576: 1.05x). With more rows it did not pay: 6144 columns (5 rows)
   0.97-0.98x, 4096 (8) 1.02x, 3000 (10) 0.96-0.98x. The AVX2 tiles (16 columns) gained
   only from 16384 columns on, and most with 256 floats ahead: 16384 0.96x (0.98x), 32768
   0.89x; at 8192 1.00-1.04x (128 ahead 1.00-1.03x), so not there. */
#define LN__PARAMS_PF_ROWS 4
#define LN__PARAMS_AHEAD 128
#define LN__PARAMS_AHEAD_AVX2 256
#define LN__PARAMS_PF_COLS_AVX2 16384
#define ln__params_prefetch_at(dy, x, ahead)                                                \
    (LN__PREFETCH((dy) + (ahead)), LN__PREFETCH((x) + (ahead)))
#define ln__params_prefetch(dy, x) ln__params_prefetch_at(dy, x, LN__PARAMS_AHEAD)

/* bwd_apply flags */
#define LN__DX_ACC 1      /* dx += t instead of dx = t */
#define LN__PARAM_FIRST 2 /* pg = term instead of pg += term (first row of a sum) */
#define LN__STREAM 4      /* non-temporal stores for dx / y */
#define LN__AHEAD8 8      /* rows 8 rows ahead exist (bwd_rows8 prefetches them) */
#define LN__ROWS8_NT 2    /* fwd_rows8's `ahead`: y of 16-column rows, 64-byte aligned, bypasses
                             the cache (ln__stream_for) */

/* Per-row backward coefficients: dx = a·g + b + c·x̂ with g = γ·dy and
   x̂ = ((x − mean) − delta)·rstd (float, for dx) or x̂ = (x − shift)·rstd (double, for dγ:
   no rounding of x̂ adds to a sum over rows that may cancel). See ln__backward_row. */
typedef struct ln__bwd_coef {
    float mean, a, b, c, rstd, delta;
    double shift; /* mean + delta: the row's exact mean, for dγ's x̂ in double */
    double hb;    /* −shift·rstd: x̂ = x·rstd + hb in one fma */
    const float *pf_x, *pf_dy; /* the next row, to prefetch while this one is in cache */
} ln__bwd_coef;

/* The dx coefficients of a row from its sums s = {S_g, S_gx, S_x} (ln__backward_coef
   gives the algebra; RMSNorm has mean = δ = mean(g) = 0). */
LN__INLINE void ln__coef_from_sums(ln__bwd_coef *k, const double s[3], float mean, float rstd,
                                   size_t n, int rms) {
    double r = (double)rstd, inv_n = 1.0 / (double)n, delta, mg, mgx;
    delta = rms ? 0 : s[2] * inv_n;
    mg = rms ? 0 : s[0] * inv_n;
    mgx = r * (s[1] - delta * s[0]) * inv_n;
    k->mean = mean;
    k->rstd = rstd;
    k->delta = (float)delta;
    k->shift = (double)mean + delta;
    k->hb = -k->shift * (double)rstd;
    k->pf_x = k->pf_dy = NULL;
    k->a = rstd;
    k->c = (float)(-r * mgx);
    k->b = (float)(-r * mg);
}

/* One code path = one set of row kernels. Sums come back in double. */
typedef struct ln__kernels {
    /* out = { Σ d, Σ d² } with d = v − k in double (exact: both are floats), v = x, or
       with r != NULL v = x + r, written to s as it goes (the fused residual add) */
    void (*moments)(const float *x, const float *r, float *s, size_t n, double k,
                    double out[2]);
    double (*sqdev)(const float *x, size_t n, double m);       /* Σ (x − m)²         */
    void (*add)(float *s, const float *x, const float *r, size_t n); /* s = x + r */
    /* y = ((x − mhi) − mlo)·rstd·γ + β   (γ NULL: 1, β NULL: 0); pf: the next row, to
       prefetch (NULL: none) so its first read, from memory, overlaps this row's work */
    void (*norm)(float *y, const float *x, size_t n, float mhi, float mlo, float rstd,
                 const float *gamma, const float *beta, int stream, const float *pf);
    /* norm of this row and moments of the next one (xn, about kn) in one loop, so the
       next row streams in from memory while this one is computed; bitwise the same as
       norm then moments. pf: prefetched along with the sweep, pf + i with xn + i (NULL:
       none; ln__pf_next puts it 3 KiB ahead). NULL: the path does them one after the
       other. */
    void (*norm_moments)(float *y, const float *x, size_t n, float mhi, float mlo, float rstd,
                         const float *gamma, const float *beta, const float *xn, double kn,
                         double out[2], const float *pf);
    /* norm_moments for the fused add: y of this row from its sum s, while the next row's
       sum sn = xn + rn is written and its moments taken (the bits of moments with r, s);
       pf_r: as pf, for rn. NULL: the fused add goes row by row. */
    void (*norm_add_moments)(float *y, const float *s, size_t n, float mhi, float mlo,
                             float rstd, const float *gamma, const float *beta,
                             const float *xn, const float *rn, float *sn, double kn,
                             double out[2], const float *pf, const float *pf_r);
    /* rows of n <= fwd_rows8_cols, nr <= 8 of them: ln__forward_row of each (RMSNorm with
       rms; with res, the fused add into sum), the rows' statistics computed together.
       ahead: 1 if the 8 rows after the batch exist, and so do LN__PF_AHEAD floats past the
       batch; | LN__ROWS8_NT: y bypasses the cache (rows of 16, y 64-byte aligned; paths
       may ignore it). NULL: the path goes row by row. */
    void (*fwd_rows8)(float *y, float *sum, float *mean, float *rstd, const float *x,
                      const float *res, const float *gamma, const float *beta, size_t nr,
                      size_t n, float eps, int rms, int ahead);
    size_t fwd_rows8_cols, fwd_rows8_add_cols; /* LayerNorm's; with the fused add */
    /* out = { Σ g, Σ g·x̃, Σ x̃ },  g = γ·dy, x̃ = x − mean */
    void (*bwd_sums)(double out[3], const float *dy, const float *x, const float *gamma,
                     size_t n, float mean);
    /* dx (=|+=) a·g + b + c·x̂;  pg (=|+=) dy·x̂;  pb (=|+=) dy   (each may be NULL) */
    void (*bwd_apply)(float *dx, double *pg, double *pb, const float *dy, const float *x,
                      const float *gamma, size_t n, const ln__bwd_coef *k, int flags);
    /* dγ/dβ of `rows` rows of n columns (row r at dy + r·ld, x + r·ld, already past their
       dx sweep, so in cache): pg[j] (=|+=) Σ_r dy·x̂ with x̂ = x·rs[r] + hb[r] in double,
       pb[j] (=|+=) Σ_r dy, rows added in order (the same bits as bwd_apply row by row).
       Column tiles keep the sums in registers: dγ/dβ then cost no loads and stores per
       row, which otherwise crowd out the memory traffic. NULL: bwd_apply does it row by
       row. */
    void (*bwd_params)(double *pg, double *pb, const float *dy, const float *x, size_t n,
                       size_t ld, size_t rows, const double *rs, const double *hb, int first);
    /* rows of n <= bwd_rows8_cols, nr <= 8 of them: ln__backward_coef and dx (if asked) of
       each, the rows' coefficients computed together, and their dγ/dβ terms into pg, pb
       (if not NULL; LN__PARAM_FIRST: row 0 stores) with the bits of bwd_params; per row
       rs = rstd and hb. mean NULL: RMSNorm. NULL: the path goes row by row. */
    void (*bwd_rows8)(double *rs, double *hb, float *dx, double *pg, double *pb,
                      const float *dy, const float *x, const float *gamma, const float *mean,
                      const float *rstd, size_t nr, size_t n, int flags);
    size_t bwd_rows8_cols;
    /* bwd_apply of this row (dx only; LN__STREAM: non-temporal) interleaved with bwd_sums
       of the next (dyn, xn, about meann), so the next row streams in from memory while
       this one is written; pf_x, pf_dy: where to prefetch, as norm_moments' pf (with
       LN__DX_ACC the old dx there too). The bits of the two kernels one after the other.
       NULL: the path does them one after the other. */
    void (*bwd_apply_sums)(float *dx, const float *dy, const float *x, const float *gamma,
                           size_t n, const ln__bwd_coef *k, int flags, double out[3],
                           const float *dyn, const float *xn, float meann,
                           const float *pf_x, const float *pf_dy);
    /* dst[j] += (float)src[j]: the double dγ/dβ sums into the user's float arrays */
    void (*add_rounded)(float *dst, const double *src, size_t n);
} ln__kernels;

/* ---- 2. scalar reference kernels ------------------------------------------------------
   The readable statement of the math, always compiled, and the oracle the SIMD paths are
   tested against. Sums are in double: x − mean must not lose the digits of a large mean. */

/* v rounded to float. On x87 (32-bit x86 without SSE math, FLT_EVAL_METHOD 2) GCC keeps
   float expressions in 80-bit registers past assignments (its default outside strict ISO
   modes, -fexcess-precision=fast), so x + res feeding the sums would not be the sum that
   was stored, and dx + t would not add the t that ln_backward stores. Elsewhere a no-op. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != 1
LN__INLINE float ln__rounded(float v) {
    volatile float t = v; /* a store and a load: the only rounding GCC cannot skip */
    return t;
}
#else
#define ln__rounded(v) (v)
#endif

static void ln__scalar_moments(const float *x, const float *r, float *s, size_t n, double k,
                               double out[2]) {
    double s1 = 0, s2 = 0;
    /* r and s come together; testing both keeps clang-tidy from pairing an r with no s */
    const int fused = r != NULL && s != NULL;
    size_t i;
    for (i = 0; i < n; i++) {
        float v = fused ? (s[i] = ln__rounded(x[i] + r[i])) : x[i];
        double d = (double)v - k;
        s1 += d;
        s2 += d * d;
    }
    out[0] = s1;
    out[1] = s2;
}
static double ln__scalar_sqdev(const float *x, size_t n, double m) {
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = (double)x[i] - m;
        s += d * d;
    }
    return s;
}

static void ln__scalar_add(float *s, const float *x, const float *r, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) s[i] = x[i] + r[i];
}
static void ln__scalar_norm(float *y, const float *x, size_t n, float mhi, float mlo,
                            float rstd, const float *gamma, const float *beta, int stream,
                            const float *pf) {
    size_t i;
    (void)stream;
    (void)pf;
    for (i = 0; i < n; i++) {
        /* mean = mhi + mlo exactly (a double split in two floats); x − mhi is exact when
           x is near the mean (Sterbenz), so a mean of 10000 costs no digits. */
        float xhat = ((x[i] - mhi) - mlo) * rstd;
        y[i] = xhat * (gamma ? gamma[i] : 1.0f) + (beta ? beta[i] : 0.0f);
    }
}

static void ln__scalar_bwd_sums(double out[3], const float *dy, const float *x,
                                const float *gamma, size_t n, float mean) {
    double sg = 0, sgx = 0, sx = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        float g = gamma ? gamma[i] * dy[i] : dy[i];
        double xt = (double)x[i] - (double)mean; /* exact, unlike its float twin */
        sg += (double)g;
        sgx += (double)g * xt;
        sx += xt;
    }
    out[0] = sg;
    out[1] = sgx;
    out[2] = sx;
}

static void ln__scalar_bwd_apply(float *dx, double *pg, double *pb, const float *dy,
                                 const float *x, const float *gamma, size_t n,
                                 const ln__bwd_coef *k, int flags) {
    size_t i;
    for (i = 0; i < n; i++) {
        float d = dy[i], xi = x[i]; /* read before dx is written: dx may be dy or x */
        float g = gamma ? gamma[i] * d : d;
        float xhat = ((xi - k->mean) - k->delta) * k->rstd;
        if (dx) {
            float t = k->c * xhat + (k->a * g + k->b);
            dx[i] = (flags & LN__DX_ACC) ? dx[i] + ln__rounded(t) : t;
        }
        if (pg) {
            double term = (double)d * (((double)xi - k->shift) * (double)k->rstd);
            pg[i] = (flags & LN__PARAM_FIRST) ? term : pg[i] + term;
        }
        if (pb) pb[i] = (flags & LN__PARAM_FIRST) ? (double)d : pb[i] + (double)d;
    }
}

LN__VECTORIZE static void ln__scalar_add_rounded(float *dst, const double *src, size_t n) {
    size_t j;
    for (j = 0; j < n; j++) dst[j] += (float)src[j];
}

static const ln__kernels ln__kernels_scalar = {
    ln__scalar_moments, ln__scalar_sqdev, ln__scalar_add, ln__scalar_norm, NULL, NULL, NULL, 0,
    0, ln__scalar_bwd_sums, ln__scalar_bwd_apply, NULL, NULL, 0, NULL, ln__scalar_add_rounded};

/* ---- 3. SIMD kernels --------------------------------------------------------------------
   Same math as section 2, element for element; sums use several double accumulators.
   Each kernel walks: [head: masked, until the store address is 64-byte aligned, only when
   streaming] [body: full vectors] [tail: masked] (the backward's streamed dx may take
   them in another order: ln__dx_lag, ln__sweep_down). Masked-off lanes load as 0 and
   must not reach a sum (x − mean of a 0 lane is not 0), so tails mask the subtraction
   too.
   Out of cache, speed depends less on arithmetic than on keeping memory busy: the
   AVX-512 path therefore pipelines rows (one row's output while the next row's sums
   stream in), prefetches a row or two ahead, and keeps dγ/dβ sums in registers (see
   bwd_params) instead of loading and storing them next to each dx store. */

/* Elements before dst reaches a 64-byte boundary (0 if dst is not even float-aligned). */
LN__PRIV size_t ln__head(const float *dst, size_t n) {
    size_t a = (size_t)((uintptr_t)dst & 63), h;
    if (a & 3) return 0;
    h = ((64 - a) & 63) / 4;
    return h < n ? h : n;
}

/* The pipelined backward with non-temporal dx (bwd_apply_sums): how many 64-byte lines
   dx's aligned stores (from dx0) trail the next row's loads (xn, dyn). A load that
   partly overlaps a store still in flight at the same offset within a 4 KiB page (the
   CPU compares the low 12 address bits first) waits for it. With malloc's rows, all 16
   bytes past a page, each aligned store sat 48 bytes ahead of the next loads: Zen 4,
   4096 columns, pipelined over one by one, 0.98-0.99x the time, and 0.86-0.91x when
   the stores trail by 16 bytes (as with 64-byte aligned rows at any offset). So: the
   fewest lines, 0-4, that keep every store out of the 1-127 bytes ahead of a load
   (each stream rules out at most two). */
LN__PRIV size_t ln__dx_lag(const float *dx0, const float *xn, const float *dyn) {
    size_t lag;
    for (lag = 0; lag < 4; lag++) {
        size_t ax = ((uintptr_t)dx0 - 64 * lag - (uintptr_t)xn) & 4095;
        size_t ady = ((uintptr_t)dx0 - 64 * lag - (uintptr_t)dyn) & 4095;
        if (!(ax > 0 && ax < 128) && !(ady > 0 && ady < 128)) break;
    }
    return lag;
}

/* The backward's rows one by one with non-temporal dx (bwd_apply): dx's stores, the
   row's x and dy read from L1 at the same index. Sweep the row downwards, last vector
   first? A streamed store stays in the store buffer until its line goes out, and a load
   that matches it in the low 12 address bits waits for it (as in ln__dx_lag). With dx
   d bytes past a source within a 4 KiB page, sweeping up, the store of vector i meets
   the load of vector i + d/64 (when d is small, soon after); sweeping down, that load
   came first and the next match is 4096 − d bytes on. So: the direction whose nearest
   match is furthest off (a source at dx's offset: no match either way). Zen 4, out of
   cache, malloc's buffers with dx moved, in-process A/B, the choice over always up, 1
   thread: dx 48 bytes past x and dy, 768 columns 0.79-0.82x the time (AVX2 0.66x),
   2048 0.80-0.84x (AVX2 0.78-0.80x; 2 threads 0.83-0.84x; RMSNorm's 0.85-0.87x); 1 KiB
   past, 768 0.92-0.94x (AVX2 0.91x), 2048 0.89-0.91x (2 threads 0.95-0.97x); where it
   stays up (dx at their offset, 16 bytes or 1 KiB before, 2 KiB past) 0.98-1.02x.
   (The forward's y would gain too: 4096 columns 0.88x with y 48 bytes or 1 KiB past x.
   But at 768 columns any change to its loop moved the time 0.7-1.2x, with or without
   the choice taken, so it was left as it is.) */
LN__PRIV int ln__sweep_down(const float *dst, const float *a, const float *b) {
    size_t da = ((uintptr_t)dst - (uintptr_t)a) & 4095;
    size_t db = b ? ((uintptr_t)dst - (uintptr_t)b) & 4095 : 0;
    size_t up_a = da ? da : 4096, up_b = db ? db : 4096;                 /* sweeping up */
    size_t down_a = da ? 4096 - da : 4096, down_b = db ? 4096 - db : 4096; /* and down */
    return (down_a < down_b ? down_a : down_b) > (up_a < up_b ? up_a : up_b);
}

#ifdef LN__HAVE_AVX512
/* prfchw: PREFETCHW, a hint that AVX-512 CPUs have (Intel since Broadwell; AMD long before) */
#define LN__AVX512 __attribute__((target("avx512f,avx2,fma,prfchw")))
/* kernels inline into the per-path row-range functions (see LN__RANGES); those called
   once per group of rows stay out of line (_G): no speed to gain, and inlined they made
   the backward range function take 44 s to compile under ASan */
#define LN__AVX512_K static inline __attribute__((target("avx512f,avx2,fma,prfchw"), always_inline))
#define LN__AVX512_G static __attribute__((target("avx512f,avx2,fma,prfchw"), noinline))
#define LN__ST_PLAIN 0
#define LN__ST_STREAM 1
#define LN__ST_MASKED 2

/* The low / high 8 floats of a vector, widened to double. The zero-masked intrinsics
   are used because GCC 12's plain ones start from an "undefined" register that its C++
   -O2 -Wall reports as maybe-uninitialized (GCC PR 105593). */
LN__AVX512_K __m512d ln__512_lo(__m512 v) {
    return _mm512_maskz_cvtps_pd(0xFF, _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, _mm512_castps_pd(v), 0)));
}
LN__AVX512_K __m512d ln__512_hi(__m512 v) {
    return _mm512_maskz_cvtps_pd(0xFF, _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, _mm512_castps_pd(v), 1)));
}
/* p[0..8) in double, converted straight from memory */
LN__AVX512_K __m512d ln__512_cvt_at(const float *p) {
    return _mm512_maskz_cvtps_pd(0xFF, _mm256_loadu_ps(p));
}
/* d = v − k in double for the 32 floats v at x (or v = x + r, stored to s: the fused
   add), as four vectors. Plain loads convert their halves straight from memory, with no
   extract of the high half. */
LN__AVX512_K void ln__512_quarters_at(const float *x, const float *r, float *s, __m512d k,
                                      __m512d *d0, __m512d *d1, __m512d *d2, __m512d *d3) {
    __m512d c0, c1, c2, c3;
    if (r) {
        __m512 v0 = _mm512_add_ps(_mm512_loadu_ps(x), _mm512_loadu_ps(r));
        __m512 v1 = _mm512_add_ps(_mm512_loadu_ps(x + 16), _mm512_loadu_ps(r + 16));
        _mm512_storeu_ps(s, v0);
        _mm512_storeu_ps(s + 16, v1);
        c0 = ln__512_lo(v0), c1 = ln__512_hi(v0), c2 = ln__512_lo(v1), c3 = ln__512_hi(v1);
    } else {
        c0 = ln__512_cvt_at(x), c1 = ln__512_cvt_at(x + 8);
        c2 = ln__512_cvt_at(x + 16), c3 = ln__512_cvt_at(x + 24);
    }
    *d0 = _mm512_sub_pd(c0, k), *d1 = _mm512_sub_pd(c1, k);
    *d2 = _mm512_sub_pd(c2, k), *d3 = _mm512_sub_pd(c3, k);
}
LN__AVX512_K double ln__512_hsum(__m512d v) {
    __m256d h = _mm256_add_pd(_mm512_maskz_extractf64x4_pd(0xF, v, 0),
                              _mm512_maskz_extractf64x4_pd(0xF, v, 1));
    __m128d q = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    return _mm_cvtsd_f64(_mm_add_sd(q, _mm_unpackhi_pd(q, q)));
}
static inline __mmask16 ln__512_mask(size_t w) { /* first w lanes, w <= 16 */
    return (__mmask16)(w >= 16 ? 0xFFFFu : ((1u << w) - 1u));
}
/* the lanes of vector v (columns 16v .. 16v + 15) that lie within the first w columns */
static inline __mmask16 ln__512_mask_at(size_t w, size_t v) {
    return ln__512_mask(w > 16 * v ? w - 16 * v : 0);
}
LN__AVX512_K void ln__512_store(float *p, __m512 v, __mmask16 m, int how) {
    if (how == LN__ST_STREAM) _mm512_stream_ps(p, v);
    else if (how == LN__ST_MASKED) _mm512_mask_storeu_ps(p, m, v);
    else _mm512_storeu_ps(p, v);
}
/* p[0..16) (=|+=) a·b, the 16 lanes as two double halves */
LN__AVX512_K void ln__512_acc(double *p, __m512d a0, __m512d b0, __m512d a1,
                                          __m512d b1, __mmask16 m, int first) {
    __mmask8 m0 = (__mmask8)(m & 0xFF), m1 = (__mmask8)(m >> 8);
    __m512d r0, r1;
    if (first) {
        r0 = _mm512_mul_pd(a0, b0);
        r1 = _mm512_mul_pd(a1, b1);
    } else {
        r0 = _mm512_fmadd_pd(a0, b0, _mm512_maskz_loadu_pd(m0, p));
        r1 = _mm512_fmadd_pd(a1, b1, _mm512_maskz_loadu_pd(m1, p + 8));
    }
    _mm512_mask_storeu_pd(p, m0, r0);
    _mm512_mask_storeu_pd(p + 8, m1, r1);
}
/* p[0..16) (=|+=) a */
LN__AVX512_K void ln__512_acc1(double *p, __m512d a0, __m512d a1, __mmask16 m,
                                           int first) {
    __mmask8 m0 = (__mmask8)(m & 0xFF), m1 = (__mmask8)(m >> 8);
    if (!first) {
        a0 = _mm512_add_pd(a0, _mm512_maskz_loadu_pd(m0, p));
        a1 = _mm512_add_pd(a1, _mm512_maskz_loadu_pd(m1, p + 8));
    }
    _mm512_mask_storeu_pd(p, m0, a0);
    _mm512_mask_storeu_pd(p + 8, m1, a1);
}

LN__AVX512_K void ln__avx512_moments(const float *x, const float *r, float *s, size_t n,
                                     double k, double out[2]) {
    const __m512d vk = _mm512_set1_pd(k);
    __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, q0 = a0, q1 = a0, q2 = a0, q3 = a0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512d d0, d1, d2, d3;
        ln__512_quarters_at(x + i, r ? r + i : NULL, r ? s + i : NULL, vk, &d0, &d1, &d2, &d3);
        a0 = _mm512_add_pd(a0, d0);
        a1 = _mm512_add_pd(a1, d1);
        a2 = _mm512_add_pd(a2, d2);
        a3 = _mm512_add_pd(a3, d3);
        q0 = _mm512_fmadd_pd(d0, d0, q0);
        q1 = _mm512_fmadd_pd(d1, d1, q1);
        q2 = _mm512_fmadd_pd(d2, d2, q2);
        q3 = _mm512_fmadd_pd(d3, d3, q3);
    }
    for (; i < n; i += 16) {
        __mmask16 m = ln__512_mask(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __m512d d0, d1;
        if (r) {
            v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, r + i));
            _mm512_mask_storeu_ps(s + i, m, v);
        }
        d0 = _mm512_maskz_sub_pd((__mmask8)(m & 0xFF), ln__512_lo(v), vk);
        d1 = _mm512_maskz_sub_pd((__mmask8)(m >> 8), ln__512_hi(v), vk);
        a0 = _mm512_add_pd(a0, d0);
        a1 = _mm512_add_pd(a1, d1);
        q0 = _mm512_fmadd_pd(d0, d0, q0);
        q1 = _mm512_fmadd_pd(d1, d1, q1);
    }
    out[0] = ln__512_hsum(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
    out[1] = ln__512_hsum(_mm512_add_pd(_mm512_add_pd(q0, q1), _mm512_add_pd(q2, q3)));
}
LN__AVX512_K double ln__avx512_sqdev(const float *x, size_t n, double m) {
    const __m512d vm = _mm512_set1_pd(m);
    __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512d d0, d1, d2, d3;
        ln__512_quarters_at(x + i, NULL, NULL, vm, &d0, &d1, &d2, &d3);
        a0 = _mm512_fmadd_pd(d0, d0, a0);
        a1 = _mm512_fmadd_pd(d1, d1, a1);
        a2 = _mm512_fmadd_pd(d2, d2, a2);
        a3 = _mm512_fmadd_pd(d3, d3, a3);
    }
    for (; i < n; i += 16) {
        __mmask16 k = ln__512_mask(n - i);
        __m512 v = _mm512_maskz_loadu_ps(k, x + i);
        __m512d d0 = _mm512_maskz_sub_pd((__mmask8)(k & 0xFF), ln__512_lo(v), vm);
        __m512d d1 = _mm512_maskz_sub_pd((__mmask8)(k >> 8), ln__512_hi(v), vm);
        a0 = _mm512_fmadd_pd(d0, d0, a0);
        a1 = _mm512_fmadd_pd(d1, d1, a1);
    }
    return ln__512_hsum(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
}

LN__AVX512_K void ln__avx512_add(float *s, const float *x, const float *r, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(s + i, _mm512_add_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(r + i)));
    if (i < n) {
        __mmask16 k = ln__512_mask(n - i);
        __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, r + i));
        _mm512_mask_storeu_ps(s + i, k, v);
    }
}
/* y = t·rstd·γ + β from t = (x − mhi) − mlo: (t·rstd)·γ + β, or without γ t·rstd + β in
   one fma. (Not a γ of 1: that leaves a multiply and an add apart, which a compiler that
   contracts across statements (clang -O3 -ffp-contract=fast, -Ofast) fused in some
   kernels and not in others, and the pipelined kernels must give the plain ones' bits.) */
LN__AVX512_K __m512 ln__512_affine(__m512 t, __m512 vr, int has_gamma, __m512 g, __m512 b) {
    return has_gamma ? _mm512_fmadd_ps(_mm512_mul_ps(t, vr), g, b) : _mm512_fmadd_ps(t, vr, b);
}
/* one vector of y = ((x − mhi) − mlo)·rstd·γ + β */
LN__AVX512_K void ln__512_norm_step(float *y, const float *x, size_t i, __mmask16 k,
                                                int how, __m512 vh, __m512 vl, __m512 vr,
                                                const float *gamma, const float *beta) {
    __m512 v = _mm512_maskz_loadu_ps(k, x + i);
    __m512 t = _mm512_sub_ps(_mm512_sub_ps(v, vh), vl);
    /* (γ loaded here, before the choice: loaded inside it, 8192x768 took 1.07x the time) */
    __m512 g = gamma ? _mm512_maskz_loadu_ps(k, gamma + i) : _mm512_setzero_ps();
    __m512 b = beta ? _mm512_maskz_loadu_ps(k, beta + i) : _mm512_setzero_ps();
    ln__512_store(y + i, ln__512_affine(t, vr, gamma != NULL, g, b), k, how);
}

LN__AVX512_K void ln__avx512_norm(float *y, const float *x, size_t n, float mhi, float mlo,
                                       float rstd, const float *gamma, const float *beta,
                                       int stream, const float *pf) {
    const __m512 vh = _mm512_set1_ps(mhi), vl = _mm512_set1_ps(mlo), vr = _mm512_set1_ps(rstd);
    size_t i = 0, head = stream ? ln__head(y, n) : 0;
    if (stream && ((uintptr_t)y & 3)) stream = 0;
    if (head) {
        ln__512_norm_step(y, x, 0, ln__512_mask(head), LN__ST_MASKED, vh, vl, vr, gamma, beta);
        i = head;
    }
    if (stream && pf) /* the next row into L2 (the caller passes pf: LN__STREAM_PF_COLS) */
        for (; i + 16 <= n; i += 16) {
            _mm_prefetch((const char *)(pf + i), _MM_HINT_T1);
            ln__512_norm_step(y, x, i, 0xFFFF, LN__ST_STREAM, vh, vl, vr, gamma, beta);
        }
    else if (stream)
        for (; i + 16 <= n; i += 16)
            ln__512_norm_step(y, x, i, 0xFFFF, LN__ST_STREAM, vh, vl, vr, gamma, beta);
    else if (pf)
        for (; i + 16 <= n; i += 16) {
            _mm_prefetch((const char *)(pf + i), _MM_HINT_T1);
            ln__512_norm_step(y, x, i, 0xFFFF, LN__ST_PLAIN, vh, vl, vr, gamma, beta);
        }
    else
        for (; i + 16 <= n; i += 16)
            ln__512_norm_step(y, x, i, 0xFFFF, LN__ST_PLAIN, vh, vl, vr, gamma, beta);
    if (i < n)
        ln__512_norm_step(y, x, i, ln__512_mask(n - i), LN__ST_MASKED, vh, vl, vr, gamma, beta);
}

/* x̃ = x − mean in double (exact); masked-off lanes must give 0, not −mean */
/* ln__avx512_norm (unstreamed) of this row interleaved with ln__avx512_moments of the next:
   the same operations in the same order for each, so the same bits. */
LN__AVX512_K void ln__512_norm_moments_body(float *y, const float *x, size_t n, float mhi,
                                            float mlo, float rstd, const float *gamma,
                                            const float *beta, const float *xn,
                                            const float *rn, float *sn, double kn,
                                            double out[2], const float *pf,
                                            const float *pf_r) {
    const __m512 vh = _mm512_set1_ps(mhi), vl = _mm512_set1_ps(mlo), vr = _mm512_set1_ps(rstd);
    const __m512d vk = _mm512_set1_pd(kn), one = _mm512_set1_pd(1.0);
    __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, q0 = a0, q1 = a0, q2 = a0, q3 = a0;
    size_t i = 0, t;
    for (; i + 32 <= n; i += 32) {
        __m512d d0, d1, d2, d3;
        /* with the fused add, the next row's sum is stored as moments stores it */
        ln__512_quarters_at(xn + i, rn ? rn + i : NULL, rn ? sn + i : NULL, vk, &d0, &d1, &d2,
                            &d3);
        if (pf) {
            _mm_prefetch((const char *)(pf + i), _MM_HINT_T0);
            _mm_prefetch((const char *)(pf + i + 16), _MM_HINT_T0);
            if (rn) {
                _mm_prefetch((const char *)(pf_r + i), _MM_HINT_T0);
                _mm_prefetch((const char *)(pf_r + i + 16), _MM_HINT_T0);
            }
        }
        /* Σd as fma(d, 1, Σd), the same bits as an add: Zen 4 adds on two pipes and
           multiplies on two others, and this loop's float and double subtractions load
           the adders (gcc, rows of 512-1024 columns in cache: 0.97-0.98x the time; out of
           cache, and in the moments-only kernel, no change; clang folds it back into an
           add; the AVX2 loop so written took 1.3-1.5x: the constant is a 17th register,
           and gcc spilled accumulators to the stack) */
        a0 = _mm512_fmadd_pd(d0, one, a0);
        a1 = _mm512_fmadd_pd(d1, one, a1);
        a2 = _mm512_fmadd_pd(d2, one, a2);
        a3 = _mm512_fmadd_pd(d3, one, a3);
        q0 = _mm512_fmadd_pd(d0, d0, q0);
        q1 = _mm512_fmadd_pd(d1, d1, q1);
        q2 = _mm512_fmadd_pd(d2, d2, q2);
        q3 = _mm512_fmadd_pd(d3, d3, q3);
        ln__512_norm_step(y, x, i, 0xFFFF, LN__ST_PLAIN, vh, vl, vr, gamma, beta);
        ln__512_norm_step(y, x, i + 16, 0xFFFF, LN__ST_PLAIN, vh, vl, vr, gamma, beta);
    }
    for (t = i; t < n; t += 16) { /* the rest of the next row, as ln__avx512_moments */
        __mmask16 m = ln__512_mask(n - t);
        __m512 v = _mm512_maskz_loadu_ps(m, xn + t);
        if (rn) {
            v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, rn + t));
            _mm512_mask_storeu_ps(sn + t, m, v);
        }
        __m512d d0 = _mm512_maskz_sub_pd((__mmask8)(m & 0xFF), ln__512_lo(v), vk);
        __m512d d1 = _mm512_maskz_sub_pd((__mmask8)(m >> 8), ln__512_hi(v), vk);
        a0 = _mm512_add_pd(a0, d0);
        a1 = _mm512_add_pd(a1, d1);
        q0 = _mm512_fmadd_pd(d0, d0, q0);
        q1 = _mm512_fmadd_pd(d1, d1, q1);
    }
    for (; i + 16 <= n; i += 16)
        ln__512_norm_step(y, x, i, 0xFFFF, LN__ST_PLAIN, vh, vl, vr, gamma, beta);
    if (i < n)
        ln__512_norm_step(y, x, i, ln__512_mask(n - i), LN__ST_MASKED, vh, vl, vr, gamma, beta);
    out[0] = ln__512_hsum(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
    out[1] = ln__512_hsum(_mm512_add_pd(_mm512_add_pd(q0, q1), _mm512_add_pd(q2, q3)));
}
/* the body inlined three times: with γ and β both given (the common case), with and
   without the prefetch, the compiler drops the per-vector tests */
LN__AVX512_K void ln__avx512_norm_moments(float *y, const float *x, size_t n, float mhi,
                                          float mlo, float rstd, const float *gamma,
                                          const float *beta, const float *xn, double kn,
                                          double out[2], const float *pf) {
    if (gamma && beta && pf)
        ln__512_norm_moments_body(y, x, n, mhi, mlo, rstd, gamma, beta, xn, NULL, NULL, kn,
                                  out, pf, NULL);
    else if (gamma && beta)
        ln__512_norm_moments_body(y, x, n, mhi, mlo, rstd, gamma, beta, xn, NULL, NULL, kn,
                                  out, NULL, NULL);
    else
        ln__512_norm_moments_body(y, x, n, mhi, mlo, rstd, gamma, beta, xn, NULL, NULL, kn,
                                  out, pf, NULL);
}
/* the fused add's: γ given (β too for LayerNorm; RMSNorm has none), with the prefetch, is
   the common case */
LN__AVX512_K void ln__avx512_norm_add_moments(float *y, const float *s, size_t n, float mhi,
                                              float mlo, float rstd, const float *gamma,
                                              const float *beta, const float *xn,
                                              const float *rn, float *sn, double kn,
                                              double out[2], const float *pf,
                                              const float *pf_r) {
    if (gamma && pf)
        ln__512_norm_moments_body(y, s, n, mhi, mlo, rstd, gamma, beta, xn, rn, sn, kn, out,
                                  pf, pf_r);
    else
        ln__512_norm_moments_body(y, s, n, mhi, mlo, rstd, gamma, beta, xn, rn, sn, kn, out,
                                  pf, pf_r);
}

/* ln__512_fold8: lane i = the sum of the 8 lanes of a[i], ((e0 + e1) + (e2 + e3)) +
   ((e4 + e5) + (e6 + e7)) for every i: pairs within 128-bit lanes, then 128-bit lanes
   across vectors. (Zero-masked intrinsics for GCC PR 105593, as in ln__512_lo.) */
/* a and b added pairwise within 128-bit lanes: (a0 + a1, b0 + b1, a2 + a3, b2 + b3, ...) */
LN__AVX512_K __m512d ln__512_pairs(__m512d a, __m512d b) {
    return _mm512_add_pd(_mm512_maskz_unpacklo_pd(0xFF, a, b),
                         _mm512_maskz_unpackhi_pd(0xFF, a, b));
}
/* 128-bit lanes 0 + 1 and 2 + 3 of a, then of b (0x88: lanes 0, 2 of each; 0xDD: 1, 3) */
LN__AVX512_K __m512d ln__512_quads(__m512d a, __m512d b) {
    return _mm512_add_pd(_mm512_maskz_shuffle_f64x2(0xFF, a, b, 0x88),
                         _mm512_maskz_shuffle_f64x2(0xFF, a, b, 0xDD));
}
LN__AVX512_K __m512d ln__512_fold8(const __m512d a[8]) {
    __m512d c0 = ln__512_quads(ln__512_pairs(a[0], a[1]), ln__512_pairs(a[2], a[3]));
    __m512d c1 = ln__512_quads(ln__512_pairs(a[4], a[5]), ln__512_pairs(a[6], a[7]));
    return ln__512_quads(c0, c1);
}

/* Batches of nr <= 8 rows of n <= 32 columns, each row nv (1 or 2) vectors: vector h of
   row i holds columns 16h .. 16h + 15 of the row, at p + i·n + 16h. Loads and stores are
   plain where the 16 floats lie within the batch (masked loads from memory measured 1.9x
   slower here) and masked (mh: the row's lanes of vector h) otherwise. Stores go in
   address order, so lanes past a row's end, written with its last vector, are then
   overwritten by the next row's. */
LN__AVX512_K __m512 ln__512_row_load(const float *p, size_t i, size_t h, size_t nr, size_t n,
                                     __mmask16 mh) {
    size_t at = i * n + 16 * h;
    if (at + 16 <= nr * n) return _mm512_loadu_ps(p + at);
    return i < nr ? _mm512_maskz_loadu_ps(mh, p + at) : _mm512_setzero_ps();
}
/* where ln__512_row_load read vector h of row i with a plain load, or NULL */
LN__AVX512_K const float *ln__512_row_at(const float *p, size_t i, size_t h, size_t nr,
                                         size_t n) {
    size_t at = i * n + 16 * h;
    return at + 16 <= nr * n ? p + at : NULL;
}
LN__AVX512_K void ln__512_row_store(float *p, __m512 v, size_t i, size_t h, size_t nr,
                                    size_t n, __mmask16 mh) {
    size_t at = i * n + 16 * h;
    if (at + 16 <= nr * n) _mm512_storeu_ps(p + at, v);
    else if (i < nr) _mm512_mask_storeu_ps(p + at, mh, v);
}
LN__AVX512_K void ln__512_store_rows(float *p, __m512 v[2][8], size_t nr, size_t n,
                                     const __mmask16 mh[2], int nv) {
    size_t i;
    LN__UNROLL
    for (i = 0; i < 8; i++) {
        ln__512_row_store(p, v[0][i], i, 0, nr, n, mh[0]);
        if (nv > 1) ln__512_row_store(p, v[1][i], i, 1, nr, n, mh[1]);
    }
}
/* sd = d + d', sq = d² + d'², per double lane, for the two halves d, d' of v − k in double
   (masked lanes: 0) */
LN__AVX512_K void ln__512_row_moments(__m512 v, __mmask16 mh, __m512d k, __m512d *sd,
                                      __m512d *sq, int half) {
    __m512d d0 = _mm512_maskz_sub_pd((__mmask8)(mh & 0xFF), ln__512_lo(v), k), d1;
    if (half) { /* rows of <= 8: the high lanes are all 0 */
        *sd = d0;
        *sq = _mm512_mul_pd(d0, d0);
        return;
    }
    d1 = _mm512_maskz_sub_pd((__mmask8)(mh >> 8), ln__512_hi(v), k);
    *sd = _mm512_add_pd(d0, d1);
    *sq = _mm512_fmadd_pd(d0, d0, _mm512_mul_pd(d1, d1));
}

/* The statistics of eight rows as the lanes of double vectors, from each row's lanes of
   Σd, Σd² (sd[i], sq[i]; d = x − k, k = kf[i], the row's first value; RMSNorm: k = 0):
   one division and square root for eight rows, not one each (which held rows of up to 32
   columns to 10-30% of streaming, and 64 to about 89% in the pipelined rows).
       mean = k + S/n,  M2 = Q − S·(S/n) (>= 0),  rstd = 1/sqrt(M2/n + eps)
   into mean = mhi + mlo and rsf. Lanes never mix rows, so a row's bits do not depend on
   its place in the batch. */
LN__AVX512_K void ln__512_stats8(const __m512d sd[8], const __m512d sq[8], const float kf[8],
                                 size_t n, float eps, int rms, float mhi[8], float mlo[8],
                                 float rsf[8]) {
    /* 1/n: two divisions off the batch's dependency chain, 0.93-0.96x the time on 1048576x16
       and 524288x32 (as ln__coef_from_sums; within an ulp of a double division) */
    const __m512d inv_n = _mm512_set1_pd(1.0 / (double)n), zero = _mm512_setzero_pd();
    __m512d S = ln__512_fold8(sd), Q = ln__512_fold8(sq), mu, m2, rs;
    if (rms) {
        mu = zero;
        m2 = Q;
    } else {
        __m512d ms = _mm512_mul_pd(S, inv_n);
        mu = _mm512_add_pd(ln__512_cvt_at(kf), ms);
        /* max(0, M2): rounding on a (near-)constant row; a NaN stays (max returns it) */
        m2 = _mm512_maskz_max_pd(0xFF, zero, _mm512_sub_pd(Q, _mm512_mul_pd(S, ms)));
    }
    rs = _mm512_add_pd(_mm512_mul_pd(m2, inv_n), _mm512_set1_pd((double)eps));
    rs = _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_maskz_sqrt_pd(0xFF, rs));
    {
        __m256 hf = _mm512_maskz_cvtpd_ps(0xFF, mu);
        __m512d back = _mm512_maskz_cvtps_pd(0xFF, hf);
        _mm256_storeu_ps(mhi, hf);
        _mm256_storeu_ps(mlo, _mm512_maskz_cvtpd_ps(0xFF, _mm512_sub_pd(mu, back)));
        _mm256_storeu_ps(rsf, _mm512_maskz_cvtpd_ps(0xFF, rs));
    }
}

/* Forward of nr <= 8 rows of n <= 16·nv columns, held in registers: per row the moments
   of ln__row_moments (d = v − k, k = the row's first value; RMSNorm: k = 0), then the
   eight rows' statistics together (ln__512_stats8), then y. */
LN__AVX512_K void ln__512_fwd_rows8_body(float *y, float *sum, float *mean, float *rstd,
                                         const float *x, const float *res,
                                         const float *gamma, const float *beta, size_t nr,
                                         size_t n, float eps, int rms, int nv, int half,
                                         int ahead, int nt) {
    const __mmask16 mh[2] = {ln__512_mask_at(n, 0), ln__512_mask_at(n, 1)};
    __m512 v[2][8], g[2], b[2];
    __m512d sd[8], sq[8];
    float kf[8], mhi[8], mlo[8], rsf[8];
    size_t i, h;
    for (h = 0; h < (size_t)nv; h++) {
        g[h] = gamma ? _mm512_maskz_loadu_ps(mh[h], gamma + 16 * h) : _mm512_set1_ps(1.0f);
        b[h] = beta ? _mm512_maskz_loadu_ps(mh[h], beta + 16 * h) : _mm512_setzero_ps();
    }
    if (ahead) /* the next batch: x (into L2, LN__FWD8_PF_L2), and y for writing (measured
                  0.85-0.93x the time; with nt too: without, 1.21x at 1 thread) */
        for (i = 0; i < 8 * n; i += 16) {
            _mm_prefetch((const char *)(x + 8 * n + i), _MM_HINT_T1);
            __builtin_prefetch(y + 8 * n + i, 1, 3);
        }
    LN__UNROLL
    for (i = 0; i < 8; i++)
        for (h = 0; h < (size_t)nv; h++) {
            v[h][i] = ln__512_row_load(x, i, h, nr, n, mh[h]);
            if (res) v[h][i] = _mm512_add_ps(v[h][i], ln__512_row_load(res, i, h, nr, n, mh[h]));
        }
    if (res) ln__512_store_rows(sum, v, nr, n, mh, nv);
    LN__UNROLL
    for (i = 0; i < 8; i++) {
        __m512d vk;
        kf[i] = rms ? 0.0f : _mm512_cvtss_f32(v[0][i]);
        vk = _mm512_set1_pd((double)kf[i]);
        ln__512_row_moments(v[0][i], mh[0], vk, &sd[i], &sq[i], half);
        if (nv > 1) { /* (d of vector 0) + (d of vector 1), lane by lane */
            __m512d sd1, sq1;
            ln__512_row_moments(v[1][i], mh[1], vk, &sd1, &sq1, 0);
            sd[i] = _mm512_add_pd(sd[i], sd1);
            sq[i] = _mm512_add_pd(sq[i], sq1);
        }
    }
    ln__512_stats8(sd, sq, kf, n, eps, rms, mhi, mlo, rsf);
    LN__UNROLL
    for (i = 0; i < 8; i++) /* y = ((x − mhi) − mlo)·rstd·γ + β; without γ, a γ of 1 (unlike
                               ln__512_affine: the kernel has no pipelined twin, and a test
                               per vector made it 1.02-1.05x slower) */
        for (h = 0; h < (size_t)nv; h++) {
            __m512 t = _mm512_sub_ps(_mm512_sub_ps(v[h][i], _mm512_set1_ps(mhi[i])),
                                     _mm512_set1_ps(mlo[i]));
            v[h][i] = _mm512_fmadd_ps(_mm512_mul_ps(t, _mm512_set1_ps(rsf[i])), g[h], b[h]);
        }
    for (i = 0; i < nr; i++) {
        if (mean) mean[i] = mhi[i];
        if (rstd) rstd[i] = rsf[i];
    }
    if (nt) { /* rows of 16 columns from a 64-byte boundary: row i is line i */
        LN__UNROLL
        for (i = 0; i < 8; i++) /* (constant i: v stays in registers) */
            if (i < nr) _mm512_stream_ps(y + 16 * i, v[0][i]);
    } else
        ln__512_store_rows(y, v, nr, n, mh, nv);
}
/* Forward of nr <= 8 rows of LN__ROWS8_COLS < n <= LN__BATCH8_COLS columns, which do
   not fit in registers: a sweep over the batch for each row's moments (as
   ln__512_fwd_rows8_body's; with the fused add, the sum stored as it goes), the eight
   rows' statistics together (ln__512_stats8), then a sweep that writes y from the batch,
   now in L1. What it saves is the pipelined rows' chain per row (horizontal sums, then a
   division and a square root before the row's y can start), which held 262144x64 to
   about 89% of streaming at 1 thread. The first sweep asks for the line LN__PF_AHEAD
   floats past each one it reads (ahead: those lie within the range). Asking for the
   whole next batch at the start instead (x, and y for writing) measured 0.87-1.00x the
   pipelined rows' time on 64 columns and 1.04-1.08x on 128 (0.75-0.89x and 0.86-0.89x
   this way, same runs). */
LN__AVX512_K void ln__512_fwd_batch8_body(float *y, float *sum, float *mean, float *rstd,
                                          const float *x, const float *res,
                                          const float *gamma, const float *beta, size_t nr,
                                          size_t n, float eps, int rms, int ahead) {
    const __m512d zero = _mm512_setzero_pd();
    const __mmask16 tail = ln__512_mask(n & 15);
    __m512d sd[8], sq[8];
    float kf[8], mhi[8], mlo[8], rsf[8];
    size_t i, c, full = n & ~(size_t)15;
    LN__UNROLL
    for (i = 0; i < 8; i++) {
        const float *xr, *rr;
        float *sr;
        __m512d vk, a0 = zero, a1 = zero, q0 = zero, q1 = zero, d0, d1;
        if (i >= nr) { /* no row: lanes of 0, unused */
            sd[i] = sq[i] = zero;
            kf[i] = 0.0f;
            continue;
        }
        xr = x + i * n, rr = res ? res + i * n : NULL, sr = res ? sum + i * n : NULL;
        kf[i] = rms ? 0.0f : res ? xr[0] + rr[0] : xr[0];
        vk = _mm512_set1_pd((double)kf[i]);
        for (c = 0; c < full; c += 16) {
            if (res) {
                __m512 v = _mm512_add_ps(_mm512_loadu_ps(xr + c), _mm512_loadu_ps(rr + c));
                _mm512_storeu_ps(sr + c, v);
                if (ahead) {
                    _mm_prefetch((const char *)(xr + c + LN__PF_AHEAD), _MM_HINT_T0);
                    _mm_prefetch((const char *)(rr + c + LN__PF_AHEAD), _MM_HINT_T0);
                }
                d0 = _mm512_sub_pd(ln__512_lo(v), vk), d1 = _mm512_sub_pd(ln__512_hi(v), vk);
            } else { /* the halves converted straight from memory */
                d0 = _mm512_sub_pd(ln__512_cvt_at(xr + c), vk);
                if (ahead) _mm_prefetch((const char *)(xr + c + LN__PF_AHEAD), _MM_HINT_T1);
                d1 = _mm512_sub_pd(ln__512_cvt_at(xr + c + 8), vk);
            }
            a0 = _mm512_add_pd(a0, d0), a1 = _mm512_add_pd(a1, d1);
            q0 = _mm512_fmadd_pd(d0, d0, q0), q1 = _mm512_fmadd_pd(d1, d1, q1);
        }
        if (tail) { /* the last n mod 16 columns; masked-off lanes give d = 0, not −k */
            __m512 v = _mm512_maskz_loadu_ps(tail, xr + c);
            if (res) {
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(tail, rr + c));
                _mm512_mask_storeu_ps(sr + c, tail, v);
            }
            d0 = _mm512_maskz_sub_pd((__mmask8)(tail & 0xFF), ln__512_lo(v), vk);
            d1 = _mm512_maskz_sub_pd((__mmask8)(tail >> 8), ln__512_hi(v), vk);
            a0 = _mm512_add_pd(a0, d0), a1 = _mm512_add_pd(a1, d1);
            q0 = _mm512_fmadd_pd(d0, d0, q0), q1 = _mm512_fmadd_pd(d1, d1, q1);
        }
        sd[i] = _mm512_add_pd(a0, a1);
        sq[i] = _mm512_add_pd(q0, q1);
    }
    ln__512_stats8(sd, sq, kf, n, eps, rms, mhi, mlo, rsf);
    for (i = 0; i < nr; i++) { /* y = ((v − mhi) − mlo)·rstd·γ + β, v = x or the stored sum */
        const __m512 vh = _mm512_set1_ps(mhi[i]), vl = _mm512_set1_ps(mlo[i]),
                     vr = _mm512_set1_ps(rsf[i]);
        const float *src = res ? sum + i * n : x + i * n;
        for (c = 0; c < full; c += 16)
            ln__512_norm_step(y + i * n, src, c, 0xFFFF, LN__ST_PLAIN, vh, vl, vr, gamma, beta);
        if (tail)
            ln__512_norm_step(y + i * n, src, c, tail, LN__ST_MASKED, vh, vl, vr, gamma, beta);
        if (mean) mean[i] = mhi[i];
        if (rstd) rstd[i] = rsf[i];
    }
}
/* LayerNorm with γ and β (the common case) and the fused add inlined apart, so their
   sweeps have no per-vector tests */
LN__AVX512_G void ln__avx512_fwd_batch8(float *y, float *sum, float *mean, float *rstd,
                                        const float *x, const float *res, const float *gamma,
                                        const float *beta, size_t nr, size_t n, float eps,
                                        int rms, int ahead) {
    if (!res && !rms && gamma && beta)
        ln__512_fwd_batch8_body(y, NULL, mean, rstd, x, NULL, gamma, beta, nr, n, eps, 0,
                                ahead);
    else if (res)
        ln__512_fwd_batch8_body(y, sum, mean, rstd, x, res, gamma, beta, nr, n, eps, rms,
                                ahead);
    else
        ln__512_fwd_batch8_body(y, NULL, mean, rstd, x, NULL, gamma, beta, nr, n, eps, rms,
                                ahead);
}
#ifdef LN__HAVE_AVX2 /* defined with the AVX2 kernels below */
static __attribute__((target("avx2,fma"), noinline)) void
ln__avx2_fwd_rows8(float *y, float *sum, float *mean, float *rstd, const float *x,
                   const float *res, const float *gamma, const float *beta, size_t nr, size_t n,
                   float eps, int rms, int ahead);
#endif
LN__AVX512_K void ln__avx512_fwd_rows8(float *y, float *sum, float *mean, float *rstd,
                                       const float *x, const float *res, const float *gamma,
                                       const float *beta, size_t nr, size_t n, float eps,
                                       int rms, int ahead) {
    const int nt = ahead & LN__ROWS8_NT; /* (the caller sets it for 16 columns only) */
    ahead &= 1;
    if (n <= 8) /* half a vector per row, one, or two: constants in each inlined body */
        ln__512_fwd_rows8_body(y, sum, mean, rstd, x, res, gamma, beta, nr, n, eps, rms, 1, 1,
                               ahead, 0);
    else if (n == 16 && nt) /* (its own body: a test in the other one cost 1.1x there) */
        ln__512_fwd_rows8_body(y, sum, mean, rstd, x, res, gamma, beta, nr, 16, eps, rms, 1, 0,
                               ahead, 1);
    else if (n <= 16)
        ln__512_fwd_rows8_body(y, sum, mean, rstd, x, res, gamma, beta, nr, n, eps, rms, 1, 0,
                               ahead, 0);
#ifdef LN__HAVE_AVX2
    /* 17-31 columns: a row's second vector here would be partly the next row's, loaded and
       stored over it; the AVX2 batch reads and writes each row in 8-column vectors of its
       own instead: 0.78-0.79x the time on rows of 24 columns, 0.84x on 20 and 22, 0.98x
       on 28 (the backward measured 0.94-1.08x that way, and stays) */
    else if (n < 32)
        ln__avx2_fwd_rows8(y, sum, mean, rstd, x, res, gamma, beta, nr, n, eps, rms, ahead);
#endif
    else if (n <= 32)
        ln__512_fwd_rows8_body(y, sum, mean, rstd, x, res, gamma, beta, nr, n, eps, rms, 2, 0,
                               ahead, 0);
    else /* wider rows do not fit in registers: two sweeps over the batch */
        ln__avx512_fwd_batch8(y, sum, mean, rstd, x, res, gamma, beta, nr, n, eps, rms, ahead);
}

/* acc += {g, g·x̃, x̃} for the double halves of g and of x̃ = x − mean */
LN__AVX512_K void ln__512_sums_add(__m512d acc[6], __m512d g0, __m512d g1, __m512d x0,
                                   __m512d x1) {
    acc[0] = _mm512_add_pd(acc[0], g0);
    acc[1] = _mm512_add_pd(acc[1], g1);
    acc[2] = _mm512_fmadd_pd(g0, x0, acc[2]);
    acc[3] = _mm512_fmadd_pd(g1, x1, acc[3]);
    acc[4] = _mm512_add_pd(acc[4], x0);
    acc[5] = _mm512_add_pd(acc[5], x1);
}
LN__AVX512_K void ln__512_sums_step(__m512d acc[6], __m512 g, __m512 xv, __m512d m,
                                                __mmask16 k) {
    ln__512_sums_add(acc, ln__512_lo(g), ln__512_hi(g),
                     _mm512_maskz_sub_pd((__mmask8)(k & 0xFF), ln__512_lo(xv), m),
                     _mm512_maskz_sub_pd((__mmask8)(k >> 8), ln__512_hi(xv), m));
}
/* the same for 16 columns of x at xp, converted straight from memory */
LN__AVX512_K void ln__512_sums_step_at(__m512d acc[6], __m512 g, const float *xp, __m512d m) {
    ln__512_sums_add(acc, ln__512_lo(g), ln__512_hi(g), _mm512_sub_pd(ln__512_cvt_at(xp), m),
                     _mm512_sub_pd(ln__512_cvt_at(xp + 8), m));
}

/* out = { Σ g, Σ g·x̃, Σ x̃ } from the six accumulators of ln__512_sums_step */
LN__AVX512_K void ln__512_sums_out(const __m512d acc[6], double out[3]) {
    out[0] = ln__512_hsum(_mm512_add_pd(acc[0], acc[1]));
    out[1] = ln__512_hsum(_mm512_add_pd(acc[2], acc[3]));
    out[2] = ln__512_hsum(_mm512_add_pd(acc[4], acc[5]));
}

LN__AVX512_K void ln__avx512_bwd_sums(double out[3], const float *dy, const float *x,
                                           const float *gamma, size_t n, float mean) {
    const __m512d vmean = _mm512_set1_pd((double)mean);
    __m512d acc[6];
    size_t i = 0;
    int j;
    for (j = 0; j < 6; j++) acc[j] = _mm512_setzero_pd();
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_loadu_ps(dy + i);
        __m512 g = gamma ? _mm512_mul_ps(_mm512_loadu_ps(gamma + i), d) : d;
        ln__512_sums_step_at(acc, g, x + i, vmean);
    }
    if (i < n) {
        __mmask16 k = ln__512_mask(n - i);
        __m512 d = _mm512_maskz_loadu_ps(k, dy + i);
        __m512 g = gamma ? _mm512_mul_ps(_mm512_maskz_loadu_ps(k, gamma + i), d) : d;
        ln__512_sums_step(acc, g, _mm512_maskz_loadu_ps(k, x + i), vmean, k);
    }
    ln__512_sums_out(acc, out);
}

/* dx = a·g + b + c·x̂ with x̂ = ((x − mean) − δ)·rstd in float, one vector */
LN__AVX512_K __m512 ln__512_dx_value(__m512 g, __m512 xv, const ln__bwd_coef *c) {
    __m512 xt = _mm512_sub_ps(xv, _mm512_set1_ps(c->mean));
    __m512 xh = _mm512_mul_ps(_mm512_sub_ps(xt, _mm512_set1_ps(c->delta)), _mm512_set1_ps(c->rstd));
    __m512 t = _mm512_fmadd_ps(_mm512_set1_ps(c->a), g, _mm512_set1_ps(c->b));
    return _mm512_fmadd_ps(_mm512_set1_ps(c->c), xh, t);
}

LN__AVX512_K void ln__512_bwd_step(float *dx, double *pg, double *pb,
                                               const float *dy, const float *x,
                                               const float *gamma, size_t i, __mmask16 k,
                                               int how, const ln__bwd_coef *c, int flags) {
    __m512 d = _mm512_maskz_loadu_ps(k, dy + i);
    __m512 g = gamma ? _mm512_mul_ps(_mm512_maskz_loadu_ps(k, gamma + i), d) : d;
    __m512 xv = _mm512_maskz_loadu_ps(k, x + i); /* loads before the store: dx may be dy or x */
    if (dx) {
        __m512 t = ln__512_dx_value(g, xv, c);
        if (flags & LN__DX_ACC) t = _mm512_add_ps(_mm512_maskz_loadu_ps(k, dx + i), t);
        ln__512_store(dx + i, t, k, how);
    }
    if (pg || pb) {
        __m512d d0 = ln__512_lo(d), d1 = ln__512_hi(d);
        int first = flags & LN__PARAM_FIRST;
        if (pg) { /* x̂ = x·rstd − shift·rstd, in double */
            const __m512d rs = _mm512_set1_pd((double)c->rstd), hb = _mm512_set1_pd(c->hb);
            __m512d h0 = _mm512_fmadd_pd(ln__512_lo(xv), rs, hb);
            __m512d h1 = _mm512_fmadd_pd(ln__512_hi(xv), rs, hb);
            ln__512_acc(pg + i, d0, h0, d1, h1, k, first);
        }
        if (pb) ln__512_acc1(pb + i, d0, d1, k, first);
    }
}

LN__AVX512_K void ln__avx512_bwd_apply(float *dx, double *pg, double *pb, const float *dy,
                                            const float *x, const float *gamma, size_t n,
                                            const ln__bwd_coef *c, int flags) {
    int stream = dx && (flags & LN__STREAM) && !((uintptr_t)dx & 3);
    size_t i = 0, head = stream ? ln__head(dx, n) : 0;
    if (head) {
        ln__512_bwd_step(dx, pg, pb, dy, x, gamma, 0, ln__512_mask(head), LN__ST_MASKED, c, flags);
        i = head;
    }
    if (stream) { /* vector by vector up, or down (ln__sweep_down): the k-th at t */
        size_t e = i + (n - i) / 16 * 16, t = i, step = 16;
        if (ln__sweep_down(dx, x, dy)) t = e - 16, step = (size_t)0 - 16;
        for (; i < e; i += 16, t += step)
            ln__512_bwd_step(dx, pg, pb, dy, x, gamma, t, 0xFFFF, LN__ST_STREAM, c, flags);
    } else if (c->pf_x)
        for (; i + 16 <= n; i += 16) {
            _mm_prefetch((const char *)(c->pf_x + i), _MM_HINT_T0);
            _mm_prefetch((const char *)(c->pf_dy + i), _MM_HINT_T0);
            ln__512_bwd_step(dx, pg, pb, dy, x, gamma, i, 0xFFFF, LN__ST_PLAIN, c, flags);
        }
    else
        for (; i + 16 <= n; i += 16)
            ln__512_bwd_step(dx, pg, pb, dy, x, gamma, i, 0xFFFF, LN__ST_PLAIN, c, flags);
    if (i < n)
        ln__512_bwd_step(dx, pg, pb, dy, x, gamma, i, ln__512_mask(n - i), LN__ST_MASKED, c, flags);
}

/* One 16-column vector of a params tile, one row, as double halves (dy d0 d1, x v0 v1):
   (g0, g1) (=|+=) dy·x̂, (b0, b1) (=|+=) dy, as ln__512_acc / ln__512_acc1 do it
   (fma(dy, x̂, p) and dy + p). */
LN__AVX512_K void ln__512_params_halves(__m512d d0, __m512d d1, __m512d v0, __m512d v1,
                                        __m512d rs, __m512d hb, int init, int want_g,
                                        int want_b, __m512d *g0, __m512d *g1, __m512d *b0,
                                        __m512d *b1) {
    if (want_g) {
        __m512d h0 = _mm512_fmadd_pd(v0, rs, hb), h1 = _mm512_fmadd_pd(v1, rs, hb);
        *g0 = init ? _mm512_mul_pd(d0, h0) : _mm512_fmadd_pd(d0, h0, *g0);
        *g1 = init ? _mm512_mul_pd(d1, h1) : _mm512_fmadd_pd(d1, h1, *g1);
    }
    if (want_b) {
        *b0 = init ? d0 : _mm512_add_pd(d0, *b0);
        *b1 = init ? d1 : _mm512_add_pd(d1, *b1);
    }
}
/* the same from float vectors (dy d, x v) */
LN__AVX512_K void ln__512_params_rowvec(__m512 d, __m512 v, __m512d rs, __m512d hb, int init,
                                        int want_g, int want_b, __m512d *g0, __m512d *g1,
                                        __m512d *b0, __m512d *b1) {
    ln__512_params_halves(ln__512_lo(d), ln__512_hi(d), ln__512_lo(v), ln__512_hi(v), rs, hb,
                          init, want_g, want_b, g0, g1, b0, b1);
}
/* the same, loading the vector (lanes k). A whole vector converts its halves straight from
   memory: no extract of the high half, measured 0.82-0.90x the time of the kernel (in
   cache, 64 to 4096 columns). */
LN__AVX512_K void ln__512_params_vec(const float *dy, const float *x, __mmask16 k, __m512d rs,
                                     __m512d hb, int init, int want_g, int want_b,
                                     __m512d *g0, __m512d *g1, __m512d *b0, __m512d *b1) {
    if (k == 0xFFFF)
        ln__512_params_halves(ln__512_cvt_at(dy), ln__512_cvt_at(dy + 8), ln__512_cvt_at(x),
                              ln__512_cvt_at(x + 8), rs, hb, init, want_g, want_b, g0, g1, b0,
                              b1);
    else
        ln__512_params_rowvec(_mm512_maskz_loadu_ps(k, dy), _mm512_maskz_loadu_ps(k, x), rs,
                              hb, init, want_g, want_b, g0, g1, b0, b1);
}
LN__AVX512_K void ln__512_params_load(const double *p, __mmask16 k, __m512d *a0, __m512d *a1) {
    *a0 = _mm512_maskz_loadu_pd((__mmask8)(k & 0xFF), p);
    *a1 = _mm512_maskz_loadu_pd((__mmask8)(k >> 8), p + 8);
}
LN__AVX512_K void ln__512_params_store(double *p, __mmask16 k, __m512d a0, __m512d a1) {
    _mm512_mask_storeu_pd(p, (__mmask8)(k & 0xFF), a0);
    _mm512_mask_storeu_pd(p + 8, (__mmask8)(k >> 8), a1);
}
/* columns j0 .. j0 + w (w <= 16·nv, nv <= 4 vectors: up to 16 double accumulators) over
   all rows; nv is a constant where it is inlined, so the loops over the vectors unroll
   and unused vectors cost nothing. (Loops, not four written-out copies: at -O0 nothing
   drops the unused copies, and they made this kernel 40% of the object file; the same
   speed at -O2 with gcc and clang.) */
LN__AVX512_K void ln__512_params_tile(double *pg, double *pb, const float *dy, const float *x,
                                      size_t ld, size_t rows, const double *rs,
                                      const double *hb, int first, size_t j0, size_t w, int nv,
                                      int pf) {
    const int G = pg != NULL, B = pb != NULL;
    __mmask16 k[4];
    __m512d g[4][2], b[4][2];
    size_t r = 0, v;
    LN__UNROLL
    for (v = 0; v < 4; v++) {
        k[v] = ln__512_mask_at(w, v);
        g[v][0] = g[v][1] = b[v][0] = b[v][1] = _mm512_setzero_pd();
    }
    if (first) { /* row 0 stores its terms, as LN__PARAM_FIRST */
        const __m512d vr = _mm512_set1_pd(rs[0]), vh = _mm512_set1_pd(hb[0]);
        LN__UNROLL
        for (v = 0; v < (size_t)nv; v++) {
            if (pf) ln__params_prefetch(dy + j0 + 16 * v, x + j0 + 16 * v);
            ln__512_params_vec(dy + j0 + 16 * v, x + j0 + 16 * v, k[v], vr, vh, 1, G, B,
                               &g[v][0], &g[v][1], &b[v][0], &b[v][1]);
        }
        r = 1;
    } else {
        LN__UNROLL
        for (v = 0; v < (size_t)nv; v++) {
            if (G) ln__512_params_load(pg + j0 + 16 * v, k[v], &g[v][0], &g[v][1]);
            if (B) ln__512_params_load(pb + j0 + 16 * v, k[v], &b[v][0], &b[v][1]);
        }
    }
    for (; r < rows; r++) {
        const __m512d vr = _mm512_set1_pd(rs[r]), vh = _mm512_set1_pd(hb[r]);
        const float *d = dy + r * ld + j0, *xv = x + r * ld + j0;
        LN__UNROLL
        for (v = 0; v < (size_t)nv; v++) {
            if (pf) ln__params_prefetch(d + 16 * v, xv + 16 * v);
            ln__512_params_vec(d + 16 * v, xv + 16 * v, k[v], vr, vh, 0, G, B, &g[v][0],
                               &g[v][1], &b[v][0], &b[v][1]);
        }
    }
    LN__UNROLL
    for (v = 0; v < (size_t)nv; v++) {
        if (G) ln__512_params_store(pg + j0 + 16 * v, k[v], g[v][0], g[v][1]);
        if (B) ln__512_params_store(pb + j0 + 16 * v, k[v], b[v][0], b[v][1]);
    }
}
LN__AVX512_K void ln__512_params_body(double *pg, double *pb, const float *dy, const float *x,
                                      size_t n, size_t ld, size_t rows, const double *rs,
                                      const double *hb, int first) {
    size_t j0 = 0;
    if (rows <= LN__PARAMS_PF_ROWS && n == ld) /* tiles whose prefetch stays in the row */
        for (; j0 + 64 + LN__PARAMS_AHEAD <= n; j0 += 64)
            ln__512_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, 64, 4, 1);
    for (; j0 + 64 <= n; j0 += 64)
        ln__512_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, 64, 4, 0);
    switch ((n - j0 + 15) / 16) { /* the last columns: only the vectors they need */
    case 1: ln__512_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, n - j0, 1, 0); break;
    case 2: ln__512_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, n - j0, 2, 0); break;
    case 3: ln__512_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, n - j0, 3, 0); break;
    case 4: ln__512_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, n - j0, 4, 0); break;
    default: break;
    }
}
/* On AMD Zen 4 (AVX-512 on 256-bit units) a 512-bit float-to-double conversion costs
   more per element than two 256-bit ones (about 1.3 cycles for 8 floats against 0.5 for
   4, measured), and conversions are most of this kernel's work. So there rows of
   LN__PARAMS_YMM_MIN_COLS up to LN__PARAMS_YMM_COLS columns take the AVX2 kernel, whose
   16-column tiles convert 4 floats at a time: the same operations on each column in the
   same order, so the same bits. In-process, 64-byte aligned buffers, both link orders,
   1 thread, the whole backward with dγ/dβ, against the 512-bit tiles:
     49152 elements, in cache   0.90-0.94x the time from 24 to 1000 columns (64:
                                0.91-0.92x, 768: 0.93x), 1280 0.94x; RMSNorm's 0.94-0.96x
     6.3M elements, out of      0.93-0.98x from 128 to 1000 columns (768: 0.92-0.97x, 2
     cache                      threads 0.92-1.02x); but 32 and 64 columns 1.00-1.05x
                                (RMSNorm's 1.04-1.07x)
   and worse at 1024 (1.06-1.08x in cache, 1.16-1.19x out: a tile's rows, 4 KiB apart,
   share one set of the L1), 1536 (0.95-1.00x), 2048 (1.03x), 3072 and 4096 (1.02-1.05x).
   The Zen 5 choices keep the 512-bit tiles (not measured there). */
#define LN__PARAMS_YMM_MIN_COLS 128
#define LN__PARAMS_YMM_COLS 1024
#ifdef LN__HAVE_AVX2
static int ln__cpu_rule(void);
static void ln__avx2_bwd_params(double *pg, double *pb, const float *dy, const float *x,
                                size_t n, size_t ld, size_t rows, const double *rs,
                                const double *hb, int first);
#endif
/* the body inlined for each choice of outputs, so the tile loop has no NULL tests */
LN__AVX512_G void ln__avx512_bwd_params(double *pg, double *pb, const float *dy,
                                        const float *x, size_t n, size_t ld, size_t rows,
                                        const double *rs, const double *hb, int first) {
#ifdef LN__HAVE_AVX2
    if (n >= LN__PARAMS_YMM_MIN_COLS && n < LN__PARAMS_YMM_COLS && ln__cpu_rule() >= 2) {
        ln__avx2_bwd_params(pg, pb, dy, x, n, ld, rows, rs, hb, first);
        return;
    }
#endif
    if (pg && pb) ln__512_params_body(pg, pb, dy, x, n, ld, rows, rs, hb, first);
    else if (pg) ln__512_params_body(pg, NULL, dy, x, n, ld, rows, rs, hb, first);
    else ln__512_params_body(NULL, pb, dy, x, n, ld, rows, rs, hb, first);
}

/* a = { Σ g, Σ g·x̃, Σ x̃ } over the lanes of one vector of a row, x̃ = x − mean in double
   (exact; masked lanes 0), summed within each double lane. at: where xv was loaded from
   in full, or NULL; its halves then convert from there (L1) with no extract, which made
   the backward 0.80-0.89x the time on 699050x24 and 524288x32. */
LN__AVX512_K void ln__512_row_sums(__m512 g, __m512 xv, const float *at, __m512d vm,
                                   __mmask16 mh, __m512d a[3], int half) {
    __m512d g0 = ln__512_lo(g), g1, x1;
    __m512d x0 = _mm512_maskz_sub_pd((__mmask8)(mh & 0xFF),
                                     at ? ln__512_cvt_at(at) : ln__512_lo(xv), vm);
    if (half) { /* rows of <= 8: the high lanes are all 0 */
        a[0] = g0;
        a[1] = _mm512_mul_pd(g0, x0);
        a[2] = x0;
        return;
    }
    g1 = ln__512_hi(g);
    x1 = _mm512_maskz_sub_pd((__mmask8)(mh >> 8), at ? ln__512_cvt_at(at + 8) : ln__512_hi(xv),
                             vm);
    a[0] = _mm512_add_pd(g0, g1);
    a[1] = _mm512_fmadd_pd(g0, x0, _mm512_mul_pd(g1, x1));
    a[2] = _mm512_add_pd(x0, x1);
}

/* Backward of nr <= 8 rows of n <= 16·nv columns (as ln__512_fwd_rows8_body): per row the
   sums of ln__backward_coef, folded so that the eight rows' coefficients
   (ln__coef_from_sums) come from one set of double vector operations, then
   dx = a·g + b + c·x̂ as ln__512_dx_value. Lanes past a row's n are zeroed before the sums
   (they hold the next rows, where 0·Inf would be NaN). Per row out: rs = rstd and
   hb = −(mean + δ)·rstd, for bwd_params. mean: NULL for RMSNorm (mean = δ = mean(g) = 0). */
LN__AVX512_K void ln__512_bwd_rows8_body(double *rs_out, double *hb_out, float *dx,
                                         double *pg, double *pb, const float *dy,
                                         const float *x, const float *gamma,
                                         const float *mean, const float *rstd, size_t nr,
                                         size_t n, int flags, int nv, int half) {
    const __mmask16 mh[2] = {ln__512_mask_at(n, 0), ln__512_mask_at(n, 1)};
    const __m512d inv_n = _mm512_set1_pd(1.0 / (double)n);
    __m512 gm[2], g[2][8], xv[2][8];
    __m512d sg[8], sgx[8], sx[8], Sg, Sgx, Sx, r, neg_r, mu, delta, mg, mgx, shift;
    float mf[8], rf[8], kd[8], kb[8], kc[8];
    double hbd[8];
    const int pf_l2 = n >= LN__BWD8_PF_L2_COLS;
    size_t i, h;
    if (nv > 2) nv = 2; /* never (n <= 32); a constant where inlined, it says so to analyzers */
    for (h = 0; h < (size_t)nv; h++)
        gm[h] = gamma ? _mm512_maskz_loadu_ps(mh[h], gamma + 16 * h) : _mm512_set1_ps(1.0f);
    if (flags & LN__AHEAD8) /* the next batch: x, dy, and dx for writing (measured 0.6-0.8x
                               the time of the hardware prefetcher alone) */
        for (i = 0; i < 8 * n; i += 16) {
            ln__prefetch_next(x + 8 * n + i, pf_l2);
            ln__prefetch_next(dy + 8 * n + i, pf_l2);
            if (dx) __builtin_prefetch(dx + 8 * n + i, 1, 3);
        }
    for (i = 0; i < 8; i++) {
        mf[i] = mean && i < nr ? mean[i] : 0.0f;
        rf[i] = i < nr ? rstd[i] : 0.0f;
    }
    LN__UNROLL
    for (i = 0; i < 8; i++) {
        const __m512d vm = _mm512_set1_pd((double)mf[i]);
        __m512d a[3], a1[3];
        for (h = 0; h < (size_t)nv; h++) {
            xv[h][i] = ln__512_row_load(x, i, h, nr, n, mh[h]);
            /* g = γ·dy, 0 past the row */
            g[h][i] = _mm512_maskz_mul_ps(mh[h], gm[h], ln__512_row_load(dy, i, h, nr, n, mh[h]));
        }
        ln__512_row_sums(g[0][i], xv[0][i], ln__512_row_at(x, i, 0, nr, n), vm, mh[0], a, half);
        if (nv > 1) { /* (vector 0's) + (vector 1's), lane by lane */
            ln__512_row_sums(g[1][i], xv[1][i], ln__512_row_at(x, i, 1, nr, n), vm, mh[1], a1,
                             0);
            a[0] = _mm512_add_pd(a[0], a1[0]);
            a[1] = _mm512_add_pd(a[1], a1[1]);
            a[2] = _mm512_add_pd(a[2], a1[2]);
        }
        sg[i] = a[0];
        sgx[i] = a[1];
        sx[i] = a[2];
    }
    Sg = ln__512_fold8(sg);
    Sgx = ln__512_fold8(sgx);
    Sx = ln__512_fold8(sx);
    r = ln__512_cvt_at(rf);
    mu = ln__512_cvt_at(mf);
    /* δ = S_x/n, mean(g) = S_g/n, mean(g·x̂) = rstd·(S_gx − δ·S_g)/n; b = −rstd·mean(g),
       c = −rstd·mean(g·x̂) (ln__coef_from_sums) */
    delta = mean ? _mm512_mul_pd(Sx, inv_n) : _mm512_setzero_pd();
    mg = mean ? _mm512_mul_pd(Sg, inv_n) : _mm512_setzero_pd();
    mgx = _mm512_mul_pd(_mm512_mul_pd(r, _mm512_sub_pd(Sgx, _mm512_mul_pd(delta, Sg))), inv_n);
    shift = _mm512_add_pd(mu, delta);
    neg_r = _mm512_sub_pd(_mm512_setzero_pd(), r);
    _mm256_storeu_ps(kd, _mm512_maskz_cvtpd_ps(0xFF, delta));
    _mm256_storeu_ps(kb, _mm512_maskz_cvtpd_ps(0xFF, _mm512_mul_pd(neg_r, mg)));
    _mm256_storeu_ps(kc, _mm512_maskz_cvtpd_ps(0xFF, _mm512_mul_pd(neg_r, mgx)));
    _mm512_storeu_pd(hbd, _mm512_mul_pd(_mm512_sub_pd(_mm512_setzero_pd(), shift), r));
    for (i = 0; i < nr; i++) rs_out[i] = (double)rf[i], hb_out[i] = hbd[i];
    if (pg || pb) /* dγ/dβ of the batch's rows, in row order: as bwd_params, the same bits */
        for (h = 0; h < (size_t)nv; h++) {
            __m512d g0 = _mm512_setzero_pd(), g1 = g0, b0 = g0, b1 = g0;
            int first = (flags & LN__PARAM_FIRST) != 0;
            if (!first && pg) ln__512_params_load(pg + 16 * h, mh[h], &g0, &g1);
            if (!first && pb) ln__512_params_load(pb + 16 * h, mh[h], &b0, &b1);
            LN__UNROLL
            for (i = 0; i < 8; i++) {
                __m512d vr = _mm512_set1_pd((double)rf[i]), vh = _mm512_set1_pd(hbd[i]);
                __m512 d;
                if (i >= nr) continue;
                d = ln__512_row_load(dy, i, h, nr, n, mh[h]);
                if (half) { /* the low 8 lanes only */
                    __m512d d0 = ln__512_lo(d);
                    __m512d h0 = _mm512_fmadd_pd(ln__512_lo(xv[h][i]), vr, vh);
                    int init = first && i == 0;
                    g0 = init ? _mm512_mul_pd(d0, h0) : _mm512_fmadd_pd(d0, h0, g0);
                    b0 = init ? d0 : _mm512_add_pd(d0, b0);
                } else
                    ln__512_params_rowvec(d, xv[h][i], vr, vh, first && i == 0, pg != NULL,
                                          pb != NULL, &g0, &g1, &b0, &b1);
            }
            if (pg) ln__512_params_store(pg + 16 * h, mh[h], g0, g1);
            if (pb) ln__512_params_store(pb + 16 * h, mh[h], b0, b1);
        }
    if (!dx) return;
    LN__UNROLL
    for (i = 0; i < 8; i++) /* dx = a·g + b + c·x̂, x̂ = ((x − mean) − δ)·rstd, a = rstd */
        for (h = 0; h < (size_t)nv; h++) {
            __m512 xh = _mm512_sub_ps(xv[h][i], _mm512_set1_ps(mf[i]));
            __m512 t = _mm512_fmadd_ps(_mm512_set1_ps(rf[i]), g[h][i], _mm512_set1_ps(kb[i]));
            xh = _mm512_mul_ps(_mm512_sub_ps(xh, _mm512_set1_ps(kd[i])), _mm512_set1_ps(rf[i]));
            g[h][i] = _mm512_fmadd_ps(_mm512_set1_ps(kc[i]), xh, t);
        }
    if (flags & LN__DX_ACC) /* every row's old dx is read before any row is stored */
        LN__UNROLL
        for (i = 0; i < 8; i++)
            for (h = 0; h < (size_t)nv; h++)
                g[h][i] = _mm512_add_ps(ln__512_row_load(dx, i, h, nr, n, mh[h]), g[h][i]);
    ln__512_store_rows(dx, g, nr, n, mh, nv);
}
LN__AVX512_G void ln__avx512_bwd_rows8(double *rs, double *hb, float *dx, double *pg,
                                       double *pb, const float *dy, const float *x,
                                       const float *gamma, const float *mean,
                                       const float *rstd, size_t nr, size_t n, int flags) {
    if (n <= 8) /* half a vector per row, or one: constants in each inlined body */
        ln__512_bwd_rows8_body(rs, hb, dx, pg, pb, dy, x, gamma, mean, rstd, nr, n, flags, 1, 1);
    else if (n == 16 && nr == 8) /* a full batch of 16-column rows, its addresses constant:
                                    Zen 4, 1048576x16 out of cache, 0.89-0.93x the time (2
                                    threads 0.91-0.95x), without dγ/dβ 0.91-0.92x, RMSNorm's
                                    0.93x, dx += 0.86x; in L1 0.90-0.92x. n alone constant:
                                    0.94x. (Not the forward's: faster in L1, but 1.07x out of
                                    cache, the fused add's 1.23-1.26x. The AVX2 batch so
                                    measured 0.95x in L1 but 0.98-0.99x out of cache, and
                                    with nr constant cppcheck misreads its i < nr tests.) */
        ln__512_bwd_rows8_body(rs, hb, dx, pg, pb, dy, x, gamma, mean, rstd, 8, 16, flags, 1, 0);
    else
        ln__512_bwd_rows8_body(rs, hb, dx, pg, pb, dy, x, gamma, mean, rstd, nr, n, flags, 1, 0);
}

/* bwd_apply (dx only) of this row and bwd_sums of the next in one loop: each row's
   operations in its own order, so the bits of the two kernels. With LN__STREAM, dx's
   whole vectors from its first 64-byte boundary bypass the cache, ln__dx_lag lines
   behind the loads (the rest of them, the tail and the head after the loop). */
LN__AVX512_K void ln__512_apply_sums_body(float *dx, const float *dy, const float *x,
                                          const float *gamma, size_t n,
                                          const ln__bwd_coef *c, int flags, double out[3],
                                          const float *dyn, const float *xn, float meann,
                                          const float *pf_x, const float *pf_dy) {
    const __m512d vmean = _mm512_set1_pd((double)meann);
    const int stream = (flags & LN__STREAM) && !((uintptr_t)dx & 3);
    const size_t head = stream ? ln__head(dx, n) : 0;
    const size_t lag = stream ? 16 * ln__dx_lag(dx + head, xn, dyn) : 0; /* in columns */
    __m512d acc[6];
    size_t i = 0, t = head; /* t: dx's next vector when streamed */
    int j;
    const int pf_l2 = n >= LN__PF_L2_COLS;
    for (j = 0; j < 6; j++) acc[j] = _mm512_setzero_pd();
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_loadu_ps(dyn + i);
        __m512 g = gamma ? _mm512_mul_ps(_mm512_loadu_ps(gamma + i), d) : d;
        if (pf_x) {
            ln__prefetch_next(pf_x + i, pf_l2);
            ln__prefetch_next(pf_dy + i, pf_l2);
            /* dx += ...: the old dx ahead is read too */
            if (flags & LN__DX_ACC)
                ln__prefetch_next(dx + (pf_x - x) + i, pf_l2);
        }
        ln__512_sums_step_at(acc, g, xn + i, vmean);
        if (!stream)
            ln__512_bwd_step(dx, NULL, NULL, dy, x, gamma, i, 0xFFFF, LN__ST_PLAIN, c, flags);
        else if (i >= lag && t + 16 <= n) {
            ln__512_bwd_step(dx, NULL, NULL, dy, x, gamma, t, 0xFFFF, LN__ST_STREAM, c, flags);
            t += 16;
        }
    }
    if (i < n) {
        __mmask16 m = ln__512_mask(n - i);
        __m512 d = _mm512_maskz_loadu_ps(m, dyn + i);
        __m512 g = gamma ? _mm512_mul_ps(_mm512_maskz_loadu_ps(m, gamma + i), d) : d;
        ln__512_sums_step(acc, g, _mm512_maskz_loadu_ps(m, xn + i), vmean, m);
        if (!stream)
            ln__512_bwd_step(dx, NULL, NULL, dy, x, gamma, i, m, LN__ST_MASKED, c, flags);
    }
    if (stream) {
        for (; t + 16 <= n; t += 16)
            ln__512_bwd_step(dx, NULL, NULL, dy, x, gamma, t, 0xFFFF, LN__ST_STREAM, c, flags);
        if (t < n)
            ln__512_bwd_step(dx, NULL, NULL, dy, x, gamma, t, ln__512_mask(n - t),
                             LN__ST_MASKED, c, flags);
        if (head)
            ln__512_bwd_step(dx, NULL, NULL, dy, x, gamma, 0, ln__512_mask(head),
                             LN__ST_MASKED, c, flags);
    }
    ln__512_sums_out(acc, out);
}
LN__AVX512_K void ln__avx512_bwd_apply_sums(float *dx, const float *dy, const float *x,
                                            const float *gamma, size_t n,
                                            const ln__bwd_coef *c, int flags, double out[3],
                                            const float *dyn, const float *xn, float meann,
                                            const float *pf_x, const float *pf_dy) {
    const ln__bwd_coef k = *c; /* a local: the dx stores cannot alias it */
    const int how = flags & (LN__DX_ACC | LN__STREAM);
    if (gamma && pf_x && how == 0) /* the common cases, without their tests */
        ln__512_apply_sums_body(dx, dy, x, gamma, n, &k, 0, out, dyn, xn, meann, pf_x, pf_dy);
    else if (gamma && pf_x && how == LN__STREAM)
        ln__512_apply_sums_body(dx, dy, x, gamma, n, &k, LN__STREAM, out, dyn, xn, meann, pf_x,
                                pf_dy);
    else
        ln__512_apply_sums_body(dx, dy, x, gamma, n, &k, flags, out, dyn, xn, meann, pf_x,
                                pf_dy);
}

/* dst[j] += (float)src[j], eight at a time (the same conversions and adds as the scalar
   loop; its SSE2 vectorization took 40% of a 1x4096 backward) */
LN__AVX512_G void ln__avx512_add_rounded(float *dst, const double *src, size_t n) {
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 v = _mm512_maskz_cvtpd_ps(0xFF, _mm512_loadu_pd(src + j));
        _mm256_storeu_ps(dst + j, _mm256_add_ps(_mm256_loadu_ps(dst + j), v));
    }
    for (; j < n; j++) dst[j] += (float)src[j];
}

static const ln__kernels ln__kernels_avx512 = {
    ln__avx512_moments, ln__avx512_sqdev, ln__avx512_add, ln__avx512_norm,
    ln__avx512_norm_moments, ln__avx512_norm_add_moments, ln__avx512_fwd_rows8,
    LN__BATCH8_COLS, LN__BATCH8_COLS, ln__avx512_bwd_sums, ln__avx512_bwd_apply,
    ln__avx512_bwd_params, ln__avx512_bwd_rows8, LN__BWD_ROWS8_COLS_512,
    ln__avx512_bwd_apply_sums, ln__avx512_add_rounded};
#endif /* LN__HAVE_AVX512 */

#ifdef LN__HAVE_AVX2
#define LN__AVX2 __attribute__((target("avx2,fma")))
#define LN__AVX2_K static inline __attribute__((target("avx2,fma"), always_inline))
#define LN__AVX2_G static __attribute__((target("avx2,fma"), noinline))
/* AVX2 has no mask registers: a mask is an integer vector, first w lanes all-ones. */
static const int32_t ln__avx2_ones32[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static const int64_t ln__avx2_ones64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
LN__AVX2_K __m256i ln__256_mask(size_t w) { /* w <= 8 floats */
    return _mm256_loadu_si256((const __m256i *)(const void *)(ln__avx2_ones32 + 8 - w));
}
LN__AVX2_K __m256i ln__256_mask64(size_t w) { /* w <= 4 doubles */
    return _mm256_loadu_si256((const __m256i *)(const void *)(ln__avx2_ones64 + 4 - w));
}
LN__AVX2_K __m256 ln__256_load(const float *p, size_t w) {
    return w >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, ln__256_mask(w));
}
LN__AVX2_K void ln__256_store(float *p, __m256 v, size_t w, int stream) {
    if (w < 8) _mm256_maskstore_ps(p, ln__256_mask(w), v);
    else if (stream) _mm256_stream_ps(p, v);
    else _mm256_storeu_ps(p, v);
}
LN__AVX2_K __m256d ln__256_lo(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
LN__AVX2_K __m256d ln__256_hi(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
/* p[0..4) in double, converted straight from memory */
LN__AVX2_K __m256d ln__256_cvt_at(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
/* d = v − k in double for the 16 floats v at x (or v = x + r, stored to s: the fused
   add), as four vectors. Plain loads convert their halves straight from memory, with no
   extract of the high half. */
LN__AVX2_K void ln__256_quarters_at(const float *x, const float *r, float *s, __m256d k,
                                    __m256d *d0, __m256d *d1, __m256d *d2, __m256d *d3) {
    __m256d c0, c1, c2, c3;
    if (r) {
        __m256 v0 = _mm256_add_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(r));
        __m256 v1 = _mm256_add_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(r + 8));
        _mm256_storeu_ps(s, v0);
        _mm256_storeu_ps(s + 8, v1);
        c0 = ln__256_lo(v0), c1 = ln__256_hi(v0), c2 = ln__256_lo(v1), c3 = ln__256_hi(v1);
    } else {
        c0 = ln__256_cvt_at(x), c1 = ln__256_cvt_at(x + 4);
        c2 = ln__256_cvt_at(x + 8), c3 = ln__256_cvt_at(x + 12);
    }
    *d0 = _mm256_sub_pd(c0, k), *d1 = _mm256_sub_pd(c1, k);
    *d2 = _mm256_sub_pd(c2, k), *d3 = _mm256_sub_pd(c3, k);
}
/* the double halves d0, d1 of 8 lanes, lanes w.. set to 0 */
LN__AVX2_K void ln__256_zero_past(__m256d *d0, __m256d *d1, size_t w) {
    if (w < 8) {
        *d0 = _mm256_and_pd(*d0, _mm256_castsi256_pd(ln__256_mask64(w < 4 ? w : 4)));
        *d1 = _mm256_and_pd(*d1, _mm256_castsi256_pd(ln__256_mask64(w > 4 ? w - 4 : 0)));
    }
}
/* p[0..w) (=|+=) a·b, or a alone when b is NULL-like (mul == 0) */
LN__AVX2_K void ln__256_acc(double *p, __m256d a0, __m256d b0, __m256d a1, __m256d b1,
                                        size_t w, int first, int mul) {
    __m256d r0 = mul ? _mm256_mul_pd(a0, b0) : a0, r1 = mul ? _mm256_mul_pd(a1, b1) : a1;
    if (w >= 8) {
        if (!first) {
            r0 = mul ? _mm256_fmadd_pd(a0, b0, _mm256_loadu_pd(p)) : _mm256_add_pd(a0, _mm256_loadu_pd(p));
            r1 = mul ? _mm256_fmadd_pd(a1, b1, _mm256_loadu_pd(p + 4)) : _mm256_add_pd(a1, _mm256_loadu_pd(p + 4));
        }
        _mm256_storeu_pd(p, r0);
        _mm256_storeu_pd(p + 4, r1);
    } else {
        __m256i m0 = ln__256_mask64(w < 4 ? w : 4), m1 = ln__256_mask64(w > 4 ? w - 4 : 0);
        if (!first) {
            r0 = mul ? _mm256_fmadd_pd(a0, b0, _mm256_maskload_pd(p, m0)) : _mm256_add_pd(a0, _mm256_maskload_pd(p, m0));
            r1 = mul ? _mm256_fmadd_pd(a1, b1, _mm256_maskload_pd(p + 4, m1)) : _mm256_add_pd(a1, _mm256_maskload_pd(p + 4, m1));
        }
        _mm256_maskstore_pd(p, m0, r0);
        _mm256_maskstore_pd(p + 4, m1, r1);
    }
}
LN__AVX2_K double ln__256_hsum(__m256d v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

/* The moments' sums as double lanes (sd: Σd, sq: Σd²), for ln__avx2_moments and the
   eight-row batches of more than 32 columns (pf: ask for the line LN__PF_AHEAD floats on,
   into L2; LN__BATCH8_COLS_AVX2) */
LN__AVX2_K void ln__256_moments_lanes(const float *x, const float *r, float *s, size_t n,
                                      double k, __m256d *sd, __m256d *sq, int pf) {
    const __m256d vk = _mm256_set1_pd(k);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, q0 = a0, q1 = a0, q2 = a0, q3 = a0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256d d0, d1, d2, d3;
        if (pf) {
            _mm_prefetch((const char *)(x + i + LN__PF_AHEAD), _MM_HINT_T1);
            if (r) _mm_prefetch((const char *)(r + i + LN__PF_AHEAD), _MM_HINT_T0);
        }
        ln__256_quarters_at(x + i, r ? r + i : NULL, r ? s + i : NULL, vk, &d0, &d1, &d2, &d3);
        a0 = _mm256_add_pd(a0, d0);
        a1 = _mm256_add_pd(a1, d1);
        a2 = _mm256_add_pd(a2, d2);
        a3 = _mm256_add_pd(a3, d3);
        q0 = _mm256_fmadd_pd(d0, d0, q0);
        q1 = _mm256_fmadd_pd(d1, d1, q1);
        q2 = _mm256_fmadd_pd(d2, d2, q2);
        q3 = _mm256_fmadd_pd(d3, d3, q3);
    }
    for (; i < n; i += 8) {
        size_t w = n - i;
        __m256 v = ln__256_load(x + i, w);
        __m256d d0, d1;
        if (r) {
            v = _mm256_add_ps(v, ln__256_load(r + i, w));
            ln__256_store(s + i, v, w, 0);
        }
        d0 = _mm256_sub_pd(ln__256_lo(v), vk), d1 = _mm256_sub_pd(ln__256_hi(v), vk);
        ln__256_zero_past(&d0, &d1, w);
        a0 = _mm256_add_pd(a0, d0);
        a1 = _mm256_add_pd(a1, d1);
        q0 = _mm256_fmadd_pd(d0, d0, q0);
        q1 = _mm256_fmadd_pd(d1, d1, q1);
    }
    *sd = _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3));
    *sq = _mm256_add_pd(_mm256_add_pd(q0, q1), _mm256_add_pd(q2, q3));
}
LN__AVX2_K void ln__avx2_moments(const float *x, const float *r, float *s, size_t n, double k,
                                 double out[2]) {
    __m256d sd, sq;
    ln__256_moments_lanes(x, r, s, n, k, &sd, &sq, 0);
    out[0] = ln__256_hsum(sd);
    out[1] = ln__256_hsum(sq);
}
LN__AVX2_K double ln__avx2_sqdev(const float *x, size_t n, double m) {
    const __m256d vm = _mm256_set1_pd(m);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256d d0, d1, d2, d3;
        ln__256_quarters_at(x + i, NULL, NULL, vm, &d0, &d1, &d2, &d3);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
        a1 = _mm256_fmadd_pd(d1, d1, a1);
        a2 = _mm256_fmadd_pd(d2, d2, a2);
        a3 = _mm256_fmadd_pd(d3, d3, a3);
    }
    for (; i < n; i += 8) {
        size_t w = n - i;
        __m256 v = ln__256_load(x + i, w);
        __m256d d0 = _mm256_sub_pd(ln__256_lo(v), vm), d1 = _mm256_sub_pd(ln__256_hi(v), vm);
        ln__256_zero_past(&d0, &d1, w);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
        a1 = _mm256_fmadd_pd(d1, d1, a1);
    }
    return ln__256_hsum(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
}

LN__AVX2_K void ln__avx2_add(float *s, const float *x, const float *r, size_t n) {
    size_t i;
    for (i = 0; i < n; i += 8) {
        size_t w = n - i;
        ln__256_store(s + i, _mm256_add_ps(ln__256_load(x + i, w), ln__256_load(r + i, w)), w, 0);
    }
}
LN__AVX2_K void ln__256_norm_step(float *y, const float *x, size_t i, size_t w,
                                              int stream, __m256 vh, __m256 vl, __m256 vr,
                                              const float *gamma, const float *beta) {
    __m256 v = ln__256_load(x + i, w);
    __m256 t = _mm256_sub_ps(_mm256_sub_ps(v, vh), vl);
    __m256 b = beta ? ln__256_load(beta + i, w) : _mm256_setzero_ps();
    /* as ln__512_affine: without γ one fma */
    __m256 yv = gamma ? _mm256_fmadd_ps(_mm256_mul_ps(t, vr), ln__256_load(gamma + i, w), b)
                      : _mm256_fmadd_ps(t, vr, b);
    ln__256_store(y + i, yv, w, stream);
}

LN__AVX2_K void ln__avx2_norm(float *y, const float *x, size_t n, float mhi, float mlo,
                                   float rstd, const float *gamma, const float *beta, int stream,
                                   const float *pf) {
    const __m256 vh = _mm256_set1_ps(mhi), vl = _mm256_set1_ps(mlo), vr = _mm256_set1_ps(rstd);
    size_t i = 0, head;
    if ((uintptr_t)y & 3) stream = 0;
    head = stream ? ln__head(y, n) : 0;
    for (; i < head; i += 8) ln__256_norm_step(y, x, i, head - i < 8 ? head - i : 8, 0, vh, vl, vr, gamma, beta);
    i = head;
    if (stream && pf) /* the next row into L2 (the caller passes pf: LN__STREAM_PF_COLS) */
        for (; i + 8 <= n; i += 8) {
            if (!((i - head) & 15)) _mm_prefetch((const char *)(pf + i), _MM_HINT_T1);
            ln__256_norm_step(y, x, i, 8, 1, vh, vl, vr, gamma, beta);
        }
    else if (stream)
        for (; i + 8 <= n; i += 8) ln__256_norm_step(y, x, i, 8, 1, vh, vl, vr, gamma, beta);
    else if (pf)
        for (; i + 8 <= n; i += 8) {
            if (!(i & 15)) _mm_prefetch((const char *)(pf + i), _MM_HINT_T1);
            ln__256_norm_step(y, x, i, 8, 0, vh, vl, vr, gamma, beta);
        }
    else
        for (; i + 8 <= n; i += 8) ln__256_norm_step(y, x, i, 8, 0, vh, vl, vr, gamma, beta);
    if (i < n) ln__256_norm_step(y, x, i, n - i, 0, vh, vl, vr, gamma, beta);
}

/* ln__avx2_norm (unstreamed) of this row interleaved with ln__avx2_moments of the next:
   the moments' accumulators, unroll (16 floats into a0..a3, q0..q3) and tail (8 at a
   time into a0, a1, q0, q1) are those of ln__avx2_moments, and each y is one
   ln__256_norm_step as in ln__avx2_norm, so the bits of the two kernels. (About kn = 0,
   RMSNorm's, the squares are ln__avx2_sqdev's: its accumulators, in the same order.) */
LN__AVX2_K void ln__256_norm_moments_body(float *y, const float *x, size_t n, float mhi,
                                          float mlo, float rstd, const float *gamma,
                                          const float *beta, const float *xn,
                                          const float *rn, float *sn, double kn,
                                          double out[2], const float *pf,
                                          const float *pf_r) {
    const __m256 vh = _mm256_set1_ps(mhi), vl = _mm256_set1_ps(mlo), vr = _mm256_set1_ps(rstd);
    const __m256d vk = _mm256_set1_pd(kn);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, q0 = a0, q1 = a0, q2 = a0, q3 = a0;
    size_t i = 0, t;
    for (; i + 16 <= n; i += 16) {
        __m256d d0, d1, d2, d3;
        /* with the fused add, the next row's sum is stored as moments stores it */
        ln__256_quarters_at(xn + i, rn ? rn + i : NULL, rn ? sn + i : NULL, vk, &d0, &d1, &d2,
                            &d3);
        if (pf) { /* one line a step */
            _mm_prefetch((const char *)(pf + i), _MM_HINT_T0);
            if (rn) _mm_prefetch((const char *)(pf_r + i), _MM_HINT_T0);
        }
        a0 = _mm256_add_pd(a0, d0);
        a1 = _mm256_add_pd(a1, d1);
        a2 = _mm256_add_pd(a2, d2);
        a3 = _mm256_add_pd(a3, d3);
        q0 = _mm256_fmadd_pd(d0, d0, q0);
        q1 = _mm256_fmadd_pd(d1, d1, q1);
        q2 = _mm256_fmadd_pd(d2, d2, q2);
        q3 = _mm256_fmadd_pd(d3, d3, q3);
        ln__256_norm_step(y, x, i, 8, 0, vh, vl, vr, gamma, beta);
        ln__256_norm_step(y, x, i + 8, 8, 0, vh, vl, vr, gamma, beta);
    }
    for (t = i; t < n; t += 8) { /* the rest of the next row, as ln__avx2_moments */
        size_t w = n - t;
        __m256 v = ln__256_load(xn + t, w);
        __m256d d0, d1;
        if (rn) {
            v = _mm256_add_ps(v, ln__256_load(rn + t, w));
            ln__256_store(sn + t, v, w, 0);
        }
        d0 = _mm256_sub_pd(ln__256_lo(v), vk), d1 = _mm256_sub_pd(ln__256_hi(v), vk);
        ln__256_zero_past(&d0, &d1, w);
        a0 = _mm256_add_pd(a0, d0);
        a1 = _mm256_add_pd(a1, d1);
        q0 = _mm256_fmadd_pd(d0, d0, q0);
        q1 = _mm256_fmadd_pd(d1, d1, q1);
    }
    if (i + 8 <= n) {
        ln__256_norm_step(y, x, i, 8, 0, vh, vl, vr, gamma, beta);
        i += 8;
    }
    if (i < n) ln__256_norm_step(y, x, i, n - i, 0, vh, vl, vr, gamma, beta);
    out[0] = ln__256_hsum(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
    out[1] = ln__256_hsum(_mm256_add_pd(_mm256_add_pd(q0, q1), _mm256_add_pd(q2, q3)));
}
/* the body inlined three times, as ln__avx512_norm_moments: with γ and β both given (the
   common case), with and without the prefetch, the compiler drops the per-vector tests */
LN__AVX2_K void ln__avx2_norm_moments(float *y, const float *x, size_t n, float mhi,
                                      float mlo, float rstd, const float *gamma,
                                      const float *beta, const float *xn, double kn,
                                      double out[2], const float *pf) {
    if (gamma && beta && pf)
        ln__256_norm_moments_body(y, x, n, mhi, mlo, rstd, gamma, beta, xn, NULL, NULL, kn,
                                  out, pf, NULL);
    else if (gamma && beta)
        ln__256_norm_moments_body(y, x, n, mhi, mlo, rstd, gamma, beta, xn, NULL, NULL, kn,
                                  out, NULL, NULL);
    else
        ln__256_norm_moments_body(y, x, n, mhi, mlo, rstd, gamma, beta, xn, NULL, NULL, kn,
                                  out, pf, NULL);
}
/* the fused add's, as ln__avx512_norm_add_moments */
LN__AVX2_K void ln__avx2_norm_add_moments(float *y, const float *s, size_t n, float mhi,
                                          float mlo, float rstd, const float *gamma,
                                          const float *beta, const float *xn, const float *rn,
                                          float *sn, double kn, double out[2],
                                          const float *pf, const float *pf_r) {
    if (gamma && pf)
        ln__256_norm_moments_body(y, s, n, mhi, mlo, rstd, gamma, beta, xn, rn, sn, kn, out,
                                  pf, pf_r);
    else
        ln__256_norm_moments_body(y, s, n, mhi, mlo, rstd, gamma, beta, xn, rn, sn, kn, out,
                                  pf, pf_r);
}

/* x̃ = x − mean in double (exact); lanes past w must give 0, not −mean */
/* acc += {g, g·x̃, x̃} for the double halves of g and of x̃ */
LN__AVX2_K void ln__256_sums_add(__m256d acc[6], __m256d g0, __m256d g1, __m256d x0,
                                 __m256d x1) {
    acc[0] = _mm256_add_pd(acc[0], g0);
    acc[1] = _mm256_add_pd(acc[1], g1);
    acc[2] = _mm256_fmadd_pd(g0, x0, acc[2]);
    acc[3] = _mm256_fmadd_pd(g1, x1, acc[3]);
    acc[4] = _mm256_add_pd(acc[4], x0);
    acc[5] = _mm256_add_pd(acc[5], x1);
}
LN__AVX2_K void ln__256_sums_step(__m256d acc[6], __m256 g, __m256 xv, __m256d m,
                                              size_t w) {
    __m256d x0 = _mm256_sub_pd(ln__256_lo(xv), m), x1 = _mm256_sub_pd(ln__256_hi(xv), m);
    ln__256_zero_past(&x0, &x1, w);
    ln__256_sums_add(acc, ln__256_lo(g), ln__256_hi(g), x0, x1);
}
/* the same for 8 columns of x at xp, converted straight from memory */
LN__AVX2_K void ln__256_sums_step_at(__m256d acc[6], __m256 g, const float *xp, __m256d m) {
    ln__256_sums_add(acc, ln__256_lo(g), ln__256_hi(g),
                     _mm256_sub_pd(ln__256_cvt_at(xp), m),
                     _mm256_sub_pd(ln__256_cvt_at(xp + 4), m));
}

LN__AVX2_K void ln__avx2_bwd_sums(double out[3], const float *dy, const float *x,
                                       const float *gamma, size_t n, float mean) {
    const __m256d vmean = _mm256_set1_pd((double)mean);
    __m256d acc[6];
    size_t i = 0;
    int j;
    for (j = 0; j < 6; j++) acc[j] = _mm256_setzero_pd();
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_loadu_ps(dy + i);
        __m256 g = gamma ? _mm256_mul_ps(_mm256_loadu_ps(gamma + i), d) : d;
        ln__256_sums_step_at(acc, g, x + i, vmean);
    }
    if (i < n) {
        size_t w = n - i;
        __m256 d = ln__256_load(dy + i, w);
        __m256 g = gamma ? _mm256_mul_ps(ln__256_load(gamma + i, w), d) : d;
        ln__256_sums_step(acc, g, ln__256_load(x + i, w), vmean, w);
    }
    out[0] = ln__256_hsum(_mm256_add_pd(acc[0], acc[1]));
    out[1] = ln__256_hsum(_mm256_add_pd(acc[2], acc[3]));
    out[2] = ln__256_hsum(_mm256_add_pd(acc[4], acc[5]));
}

LN__AVX2_K void ln__256_bwd_step(float *dx, double *pg, double *pb, const float *dy,
                                             const float *x, const float *gamma, size_t i,
                                             size_t w, int stream, const ln__bwd_coef *c,
                                             int flags) {
    __m256 d = ln__256_load(dy + i, w);
    __m256 g = gamma ? _mm256_mul_ps(ln__256_load(gamma + i, w), d) : d;
    __m256 xv = ln__256_load(x + i, w); /* loads before the store: dx may be dy or x */
    __m256 xt = _mm256_sub_ps(xv, _mm256_set1_ps(c->mean));
    __m256 xh = _mm256_mul_ps(_mm256_sub_ps(xt, _mm256_set1_ps(c->delta)), _mm256_set1_ps(c->rstd));
    if (dx) {
        __m256 t = _mm256_fmadd_ps(_mm256_set1_ps(c->a), g, _mm256_set1_ps(c->b));
        t = _mm256_fmadd_ps(_mm256_set1_ps(c->c), xh, t);
        if (flags & LN__DX_ACC) t = _mm256_add_ps(ln__256_load(dx + i, w), t);
        ln__256_store(dx + i, t, w, stream);
    }
    if (pg || pb) {
        __m256d d0 = ln__256_lo(d), d1 = ln__256_hi(d);
        int first = flags & LN__PARAM_FIRST;
        if (pg) { /* x̂ = x·rstd − shift·rstd, in double */
            const __m256d rs = _mm256_set1_pd((double)c->rstd), hb = _mm256_set1_pd(c->hb);
            __m256d h0 = _mm256_fmadd_pd(ln__256_lo(xv), rs, hb);
            __m256d h1 = _mm256_fmadd_pd(ln__256_hi(xv), rs, hb);
            ln__256_acc(pg + i, d0, h0, d1, h1, w, first, 1);
        }
        if (pb) ln__256_acc(pb + i, d0, d0, d1, d1, w, first, 0);
    }
}

LN__AVX2_K void ln__avx2_bwd_apply(float *dx, double *pg, double *pb, const float *dy,
                                        const float *x, const float *gamma, size_t n,
                                        const ln__bwd_coef *c, int flags) {
    int stream = dx && (flags & LN__STREAM) && !((uintptr_t)dx & 3);
    size_t i = 0, head = stream ? ln__head(dx, n) : 0;
    for (; i < head; i += 8)
        ln__256_bwd_step(dx, pg, pb, dy, x, gamma, i, head - i < 8 ? head - i : 8, 0, c, flags);
    i = head;
    if (stream) { /* vector by vector up, or down (ln__sweep_down): the k-th at t */
        size_t e = i + (n - i) / 8 * 8, t = i, step = 8;
        if (ln__sweep_down(dx, x, dy)) t = e - 8, step = (size_t)0 - 8;
        for (; i < e; i += 8, t += step)
            ln__256_bwd_step(dx, pg, pb, dy, x, gamma, t, 8, 1, c, flags);
    } else if (c->pf_x)
        for (; i + 8 <= n; i += 8) {
            if (!(i & 15)) {
                _mm_prefetch((const char *)(c->pf_x + i), _MM_HINT_T1);
                _mm_prefetch((const char *)(c->pf_dy + i), _MM_HINT_T1);
            }
            ln__256_bwd_step(dx, pg, pb, dy, x, gamma, i, 8, 0, c, flags);
        }
    else
        for (; i + 8 <= n; i += 8) ln__256_bwd_step(dx, pg, pb, dy, x, gamma, i, 8, 0, c, flags);
    if (i < n) ln__256_bwd_step(dx, pg, pb, dy, x, gamma, i, n - i, 0, c, flags);
}

/* bwd_apply (dx only) of this row and bwd_sums of the next in one loop, 8 columns a step
   as both kernels take them: ln__256_sums_step into the same six accumulators as
   ln__avx2_bwd_sums, ln__256_bwd_step as ln__avx2_bwd_apply, so the bits of the two
   kernels one after the other. With LN__STREAM, dx's whole vectors from its first
   64-byte boundary bypass the cache, ln__dx_lag lines behind the loads (the rest of them,
   the tail and the head after the loop). */
LN__AVX2_K void ln__256_apply_sums_body(float *dx, const float *dy, const float *x,
                                        const float *gamma, size_t n, const ln__bwd_coef *c,
                                        int flags, double out[3], const float *dyn,
                                        const float *xn, float meann, const float *pf_x,
                                        const float *pf_dy) {
    const __m256d vmean = _mm256_set1_pd((double)meann);
    const int stream = (flags & LN__STREAM) && !((uintptr_t)dx & 3);
    const size_t head = stream ? ln__head(dx, n) : 0;
    const size_t lag = stream ? 16 * ln__dx_lag(dx + head, xn, dyn) : 0; /* in columns */
    __m256d acc[6];
    size_t i = 0, t = head; /* t: dx's next vector when streamed */
    int j;
    const int pf_l2 = n >= LN__PF_L2_COLS;
    for (j = 0; j < 6; j++) acc[j] = _mm256_setzero_pd();
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_loadu_ps(dyn + i);
        __m256 g = gamma ? _mm256_mul_ps(_mm256_loadu_ps(gamma + i), d) : d;
        if (pf_x && !(i & 15)) { /* one line of each a 16-column step */
            ln__prefetch_next(pf_x + i, pf_l2);
            ln__prefetch_next(pf_dy + i, pf_l2);
            /* dx += ...: the old dx ahead is read too */
            if (flags & LN__DX_ACC)
                ln__prefetch_next(dx + (pf_x - x) + i, pf_l2);
        }
        ln__256_sums_step_at(acc, g, xn + i, vmean);
        if (!stream)
            ln__256_bwd_step(dx, NULL, NULL, dy, x, gamma, i, 8, 0, c, flags);
        else if (i >= lag && t + 8 <= n) {
            ln__256_bwd_step(dx, NULL, NULL, dy, x, gamma, t, 8, 1, c, flags);
            t += 8;
        }
    }
    if (i < n) {
        size_t w = n - i;
        __m256 d = ln__256_load(dyn + i, w);
        __m256 g = gamma ? _mm256_mul_ps(ln__256_load(gamma + i, w), d) : d;
        ln__256_sums_step(acc, g, ln__256_load(xn + i, w), vmean, w);
        if (!stream) ln__256_bwd_step(dx, NULL, NULL, dy, x, gamma, i, w, 0, c, flags);
    }
    if (stream) {
        for (; t + 8 <= n; t += 8)
            ln__256_bwd_step(dx, NULL, NULL, dy, x, gamma, t, 8, 1, c, flags);
        if (t < n) ln__256_bwd_step(dx, NULL, NULL, dy, x, gamma, t, n - t, 0, c, flags);
        for (i = 0; i < head; i += 8)
            ln__256_bwd_step(dx, NULL, NULL, dy, x, gamma, i, head - i < 8 ? head - i : 8, 0, c,
                             flags);
    }
    out[0] = ln__256_hsum(_mm256_add_pd(acc[0], acc[1]));
    out[1] = ln__256_hsum(_mm256_add_pd(acc[2], acc[3]));
    out[2] = ln__256_hsum(_mm256_add_pd(acc[4], acc[5]));
}
LN__AVX2_K void ln__avx2_bwd_apply_sums(float *dx, const float *dy, const float *x,
                                        const float *gamma, size_t n, const ln__bwd_coef *c,
                                        int flags, double out[3], const float *dyn,
                                        const float *xn, float meann, const float *pf_x,
                                        const float *pf_dy) {
    const ln__bwd_coef k = *c; /* a local: the dx stores cannot alias it */
    const int how = flags & (LN__DX_ACC | LN__STREAM);
    if (gamma && pf_x && how == 0) /* the common cases, without their tests */
        ln__256_apply_sums_body(dx, dy, x, gamma, n, &k, 0, out, dyn, xn, meann, pf_x, pf_dy);
    else if (gamma && pf_x && how == LN__STREAM)
        ln__256_apply_sums_body(dx, dy, x, gamma, n, &k, LN__STREAM, out, dyn, xn, meann, pf_x,
                                pf_dy);
    else
        ln__256_apply_sums_body(dx, dy, x, gamma, n, &k, flags, out, dyn, xn, meann, pf_x,
                                pf_dy);
}

/* AVX2 bwd_params: as the AVX-512 one, with tiles of 16 columns (8 double accumulators
   of 4 lanes, within the 16 registers) */
LN__AVX2_K void ln__256_params_vec(const float *dy, const float *x, size_t w, __m256d rs,
                                   __m256d hb, int init, int want_g, int want_b, __m256d *g0,
                                   __m256d *g1, __m256d *b0, __m256d *b1) {
    __m256d d0, d1, v0, v1;
    if (w >= 8) { /* halves converted straight from memory: no extract of the high one */
        d0 = ln__256_cvt_at(dy), d1 = ln__256_cvt_at(dy + 4);
        v0 = ln__256_cvt_at(x), v1 = ln__256_cvt_at(x + 4);
    } else {
        __m256 d = ln__256_load(dy, w), v = ln__256_load(x, w);
        d0 = ln__256_lo(d), d1 = ln__256_hi(d), v0 = ln__256_lo(v), v1 = ln__256_hi(v);
    }
    if (want_g) {
        __m256d h0 = _mm256_fmadd_pd(v0, rs, hb);
        __m256d h1 = _mm256_fmadd_pd(v1, rs, hb);
        *g0 = init ? _mm256_mul_pd(d0, h0) : _mm256_fmadd_pd(d0, h0, *g0);
        *g1 = init ? _mm256_mul_pd(d1, h1) : _mm256_fmadd_pd(d1, h1, *g1);
    }
    if (want_b) {
        *b0 = init ? d0 : _mm256_add_pd(d0, *b0);
        *b1 = init ? d1 : _mm256_add_pd(d1, *b1);
    }
}
/* w <= 8 doubles at p as two halves */
LN__AVX2_K void ln__256_params_load(const double *p, size_t w, __m256d *a0, __m256d *a1) {
    if (w >= 8) {
        *a0 = _mm256_loadu_pd(p);
        *a1 = _mm256_loadu_pd(p + 4);
    } else {
        *a0 = _mm256_maskload_pd(p, ln__256_mask64(w < 4 ? w : 4));
        *a1 = _mm256_maskload_pd(p + 4, ln__256_mask64(w > 4 ? w - 4 : 0));
    }
}
LN__AVX2_K void ln__256_params_store(double *p, size_t w, __m256d a0, __m256d a1) {
    if (w >= 8) {
        _mm256_storeu_pd(p, a0);
        _mm256_storeu_pd(p + 4, a1);
    } else {
        _mm256_maskstore_pd(p, ln__256_mask64(w < 4 ? w : 4), a0);
        _mm256_maskstore_pd(p + 4, ln__256_mask64(w > 4 ? w - 4 : 0), a1);
    }
}
/* columns j0 .. j0 + w, w <= 16 */
LN__AVX2_K void ln__256_params_tile(double *pg, double *pb, const float *dy, const float *x,
                                    size_t ld, size_t rows, const double *rs, const double *hb,
                                    int first, size_t j0, size_t w, int pf) {
    const size_t w0 = w < 8 ? w : 8, w1 = w > 8 ? w - 8 : 0;
    const int G = pg != NULL, B = pb != NULL;
    __m256d g00, g01, g10, g11, b00, b01, b10, b11;
    size_t r = 0;
    g00 = g01 = g10 = g11 = b00 = b01 = b10 = b11 = _mm256_setzero_pd();
    if (first) { /* row 0 stores its terms, as LN__PARAM_FIRST */
        const __m256d vr = _mm256_set1_pd(rs[0]), vh = _mm256_set1_pd(hb[0]);
        if (pf) ln__params_prefetch_at(dy + j0, x + j0, LN__PARAMS_AHEAD_AVX2);
        ln__256_params_vec(dy + j0, x + j0, w0, vr, vh, 1, G, B, &g00, &g01, &b00, &b01);
        ln__256_params_vec(dy + j0 + 8, x + j0 + 8, w1, vr, vh, 1, G, B, &g10, &g11, &b10, &b11);
        r = 1;
    } else {
        if (G) {
            ln__256_params_load(pg + j0, w0, &g00, &g01);
            ln__256_params_load(pg + j0 + 8, w1, &g10, &g11);
        }
        if (B) {
            ln__256_params_load(pb + j0, w0, &b00, &b01);
            ln__256_params_load(pb + j0 + 8, w1, &b10, &b11);
        }
    }
    for (; r < rows; r++) {
        const __m256d vr = _mm256_set1_pd(rs[r]), vh = _mm256_set1_pd(hb[r]);
        const float *d = dy + r * ld + j0, *v = x + r * ld + j0;
        if (pf) ln__params_prefetch_at(d, v, LN__PARAMS_AHEAD_AVX2);
        ln__256_params_vec(d, v, w0, vr, vh, 0, G, B, &g00, &g01, &b00, &b01);
        ln__256_params_vec(d + 8, v + 8, w1, vr, vh, 0, G, B, &g10, &g11, &b10, &b11);
    }
    if (G) {
        ln__256_params_store(pg + j0, w0, g00, g01);
        ln__256_params_store(pg + j0 + 8, w1, g10, g11);
    }
    if (B) {
        ln__256_params_store(pb + j0, w0, b00, b01);
        ln__256_params_store(pb + j0 + 8, w1, b10, b11);
    }
}
LN__AVX2_K void ln__256_params_body(double *pg, double *pb, const float *dy, const float *x,
                                    size_t n, size_t ld, size_t rows, const double *rs,
                                    const double *hb, int first) {
    size_t j0 = 0;
    /* as the AVX-512 tiles, but from LN__PARAMS_PF_COLS_AVX2 columns, further ahead */
    if (rows <= LN__PARAMS_PF_ROWS && n == ld && n >= LN__PARAMS_PF_COLS_AVX2)
        for (; j0 + 16 + LN__PARAMS_AHEAD_AVX2 <= n; j0 += 16)
            ln__256_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, 16, 1);
    for (; j0 + 16 <= n; j0 += 16)
        ln__256_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, 16, 0);
    if (j0 < n) ln__256_params_tile(pg, pb, dy, x, ld, rows, rs, hb, first, j0, n - j0, 0);
}
LN__AVX2_G void ln__avx2_bwd_params(double *pg, double *pb, const float *dy, const float *x,
                                    size_t n, size_t ld, size_t rows, const double *rs,
                                    const double *hb, int first) {
    if (pg && pb) ln__256_params_body(pg, pb, dy, x, n, ld, rows, rs, hb, first);
    else if (pg) ln__256_params_body(pg, NULL, dy, x, n, ld, rows, rs, hb, first);
    else ln__256_params_body(NULL, pb, dy, x, n, ld, rows, rs, hb, first);
}

/* AVX2 rows of n <= 32, nr <= 8 of them (fwd_rows8, bwd_rows8; the forward's up to
   LN__BATCH8_COLS_AVX2, nv > 4): as the AVX-512 kernels, the eight rows' statistics as the
   lanes of double vectors, rows 0-3 and 4-7, so one square root and division serve four
   rows. 16 registers do not hold eight rows: each row is read for its sums, then again,
   from L1, for its output. Vector h of a row holds columns 8h .. 8h + 7 (the last one
   masked); nv vectors, a constant where inlined. */

/* lane i = the sum of the four lanes of a_i, (e0 + e1) + (e2 + e3) */
LN__AVX2_K __m256d ln__256_fold4(__m256d a0, __m256d a1, __m256d a2, __m256d a3) {
    __m256d t0 = _mm256_hadd_pd(a0, a1), t1 = _mm256_hadd_pd(a2, a3); /* e0 + e1, e2 + e3 */
    return _mm256_add_pd(_mm256_permute2f128_pd(t0, t1, 0x20),
                         _mm256_permute2f128_pd(t0, t1, 0x31));
}
/* a row's Σ d and Σ d² as double lanes, d = v − k (v = x, or x + r written to s) */
LN__AVX2_K void ln__256_row_moments(const float *x, const float *r, float *s, size_t n, int nv,
                                    double k, __m256d *sd, __m256d *sq) {
    const __m256d vk = _mm256_set1_pd(k);
    __m256d a = _mm256_setzero_pd(), b = a; /* locals: s may not alias them */
    int h;
    LN__UNROLL
    for (h = 0; h < nv; h++) {
        size_t i = 8 * (size_t)h, w = n - i < 8 ? n - i : 8;
        __m256d d0, d1;
        if (r || i + 8 > n) {
            __m256 v = ln__256_load(x + i, w);
            if (r) {
                v = _mm256_add_ps(v, ln__256_load(r + i, w));
                ln__256_store(s + i, v, w, 0);
            }
            d0 = ln__256_lo(v), d1 = ln__256_hi(v);
        } else { /* halves converted straight from memory */
            d0 = ln__256_cvt_at(x + i), d1 = ln__256_cvt_at(x + i + 4);
        }
        d0 = _mm256_sub_pd(d0, vk), d1 = _mm256_sub_pd(d1, vk);
        ln__256_zero_past(&d0, &d1, w); /* lanes past the row: 0, not −k */
        a = _mm256_add_pd(a, _mm256_add_pd(d0, d1));
        b = _mm256_add_pd(b, _mm256_fmadd_pd(d0, d0, _mm256_mul_pd(d1, d1)));
    }
    *sd = a;
    *sq = b;
}
/* Forward: per row k = its first value (RMSNorm: 0) and the moments of d = v − k, then
   for four rows at once
       mean = k + S/n,  M2 = Q − S·(S/n) (>= 0),  rstd = 1/sqrt(M2/n + eps)
   and y = ((v − mhi) − mlo)·rstd·γ + β row by row (ln__avx2_norm). */
LN__AVX2_K void ln__256_fwd_rows8_body(float *y, float *sum, float *mean, float *rstd,
                                       const float *x, const float *res, const float *gamma,
                                       const float *beta, size_t nr, size_t n, float eps,
                                       int rms, int ahead, int nv) {
    const __m256d inv_n = _mm256_set1_pd(1.0 / (double)n), zero = _mm256_setzero_pd();
    const float *src = res ? sum : x; /* the rows normalized: x, or the sums written */
    __m256d sd[8], sq[8];
    float kf[8], mhi[8], mlo[8], rsf[8];
    size_t i, q;
    /* nv > 4 (n up to LN__BATCH8_COLS_AVX2): ln__256_moments_lanes asks for its line
       LN__PF_AHEAD floats on instead, and y's loop runs to the row's end */
    if (ahead && nv <= 4) /* the next batch: x (and the residual), and y for writing */
        for (i = 0; i < 8 * n; i += 16) {
            _mm_prefetch((const char *)(x + 8 * n + i), _MM_HINT_T0);
            if (res) _mm_prefetch((const char *)(res + 8 * n + i), _MM_HINT_T0);
            __builtin_prefetch(y + 8 * n + i, 1, 3);
        }
    for (i = 0; i < 8; i++) {
        size_t off = i * n;
        sd[i] = sq[i] = zero;
        kf[i] = 0.0f;
        if (i >= nr) continue;
        if (!rms) kf[i] = res ? x[off] + res[off] : x[off];
        if (nv > 4)
            ln__256_moments_lanes(x + off, res ? res + off : NULL, res ? sum + off : NULL, n,
                                  (double)kf[i], &sd[i], &sq[i], ahead);
        else
            ln__256_row_moments(x + off, res ? res + off : NULL, res ? sum + off : NULL, n, nv,
                                (double)kf[i], &sd[i], &sq[i]);
    }
    for (q = 0; q < 8; q += 4) { /* rows q .. q + 3 */
        __m256d S = ln__256_fold4(sd[q], sd[q + 1], sd[q + 2], sd[q + 3]);
        __m256d Q = ln__256_fold4(sq[q], sq[q + 1], sq[q + 2], sq[q + 3]);
        __m256d mu = zero, m2 = Q, rs;
        __m128 hf;
        if (!rms) {
            __m256d ms = _mm256_mul_pd(S, inv_n);
            mu = _mm256_add_pd(ln__256_cvt_at(kf + q), ms);
            /* max(0, M2): rounding on a (near-)constant row; a NaN stays (max returns it) */
            m2 = _mm256_max_pd(zero, _mm256_sub_pd(Q, _mm256_mul_pd(S, ms)));
        }
        rs = _mm256_add_pd(_mm256_mul_pd(m2, inv_n), _mm256_set1_pd((double)eps));
        rs = _mm256_div_pd(_mm256_set1_pd(1.0), _mm256_sqrt_pd(rs));
        hf = _mm256_cvtpd_ps(mu);
        _mm_storeu_ps(mhi + q, hf);
        _mm_storeu_ps(mlo + q, _mm256_cvtpd_ps(_mm256_sub_pd(mu, _mm256_cvtps_pd(hf))));
        _mm_storeu_ps(rsf + q, _mm256_cvtpd_ps(rs));
    }
    for (i = 0; i < nr; i++) {
        const __m256 vh = _mm256_set1_ps(mhi[i]), vl = _mm256_set1_ps(mlo[i]),
                     vr = _mm256_set1_ps(rsf[i]);
        int h;
        if (mean) mean[i] = mhi[i];
        if (rstd) rstd[i] = rsf[i];
        if (nv > 4) { /* (a call of ln__avx2_norm here took 1.6-1.9x the time out of cache) */
            size_t c;
            for (c = 0; c < n; c += 8)
                ln__256_norm_step(y + i * n, src + i * n, c, n - c < 8 ? n - c : 8, 0, vh, vl,
                                  vr, gamma, beta);
            continue;
        }
        LN__UNROLL
        for (h = 0; h < nv; h++) { /* as ln__avx2_norm */
            size_t c = 8 * (size_t)h;
            ln__256_norm_step(y + i * n, src + i * n, c, n - c < 8 ? n - c : 8, 0, vh, vl, vr,
                              gamma, beta);
        }
    }
}
LN__AVX2_G void ln__avx2_fwd_rows8(float *y, float *sum, float *mean, float *rstd,
                                   const float *x, const float *res, const float *gamma,
                                   const float *beta, size_t nr, size_t n, float eps, int rms,
                                   int ahead) {
    ahead &= 1; /* (LN__ROWS8_NT: the AVX-512 kernel's only) */
#define LN__FWD8(nv)                                                                       \
    ln__256_fwd_rows8_body(y, sum, mean, rstd, x, res, gamma, beta, nr, n, eps, rms, ahead, nv)
    switch ((n + 7) / 8) { /* vectors per row: a constant in each inlined body */
    case 1: LN__FWD8(1); break;
    case 2: LN__FWD8(2); break;
    case 3: LN__FWD8(3); break;
    case 4: LN__FWD8(4); break;
    default: LN__FWD8(5); break; /* 33 to LN__BATCH8_COLS_AVX2 columns */
    }
#undef LN__FWD8
}
/* Backward: per row the sums of ln__avx2_bwd_sums, then for four rows at once the
   coefficients of ln__coef_from_sums (the same double operations), then dx row by row
   (ln__256_bwd_step) and dγ/dβ of the batch (ln__avx2_bwd_params: its bits). */
LN__AVX2_K void ln__256_bwd_rows8_body(double *rs_out, double *hb_out, float *dx, double *pg,
                                       double *pb, const float *dy, const float *x,
                                       const float *gamma, const float *mean,
                                       const float *rstd, size_t nr, size_t n, int flags,
                                       int nv) {
    const __m256d inv_n = _mm256_set1_pd(1.0 / (double)n), zero = _mm256_setzero_pd();
    __m256d sg[8], sgx[8], sx[8];
    float mf[8], rf[8], kd[8], kb[8], kc[8];
    double hbd[8];
    const int pf_l2 = (n & 15) == 0; /* 16 or 32 columns: LN__BWD8_PF_L2_COLS */
    size_t i, q;
    if (flags & LN__AHEAD8) /* the next batch: x, dy, and dx for writing */
        for (i = 0; i < 8 * n; i += 16) {
            ln__prefetch_next(x + 8 * n + i, pf_l2);
            ln__prefetch_next(dy + 8 * n + i, pf_l2);
            if (dx) __builtin_prefetch(dx + 8 * n + i, 1, 3);
        }
    for (i = 0; i < 8; i++) {
        __m256d acc[6], vm;
        int h, a;
        mf[i] = mean && i < nr ? mean[i] : 0.0f;
        rf[i] = i < nr ? rstd[i] : 0.0f;
        vm = _mm256_set1_pd((double)mf[i]);
        for (a = 0; a < 6; a++) acc[a] = zero;
        if (i < nr) {
            LN__UNROLL
            for (h = 0; h < nv; h++) {
                size_t c = 8 * (size_t)h, w = n - c < 8 ? n - c : 8;
                __m256 d = ln__256_load(dy + i * n + c, w);
                __m256 g = gamma ? _mm256_mul_ps(ln__256_load(gamma + c, w), d) : d;
                if (c + 8 <= n) ln__256_sums_step_at(acc, g, x + i * n + c, vm);
                else ln__256_sums_step(acc, g, ln__256_load(x + i * n + c, w), vm, w);
            }
        }
        sg[i] = _mm256_add_pd(acc[0], acc[1]);
        sgx[i] = _mm256_add_pd(acc[2], acc[3]);
        sx[i] = _mm256_add_pd(acc[4], acc[5]);
    }
    for (q = 0; q < 8; q += 4) { /* rows q .. q + 3 */
        __m256d Sg = ln__256_fold4(sg[q], sg[q + 1], sg[q + 2], sg[q + 3]);
        __m256d Sgx = ln__256_fold4(sgx[q], sgx[q + 1], sgx[q + 2], sgx[q + 3]);
        __m256d Sx = ln__256_fold4(sx[q], sx[q + 1], sx[q + 2], sx[q + 3]);
        __m256d r = ln__256_cvt_at(rf + q), neg_r = _mm256_sub_pd(zero, r);
        __m256d mu = ln__256_cvt_at(mf + q), delta = zero, mg = zero, mgx, shift;
        /* δ = S_x/n, mean(g) = S_g/n, mean(g·x̂) = rstd·(S_gx − δ·S_g)/n; b = −rstd·mean(g),
           c = −rstd·mean(g·x̂) */
        if (mean) {
            delta = _mm256_mul_pd(Sx, inv_n);
            mg = _mm256_mul_pd(Sg, inv_n);
        }
        mgx = _mm256_mul_pd(r, _mm256_sub_pd(Sgx, _mm256_mul_pd(delta, Sg)));
        mgx = _mm256_mul_pd(mgx, inv_n);
        _mm_storeu_ps(kd + q, _mm256_cvtpd_ps(delta));
        _mm_storeu_ps(kb + q, _mm256_cvtpd_ps(_mm256_mul_pd(neg_r, mg)));
        _mm_storeu_ps(kc + q, _mm256_cvtpd_ps(_mm256_mul_pd(neg_r, mgx)));
        shift = _mm256_add_pd(mu, delta); /* the row's exact mean */
        _mm256_storeu_pd(hbd + q, _mm256_mul_pd(_mm256_sub_pd(zero, shift), r));
    }
    for (i = 0; i < nr; i++) {
        rs_out[i] = (double)rf[i];
        hb_out[i] = hbd[i];
        if (dx) { /* dx = a·g + b + c·x̂, x̂ = ((x − mean) − δ)·rstd, a = rstd */
            ln__bwd_coef k;
            int h;
            k.mean = mf[i], k.a = k.rstd = rf[i], k.b = kb[i], k.c = kc[i], k.delta = kd[i];
            k.shift = 0.0, k.hb = hbd[i], k.pf_x = k.pf_dy = NULL; /* (not read for dx) */
            LN__UNROLL
            for (h = 0; h < nv; h++) {
                size_t c = 8 * (size_t)h;
                ln__256_bwd_step(dx + i * n, NULL, NULL, dy + i * n, x + i * n, gamma, c,
                                 n - c < 8 ? n - c : 8, 0, &k, flags);
            }
        }
    }
    if (pg || pb) ln__avx2_bwd_params(pg, pb, dy, x, n, n, nr, rs_out, hb_out,
                                      (flags & LN__PARAM_FIRST) != 0);
}
LN__AVX2_G void ln__avx2_bwd_rows8(double *rs, double *hb, float *dx, double *pg, double *pb,
                                   const float *dy, const float *x, const float *gamma,
                                   const float *mean, const float *rstd, size_t nr, size_t n,
                                   int flags) {
#define LN__BWD8(nv)                                                                       \
    ln__256_bwd_rows8_body(rs, hb, dx, pg, pb, dy, x, gamma, mean, rstd, nr, n, flags, nv)
    switch ((n + 7) / 8) { /* vectors per row: a constant in each inlined body */
    case 1: LN__BWD8(1); break;
    case 2: LN__BWD8(2); break;
    case 3: LN__BWD8(3); break;
    default: LN__BWD8(4); break;
    }
#undef LN__BWD8
}

/* dst[j] += (float)src[j], four at a time */
LN__AVX2_G void ln__avx2_add_rounded(float *dst, const double *src, size_t n) {
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        __m128 v = _mm256_cvtpd_ps(_mm256_loadu_pd(src + j));
        _mm_storeu_ps(dst + j, _mm_add_ps(_mm_loadu_ps(dst + j), v));
    }
    for (; j < n; j++) dst[j] += (float)src[j];
}

static const ln__kernels ln__kernels_avx2 = {
    ln__avx2_moments, ln__avx2_sqdev, ln__avx2_add, ln__avx2_norm, ln__avx2_norm_moments,
    ln__avx2_norm_add_moments, ln__avx2_fwd_rows8, LN__BATCH8_COLS_AVX2, LN__ROWS8_COLS,
    ln__avx2_bwd_sums, ln__avx2_bwd_apply, ln__avx2_bwd_params, ln__avx2_bwd_rows8,
    LN__ROWS8_COLS, ln__avx2_bwd_apply_sums, ln__avx2_add_rounded};
#endif /* LN__HAVE_AVX2 */

#ifdef LN__HAVE_NEON
/* AArch64: NEON is baseline, no dispatch. Tails run the scalar reference kernels. */
static inline float64x2_t ln__neon_lo(float32x4_t v) { return vcvt_f64_f32(vget_low_f32(v)); }
static inline float64x2_t ln__neon_hi(float32x4_t v) { return vcvt_high_f64_f32(v); }

static void ln__neon_moments(const float *x, const float *r, float *s, size_t n, double k,
                             double out[2]) {
    const float64x2_t vk = vdupq_n_f64(k);
    float64x2_t a0 = vdupq_n_f64(0), a1 = a0, q0 = a0, q1 = a0;
    double tail[2];
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t v = vld1q_f32(x + i);
        if (r) {
            v = vaddq_f32(v, vld1q_f32(r + i));
            vst1q_f32(s + i, v);
        }
        float64x2_t d0 = vsubq_f64(ln__neon_lo(v), vk), d1 = vsubq_f64(ln__neon_hi(v), vk);
        a0 = vaddq_f64(a0, d0);
        a1 = vaddq_f64(a1, d1);
        q0 = vfmaq_f64(q0, d0, d0);
        q1 = vfmaq_f64(q1, d1, d1);
    }
    ln__scalar_moments(x + i, r ? r + i : NULL, s ? s + i : NULL, n - i, k, tail);
    out[0] = vaddvq_f64(vaddq_f64(a0, a1)) + tail[0];
    out[1] = vaddvq_f64(vaddq_f64(q0, q1)) + tail[1];
}
static double ln__neon_sqdev(const float *x, size_t n, double m) {
    const float64x2_t vm = vdupq_n_f64(m);
    float64x2_t a0 = vdupq_n_f64(0), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t v0 = vld1q_f32(x + i), v1 = vld1q_f32(x + i + 4);
        float64x2_t d0 = vsubq_f64(ln__neon_lo(v0), vm), d1 = vsubq_f64(ln__neon_hi(v0), vm);
        float64x2_t d2 = vsubq_f64(ln__neon_lo(v1), vm), d3 = vsubq_f64(ln__neon_hi(v1), vm);
        a0 = vfmaq_f64(a0, d0, d0);
        a1 = vfmaq_f64(a1, d1, d1);
        a2 = vfmaq_f64(a2, d2, d2);
        a3 = vfmaq_f64(a3, d3, d3);
    }
    return vaddvq_f64(vaddq_f64(vaddq_f64(a0, a1), vaddq_f64(a2, a3))) +
           ln__scalar_sqdev(x + i, n - i, m);
}

static void ln__neon_add(float *s, const float *x, const float *r, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(s + i, vaddq_f32(vld1q_f32(x + i), vld1q_f32(r + i)));
    ln__scalar_add(s + i, x + i, r + i, n - i);
}
static void ln__neon_norm(float *y, const float *x, size_t n, float mhi, float mlo, float rstd,
                          const float *gamma, const float *beta, int stream, const float *pf) {
    const float32x4_t vh = vdupq_n_f32(mhi), vl = vdupq_n_f32(mlo), vr = vdupq_n_f32(rstd);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t t = vmulq_f32(vsubq_f32(vsubq_f32(vld1q_f32(x + i), vh), vl), vr);
        float32x4_t g = gamma ? vld1q_f32(gamma + i) : vdupq_n_f32(1.0f);
        float32x4_t b = beta ? vld1q_f32(beta + i) : vdupq_n_f32(0.0f);
        vst1q_f32(y + i, vfmaq_f32(b, t, g));
    }
    ln__scalar_norm(y + i, x + i, n - i, mhi, mlo, rstd, gamma ? gamma + i : NULL,
                    beta ? beta + i : NULL, stream, pf);
}

static void ln__neon_bwd_sums(double out[3], const float *dy, const float *x,
                              const float *gamma, size_t n, float mean) {
    const float64x2_t vmean = vdupq_n_f64(mean);
    float64x2_t sg0 = vdupq_n_f64(0), sg1 = sg0, sgx0 = sg0, sgx1 = sg0, sx0 = sg0, sx1 = sg0;
    double tail[3];
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t d = vld1q_f32(dy + i);
        float32x4_t g = gamma ? vmulq_f32(vld1q_f32(gamma + i), d) : d;
        float32x4_t xv = vld1q_f32(x + i);
        float64x2_t g0 = ln__neon_lo(g), g1 = ln__neon_hi(g);
        float64x2_t x0 = vsubq_f64(ln__neon_lo(xv), vmean), x1 = vsubq_f64(ln__neon_hi(xv), vmean);
        sg0 = vaddq_f64(sg0, g0);
        sg1 = vaddq_f64(sg1, g1);
        sgx0 = vfmaq_f64(sgx0, g0, x0);
        sgx1 = vfmaq_f64(sgx1, g1, x1);
        sx0 = vaddq_f64(sx0, x0);
        sx1 = vaddq_f64(sx1, x1);
    }
    ln__scalar_bwd_sums(tail, dy + i, x + i, gamma ? gamma + i : NULL, n - i, mean);
    out[0] = vaddvq_f64(vaddq_f64(sg0, sg1)) + tail[0];
    out[1] = vaddvq_f64(vaddq_f64(sgx0, sgx1)) + tail[1];
    out[2] = vaddvq_f64(vaddq_f64(sx0, sx1)) + tail[2];
}

static void ln__neon_bwd_apply(float *dx, double *pg, double *pb, const float *dy,
                               const float *x, const float *gamma, size_t n,
                               const ln__bwd_coef *c, int flags) {
    const float32x4_t vmean = vdupq_n_f32(c->mean), va = vdupq_n_f32(c->a), vb = vdupq_n_f32(c->b);
    const float32x4_t vc = vdupq_n_f32(c->c), vdelta = vdupq_n_f32(c->delta);
    const float32x4_t vr = vdupq_n_f32(c->rstd);
    const float64x2_t vshift = vdupq_n_f64(c->shift), vrd = vdupq_n_f64(c->rstd);
    int first = flags & LN__PARAM_FIRST;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t d = vld1q_f32(dy + i);
        float32x4_t g = gamma ? vmulq_f32(vld1q_f32(gamma + i), d) : d;
        float32x4_t xv = vld1q_f32(x + i); /* loads before the store: dx may be dy or x */
        float32x4_t xh = vmulq_f32(vsubq_f32(vsubq_f32(xv, vmean), vdelta), vr);
        if (dx) {
            float32x4_t t = vfmaq_f32(vfmaq_f32(vb, va, g), vc, xh);
            if (flags & LN__DX_ACC) t = vaddq_f32(vld1q_f32(dx + i), t);
            vst1q_f32(dx + i, t);
        }
        if (pg) {
            float64x2_t h0 = vmulq_f64(vsubq_f64(ln__neon_lo(xv), vshift), vrd);
            float64x2_t h1 = vmulq_f64(vsubq_f64(ln__neon_hi(xv), vshift), vrd);
            float64x2_t r0 = vmulq_f64(ln__neon_lo(d), h0);
            float64x2_t r1 = vmulq_f64(ln__neon_hi(d), h1);
            if (!first) {
                r0 = vaddq_f64(r0, vld1q_f64(pg + i));
                r1 = vaddq_f64(r1, vld1q_f64(pg + i + 2));
            }
            vst1q_f64(pg + i, r0);
            vst1q_f64(pg + i + 2, r1);
        }
        if (pb) {
            float64x2_t r0 = ln__neon_lo(d), r1 = ln__neon_hi(d);
            if (!first) {
                r0 = vaddq_f64(r0, vld1q_f64(pb + i));
                r1 = vaddq_f64(r1, vld1q_f64(pb + i + 2));
            }
            vst1q_f64(pb + i, r0);
            vst1q_f64(pb + i + 2, r1);
        }
    }
    ln__scalar_bwd_apply(dx ? dx + i : NULL, pg ? pg + i : NULL, pb ? pb + i : NULL, dy + i,
                         x + i, gamma ? gamma + i : NULL, n - i, c, flags);
}

static const ln__kernels ln__kernels_neon = {
    ln__neon_moments, ln__neon_sqdev, ln__neon_add, ln__neon_norm, NULL, NULL, NULL, 0, 0,
    ln__neon_bwd_sums, ln__neon_bwd_apply, NULL, NULL, 0, NULL, ln__scalar_add_rounded};
#endif /* LN__HAVE_NEON */

/* ---- 4. dispatch ------------------------------------------------------------------------ */

static int ln__detect(void) {
#if defined(LN__HAVE_AVX512) || defined(LN__HAVE_AVX2)
    __builtin_cpu_init(); /* reads CPUID and XCR0: AVX state must be enabled by the OS */
#endif
#ifdef LN__HAVE_AVX512
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("fma"))
        return LN_PATH_AVX512;
#endif
#ifdef LN__HAVE_AVX2
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return LN_PATH_AVX2;
#endif
#ifdef LN__HAVE_NEON
    return LN_PATH_NEON;
#else
    return LN_PATH_SCALAR;
#endif
}

#if defined(__GNUC__) || defined(__clang__)
/* *slot, computed by f at the first call (0: not yet). The racy first calls all store the
   same value; relaxed atomics make them well-defined. */
LN__INLINE int ln__once(int *slot, int (*f)(void)) {
    int v = __atomic_load_n(slot, __ATOMIC_RELAXED);
    if (!v) {
        v = f();
        __atomic_store_n(slot, v, __ATOMIC_RELAXED);
    }
    return v;
}
#endif

LNDEF int ln_path_active(void) {
#if defined(__GNUC__) || defined(__clang__)
    static int cached; /* detected once */
    return ln__once(&cached, ln__detect);
#else
    return ln__detect();
#endif
}

LNDEF int ln_path_supported(int path) {
    int best = ln_path_active();
    (void)best; /* unused where no x86 path is compiled */
    switch (path) {
    case LN_PATH_SCALAR: return 1;
#ifdef LN__HAVE_AVX512
    case LN_PATH_AVX512: return best == LN_PATH_AVX512;
#endif
#ifdef LN__HAVE_AVX2
    case LN_PATH_AVX2:
        return best == LN_PATH_AVX512 || best == LN_PATH_AVX2;
#endif
#ifdef LN__HAVE_NEON
    case LN_PATH_NEON: return 1;
#endif
    default: return 0;
    }
}

LNDEF const char *ln_path_name(int path) {
    switch (path) {
    case LN_PATH_SCALAR: return "scalar";
    case LN_PATH_AVX2: return "avx2";
    case LN_PATH_AVX512: return "avx512";
    case LN_PATH_NEON: return "neon";
    default: return "unknown";
    }
}

static const ln__kernels *ln__kernels_for(int path) {
    if (!ln_path_supported(path)) return &ln__kernels_scalar;
    switch (path) {
#ifdef LN__HAVE_AVX512
    case LN_PATH_AVX512: return &ln__kernels_avx512;
#endif
#ifdef LN__HAVE_AVX2
    case LN_PATH_AVX2: return &ln__kernels_avx2;
#endif
#ifdef LN__HAVE_NEON
    case LN_PATH_NEON: return &ln__kernels_neon;
#endif
    default: return &ln__kernels_scalar;
    }
}

/* The forward's pipelined rows (ln__forward_pipe) pay at every width on AMD Zen 5, where
   the kernels were tuned. On Zen 4 (AMD family 19h, AVX-512 on 256-bit units) narrower
   rows go faster one by one (each row's moments from memory, then its y from L1); the
   bits are the same either way. In-process A/B there (1 thread, out of cache, both link
   orders), one by one over pipelined, time:
     LayerNorm  256 columns 0.82-0.93x, 512 0.75-0.80x, 768 0.79-0.97x, 896 0.87-0.91x,
                1024 1.02-1.07x, 2048 1.07-1.13x (at 1024-1536 the pipelined rows of
                this header, with the choice compiled in, also took 1.02-1.05x the time
                of the previous header's: code placement; at 2048-4096 1.00x)
     RMSNorm    256 0.82-0.86x, 768 0.70x, 1024 0.70-0.71x, 2048 0.78-0.83x,
                3072 0.85-0.97x, 4096 0.97-1.02x, 8192 1.08x
     fused add  256 0.88-0.94x, 768 0.95-0.99x, 1024 0.98-1.01x, 2048 1.07-1.12x
   So there rows go one by one below LN__PIPE_COLS_ZEN4 columns (RMSNorm's below
   LN__PIPE_COLS_ZEN4_RMS), in calls whose x reaches LN__PIPE_ZEN4_BYTES: with the data
   in cache LayerNorm's one by one lost (768 columns, the same buffers over and over:
   1.25-1.30x the time in L2, 1.28x with 3 MiB of x in L3, 1.18-1.21x at 6 MiB,
   0.88-0.96x at 12 MiB, 0.79-0.84x at 24 MiB), and so did the fused add's in L2 (1.05x;
   0.96-0.99x at 3 MiB) and RMSNorm's (1.02x; 0.99x at 3 MiB, 0.70x at 12 MiB). Zen 3,
   the same family without AVX-512 (the AVX2 path, which measured alike on Zen 4: 768
   columns 0.70x, 4096 1.27x), is taken to behave as Zen 4 does (not measured). */
#define LN__PIPE_COLS_ZEN4 1024
#define LN__PIPE_COLS_ZEN4_RMS 4096
#define LN__PIPE_ZEN4_BYTES ((size_t)16 << 20)
/* The CPU rule: 0 before detection; 1: the Zen 5 choices (pipelined rows at every width,
   no non-temporal stores, 512-bit dγ/dβ tiles); 2: Zen 4's limits, in calls of
   LN__PIPE_ZEN4_BYTES or more (rows one by one, ln__fwd_pipe_cols; non-temporal stores,
   ln__stream_for), and at any size the AVX2 dγ/dβ tiles (ln__avx512_bwd_params); 3
   (tests, to cover those choices in small calls): Zen 4's limits at any size */
static int ln__cpu_rule_state LN__UNUSED;
/* The rule for this CPU (AMD family 19h: 2), read once */
#if defined(LN__HAVE_AVX512) || defined(LN__HAVE_AVX2)
static int ln__detect_cpu_rule(void) {
    unsigned a, b, c, d, family = 0;
    if (__get_cpuid(0, &a, &b, &c, &d) && b == 0x68747541u && d == 0x69746e65u &&
        c == 0x444d4163u && /* "AuthenticAMD" */ __get_cpuid(1, &a, &b, &c, &d)) {
        family = (a >> 8) & 0xFu;
        if (family == 0xFu) family += (a >> 20) & 0xFFu;
    }
    return family == 0x19u ? 2 : 1;
}
static int ln__cpu_rule(void) { return ln__once(&ln__cpu_rule_state, ln__detect_cpu_rule); }
#endif
/* Zen 4's limits apply to this call (bytes of x). Only the x86 paths have pipelined
   forward kernels and non-temporal stores. */
static int ln__zen4_call(size_t bytes) {
#if defined(LN__HAVE_AVX512) || defined(LN__HAVE_AVX2)
    int rule = ln__cpu_rule();
    return rule == 3 || (rule == 2 && bytes >= LN__PIPE_ZEN4_BYTES);
#else
    (void)bytes;
    return 0;
#endif
}
/* The forward pipelines rows of at least this many columns: rms for RMSNorm, add for
   the fused add, bytes of x */
static size_t ln__fwd_pipe_cols(int rms, int add, size_t bytes) {
    if (!ln__zen4_call(bytes)) return 0;
    return rms && !add ? LN__PIPE_COLS_ZEN4_RMS : LN__PIPE_COLS_ZEN4;
}

/* Non-temporal stores for y / dx: from LAYERNORM_STREAM_MIN output bytes if the user set
   it; else by CPU. On Zen 5 they measured slower (the previous default: never). On Zen 4,
   in calls under Zen 4's limits (ln__zen4_call), in-process A/B, 1 thread, out of cache,
   with over without (the forward without them as chosen above), time:
     forward    512 columns 1.15-1.32x, 768 0.84-0.99x, 1024 0.60-0.69x, 2048 0.76-0.77x,
                4096 0.68-0.71x, 8192 0.67-0.69x, 1048576 0.77-0.79x; 64 2.7x, 16 2.4x
     RMSNorm    768 1.13-1.19x, 4096 0.64-0.71x;   fused add 768 0.94-0.97x, 4096 0.85x
                (later, with malloc's buffers: 768 1.01-1.02x, 1280 0.94-0.97x, 1536
                0.86-0.90x (2 threads 0.88x), 2048 0.69-0.70x (0.74-0.76x), 3000 0.81x;
                the AVX2 path 1536 0.88-0.90x, 2048 0.77-0.81x)
     backward   256 1.09-1.14x, 512 0.88-0.90x, 768 0.80x, 1024 0.80-0.82x, 2048 0.88-0.91x,
                4096 0.93-0.96x, 8192 0.91-0.95x, 1048576 0.90-0.93x; 64 2.0x, 16 1.5x
     RMSNorm's  768 0.77-0.83x, 4096 0.89-0.92x
     dx +=      768 0.87x, but 4096 1.33-1.35x (re-measured with later kernels: 512 0.95x,
                768 0.99x and 1.07-1.08x at 2 threads, 1024 0.95-0.97x, 2048 1.31x, 4096
                1.10x)
   So there: the forward from LN__STREAM_COLS_ZEN4 columns (RMSNorm's from
   LN__STREAM_COLS_ZEN4_RMS), the backward from LN__STREAM_COLS_ZEN4_BWD, the
   accumulating backward never; narrower rows that each start a cache line: below. */
#define LN__STREAM_COLS_ZEN4 768
#define LN__STREAM_COLS_ZEN4_RMS 1536
#define LN__STREAM_COLS_ZEN4_BWD 512
/* Where y streams, rows of LN__STREAM_PF_COLS to LN__STREAM_PF_COLS_MAX columns, which go
   one by one, ask for the next row into L2 while this one's y is written (as the plain
   stores' loop does into L1). Zen 4, out of cache, 1 thread (2 threads), both link
   orders, time against no prefetch: 1536 columns 0.90-0.91x (0.87x), 1792 0.79-0.85x
   (0.73x), 2048 0.84-0.90x (0.84x), 2304 0.82-0.83x (0.84x), 2560 0.92-0.99x (0.89-0.96x),
   2816 0.95x (0.93x); but 1152-1280 0.98-1.02x, 3072 1.03-1.04x, 4096 1.11-1.13x, 8192
   1.00x; into L1 instead 1.04-1.30x. */
#define LN__STREAM_PF_COLS 1536
#define LN__STREAM_PF_COLS_MAX 2816
/* The backward's rows with non-temporal dx are pipelined (dx of row q streamed out while
   row q + 1's sums stream in) from this many columns; narrower ones go one by one. Zen 4,
   out of cache, 64-byte aligned buffers, pipelined over one by one, time at 1 thread
   (2 threads): AVX-512 1024 columns 1.13-1.18x (1.10-1.13x), 2048 0.97-1.03x
   (0.95-1.02x), 3072 0.90-0.94x (0.88-0.91x), 4096 0.86-0.91x (0.83-0.90x), 8192
   0.94-0.99x (0.91-0.97x); AVX2 3072 0.83-0.84x (0.82-0.83x), 4096 0.85-0.89x
   (0.79-0.90x), 8192 0.90-0.93x (0.89-0.92x). With malloc's buffers (all three 16 bytes
   past a page) and dx's stores kept behind the loads (ln__dx_lag): AVX-512 3072
   0.91-0.92x (0.88-0.93x), 4096 0.89-0.90x (0.89-0.91x), 8192 0.98-1.00x (0.94-0.97x),
   4100 0.98x (0.93-0.94x), 16384 0.98-1.00x; AVX2 3072 0.88-0.90x (0.88-0.94x), 4096
   0.86-0.87x (0.86-0.87x), 8192 0.93-0.97x (0.91x), 4100 0.90-0.91x (0.89x); RMSNorm's
   backward at 4096 0.93-1.01x (0.92-0.96x), AVX2 0.87-0.89x (1 thread). */
#define LN__PIPE_STREAM_COLS_BWD 3072
/* which output ln__stream_for is asked about */
#define LN__OUT_Y 0         /* the forward's y (LayerNorm) */
#define LN__OUT_Y_RMS 1     /* RMSNorm's y */
#define LN__OUT_Y_ADD 2     /* the fused adds' y (LayerNorm's and RMSNorm's) */
#define LN__OUT_DX 3        /* the backward's dx = */
#define LN__OUT_DX_ACC 4    /* the backward's dx += */
#define LN__OUT_STRIDED 5   /* the channels-first y and dx (ln__strided_stream) */
/* Zen 4, in its large calls, also narrower rows stream their output (p) when every row
   starts a cache line (p 64-byte aligned, a multiple of 16 columns): the backward's dx
   from LN__STREAM_LINES_ZEN4_BWD columns, the forward's y (LayerNorm, RMSNorm, fused
   add) from LN__STREAM_LINES_ZEN4, and that of rows of exactly 16 (not the fused add's).
   Streamed rows go one by one, as those under LN__PIPE_STREAM_COLS_BWD do (the
   backward's: sums, then dx, the next row prefetched); rows of 16 stay in their batches.
   In-process A/B, out of cache (6.3M elements), time against dx / y through the cache,
   1 thread (2 threads):
     backward, dγ/dβ asked for, against pipelined rows: 64 columns 0.96-0.97x
       (0.88-0.89x), 128 0.93x (0.86-0.88x), 192 0.78-0.81x, 256 0.80-0.83x (0.79-0.83x),
       384 0.77-0.79x (0.80-0.81x), 496 0.70-0.71x (0.72-0.75x); without dγ/dβ 0.63-0.94x,
       RMSNorm's 0.70-0.96x, the AVX2 path 0.79-0.99x, in place (dx = dy) 0.91-1.01x
     forward, LayerNorm: 512 columns 0.92-1.09x (median 0.97x), 576 0.90-0.91x, 640
       0.81-0.87x (0.81-0.89x), 704 0.84-0.86x; the fused add 512 0.96-0.98x, 640
       0.88-0.90x (0.83-0.91x), 704 0.86-0.88x; RMSNorm 640 0.85-0.89x, 1024 0.77-0.83x
       (0.82x); the AVX2 path level (512-704 columns 0.95-1.03x); but the forward's 64
       columns 1.4x, 128-384 0.93-1.07x
     forward, rows of exactly 16 columns (a row a line), in their eight-row batches
       (LN__ROWS8_NT, the AVX-512 path): 1048576x16 0.80x (0.79-0.83x), RMSNorm's
       0.77-0.79x (level at 2 threads); not the fused add (0.97-1.05x: its sum goes
       through the cache beside y); the batches streaming wider rows took 1.08-1.36x
       (32-128 columns), and without the batch's prefetch of the next y for writing,
       1.21x (0.84-0.90x at 2 threads)
   Other rows keep the cache: streamed rows that do not start a line cost more than they
   save (the stores of a row's part lines beside streamed lines: the backward 1.6x the
   time at 100 columns; with malloc's buffers, 16 bytes past a line, 2.5x at 64 and 1.2x
   at 256; the forward's 512 1.44x, 576 1.25x), and the backward one by one with dx
   through the cache measured level at best (malloc's buffers 0.93-1.06x at 48-384, 100
   columns 1.05x at 2 threads). */
#define LN__STREAM_LINES_ZEN4_BWD 64
#define LN__STREAM_LINES_ZEN4 512
/* Whether `out` (rows of cols, from p) bypasses the cache, in a call with `bytes` of x */
static int ln__stream_for(size_t bytes, size_t cols, int out, const float *p) {
#ifdef LN__STREAM_BY_CPU
    if (out == LN__OUT_DX_ACC || !ln__zen4_call(bytes)) return 0;
    if (out == LN__OUT_STRIDED ||
        cols >= (out == LN__OUT_Y_RMS ? (size_t)LN__STREAM_COLS_ZEN4_RMS
                 : out == LN__OUT_DX  ? (size_t)LN__STREAM_COLS_ZEN4_BWD
                                      : (size_t)LN__STREAM_COLS_ZEN4))
        return 1;
    return cols % 16 == 0 && !((uintptr_t)p & 63) && /* rows that each start a line */
           (cols >= (out == LN__OUT_DX ? (size_t)LN__STREAM_LINES_ZEN4_BWD
                                       : (size_t)LN__STREAM_LINES_ZEN4) ||
            (cols == 16 && (out == LN__OUT_Y || out == LN__OUT_Y_RMS)));
#else
    const size_t min = (size_t)(LAYERNORM_STREAM_MIN); /* a variable: no "always true" for 0 */
    (void)cols, (void)out, (void)p;
    return bytes >= min;
#endif
}

/* ---- 5. row drivers and threading ------------------------------------------------------- */

/* Threads for `units` independent pieces of `work` elements in all: one for small work (a
   parallel region costs microseconds) or inside a parallel region (no oversubscription);
   else up to omp_get_max_threads(). */
static int ln__threads(size_t units, size_t work) {
#ifdef LN__OPENMP
    int t;
    if (units < 2 || work < (size_t)LAYERNORM_PARALLEL_MIN || omp_in_parallel()) return 1;
    t = omp_get_max_threads();
    if ((size_t)t > units) t = (int)units;
    return t < 1 ? 1 : t;
#else
    (void)units;
    (void)work;
    return 1;
#endif
}

static int ln__thread_id(void) {
#ifdef LN__OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Threads actually running the region: the runtime may give fewer than asked for. */
static int ln__team_size(void) {
#ifdef LN__OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

/* Non-temporal stores are weakly ordered: fence them before another thread reads. */
static void ln__stream_fence(int stream) {
#if defined(LN__HAVE_AVX512) || defined(LN__HAVE_AVX2)
    if (stream) _mm_sfence();
#else
    (void)stream;
#endif
}

/* A block's mean and M2 from its shifted sums o = { Σd, Σd² }, d = x − k. (Here and in
   ln__finish_stats: multiplications by 1/n, not divisions, on the chain from one row's
   sums to its y: rows of 64 measured 0.89-0.94x the time.) */
static void ln__block_moments(const double o[2], double k, size_t nb, double *mean, double *m2) {
    double inv = 1.0 / (double)nb, ms = o[0] * inv;
    *mean = k + ms;
    *m2 = o[1] - o[0] * ms;
    if (*m2 < 0) *m2 = 0; /* rounding on a (near-)constant block */
}

/* Chan's merge of a block (nb values: bmean, bm2) into the first `done` values of a row */
LN__INLINE void ln__merge_block(double *mean, double *m2, size_t done, double bmean, double bm2,
                                size_t nb) {
    if (done == 0) {
        *mean = bmean;
        *m2 = bm2;
    } else {
        double d = bmean - *mean, tot = (double)(done + nb);
        *mean += d * ((double)nb / tot);
        *m2 += bm2 + d * d * ((double)done * (double)nb / tot);
    }
}

/* Moments of one row, in double: mean and M2 = Σ(x − mean)² (rms: mean = 0, M2 = Σx²).
   With res != NULL the row is s = x + res, written to `sum` first (block by block).
   Rows longer than LN__BLOCK are summarized block by block and merged with Chan's
   formula: for blocks a, b with n = na + nb and d = mean_b − mean_a:
       mean = mean_a + d·nb/n,   M2 = M2_a + M2_b + d²·na·nb/n. */
/* The shift k of a block's sums that starts at column i: its first value, x[i] (with the
   fused add, x[i] + res[i] rounded to float, the sum as stored) */
LN__INLINE double ln__block_seed(const float *x, const float *res, size_t i) {
    return res ? (double)ln__rounded(x[i] + res[i]) : (double)x[i];
}
LN__INLINE void ln__row_moments(const ln__kernels *K, float *sum, const float *x, const float *res,
                            size_t n, int rms, double *mean_out, double *m2_out) {
    double mean = 0, m2 = 0;
    size_t j, done = 0;
    for (j = 0; j < n; j += LN__BLOCK) {
        size_t nb = n - j < LN__BLOCK ? n - j : LN__BLOCK;
        const float *src = sum ? sum + j : x + j;
        if (rms) {
            double o[2]; /* fused add: Σ sum² from moments about 0, as sqdev would sum it */
            if (sum) K->moments(x + j, res + j, sum + j, nb, 0.0, o);
            m2 += sum ? o[1] : K->sqdev(src, nb, 0.0);
        } else {
            /* one sweep: S1 = Σd, S2 = Σd², d = x − k with k = the block's first value;
               mean = k + S1/nb, M2 = S2 − S1²/nb. Since k is a sample of the block,
               (mean − k)² <= nb·var, so the cancellation costs at most a factor nb:
               relative error <= ~nb·(nb/32)·2^-53, about 1e-10 for a full block. */
            int fused = sum && res; /* always both or neither */
            double o[2], k = ln__block_seed(x, fused ? res : NULL, j), bmean, bm2;
            if (fused) K->moments(x + j, res + j, sum + j, nb, k, o); /* k == sum[j] */
            else K->moments(x + j, NULL, NULL, nb, k, o);
            ln__block_moments(o, k, nb, &bmean, &bm2);
            ln__merge_block(&mean, &m2, done, bmean, bm2, nb);
        }
        done += nb;
    }
    *mean_out = mean;
    *m2_out = m2;
}
/* mean = mhi + mlo (a double split into two floats), rs = 1/sqrt(M2/n + eps) */
static void ln__finish_stats(double mean, double m2, size_t n, float eps, float *mhi,
                             float *mlo, float *rs) {
    *mhi = (float)mean;
    *mlo = (float)(mean - (double)*mhi);
    *rs = (float)(1.0 / sqrt(m2 * (1.0 / (double)n) + (double)eps));
}

/* One row forward: moments in double, then y from the cache-resident row.
   mean = mhi + mlo (a double split into two floats), so x − mean keeps every digit. */
LN__INLINE void ln__forward_row(const ln__kernels *K, float *y, float *sum, float *mean_out,
                            float *rstd_out, const float *x, const float *res,
                            const float *gamma, const float *beta, size_t n, float eps,
                            int rms, int stream, const float *pf) {
    double mean, m2;
    float mhi, mlo, rs;
    ln__row_moments(K, sum, x, res, n, rms, &mean, &m2);
    ln__finish_stats(mean, m2, n, eps, &mhi, &mlo, &rs);
    K->norm(y, sum ? sum : x, n, mhi, mlo, rs, gamma, beta, stream, pf);
    if (mean_out) *mean_out = mhi;
    if (rstd_out) *rstd_out = rs;
}

/* One row backward. With x̃ = x − mean_f (mean_f: the float mean forward saved), the
   true mean is mean_f + δ where δ = mean(x̃), so x̂ = (x̃ − δ)·rstd. From one sweep of
   sums S_g = Σg, S_gx = Σg·x̃, S_x = Σx̃ (double):
       δ = S_x/n,  mean(g) = S_g/n,  mean(g·x̂) = rstd·(S_gx − δ·S_g)/n
       dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) = a·g + b + c·x̂  with
       a = rstd,  b = −rstd·mean(g),  c = −rstd·mean(g·x̂)
   (no rstd² anywhere: for |x| ~ 1e30, rstd² would underflow a float).
   RMSNorm is the same with mean_f = δ = mean(g) = 0. The second sweep writes dx and adds
   dy·x̂, dy to the double accumulators pg, pb. */
LN__INLINE void ln__backward_coef(const ln__kernels *K, ln__bwd_coef *k, const float *dy,
                              const float *x, const float *gamma, float mean, float rstd,
                              size_t n, int rms, int need_dx) {
    double s[3] = {0, 0, 0};
    if (need_dx || !rms) K->bwd_sums(s, dy, x, gamma, n, mean);
    ln__coef_from_sums(k, s, mean, rstd, n, rms);
}

/* One row: its coefficients into *k (kept for a group's bwd_params), then dx and, when
   pg / pb are given, its dγ/dβ terms. prefetch_next: ask for the next row meanwhile. */
LN__INLINE void ln__backward_row(const ln__kernels *K, ln__bwd_coef *k, float *dx, double *pg,
                                 double *pb, const float *dy, const float *x,
                                 const float *gamma, float mean, float rstd, size_t n, int rms,
                                 int flags, int prefetch_next) {
    ln__backward_coef(K, k, dy, x, gamma, mean, rstd, n, rms, dx != NULL);
    if (prefetch_next) k->pf_x = x + n, k->pf_dy = dy + n;
    if (dx || pg || pb) K->bwd_apply(dx, pg, pb, dy, x, gamma, n, k, flags);
}

/* A pass over a range of rows, with everything it needs. */
typedef struct ln__fwd_job {
    float *y, *sum, *mean, *rstd;
    const float *x, *res, *gamma, *beta;
    size_t cols;
    size_t pipe_cols; /* rows of at least this many columns are pipelined (ln__fwd_pipe_cols) */
    float eps;
    int rms, stream;
} ln__fwd_job;
typedef struct ln__bwd_job {
    float *dx;
    const float *dy, *x, *gamma, *mean, *rstd;
    size_t cols;
    int rms, flags;
} ln__bwd_job;
/* the float mean forward saved for row r (RMSNorm: 0) */
LN__INLINE float ln__job_mean(const ln__bwd_job *j, size_t r) {
    return j->rms ? 0.0f : j->mean[r];
}

/* The prefetch pointer of the sweep over row q + 1 (row q at p, rows up to r1): 3 KiB past
   that row's start, or NULL where the sweep would prefetch past the last row. */
LN__INLINE const float *ln__pf_next(const float *p, size_t q, size_t r1, size_t n) {
    return q + 2 + LN__PF_AHEAD / n < r1 ? p + n + LN__PF_AHEAD : NULL;
}

/* y of row r's columns b .. b + nb (from x, or from sum with the fused add) with the moments
   of the same columns of row r + 1 (about kn), which streams in meanwhile; with the fused
   add, row r + 1's sum is written as it goes. pf: prefetch, as norm_moments'. */
LN__INLINE void ln__forward_step(const ln__kernels *K, const ln__fwd_job *j, int fused,
                                 size_t r, size_t b, size_t nb, float mhi, float mlo, float rs,
                                 double kn, double o[2], const float *pf) {
    size_t off = r * j->cols + b, next = off + j->cols;
    const float *g = j->gamma ? j->gamma + b : NULL, *be = j->beta ? j->beta + b : NULL;
    if (fused)
        K->norm_add_moments(j->y + off, j->sum + off, nb, mhi, mlo, rs, g, be, j->x + next,
                            j->res + next, j->sum + next, kn, o, pf,
                            pf ? j->res + (pf - j->x) : NULL);
    else
        K->norm_moments(j->y + off, j->x + off, nb, mhi, mlo, rs, g, be, j->x + next, kn, o, pf);
}

/* Rows r0..r1 software-pipelined: row r normalized while the statistics of row r + 1
   stream in, block by block as ln__row_moments takes them, so the same bits (RMSNorm: the
   moments about 0, whose Σd² is sqdev's Σx², the same accumulators; the fused add: the
   moments of x + residual, stored as they go). Inlined once per value of `fused`.
   Up to 2048 columns this runs at 95-97% of a streaming loop; past that it falls (3072:
   ~85%, 4096: ~80%) as one row period's data, the next row, this row, y, γ and β
   (20·n bytes), outgrows L1: the same call without β took 0.87-0.89x the time. Measured
   slower: γ and β interleaved in one buffer (1.00x), two rows per sweep sharing γ/β
   (1.10-1.33x), groups of rows normalized in column chunks so γ/β stay in L1 (1.04-1.4x),
   the row swept backwards (1.2x), non-temporal y (1.02-1.10x), no pipelining (1.3x). */
LN__INLINE void ln__forward_pipe(const ln__kernels *K, const ln__fwd_job *j, size_t r0,
                                 size_t r1, int fused) {
    size_t r, n = j->cols;
    double mean, m2;
    float mhi, mlo, rs;
    ln__row_moments(K, fused ? j->sum + r0 * n : NULL, j->x + r0 * n,
                    fused ? j->res + r0 * n : NULL, n, j->rms, &mean, &m2);
    ln__finish_stats(mean, m2, n, j->eps, &mhi, &mlo, &rs);
    for (r = r0; r < r1; r++) {
        const float *x = j->x + r * n, *res = fused ? j->res + r * n : NULL;
        float nhi = 0, nlo = 0, nrs = 0;
        if (r + 1 < r1) {
            const float *pf = n >= 128 ? ln__pf_next(x, r, r1, n) : NULL;
            size_t b;
            /* k: the seed of the next row's block (res is NULL unless fused). LayerNorm
               reads it before the block's sweep; RMSNorm, which needs no seed, asks for
               that line instead. Measured against not asking: 8192x768 0.92-0.96x the time
               (the fused add 0.96-1.00x), 2048x4096 0.97x, 256 columns 0.97-1.00x, 64
               columns 1.00-1.03x (so not under 128); rows of more than one block, 8192
               columns, 1.00x (so not there). Without it ln_rms_forward took 1.07-1.11x the
               time of ln_forward on 8192x768. */
            if (n <= LN__BLOCK) { /* one block; measured 1.17x faster on 64 columns */
                double o[2], k = 0.0;
                if (!j->rms) k = ln__block_seed(x, res, n);
                else if (n >= 128) {
                    LN__PREFETCH(x + n);
                    if (res) LN__PREFETCH(res + n);
                }
                ln__forward_step(K, j, fused, r, 0, n, mhi, mlo, rs, k, o, pf);
                if (j->rms) mean = 0, m2 = o[1];
                else ln__block_moments(o, k, n, &mean, &m2);
            } else
            for (b = 0, m2 = 0; b < n; b += LN__BLOCK) {
                size_t nb = n - b < LN__BLOCK ? n - b : LN__BLOCK;
                double o[2], k = j->rms ? 0.0 : ln__block_seed(x, res, n + b), bmean, bm2;
                ln__forward_step(K, j, fused, r, b, nb, mhi, mlo, rs, k, o, pf ? pf + b : NULL);
                if (j->rms) {
                    mean = 0, m2 += o[1];
                    continue;
                }
                ln__block_moments(o, k, nb, &bmean, &bm2);
                ln__merge_block(&mean, &m2, b, bmean, bm2, nb);
            }
            ln__finish_stats(mean, m2, n, j->eps, &nhi, &nlo, &nrs);
        } else {
            K->norm(j->y + r * n, fused ? j->sum + r * n : x, n, mhi, mlo, rs, j->gamma,
                    j->beta, 0, NULL);
        }
        if (j->mean) j->mean[r] = mhi;
        if (j->rstd) j->rstd[r] = rs;
        mhi = nhi, mlo = nlo, rs = nrs;
    }
}

/* Rows r0..r1 forward: rows of at most fwd_rows8_cols columns eight at a time (fwd_rows8;
   the fused add's up to fwd_rows8_add_cols, RMSNorm's only up to LN__ROWS8_COLS, see
   LN__BATCH8_COLS); the others software-pipelined
   where the path has norm_moments (norm_add_moments for the fused add) and the rows have
   j->pipe_cols columns or more (ln__fwd_pipe_cols), else one by one (ln__forward_row).
   Rows whose y streams go one by one: pipelined with non-temporal y (Zen 4, out of cache,
   1 thread) they took 1.10-1.19x the time at 4096-8192 columns (at 2 threads, 2048x4096,
   0.97-0.99x: no more than code placement moves), 1.46-1.54x without the row-ahead
   prefetch, 1.15-1.25x with it 1536-6144 floats ahead. A loop that reads the next row
   from memory while it streams this one's y out slows with every instruction it carries:
   in a test loop at 4096 columns, a bare one (a float sum, a multiply) ran at 0.75-0.87x
   the time of its one-by-one form, with γ, β and the double sums at 1.18-1.31x, and at
   768 columns, where a row period fits L1, 1.34x; alternating short loops (the next
   row's moments over 1-8 KiB, then as much of this row's y) 1.18-1.66x. Reading from
   memory while non-temporal stores drain costs a core here; one by one, each sweep does
   one of the two. */
LN__INLINE void ln__forward_range(const ln__kernels *K, const ln__fwd_job *j, size_t r0,
                                  size_t r1) {
    size_t r, n = j->cols;
    size_t batch_cols = j->rms ? LN__ROWS8_COLS : j->sum ? K->fwd_rows8_add_cols
                                                         : K->fwd_rows8_cols;
    /* rows of 16 columns stay in batches when y streams: each row a line of its own */
    const int nt16 = j->stream && n == 16 && !((uintptr_t)j->y & 63);
    if (K->fwd_rows8 && n <= batch_cols && (!j->stream || nt16)) {
        for (r = r0; r < r1; r += 8) {
            size_t off = r * n;
            K->fwd_rows8(j->y + off, j->sum ? j->sum + off : NULL, j->mean ? j->mean + r : NULL,
                         j->rstd ? j->rstd + r : NULL, j->x + off, j->res ? j->res + off : NULL,
                         j->gamma, j->beta, r1 - r < 8 ? r1 - r : 8, n, j->eps, j->rms,
                         (r + 16 <= r1 && (r + 8) * n + LN__PF_AHEAD <= r1 * n) |
                             (nt16 ? LN__ROWS8_NT : 0));
        }
        return;
    }
    if (!j->stream && r0 < r1 && n >= j->pipe_cols) {
        if (!j->sum && K->norm_moments) {
            ln__forward_pipe(K, j, r0, r1, 0);
            return;
        }
        if (j->sum && K->norm_add_moments) {
            ln__forward_pipe(K, j, r0, r1, 1);
            return;
        }
    }
    for (r = r0; r < r1; r++) {
        size_t off = r * n;
        /* prefetch the next row while this one is normalized from cache (rows short enough
           to be read from memory in one sweep; plain loads, not the fused add's; where y
           streams, only rows of LN__STREAM_PF_COLS) */
        const float *pf = r + 1 < r1 && n <= LN__BLOCK && !j->sum &&
                                  (!j->stream || (n >= LN__STREAM_PF_COLS &&
                                                  n <= LN__STREAM_PF_COLS_MAX))
                              ? j->x + off + n
                              : NULL;
        ln__forward_row(K, j->y + off, j->sum ? j->sum + off : NULL, j->mean ? j->mean + r : NULL,
                        j->rstd ? j->rstd + r : NULL, j->x + off, j->res ? j->res + off : NULL,
                        j->gamma, j->beta, n, j->eps, j->rms, j->stream, pf);
    }
}

/* Rows r0..r1 add dy·x̂ and dy into pg, pb; with `first`, row r0 stores instead.
   Paths with bwd_params take rows in groups of about LN__GROUP_ELEMS elements: each row's
   sums and dx (the row read from memory once, then from cache: pipelined, dx of row q
   with the sums of row q + 1, where the path has bwd_apply_sums), then the group's
   dγ/dβ from the cache-resident rows, column tile by column tile. Per column the rows
   add in order, so the bits are those of row by row. Rows of at most bwd_rows8_cols
   columns go eight at a time through bwd_rows8, which adds their dγ/dβ itself (the same
   operations, rows in order). In place with dγ/dβ, each row's dγ/dβ come before its dx
   store: with both, from LN__IN_PLACE_GROUP_COLS columns, a group's sums, dγ/dβ, then
   dx (ln__backward_range_in_place); otherwise rows go one by one.
   (Rows of 33-64 columns had a kernel of their own on AVX-512 that kept the row in
   registers between its sums and dx. On Zen 4 the pipelined rows took 0.74-0.84x its
   time, out of cache, with and without dγ/dβ, RMSNorm and dx += alike, so they replaced
   it; both give the bits of bwd_sums then bwd_apply. Rows of 17-32: see
   LN__BWD_ROWS8_COLS_512. A batch folding eight rows' horizontal sums together, as
   bwd_rows8 does, could gain little at 64 columns: with the three sums of
   ln__512_sums_out dropped altogether (wrong results, an upper bound) 262144x64 took
   0.92-0.95x the time out of cache, 0.88x in L1.)
   (The group's dγ/dβ then cost about 0.08 ns an element, on top of the memory time.
   Measured slower: taking them a vector at a time inside the next group's pipelined
   rows, 1.3-1.6x (column strips read down the rows, or the sums kept in pg/pb: loads
   that miss L1 and stores, inside a loop whose dx stores wait on memory, stall it; the
   same arithmetic on one sequential stream into registers gained 0.85x, but dγ/dβ need
   the column order); prefetching the next group meanwhile, 1.0-1.25x; the group's
   dγ/dβ in pieces (a column block's run of 2048-8192 elements) between the next group's
   rows, 1.03-1.44x; groups of 32-128 rows at 64-128 columns 1.04-1.28x, of 512-1024
   rows 0.98-1.07x. The terms' double adds as fma(a, 1, acc) (the same bits, on the
   multiply pipes): 0.97-1.01x. Float partials over blocks of 8 rows, then double: in
   cache 0.87-0.93x, out of cache 0.92-0.99x at 64 and 768 columns (1 and 2 threads),
   1.0-1.04x at 4096; not pursued, as it trades the double sums' error bound, and every
   path's bits, for at most 8%.) */
#define LN__GROUP_ELEMS 32768
#define LN__GROUP_ROWS 256
/* ...but at least this many rows: a group of one or two wide rows reads and writes the
   whole double accumulator (16 B a column, twice) for every row or two. Four rows of
   32768-131072 columns: 0.83-0.85x the time of one (1 thread), 0.77-0.79x (2 threads);
   the per-column additions are the same, in the same order, for any grouping. */
#define LN__GROUP_MIN_ROWS 4
/* In place (dx == dy or dx == x) with dγ and dβ, groups of g rows: every row's sums (its
   dx coefficients kept), then the group's dγ/dβ from the cache-resident rows
   (bwd_params), then every row's dx over its dy or x. Per column the rows add in order,
   as row by row, so the bits are those of the other paths. Row by row, each row's terms
   go through the cols-long double accumulators in memory, four loads and four stores
   for 16 columns. Zen 4, in-process, both link orders, dx == dy, this against row by row:
   1 thread 0.87-0.90x the time at 768 columns, 0.77-0.83x at 1024-2048, 0.93-0.94x at
   3072, 0.95-1.02x at 4096-16384; 2 threads 0.95-1.0x at 768, 0.75-0.82x at 1024-2048;
   dx == x alike, dx += 0.82-0.92x. But 1.17-1.28x at 128-640 columns, 1.15-1.26x at 16
   and 64, and with dγ alone (RMSNorm's, or dβ not asked for) 1.19-1.40x: there the
   accumulators' traffic costs less than the group's second and third reads. */
#define LN__IN_PLACE_GROUP_COLS 768
LN__INLINE void ln__backward_range_in_place(const ln__kernels *K, const ln__bwd_job *j,
                                            double *pg, double *pb, size_t r0, size_t r1,
                                            int first, size_t g) {
    size_t r, q, n = j->cols;
    double sums[LN__GROUP_ROWS][3]; /* each row's, as ln__backward_coef takes them */
    double rs[LN__GROUP_ROWS], hb[LN__GROUP_ROWS];
    ln__bwd_coef k;
    for (r = r0; r < r1; r += g) {
        size_t e = r1 - r < g ? r1 : r + g;
        for (q = r; q < e; q++) {
            double *s = sums[q - r];
            s[0] = s[1] = s[2] = 0;
            K->bwd_sums(s, j->dy + q * n, j->x + q * n, j->gamma, n, ln__job_mean(j, q));
            ln__coef_from_sums(&k, s, ln__job_mean(j, q), j->rstd[q], n, j->rms);
            rs[q - r] = (double)k.rstd, hb[q - r] = k.hb;
        }
        K->bwd_params(pg, pb, j->dy + r * n, j->x + r * n, n, n, e - r, rs, hb,
                      first && r == r0);
        for (q = r; q < e; q++) {
            ln__coef_from_sums(&k, sums[q - r], ln__job_mean(j, q), j->rstd[q], n, j->rms);
            K->bwd_apply(j->dx + q * n, NULL, NULL, j->dy + q * n, j->x + q * n, j->gamma, n,
                         &k, j->flags);
        }
    }
}

LN__INLINE void ln__backward_range(const ln__kernels *K, const ln__bwd_job *j, double *pg,
                                   double *pb, size_t r0, size_t r1, int first) {
    size_t r, q, n = j->cols, g;
    double rs[LN__GROUP_ROWS], hb[LN__GROUP_ROWS]; /* per row of the group: x̂ = x·rs + hb */
    int rows8 = K->bwd_rows8 && n <= K->bwd_rows8_cols && !(j->flags & LN__STREAM);
    /* pipelined rows: dx of row q with the sums of row q + 1 (see bwd_apply_sums); with
       non-temporal dx, only wide rows (LN__PIPE_STREAM_COLS_BWD) */
    int pipe = K->bwd_apply_sums && j->dx &&
               (!(j->flags & LN__STREAM) || n >= LN__PIPE_STREAM_COLS_BWD);
    ln__bwd_coef next;
    const int in_place = j->dx && (j->dx == j->dy || j->dx == j->x);
    g = LN__GROUP_ELEMS / n;
    g = g < LN__GROUP_MIN_ROWS ? LN__GROUP_MIN_ROWS : g > LN__GROUP_ROWS ? LN__GROUP_ROWS : g;
    /* in place, each row's dγ/dβ must be taken before its dx store: with both, from
       LN__IN_PLACE_GROUP_COLS columns, a group's at a time; else row by row */
    if (K->bwd_params && pg && pb && n >= LN__IN_PLACE_GROUP_COLS && in_place) {
        ln__backward_range_in_place(K, j, pg, pb, r0, r1, first, g);
        return;
    }
    if (!K->bwd_params || ((pg || pb) && in_place)) {
        for (r = r0; r < r1; r++) {
            size_t off = r * n;
            int f = (first && r == r0) ? LN__PARAM_FIRST : 0;
            ln__bwd_coef k;
            ln__backward_row(K, &k, j->dx ? j->dx + off : NULL, pg, pb, j->dy + off,
                             j->x + off, j->gamma, ln__job_mean(j, r), j->rstd[r], n, j->rms,
                             j->flags | f, r + 1 < r1 && n <= LN__BLOCK);
        }
        return;
    }
    for (r = r0; r < r1; r += g) {
        size_t e = r1 - r < g ? r1 : r + g;
        q = r;
        if (rows8) { /* eight rows at a time, with their dγ/dβ; q ends past e */
            for (; q < e; q += 8)
                K->bwd_rows8(rs + (q - r), hb + (q - r), j->dx ? j->dx + q * n : NULL, pg, pb,
                             j->dy + q * n, j->x + q * n, j->gamma, j->rms ? NULL : j->mean + q,
                             j->rstd + q, e - q < 8 ? e - q : 8, n,
                             j->flags | (q + 16 <= r1 ? LN__AHEAD8 : 0) |
                                 (first && q == r0 ? LN__PARAM_FIRST : 0));
            continue;
        }
        for (; q < e; q++) {
            size_t off = q * n;
            float *dx = j->dx ? j->dx + off : NULL;
            ln__bwd_coef k;
            if (pipe) { /* this row's coefficients came with the previous row's dx */
                if (q == r0)
                    ln__backward_coef(K, &k, j->dy + off, j->x + off, j->gamma,
                                      ln__job_mean(j, q), j->rstd[q], n, j->rms, 1);
                else
                    k = next;
                if (q + 1 < r1) {
                    double sn[3];
                    const float *pf_x = ln__pf_next(j->x + off, q, r1, n);
                    /* the next row's first lines, where its sums start: 512-2048 columns
                       0.98-0.99x the time (both link orders), 4096 1.01x, so not there */
                    if (n <= 2048) {
                        LN__PREFETCH(j->x + off + n);
                        LN__PREFETCH(j->dy + off + n);
                    }
                    K->bwd_apply_sums(dx, j->dy + off, j->x + off, j->gamma, n, &k, j->flags,
                                      sn, j->dy + off + n, j->x + off + n,
                                      ln__job_mean(j, q + 1),
                                      pf_x, pf_x ? j->dy + (pf_x - j->x) : NULL);
                    ln__coef_from_sums(&next, sn, ln__job_mean(j, q + 1), j->rstd[q + 1], n,
                                       j->rms);
                } else {
                    K->bwd_apply(dx, NULL, NULL, j->dy + off, j->x + off, j->gamma, n, &k,
                                 j->flags);
                }
            } else
                ln__backward_row(K, &k, dx, NULL, NULL, j->dy + off, j->x + off, j->gamma,
                                 ln__job_mean(j, q), j->rstd[q], n, j->rms, j->flags,
                                 q + 1 < r1 && n <= LN__BLOCK);
            rs[q - r] = (double)k.rstd;
            hb[q - r] = k.hb;
        }
        if (pg || pb)
            K->bwd_params(pg, pb, j->dy + r * n, j->x + r * n, n, n, e - r, rs, hb,
                          first && r == r0);
    }
}

typedef struct ln__ranges {
    void (*forward)(const ln__fwd_job *j, size_t r0, size_t r1);
    void (*backward)(const ln__bwd_job *j, double *pg, double *pb, size_t r0, size_t r1,
                     int first);
} ln__ranges;

#define LN__RANGES(sfx, attr)                                                                  \
    attr static void ln__forward_range_##sfx(const ln__fwd_job *j, size_t r0, size_t r1) {     \
        ln__forward_range(&ln__kernels_##sfx, j, r0, r1);                                      \
    }                                                                                          \
    attr static void ln__backward_range_##sfx(const ln__bwd_job *j, double *pg, double *pb,    \
                                              size_t r0, size_t r1, int first) {               \
        ln__backward_range(&ln__kernels_##sfx, j, pg, pb, r0, r1, first);                      \
    }                                                                                          \
    static const ln__ranges ln__ranges_##sfx = {ln__forward_range_##sfx,                       \
                                                ln__backward_range_##sfx};
LN__RANGES(scalar, )
#ifdef LN__HAVE_AVX512
LN__RANGES(avx512, LN__AVX512)
#endif
#ifdef LN__HAVE_AVX2
LN__RANGES(avx2, LN__AVX2)
#endif
#ifdef LN__HAVE_NEON
LN__RANGES(neon, )
#endif

static const ln__ranges *ln__ranges_for(int path) {
    const ln__kernels *K = ln__kernels_for(path);
#ifdef LN__HAVE_AVX512
    if (K == &ln__kernels_avx512) return &ln__ranges_avx512;
#endif
#ifdef LN__HAVE_AVX2
    if (K == &ln__kernels_avx2) return &ln__ranges_avx2;
#endif
#ifdef LN__HAVE_NEON
    if (K == &ln__kernels_neon) return &ln__ranges_neon;
#endif
    (void)K;
    return &ln__ranges_scalar;
}

/* Forward over rows (threads split rows; rows are independent, so any split gives the
   same bits). rms: RMSNorm. res: fused residual add into `sum`. */
static void ln__forward_rows(int path, float *y, float *sum, float *mean, float *rstd,
                             const float *x, const float *res, const float *gamma,
                             const float *beta, size_t rows, size_t cols, float eps, int rms) {
    const ln__ranges *R = ln__ranges_for(path);
    ln__fwd_job j;
    int nt = ln__threads(rows, rows * cols);
    j.y = y, j.sum = sum, j.mean = mean, j.rstd = rstd, j.x = x, j.res = res;
    j.gamma = gamma, j.beta = beta, j.cols = cols, j.eps = eps, j.rms = rms;
    j.stream = ln__stream_for(rows * cols * sizeof(float), cols,
                              res ? LN__OUT_Y_ADD : rms ? LN__OUT_Y_RMS : LN__OUT_Y, y);
    j.pipe_cols = ln__fwd_pipe_cols(rms, res != NULL, rows * cols * sizeof(float));
    if (nt == 1) {
        R->forward(&j, 0, rows);
        ln__stream_fence(j.stream);
        return;
    }
    LN__PRAGMA(omp parallel for schedule(static) num_threads(nt))
    for (int t = 0; t < nt; t++) {
        R->forward(&j, rows * (size_t)t / (size_t)nt, rows * (size_t)(t + 1) / (size_t)nt);
        ln__stream_fence(j.stream);
    }
}

/* How many chunks of `units` (rows, outer slices) at most, for partials of psz doubles:
   LN__MAX_CHUNKS, fewer (but 2) if their partials would pass LN__SCRATCH_BYTES. */
static size_t ln__max_chunks(size_t psz) {
    size_t m = LN__SCRATCH_BYTES / sizeof(double) / psz;
    return m < 2 ? 2 : m > LN__MAX_CHUNKS ? LN__MAX_CHUNKS : m;
}
/* Rows per dγ/dβ chunk: about LN__CHUNK_ELEMS elements, at most ln__max_chunks chunks,
   then evened out over that many chunks (64x768: 32 + 32 rows, not 42 + 22, which left
   one of two threads idle a third of the time: 0.57x the 1-thread time instead of 0.71x).
   A call whose rows all fit in one chunk (LN__CHUNK_ELEMS elements exactly: 128x256,
   2048x16) gets two, so that it can use two threads (128x256: 0.60x the time), if it has
   32 rows or more: chunks of fewer rows cost more than they gain (the second chunk's
   partial is 16 bytes a column, written and added back: on one thread 16x2048 took 1.07x
   the time, 32x1024 1.03x; 4x8192 on two threads 1.65x). It depends on the shape only,
   never on the thread count. */
static size_t ln__chunk_rows(size_t rows, size_t cols) {
    size_t mc = ln__max_chunks(2 * cols);
    size_t c = LN__CHUNK_ELEMS / cols, m = (rows + mc - 1) / mc, nch;
    c = c > m ? c : m;
    c = c ? c : 1;
    nch = (rows + c - 1) / c;
    if (nch < 2 && rows >= 32 && rows * cols >= LN__CHUNK_ELEMS) nch = 2;
    return (rows + nch - 1) / nch;
}
/* n doubles of scratch; NULL (the caller returns LN_ERR_NOMEM) also if n is 0 or n·8
   does not fit in a size_t */
static double *ln__alloc_doubles(size_t n) {
    if (n == 0 || n > (size_t)-1 / sizeof(double)) return NULL;
    return (double *)LN_MALLOC(n * sizeof(double));
}


/* dst (=|+=) src, n doubles */
LN__VECTORIZE static void ln__combine(double *dst, const double *src, size_t n, int first) {
    size_t j;
    if (first) memcpy(dst, src, n * sizeof(double));
    else
        for (j = 0; j < n; j++) dst[j] += src[j];
}

/* One row, or rows so wide that a cols-long double accumulator would not stay in cache:
   first every row's coefficients, then column tile by column tile, all rows in row order,
   each tile's dγ/dβ summed in a stack buffer. Per column these are the same additions, in
   the same order, for any thread count (threads take whole tiles). */
/* k[r − kbase] = the coefficients of row r, for r0 <= r < r1 */
static void ln__wide_coefs(const ln__kernels *K, const ln__bwd_job *jb, ln__bwd_coef *k,
                           size_t kbase, size_t r0, size_t r1) {
    size_t r;
    for (r = r0; r < r1; r++) {
        size_t off = r * jb->cols;
        ln__backward_coef(K, &k[r - kbase], jb->dy + off, jb->x + off, jb->gamma,
                          ln__job_mean(jb, r), jb->rstd[r], jb->cols, jb->rms,
                          jb->dx != NULL);
    }
}

/* dγ/dβ of columns s0..s1 over all rows with bwd_params, a tile of LN__SEG columns at a
   time into pg/pb (NULL: not asked for), then into the user's floats */
static void ln__wide_params(const ln__kernels *K, const ln__bwd_job *jb, const double *rs,
                            const double *hb, double *pg, double *pb, float *dgamma,
                            float *dbeta, size_t rows, size_t s0, size_t s1) {
    size_t j, w;
    for (j = s0; j < s1; j += w) {
        w = s1 - j < LN__SEG ? s1 - j : LN__SEG;
        K->bwd_params(pg, pb, jb->dy + j, jb->x + j, w, jb->cols, rows, rs, hb, 1);
        if (pg) K->add_rounded(dgamma + j, pg, w);
        if (pb) K->add_rounded(dbeta + j, pb, w);
    }
}

/* Spans t0..t1 of `span` columns (a multiple of LN__SEG). With bwd_params and several
   rows: each row's dx over the span (one contiguous run per row, which the hardware
   prefetchers follow; tiles of 4 KiB per row, one page, measured 1.3x slower), then the
   span's dγ/dβ over all rows from cache (rs, hb: x̂ = x·rs + hb per row), or before the
   dx stores when dx is x or dy. Otherwise bwd_apply adds each row's terms as it goes. */
static void ln__wide_tiles(const ln__kernels *K, const ln__bwd_job *jb, const ln__bwd_coef *k,
                           const double *rs, const double *hb, float *dgamma, float *dbeta,
                           size_t rows, size_t span, size_t t0, size_t t1) {
    double buf[2][LN__SEG];
    double *pg = dgamma ? buf[0] : NULL, *pb = dbeta ? buf[1] : NULL;
    size_t t, r, j, w, cols = jb->cols;
    int tiled = K->bwd_params && (pg || pb) && rows > 1;
    int in_place = jb->dx == jb->dy || jb->dx == jb->x;
    for (t = t0; t < t1; t++) {
        size_t s0 = t * span, s1 = cols - s0 < span ? cols : s0 + span;
        if (!tiled) {
            const size_t seg = rows == 1 ? LN__SEG_ROW1 : LN__SEG;
            for (j = s0; j < s1; j += w) {
                w = s1 - j < seg ? s1 - j : seg;
                for (r = 0; r < rows; r++) {
                    size_t off = r * cols + j;
                    K->bwd_apply(jb->dx ? jb->dx + off : NULL, pg, pb, jb->dy + off,
                                 jb->x + off, jb->gamma ? jb->gamma + j : NULL, w, &k[r],
                                 jb->flags | (r == 0 ? LN__PARAM_FIRST : 0));
                }
                if (pg) K->add_rounded(dgamma + j, pg, w);
                if (pb) K->add_rounded(dbeta + j, pb, w);
            }
            continue;
        }
        if (in_place) ln__wide_params(K, jb, rs, hb, pg, pb, dgamma, dbeta, rows, s0, s1);
        if (jb->dx)
            for (r = 0; r < rows; r++) {
                size_t off = r * cols + s0;
                K->bwd_apply(jb->dx + off, NULL, NULL, jb->dy + off, jb->x + off,
                             jb->gamma ? jb->gamma + s0 : NULL, s1 - s0, &k[r], jb->flags);
            }
        if (!in_place) ln__wide_params(K, jb, rs, hb, pg, pb, dgamma, dbeta, rows, s0, s1);
    }
    ln__stream_fence((jb->flags & LN__STREAM) != 0);
}

static int ln__backward_wide(const ln__kernels *K, const ln__bwd_job *jb, float *dgamma,
                             float *dbeta, size_t rows) {
    ln__bwd_coef one, *k = &one;
    double one_rh[2], *rs = one_rh, *hb = one_rh + 1;
    size_t r, cols = jb->cols, span = LN__SPAN_BYTES / (2 * sizeof(float)) / rows / LN__SEG;
    size_t ntile;
    int nt = ln__threads(rows, rows * cols), ntt;
    span = LN__SEG * (span < 1 ? 1 : span > LN__SPAN_MAX ? LN__SPAN_MAX : span);
    ntile = (cols + span - 1) / span;
    ntt = ln__threads(ntile, rows * cols);
    memset(&one, 0, sizeof one);
    if (rows > 1) { /* k, then rs and hb (a multiple of 8 bytes: ln__bwd_coef has doubles) */
        k = (ln__bwd_coef *)LN_MALLOC(rows * (sizeof *k + 2 * sizeof(double)));
        if (!k) return LN_ERR_NOMEM;
        rs = (double *)(void *)(k + rows);
        hb = rs + rows;
    }
    if (nt == 1) ln__wide_coefs(K, jb, k, 0, 0, rows);
    else {
        LN__PRAGMA(omp parallel for schedule(static) num_threads(nt))
        for (int t = 0; t < nt; t++)
            ln__wide_coefs(K, jb, k, 0, rows * (size_t)t / (size_t)nt,
                           rows * (size_t)(t + 1) / (size_t)nt);
    }
    for (r = 0; r < rows; r++) rs[r] = (double)k[r].rstd, hb[r] = k[r].hb;
    if (ntt == 1) ln__wide_tiles(K, jb, k, rs, hb, dgamma, dbeta, rows, span, 0, ntile);
    else {
        LN__PRAGMA(omp parallel for schedule(static) num_threads(ntt))
        for (int t = 0; t < ntt; t++)
            ln__wide_tiles(K, jb, k, rs, hb, dgamma, dbeta, rows, span,
                           ntile * (size_t)t / (size_t)ntt, ntile * (size_t)(t + 1) / (size_t)ntt);
    }
    if (k != &one) LN_FREE(k);
    return LN_OK;
}

/* Backward over rows. dγ/dβ: each chunk of rows sums into a double partial, and the
   partials are added to the total in chunk order, so the bits do not depend on the
   thread count. dx rows are independent. */
static int ln__backward_rows(int path, float *dx, float *dgamma, float *dbeta,
                             const float *dy, const float *x, const float *gamma,
                             const float *mean, const float *rstd, size_t rows, size_t cols,
                             int rms, int acc) {
    const ln__kernels *K = ln__kernels_for(path);
    const ln__ranges *R = ln__ranges_for(path);
    int stream = dx && ln__stream_for(rows * cols * sizeof(float), cols,
                                      acc ? LN__OUT_DX_ACC : LN__OUT_DX, dx);
    int flags = (acc ? LN__DX_ACC : 0) | (stream ? LN__STREAM : 0);
    size_t chunk = ln__chunk_rows(rows, cols), nch = (rows + chunk - 1) / chunk;
    size_t lo, hi;
    int nt = ln__threads(rows, rows * cols), use_part;
    double *scratch, *G; /* G = [dγ | dβ] sums in double, cols each */
    ln__bwd_job job;
    job.dx = dx, job.dy = dy, job.x = x, job.gamma = gamma, job.mean = mean, job.rstd = rstd;
    job.cols = cols, job.rms = rms, job.flags = flags;

    if (!dgamma && !dbeta) { /* rows are independent */
        if (nt == 1) {
            R->backward(&job, NULL, NULL, 0, rows, 0);
            ln__stream_fence(stream);
            return LN_OK;
        }
        LN__PRAGMA(omp parallel for schedule(static) num_threads(nt))
        for (int t = 0; t < nt; t++) {
            R->backward(&job, NULL, NULL, rows * (size_t)t / (size_t)nt,
                        rows * (size_t)(t + 1) / (size_t)nt, 0);
            ln__stream_fence(stream);
        }
        return LN_OK;
    }

    if (rows == 1 || cols >= LN__WIDE) return ln__backward_wide(K, &job, dgamma, dbeta, rows);
    if ((size_t)nt > nch) nt = (int)nch;
    lo = dgamma ? 0 : cols; /* the part of a partial [dγ | dβ] that is asked for */
    hi = dbeta ? 2 * cols : cols;
    if (nt == 1) {
        /* chunk 0 straight into G, each later chunk into the partial P, then G += P */
        use_part = nch > 1 && chunk > 1;
        scratch = ln__alloc_doubles((size_t)(use_part ? 4 : 2) * cols);
        if (!scratch) return LN_ERR_NOMEM;
        G = scratch;
        for (size_t kc = 0; kc < nch; kc++) {
            size_t r0 = kc * chunk, r1 = r0 + chunk < rows ? r0 + chunk : rows;
            int direct = !use_part || kc == 0;
            double *Q = direct ? G : G + 2 * cols;
            R->backward(&job, dgamma ? Q : NULL, dbeta ? Q + cols : NULL, r0, r1, kc == 0 || !direct);
            if (!direct) ln__combine(G + lo, Q + lo, hi - lo, 0);
        }
        ln__stream_fence(stream);
    } else {
        /* every chunk into its own partial, threads over contiguous runs of chunks; then the
           partials are added in chunk order, threads over columns: the same additions */
        scratch = ln__alloc_doubles(nch * 2 * cols);
        if (!scratch) return LN_ERR_NOMEM;
        G = scratch;
        LN__PRAGMA(omp parallel num_threads(nt))
        {
            size_t t = (size_t)ln__thread_id(), T = (size_t)ln__team_size(), k;
            size_t k0 = nch * t / T, k1 = nch * (t + 1) / T;
            size_t j0 = lo + (hi - lo) * t / T, j1 = lo + (hi - lo) * (t + 1) / T;
            for (k = k0; k < k1; k++) {
                size_t r0 = k * chunk, r1 = r0 + chunk < rows ? r0 + chunk : rows;
                double *P = scratch + k * 2 * cols;
                R->backward(&job, dgamma ? P : NULL, dbeta ? P + cols : NULL, r0, r1, 1);
            }
            ln__stream_fence(stream);
            LN__PRAGMA(omp barrier)
            for (k = 1; k < nch; k++) ln__combine(G + j0, scratch + k * 2 * cols + j0, j1 - j0, 0);
        }
    }
    if (dgamma) K->add_rounded(dgamma, G, cols);
    if (dbeta) K->add_rounded(dbeta, G + cols, cols);
    LN_FREE(scratch);
    return LN_OK;
}

/* ---- 6. validation and the public functions ---------------------------------------------- */

/* LN_OK: go; 1: nothing to do (outer == 0); < 0: error. All checks come before any write. */
static int ln__check(size_t outer, size_t cols, size_t inner, float eps, int check_eps) {
    /* eps >= 0 and finite (NaN fails too), read off its bits: gcc -O0 -ffast-math compiled
       the comparison without its NaN case despite the opt-out (see the top of the
       implementation). Valid: 0 .. 0x7f7fffff (+0 to FLT_MAX) and 0x80000000 (−0). */
    uint32_t eps_bits;
    memcpy(&eps_bits, &eps, sizeof eps_bits);
    if (check_eps && eps_bits >= 0x7f800000u && eps_bits != 0x80000000u) return LN_ERR_EPS;
    if (outer == 0) return 1;
    if (cols == 0 || inner == 0) return LN_ERR_SIZE;
    /* outer·cols·inner·sizeof(float) must fit in an object (PTRDIFF_MAX bytes) */
    if (cols > (size_t)PTRDIFF_MAX / sizeof(float) / inner) return LN_ERR_SIZE;
    if (outer > (size_t)PTRDIFF_MAX / sizeof(float) / inner / cols) return LN_ERR_SIZE;
    return LN_OK;
}

LNDEF const char *ln_strerror(int status) {
    switch (status) {
    case LN_OK: return "success";
    case LN_ERR_NULL: return "a required pointer argument is NULL";
    case LN_ERR_SIZE: return "a size is zero or rows*cols overflows";
    case LN_ERR_EPS: return "eps is negative, NaN or infinite";
    case LN_ERR_NOMEM: return "out of memory for the dgamma/dbeta scratch buffer";
    default: return "unknown layernorm status code";
    }
}

LN__PRIV int ln__forward_on(int path, float *y, float *mean, float *rstd, const float *x,
                            const float *gamma, const float *beta, size_t rows, size_t cols,
                            float eps) {
    int st;
    if (!y || !x) return LN_ERR_NULL;
    if ((st = ln__check(rows, cols, 1, eps, 1)) != LN_OK) return st > 0 ? LN_OK : st;
    ln__forward_rows(path, y, NULL, mean, rstd, x, NULL, gamma, beta, rows,
                     cols, eps, 0);
    return LN_OK;
}

LN__PRIV int ln__backward_on(int path, float *dx, float *dgamma, float *dbeta, const float *dy,
                             const float *x, const float *gamma, const float *mean,
                             const float *rstd, size_t rows, size_t cols) {
    int st;
    if (!dy || !x || !mean || !rstd) return LN_ERR_NULL;
    if ((st = ln__check(rows, cols, 1, 0.0f, 0)) != LN_OK) return st > 0 ? LN_OK : st;
    return ln__backward_rows(path, dx, dgamma, dbeta, dy, x, gamma, mean,
                             rstd, rows, cols, 0, 0);
}

LNDEF int ln_forward(float *y, float *mean, float *rstd, const float *x, const float *gamma,
                     const float *beta, size_t rows, size_t cols, float eps) {
    return ln__forward_on(ln_path_active(), y, mean, rstd, x, gamma, beta, rows, cols, eps);
}

LNDEF int ln_backward(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                      const float *gamma, const float *mean, const float *rstd, size_t rows,
                      size_t cols) {
    return ln__backward_on(ln_path_active(), dx, dgamma, dbeta, dy, x, gamma, mean, rstd, rows,
                           cols);
}

/* ---- 7. variants ---------------------------------------------------------------------------
   RMSNorm, fused residual add and accumulating backward reuse the row drivers above.
   RMSNorm:  rstd = 1/sqrt(Σx²/cols + eps),  y = x·rstd·γ,
             dx = rstd·(g − x̂·mean(g·x̂)),  x̂ = x·rstd,  dγ += Σ_rows dy·x̂. */

LN__PRIV int ln__rms_forward_on(int path, float *y, float *rstd, const float *x,
                                const float *gamma, size_t rows, size_t cols, float eps) {
    int st;
    if (!y || !x) return LN_ERR_NULL;
    if ((st = ln__check(rows, cols, 1, eps, 1)) != LN_OK) return st > 0 ? LN_OK : st;
    ln__forward_rows(path, y, NULL, NULL, rstd, x, NULL, gamma, NULL, rows,
                     cols, eps, 1);
    return LN_OK;
}

static int ln__rms_backward_any(int path, float *dx, float *dgamma, const float *dy,
                                const float *x, const float *gamma, const float *rstd,
                                size_t rows, size_t cols, int acc) {
    int st;
    if (!dy || !x || !rstd) return LN_ERR_NULL;
    if ((st = ln__check(rows, cols, 1, 0.0f, 0)) != LN_OK) return st > 0 ? LN_OK : st;
    return ln__backward_rows(path, dx, dgamma, NULL, dy, x, gamma, NULL, rstd,
                             rows, cols, 1, acc);
}

LN__PRIV int ln__rms_backward_on(int path, float *dx, float *dgamma, const float *dy,
                                 const float *x, const float *gamma, const float *rstd,
                                 size_t rows, size_t cols) {
    return ln__rms_backward_any(path, dx, dgamma, dy, x, gamma, rstd, rows, cols, 0);
}

LN__PRIV int ln__rms_backward_acc_on(int path, float *dx, float *dgamma, const float *dy,
                                     const float *x, const float *gamma, const float *rstd,
                                     size_t rows, size_t cols) {
    return ln__rms_backward_any(path, dx, dgamma, dy, x, gamma, rstd, rows, cols, 1);
}

LN__PRIV int ln__backward_acc_on(int path, float *dx, float *dgamma, float *dbeta,
                                 const float *dy, const float *x, const float *gamma,
                                 const float *mean, const float *rstd, size_t rows,
                                 size_t cols) {
    int st;
    if (!dy || !x || !mean || !rstd) return LN_ERR_NULL;
    if ((st = ln__check(rows, cols, 1, 0.0f, 0)) != LN_OK) return st > 0 ? LN_OK : st;
    return ln__backward_rows(path, dx, dgamma, dbeta, dy, x, gamma, mean,
                             rstd, rows, cols, 0, 1);
}

/* Fused add: sum = x + residual is written while the statistics read it, so x and
   residual come from memory once and y is computed from the cache-resident sum. */
LN__PRIV int ln__add_forward_on(int path, float *y, float *sum, float *mean, float *rstd,
                                const float *x, const float *residual, const float *gamma,
                                const float *beta, size_t rows, size_t cols, float eps) {
    int st;
    if (!y || !sum || !x || !residual) return LN_ERR_NULL;
    if ((st = ln__check(rows, cols, 1, eps, 1)) != LN_OK) return st > 0 ? LN_OK : st;
    ln__forward_rows(path, y, sum, mean, rstd, x, residual, gamma, beta, rows,
                     cols, eps, 0);
    return LN_OK;
}

LN__PRIV int ln__rms_add_forward_on(int path, float *y, float *sum, float *rstd, const float *x,
                                    const float *residual, const float *gamma, size_t rows,
                                    size_t cols, float eps) {
    int st;
    if (!y || !sum || !x || !residual) return LN_ERR_NULL;
    if ((st = ln__check(rows, cols, 1, eps, 1)) != LN_OK) return st > 0 ? LN_OK : st;
    ln__forward_rows(path, y, sum, NULL, rstd, x, residual, gamma, NULL, rows,
                     cols, eps, 1);
    return LN_OK;
}

LNDEF int ln_rms_forward(float *y, float *rstd, const float *x, const float *gamma, size_t rows,
                         size_t cols, float eps) {
    return ln__rms_forward_on(ln_path_active(), y, rstd, x, gamma, rows, cols, eps);
}
LNDEF int ln_rms_backward(float *dx, float *dgamma, const float *dy, const float *x,
                          const float *gamma, const float *rstd, size_t rows, size_t cols) {
    return ln__rms_backward_on(ln_path_active(), dx, dgamma, dy, x, gamma, rstd, rows, cols);
}
LNDEF int ln_add_forward(float *y, float *sum, float *mean, float *rstd, const float *x,
                         const float *residual, const float *gamma, const float *beta,
                         size_t rows, size_t cols, float eps) {
    return ln__add_forward_on(ln_path_active(), y, sum, mean, rstd, x, residual, gamma, beta,
                              rows, cols, eps);
}
LNDEF int ln_rms_add_forward(float *y, float *sum, float *rstd, const float *x,
                             const float *residual, const float *gamma, size_t rows,
                             size_t cols, float eps) {
    return ln__rms_add_forward_on(ln_path_active(), y, sum, rstd, x, residual, gamma, rows,
                                  cols, eps);
}
LNDEF int ln_backward_acc(float *dx, float *dgamma, float *dbeta, const float *dy,
                          const float *x, const float *gamma, const float *mean,
                          const float *rstd, size_t rows, size_t cols) {
    return ln__backward_acc_on(ln_path_active(), dx, dgamma, dbeta, dy, x, gamma, mean, rstd,
                               rows, cols);
}
LNDEF int ln_rms_backward_acc(float *dx, float *dgamma, const float *dy, const float *x,
                              const float *gamma, const float *rstd, size_t rows, size_t cols) {
    return ln__rms_backward_acc_on(ln_path_active(), dx, dgamma, dy, x, gamma, rstd, rows,
                                   cols);
}

/* Channels-first, x[outer][cols][inner]: the same math per (outer, inner) pair, over the
   middle axis. Memory is contiguous along inner, so a tile of LN__LANES inner positions is
   normalized together, lane by lane, reading each channel's run of the tile: no gathers.
   The loops run over a constant LN__LANES for full tiles, so the compiler vectorizes them
   for the target of the wrapper they are inlined into (scalar, AVX2 or AVX-512); the
   AVX-512 backward is written by hand instead (ln__512_strided_bwd_tile). */
#define LN__LANES 64
/* A channel's lanes of the next tile sit 64 floats further along, one short run per
   channel: too many streams for the hardware prefetcher, so the tiles ask for them.
   The backward tile asks for x and dy of the tile LN__STRIDED_AHEAD on into L2, and for
   dx of the next tile for writing, from inner >= LN__STRIDED_L2_INNER; below that for
   the next tile into L1 (0.57-0.78x the time of no prefetch). Against the next tile into
   L1 everywhere, on Zen 4 through the AVX2 path: 1 thread, 64 channels, 0.71-0.78x the
   time at inner 512 to 12544 (1024 and 2048 alike), 0.90x at 256; 16 or 256 channels
   0.73-0.80x; 2 threads 0.70-0.79x; the scalar path 0.96-1.04x. The forward tile
   asks for the tile LN__STRIDED_AHEAD on into L2, from inner >= LN__STRIDED_L2_INNER:
   on Zen 4 through the AVX2 path (1 thread, 64 channels) 0.76x the time at inner 3136,
   0.81-0.95x at 1024, 1.03x at 196; the next tile into L1 had measured 1.17x slower,
   one tile ahead into L2 0.91-1.07x, three or four 1.01-1.07x of two. Asking for y of
   that tile for writing too took 0.93-0.97x. The AVX2 path also takes the statistics in
   one sweep of shifted sums where it prefetches (up to LN__BLOCK channels, as the AVX-512
   tile) instead of two: 0.90-0.95x there (in cache 0.90-0.93x), but 1.15x at inner 196,
   where nothing is prefetched, and 1.12-1.19x on the scalar path (SSE2, no FMA) at 1024.
   All together, AVX2 against no prefetch and two sweeps: 0.67x the time at inner 3136
   (16 to 256 channels alike), 0.78x at 1024, 0.81x at 512, 0.92x at 256, 1.0x at 196;
   the scalar path (the prefetches only) 0.85x at 3136, 0.93x at 1024, 1.0x at 196. */
#define LN__STRIDED_AHEAD ((size_t)2)
#define LN__STRIDED_L2_INNER ((size_t)256)
#define LN__AHEAD_L1 1 /* a tile's ahead: prefetch into L1 */
#define LN__AHEAD_L2 2 /*                 or into L2 */
#define LN__AHEAD_NT 8 /* flag (AVX-512 tiles): y / dx of a whole tile bypass the cache */
#define LN__AHEAD_SEQ 3 /* into L2, the next slice front to back: channel c's run at
                           p + c·(the tile's lanes), p the tile's px, pdy, pdx or py
                           (AVX-512) or nx, ndy, ndx or ny (compiler-vectorized) */
/* Short slices, whose tiles ask for the next slice front to back (LN__AHEAD_SEQ) instead
   of the tile two on: lo <= inner <= hi, at most max floats a slice. The measurements are
   at ln__strided_fwd_avx512_short and ln__strided_bwd_avx512_short. */
#define LN__SEQ_FWD_MIN_INNER ((size_t)129) /* more than two whole 64-lane tiles */
#define LN__SEQ_FWD_MAX_INNER ((size_t)512)
#define LN__SEQ_FWD_MAX_SLICE ((size_t)65536)
#define LN__SEQ_BWD_MIN_INNER ((size_t)33) /* more than one whole 32-lane tile */
#define LN__SEQ_BWD_MAX_INNER ((size_t)384)
#define LN__SEQ_BWD_MAX_SLICE ((size_t)32768)
#define LN__SEQ_BWD_MAX_SLICE_AVX2 ((size_t)65536)
LN__INLINE int ln__short_slice(size_t cols, size_t inner, size_t lo, size_t hi, size_t max) {
    return inner >= lo && inner <= hi && cols * inner <= max;
}
/* A slice's `more`: 0 if the next slice is not this thread's (this run of slices ends at
   o1), else 1, or 2 if a slice after that one exists too. A short slice's tile t asks for
   cols runs of L (its lanes) floats from t·cols·L into the next slice: whole tiles end
   inside it, the partial last one up to (t + 1)·cols·L <= 2·cols·inner (for inner > L, or
   inner >= L/2 when it is the only tile), so inside the slice after, which it needs. */
LN__INLINE int ln__more(size_t o, size_t o1, size_t outer) {
    return o + 1 >= o1 ? 0 : o + 2 < outer ? 2 : 1;
}
/* Channel c's run that a compiler-vectorized tile at p asks for when ahead is LN__AHEAD_SEQ
   (the next slice's, from n) or LN__AHEAD_L2 (the tile LN__STRIDED_AHEAD on) */
LN__INLINE const float *ln__ahead_run(const float *p, const float *n, size_t c, size_t inner,
                                      int ahead) {
    return ahead == LN__AHEAD_SEQ ? n + c * LN__LANES
                                  : p + c * inner + LN__STRIDED_AHEAD * LN__LANES;
}
/* a tile's run of one channel, LN__LANES floats from p, into L2 */
LN__INLINE void ln__prefetch_run_l2(const float *p) {
    size_t i;
    for (i = 0; i < LN__LANES; i += 16) LN__PREFETCH_L2(p + i);
}

LN__INLINE void ln__strided_fwd_tile(float *y, float *mean, float *rstd, const float *x,
                                     const float *gamma, const float *beta, size_t cols,
                                     size_t inner, float eps, size_t w, int ahead,
                                     int one_sweep, const float *nx, float *ny) {
    double s[LN__LANES], q[LN__LANES], k[LN__LANES];
    float mhi[LN__LANES], mlo[LN__LANES], rs[LN__LANES];
    size_t c, i;
    for (i = 0; i < w; i++) s[i] = q[i] = 0;
    if (one_sweep) { /* shifted sums, as a block of ln__row_moments (cols <= LN__BLOCK) */
        for (i = 0; i < w; i++) k[i] = (double)x[i]; /* d = x − k, k = channel 0's value */
        for (c = 0; c < cols; c++) {
            for (i = 0; i < w; i++) {
                double d = (double)x[c * inner + i] - k[i];
                s[i] += d;
                q[i] += d * d;
            }
            if (ahead) /* (the caller checks that the run is there) */
                ln__prefetch_run_l2(ln__ahead_run(x, nx, c, inner, ahead));
        }
        for (i = 0; i < w; i++) { /* mean = k + S/n, M2 = Q − S·(S/n) */
            double o[2];
            o[0] = s[i], o[1] = q[i];
            ln__block_moments(o, k[i], cols, &s[i], &q[i]);
        }
    } else { /* two sweeps: the mean, then the centered squares */
        for (c = 0; c < cols; c++) {
            for (i = 0; i < w; i++) s[i] += (double)x[c * inner + i];
            if (ahead) ln__prefetch_run_l2(ln__ahead_run(x, nx, c, inner, ahead));
        }
        for (i = 0; i < w; i++) s[i] /= (double)cols; /* the mean */
        for (c = 0; c < cols; c++)
            for (i = 0; i < w; i++) {
                double d = (double)x[c * inner + i] - s[i];
                q[i] += d * d;
            }
    }
    for (i = 0; i < w; i++) {
        mhi[i] = (float)s[i];
        mlo[i] = (float)(s[i] - (double)mhi[i]);
        rs[i] = (float)(1.0 / sqrt(q[i] / (double)cols + (double)eps));
        if (mean) mean[i] = mhi[i];
        if (rstd) rstd[i] = rs[i];
    }
    for (c = 0; c < cols; c++) {
        float g = gamma ? gamma[c] : 1.0f, b = beta ? beta[c] : 0.0f;
        for (i = 0; i < w; i++)
            y[c * inner + i] = ((x[c * inner + i] - mhi[i]) - mlo[i]) * rs[i] * g + b;
        if (ahead) /* y of that run, for writing */
            for (i = 0; i < LN__LANES; i += 16)
                LN__PREFETCH_W(ln__ahead_run(y, ny, c, inner, ahead) + i);
    }
}

/* Backward of one tile (see ln__backward_row for a, b, c, δ). The sums over lanes for dγ
   and dβ are folded, with a fixed tree, into LN__SLOTS partial sums per channel:
   pg[c·SLOTS + k] += Σ_{lanes l ≡ k} dy·x̂, pb likewise with dy; the caller adds the slots
   of a channel once per slice. */
#define LN__SLOTS 8
LN__INLINE void ln__strided_bwd_tile(float *dx, double *pg, double *pb, const float *dy,
                                     const float *x, const float *gamma, const float *mean,
                                     const float *rstd, size_t cols, size_t inner, size_t w,
                                     int first, int ahead, const float *nx, const float *ndy,
                                     float *ndx) {
    double sg[LN__LANES], sgx[LN__LANES], sx[LN__LANES], tg[LN__LANES], tb[LN__LANES];
    float ka[LN__LANES], kb[LN__LANES], kc[LN__LANES], kd[LN__LANES];
    double ks[LN__LANES];
    size_t c, i, h;
    for (i = 0; i < w; i++) sg[i] = sgx[i] = sx[i] = 0;
    for (c = 0; c < cols; c++) {
        float gm = gamma ? gamma[c] : 1.0f, g[LN__LANES];
        double xt[LN__LANES];
        if (ahead == LN__AHEAD_SEQ || ahead == LN__AHEAD_L2) { /* (the caller checks) */
            ln__prefetch_run_l2(ln__ahead_run(x, nx, c, inner, ahead));
            ln__prefetch_run_l2(ln__ahead_run(dy, ndy, c, inner, ahead));
        } else if (ahead) /* the next tile: a full one (the caller checks) */
            for (i = 0; i < LN__LANES; i += 16) {
                LN__PREFETCH(x + c * inner + LN__LANES + i);
                LN__PREFETCH(dy + c * inner + LN__LANES + i);
            }
        for (i = 0; i < w; i++) { /* products and differences first: simple loops vectorize */
            g[i] = gm * dy[c * inner + i];
            xt[i] = (double)x[c * inner + i] - (double)mean[i]; /* exact */
        }
        for (i = 0; i < w; i++) {
            sg[i] += (double)g[i];
            sgx[i] += (double)g[i] * xt[i];
            sx[i] += xt[i];
        }
    }
    for (i = 0; i < w; i++) {
        double r = (double)rstd[i], delta = sx[i] / (double)cols, mg = sg[i] / (double)cols;
        double mgx = r * (sgx[i] - delta * sg[i]) / (double)cols;
        ka[i] = rstd[i];
        kc[i] = (float)(-r * mgx);
        kb[i] = (float)(-r * mg);
        kd[i] = (float)delta;
        ks[i] = (double)mean[i] + delta;
    }
    for (c = 0; c < cols; c++) {
        float gm = gamma ? gamma[c] : 1.0f;
        float xh[LN__LANES];
        for (i = 0; i < w; i++) xh[i] = ((x[c * inner + i] - mean[i]) - kd[i]) * rstd[i];
        for (i = 0; i < w; i++) {
            tg[i] = (double)dy[c * inner + i] *
                    (((double)x[c * inner + i] - ks[i]) * (double)rstd[i]);
            tb[i] = (double)dy[c * inner + i];
        }
        for (; i < LN__LANES; i++) tg[i] = tb[i] = 0;
        if (dx && ahead == LN__AHEAD_L2)
            for (i = 0; i < LN__LANES; i += 16) LN__PREFETCH_W(dx + c * inner + LN__LANES + i);
        if (dx && ahead == LN__AHEAD_SEQ)
            for (i = 0; i < LN__LANES; i += 16) LN__PREFETCH_W(ndx + c * LN__LANES + i);
        if (dx) /* last: dx may be dy or x */
            for (i = 0; i < w; i++)
                dx[c * inner + i] = kc[i] * xh[i] + (ka[i] * (gm * dy[c * inner + i]) + kb[i]);
        /* fold the 64 lanes to LN__SLOTS with a fixed tree of vertical (vector) adds */
        for (h = LN__LANES / 2; h >= LN__SLOTS; h /= 2)
            for (i = 0; i < h; i++) {
                tg[i] += tg[i + h];
                tb[i] += tb[i + h];
            }
        for (i = 0; i < LN__SLOTS; i++) {
            pg[c * LN__SLOTS + i] = first ? tg[i] : pg[c * LN__SLOTS + i] + tg[i];
            pb[c * LN__SLOTS + i] = first ? tb[i] : pb[c * LN__SLOTS + i] + tb[i];
        }
    }
}

/* One outer slice, tile by tile: full tiles with the constant width, then the rest.
   shifted: the forward's statistics in one sweep where it prefetches (see above). seq:
   short slices ask for the next slice (more) front to back (LN__AHEAD_SEQ; the AVX2 path
   only, see ln__strided_fwd_avx512_short and ln__strided_bwd_avx512_short). */
#define LN__STRIDED_FWD_SLICE(sfx, attr, shifted, seq)                                         \
    attr static void ln__strided_fwd_##sfx(float *y, float *mean, float *rstd, const float *x, \
                                           const float *gamma, const float *beta, size_t cols, \
                                           size_t inner, float eps, int more, int stream) {    \
        const int short_seq = seq && cols <= LN__BLOCK &&                                      \
                              ln__short_slice(cols, inner, LN__SEQ_FWD_MIN_INNER,              \
                                              LN__SEQ_FWD_MAX_INNER, LN__SEQ_FWD_MAX_SLICE);   \
        /* the statistics' method may not depend on more (the slice's place in this            \
           thread's run): the thread count would change some slices' bits */                   \
        const int one = shifted && cols <= LN__BLOCK &&                                        \
                        (inner >= LN__STRIDED_L2_INNER || short_seq);                          \
        size_t i0 = 0, o = cols * inner; /* o: the next slice's runs for this tile */          \
        (void)stream; /* (only the AVX-512 tiles stream) */                                    \
        if (short_seq && more) { /* short slices: the next one, front to back */               \
            for (; i0 + LN__LANES <= inner; i0 += LN__LANES, o += cols * LN__LANES)            \
                ln__strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL, \
                                     x + i0, gamma, beta, cols, inner, eps, LN__LANES,         \
                                     LN__AHEAD_SEQ, shifted, x + o, y + o);                    \
            if (i0 < inner)                                                                    \
                ln__strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL, \
                                     x + i0, gamma, beta, cols, inner, eps, inner - i0, 0,     \
                                     shifted, x, y);                                           \
            return;                                                                            \
        }                                                                                      \
        if (inner >= LN__STRIDED_L2_INNER) /* (a constant ahead: a branch cost 1.04-1.09x) */  \
            for (; i0 + (LN__STRIDED_AHEAD + 1) * LN__LANES <= inner; i0 += LN__LANES)         \
                ln__strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL, \
                                     x + i0, gamma, beta, cols, inner, eps, LN__LANES, 1, one, \
                                     x, y);                                                    \
        for (; i0 + LN__LANES <= inner; i0 += LN__LANES)                                       \
            ln__strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,     \
                                 x + i0, gamma, beta, cols, inner, eps, LN__LANES, 0, one, x,  \
                                 y);                                                           \
        if (i0 < inner)                                                                        \
            ln__strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,     \
                                 x + i0, gamma, beta, cols, inner, eps, inner - i0, 0, one, x, \
                                 y);                                                           \
    }
#define LN__STRIDED_BWD_SLICE(sfx, attr, seq)                                                  \
    attr static void ln__strided_bwd_##sfx(float *dx, double *pg, double *pb, const float *dy, \
                                           const float *x, const float *gamma,                 \
                                           const float *mean, const float *rstd, size_t cols,  \
                                           size_t inner, int first, int more, int stream) {    \
        size_t i0 = 0, o = cols * inner; /* o: the next slice's runs for this tile */          \
        (void)stream; /* (only the AVX-512 tiles stream) */                                    \
        if (seq && more && /* short slices: the next one, front to back */                     \
            ln__short_slice(cols, inner, LN__SEQ_BWD_MIN_INNER, LN__SEQ_BWD_MAX_INNER,          \
                            LN__SEQ_BWD_MAX_SLICE_AVX2)) {                                     \
            for (; i0 + LN__LANES <= inner; i0 += LN__LANES, first = 0, o += cols * LN__LANES) \
                ln__strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,      \
                                     mean + i0, rstd + i0, cols, inner, LN__LANES, first,      \
                                     LN__AHEAD_SEQ, x + o, dy + o, dx ? dx + o : NULL);        \
            if (i0 < inner && more > 1) /* (its runs can reach into the slice after) */     \
                ln__strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,      \
                                     mean + i0, rstd + i0, cols, inner, inner - i0, first,     \
                                     LN__AHEAD_SEQ, x + o, dy + o, dx ? dx + o : NULL);        \
            else if (i0 < inner)                                                               \
                ln__strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,      \
                                     mean + i0, rstd + i0, cols, inner, inner - i0, first, 0,  \
                                     x, dy, dx);                                               \
            return;                                                                            \
        }                                                                                      \
        if (inner >= LN__STRIDED_L2_INNER) /* (a constant ahead, as the forward) */            \
            for (; i0 + (LN__STRIDED_AHEAD + 1) * LN__LANES <= inner; i0 += LN__LANES, first = 0)\
                ln__strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,      \
                                     mean + i0, rstd + i0, cols, inner, LN__LANES, first,      \
                                     LN__AHEAD_L2, x, dy, dx);                                 \
        for (; i0 + (size_t)2 * LN__LANES <= inner; i0 += LN__LANES, first = 0)                \
            ln__strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,          \
                                 mean + i0, rstd + i0, cols, inner, LN__LANES, first,          \
                                 LN__AHEAD_L1, x, dy, dx);                                     \
        for (; i0 + LN__LANES <= inner; i0 += LN__LANES, first = 0)                            \
            ln__strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,          \
                                 mean + i0, rstd + i0, cols, inner, LN__LANES, first, 0, x,    \
                                 dy, dx);                                                      \
        if (i0 < inner)                                                                        \
            ln__strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,          \
                                 mean + i0, rstd + i0, cols, inner, inner - i0, first, 0, x,   \
                                 dy, dx);                                                      \
    }
LN__STRIDED_FWD_SLICE(scalar, LN__VECTORIZE, 0, 0)
LN__STRIDED_BWD_SLICE(scalar, LN__VECTORIZE, 0)
#ifdef LN__HAVE_AVX512
LN__STRIDED_FWD_SLICE(avx512_generic, LN__AVX512 LN__VECTORIZE, 0, 0)

/* The AVX-512 channels-first backward, by hand: tiles of 32 inner positions (two vectors
   of floats, four of doubles per sum, all in registers), the math of ln__strided_bwd_tile
   lane by lane, and its fold of the lanes into LN__SLOTS (32 -> 16 -> 8, vertical adds).
   The compiler-vectorized tile keeps its per-lane arrays in memory: 0.64 ns per element
   with the data in L2 here, against 0.31 for this one. Out of cache both wait on the 2·cols
   short runs a tile reads (this one: 0.92-0.96x the time). Whole tiles are called with a
   constant width, so their loads and stores take no masks (variable masks: 1.25-1.3x the
   time on 32x64x3136, 2x on 512x64x49); dx of a tile ahead is prefetched for writing
   (two ahead, with x and dy into L1: 0.93-0.98x). A last tile of 16 lanes or fewer works
   on its first vector only (the second's lanes load as 0 and add +0 either way: the same
   bits): 64 channels, 1 thread, out of cache, inner 36 0.90-0.93x the time, 100
   0.95-0.97x, 196 0.95-0.97x (2 threads 0.93-0.97x); in L2 0.81-0.94x; 784 level. */
#define LN__LANES512 ((size_t)32)
/* The tile LN__STRIDED_AHEAD = 2 tiles ahead is prefetched: into L1 that measured
   0.92-0.96x the time of one tile ahead at 32x64x3136 and 64x32x1024, three or four ahead
   no better. Into L2 instead, with dx of the next tile (not the one two ahead) for
   writing, where the tile's lines spread over the L1's sets: inner >= 256 and at most 12
   lines a set (ln__l1_set_load). Zen 4 (8-way L1), against L1: 64 channels, 1 thread,
   0.78-0.81x the time at inner 784, 0.67-0.71x at 1056, 0.84-0.87x at 3136; 32 channels
   0.62-0.64x at 3136; 256 channels 0.80x at 784; 2 threads 0.73-0.88x, but 0.99-1.01x at
   3136. Where the lines crowd into fewer sets it lost: lines 4 KiB apart (inner 1024,
   2048: one set) 1.5-1.6x; 24-48 a set 0.83-0.96x at 1 thread but 1.03-1.11x at 2. */
/* How many lines of a tile's lane-line share one L1 set: the cols lines of each of x, dy
   and dx lie inner·4 bytes apart, and an L1 of 64 sets of 64-byte lines (4 KiB a way:
   32 KiB 8-way, 48 KiB 12-way) maps lines 4 KiB apart to the same set, so they spread
   over 4096 / (the largest power of two dividing inner·4) sets, at most 64. */
static size_t ln__l1_set_load(size_t cols, size_t inner) {
    size_t s = (inner * 4) & 4095, sets = s ? 4096 / (s & (~s + 1)) : 1;
    sets = sets > 64 ? 64 : sets;
    return (3 * cols + sets - 1) / sets;
}
/* a tile's 32-float runs of x and dy at xa, da (two lines each) into L2 (l2) or L1 */
LN__AVX512_K void ln__512_prefetch_runs(const float *xa, const float *da, int l2) {
    if (l2) {
        LN__PREFETCH_L2(xa), LN__PREFETCH_L2(xa + 16);
        LN__PREFETCH_L2(da), LN__PREFETCH_L2(da + 16);
    } else {
        LN__PREFETCH(xa), LN__PREFETCH(xa + 16);
        LN__PREFETCH(da), LN__PREFETCH(da + 16);
    }
}
/* the four double quarters of a 32-float pair (a, b) */
LN__AVX512_K void ln__512_quarters(__m512 a, __m512 b, __m512d q[4]) {
    q[0] = ln__512_lo(a), q[1] = ln__512_hi(a), q[2] = ln__512_lo(b), q[3] = ln__512_hi(b);
}
/* two vectors of doubles rounded into one of floats (AVX-512F only: no insertf32x8;
   no undefined halves either, which g++ -O2 warns about as maybe-uninitialized) */
LN__AVX512_K __m512 ln__512_narrow2(__m512d lo, __m512d hi) {
    __m256d l = _mm256_castps_pd(_mm512_maskz_cvtpd_ps(0xFF, lo));
    __m256d h = _mm256_castps_pd(_mm512_maskz_cvtpd_ps(0xFF, hi));
    __m512d v = _mm512_maskz_insertf64x4(0xFF, _mm512_setzero_pd(), l, 0);
    return _mm512_castpd_ps(_mm512_maskz_insertf64x4(0xFF, v, h, 1));
}
/* 32 lanes of double (four vectors) folded to 8 slots: lanes l and l + 16, then l + 8 */
LN__AVX512_K __m512d ln__512_fold32(const __m512d q[4]) {
    return _mm512_add_pd(_mm512_add_pd(q[0], q[2]), _mm512_add_pd(q[1], q[3]));
}
/* stmt for q = 0..3, written out: GCC -O2 keeps a loop over an array of vectors (and
   the array in memory), which made this kernel 2x slower */
#define LN__Q4(stmt)                                                                           \
    do {                                                                                       \
        { const int q = 0; stmt; }                                                             \
        { const int q = 1; stmt; }                                                             \
        { const int q = 2; stmt; }                                                             \
        { const int q = 3; stmt; }                                                             \
    } while (0)
/* quarter q of the tile's sums over a channel: S_g += g, S_gx += g·x̃, S_x += x̃ */
LN__AVX512_K void ln__512_strided_sums(int q, const __m512d *g, const __m512d *xv,
                                       const __m512d *md, __m512d *sg, __m512d *sgx,
                                       __m512d *sx) {
    __m512d xt = _mm512_sub_pd(xv[q], md[q]); /* exact */
    sg[q] = _mm512_add_pd(sg[q], g[q]);
    sgx[q] = _mm512_fmadd_pd(g[q], xt, sgx[q]);
    sx[q] = _mm512_add_pd(sx[q], xt);
}
/* quarter q of the lanes' coefficients (see ln__coef_from_sums) */
LN__AVX512_K void ln__512_strided_coefs(int q, __m512d vn, const __m512d *sg,
                                        const __m512d *sgx, const __m512d *sx, const __m512d *md,
                                        const __m512d *rd, __m512d *kb, __m512d *kc,
                                        __m512d *kd, __m512d *ks) {
    __m512d delta = _mm512_mul_pd(sx[q], vn), mg = _mm512_mul_pd(sg[q], vn);
    __m512d mgx = _mm512_mul_pd(rd[q], _mm512_fnmadd_pd(delta, sg[q], sgx[q]));
    mgx = _mm512_mul_pd(mgx, vn);
    __m512d neg_r = _mm512_sub_pd(_mm512_setzero_pd(), rd[q]);
    kc[q] = _mm512_mul_pd(neg_r, mgx);
    kb[q] = _mm512_mul_pd(neg_r, mg);
    kd[q] = delta;
    ks[q] = _mm512_add_pd(md[q], delta);
}
/* dy·x̂ with x̂ = (x − shift)·rstd, in double */
LN__AVX512_K __m512d ln__512_dy_xhat(__m512d dy, __m512d x, __m512d shift, __m512d rstd) {
    return _mm512_mul_pd(dy, _mm512_mul_pd(_mm512_sub_pd(x, shift), rstd));
}
/* two: both vectors of the tile (w > 16), else the first only (the last tile, w <= 16) */
LN__AVX512_K void ln__512_strided_bwd_tile_nv(int two, float *dx, double *pg, double *pb,
                                              const float *dy, const float *x,
                                              const float *gamma, const float *mean,
                                              const float *rstd, size_t cols, size_t inner,
                                              size_t w, int first, int ahead, const float *px,
                                              const float *pdy, float *pdx) {
    const int nt = ahead & LN__AHEAD_NT; /* (then w is LN__LANES512, dx 64-byte aligned) */
    const __mmask16 k0 = ln__512_mask_at(w, 0), k1 = ln__512_mask_at(w, 1);
    /* lanes past w load as 0 everywhere (x, dy, mean, rstd): their sums and terms are 0 */
    const __m512 mf0 = _mm512_maskz_loadu_ps(k0, mean);
    const __m512 mf1 = _mm512_maskz_loadu_ps(k1, mean + 16);
    const __m512 rf0 = _mm512_maskz_loadu_ps(k0, rstd);
    const __m512 rf1 = _mm512_maskz_loadu_ps(k1, rstd + 16);
    __m512d md[4], rd[4], sg[4], sgx[4], sx[4], ks[4];
    __m512 kb0, kb1, kc0, kc1, kd0, kd1; /* a = rstd: rf0, rf1 */
    size_t c;
    ahead &= ~LN__AHEAD_NT;
    ln__512_quarters(mf0, mf1, md);
    ln__512_quarters(rf0, rf1, rd);
    LN__Q4(sg[q] = sgx[q] = sx[q] = _mm512_setzero_pd());
    for (c = 0; c < cols; c++) { /* sums: S_g, S_gx, S_x per lane, as ln__backward_coef */
        const float *xc = x + c * inner, *dc = dy + c * inner;
        __m512 d0 = _mm512_maskz_loadu_ps(k0, dc), d1 = _mm512_setzero_ps();
        __m512 x0 = _mm512_maskz_loadu_ps(k0, xc), x1 = _mm512_setzero_ps();
        __m512d g[4], xv[4];
        if (two) d1 = _mm512_maskz_loadu_ps(k1, dc + 16), x1 = _mm512_maskz_loadu_ps(k1, xc + 16);
        if (gamma) { /* (one vector: lanes 16-31 are 0 either way, their sums stay +0) */
            const __m512 gm = _mm512_set1_ps(gamma[c]);
            d0 = _mm512_mul_ps(gm, d0);
            if (two) d1 = _mm512_mul_ps(gm, d1);
        }
        if (ahead == LN__AHEAD_SEQ) /* runs of the next slice */
            ln__512_prefetch_runs(px + c * LN__LANES512, pdy + c * LN__LANES512, 1);
        else if (ahead) /* the tile LN__STRIDED_AHEAD on (the caller checks) */
            ln__512_prefetch_runs(xc + LN__STRIDED_AHEAD * LN__LANES512,
                                  dc + LN__STRIDED_AHEAD * LN__LANES512, ahead == LN__AHEAD_L2);
        ln__512_quarters(d0, d1, g);
        ln__512_quarters(x0, x1, xv);
        LN__Q4(if (two || q < 2) ln__512_strided_sums(q, g, xv, md, sg, sgx, sx));
    }
    { /* per lane: δ = S_x/n, a = rstd, b = −r·S_g/n, c = −r·r·(S_gx − δ·S_g)/n,
         shift = mean + δ */
        __m512d vn = _mm512_set1_pd(1.0 / (double)cols), kbq[4], kcq[4], kdq[4];
        LN__Q4(ln__512_strided_coefs(q, vn, sg, sgx, sx, md, rd, kbq, kcq, kdq, ks));
        kb0 = ln__512_narrow2(kbq[0], kbq[1]), kb1 = ln__512_narrow2(kbq[2], kbq[3]);
        kc0 = ln__512_narrow2(kcq[0], kcq[1]), kc1 = ln__512_narrow2(kcq[2], kcq[3]);
        kd0 = ln__512_narrow2(kdq[0], kdq[1]), kd1 = ln__512_narrow2(kdq[2], kdq[3]);
    }
    for (c = 0; c < cols; c++) { /* dx, and the dγ/dβ terms folded into the channel's slots */
        const float *xc = x + c * inner, *dc = dy + c * inner;
        const __m512 gm = _mm512_set1_ps(gamma ? gamma[c] : 1.0f);
        __m512 d0 = _mm512_maskz_loadu_ps(k0, dc), d1 = _mm512_setzero_ps();
        __m512 x0 = _mm512_maskz_loadu_ps(k0, xc), x1 = _mm512_setzero_ps();
        __m512d dq[4], xq[4], tg[4];
        if (two) d1 = _mm512_maskz_loadu_ps(k1, dc + 16), x1 = _mm512_maskz_loadu_ps(k1, xc + 16);
        ln__512_quarters(d0, d1, dq);
        ln__512_quarters(x0, x1, xq);
        LN__Q4(tg[q] = two || q < 2 ? ln__512_dy_xhat(dq[q], xq[q], ks[q], rd[q])
                                    : _mm512_setzero_pd()); /* (+0, as from masked lanes) */
        {
            __m512d fg = ln__512_fold32(tg), fb = ln__512_fold32(dq);
            double *sgp = pg + c * LN__SLOTS, *sbp = pb + c * LN__SLOTS;
            _mm512_storeu_pd(sgp, first ? fg : _mm512_add_pd(_mm512_loadu_pd(sgp), fg));
            _mm512_storeu_pd(sbp, first ? fb : _mm512_add_pd(_mm512_loadu_pd(sbp), fb));
        }
        if (dx) { /* last: dx may be dy or x */
            if (nt) { /* (no line of dx to ask for) */
            } else if (ahead == LN__AHEAD_SEQ) {
                __builtin_prefetch(pdx + c * LN__LANES512, 1, 3);
                __builtin_prefetch(pdx + c * LN__LANES512 + 16, 1, 3);
            } else if (ahead == LN__AHEAD_L2) /* the next tile */
                __builtin_prefetch(dx + c * inner + LN__LANES512, 1, 3);
            else if (ahead)
                __builtin_prefetch(dx + c * inner + LN__STRIDED_AHEAD * LN__LANES512, 1, 3);
            __m512 xh0 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(x0, mf0), kd0), rf0);
            __m512 xh1 = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(x1, mf1), kd1), rf1);
            __m512 t0 = _mm512_fmadd_ps(rf0, _mm512_mul_ps(gm, d0), kb0);
            __m512 t1 = _mm512_fmadd_ps(rf1, _mm512_mul_ps(gm, d1), kb1);
            if (nt) {
                _mm512_stream_ps(dx + c * inner, _mm512_fmadd_ps(kc0, xh0, t0));
                _mm512_stream_ps(dx + c * inner + 16, _mm512_fmadd_ps(kc1, xh1, t1));
            } else {
                _mm512_mask_storeu_ps(dx + c * inner, k0, _mm512_fmadd_ps(kc0, xh0, t0));
                if (two)
                    _mm512_mask_storeu_ps(dx + c * inner + 16, k1, _mm512_fmadd_ps(kc1, xh1, t1));
            }
        }
    }
}
/* a tile of both vectors; the last tile of w < 32 lanes: ln__512_strided_bwd_last */
LN__AVX512_K void ln__512_strided_bwd_tile(float *dx, double *pg, double *pb, const float *dy,
                                           const float *x, const float *gamma,
                                           const float *mean, const float *rstd, size_t cols,
                                           size_t inner, size_t w, int first, int ahead,
                                           const float *px, const float *pdy, float *pdx) {
    ln__512_strided_bwd_tile_nv(1, dx, pg, pb, dy, x, gamma, mean, rstd, cols, inner, w, first,
                                ahead, px, pdy, pdx);
}
LN__AVX512 static void ln__512_strided_bwd_last(float *dx, double *pg, double *pb,
                                                const float *dy, const float *x,
                                                const float *gamma, const float *mean,
                                                const float *rstd, size_t cols, size_t inner,
                                                size_t w, int first, int ahead,
                                                const float *px, const float *pdy, float *pdx) {
    if (w <= 16)
        ln__512_strided_bwd_tile_nv(0, dx, pg, pb, dy, x, gamma, mean, rstd, cols, inner, w,
                                    first, ahead, px, pdy, pdx);
    else
        ln__512_strided_bwd_tile_nv(1, dx, pg, pb, dy, x, gamma, mean, rstd, cols, inner, w,
                                    first, ahead, px, pdy, pdx);
}
/* The AVX-512 channels-first forward, by hand: tiles of 64 inner positions, one sweep over
   the channels for each lane's shifted sums, as a block of ln__row_moments (d = x − k, k =
   the lane's value in channel 0; mean = k + S/n, M2 = Q − S·(S/n)), all in registers,
   then y from the cache-resident tile; x and y of the tile two ahead are prefetched (the
   channels' short runs are too many streams for the hardware; without it 1.4x slower).
   x is prefetched into L2, not L1, when inner >= LN__STRIDED_L2_INNER: on Zen 4 (1
   thread, 64 channels) that took 0.78-0.82x the time from inner 784 to 12544, 0.95x at
   256, and at 196 (one tile of three prefetches) 1.05x, so L1 there. (Slices of
   LN__SEQ_FWD_MIN_INNER to LN__SEQ_FWD_MAX_INNER prefetch the next slice instead:
   ln__strided_fwd_avx512_short.)
   The compiler-vectorized tile, then sweeping twice for the statistics (the mean, then
   the centered squares) with its sums in memory: 0.23 ns per element in L2 here, against
   0.15 for this one; 32x64x3136 from memory 0.60x the time, 256x3x1024 0.18x. Up to
   LN__BLOCK channels, the shifted sums' bound (see ln__row_moments); beyond that the
   compiler-vectorized tile. The last tile of w < 64 lanes takes the vectors it needs
   (ln__512_strided_fwd_last; the streamed memory-order sweep has the same bits): against
   the compiler-vectorized tile it took there before, 64 channels, 1 thread, in L2 or L3
   0.64-0.93x the time (inner 17 0.70-0.74x, 40 0.64x, 49 0.70-0.71x, 100 0.74-0.75x,
   144 0.84-0.87x, 196 0.91-0.93x), 8 MiB calls 0.67-0.95x. (A masked tile of a variable
   width had measured 1.7x slower on 512x64x49.) */
#define LN__FWD_LANES512 ((size_t)64) /* 4 vectors of floats, 8 of doubles per sum */
/* The statistics of a tile's first nv vectors (w lanes; lanes past w load as 0, their
   sums are 0): the masks m, mean = mh + ml (a double split into two floats) and rstd rf,
   stored to mean / rstd if not NULL; x of a tile ahead asked for as `ahead` says. */
LN__AVX512_K void ln__512_strided_fwd_stats(float *mean, float *rstd, const float *x,
                                            size_t cols, size_t inner, float eps, size_t w,
                                            size_t nv, int ahead, const float *px,
                                            __mmask16 *m, __m512 *mh, __m512 *ml, __m512 *rf) {
    const __m512d nd = _mm512_set1_pd((double)cols), zero = _mm512_setzero_pd();
    __m512d kd[8], s[8], q[8];
    size_t c, h;
    LN__UNROLL
    for (h = 0; h < nv; h++) {
        __m512 v = _mm512_maskz_loadu_ps(m[h] = ln__512_mask_at(w, h), x + 16 * h);
        kd[2 * h] = ln__512_lo(v), kd[2 * h + 1] = ln__512_hi(v);
        s[2 * h] = s[2 * h + 1] = q[2 * h] = q[2 * h + 1] = zero;
    }
    for (c = 0; c < cols; c++) {
        const float *xc = x + c * inner;
        LN__UNROLL
        for (h = 0; h < nv; h++) {
            __m512 v = _mm512_maskz_loadu_ps(m[h], xc + 16 * h);
            __m512d d0 = _mm512_sub_pd(ln__512_lo(v), kd[2 * h]);
            __m512d d1 = _mm512_sub_pd(ln__512_hi(v), kd[2 * h + 1]);
            if (ahead == LN__AHEAD_SEQ) /* x at px + c·LANES */
                _mm_prefetch((const char *)(px + c * LN__FWD_LANES512 + 16 * h), _MM_HINT_T1);
            else if (ahead == LN__AHEAD_L2) /* the tile LN__STRIDED_AHEAD on (caller checks) */
                _mm_prefetch((const char *)(xc + LN__STRIDED_AHEAD * LN__FWD_LANES512 + 16 * h),
                             _MM_HINT_T1);
            else if (ahead)
                _mm_prefetch((const char *)(xc + LN__STRIDED_AHEAD * LN__FWD_LANES512 + 16 * h),
                             _MM_HINT_T0);
            s[2 * h] = _mm512_add_pd(s[2 * h], d0);
            s[2 * h + 1] = _mm512_add_pd(s[2 * h + 1], d1);
            q[2 * h] = _mm512_fmadd_pd(d0, d0, q[2 * h]);
            q[2 * h + 1] = _mm512_fmadd_pd(d1, d1, q[2 * h + 1]);
        }
    }
    LN__UNROLL
    for (h = 0; h < 2 * nv; h++) {
        __m512d ms = _mm512_div_pd(s[h], nd);
        /* max(0, M2): rounding on a (near-)constant lane; a NaN stays (max returns it) */
        __m512d m2 = _mm512_sub_pd(q[h], _mm512_mul_pd(s[h], ms));
        m2 = _mm512_maskz_max_pd(0xFF, zero, m2);
        s[h] = _mm512_add_pd(kd[h], ms); /* the mean */
        q[h] = _mm512_add_pd(_mm512_div_pd(m2, nd), _mm512_set1_pd((double)eps));
        q[h] = _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_maskz_sqrt_pd(0xFF, q[h])); /* rstd */
    }
    LN__UNROLL
    for (h = 0; h < nv; h++) { /* mean = mh + ml, a double split into two floats */
        mh[h] = ln__512_narrow2(s[2 * h], s[2 * h + 1]);
        ml[h] = ln__512_narrow2(_mm512_sub_pd(s[2 * h], ln__512_lo(mh[h])),
                                _mm512_sub_pd(s[2 * h + 1], ln__512_hi(mh[h])));
        rf[h] = ln__512_narrow2(q[2 * h], q[2 * h + 1]);
        if (mean) _mm512_mask_storeu_ps(mean + 16 * h, m[h], mh[h]);
        if (rstd) _mm512_mask_storeu_ps(rstd + 16 * h, m[h], rf[h]);
    }
}
/* y of 16 lanes = ((x − mh) − ml)·rstd·γ + β, as ln__512_norm_step's: the one formula of
   the tiles and of the memory-order sweep (ln__strided_fwd_avx512_flat), whose bits agree */
LN__AVX512_K __m512 ln__512_strided_y(__m512 x, __m512 mh, __m512 ml, __m512 rf, __m512 g,
                                      __m512 b) {
    return ln__512_affine(_mm512_sub_ps(_mm512_sub_ps(x, mh), ml), rf, 1, g, b);
}
LN__AVX512_K void ln__512_strided_fwd_tile_nv(float *y, float *mean, float *rstd,
                                              const float *x, const float *gamma,
                                              const float *beta, size_t cols, size_t inner,
                                              float eps, size_t w, size_t nv, int ahead,
                                              const float *px, float *py) {
    const int nt = ahead & LN__AHEAD_NT; /* (then w is LN__FWD_LANES512, y 64-byte aligned) */
    __mmask16 m[4];
    __m512 mh[4], ml[4], rf[4];
    size_t c, h;
    ahead &= ~LN__AHEAD_NT;
    ln__512_strided_fwd_stats(mean, rstd, x, cols, inner, eps, w, nv, ahead, px, m, mh, ml, rf);
    for (c = 0; c < cols; c++) { /* y = ((x − mh) − ml)·rstd·γ + β */
        const __m512 g = _mm512_set1_ps(gamma ? gamma[c] : 1.0f);
        const __m512 b = _mm512_set1_ps(beta ? beta[c] : 0.0f);
        LN__UNROLL
        for (h = 0; h < nv; h++) {
            __m512 v = ln__512_strided_y(_mm512_maskz_loadu_ps(m[h], x + c * inner + 16 * h),
                                         mh[h], ml[h], rf[h], g, b);
            if (nt) { /* (no line of y to ask for) */
                _mm512_stream_ps(y + c * inner + 16 * h, v);
                continue;
            }
            if (ahead == LN__AHEAD_SEQ) /* y of the same, for writing */
                __builtin_prefetch(py + c * LN__FWD_LANES512 + 16 * h, 1, 3);
            else if (ahead) /* y of that tile, for writing: 0.90-0.95x the time */
                __builtin_prefetch(y + c * inner + LN__STRIDED_AHEAD * LN__FWD_LANES512 + 16 * h,
                                   1, 3);
            _mm512_mask_storeu_ps(y + c * inner + 16 * h, m[h], v);
        }
    }
}
/* a whole tile (nv = 4), or the last tile of w < 64 lanes in the vectors it needs */
LN__AVX512_K void ln__512_strided_fwd_tile(float *y, float *mean, float *rstd, const float *x,
                                           const float *gamma, const float *beta, size_t cols,
                                           size_t inner, float eps, size_t w, int ahead,
                                           const float *px, float *py) {
    ln__512_strided_fwd_tile_nv(y, mean, rstd, x, gamma, beta, cols, inner, eps, w, 4, ahead,
                                px, py);
}
LN__AVX512 static void ln__512_strided_fwd_last(float *y, float *mean, float *rstd,
                                                const float *x, const float *gamma,
                                                const float *beta, size_t cols, size_t inner,
                                                float eps, size_t w) {
#define LN__FWD_LAST(nv)                                                                       \
    ln__512_strided_fwd_tile_nv(y, mean, rstd, x, gamma, beta, cols, inner, eps, w, nv, 0, x, y)
    switch ((w + 15) / 16) {
    case 1: LN__FWD_LAST(1); break;
    case 2: LN__FWD_LAST(2); break;
    case 3: LN__FWD_LAST(3); break;
    default: LN__FWD_LAST(4);
    }
#undef LN__FWD_LAST
}
LN__AVX512 static void ln__strided_fwd_avx512(float *y, float *mean, float *rstd,
                                              const float *x, const float *gamma,
                                              const float *beta, size_t cols, size_t inner,
                                              float eps, int more, int stream) {
    const int pf = inner >= LN__STRIDED_L2_INNER ? LN__AHEAD_L2 : LN__AHEAD_L1;
    size_t i0 = 0;
    if (cols > LN__BLOCK) {
        ln__strided_fwd_avx512_generic(y, mean, rstd, x, gamma, beta, cols, inner, eps, more,
                                       0);
        return;
    }
    /* whole tiles stream y out (ln__strided_stream): a loop of its own, so the tile's
       streaming is a constant (one loop, with the flag a variable: 1.01-1.02x the time of
       the plain stores in cache, inner 784 and 3136) */
    if (stream)
        for (; i0 + LN__FWD_LANES512 <= inner; i0 += LN__FWD_LANES512)
            ln__512_strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                     x + i0, gamma, beta, cols, inner, eps, LN__FWD_LANES512,
                                     (i0 + (LN__STRIDED_AHEAD + 1) * LN__FWD_LANES512 <= inner
                                          ? pf : 0) | LN__AHEAD_NT,
                                     x, y);
    for (; i0 + LN__FWD_LANES512 <= inner; i0 += LN__FWD_LANES512) /* w constant: no masks */
        ln__512_strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                 x + i0, gamma, beta, cols, inner, eps, LN__FWD_LANES512,
                                 i0 + (LN__STRIDED_AHEAD + 1) * LN__FWD_LANES512 <= inner ? pf
                                                                                        : 0,
                                 x, y);
    if (i0 < inner)
        ln__512_strided_fwd_last(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                 x + i0, gamma, beta, cols, inner, eps, inner - i0);
}
/* Short slices (LN__SEQ_FWD_MIN_INNER <= inner <= LN__SEQ_FWD_MAX_INNER, up to
   LN__SEQ_FWD_MAX_SLICE floats): while a slice is normalized, the next one, when one
   follows (more), is asked for into L2 front to back, one run of 64 floats per channel
   and tile (tile t asks for floats t·cols·64 .. (t + 1)·cols·64 of it), instead of the
   tile two on: a slice of a few tiles left its last two tiles asking for nothing and its
   first two unasked for, and one sequential stream suits the memory better than cols
   short runs. Zen 4, 1 thread, time against the tile two on: 64 channels, inner 144
   0.93-0.95x, 160 0.96x, 192 0.82-0.84x, 196 0.75-0.77x (2 threads 0.76x), 256 0.78x (2
   threads 0.78-0.80x), 320 0.85x, 512 0.90x; 128 channels at 256 0.79-0.82x, at 512 (256
   KiB a slice) 0.97-0.99x; 256 channels at 196 0.76x. Not elsewhere: inner 576 to 3136
   1.03-1.26x (long runs per channel, which the tile two on suits), 100 and below
   1.06-1.19x (a slice of one or two tiles: the slices form one stream, which the hardware
   prefetcher follows already), 128 0.95-1.02x. The AVX2 path's compiler-vectorized tile
   does the same, with its statistics in one sweep, against its tile two on into L2 (or,
   below inner 256, none): 64 channels, inner 144 0.76-0.77x, 196 0.70-0.71x (2 threads
   0.71-0.72x), 256 0.75x (2 threads 0.75-0.79x), 512 0.91x; 256 channels at 196
   0.72-0.74x; 100 and 784 1.0x. */
LN__AVX512 static void ln__strided_fwd_avx512_short(float *y, float *mean, float *rstd,
                                                    const float *x, const float *gamma,
                                                    const float *beta, size_t cols,
                                                    size_t inner, float eps, int more,
                                                    int stream) {
    size_t i0, t;
    for (i0 = 0, t = 0; i0 + LN__FWD_LANES512 <= inner; i0 += LN__FWD_LANES512, t++) {
        size_t o = t * cols * LN__FWD_LANES512;
        if (stream && more) /* (ahead constant in each call; stream: ln__strided_stream) */
            ln__512_strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                     x + i0, gamma, beta, cols, inner, eps, LN__FWD_LANES512,
                                     LN__AHEAD_SEQ | LN__AHEAD_NT, x + cols * inner + o,
                                     y + cols * inner + o);
        else if (stream)
            ln__512_strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                     x + i0, gamma, beta, cols, inner, eps, LN__FWD_LANES512,
                                     LN__AHEAD_NT, x, y);
        else if (more)
            ln__512_strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                     x + i0, gamma, beta, cols, inner, eps, LN__FWD_LANES512,
                                     LN__AHEAD_SEQ, x + cols * inner + o,
                                     y + cols * inner + o);
        else
            ln__512_strided_fwd_tile(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                     x + i0, gamma, beta, cols, inner, eps, LN__FWD_LANES512, 0,
                                     x, y);
    }
    if (i0 < inner)
        ln__512_strided_fwd_last(y + i0, mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL,
                                 x + i0, gamma, beta, cols, inner, eps, inner - i0);
}
/* Where y streams but the tiles would not stream it (inner not a multiple of 16, y not
   64-byte aligned), or did worse streaming it (ln__strided_flat), the forward takes two
   sweeps over a slice: the statistics tile by tile, as ln__512_strided_fwd_tile's, into
   per-lane arrays; then y in memory order, the slice as one run of floats whose lanes
   wrap from channel to channel (lane i of channel c at c·inner + i; a vector that
   crosses into the next channel takes its γ and β lane by lane), whole lines streamed
   and the part lines at the slice's ends stored. Each vector asks for x's line a slice
   on into L2, and the whole tiles for the next slice front to back (LN__AHEAD_SEQ). The
   same operations on each element as the tiles, so the same bits. Zen 4, out of cache
   (6.4M elements), in-process, both link orders, time against the tiles, 1 thread (2
   threads):
     64 channels, 64-byte aligned buffers: inner 16 0.56-0.67x (0.63-0.64x), 49
       0.73-0.77x (0.75-0.76x), 100 0.62-0.65x (0.59-0.65x), 130 0.65-0.66x, 144
       0.85-0.86x (0.87x), 196 0.64-0.65x (0.65-0.70x), 200 0.68x (0.57-0.70x), 300
       0.57-0.60x (0.59-0.60x), 900 0.72-0.77x (0.71-0.74x); 8 channels at 196 0.79x
     malloc's buffers (y 16 bytes past a line): 49 0.79x (0.75x), 196 0.64x (0.65x), 64
       0.95x (0.88x), 320 0.69x (0.71x), 512 0.83x (0.73x), 784 0.74x (0.72x), 1024
       0.75x (0.71x); 384 channels at 784 0.78x (0.76x)
     more channels: 384 at 196 0.47x (0.53x), 1024 at 196 0.46x (0.52x), 4096 at 196
       (3.2 MB a slice, past L2) 0.51x (0.56x), 4096 at 100 0.65x (0.57x), 768 at 49
       0.98x, 2048 at 49 0.92x (0.91x), 1024 at 900 0.83x (0.92x), 2048 at 900 (7.4 MB)
       0.89x (0.91x); whole tiles that stream: 384 at 128 0.91x (0.75x), 192 0.76x
       (0.73x), 256 0.87x (0.91x); 512 at 192 0.89x (0.81x), 2048 at 192 0.86x
   But not where whole tiles stream at 64 channels: inner 64 1.33x, 192 1.21x, 256 1.07x,
   384-512 1.10-1.22x, 400 1.09x (336 and 352 level), 768 channels at 64 1.12x (1.07x),
   384 at 784 1.31x (1.14x), 384 at 400 1.11x; 4096 channels at 1000 (16 MB a slice)
   1.08x (1.05x); nor where y is stored through the cache (calls in L3: 0.98-1.45x: the
   second sweep loads three vectors of per-lane statistics a vector). */
#define LN__FLAT_MAX_INNER ((size_t)1024) /* per-lane arrays on the stack: 12.2 KiB */
#define LN__FLAT_MAX_SLICE ((size_t)1 << 21) /* floats (8 MiB; 16 MiB lost) */
/* per lane of a slice: mean = mh + ml, rstd = rf; lanes inner..inner + 15 repeat 0..15 */
typedef struct ln__flat_lanes {
    float mh[LN__FLAT_MAX_INNER + 16], ml[LN__FLAT_MAX_INNER + 16], rf[LN__FLAT_MAX_INNER + 16];
} ln__flat_lanes;
LN__AVX512_K void ln__512_flat_stats(ln__flat_lanes *L, float *mean, float *rstd,
                                     const float *x, size_t cols, size_t inner, float eps,
                                     size_t i0, size_t nv, int more) {
    const size_t w = inner - i0 < LN__FWD_LANES512 ? inner - i0 : LN__FWD_LANES512;
    __mmask16 m[4];
    __m512 mh[4], ml[4], rf[4];
    size_t h;
    /* whole tiles ask for their part of the next slice (tile t: floats t·cols·64 on) */
    ln__512_strided_fwd_stats(mean ? mean + i0 : NULL, rstd ? rstd + i0 : NULL, x + i0, cols,
                              inner, eps, w, nv,
                              more && w == LN__FWD_LANES512 ? LN__AHEAD_SEQ : 0,
                              x + cols * inner + i0 * cols, m, mh, ml, rf);
    LN__UNROLL
    for (h = 0; h < nv; h++) { /* (lanes past w too: the wrap below overwrites them) */
        _mm512_storeu_ps(L->mh + i0 + 16 * h, mh[h]);
        _mm512_storeu_ps(L->ml + i0 + 16 * h, ml[h]);
        _mm512_storeu_ps(L->rf + i0 + 16 * h, rf[h]);
    }
}
/* y of 16 elements from lane i on, as the tiles' (ln__512_strided_y) */
LN__AVX512_K __m512 ln__512_flat_y(__m512 x, const ln__flat_lanes *L, size_t i, __m512 g,
                                   __m512 b) {
    return ln__512_strided_y(x, _mm512_loadu_ps(L->mh + i), _mm512_loadu_ps(L->ml + i),
                             _mm512_loadu_ps(L->rf + i), g, b);
}
LN__AVX512 static void ln__strided_fwd_avx512_flat(float *y, float *mean, float *rstd,
                                                   const float *x, const float *gamma,
                                                   const float *beta, size_t cols,
                                                   size_t inner, float eps, int more,
                                                   int stream) {
    ln__flat_lanes L;
    const size_t S = cols * inner; /* (16 <= inner <= LN__FLAT_MAX_INNER: ln__strided_flat) */
    size_t i0, p = 0, i = 0, c = 0;
    __m512 gc = _mm512_set1_ps(gamma ? gamma[0] : 1.0f); /* channel c's γ and β */
    __m512 bc = _mm512_set1_ps(beta ? beta[0] : 0.0f);
    i0 = 0;
    do { /* (at least once: lanes 0..15 are written before the wrap reads them) */
        const size_t nv = (inner - i0 + 15) / 16; /* the last tile: the vectors it needs */
        if (nv == 1) ln__512_flat_stats(&L, mean, rstd, x, cols, inner, eps, i0, 1, more);
        else if (nv == 2) ln__512_flat_stats(&L, mean, rstd, x, cols, inner, eps, i0, 2, more);
        else if (nv == 3) ln__512_flat_stats(&L, mean, rstd, x, cols, inner, eps, i0, 3, more);
        else ln__512_flat_stats(&L, mean, rstd, x, cols, inner, eps, i0, 4, more);
    } while ((i0 += LN__FWD_LANES512) < inner);
    for (i = 0; i < 16; i++) /* the lanes' wrap */
        L.mh[inner + i] = L.mh[i], L.ml[inner + i] = L.ml[i], L.rf[inner + i] = L.rf[i];
    (void)stream; /* always (ln__strided_flat) */
    p = i = ln__head(y, S); /* up to y's first whole line (fewer than 16 < inner floats) */
    if (p)
        _mm512_mask_storeu_ps(y, ln__512_mask(p),
                              ln__512_flat_y(_mm512_maskz_loadu_ps(ln__512_mask(p), x), &L, 0,
                                             gc, bc));
    for (;;) { /* channel c from lane i: its whole vectors, then one into channel c + 1 */
        for (; i + 16 <= inner; i += 16, p += 16) {
            __m512 v = ln__512_flat_y(_mm512_loadu_ps(x + p), &L, i, gc, bc);
            if (more) LN__PREFETCH_L2(x + S + p);
            _mm512_stream_ps(y + p, v);
        }
        if (++c == cols) break; /* the last channel's inner − i < 16 lanes remain */
        if (i == inner) {
            i = 0;
            gc = _mm512_set1_ps(gamma ? gamma[c] : 1.0f);
            bc = _mm512_set1_ps(beta ? beta[c] : 0.0f);
        } else { /* lanes inner − i on are channel c's (c < cols: 16 floats remain) */
            const __mmask16 k = (__mmask16)(0xFFFFu << (inner - i));
            const __m512 gn = _mm512_set1_ps(gamma ? gamma[c] : 1.0f);
            const __m512 bn = _mm512_set1_ps(beta ? beta[c] : 0.0f);
            __m512 v = ln__512_flat_y(_mm512_loadu_ps(x + p), &L, i, _mm512_mask_mov_ps(gc, k, gn),
                                      _mm512_mask_mov_ps(bc, k, bn));
            if (more) LN__PREFETCH_L2(x + S + p);
            _mm512_stream_ps(y + p, v);
            gc = gn, bc = bn, i = i + 16 - inner, p += 16;
        }
    }
    if (p < S) { /* p + inner − i = S */
        const __mmask16 k = ln__512_mask(S - p);
        _mm512_mask_storeu_ps(y + p, k,
                              ln__512_flat_y(_mm512_maskz_loadu_ps(k, x + p), &L, i, gc, bc));
    }
}
LN__AVX512 static void ln__strided_bwd_avx512(float *dx, double *pg, double *pb,
                                              const float *dy, const float *x,
                                              const float *gamma, const float *mean,
                                              const float *rstd, size_t cols, size_t inner,
                                              int first, int more, int stream) {
    const int pf = inner >= LN__STRIDED_L2_INNER && ln__l1_set_load(cols, inner) <= 12
                       ? LN__AHEAD_L2 : LN__AHEAD_L1;
    size_t i0 = 0;
    (void)more;
    /* w and ahead constant: no masks, no branches on ahead */
    if (stream && pf == LN__AHEAD_L2) /* whole tiles stream dx out (ln__strided_stream) */
        for (; i0 + (LN__STRIDED_AHEAD + 1) * LN__LANES512 <= inner; i0 += LN__LANES512, first = 0)
            ln__512_strided_bwd_tile(dx + i0, pg, pb, dy + i0, x + i0, gamma, mean + i0,
                                     rstd + i0, cols, inner, LN__LANES512, first,
                                     LN__AHEAD_L2 | LN__AHEAD_NT, x, dy, dx);
    else if (stream)
        for (; i0 + (LN__STRIDED_AHEAD + 1) * LN__LANES512 <= inner; i0 += LN__LANES512, first = 0)
            ln__512_strided_bwd_tile(dx + i0, pg, pb, dy + i0, x + i0, gamma, mean + i0,
                                     rstd + i0, cols, inner, LN__LANES512, first,
                                     LN__AHEAD_L1 | LN__AHEAD_NT, x, dy, dx);
    if (stream)
        for (; i0 + LN__LANES512 <= inner; i0 += LN__LANES512, first = 0)
            ln__512_strided_bwd_tile(dx + i0, pg, pb, dy + i0, x + i0, gamma, mean + i0,
                                     rstd + i0, cols, inner, LN__LANES512, first, LN__AHEAD_NT,
                                     x, dy, dx);
    else if (pf == LN__AHEAD_L2)
        for (; i0 + (LN__STRIDED_AHEAD + 1) * LN__LANES512 <= inner; i0 += LN__LANES512, first = 0)
            ln__512_strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                     mean + i0, rstd + i0, cols, inner, LN__LANES512, first,
                                     LN__AHEAD_L2, x, dy, dx);
    else
        for (; i0 + (LN__STRIDED_AHEAD + 1) * LN__LANES512 <= inner; i0 += LN__LANES512, first = 0)
            ln__512_strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                     mean + i0, rstd + i0, cols, inner, LN__LANES512, first,
                                     LN__AHEAD_L1, x, dy, dx);
    for (; i0 + LN__LANES512 <= inner; i0 += LN__LANES512, first = 0)
        ln__512_strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                 mean + i0, rstd + i0, cols, inner, LN__LANES512, first, 0,
                                 x, dy, dx);
    if (i0 < inner)
        ln__512_strided_bwd_last(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                 mean + i0, rstd + i0, cols, inner, inner - i0, first, 0,
                                 x, dy, dx);
}
/* Short slices (LN__SEQ_BWD_MIN_INNER <= inner <= LN__SEQ_BWD_MAX_INNER, up to
   LN__SEQ_BWD_MAX_SLICE floats), as the forward's (ln__strided_fwd_avx512_short): while a
   slice is worked on, x, dy and dx of the next one, when one follows (more), are asked for
   front to back, tile t asking for floats t·cols·32 .. (t + 1)·cols·32 of each. Zen 4,
   1 thread, time against the tile two on (and, from inner 96 to 255, that running on into
   the next slice, which had measured 0.82-0.94x at 196): 64 channels, inner 40 0.92-0.94x,
   49 0.91x, 64-128 0.84-0.88x, 196 0.64-0.80x, 256 0.70-0.78x, 320 0.96x, 384 0.83x (2
   threads: 49 0.89x, 196 0.76-0.78x, 256 0.74x, 384 0.88-0.93x); 8, 16 and 256 channels
   at 196 0.75-0.82x; 128 channels at 256 0.88-0.92x, 32 at 512 0.86-0.87x. Not elsewhere:
   inner 16 1.05x, 32 1.0x; 64 channels at 448-1024 1.07-1.67x, 128 at 384 (48K floats a
   slice) 1.06-1.18x. The AVX2 path's compiler-vectorized tile does the same (up to
   LN__SEQ_BWD_MAX_SLICE_AVX2 floats), against its tile two on: 64 channels, inner 49
   0.93x, 96 0.85x, 196 0.53x (2 threads too), 256 0.83-0.95x, 384 0.92-0.95x; 256
   channels at 196 0.58x; 128 at 384 1.0x; 64 at 512 1.02x, at 784 1.2x. Not the scalar
   path: 0.79x at 196 but 1.16x at 49.
   Measured and not kept: the slice's sums taken in memory order (four channels a pass
   over per-lane double sums kept on the stack, the same additions in the same order),
   then the tiles' dx from them: 64 channels out of cache, inner 196 0.91-0.94x (2
   threads 0.92x), but 49 1.06-1.08x, 100 0.99-1.02x, 256 1.16-1.20x, 384 1.15-1.16x, and
   196 in L2 1.09-1.14x. Nor dx (with the dγ/dβ terms) in memory order, channel by channel,
   from per-lane coefficients the tiles left in arrays (the same bits): at 196 1.00-1.06x
   out of cache, 1.17-1.19x in L2. In L2 this backward costs 0.56 ns an element at 196,
   0.49 of it without dx: its double-precision sums and dγ/dβ terms, which no sweep order
   changes. */
LN__AVX512 static void ln__strided_bwd_avx512_short(float *dx, double *pg, double *pb,
                                                    const float *dy, const float *x,
                                                    const float *gamma, const float *mean,
                                                    const float *rstd, size_t cols,
                                                    size_t inner, int first, int more,
                                                    int stream) {
    const size_t slice = cols * inner;
    size_t i0, t;
    for (i0 = 0, t = 0; i0 < inner; i0 += LN__LANES512, t++, first = 0) {
        size_t w = inner - i0, o = slice + t * cols * LN__LANES512; /* this tile's runs */
        if (w >= LN__LANES512 && stream && more) /* (stream: ln__strided_stream) */
            ln__512_strided_bwd_tile(dx + i0, pg, pb, dy + i0, x + i0, gamma, mean + i0,
                                     rstd + i0, cols, inner, LN__LANES512, first,
                                     LN__AHEAD_SEQ | LN__AHEAD_NT, x + o, dy + o, dx + o);
        else if (w >= LN__LANES512 && stream)
            ln__512_strided_bwd_tile(dx + i0, pg, pb, dy + i0, x + i0, gamma, mean + i0,
                                     rstd + i0, cols, inner, LN__LANES512, first, LN__AHEAD_NT,
                                     x, dy, dx);
        else if (w >= LN__LANES512 && more) /* (w and ahead constant in each call) */
            ln__512_strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                     mean + i0, rstd + i0, cols, inner, LN__LANES512, first,
                                     LN__AHEAD_SEQ, x + o, dy + o, dx ? dx + o : NULL);
        else if (w >= LN__LANES512)
            ln__512_strided_bwd_tile(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                     mean + i0, rstd + i0, cols, inner, LN__LANES512, first, 0,
                                     x, dy, dx);
        else if (more > 1) /* its runs can reach past the next slice, into the one after */
            ln__512_strided_bwd_last(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                     mean + i0, rstd + i0, cols, inner, w, first, LN__AHEAD_SEQ,
                                     x + o, dy + o, dx ? dx + o : NULL);
        else
            ln__512_strided_bwd_last(dx ? dx + i0 : NULL, pg, pb, dy + i0, x + i0, gamma,
                                     mean + i0, rstd + i0, cols, inner, w, first, 0, x, dy, dx);
    }
}
#endif
#ifdef LN__HAVE_AVX2
LN__STRIDED_FWD_SLICE(avx2, LN__AVX2 LN__VECTORIZE, 1, 1)
LN__STRIDED_BWD_SLICE(avx2, LN__AVX2 LN__VECTORIZE, 1)
#endif

/* (..., more: ln__more, stream: ln__strided_stream) */
typedef void (*ln__strided_fwd_fn)(float *, float *, float *, const float *, const float *,
                                   const float *, size_t, size_t, float, int, int);
typedef void (*ln__strided_bwd_fn)(float *, double *, double *, const float *, const float *,
                                   const float *, const float *, const float *, size_t, size_t,
                                   int, int, int);

static void ln__strided_fns(int path, size_t cols, size_t inner, ln__strided_fwd_fn *f,
                            ln__strided_bwd_fn *b) {
    *f = ln__strided_fwd_scalar;
    *b = ln__strided_bwd_scalar;
    if (!ln_path_supported(path)) return;
#ifdef LN__HAVE_AVX512
    if (path == LN_PATH_AVX512) {
        *f = cols <= LN__BLOCK && ln__short_slice(cols, inner, LN__SEQ_FWD_MIN_INNER,
                                                  LN__SEQ_FWD_MAX_INNER, LN__SEQ_FWD_MAX_SLICE)
                 ? ln__strided_fwd_avx512_short
                 : ln__strided_fwd_avx512;
        *b = ln__short_slice(cols, inner, LN__SEQ_BWD_MIN_INNER, LN__SEQ_BWD_MAX_INNER,
                             LN__SEQ_BWD_MAX_SLICE)
                 ? ln__strided_bwd_avx512_short
                 : ln__strided_bwd_avx512;
    }
#else
    (void)cols, (void)inner;
#endif
#ifdef LN__HAVE_AVX2
    if (path == LN_PATH_AVX2) {
        *f = ln__strided_fwd_avx2;
        *b = ln__strided_bwd_avx2;
    }
#endif
}

/* The AVX-512 channels-first tiles store y / dx non-temporally (LN__AHEAD_NT) where
   ln__stream_for says so for rows (by default AMD Zen 4 calls of 16 MiB or more), the
   path is AVX-512, inner is a multiple of 16 and at least min_inner, and out is 64-byte
   aligned: every channel's run of a whole tile then covers whole lines, which streamed
   stores need. Only whole tiles stream; the last partial one, of whole vectors, does
   not. Zen 4, out of cache (6.4M elements), 64 channels, 64-byte aligned buffers,
   in-process, both link orders, time against plain stores, 1 thread (2 threads):
     forward   inner 3136 0.54x (0.67-0.70x), 784 0.53x (0.66-0.69x), 256 0.54-0.58x
               (0.65x), 192 0.52-0.53x (0.65x), 144 0.65-0.67x (0.68x), 128 0.60-0.61x
               (0.65x), 112 0.88-0.94x, 80 0.78-0.80x, 64 0.69-0.70x (0.81x); but 48
               1.01x, 32 1.00x
     backward  inner 3136 0.74-0.75x (0.72-0.76x), 784 0.81-0.82x (0.76-0.78x), 256 0.82x
               (0.84x), 192 0.81-0.83x, 176 0.93x, 160 0.85x, 144 0.96-0.98x (0.96x), 128
               0.84-0.86x; but 112 1.00x, 80 1.03-1.06x, 48 1.07-1.08x (1.14x)
   A first try, streaming every aligned vector: forward at 1024 0.68-0.69x, 12544
   0.62-0.63x, 512 0.87-0.91x; but where runs start off line boundaries, so that only
   some vectors could stream, inner 196 1.02-1.04x (backward 1.2-1.4x) and 100 1.2x. Nor
   did writing a short slice's y run by run, front to back, so that only the first and
   last line of each run went through the cache: inner 196 1.00x, 300 0.95-0.96x, and
   with a plain malloc's y (16 bytes past a line) 144 1.16x, 256 0.95x. What did pay
   there: the whole slice's y in memory order (ln__strided_fwd_avx512_flat). */
#define LN__STRIDED_STREAM_MIN_INNER_FWD 64
#define LN__STRIDED_STREAM_MIN_INNER_BWD 128
static int ln__strided_stream(int path, const float *out, size_t bytes, size_t inner,
                              size_t min_inner) {
#ifdef LN__HAVE_AVX512
    return path == LN_PATH_AVX512 && out && !((uintptr_t)out & 63) && inner % 16 == 0 &&
           inner >= min_inner && ln__stream_for(bytes, inner, LN__OUT_STRIDED, out);
#else
    (void)path, (void)out, (void)bytes, (void)inner, (void)min_inner;
    return 0;
#endif
}

/* Whether the channels-first forward takes ln__strided_fwd_avx512_flat, y streamed: where
   y streams (ln__stream_for) and the tiles would not stream it (tiles: ln__strided_stream)
   or do worse than the flat sweep even so (at inner 64, 192 and 256 in short slices, and
   from 320 on, they did better). */
#ifdef LN__HAVE_AVX512
static int ln__strided_flat(int path, size_t cols, size_t inner, size_t bytes, int tiles) {
    const size_t slice = cols * inner;
    tiles = tiles && (inner == 64 || inner >= 320 ||
                      ((inner == 192 || inner == 256) && slice <= LN__SEQ_FWD_MAX_SLICE));
    return path == LN_PATH_AVX512 && !tiles && cols <= LN__BLOCK && inner >= 16 &&
           inner <= LN__FLAT_MAX_INNER && slice <= LN__FLAT_MAX_SLICE &&
           ln__stream_for(bytes, inner, LN__OUT_STRIDED, NULL);
}
#endif

LN__PRIV int ln__forward_strided_on(int path, float *y, float *mean, float *rstd, const float *x,
                                    const float *gamma, const float *beta, size_t outer,
                                    size_t cols, size_t inner, float eps) {
    ln__strided_fwd_fn f;
    ln__strided_bwd_fn b;
    size_t slice = cols * inner;
    int st, nt, stream;
    if (!y || !x) return LN_ERR_NULL;
    if ((st = ln__check(outer, cols, inner, eps, 1)) != LN_OK) return st > 0 ? LN_OK : st;
    if (inner == 1) return ln__forward_on(path, y, mean, rstd, x, gamma, beta, outer, cols, eps);
    ln__strided_fns(path, cols, inner, &f, &b);
    stream = ln__strided_stream(path, y, outer * slice * sizeof(float), inner,
                                LN__STRIDED_STREAM_MIN_INNER_FWD);
#ifdef LN__HAVE_AVX512
    if (ln__strided_flat(path, cols, inner, outer * slice * sizeof(float), stream))
        f = ln__strided_fwd_avx512_flat, stream = 1;
#endif
    nt = ln__threads(outer, outer * slice);
    /* each thread a run of slices; more: the next slice is this thread's too */
    LN__PRAGMA(omp parallel for schedule(static) num_threads(nt) if (nt > 1))
    for (int t = 0; t < nt; t++) {
        size_t o, o1 = outer * (size_t)(t + 1) / (size_t)nt;
        for (o = outer * (size_t)t / (size_t)nt; o < o1; o++)
            f(y + o * slice, mean ? mean + o * inner : NULL, rstd ? rstd + o * inner : NULL,
              x + o * slice, gamma, beta, cols, inner, eps, ln__more(o, o1, outer), stream);
        ln__stream_fence(stream);
    }
    return LN_OK;
}

/* Outer slices o0..o1 into the chunk partial P = [dγ | dβ], one sum per channel: the
   slices add into LN__SLOTS sums per channel (the first one stores), folded at the end. */
static void ln__strided_chunk(ln__strided_bwd_fn b, double *P, float *dx, const float *dy,
                              const float *x, const float *gamma, const float *mean,
                              const float *rstd, size_t cols, size_t inner, size_t o0,
                              size_t o1, size_t outer, int stream) {
    double *Pb = P + LN__SLOTS * cols;
    size_t o, c, k, slice = cols * inner;
    for (o = o0; o < o1; o++)
        b(dx ? dx + o * slice : NULL, P, Pb, dy + o * slice, x + o * slice, gamma,
          mean + o * inner, rstd + o * inner, cols, inner, o == o0, ln__more(o, o1, outer),
          stream);
    ln__stream_fence(stream);
    for (c = 0; c < cols; c++) { /* dγ slots -> P[c], in place (c <= 8c) */
        double sg = 0;
        for (k = 0; k < LN__SLOTS; k++) sg += P[c * LN__SLOTS + k];
        P[c] = sg;
    }
    for (c = 0; c < cols; c++) { /* dβ slots -> P[cols + c] (behind every unread slot) */
        double sb = 0;
        for (k = 0; k < LN__SLOTS; k++) sb += Pb[c * LN__SLOTS + k];
        P[cols + c] = sb;
    }
}

LN__PRIV int ln__backward_strided_on(int path, float *dx, float *dgamma, float *dbeta,
                                     const float *dy, const float *x, const float *gamma,
                                     const float *mean, const float *rstd, size_t outer,
                                     size_t cols, size_t inner) {
    ln__strided_fwd_fn f;
    ln__strided_bwd_fn b;
    size_t chunk, nch, psz = (size_t)2 * LN__SLOTS * cols;
    int st, nt, stream;
    double *scratch, *G;
    if (!dy || !x || !mean || !rstd) return LN_ERR_NULL;
    if ((st = ln__check(outer, cols, inner, 0.0f, 0)) != LN_OK) return st > 0 ? LN_OK : st;
    if (inner == 1)
        return ln__backward_on(path, dx, dgamma, dbeta, dy, x, gamma, mean, rstd, outer, cols);
    ln__strided_fns(path, cols, inner, &f, &b);
    stream = ln__strided_stream(path, dx, outer * cols * inner * sizeof(float), inner,
                                LN__STRIDED_STREAM_MIN_INNER_BWD);
    /* dγ/dβ as for rows: fixed chunks of outer slices (at most ln__max_chunks), each into
       its own partial, the partials added in chunk order. */
    chunk = (outer + ln__max_chunks(psz) - 1) / ln__max_chunks(psz);
    nch = (outer + chunk - 1) / chunk;
    if (nch == 0) return LN_OK; /* cannot happen (outer > 0); tells static analyzers so */
    nt = ln__threads(nch, outer * cols * inner);
    scratch = ln__alloc_doubles((nt == 1 ? (nch > 1 ? 2 : 1) : nch) * psz);
    if (!scratch) return LN_ERR_NOMEM;
    G = scratch;
    if (nt == 1) {
        for (size_t k = 0; k < nch; k++) {
            size_t o0 = k * chunk, o1 = o0 + chunk < outer ? o0 + chunk : outer;
            double *P = k == 0 ? G : scratch + psz;
            ln__strided_chunk(b, P, dx, dy, x, gamma, mean, rstd, cols, inner, o0, o1, outer,
                              stream);
            if (k > 0) ln__combine(G, P, 2 * cols, 0);
        }
    } else {
        LN__PRAGMA(omp parallel num_threads(nt))
        {
            size_t t = (size_t)ln__thread_id(), T = (size_t)ln__team_size(), k;
            size_t j0 = 2 * cols * t / T, j1 = 2 * cols * (t + 1) / T;
            for (k = nch * t / T; k < nch * (t + 1) / T; k++) {
                size_t o0 = k * chunk, o1 = o0 + chunk < outer ? o0 + chunk : outer;
                ln__strided_chunk(b, scratch + k * psz, dx, dy, x, gamma, mean, rstd, cols,
                                  inner, o0, o1, outer, stream);
            }
            LN__PRAGMA(omp barrier)
            for (k = 1; k < nch; k++) ln__combine(G + j0, scratch + k * psz + j0, j1 - j0, 0);
        }
    }
    if (dgamma) ln__kernels_for(path)->add_rounded(dgamma, G, cols);
    if (dbeta) ln__kernels_for(path)->add_rounded(dbeta, G + cols, cols);
    LN_FREE(scratch);
    return LN_OK;
}

LNDEF int ln_forward_strided(float *y, float *mean, float *rstd, const float *x,
                             const float *gamma, const float *beta, size_t outer, size_t cols,
                             size_t inner, float eps) {
    return ln__forward_strided_on(ln_path_active(), y, mean, rstd, x, gamma, beta, outer, cols,
                                  inner, eps);
}
LNDEF int ln_backward_strided(float *dx, float *dgamma, float *dbeta, const float *dy,
                              const float *x, const float *gamma, const float *mean,
                              const float *rstd, size_t outer, size_t cols, size_t inner) {
    return ln__backward_strided_on(ln_path_active(), dx, dgamma, dbeta, dy, x, gamma, mean,
                                   rstd, outer, cols, inner);
}

#if defined(LN__CLANG_FP_GUARD)
#pragma float_control(pop)
#elif defined(LN__GCC_FP_GUARD)
#pragma GCC pop_options
#if defined(LN__HAD_FAST_MATH) && !defined(__FAST_MATH__)
#define __FAST_MATH__ 1
#endif
#if defined(LN__HAD_ASSOCIATIVE_MATH) && !defined(__ASSOCIATIVE_MATH__)
#define __ASSOCIATIVE_MATH__ 1
#endif
#if defined(LN__HAD_RECIPROCAL_MATH) && !defined(__RECIPROCAL_MATH__)
#define __RECIPROCAL_MATH__ 1
#endif
#if defined(LN__HAD_NO_SIGNED_ZEROS) && !defined(__NO_SIGNED_ZEROS__)
#define __NO_SIGNED_ZEROS__ 1
#endif
#if defined(LN__HAD_NO_TRAPPING_MATH) && !defined(__NO_TRAPPING_MATH__)
#define __NO_TRAPPING_MATH__ 1
#endif
#if defined(LN__HAD_NO_MATH_ERRNO) && !defined(__NO_MATH_ERRNO__)
#define __NO_MATH_ERRNO__ 1
#endif
#if defined(LN__HAD_FINITE_MATH_ONLY)
#undef __FINITE_MATH_ONLY__
#define __FINITE_MATH_ONLY__ 1
#endif
#endif
#endif /* LAYERNORM_IMPLEMENTATION_INCLUDED */
#endif /* LAYERNORM_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the layernorm.h authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication in the spirit of increasing access to all
present and future generations. We do not claim any copyright interest in the
software and to the detriment of the copyright laws. Without limiting the
generality of the foregoing, the authors dedicate them to the public domain.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
