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
                            (default 131072)
     LAYERNORM_STREAM_MIN   output bytes from which stores bypass the cache (default 32 MiB)

   SIMD AND THREADS
     On x86-64 with GCC or Clang the AVX-512 and AVX2+FMA kernels are compiled with
     per-function target attributes, so a plain `cc -O2` build gets them; the CPU is
     checked once, at the first call. On AArch64 NEON is always used. Compile with
     -fopenmp to split large calls over omp_get_max_threads() threads; without it the
     header is single-threaded and needs nothing else.

   DETERMINISM
     For a given code path (scalar, AVX2, AVX-512, NEON) every output is bitwise
     identical on every run and for every thread count: rows are independent, and the
     dγ/dβ sums over rows use fixed row chunks added in a fixed order, in double.
     Different paths may differ in the last bits (FMA versus separate rounding, the
     order of a sum); all of them stay within a few float ulps of a float64 reference.
     The scalar path may also change in the last bit with the compiler's
     floating-point contraction setting (-ffp-contract).

   MEMORY
     ln_forward allocates nothing. ln_backward with dgamma or dbeta and rows > 1 makes
     one allocation of 16·cols·(threads+1) bytes per call, for the double-precision
     dγ/dβ accumulators, and returns LN_ERR_NOMEM (writing nothing) if it fails.

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
#define LNDEF static
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
