/* tests/test_core.c - functional and accuracy tests of ln_forward / ln_backward (issues 2, 3).

   Every expected value comes from (a) arithmetic done by hand in the comments, (b) the
   float64 reference below, written independently of the library, or (c) central finite
   differences of a float64 forward. Nothing is compared with the library's own output
   except where the rule itself is about equality between two calls (determinism,
   NaN isolation, SIMD path vs scalar path).

   Accuracy bounds (issue 3), against the float64 reference:
     y        |err| <= 4·FLT_EPSILON · max(1, |y_ref|)
     dx       |err| <= 4·FLT_EPSILON · rstd_ref(row) · max_j |γ_j·dy_j|  (over that row)
     dγ, dβ   |err| <= 4·FLT_EPSILON · max_j |ref_j|
   and two bounds of our own for the saved statistics, which are floats by contract, so
   rounding alone costs 0.5 ulp:
     mean     |err| <= 4·FLT_EPSILON · max(|mean_ref|, std_ref)
     rstd     |err| <= 4·FLT_EPSILON · rstd_ref

   Build: cc -std=c99 -O2 -I. tests/test_core.c -lm [-fopenmp]
   Run:   ./a.out          (LN_TEST_QUICK=1: smaller big cases, for sanitizer builds)
   Last line of output: "N passed, M failed"; exit status nonzero on any failure. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "test.h"

/* The header lets the user choose the allocator of ln_backward's scratch (LN_MALLOC /
   LN_FREE). We route it through counters so that we can check that ln_forward allocates
   nothing, that every allocation is freed, and that a failing allocation gives
   LN_ERR_NOMEM with nothing written. */
static long t_nmalloc = 0, t_nfree = 0;
static int t_malloc_fail = 0;
static T_UNUSED void *t_malloc(size_t n)
{
    if (t_malloc_fail) return NULL;
#ifdef _OPENMP
#pragma omp atomic
#endif
    t_nmalloc++;
    return malloc(n);
}
static T_UNUSED void t_free(void *p)
{
    if (p != NULL) {
#ifdef _OPENMP
#pragma omp atomic
#endif
        t_nfree++;
    }
    free(p);
}
#define LN_MALLOC(n) t_malloc(n)
#define LN_FREE(p) t_free(p)

#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"
#include "fp_checks.h"

#define EPSF ((double)FLT_EPSILON)
#define EPS_DEFAULT 1e-5f

/* ------------------------------------------------------------------------------------ */
/* Seeded PRNG: splitmix64, uniforms from its top 53 bits, normals by Box-Muller.        */

typedef struct {
    uint64_t s;
    int have_spare;
    double spare;
} Rng;

static Rng rng_make(uint64_t seed)
{
    Rng r;
    r.s = seed;
    r.have_spare = 0;
    r.spare = 0.0;
    return r;
}

static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_unif(Rng *r) /* [0, 1) */
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_normal(Rng *r) /* Marsaglia's polar form of Box-Muller: no sin/cos */
{
    double u, v, q, f;
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    do {
        u = 2.0 * rng_unif(r) - 1.0;
        v = 2.0 * rng_unif(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    f = sqrt(-2.0 * log(q) / q);
    r->spare = v * f;
    r->have_spare = 1;
    return u * f;
}

/* ------------------------------------------------------------------------------------ */
/* Buffers with guard zones: every output buffer sits between `GUARD` floats of a NaN   */
/* pattern on each side (and starts `off` floats past a 64-byte boundary, to make the   */
/* pointer unaligned on purpose), so a write before or after the array is detected even */
/* without AddressSanitizer.                                                            */

#define GUARD 16
static const uint32_t GUARD_BITS = 0x7FC0DEADu; /* a quiet NaN with a payload */

typedef struct {
    void *raw;
    float *p; /* the array the test uses */
    size_t n, off;
} Buf;

static float bits_to_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static Buf buf_new(size_t n, size_t off)
{
    Buf b;
    size_t total = GUARD + off + n + GUARD, i;
    float *base, g = bits_to_float(GUARD_BITS);
    /* over-allocate so that base + GUARD is 64-byte aligned, then add `off` floats */
    b.raw = malloc(total * sizeof(float) + 64);
    if (b.raw == NULL) {
        printf("out of memory allocating %zu floats\n", n);
        exit(2);
    }
    base = (float *)((((uintptr_t)b.raw + 63u) & ~(uintptr_t)63u));
    /* base + GUARD floats (64 bytes) is 64-byte aligned too */
    for (i = 0; i < total; i++) base[i] = g;
    b.p = base + GUARD + off;
    b.n = n;
    b.off = off;
    return b;
}

static void buf_free(Buf *b)
{
    free(b->raw);
    b->raw = NULL;
    b->p = NULL;
}

static int buf_guards_ok(const Buf *b)
{
    size_t i;
    const float *lo = b->p - GUARD - b->off, *hi = b->p + b->n;
    for (i = 0; i < GUARD + b->off; i++)
        if (float_bits(lo[i]) != GUARD_BITS) return 0;
    for (i = 0; i < GUARD; i++)
        if (float_bits(hi[i]) != GUARD_BITS) return 0;
    return 1;
}

static void fill_nan(float *p, size_t n) /* outputs start as NaN: an unwritten one fails */
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = NAN;
}

static void fill_const(float *p, size_t n, float v)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = v;
}

static float *falloc(size_t n)
{
    float *p = (float *)malloc((n ? n : 1) * sizeof(float));
    if (p == NULL) {
        printf("out of memory allocating %zu floats\n", n);
        exit(2);
    }
    return p;
}

static double *dalloc(size_t n)
{
    double *p = (double *)calloc(n ? n : 1, sizeof(double));
    if (p == NULL) {
        printf("out of memory allocating %zu doubles\n", n);
        exit(2);
    }
    return p;
}

/* ------------------------------------------------------------------------------------ */
/* Input families (issue 3).                                                            */

enum {
    FAM_N01,       /* N(0,1)                                                  */
    FAM_MEAN1E4,   /* 10000 + N(0,1): large mean, float mean rounds to 2^-10  */
    FAM_MEAN300,   /* 300 + 0.01·N(0,1)                                       */
    FAM_MEAN1,     /* 1 + 0.001·N(0,1)                                        */
    FAM_STD1E3,    /* 1e3·N(0,1)                                              */
    FAM_HUGE,      /* 1e30·N(0,1): x² overflows float                         */
    FAM_HUGE_MEAN, /* 1e30·(2 + N(0,1))                                       */
    FAM_VAREPS,    /* 0.5 + sqrt(1e-5)·N(0,1): variance near eps = 1e-5       */
    FAM_CONST,     /* every row constant (a different value per row)         */
    FAM_COUNT
};
static const char *const fam_name[FAM_COUNT] = {
    "N(0,1)", "1e4+N(0,1)", "300+0.01N", "1+0.001N", "1e3*N", "1e30*N", "1e30*(2+N)",
    "var~eps", "constant"};

static void fill_family(float *x, size_t rows, size_t cols, int fam, Rng *r)
{
    size_t i, j;
    for (i = 0; i < rows; i++) {
        float c = (float)(10.0 * rng_normal(r));
        for (j = 0; j < cols; j++) {
            double v;
            switch (fam) {
            case FAM_N01: v = rng_normal(r); break;
            case FAM_MEAN1E4: v = 10000.0 + rng_normal(r); break;
            case FAM_MEAN300: v = 300.0 + 0.01 * rng_normal(r); break;
            case FAM_MEAN1: v = 1.0 + 0.001 * rng_normal(r); break;
            case FAM_STD1E3: v = 1e3 * rng_normal(r); break;
            case FAM_HUGE: v = 1e30 * rng_normal(r); break;
            case FAM_HUGE_MEAN: v = 1e30 * (2.0 + rng_normal(r)); break;
            case FAM_VAREPS: v = 0.5 + 0.0031622776601683794 * rng_normal(r); break;
            default: v = c; break;
            }
            x[i * cols + j] = (float)v;
        }
    }
}

static void fill_normal(float *p, size_t n, double mu, double sigma, Rng *r)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = (float)(mu + sigma * rng_normal(r));
}

/* ------------------------------------------------------------------------------------ */
/* The float64 reference. Written from the formulas in the issue, not from the library: */
/*   mean = Σx/n (then corrected by Σ(x−mean)/n, which removes the rounding of the     */
/*   first sum), var = Σ(x−mean)²/n, rstd = 1/sqrt(var+eps), y = (x−mean)·rstd·γ + β;  */
/*   x̂ = (x−mean)·rstd, g = γ·dy, dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),              */
/*   dγ = Σ_rows dy·x̂, dβ = Σ_rows dy.                                                 */
/* All sums are in double; for the sizes used here (<= 2^21 terms of floats) their      */
/* relative error is below 1e-9, far under the float bounds being tested.              */

typedef struct {
    size_t rows, cols;
    double *y, *mean, *var, *rstd, *dx, *dg, *db;
    /* scales of the bounds: dx per row, dγ/dβ one each, mean/rstd per row (the scale of y
       is max(1, |y|), computed from y itself: see check_arr) */
    double *sdx, sdg, sdb, *smean, *srstd;
} Ref;

static void ref_compute(Ref *R, const float *x, const float *gamma, const float *beta,
                        const float *dy, size_t rows, size_t cols, float eps)
{
    size_t i, j, n = rows * cols;
    R->rows = rows;
    R->cols = cols;
    R->y = dalloc(n);
    R->dx = dalloc(n);
    R->mean = dalloc(rows);
    R->var = dalloc(rows);
    R->rstd = dalloc(rows);
    R->sdx = dalloc(rows);
    R->smean = dalloc(rows);
    R->srstd = dalloc(rows);
    R->dg = dalloc(cols);
    R->db = dalloc(cols);
    for (i = 0; i < rows; i++) {
        const float *xr = x + i * cols, *dyr = dy ? dy + i * cols : NULL;
        double s = 0.0, c = 0.0, v = 0.0, m, rs, a = 0.0, b = 0.0, gmax = 0.0;
        for (j = 0; j < cols; j++) s += xr[j];
        m = s / (double)cols;
        for (j = 0; j < cols; j++) c += (double)xr[j] - m;
        m += c / (double)cols;
        for (j = 0; j < cols; j++) {
            double d = (double)xr[j] - m;
            v += d * d;
        }
        v /= (double)cols;
        rs = 1.0 / sqrt(v + (double)eps);
        R->mean[i] = m;
        R->var[i] = v;
        R->rstd[i] = rs;
        R->smean[i] = fabs(m) > sqrt(v) ? fabs(m) : sqrt(v);
        R->srstd[i] = rs;
        for (j = 0; j < cols; j++) {
            double g = gamma ? gamma[j] : 1.0, bb = beta ? beta[j] : 0.0;
            R->y[i * cols + j] = ((double)xr[j] - m) * rs * g + bb;
        }
        if (dyr == NULL) continue;
        for (j = 0; j < cols; j++) {
            double xh = ((double)xr[j] - m) * rs, g = (gamma ? gamma[j] : 1.0) * dyr[j];
            a += g;
            b += g * xh;
            if (fabs(g) > gmax) gmax = fabs(g);
        }
        a /= (double)cols;
        b /= (double)cols;
        R->sdx[i] = rs * gmax;
        for (j = 0; j < cols; j++) {
            double xh = ((double)xr[j] - m) * rs, g = (gamma ? gamma[j] : 1.0) * dyr[j];
            R->dx[i * cols + j] = rs * (g - a - xh * b);
            R->dg[j] += (double)dyr[j] * xh;
            R->db[j] += (double)dyr[j];
        }
    }
    R->sdg = 0.0;
    R->sdb = 0.0;
    for (j = 0; j < cols; j++) {
        if (fabs(R->dg[j]) > R->sdg) R->sdg = fabs(R->dg[j]);
        if (fabs(R->db[j]) > R->sdb) R->sdb = fabs(R->db[j]);
    }
}

static void ref_free(Ref *R)
{
    free(R->y);
    free(R->dx);
    free(R->mean);
    free(R->var);
    free(R->rstd);
    free(R->sdx);
    free(R->smean);
    free(R->srstd);
    free(R->dg);
    free(R->db);
}

/* ------------------------------------------------------------------------------------ */
/* Comparison: got[i] against want (double or float array) with                         */
/*   |got − want| <= k · 4·FLT_EPSILON · scale[i / stride]                                */
/* or, with stride == 0 (the y bound), scale_i = max(1, |scale[i]|) (scale = the ref y).  */
/* NaN anywhere fails. One CHECK per array; the message names the worst element.       */

static int check_arr(const char *label, const char *what, const float *got,
                     const double *wantd, const float *wantf, const double *scale,
                     size_t stride, size_t n, size_t cols, double k)
{
    size_t i, worst_i = 0;
    double worst = 0.0, wb = 0.0, unit = k * 4.0 * EPSF;
    int bad = 0;
    for (i = 0; i < n; i++) {
        double want = wantd ? wantd[i] : (double)wantf[i];
        double sc = stride ? scale[i / stride] : fabs(scale[i]) > 1.0 ? fabs(scale[i]) : 1.0;
        double bound = unit * sc;
        double err = fabs((double)got[i] - want);
        /* err > worst·bound, written so that NaN (err != err) always counts as worse */
        if (!(err <= bound) && (!bad || !(err <= worst * bound))) {
            bad = 1;
            worst = bound > 0.0 && err == err ? err / bound : INFINITY;
            worst_i = i;
            wb = bound;
        }
    }
    if (!bad) return CHECK(1, "%s", label);
    return CHECK(0, "%s: %s error/bound = %.3g at [%zu,%zu]: got %.9g, want %.17g, bound %.3g",
                 label, what, worst, worst_i / cols, worst_i % cols, (double)got[worst_i],
                 wantd ? wantd[worst_i] : (double)wantf[worst_i], wb);
}

/* Bitwise equality of two float arrays (determinism, NaN isolation). */
static int same_bits(const float *a, const float *b, size_t n, size_t *at)
{
    size_t i;
    /* (the whole arrays first: a call per element took a tenth of the sanitizer build) */
    if (memcmp(a, b, n * sizeof *a) == 0) return 1;
    for (i = 0; i < n; i++)
        if (float_bits(a[i]) != float_bits(b[i])) {
            if (at) *at = i;
            return 0;
        }
    return 1;
}

/* ------------------------------------------------------------------------------------ */
/* Paths. path 0 = the public functions; otherwise the private twin for that path.      */

static const int ALL_PATHS[] = {0, LN_PATH_SCALAR, LN_PATH_AVX2, LN_PATH_AVX512,
                                LN_PATH_NEON};
#define N_ALL_PATHS ((int)(sizeof ALL_PATHS / sizeof ALL_PATHS[0]))

static int path_usable(int p) { return p == 0 || ln_path_supported(p); }
static const char *path_label(int p) { return p == 0 ? "public" : ln_path_name(p); }

static int run_fwd(int p, float *y, float *mean, float *rstd, const float *x,
                   const float *g, const float *b, size_t rows, size_t cols, float eps)
{
    if (p == 0) return ln_forward(y, mean, rstd, x, g, b, rows, cols, eps);
    return ln__forward_on(p, y, mean, rstd, x, g, b, rows, cols, eps);
}

static int run_bwd(int p, float *dx, float *dg, float *db, const float *dy, const float *x,
                   const float *g, const float *mean, const float *rstd, size_t rows,
                   size_t cols)
{
    if (p == 0) return ln_backward(dx, dg, db, dy, x, g, mean, rstd, rows, cols);
    return ln__backward_on(p, dx, dg, db, dy, x, g, mean, rstd, rows, cols);
}

/* ------------------------------------------------------------------------------------ */
/* One case: inputs of a family, float64 reference, then for every usable path: forward */
/* and backward within the bounds, guard zones intact, inputs unmodified, and every     */
/* SIMD path within twice the bound of the scalar path (each is within one bound of the  */
/* reference, so two bounds is what the contract allows between them).                  */

typedef struct {
    size_t rows, cols, off;
    int fam, affine; /* affine: random γ, β; else NULL (γ = 1, β = 0) */
    float eps;
    const char *tag;
    int no_public; /* big cases: skip the public entry point, which runs the same kernel as
                      the active path (tested through its twin) */
} Case;

static void run_case(const Case *C, Rng *rng)
{
    size_t rows = C->rows, cols = C->cols, n = rows * cols, off = C->off;
    Buf x = buf_new(n, off), dy = buf_new(n, off), g = buf_new(cols, off),
        b = buf_new(cols, off);
    Buf y = buf_new(n, off), dx = buf_new(n, off), mean = buf_new(rows, off),
        rstd = buf_new(rows, off), dg = buf_new(cols, off), db = buf_new(cols, off);
    float *sy = falloc(n), *sdx = falloc(n), *smean = falloc(rows), *srstd = falloc(rows),
          *sdg = falloc(cols), *sdb = falloc(cols);
    float *xcopy = falloc(n), *dycopy = falloc(n);
    const float *gp = C->affine ? g.p : NULL, *bp = C->affine ? b.p : NULL;
    int have_scalar = 0, pi;
    Ref R;
    char label[200];

    fill_family(x.p, rows, cols, C->fam, rng);
    fill_normal(dy.p, n, 0.0, 1.0, rng);
    fill_normal(g.p, cols, 1.0, 0.1, rng);
    fill_normal(b.p, cols, 0.0, 0.1, rng);
    memcpy(xcopy, x.p, n * sizeof(float));
    memcpy(dycopy, dy.p, n * sizeof(float));
    ref_compute(&R, x.p, gp, bp, dy.p, rows, cols, C->eps);

    /* the scalar path first, so that the SIMD paths can be compared with it */
    for (pi = 1; pi >= 0; pi--) {
        int k;
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc;
            if (!path_usable(p) || (pi == 1) != (p == LN_PATH_SCALAR)) continue;
            if (p == 0 && C->no_public) continue;
            snprintf(label, sizeof label, "%s %zux%zu %s%s off=%zu eps=%g [%s]", C->tag,
                     rows, cols, fam_name[C->fam], C->affine ? "" : " noaffine", off,
                     (double)C->eps, path_label(p));
            fill_nan(y.p, n);
            fill_nan(dx.p, n);
            fill_nan(mean.p, rows);
            fill_nan(rstd.p, rows);
            fill_const(dg.p, cols, 0.0f);
            fill_const(db.p, cols, 0.0f);
            rc = run_fwd(p, y.p, mean.p, rstd.p, x.p, gp, bp, rows, cols, C->eps);
            CHECK(rc == LN_OK, "%s: forward returned %d", label, rc);
            rc = run_bwd(p, dx.p, dg.p, db.p, dy.p, x.p, gp, mean.p, rstd.p, rows, cols);
            CHECK(rc == LN_OK, "%s: backward returned %d", label, rc);
            check_arr(label, "y", y.p, R.y, NULL, R.y, 0, n, cols, 1.0);
            check_arr(label, "mean", mean.p, R.mean, NULL, R.smean, 1, rows, 1, 1.0);
            check_arr(label, "rstd", rstd.p, R.rstd, NULL, R.srstd, 1, rows, 1, 1.0);
            check_arr(label, "dx", dx.p, R.dx, NULL, R.sdx, cols, n, cols, 1.0);
            check_arr(label, "dgamma", dg.p, R.dg, NULL, &R.sdg, cols, cols, cols, 1.0);
            check_arr(label, "dbeta", db.p, R.db, NULL, &R.sdb, cols, cols, cols, 1.0);
            CHECK(buf_guards_ok(&y) && buf_guards_ok(&dx) && buf_guards_ok(&mean) &&
                      buf_guards_ok(&rstd) && buf_guards_ok(&dg) && buf_guards_ok(&db),
                  "%s: a write outside an output array (guard zone changed)", label);
            CHECK(same_bits(x.p, xcopy, n, NULL) && same_bits(dy.p, dycopy, n, NULL),
                  "%s: an input array was modified", label);
            if (p == LN_PATH_SCALAR) {
                memcpy(sy, y.p, n * sizeof(float));
                memcpy(sdx, dx.p, n * sizeof(float));
                memcpy(smean, mean.p, rows * sizeof(float));
                memcpy(srstd, rstd.p, rows * sizeof(float));
                memcpy(sdg, dg.p, cols * sizeof(float));
                memcpy(sdb, db.p, cols * sizeof(float));
                have_scalar = 1;
            } else if (p != 0 && have_scalar) {
                char l2[240];
                snprintf(l2, sizeof l2, "%s vs scalar", label);
                check_arr(l2, "y", y.p, NULL, sy, R.y, 0, n, cols, 2.0);
                check_arr(l2, "mean", mean.p, NULL, smean, R.smean, 1, rows, 1, 2.0);
                check_arr(l2, "rstd", rstd.p, NULL, srstd, R.srstd, 1, rows, 1, 2.0);
                check_arr(l2, "dx", dx.p, NULL, sdx, R.sdx, cols, n, cols, 2.0);
                check_arr(l2, "dgamma", dg.p, NULL, sdg, &R.sdg, cols, cols, cols, 2.0);
                check_arr(l2, "dbeta", db.p, NULL, sdb, &R.sdb, cols, cols, cols, 2.0);
            }
        }
    }
    ref_free(&R);
    buf_free(&x);
    buf_free(&dy);
    buf_free(&g);
    buf_free(&b);
    buf_free(&y);
    buf_free(&dx);
    buf_free(&mean);
    buf_free(&rstd);
    buf_free(&dg);
    buf_free(&db);
    free(sy);
    free(sdx);
    free(smean);
    free(srstd);
    free(sdg);
    free(sdb);
    free(xcopy);
    free(dycopy);
}

/* ------------------------------------------------------------------------------------ */
/* Hand-computed cases. Chosen so that most results are exact in float; where they are */
/* not, the value is given to 10 digits and compared with the y bound.                  */

static void test_hand(void)
{
    int k;
    for (k = 0; k < N_ALL_PATHS; k++) {
        int p = ALL_PATHS[k], rc;
        const char *pl = path_label(p);
        float y[4], mean[1], rstd[1], dx[4], dg[4], db[4];
        if (!path_usable(p)) continue;

        /* x = 1,2,3,4, eps = 1e-5, no γ/β.
           mean = 10/4 = 2.5; x − mean = −1.5, −0.5, 0.5, 1.5;
           var = (2.25 + 0.25 + 0.25 + 2.25)/4 = 5/4 = 1.25 (biased: /n, not /(n−1));
           rstd = 1/sqrt(1.25 + 1e-5) = 1/sqrt(1.25001) = 0.8944236135 (bc -l);
           y = ±1.5·rstd = ±1.341635420, ±0.5·rstd = ±0.4472118068. */
        {
            const float x[4] = {1, 2, 3, 4};
            const double want[4] = {-1.341635420, -0.4472118068, 0.4472118068, 1.341635420};
            int j;
            rc = run_fwd(p, y, mean, rstd, x, NULL, NULL, 1, 4, 1e-5f);
            CHECK(rc == LN_OK, "[%s] 1,2,3,4: rc %d", pl, rc);
            CHECK(mean[0] == 2.5f, "[%s] 1,2,3,4: mean %.9g, want 2.5", pl, mean[0]);
            CHECK(fabs(rstd[0] - 0.8944236135) <= 4 * EPSF * 0.8944236135,
                  "[%s] 1,2,3,4: rstd %.9g, want 0.8944236135", pl, rstd[0]);
            for (j = 0; j < 4; j++)
                CHECK(fabs(y[j] - want[j]) <= 4 * EPSF * 1.0,
                      "[%s] 1,2,3,4: y[%d] = %.9g, want %.10g", pl, j, y[j], want[j]);
            /* The same with eps = 0: rstd = 1/sqrt(1.25) = 2/sqrt(5) = 0.894427191,
               y = ±3/sqrt(5) = ±1.341640786, ±1/sqrt(5) = ±0.4472135955. The
               difference from the eps = 1e-5 values (5e-6 in y[0]) is 10x the bound,
               so this also shows that eps is used, and inside the sqrt. */
            rc = run_fwd(p, y, mean, rstd, x, NULL, NULL, 1, 4, 0.0f);
            CHECK(rc == LN_OK, "[%s] 1,2,3,4 eps=0: rc %d", pl, rc);
            CHECK(fabs(y[0] + 1.341640786) <= 4 * EPSF * 1.341640786 &&
                      fabs(y[1] + 0.4472135955) <= 4 * EPSF &&
                      fabs(y[2] - 0.4472135955) <= 4 * EPSF &&
                      fabs(y[3] - 1.341640786) <= 4 * EPSF * 1.341640786,
                  "[%s] 1,2,3,4 eps=0: y = %.9g %.9g %.9g %.9g", pl, y[0], y[1], y[2], y[3]);
            CHECK(fabs(rstd[0] - 0.894427191) <= 4 * EPSF,
                  "[%s] 1,2,3,4 eps=0: rstd %.9g", pl, rstd[0]);
        }

        /* x = 1,3 with γ = 2, 0.5 and β = 0.25, −1, eps = 0.
           mean 2, x − mean = −1, 1, var = (1 + 1)/2 = 1, rstd = 1, x̂ = −1, 1;
           y = x̂·γ + β = −2 + 0.25, 0.5 − 1 = −1.75, −0.5 (exact in float).
           (Unbiased variance would give var = 2 and y[0] = −1.164.) */
        {
            const float x[2] = {1, 3}, g[2] = {2, 0.5f}, b[2] = {0.25f, -1};
            rc = run_fwd(p, y, mean, rstd, x, g, b, 1, 2, 0.0f);
            CHECK(rc == LN_OK && y[0] == -1.75f && y[1] == -0.5f && mean[0] == 2.0f &&
                      rstd[0] == 1.0f,
                  "[%s] affine 1,3: rc %d y = %.9g %.9g (want -1.75 -0.5) mean %.9g rstd %.9g",
                  pl, rc, y[0], y[1], mean[0], rstd[0]);

            /* eps = 3 is inside the sqrt: rstd = 1/sqrt(1 + 3) = 0.5 exactly, so
               y = 0.5·x̂·γ + β = −1·0.5·2 + 0.25, 1·0.5·0.5 − 1 = −0.75, −0.75.
               (eps outside, 1/(sqrt(1) + 3) = 0.25, would give −0.25, −0.875.) */
            rc = run_fwd(p, y, mean, rstd, x, g, b, 1, 2, 3.0f);
            CHECK(rc == LN_OK && y[0] == -0.75f && y[1] == -0.75f && rstd[0] == 0.5f,
                  "[%s] eps=3 1,3: rc %d y = %.9g %.9g (want -0.75 -0.75) rstd %.9g", pl, rc,
                  y[0], y[1], rstd[0]);

            /* Backward of that layer (eps = 3, rstd 0.5, x̂ = −0.5, 0.5) with dy = 1, 2:
               g = γ·dy = 2, 1; mean(g) = 1.5; g·x̂ = −1, 0.5; mean(g·x̂) = −0.25;
               dx = 0.5·(g − 1.5 − x̂·(−0.25)) = 0.5·(0.5 − 0.125, −0.5 + 0.125)
                  = 0.1875, −0.1875  (calculus check: with u = (x1−x0)/2,
                  L = γ0·dy0·x̂0 + γ1·dy1·x̂1 = −u/sqrt(u²+3), dL/du = −3/8 at u = 1,
                  du/dx0 = −1/2, so dL/dx0 = 3/16 = 0.1875);
               dγ = dy·x̂ = −0.5, 1; dβ = dy = 1, 2.
               dγ/dβ accumulate, so they start at 10, 20: want 9.5, 21 and 11, 22. */
            {
                const float dy[2] = {1, 2};
                dg[0] = 10;
                dg[1] = 20;
                db[0] = 10;
                db[1] = 20;
                rc = run_bwd(p, dx, dg, db, dy, x, g, mean, rstd, 1, 2);
                CHECK(rc == LN_OK && fabs(dx[0] - 0.1875) <= 4 * EPSF * 0.5 * 2 &&
                          fabs(dx[1] + 0.1875) <= 4 * EPSF * 0.5 * 2,
                      "[%s] backward 1,3: rc %d dx = %.9g %.9g, want 0.1875 -0.1875", pl, rc,
                      dx[0], dx[1]);
                CHECK(dg[0] == 9.5f && dg[1] == 21.0f && db[0] == 11.0f && db[1] == 22.0f,
                      "[%s] backward 1,3: dgamma %.9g %.9g (want 9.5 21), dbeta %.9g %.9g "
                      "(want 11 22)",
                      pl, dg[0], dg[1], db[0], db[1]);
            }
        }

        /* x = 0,0,4,4, eps = 0: mean 2, var 4, rstd 0.5, y = −1,−1,1,1 exactly. */
        {
            const float x[4] = {0, 0, 4, 4};
            rc = run_fwd(p, y, mean, rstd, x, NULL, NULL, 1, 4, 0.0f);
            CHECK(rc == LN_OK && y[0] == -1 && y[1] == -1 && y[2] == 1 && y[3] == 1 &&
                      mean[0] == 2 && rstd[0] == 0.5f,
                  "[%s] 0,0,4,4: y = %.9g %.9g %.9g %.9g mean %.9g rstd %.9g", pl, y[0], y[1],
                  y[2], y[3], mean[0], rstd[0]);
        }

        /* Backward of x = 1,2,3,4, eps = 0, γ = 1, dy = 1,0,0,0.
           rstd = 2/sqrt(5), x̂ = (−3, −1, 1, 3)/sqrt(5);
           mean(g) = 1/4; mean(g·x̂) = (−3/sqrt(5))/4 = −0.75/sqrt(5);
           dx = rstd·(g − 0.25 + x̂·0.75/sqrt(5))
              = (2/sqrt(5))·((0.75, −0.25, −0.25, −0.25) + (−0.45, −0.15, 0.15, 0.45))
              = (2/sqrt(5))·(0.30, −0.40, −0.10, 0.20)
              = 0.2683281573, −0.3577708764, −0.08944271910, 0.1788854382;
           dγ = dy·x̂ = −3/sqrt(5), 0, 0, 0 = −1.341640786, 0, 0, 0; dβ = 1, 0, 0, 0.
           dx bound scale: rstd·max|γ·dy| = 0.894427191. */
        {
            const float x[4] = {1, 2, 3, 4}, dy[4] = {1, 0, 0, 0};
            const double want[4] = {0.2683281573, -0.3577708764, -0.08944271910,
                                    0.1788854382};
            int j, ok = 1;
            rc = run_fwd(p, y, mean, rstd, x, NULL, NULL, 1, 4, 0.0f);
            memset(dg, 0, sizeof dg);
            memset(db, 0, sizeof db);
            rc |= run_bwd(p, dx, dg, db, dy, x, NULL, mean, rstd, 1, 4);
            for (j = 0; j < 4; j++)
                if (!(fabs(dx[j] - want[j]) <= 4 * EPSF * 0.894427191)) ok = 0;
            CHECK(rc == LN_OK && ok, "[%s] backward 1,2,3,4: dx = %.9g %.9g %.9g %.9g", pl,
                  dx[0], dx[1], dx[2], dx[3]);
            CHECK(fabs(dg[0] + 1.341640786) <= 4 * EPSF * 1.341640786 && dg[1] == 0 &&
                      dg[2] == 0 && dg[3] == 0 && db[0] == 1 && db[1] == 0 && db[2] == 0 &&
                      db[3] == 0,
                  "[%s] backward 1,2,3,4: dgamma %.9g %.9g %.9g %.9g dbeta %.9g %.9g %.9g %.9g",
                  pl, dg[0], dg[1], dg[2], dg[3], db[0], db[1], db[2], db[3]);
        }

        /* One column: x − mean = 0 for any x, so y = β exactly and dx = 0;
           rstd = 1/sqrt(0 + eps) = 1/sqrt(0.25) = 2 with eps = 0.25. */
        {
            const float x[3] = {7, -3, 1e20f}, b[1] = {0.5f}, g[1] = {3};
            float y3[3], m3[3], r3[3], dx3[3], dy3[3] = {1, 2, 3};
            rc = run_fwd(p, y3, m3, r3, x, g, b, 3, 1, 0.25f);
            CHECK(rc == LN_OK && y3[0] == 0.5f && y3[1] == 0.5f && y3[2] == 0.5f &&
                      r3[0] == 2 && r3[1] == 2 && r3[2] == 2 && m3[0] == x[0] &&
                      m3[1] == x[1] && m3[2] == x[2], /* (not == 1e20f: where float
                      expressions are evaluated in long double, that constant is 1e20) */
                  "[%s] cols=1: y = %.9g %.9g %.9g rstd %.9g", pl, y3[0], y3[1], y3[2], r3[0]);
            rc = run_bwd(p, dx3, NULL, NULL, dy3, x, g, m3, r3, 3, 1);
            CHECK(rc == LN_OK && dx3[0] == 0 && dx3[1] == 0 && dx3[2] == 0,
                  "[%s] cols=1 backward: dx = %.9g %.9g %.9g, want 0", pl, dx3[0], dx3[1],
                  dx3[2]);
        }
    }
}

/* ------------------------------------------------------------------------------------ */

static void test_strerror_and_paths(void)
{
    const int codes[5] = {LN_OK, LN_ERR_NULL, LN_ERR_SIZE, LN_ERR_EPS, LN_ERR_NOMEM};
    const int unknown[5] = {12345, -999, 1, -5, INT_MIN};
    int i, j, k;
    CHECK(LN_OK == 0 && LN_ERR_NULL == -1 && LN_ERR_SIZE == -2 && LN_ERR_EPS == -3 &&
              LN_ERR_NOMEM == -4,
          "%s", "status code values are 0, -1, -2, -3, -4");
    for (i = 0; i < 5; i++) {
        const char *s = ln_strerror(codes[i]);
        CHECK(s != NULL && s[0] != '\0', "ln_strerror(%d) is NULL or empty", codes[i]);
        for (j = 0; j < i; j++) {
            const char *t = ln_strerror(codes[j]);
            CHECK(s && t && strcmp(s, t) != 0, "ln_strerror(%d) == ln_strerror(%d): \"%s\"",
                  codes[i], codes[j], s ? s : "(null)");
        }
    }
    for (k = 0; k < 5; k++) {
        const char *u = ln_strerror(unknown[k]);
        int distinct = u != NULL && u[0] != '\0';
        for (i = 0; i < 5 && distinct; i++) {
            const char *s = ln_strerror(codes[i]);
            if (s && strcmp(s, u) == 0) distinct = 0;
        }
        CHECK(distinct, "ln_strerror(%d) (unknown code) is NULL, empty, or the message of a "
                        "known code",
              unknown[k]);
    }

    CHECK(ln_path_supported(LN_PATH_SCALAR) == 1, "%s", "scalar path must always be supported");
    CHECK(ln_path_supported(0) == 0 && ln_path_supported(99) == 0 &&
              ln_path_supported(-1) == 0,
          "%s", "unknown paths must not be supported");
    CHECK(ln_path_supported(ln_path_active()) == 1, "active path %d is not supported",
          ln_path_active());
    CHECK(strcmp(ln_path_name(LN_PATH_SCALAR), "scalar") == 0 &&
              strcmp(ln_path_name(LN_PATH_AVX2), "avx2") == 0 &&
              strcmp(ln_path_name(LN_PATH_AVX512), "avx512") == 0 &&
              strcmp(ln_path_name(LN_PATH_NEON), "neon") == 0 &&
              strcmp(ln_path_name(0), "unknown") == 0 &&
              strcmp(ln_path_name(12345), "unknown") == 0,
          "%s", "ln_path_name values");
#ifdef LAYERNORM_NO_SIMD
    CHECK(ln_path_active() == LN_PATH_SCALAR && !ln_path_supported(LN_PATH_AVX2) &&
              !ln_path_supported(LN_PATH_AVX512) && !ln_path_supported(LN_PATH_NEON),
          "%s", "LAYERNORM_NO_SIMD: only the scalar path may be supported and active");
#else
    {
        /* the active path is the best supported one */
        int best = LN_PATH_SCALAR;
        if (ln_path_supported(LN_PATH_NEON)) best = LN_PATH_NEON;
        if (ln_path_supported(LN_PATH_AVX2)) best = LN_PATH_AVX2;
        if (ln_path_supported(LN_PATH_AVX512)) best = LN_PATH_AVX512;
        CHECK(ln_path_active() == best, "active path %s, best supported %s",
              ln_path_name(ln_path_active()), ln_path_name(best));
    }
#endif
    printf("paths: active %s; supported:", ln_path_name(ln_path_active()));
    for (i = 1; i <= 4; i++)
        if (ln_path_supported(i)) printf(" %s", ln_path_name(i));
    printf("\n");
}

/* ------------------------------------------------------------------------------------ */
/* Bad input: the exact code, and not one byte of any output written.                  */

#define NS 64
static unsigned char SENT = 0xA5;

static void sentinel(float *p) { memset(p, SENT, NS * sizeof(float)); }
static int untouched(const float *p)
{
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < NS * sizeof(float); i++)
        if (c[i] != SENT) return 0;
    return 1;
}

typedef struct {
    const char *what;
    int null_a, null_b; /* which required pointer to pass as NULL (index, -1 none) */
    size_t rows, cols;
    float eps;
    int want;
} BadCase;

static void test_bad_input(void)
{
    const size_t BIG = SIZE_MAX;
    const float fnan = NAN, finf = INFINITY;
    /* forward: required pointers 0 = y, 1 = x */
    const BadCase fw[] = {
        {"y NULL", 0, -1, 2, 4, 1e-5f, LN_ERR_NULL},
        {"x NULL", 1, -1, 2, 4, 1e-5f, LN_ERR_NULL},
        {"y and x NULL", 0, 1, 2, 4, 1e-5f, LN_ERR_NULL},
        {"y NULL, rows 0 (NULL is checked first)", 0, -1, 0, 4, 1e-5f, LN_ERR_NULL},
        {"x NULL, eps NaN (NULL before eps)", 1, -1, 2, 4, fnan, LN_ERR_NULL},
        {"x NULL, cols 0 (NULL before size)", 1, -1, 2, 0, 1e-5f, LN_ERR_NULL},
        {"eps negative", -1, -1, 2, 4, -1e-5f, LN_ERR_EPS},
        {"eps -FLT_MIN", -1, -1, 2, 4, -FLT_MIN, LN_ERR_EPS},
        {"eps -FLT_MAX", -1, -1, 2, 4, -FLT_MAX, LN_ERR_EPS},
        {"eps NaN", -1, -1, 2, 4, fnan, LN_ERR_EPS},
        {"eps -NaN", -1, -1, 2, 4, -fnan, LN_ERR_EPS},
        {"eps +inf", -1, -1, 2, 4, finf, LN_ERR_EPS},
        {"eps -inf", -1, -1, 2, 4, -finf, LN_ERR_EPS},
        {"eps NaN, rows 0 (eps before rows)", -1, -1, 0, 4, fnan, LN_ERR_EPS},
        {"eps +inf, cols 0 (eps before size)", -1, -1, 2, 0, finf, LN_ERR_EPS},
        {"cols 0, rows 1", -1, -1, 1, 0, 1e-5f, LN_ERR_SIZE},
        {"cols 0, rows 5", -1, -1, 5, 0, 1e-5f, LN_ERR_SIZE},
        {"rows*cols overflows (SIZE_MAX/2+1 x 2)", -1, -1, BIG / 2 + 1, 2, 1e-5f, LN_ERR_SIZE},
        {"rows*cols overflows (2 x SIZE_MAX/2+1)", -1, -1, 2, BIG / 2 + 1, 1e-5f, LN_ERR_SIZE},
        {"rows*cols overflows (SIZE_MAX x SIZE_MAX)", -1, -1, BIG, BIG, 1e-5f, LN_ERR_SIZE},
        {"rows*cols*4 overflows (SIZE_MAX/8+1 x 2)", -1, -1, BIG / 8 + 1, 2, 1e-5f,
         LN_ERR_SIZE},
        {"rows*cols*4 overflows (1 x SIZE_MAX/4+1)", -1, -1, 1, BIG / 4 + 1, 1e-5f,
         LN_ERR_SIZE},
        {"rows*cols*4 overflows (3 x SIZE_MAX/12+1)", -1, -1, 3, BIG / 12 + 1, 1e-5f,
         LN_ERR_SIZE},
        {"rows 0, cols 0: no-op", -1, -1, 0, 0, 1e-5f, LN_OK},
        {"rows 0, cols SIZE_MAX: no-op", -1, -1, 0, BIG, 1e-5f, LN_OK},
        {"rows 0: no-op", -1, -1, 0, 4, 1e-5f, LN_OK},
        {"rows 0, eps 0: no-op", -1, -1, 0, 4, 0.0f, LN_OK},
    };
    /* backward: required pointers 0 = dy, 1 = x, 2 = mean, 3 = rstd */
    const BadCase bw[] = {
        {"dy NULL", 0, -1, 2, 4, 0, LN_ERR_NULL},
        {"x NULL", 1, -1, 2, 4, 0, LN_ERR_NULL},
        {"mean NULL", 2, -1, 2, 4, 0, LN_ERR_NULL},
        {"rstd NULL", 3, -1, 2, 4, 0, LN_ERR_NULL},
        {"mean and rstd NULL", 2, 3, 2, 4, 0, LN_ERR_NULL},
        {"rstd NULL, rows 0 (NULL is checked first)", 3, -1, 0, 4, 0, LN_ERR_NULL},
        {"dy NULL, cols 0 (NULL before size)", 0, -1, 2, 0, 0, LN_ERR_NULL},
        {"cols 0, rows 1", -1, -1, 1, 0, 0, LN_ERR_SIZE},
        {"cols 0, rows 5", -1, -1, 5, 0, 0, LN_ERR_SIZE},
        {"rows*cols overflows (SIZE_MAX/2+1 x 2)", -1, -1, BIG / 2 + 1, 2, 0, LN_ERR_SIZE},
        {"rows*cols overflows (2 x SIZE_MAX/2+1)", -1, -1, 2, BIG / 2 + 1, 0, LN_ERR_SIZE},
        {"rows*cols overflows (SIZE_MAX x SIZE_MAX)", -1, -1, BIG, BIG, 0, LN_ERR_SIZE},
        {"rows*cols*4 overflows (SIZE_MAX/8+1 x 2)", -1, -1, BIG / 8 + 1, 2, 0, LN_ERR_SIZE},
        {"rows*cols*4 overflows (1 x SIZE_MAX/4+1)", -1, -1, 1, BIG / 4 + 1, 0, LN_ERR_SIZE},
        {"rows*cols*4 overflows (3 x SIZE_MAX/12+1)", -1, -1, 3, BIG / 12 + 1, 0,
         LN_ERR_SIZE},
        {"rows 0, cols 0: no-op", -1, -1, 0, 0, 0, LN_OK},
        {"rows 0, cols SIZE_MAX: no-op", -1, -1, 0, BIG, 0, LN_OK},
        {"rows 0: no-op", -1, -1, 0, 4, 0, LN_OK},
    };
    float in_x[NS], in_g[NS], in_b[NS], in_dy[NS], in_mean[NS], in_rstd[NS];
    float o1[NS], o2[NS], o3[NS];
    size_t i;
    int with_opt;
    Rng rng = rng_make(11);
    fill_normal(in_x, NS, 0, 1, &rng);
    fill_normal(in_g, NS, 1, 0.1, &rng);
    fill_normal(in_b, NS, 0, 0.1, &rng);
    fill_normal(in_dy, NS, 0, 1, &rng);
    fill_normal(in_mean, NS, 0, 0.1, &rng);
    fill_normal(in_rstd, NS, 1, 0.1, &rng);

    /* with_opt: also pass the optional outputs (mean/rstd, dγ/dβ) and γ/β, or not */
    for (with_opt = 0; with_opt < 2; with_opt++) {
        for (i = 0; i < sizeof fw / sizeof fw[0]; i++) {
            const BadCase *c = &fw[i];
            int rc;
            sentinel(o1);
            sentinel(o2);
            sentinel(o3);
            rc = ln_forward(c->null_a == 0 || c->null_b == 0 ? NULL : o1,
                            with_opt ? o2 : NULL, with_opt ? o3 : NULL,
                            c->null_a == 1 || c->null_b == 1 ? NULL : in_x,
                            with_opt ? in_g : NULL, with_opt ? in_b : NULL, c->rows, c->cols,
                            c->eps);
            CHECK(rc == c->want, "ln_forward %s%s: returned %d (%s), want %d", c->what,
                  with_opt ? " (+mean,rstd,gamma,beta)" : "", rc, ln_strerror(rc), c->want);
            CHECK(untouched(o1) && untouched(o2) && untouched(o3),
                  "ln_forward %s%s: an output was written", c->what,
                  with_opt ? " (+mean,rstd,gamma,beta)" : "");
        }
        for (i = 0; i < sizeof bw / sizeof bw[0]; i++) {
            const BadCase *c = &bw[i];
            int rc;
#define BW_NULL(k) (c->null_a == (k) || c->null_b == (k))
            sentinel(o1);
            sentinel(o2);
            sentinel(o3);
            rc = ln_backward(o1, with_opt ? o2 : NULL, with_opt ? o3 : NULL,
                             BW_NULL(0) ? NULL : in_dy, BW_NULL(1) ? NULL : in_x,
                             with_opt ? in_g : NULL, BW_NULL(2) ? NULL : in_mean,
                             BW_NULL(3) ? NULL : in_rstd, c->rows, c->cols);
#undef BW_NULL
            CHECK(rc == c->want, "ln_backward %s%s: returned %d (%s), want %d", c->what,
                  with_opt ? " (+dgamma,dbeta,gamma)" : "", rc, ln_strerror(rc), c->want);
            CHECK(untouched(o1) && untouched(o2) && untouched(o3),
                  "ln_backward %s%s: an output was written", c->what,
                  with_opt ? " (+dgamma,dbeta,gamma)" : "");
        }
    }
}

/* dx, dγ, dβ all NULL is valid (each may be NULL): nothing to compute, nothing written,
   inputs untouched, and no crash - on every path, for one row, many rows and a shape
   large enough to be threaded. */
static void test_all_outputs_null(void)
{
    static const size_t shapes[][2] = {{1, 16}, {4, 16}, {4096, 64}};
    size_t si;
    int k;
    Rng rng = rng_make(12);
    for (si = 0; si < 3; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        float *x = falloc(n), *dy = falloc(n), *y = falloc(n), *g = falloc(cols);
        float *xs = falloc(n), *dys = falloc(n), *mean = falloc(rows), *rstd = falloc(rows);
        fill_normal(x, n, 0, 1, &rng);
        fill_normal(dy, n, 0, 1, &rng);
        fill_normal(g, cols, 1, 0.1, &rng);
        memcpy(xs, x, n * sizeof(float));
        memcpy(dys, dy, n * sizeof(float));
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc;
            if (!path_usable(p)) continue;
            rc = run_fwd(p, y, mean, rstd, x, g, NULL, rows, cols, EPS_DEFAULT);
            rc |= run_bwd(p, NULL, NULL, NULL, dy, x, g, mean, rstd, rows, cols);
            CHECK(rc == LN_OK && same_bits(x, xs, n, NULL) && same_bits(dy, dys, n, NULL),
                  "[%s] %zux%zu: ln_backward with dx, dgamma, dbeta all NULL: rc %d or an "
                  "input changed",
                  path_label(p), rows, cols, rc);
        }
        free(x);
        free(dy);
        free(y);
        free(g);
        free(xs);
        free(dys);
        free(mean);
        free(rstd);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Allocation: ln_forward allocates nothing; ln_backward frees what it allocates; a     */
/* failed allocation returns LN_ERR_NOMEM with nothing written. The header promises an  */
/* allocation only "with dgamma or dbeta and rows > 1", so without them, or with one    */
/* row, a failing allocator must not matter.                                            */

static void test_alloc(void)
{
    const size_t rows = 64, cols = 40, n = rows * cols;
    float *x = falloc(n), *y = falloc(n), *dy = falloc(n), *dx = falloc(n), *dxs = falloc(n);
    float mean[64], rstd[64], dg[40], db[40], dgs[40], dbs[40];
    Rng rng = rng_make(5);
    long m0, f0;
    int rc;
    fill_normal(x, n, 0, 1, &rng);
    fill_normal(dy, n, 0, 1, &rng);
    m0 = t_nmalloc;
    f0 = t_nfree;
    rc = ln_forward(y, mean, rstd, x, NULL, NULL, rows, cols, EPS_DEFAULT);
    CHECK(rc == LN_OK && t_nmalloc == m0, "ln_forward allocated %ld times (rc %d)",
          t_nmalloc - m0, rc);
    memset(dg, 0, sizeof dg);
    memset(db, 0, sizeof db);
    rc = ln_backward(dx, dg, db, dy, x, NULL, mean, rstd, rows, cols);
    CHECK(rc == LN_OK && t_nmalloc - m0 == t_nfree - f0,
          "ln_backward: %ld allocations, %ld frees (rc %d)", t_nmalloc - m0, t_nfree - f0, rc);

    t_malloc_fail = 1;
    fill_const(dxs, n, 7.0f);
    fill_const(dgs, 40, 3.0f);
    fill_const(dbs, 40, 5.0f);
    memcpy(dx, dxs, n * sizeof(float));
    memcpy(dg, dgs, sizeof dg);
    memcpy(db, dbs, sizeof db);
    rc = ln_backward(dx, dg, db, dy, x, NULL, mean, rstd, rows, cols);
    CHECK(rc == LN_ERR_NOMEM, "ln_backward with a failing allocator returned %d, want %d",
          rc, LN_ERR_NOMEM);
    CHECK(memcmp(dx, dxs, n * sizeof(float)) == 0 && memcmp(dg, dgs, sizeof dg) == 0 &&
              memcmp(db, dbs, sizeof db) == 0,
          "%s", "ln_backward LN_ERR_NOMEM: an output was written");
    rc = ln_backward(dx, NULL, db, dy, x, NULL, mean, rstd, rows, cols);
    CHECK(rc == LN_ERR_NOMEM && memcmp(dx, dxs, n * sizeof(float)) == 0 &&
              memcmp(db, dbs, sizeof db) == 0,
          "ln_backward (dbeta only) with a failing allocator: rc %d, want %d, nothing written",
          rc, LN_ERR_NOMEM);
    rc = ln_backward(dx, NULL, NULL, dy, x, NULL, mean, rstd, rows, cols);
    CHECK(rc == LN_OK, "ln_backward without dgamma/dbeta needs no allocation, returned %d",
          rc);
    rc = ln_backward(dx, dg, db, dy, x, NULL, mean, rstd, 1, cols);
    CHECK(rc == LN_OK, "ln_backward with rows == 1 needs no allocation, returned %d", rc);
    rc = ln_forward(y, mean, rstd, x, NULL, NULL, rows, cols, EPS_DEFAULT);
    CHECK(rc == LN_OK, "ln_forward with a failing allocator returned %d", rc);
    t_malloc_fail = 0;
    free(x);
    free(y);
    free(dy);
    free(dx);
    free(dxs);
}

/* ------------------------------------------------------------------------------------ */
/* Shapes against the reference: every cols 1..70, sizes around the vector widths,      */
/* unaligned pointers, wide rows, tall inputs.                                          */

static void test_shapes(Rng *rng)
{
    static const size_t widths[] = {7,   8,   9,   15,  16,  17,   31,   32,  33,
                                    63,  64,  65,  127, 128, 129,  255,  256, 257,
                                    511, 512, 513, 1023, 1024, 1025};
    static const size_t batch_cols[] = {33, 47, 64, 100, 127, 128, 129};
    static const size_t batch_rows[] = {8, 9, 15, 300};
    size_t c, i, r, off;
    Case C;
    int quick = test_quick();
    memset(&C, 0, sizeof C);
    C.eps = EPS_DEFAULT;
    C.fam = FAM_N01;
    for (c = 1; c <= 70; c++) {
        C.tag = "cols 1..70";
        C.cols = c;
        C.off = c % 4; /* offsets 0..3 floats in turn */
        C.rows = 1;
        C.affine = (int)(c & 1);
        run_case(&C, rng);
        C.rows = 3;
        C.affine = !C.affine;
        C.off = (c + 1) % 4;
        run_case(&C, rng);
    }
    for (i = 0; i < sizeof widths / sizeof widths[0]; i++)
        for (off = 0; off < 4; off++) {
            C.tag = "vector widths";
            C.cols = widths[i];
            C.rows = 3;
            C.off = off;
            C.affine = off != 2;
            C.fam = off == 3 ? FAM_MEAN1E4 : FAM_N01;
            run_case(&C, rng);
        }
    /* rows of 33-128 columns go eight at a time on AVX-512 (two sweeps over the batch):
       full and partial batches, tails of 1-15 columns, enough rows to prefetch ahead */
    C.tag = "row batches";
    for (i = 0; i < sizeof batch_cols / sizeof batch_cols[0]; i++)
        for (r = 0; r < sizeof batch_rows / sizeof batch_rows[0]; r++) {
            C.cols = batch_cols[i];
            C.rows = batch_rows[r];
            C.off = (i + r) % 4;
            C.affine = r != 1;
            C.fam = r == 2 ? FAM_MEAN1E4 : FAM_N01;
            run_case(&C, rng);
        }
    /* a 1-float offset on wide and tall inputs too (alignment peeling in long loops) */
    C.tag = "wide";
    C.fam = FAM_N01;
    C.affine = 1;
    C.rows = 2;
    C.cols = 65536;
    C.off = 0;
    run_case(&C, rng);
    C.cols = 65537;
    C.off = 1;
    run_case(&C, rng);
    C.rows = 3;
    C.cols = quick ? 100003 : 300007;
    C.off = 3;
    run_case(&C, rng);
    C.tag = "tall";
    C.rows = quick ? 5000 : 100003;
    C.cols = 7;
    C.off = 1;
    run_case(&C, rng);
    C.rows = quick ? 3000 : 20011;
    C.cols = 33;
    C.off = 2;
    C.affine = 0;
    run_case(&C, rng);
    C.rows = quick ? 1000 : 4099;
    C.cols = 256; /* above the default threading threshold: rows split over threads */
    C.off = 0;
    C.affine = 1;
    run_case(&C, rng);
}

/* ------------------------------------------------------------------------------------ */
/* Issue 3 accuracy families, on every path.                                            */

static void test_families(Rng *rng)
{
    int fam, quick = test_quick();
    Case C;
    memset(&C, 0, sizeof C);
    C.eps = EPS_DEFAULT;
    C.off = 0;
    C.affine = 1;
    for (fam = 0; fam < FAM_COUNT; fam++) {
        C.fam = fam;
        C.tag = "family";
        C.rows = 7;
        C.cols = 768;
        run_case(&C, rng);
        C.rows = 5;
        C.cols = 33;
        C.off = 1;
        run_case(&C, rng);
        C.off = 0;
        /* the big shapes cost ~0.5 s each (mostly this file's own reference, random
           numbers and page faults), so: a 1M-wide row for the five hardest families
           (two rows for N(0,1)), 300007 for the others, and 65536 x 32 for three
           families (dγ/dβ are sums over many rows) */
        C.no_public = 1;
        C.tag = "family wide";
        C.rows = fam == FAM_N01 ? 2 : 1;
        C.cols = quick ? 131072
                       : fam == FAM_N01 || fam == FAM_MEAN1E4 || fam == FAM_MEAN1 ||
                                 fam == FAM_HUGE || fam == FAM_VAREPS
                             ? 1048576
                             : 300007;
        run_case(&C, rng);
        if (fam == FAM_N01 || fam == FAM_MEAN1E4 || fam == FAM_VAREPS) {
            C.tag = "family tall (dgamma over many rows)";
            C.rows = quick ? 8192 : 65536;
            C.cols = 32;
            run_case(&C, rng);
        }
        C.no_public = 0;
    }
    /* non-affine and eps = 0 variants of the hardest families */
    C.tag = "family";
    C.rows = 9;
    C.cols = 1000;
    C.affine = 0;
    C.fam = FAM_MEAN1E4;
    run_case(&C, rng);
    C.fam = FAM_MEAN300;
    C.eps = 0.0f;
    run_case(&C, rng);
    C.fam = FAM_HUGE;
    run_case(&C, rng);
    C.fam = FAM_N01;
    C.eps = 0.1f;
    run_case(&C, rng);
}

/* ------------------------------------------------------------------------------------ */
/* Constant rows: x − mean is exactly 0, so y must be exactly β (finite, no 0·inf),     */
/* mean exactly the constant, rstd = 1/sqrt(eps), and dγ gets exactly 0.                */

static void test_constant_rows(void)
{
    static const float vals[] = {0.0f, 3.7f, -1e4f, 1e30f, -2.5e-30f, 123456.789f};
    static const size_t colss[] = {1, 7, 8, 33, 1000, 70001, 1048576};
    size_t vi, ci, j;
    int k;
    Rng rng = rng_make(77);
    for (ci = 0; ci < sizeof colss / sizeof colss[0]; ci++) {
        size_t cols = test_quick() && colss[ci] > 131072 ? 131072 : colss[ci];
        size_t rows = sizeof vals / sizeof vals[0], n = rows * cols;
        float *x = falloc(n), *y = falloc(n), *dy = falloc(n), *dx = falloc(n);
        float *g = falloc(cols), *b = falloc(cols), *dg = falloc(cols);
        float mean[6], rstd[6];
        for (vi = 0; vi < rows; vi++) fill_const(x + vi * cols, cols, vals[vi]);
        fill_normal(g, cols, 1, 0.1, &rng);
        fill_normal(b, cols, 0, 0.1, &rng);
        fill_normal(dy, n, 0, 1, &rng);
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc, ok_y = 1, ok_m = 1, ok_r = 1, ok_dg = 1;
            if (!path_usable(p)) continue;
            fill_nan(y, n);
            rc = run_fwd(p, y, mean, rstd, x, g, b, rows, cols, EPS_DEFAULT);
            for (vi = 0; vi < rows; vi++) {
                if (mean[vi] != vals[vi]) ok_m = 0;
                /* 1/sqrt(1e-5f as double) = 316.2277...; bound 4·FLT_EPSILON relative */
                if (!(fabs(rstd[vi] - 1.0 / sqrt((double)EPS_DEFAULT)) <=
                      4 * EPSF / sqrt((double)EPS_DEFAULT)))
                    ok_r = 0;
                for (j = 0; j < cols; j++)
                    if (float_bits(y[vi * cols + j]) != float_bits(b[j])) ok_y = 0;
            }
            CHECK(rc == LN_OK && ok_y, "[%s] constant rows, cols %zu: y is not exactly beta",
                  path_label(p), cols);
            CHECK(ok_m, "[%s] constant rows, cols %zu: mean is not exactly the constant",
                  path_label(p), cols);
            CHECK(ok_r, "[%s] constant rows, cols %zu: rstd != 1/sqrt(eps)", path_label(p),
                  cols);
            fill_const(dg, cols, 0.0f);
            rc = run_bwd(p, dx, dg, NULL, dy, x, g, mean, rstd, rows, cols);
            for (j = 0; j < cols; j++)
                if (dg[j] != 0.0f) ok_dg = 0;
            CHECK(rc == LN_OK && ok_dg, "[%s] constant rows, cols %zu: dgamma not exactly 0",
                  path_label(p), cols);
        }
        free(x);
        free(y);
        free(dy);
        free(dx);
        free(g);
        free(b);
        free(dg);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Finite differences. L(x, γ, β) = Σ w·y with a fixed random w, evaluated by a float64 */
/* forward written here (so independent of ref_compute's backward). Central differences */
/* with h = 1e-5 have truncation error h²/6·|L'''| ~ 1e-10 and rounding error           */
/* ~1e-16·|L|/h ~ 1e-9 for these sizes (|x| ~ 1, cols <= 33): so the float64 analytic    */
/* reference must agree to 1e-7 of the dx scale (a check of the reference itself), and  */
/* the library's float dx to its 4·FLT_EPSILON bound plus that 1e-7 (dγ/dβ: see below). */

static double loss_row(const double *x, const float *g, const float *b, const float *w,
                       size_t cols, double eps)
{
    double m = 0, v = 0, rs, L = 0;
    size_t j;
    for (j = 0; j < cols; j++) m += x[j];
    m /= (double)cols;
    for (j = 0; j < cols; j++) v += (x[j] - m) * (x[j] - m);
    v /= (double)cols;
    rs = 1.0 / sqrt(v + eps);
    for (j = 0; j < cols; j++) L += (double)w[j] * ((x[j] - m) * rs * g[j] + b[j]);
    return L;
}

static void test_finite_differences(void)
{
    static const size_t colss[] = {1, 2, 3, 5, 8, 17, 33};
    const size_t rows = 3;
    const double h = 1e-5;
    size_t ci, i, j;
    int k;
    Rng rng = rng_make(2024);
    for (ci = 0; ci < sizeof colss / sizeof colss[0]; ci++) {
        size_t cols = colss[ci], n = rows * cols;
        float *x = falloc(n), *w = falloc(n), *g = falloc(cols), *b = falloc(cols);
        float *y = falloc(n), *dx = falloc(n), *dg = falloc(cols), *db = falloc(cols);
        double *fdx = dalloc(n), *fdg = dalloc(cols), *fdb = dalloc(cols), *xd = dalloc(cols);
        float mean[3], rstd[3];
        double tg, tb;
        Ref R;
        fill_normal(x, n, 0.5, 2.0, &rng);
        fill_normal(w, n, 0, 1, &rng);
        fill_normal(g, cols, 1, 0.3, &rng);
        fill_normal(b, cols, 0, 0.3, &rng);
        /* dL/dx */
        for (i = 0; i < rows; i++)
            for (j = 0; j < cols; j++) {
                size_t t;
                double lp, lm;
                for (t = 0; t < cols; t++) xd[t] = x[i * cols + t];
                xd[j] += h;
                lp = loss_row(xd, g, b, w + i * cols, cols, EPS_DEFAULT);
                xd[j] -= 2 * h;
                lm = loss_row(xd, g, b, w + i * cols, cols, EPS_DEFAULT);
                fdx[i * cols + j] = (lp - lm) / (2 * h);
            }
        /* dL/dγ_j and dL/dβ_j: perturb one parameter, sum the loss over rows */
        for (j = 0; j < cols; j++) {
            float *gp = falloc(cols), *bp = falloc(cols);
            double lp = 0, lm = 0, bpl = 0, bml = 0;
            const double hg = 1e-2; /* L is linear in γ and β: any h is exact up to rounding */
            for (i = 0; i < rows; i++) {
                size_t t;
                for (t = 0; t < cols; t++) xd[t] = x[i * cols + t];
                memcpy(gp, g, cols * sizeof(float));
                gp[j] = (float)(g[j] + hg);
                lp += loss_row(xd, gp, b, w + i * cols, cols, EPS_DEFAULT);
                gp[j] = (float)(g[j] - hg);
                lm += loss_row(xd, gp, b, w + i * cols, cols, EPS_DEFAULT);
                memcpy(bp, b, cols * sizeof(float));
                bp[j] = (float)(b[j] + hg);
                bpl += loss_row(xd, g, bp, w + i * cols, cols, EPS_DEFAULT);
                bp[j] = (float)(b[j] - hg);
                bml += loss_row(xd, g, bp, w + i * cols, cols, EPS_DEFAULT);
            }
            /* the perturbed parameters are rounded to float: divide by the real step */
            fdg[j] = (lp - lm) / ((double)(float)(g[j] + hg) - (double)(float)(g[j] - hg));
            fdb[j] = (bpl - bml) / ((double)(float)(b[j] + hg) - (double)(float)(b[j] - hg));
            free(gp);
            free(bp);
        }
        ref_compute(&R, x, g, b, w, rows, cols, EPS_DEFAULT);
        {
            /* the reference's analytic backward against FD: 1e-7 of the scale */
            double wdx = 0, wdg = 0, wdb = 0;
            for (i = 0; i < n; i++) {
                double e = fabs(R.dx[i] - fdx[i]) / (R.sdx[i / cols] > 0 ? R.sdx[i / cols] : 1);
                if (e > wdx) wdx = e;
            }
            for (j = 0; j < cols; j++) {
                double e = fabs(R.dg[j] - fdg[j]) / (R.sdg > 0 ? R.sdg : 1);
                if (e > wdg) wdg = e;
                e = fabs(R.db[j] - fdb[j]) / (R.sdb > 0 ? R.sdb : 1);
                if (e > wdb) wdb = e;
            }
            CHECK(wdx <= 1e-7 && wdg <= 1e-7 && wdb <= 1e-7,
                  "cols %zu: float64 reference vs finite differences: relative errors dx %.3g "
                  "dgamma %.3g dbeta %.3g (> 1e-7)",
                  cols, wdx, wdg, wdb);
        }
        /* This is a check of the formulas, not of the last bits (the issue-3 bounds are
           tested on the accuracy families). dγ_j = Σ_rows dy·x̂ is a sum of a few terms
           that may cancel, and each term carries float rounding (x̂ is built from the
           float rstd that forward saved, which alone is off by up to 2^-24), so its
           error scales with tg = max_j Σ_rows |dy·x̂|, not with max|dγ|: with 3 rows the
           terms can be 10x the result. Same for dβ with tb = max_j Σ_rows |dy|. */
        tg = 0;
        tb = 0;
        for (j = 0; j < cols; j++) {
            double sg = 0, sb = 0;
            for (i = 0; i < rows; i++) {
                sg += fabs((double)w[i * cols + j] * ((double)x[i * cols + j] - R.mean[i]) *
                           R.rstd[i]);
                sb += fabs((double)w[i * cols + j]);
            }
            if (sg > tg) tg = sg;
            if (sb > tb) tb = sb;
        }
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc;
            double wdx = 0, wdg = 0, wdb = 0;
            if (!path_usable(p)) continue;
            fill_const(dg, cols, 0);
            fill_const(db, cols, 0);
            rc = run_fwd(p, y, mean, rstd, x, g, b, rows, cols, EPS_DEFAULT);
            rc |= run_bwd(p, dx, dg, db, w, x, g, mean, rstd, rows, cols);
            for (i = 0; i < n; i++) {
                double s = R.sdx[i / cols], e = fabs(dx[i] - fdx[i]);
                double bound = 4 * EPSF * s + 1e-7 * s;
                if (!(e <= bound)) e = INFINITY;
                else e = bound > 0 ? e / bound : 0;
                if (e > wdx) wdx = e;
            }
            for (j = 0; j < cols; j++) {
                double bg = 4 * EPSF * tg + 1e-7 * R.sdg, bb = 4 * EPSF * tb + 1e-7 * R.sdb;
                double eg = fabs(dg[j] - fdg[j]), eb = fabs(db[j] - fdb[j]);
                eg = eg <= bg ? (bg > 0 ? eg / bg : 0) : INFINITY;
                eb = eb <= bb ? (bb > 0 ? eb / bb : 0) : INFINITY;
                if (eg > wdg) wdg = eg;
                if (eb > wdb) wdb = eb;
            }
            CHECK(rc == LN_OK && wdx <= 1 && wdg <= 1 && wdb <= 1,
                  "[%s] cols %zu: backward vs finite differences: error/bound dx %.3g "
                  "dgamma %.3g dbeta %.3g",
                  path_label(p), cols, wdx, wdg, wdb);
        }
        ref_free(&R);
        free(x);
        free(w);
        free(g);
        free(b);
        free(y);
        free(dx);
        free(dg);
        free(db);
        free(fdx);
        free(fdg);
        free(fdb);
        free(xd);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Identities of the exact dx (eps = 0, so that Σx̂² = cols exactly):                   */
/*   Σ_j dx_j = rstd·(Σg − cols·mean(g) − mean(g·x̂)·Σx̂) = 0                             */
/*   Σ_j dx_j·x̂_j = rstd·(Σg·x̂ − mean(g)·Σx̂ − mean(g·x̂)·Σx̂²) = 0                       */
/* The float dx may differ from the exact one by the dx bound e = 4·FLT_EPSILON·S per   */
/* element, so the computed sums may be off by cols·e and Σ|x̂|·e respectively (plus     */
/* the double rounding of the check's own sums, negligible).                            */

static void test_identities(Rng *rng)
{
    static const size_t colss[] = {3, 16, 100, 1000, 4097};
    size_t ci, i, j;
    int k;
    for (ci = 0; ci < sizeof colss / sizeof colss[0]; ci++) {
        size_t cols = colss[ci], rows = 4, n = rows * cols;
        float *x = falloc(n), *dy = falloc(n), *g = falloc(cols), *y = falloc(n),
              *dx = falloc(n);
        float mean[4], rstd[4];
        Ref R;
        fill_normal(x, n, 3.0, 2.0, rng);
        fill_normal(dy, n, 0, 1, rng);
        fill_normal(g, cols, 1, 0.2, rng);
        ref_compute(&R, x, g, NULL, dy, rows, cols, 0.0f);
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc, ok = 1;
            double worst1 = 0, worst2 = 0;
            if (!path_usable(p)) continue;
            rc = run_fwd(p, y, mean, rstd, x, g, NULL, rows, cols, 0.0f);
            rc |= run_bwd(p, dx, NULL, NULL, dy, x, g, mean, rstd, rows, cols);
            for (i = 0; i < rows; i++) {
                double s1 = 0, s2 = 0, sabs = 0, e = 4 * EPSF * R.sdx[i];
                for (j = 0; j < cols; j++) {
                    double xh = ((double)x[i * cols + j] - R.mean[i]) * R.rstd[i];
                    s1 += dx[i * cols + j];
                    s2 += dx[i * cols + j] * xh;
                    sabs += fabs(xh);
                }
                if (!(fabs(s1) <= (double)cols * e)) ok = 0;
                if (!(fabs(s2) <= sabs * e)) ok = 0;
                if (fabs(s1) / ((double)cols * e) > worst1) worst1 = fabs(s1) / ((double)cols * e);
                if (fabs(s2) / (sabs * e) > worst2) worst2 = fabs(s2) / (sabs * e);
            }
            CHECK(rc == LN_OK && ok,
                  "[%s] cols %zu: identities: |sum dx|/bound %.3g, |sum dx*xhat|/bound %.3g",
                  path_label(p), cols, worst1, worst2);
        }
        ref_free(&R);
        free(x);
        free(dy);
        free(g);
        free(y);
        free(dx);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Optional pointers: each of γ, β, mean, rstd (forward) and dx, dγ, dβ, γ (backward)   */
/* NULL on its own; the other outputs must still be right.                              */

static void test_null_optionals(Rng *rng)
{
    /* small, long rows (pipelined in 4096-column blocks), wide (column spans), many rows
       (dγ/dβ chunks), and rows whose chunk partials would pass the scratch bound (fewer,
       larger chunks) */
    static const size_t shapes[][2] = {{5, 37}, {2, 70001}, {2, 262147}, {2048, 96}, {40, 20000}};
    size_t si;
    int k;
    for (si = 0; si < 5; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        float *x = falloc(n), *dy = falloc(n), *g = falloc(cols), *b = falloc(cols);
        float *y = falloc(n), *dx = falloc(n), *dg = falloc(cols), *db = falloc(cols);
        float *mean = falloc(rows), *rstd = falloc(rows);
        Ref Rgb, Rg1, Rb0, R11;
        fill_normal(x, n, 1, 2, rng);
        fill_normal(dy, n, 0, 1, rng);
        fill_normal(g, cols, 1, 0.1, rng);
        fill_normal(b, cols, 0, 0.1, rng);
        ref_compute(&Rgb, x, g, b, dy, rows, cols, EPS_DEFAULT);
        ref_compute(&Rg1, x, NULL, b, dy, rows, cols, EPS_DEFAULT);
        ref_compute(&Rb0, x, g, NULL, dy, rows, cols, EPS_DEFAULT);
        ref_compute(&R11, x, NULL, NULL, dy, rows, cols, EPS_DEFAULT);
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc;
            char l[160];
            if (!path_usable(p)) continue;
            snprintf(l, sizeof l, "[%s] %zux%zu", path_label(p), rows, cols);
            /* forward: γ NULL, β NULL, both, mean NULL, rstd NULL, both stats NULL */
            rc = run_fwd(p, y, mean, rstd, x, NULL, b, rows, cols, EPS_DEFAULT);
            CHECK(rc == LN_OK, "%s gamma NULL: rc %d", l, rc);
            check_arr(l, "y (gamma NULL = ones)", y, Rg1.y, NULL, Rg1.y, 0, n, cols, 1);
            rc = run_fwd(p, y, mean, rstd, x, g, NULL, rows, cols, EPS_DEFAULT);
            CHECK(rc == LN_OK, "%s beta NULL: rc %d", l, rc);
            check_arr(l, "y (beta NULL = zeros)", y, Rb0.y, NULL, Rb0.y, 0, n, cols, 1);
            rc = run_fwd(p, y, mean, rstd, x, NULL, NULL, rows, cols, EPS_DEFAULT);
            CHECK(rc == LN_OK, "%s gamma, beta NULL: rc %d", l, rc);
            check_arr(l, "y (gamma, beta NULL)", y, R11.y, NULL, R11.y, 0, n, cols, 1);
            fill_nan(rstd, rows);
            rc = run_fwd(p, y, NULL, rstd, x, g, b, rows, cols, EPS_DEFAULT);
            CHECK(rc == LN_OK, "%s mean NULL: rc %d", l, rc);
            check_arr(l, "y (mean NULL)", y, Rgb.y, NULL, Rgb.y, 0, n, cols, 1);
            check_arr(l, "rstd (mean NULL)", rstd, Rgb.rstd, NULL, Rgb.srstd, 1, rows, 1, 1);
            fill_nan(mean, rows);
            rc = run_fwd(p, y, mean, NULL, x, g, b, rows, cols, EPS_DEFAULT);
            CHECK(rc == LN_OK, "%s rstd NULL: rc %d", l, rc);
            check_arr(l, "y (rstd NULL)", y, Rgb.y, NULL, Rgb.y, 0, n, cols, 1);
            check_arr(l, "mean (rstd NULL)", mean, Rgb.mean, NULL, Rgb.smean, 1, rows, 1, 1);
            fill_nan(y, n);
            rc = run_fwd(p, y, NULL, NULL, x, g, b, rows, cols, EPS_DEFAULT);
            CHECK(rc == LN_OK, "%s mean, rstd NULL: rc %d", l, rc);
            check_arr(l, "y (mean, rstd NULL)", y, Rgb.y, NULL, Rgb.y, 0, n, cols, 1);

            /* backward, from a full forward's stats */
            rc = run_fwd(p, y, mean, rstd, x, g, b, rows, cols, EPS_DEFAULT);
            fill_const(dg, cols, 0);
            fill_const(db, cols, 0);
            rc |= run_bwd(p, NULL, dg, db, dy, x, g, mean, rstd, rows, cols);
            CHECK(rc == LN_OK, "%s dx NULL: rc %d", l, rc);
            check_arr(l, "dgamma (dx NULL)", dg, Rgb.dg, NULL, &Rgb.sdg, cols, cols, cols, 1);
            check_arr(l, "dbeta (dx NULL)", db, Rgb.db, NULL, &Rgb.sdb, cols, cols, cols, 1);
            fill_nan(dx, n);
            fill_const(db, cols, 0);
            rc = run_bwd(p, dx, NULL, db, dy, x, g, mean, rstd, rows, cols);
            CHECK(rc == LN_OK, "%s dgamma NULL: rc %d", l, rc);
            check_arr(l, "dx (dgamma NULL)", dx, Rgb.dx, NULL, Rgb.sdx, cols, n, cols, 1);
            check_arr(l, "dbeta (dgamma NULL)", db, Rgb.db, NULL, &Rgb.sdb, cols, cols, cols,
                      1);
            fill_nan(dx, n);
            fill_const(dg, cols, 0);
            rc = run_bwd(p, dx, dg, NULL, dy, x, g, mean, rstd, rows, cols);
            CHECK(rc == LN_OK, "%s dbeta NULL: rc %d", l, rc);
            check_arr(l, "dx (dbeta NULL)", dx, Rgb.dx, NULL, Rgb.sdx, cols, n, cols, 1);
            check_arr(l, "dgamma (dbeta NULL)", dg, Rgb.dg, NULL, &Rgb.sdg, cols, cols, cols,
                      1);
            fill_nan(dx, n);
            rc = run_bwd(p, dx, NULL, NULL, dy, x, g, mean, rstd, rows, cols);
            CHECK(rc == LN_OK, "%s dgamma, dbeta NULL: rc %d", l, rc);
            check_arr(l, "dx (dgamma, dbeta NULL)", dx, Rgb.dx, NULL, Rgb.sdx, cols, n, cols,
                      1);
            /* γ NULL in backward (with the stats of a γ-free forward: they do not depend
               on γ anyway) */
            fill_nan(dx, n);
            fill_const(dg, cols, 0);
            fill_const(db, cols, 0);
            rc = run_bwd(p, dx, dg, db, dy, x, NULL, mean, rstd, rows, cols);
            CHECK(rc == LN_OK, "%s backward gamma NULL: rc %d", l, rc);
            check_arr(l, "dx (gamma NULL)", dx, R11.dx, NULL, R11.sdx, cols, n, cols, 1);
            check_arr(l, "dgamma (gamma NULL)", dg, R11.dg, NULL, &R11.sdg, cols, cols, cols,
                      1);
        }
        ref_free(&Rgb);
        ref_free(&Rg1);
        ref_free(&Rb0);
        ref_free(&R11);
        free(x);
        free(dy);
        free(g);
        free(b);
        free(y);
        free(dx);
        free(dg);
        free(db);
        free(mean);
        free(rstd);
    }
}

/* ------------------------------------------------------------------------------------ */
/* In place: y == x; dx == dy; dx == x. Small, wide (row longer than the caches' blocks) */
/* and threaded shapes.                                                                  */

static void test_inplace(Rng *rng)
{
    static const size_t shapes[][2] = {{3, 29}, {2, 150001}, {2, 262147}, {4096, 64}};
    size_t si;
    int k;
    for (si = 0; si < 4; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        float *x = falloc(n), *dy = falloc(n), *g = falloc(cols), *b = falloc(cols);
        float *buf = falloc(n), *dg = falloc(cols), *db = falloc(cols);
        float *mean = falloc(rows), *rstd = falloc(rows);
        Ref R;
        fill_normal(x, n, 2, 3, rng);
        fill_normal(dy, n, 0, 1, rng);
        fill_normal(g, cols, 1, 0.1, rng);
        fill_normal(b, cols, 0, 0.1, rng);
        ref_compute(&R, x, g, b, dy, rows, cols, EPS_DEFAULT);
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc;
            char l[160];
            if (!path_usable(p)) continue;
            snprintf(l, sizeof l, "[%s] %zux%zu", path_label(p), rows, cols);
            memcpy(buf, x, n * sizeof(float));
            rc = run_fwd(p, buf, mean, rstd, buf, g, b, rows, cols, EPS_DEFAULT);
            CHECK(rc == LN_OK, "%s y == x: rc %d", l, rc);
            check_arr(l, "y (y == x)", buf, R.y, NULL, R.y, 0, n, cols, 1);
            check_arr(l, "mean (y == x)", mean, R.mean, NULL, R.smean, 1, rows, 1, 1);
            check_arr(l, "rstd (y == x)", rstd, R.rstd, NULL, R.srstd, 1, rows, 1, 1);

            memcpy(buf, dy, n * sizeof(float));
            fill_const(dg, cols, 0);
            fill_const(db, cols, 0);
            rc = run_bwd(p, buf, dg, db, buf, x, g, mean, rstd, rows, cols);
            CHECK(rc == LN_OK, "%s dx == dy: rc %d", l, rc);
            check_arr(l, "dx (dx == dy)", buf, R.dx, NULL, R.sdx, cols, n, cols, 1);
            check_arr(l, "dgamma (dx == dy)", dg, R.dg, NULL, &R.sdg, cols, cols, cols, 1);
            check_arr(l, "dbeta (dx == dy)", db, R.db, NULL, &R.sdb, cols, cols, cols, 1);

            memcpy(buf, x, n * sizeof(float));
            fill_const(dg, cols, 0);
            fill_const(db, cols, 0);
            rc = run_bwd(p, buf, dg, db, dy, buf, g, mean, rstd, rows, cols);
            CHECK(rc == LN_OK, "%s dx == x: rc %d", l, rc);
            check_arr(l, "dx (dx == x)", buf, R.dx, NULL, R.sdx, cols, n, cols, 1);
            check_arr(l, "dgamma (dx == x)", dg, R.dg, NULL, &R.sdg, cols, cols, cols, 1);
            check_arr(l, "dbeta (dx == x)", db, R.db, NULL, &R.sdb, cols, cols, cols, 1);
        }
        ref_free(&R);
        free(x);
        free(dy);
        free(g);
        free(b);
        free(buf);
        free(dg);
        free(db);
        free(mean);
        free(rstd);
    }
}

/* ------------------------------------------------------------------------------------ */
/* dγ/dβ in groups of rows. With dx apart from dy and x, a path may take dγ/dβ from a   */
/* group of cache-resident rows after their dx, column tile by tile; in place it must   */
/* take them before each dx store (row by row, or a group's sums, dγ/dβ, then dx). All  */
/* add each column's rows in the same order, so on one path they must agree             */
/* bitwise, with dγ, dβ or both asked for, dx == dy and dx == x, on shapes with partial */
/* tiles and several groups and chunks.                                                 */

static void test_grouped_params_bits(Rng *rng)
{
    static const size_t shapes[][2] = {{2, 1},    {300, 5},   {700, 17},  {900, 64},
                                       {70, 65},  {260, 100}, {9, 130},   {150, 768},
                                       {40, 1000}, {13, 4097}, {7, 9000},  {4000, 24}};
    const size_t nshape = sizeof shapes / sizeof shapes[0];
    size_t si;
    int k, which;
    for (si = 0; si < nshape; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        float *x = falloc(n), *dy = falloc(n), *g = falloc(cols), *b = falloc(cols);
        float *y = falloc(n), *mean = falloc(rows), *rstd = falloc(rows);
        float *dx = falloc(n), *ip = falloc(n);
        float *dg = falloc(cols), *db = falloc(cols), *dg2 = falloc(cols), *db2 = falloc(cols);
        fill_normal(x, n, 3, 2, rng);
        fill_normal(dy, n, 0, 1, rng);
        fill_normal(g, cols, 1, 0.1, rng);
        fill_normal(b, cols, 0, 0.1, rng);
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k];
            if (!path_usable(p)) continue;
            run_fwd(p, y, mean, rstd, x, g, b, rows, cols, EPS_DEFAULT);
            for (which = 0; which < 3; which++) { /* 0: dγ and dβ, 1: dγ only, 2: dβ only */
                float *pg = which != 2 ? dg : NULL, *pb = which != 1 ? db : NULL;
                float *pg2 = which != 2 ? dg2 : NULL, *pb2 = which != 1 ? db2 : NULL;
                size_t at = 0;
                int rc1, rc2, ok;
                fill_const(dg, cols, 0.25f); /* += onto a nonzero start */
                fill_const(db, cols, -0.5f);
                fill_const(dg2, cols, 0.25f);
                fill_const(db2, cols, -0.5f);
                memcpy(ip, dy, n * sizeof(float));
                rc1 = run_bwd(p, dx, pg, pb, dy, x, g, mean, rstd, rows, cols);
                rc2 = run_bwd(p, ip, pg2, pb2, ip, x, g, mean, rstd, rows, cols);
                ok = rc1 == LN_OK && rc2 == LN_OK && same_bits(dx, ip, n, &at) &&
                     same_bits(dg, dg2, cols, &at) && same_bits(db, db2, cols, &at);
                CHECK(ok, "[%s] %zux%zu outputs %d: separate dx and dx == dy differ (rc %d %d, "
                      "index %zu)", path_label(p), rows, cols, which, rc1, rc2, at);
                /* and dx == x (over a copy of x) */
                fill_const(dg2, cols, 0.25f);
                fill_const(db2, cols, -0.5f);
                memcpy(ip, x, n * sizeof(float));
                at = 0;
                rc2 = run_bwd(p, ip, pg2, pb2, dy, ip, g, mean, rstd, rows, cols);
                ok = rc1 == LN_OK && rc2 == LN_OK && same_bits(dx, ip, n, &at) &&
                     same_bits(dg, dg2, cols, &at) && same_bits(db, db2, cols, &at);
                CHECK(ok, "[%s] %zux%zu outputs %d: separate dx and dx == x differ (rc %d %d, "
                      "index %zu)", path_label(p), rows, cols, which, rc1, rc2, at);
            }
        }
        free(x);
        free(dy);
        free(g);
        free(b);
        free(y);
        free(mean);
        free(rstd);
        free(dx);
        free(ip);
        free(dg);
        free(db);
        free(dg2);
        free(db2);
    }
}

/* ------------------------------------------------------------------------------------ */
/* The pipelined kernels against their parts, bit for bit, on every path that has them: */
/* norm_moments == norm then moments (and about 0, its Σd² == sqdev: RMSNorm's rows);    */
/* norm_add_moments == norm then moments with the add (the sum it stores too);          */
/* bwd_apply_sums == bwd_apply then bwd_sums (the double sums too). A thread's first row */
/* takes the parts, the others the fused kernel, so any drift (an accumulator taking    */
/* other lanes, another tail) breaks thread-count determinism. End to end that drift    */
/* mostly hides (double sums of floats are often exact, or round to the same float), so */
/* the sums are compared here, on values spread over 2^-40..2^40 (wider than a double's */
/* 53 bits hold exactly).                                                               */

static void fill_spread(float *p, size_t n, Rng *r)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (float)ldexp(rng_normal(r) + 3.0, (int)(rng_unif(r) * 81.0) - 40);
}

static void test_pipelined_kernels(Rng *rng)
{
    static const size_t ns[] = {1,  3,  7,  8,   9,   15,  16,   17,  31,
                                33, 48, 64, 100, 255, 768, 1000, 4096};
    size_t ni;
    int k, t, flags;
    for (k = 0; k < N_ALL_PATHS; k++) {
        int p = ALL_PATHS[k], bad = 0, checks = 0;
        const ln__kernels *K;
        if (p == 0 || !path_usable(p)) continue;
        K = ln__kernels_for(p);
        if (!K->norm_moments && !K->bwd_apply_sums) continue;
        for (ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
            for (t = 0; t < 8; t++) { /* t: bit 0 γ NULL, bit 1 β NULL, bit 2 prefetch */
                size_t n = ns[ni];
                float *x = falloc(3 * n), *dy = falloc(3 * n), *g = falloc(n), *b = falloc(n);
                float *y1 = falloc(n), *y2 = falloc(n);
                const float *G = (t & 1) ? NULL : g, *B = (t & 2) ? NULL : b;
                const float *pfx = (t & 4) ? x + 2 * n : NULL, *pfd = (t & 4) ? dy + 2 * n : NULL;
                double o1[3], o2[3];
                fill_spread(x, 3 * n, rng);
                fill_spread(dy, 3 * n, rng);
                fill_spread(g, n, rng);
                fill_spread(b, n, rng);
                if (K->norm_moments) {
                    double kn = (double)x[n], sq;
                    K->norm_moments(y1, x, n, 1.5f, 1e-8f, 0.7f, G, B, x + n, kn, o1, pfx);
                    K->norm(y2, x, n, 1.5f, 1e-8f, 0.7f, G, B, 0, NULL);
                    K->moments(x + n, NULL, NULL, n, kn, o2);
                    bad += !same_bits(y1, y2, n, NULL) || memcmp(o1, o2, 2 * sizeof(double));
                    K->norm_moments(y1, x, n, 1.5f, 1e-8f, 0.7f, G, B, x + n, 0.0, o1, pfx);
                    sq = K->sqdev(x + n, n, 0.0);
                    bad += memcmp(&o1[1], &sq, sizeof sq) != 0;
                    checks += 2;
                }
                if (K->norm_add_moments) { /* residual: dy's rows; next row's sum into s1, s2 */
                    float *s1 = falloc(n), *s2 = falloc(n);
                    double kn = (double)(x[n] + dy[n]);
                    K->norm_add_moments(y1, x, n, 1.5f, 1e-8f, 0.7f, G, B, x + n, dy + n, s1, kn,
                                        o1, pfx, pfd);
                    K->norm(y2, x, n, 1.5f, 1e-8f, 0.7f, G, B, 0, NULL);
                    K->moments(x + n, dy + n, s2, n, kn, o2);
                    bad += !same_bits(y1, y2, n, NULL) || !same_bits(s1, s2, n, NULL) ||
                           memcmp(o1, o2, 2 * sizeof(double));
                    checks++;
                    free(s1);
                    free(s2);
                }
                for (flags = 0; K->bwd_apply_sums && flags <= LN__DX_ACC; flags += LN__DX_ACC) {
                    float m = x[0], mn = x[n];
                    double s[3];
                    ln__bwd_coef c;
                    K->bwd_sums(s, dy, x, G, n, m);
                    ln__coef_from_sums(&c, s, m, 0.37f, n, 0);
                    fill_spread(y1, n, rng); /* dx += ... onto the same start */
                    memcpy(y2, y1, n * sizeof(float));
                    K->bwd_apply_sums(y1, dy, x, G, n, &c, flags, o1, dy + n, x + n, mn, pfx,
                                      pfd);
                    K->bwd_apply(y2, NULL, NULL, dy, x, G, n, &c, flags);
                    K->bwd_sums(o2, dy + n, x + n, G, n, mn);
                    bad += !same_bits(y1, y2, n, NULL) || memcmp(o1, o2, 3 * sizeof(double));
                    checks++;
                }
                free(x);
                free(dy);
                free(g);
                free(b);
                free(y1);
                free(y2);
            }
        CHECK(bad == 0, "[%s] pipelined kernels differ from their parts in %d of %d cases",
              path_label(p), bad, checks);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Non-temporal dx (LN__STREAM) at any alignment.                                       */
/*  - bwd_apply_sums: dx from its first 64-byte boundary, ln__dx_lag lines behind the    */
/*    next row's loads, its tail and head after the loop;                               */
/*  - bwd_apply (rows one by one): swept up or down (ln__sweep_down), with dγ/dβ too.   */
/* The rows sit at chosen offsets from 4 KiB boundaries, so that every lag (0-4) and    */
/* both directions occur; dx, the sums and dγ/dβ must be bitwise those of plain stores, */
/* and nothing around dx may be written.                                                */

static void test_streamed_dx(Rng *rng)
{
    /* offsets in floats from a 4 KiB boundary of x, dy and dx (one row each, then the
       next row of x and dy), the lag ln__dx_lag must give for rows of 4096 columns (16 KiB:
       the next row is at the same offset), and ln__sweep_down's answer.
       Lag: in bytes, dx's first 64-byte boundary dx0 = 4·ceil16(odx); the stores are
       d = dx0 − 64·lag − 4·o (mod 4096) ahead of the loads of x (o = ox) and dy (o = oy);
       lag: the fewest lines with no d in 1..127.
         4, 4, 4      dx0 = 64; d = 48: 48, −16 -> 1 (malloc's rows, 16 B past a page)
         0, 0, 0      d = 0 -> 0
         0, 0, 1      dx0 = 64; d = 64 -> 1 (then 0)
         0, 0, 20     dx0 = 128; d = 128 -> 0
         7, 1000, 24  dx0 = 128; x: d = 100, 36, −28 (lag 2); dy: 128 − 4000 = 224 − 4096,
                      so d = 224 − 64·lag: 96 (lag 2), 32 (lag 3), −32 (lag 4) -> 4
         0, 0, 1020   dx0 = 4096 ≡ 0; d = 0 -> 0 (the head: 4 floats)
       Sweep: dx lies dA = 4·(odx − ox) and dB = 4·(odx − oy) bytes (mod 4096) past x and
       dy; the nearest match sweeping up is min(dA, dB), down min(4096 − dA, 4096 − dB)
       (a source at dx's offset counts 4096 both ways); down when that is further:
         4, 4, 4: 0, 0 -> up;  0, 0, 1: 4, 4 -> up 4, down 4092: down;  0, 0, 20: 80 -> down;
         7, 1000, 24: 68 and 96 − 4000 + 4096 = 192 -> up 68, down 3904: down;
         0, 0, 1020: 4080 -> up 4080, down 16: up */
    static const size_t offs[][5] = {{4, 4, 4, 1, 0},     {0, 0, 0, 0, 0},
                                     {0, 0, 1, 1, 1},     {0, 0, 20, 0, 1},
                                     {7, 1000, 24, 4, 1}, {0, 0, 1020, 0, 0}};
    static const size_t ns[] = {17, 100, 1000, 3072, 4096, 4100};
    size_t oi, ni, i;
    int k, t;
    for (k = 0; k < N_ALL_PATHS; k++) {
        int p = ALL_PATHS[k], bad = 0, checks = 0;
        const ln__kernels *K;
        if (p == 0 || !path_usable(p)) continue;
        K = ln__kernels_for(p);
        for (oi = 0; oi < sizeof offs / sizeof offs[0]; oi++)
            for (ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
                for (t = 0; t < 2; t++) { /* t: γ NULL */
                    size_t n = ns[ni], span = (2 * n + 1024 + 1023) / 1024 * 1024;
                    float *raw = falloc(3 * span + 1024 + 16), *g = falloc(n), *ref = falloc(n);
                    float *base = (float *)(((uintptr_t)raw + 4095u) & ~(uintptr_t)4095u);
                    float *x = base + offs[oi][0], *dy = base + span + offs[oi][1];
                    float *dx = base + 2 * span + offs[oi][2];
                    const float *G = t ? NULL : g;
                    float m = 0.5f, mn = -0.25f, guard = bits_to_float(GUARD_BITS);
                    double o1[3], o2[3], *acc = dalloc(4 * n);
                    ln__bwd_coef c;
                    int wrong = 0, pass;
                    size_t lag = ln__dx_lag(dx + ln__head(dx, n), x + n, dy + n);
                    int down = ln__sweep_down(dx, x, dy);
                    if (n == 4096 && K->bwd_apply_sums && lag != offs[oi][3]) {
                        printf("  ln__dx_lag at offsets %zu %zu %zu: %zu, expected %zu\n",
                               offs[oi][0], offs[oi][1], offs[oi][2], lag, offs[oi][3]);
                        wrong = 1;
                    }
                    if (n == 4096 && down != (int)offs[oi][4]) {
                        printf("  ln__sweep_down at offsets %zu %zu %zu: %d, expected %zu\n",
                               offs[oi][0], offs[oi][1], offs[oi][2], down, offs[oi][4]);
                        wrong = 1;
                    }
                    fill_spread(x, 2 * n, rng);
                    fill_spread(dy, 2 * n, rng);
                    fill_spread(g, n, rng);
                    for (i = 0; i < 2 * n; i++) acc[i] = (double)(i % 7) - 3.0;
                    memcpy(acc + 2 * n, acc, 2 * n * sizeof(double));
                    K->bwd_sums(o2, dy, x, G, n, m);
                    ln__coef_from_sums(&c, o2, m, 0.37f, n, 0);
                    K->bwd_apply(ref, acc + 2 * n, acc + 3 * n, dy, x, G, n, &c, 0);
                    K->bwd_sums(o2, dy + n, x + n, G, n, mn);
                    /* pass 0: bwd_apply_sums (the next row's sums too); 1: bwd_apply, dγ/dβ */
                    for (pass = 0; pass < 2; pass++) {
                        if (pass == 0 && !K->bwd_apply_sums) continue;
                        for (i = 0; i < n + 32; i++) (dx - 16)[i] = guard;
                        if (pass == 0) {
                            K->bwd_apply_sums(dx, dy, x, G, n, &c, LN__STREAM, o1, dy + n,
                                              x + n, mn, NULL, NULL);
                            wrong |= memcmp(o1, o2, 3 * sizeof(double)) != 0;
                        } else {
                            K->bwd_apply(dx, acc, acc + n, dy, x, G, n, &c, LN__STREAM);
                            wrong |= memcmp(acc, acc + 2 * n, 2 * n * sizeof(double)) != 0;
                        }
                        wrong |= !same_bits(dx, ref, n, NULL);
                        for (i = 0; i < 16; i++)
                            wrong |= float_bits((dx - 16)[i]) != GUARD_BITS ||
                                     float_bits(dx[n + i]) != GUARD_BITS;
                    }
                    bad += wrong;
                    checks++;
                    free(raw);
                    free(g);
                    free(ref);
                    free(acc);
                }
        CHECK(bad == 0, "[%s] streamed dx differs from plain stores in %d of %d cases",
              path_label(p), bad, checks);
    }
}

/* ------------------------------------------------------------------------------------ */
/* The CPU-dependent choices (ln__cpu_rule): the forward's rows pipelined or one by one */
/* (ln__fwd_pipe_cols), non-temporal stores or not (ln__stream_for). Every rule must    */
/* give the same bits, whichever one this machine gets. Every path, LayerNorm (with and */
/* without γ/β), RMSNorm and both fused adds forward, LayerNorm's and RMSNorm's         */
/* backward (dγ/dβ too), on widths past the eight-row batches, with rows of one and     */
/* several blocks (LN__BLOCK), with the buffers on 64-byte boundaries and off them.     */
/* Rows of 3072 columns and more take the backward's pipelined rows with non-temporal  */
/* dx (chosen page offsets: test_streamed_dx); on 64-byte boundaries, rows of 256      */
/* stream their dx and rows of 640 their y (ln__stream_for), 129 does neither;         */
/* rows of 16 stream y from the eight-row batches (LN__ROWS8_NT).                       */

static void test_cpu_choices(Rng *rng)
{
    static const size_t widths[] = {16, 129, 256, 640, 768, 2048, 3000, 3072, 4096, 4100, 9000};
    static const size_t nrows[] = {2, 5};
    /* offsets in floats from 64-byte boundaries of x, res (the backward's dy) and y, dx:
       aligned, and as a user's slices might start (dx's head, and its stores off the
       loads' offsets: ln__dx_lag, ln__sweep_down) */
    static const size_t lays[][3] = {{0, 0, 0}, {0, 4, 12}};
    enum { NLAYS = sizeof lays / sizeof lays[0] };
    const int saved = ln__cpu_rule_state;
    size_t wi, ri;
    int k, v;
    for (k = 0; k < N_ALL_PATHS; k++) {
        int p = ALL_PATHS[k], bad = 0, checks = 0;
        if (p == 0 || !path_usable(p)) continue;
        for (wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
            for (ri = 0; ri < sizeof nrows / sizeof nrows[0] * NLAYS; ri++) {
                size_t rows = nrows[ri / NLAYS], li = ri % NLAYS, n = widths[wi], e = rows * n;
                Buf xb = buf_new(e, lays[li][0]), resb = buf_new(e, lays[li][1]), yb[3], dxb[3];
                float *x = xb.p, *res = resb.p, *g = falloc(n), *b = falloc(n);
                float *y[3], *sum[3], *mean[3], *rstd[3], *dx[3], *dg[3], *db[3];
                int c;
                fill_spread(x, e, rng);
                fill_spread(res, e, rng);
                fill_normal(g, n, 1, 0.1, rng);
                fill_normal(b, n, 0, 0.1, rng);
                for (c = 0; c < 3; c++) {
                    yb[c] = buf_new(e, lays[li][2]), sum[c] = falloc(e);
                    dxb[c] = buf_new(e, lays[li][2]);
                    y[c] = yb[c].p, dx[c] = dxb[c].p;
                    mean[c] = falloc(rows), rstd[c] = falloc(rows);
                    dg[c] = falloc(n), db[c] = falloc(n);
                }
                /* v: 0 LayerNorm, 1 without γ/β, 2 RMSNorm, 3 fused add, 4 fused add RMSNorm */
                for (v = 0; v < 5; v++) {
                    int rms = v == 2 || v == 4, add = v >= 3;
                    for (c = 0; c < 3; c++) {
                        /* pipelined at every width; Zen 4's limits, by size; at any size */
                        ln__cpu_rule_state = c + 1;
                        fill_const(y[c], e, -1.0f);
                        fill_const(sum[c], e, -1.0f);
                        fill_const(mean[c], rows, -1.0f);
                        fill_const(rstd[c], rows, -1.0f);
                        ln__forward_rows(p, y[c], add ? sum[c] : NULL, rms ? NULL : mean[c],
                                         rstd[c], x, add ? res : NULL, v == 1 ? NULL : g,
                                         v == 1 || rms ? NULL : b, rows, n, EPS_DEFAULT, rms);
                    }
                    for (c = 1; c < 3; c++) {
                        bad += !same_bits(y[0], y[c], e, NULL) ||
                               !same_bits(sum[0], sum[c], e, NULL) ||
                               !same_bits(mean[0], mean[c], rows, NULL) ||
                               !same_bits(rstd[0], rstd[c], rows, NULL);
                        checks++;
                    }
                    if (v != 0 && v != 2) continue;
                    /* the backward of LayerNorm / RMSNorm with the statistics just saved,
                       dy = res; dx =, then dx += onto it */
                    for (c = 0; c < 3; c++) {
                        int acc;
                        ln__cpu_rule_state = c + 1;
                        fill_const(dg[c], n, 0.25f);
                        fill_const(db[c], n, -0.5f);
                        for (acc = 0; acc < 2; acc++)
                            ln__backward_rows(p, dx[c], dg[c], rms ? NULL : db[c], res, x, g,
                                              rms ? NULL : mean[0], rstd[0], rows, n, rms, acc);
                    }
                    for (c = 1; c < 3; c++) {
                        bad += !same_bits(dx[0], dx[c], e, NULL) ||
                               !same_bits(dg[0], dg[c], n, NULL) ||
                               !same_bits(db[0], db[c], n, NULL);
                        checks++;
                    }
                }
                for (c = 0; c < 3; c++) {
                    buf_free(&yb[c]);
                    free(sum[c]);
                    buf_free(&dxb[c]);
                    free(dg[c]);
                    free(db[c]);
                    free(mean[c]);
                    free(rstd[c]);
                }
                buf_free(&xb);
                buf_free(&resb);
                free(g);
                free(b);
            }
        CHECK(bad == 0, "[%s] the CPU-dependent choices change the bits in %d of %d cases",
              path_label(p), bad, checks);
    }
    ln__cpu_rule_state = saved;
}

/* ------------------------------------------------------------------------------------ */
/* Accumulation of dγ/dβ (+=).                                                          */
/*  - two calls onto zeros: each call's sum is within the bound b = 4·FLT_EPSILON·max|ref|*/
/*    of ref, and the second add rounds once more (0.5 ulp <= FLT_EPSILON·|2·ref_j|/2), */
/*    so |result − 2·ref| <= 2b + FLT_EPSILON·|2·ref_j|;                                 */
/*  - one call onto nonzero c: |result − (c + ref)| <= b + FLT_EPSILON·|c + ref|.        */

static void test_accumulate(Rng *rng)
{
    static const size_t shapes[][2] = {{1, 50}, {6, 77}, {40000, 24}};
    size_t si, j;
    int k;
    for (si = 0; si < 3; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        float *x = falloc(n), *dy = falloc(n), *g = falloc(cols), *y = falloc(n),
              *dx = falloc(n);
        float *dg = falloc(cols), *db = falloc(cols), *c0 = falloc(cols), *c1 = falloc(cols);
        float *mean = falloc(rows), *rstd = falloc(rows);
        Ref R;
        fill_normal(x, n, -1, 2, rng);
        fill_normal(dy, n, 0.2, 1, rng);
        fill_normal(g, cols, 1, 0.1, rng);
        fill_normal(c0, cols, 0, 5, rng);
        fill_normal(c1, cols, 3, 5, rng);
        ref_compute(&R, x, g, NULL, dy, rows, cols, EPS_DEFAULT);
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc, ok2 = 1, okc = 1;
            double bg = 4 * EPSF * R.sdg, bb = 4 * EPSF * R.sdb;
            if (!path_usable(p)) continue;
            rc = run_fwd(p, y, mean, rstd, x, g, NULL, rows, cols, EPS_DEFAULT);
            fill_const(dg, cols, 0);
            fill_const(db, cols, 0);
            rc |= run_bwd(p, dx, dg, db, dy, x, g, mean, rstd, rows, cols);
            rc |= run_bwd(p, dx, dg, db, dy, x, g, mean, rstd, rows, cols);
            for (j = 0; j < cols; j++) {
                if (!(fabs(dg[j] - 2 * R.dg[j]) <= 2 * bg + EPSF * fabs(2 * R.dg[j]))) ok2 = 0;
                if (!(fabs(db[j] - 2 * R.db[j]) <= 2 * bb + EPSF * fabs(2 * R.db[j]))) ok2 = 0;
            }
            CHECK(rc == LN_OK && ok2, "[%s] %zux%zu: two backward calls do not give 2x", path_label(p),
                  rows, cols);
            memcpy(dg, c0, cols * sizeof(float));
            memcpy(db, c1, cols * sizeof(float));
            rc = run_bwd(p, dx, dg, db, dy, x, g, mean, rstd, rows, cols);
            for (j = 0; j < cols; j++) {
                double wg = c0[j] + R.dg[j], wb = c1[j] + R.db[j];
                if (!(fabs(dg[j] - wg) <= bg + EPSF * fabs(wg))) okc = 0;
                if (!(fabs(db[j] - wb) <= bb + EPSF * fabs(wb))) okc = 0;
            }
            CHECK(rc == LN_OK && okc, "[%s] %zux%zu: += onto nonzero dgamma/dbeta is wrong",
                  path_label(p), rows, cols);
        }
        ref_free(&R);
        free(x);
        free(dy);
        free(g);
        free(y);
        free(dx);
        free(dg);
        free(db);
        free(c0);
        free(c1);
        free(mean);
        free(rstd);
    }
}

/* ------------------------------------------------------------------------------------ */
/* A NaN or Inf in one row stays in that row: the other rows' y, mean, rstd and dx are  */
/* bitwise those of a run where the bad row is clean. (dγ/dβ sum over all rows, so they */
/* are excluded.) The bad row itself must show the non-finite value.                     */

static void test_nan_isolation(Rng *rng)
{
    /* narrow rows go eight to a batch, each row loaded 16 floats at a time (3 columns: the
       next rows' too; 27: two vectors): the bad value must stay in its own row */
    static const size_t shapes[][2] = {{8, 100}, {4096, 64}, {3, 70001}, {3, 262147}, {17, 13},
                                       {11, 3}, {9, 27}};
    /* bi = 0..2: one NaN / +Inf / -Inf; bi = 3: a +Inf and a -Inf in the same row */
    const float bad[3] = {NAN, INFINITY, -INFINITY};
    const char *bad_name[4] = {"NaN", "+Inf", "-Inf", "+Inf and -Inf"};
    size_t si;
    int k, bi;
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        size_t br = rows / 2 + 1 < rows ? rows / 2 + 1 : rows - 1, bc = cols / 3;
        float *x = falloc(n), *xb = falloc(n), *dy = falloc(n), *dyb = falloc(n), *g = falloc(cols);
        float *y0 = falloc(n), *y1 = falloc(n), *dx0 = falloc(n), *dx1 = falloc(n);
        float *m0 = falloc(rows), *m1 = falloc(rows), *r0 = falloc(rows), *r1 = falloc(rows);
        fill_normal(x, n, 1, 2, rng);
        fill_normal(dy, n, 0, 1, rng);
        fill_normal(g, cols, 1, 0.1, rng);
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k];
            if (!path_usable(p)) continue;
            run_fwd(p, y0, m0, r0, x, g, NULL, rows, cols, EPS_DEFAULT);
            run_bwd(p, dx0, NULL, NULL, dy, x, g, m0, r0, rows, cols);
            for (bi = 0; bi < 4; bi++) {
                char l[160];
                size_t i, at = 0;
                int ok;
                snprintf(l, sizeof l, "[%s] %zux%zu, %s in row %zu", path_label(p), rows, cols,
                         bad_name[bi], br);
                /* forward with a bad x */
                memcpy(xb, x, n * sizeof(float));
                if (bi < 3) xb[br * cols + bc] = bad[bi];
                else {
                    xb[br * cols + bc] = INFINITY;
                    xb[br * cols + bc / 2] = -INFINITY;
                }
                run_fwd(p, y1, m1, r1, xb, g, NULL, rows, cols, EPS_DEFAULT);
                ok = 1;
                for (i = 0; i < rows && ok; i++) {
                    if (i == br) continue;
                    if (!same_bits(y0 + i * cols, y1 + i * cols, cols, &at) ||
                        float_bits(m0[i]) != float_bits(m1[i]) ||
                        float_bits(r0[i]) != float_bits(r1[i]))
                        ok = 0;
                }
                CHECK(ok, "%s: forward changed row %zu", l, i - 1);
                CHECK(!t_finite(y1[br * cols + bc]) && !t_finite(m1[br]) && !t_finite(r1[br]),
                      "%s: the bad row's y (%g) / mean (%g) / rstd (%g) is finite", l,
                      (double)y1[br * cols + bc], (double)m1[br], (double)r1[br]);
                /* backward with that x and its (non-finite) stats */
                run_bwd(p, dx1, NULL, NULL, dy, xb, g, m1, r1, rows, cols);
                ok = 1;
                for (i = 0; i < rows && ok; i++)
                    if (i != br && !same_bits(dx0 + i * cols, dx1 + i * cols, cols, &at)) ok = 0;
                CHECK(ok, "%s: backward (bad x) changed row %zu", l, i - 1);
                /* backward with a bad dy */
                if (bi == 3) continue;
                memcpy(dyb, dy, n * sizeof(float));
                dyb[br * cols + bc] = bad[bi];
                run_bwd(p, dx1, NULL, NULL, dyb, x, g, m0, r0, rows, cols);
                ok = 1;
                for (i = 0; i < rows && ok; i++)
                    if (i != br && !same_bits(dx0 + i * cols, dx1 + i * cols, cols, &at)) ok = 0;
                CHECK(ok, "%s: backward (bad dy) changed row %zu", l, i - 1);
                CHECK(!t_finite(dx1[br * cols + bc]), "%s: the bad row's dx is finite (%g)",
                      l, (double)dx1[br * cols + bc]);
            }
        }
        free(x);
        free(xb);
        free(dy);
        free(dyb);
        free(g);
        free(y0);
        free(y1);
        free(dx0);
        free(dx1);
        free(m0);
        free(m1);
        free(r0);
        free(r1);
    }
}

/* ------------------------------------------------------------------------------------ */
/* Determinism: for each path, outputs (including dγ/dβ) are bitwise identical on a     */
/* second run and, with OpenMP, for 1, 2, 3 and 4 threads.                              */

typedef struct {
    float *y, *mean, *rstd, *dx, *dg, *db;
} Outs;

static Outs outs_new(size_t rows, size_t cols)
{
    Outs o;
    o.y = falloc(rows * cols);
    o.dx = falloc(rows * cols);
    o.mean = falloc(rows);
    o.rstd = falloc(rows);
    o.dg = falloc(cols);
    o.db = falloc(cols);
    return o;
}

static void outs_free(Outs *o)
{
    free(o->y);
    free(o->dx);
    free(o->mean);
    free(o->rstd);
    free(o->dg);
    free(o->db);
}

static int outs_run(int p, Outs *o, const float *x, const float *dy, const float *g,
                    const float *b, size_t rows, size_t cols)
{
    int rc;
    fill_const(o->dg, cols, 0.25f); /* accumulate onto a nonzero start as well */
    fill_const(o->db, cols, -0.5f);
    rc = run_fwd(p, o->y, o->mean, o->rstd, x, g, b, rows, cols, EPS_DEFAULT);
    rc |= run_bwd(p, o->dx, o->dg, o->db, dy, x, g, o->mean, o->rstd, rows, cols);
    return rc;
}

static int outs_same(const Outs *a, const Outs *b, size_t rows, size_t cols)
{
    return same_bits(a->y, b->y, rows * cols, NULL) && same_bits(a->dx, b->dx, rows * cols, NULL) &&
           same_bits(a->mean, b->mean, rows, NULL) && same_bits(a->rstd, b->rstd, rows, NULL) &&
           same_bits(a->dg, b->dg, cols, NULL) && same_bits(a->db, b->db, cols, NULL);
}

static void test_determinism(Rng *rng)
{
    /* dγ/dβ chunks split over threads, many narrow rows (in batches of eight: 16, 27 and 5
       columns, rows split over threads anywhere in a batch), long rows (pipelined in
       blocks: a thread's first row is not), wide rows (column spans split), and chunks
       bounded by their partials' size; small calls of two chunks (evened out: 64x768 as
       32 + 32 rows, 40x1000 as 20 + 20; 2048x16, LN__CHUNK_ELEMS exactly, as 1024 + 1024) */
    size_t shapes[10][2] = {{4096, 256}, {300000, 16}, {6, 70001}, {5, 262147}, {40, 20000},
                            {9999, 27}, {20001, 5}, {64, 768}, {40, 1000}, {2048, 16}};
    size_t si;
    int k;
    if (test_quick()) shapes[1][0] = 40000;
    for (si = 0; si < 10; si++) {
        size_t rows = shapes[si][0], cols = shapes[si][1], n = rows * cols;
        float *x = falloc(n), *dy = falloc(n), *g = falloc(cols), *b = falloc(cols);
        Outs o0 = outs_new(rows, cols), o1 = outs_new(rows, cols);
        fill_normal(x, n, 5, 2, rng);
        fill_normal(dy, n, 0, 1, rng);
        fill_normal(g, cols, 1, 0.1, rng);
        fill_normal(b, cols, 0, 0.1, rng);
        test_plant_cancelling(dy, rows, cols); /* so that a chunking by thread count fails */
        for (k = 0; k < N_ALL_PATHS; k++) {
            int p = ALL_PATHS[k], rc;
            if (!path_usable(p)) continue;
            rc = outs_run(p, &o0, x, dy, g, b, rows, cols);
            rc |= outs_run(p, &o1, x, dy, g, b, rows, cols);
            CHECK(rc == LN_OK && outs_same(&o0, &o1, rows, cols),
                  "[%s] %zux%zu: two runs differ (rc %d)", path_label(p), rows, cols, rc);
#ifdef _OPENMP
            {
                int t, saved = omp_get_max_threads();
                for (t = 1; t <= 4; t++) {
                    omp_set_num_threads(t);
                    rc = outs_run(p, &o1, x, dy, g, b, rows, cols);
                    CHECK(rc == LN_OK && outs_same(&o0, &o1, rows, cols),
                          "[%s] %zux%zu: %d threads differ from %d (rc %d)", path_label(p),
                          rows, cols, t, saved, rc);
                }
                omp_set_num_threads(saved);
            }
#endif
        }
        free(x);
        free(dy);
        free(g);
        free(b);
        outs_free(&o0);
        outs_free(&o1);
    }
}

/* ------------------------------------------------------------------------------------ */

/* Each section runs in its own process (test_run), with its own seed, and ends by
   checking that the library freed everything it allocated through LN_MALLOC. */
#define SECTION(fn, seed)                                                                  \
    static void sec_##fn(void)                                                             \
    {                                                                                      \
        Rng rng = rng_make(seed);                                                          \
        fn(&rng);                                                                          \
        CHECK(t_nmalloc == t_nfree, "%s: %ld allocations but %ld frees", #fn, t_nmalloc,   \
              t_nfree);                                                                    \
    }
#define SECTION0(fn)                                                                       \
    static void sec_##fn(void)                                                             \
    {                                                                                      \
        fn();                                                                              \
        CHECK(t_nmalloc == t_nfree, "%s: %ld allocations but %ld frees", #fn, t_nmalloc,   \
              t_nfree);                                                                    \
    }
SECTION0(test_strerror_and_paths)
SECTION0(test_hand)
SECTION0(test_bad_input)
SECTION0(test_all_outputs_null)
SECTION0(test_alloc)
SECTION0(test_constant_rows)
SECTION0(test_finite_differences)
SECTION(test_identities, 101)
SECTION(test_null_optionals, 102)
SECTION(test_inplace, 103)
SECTION(test_accumulate, 104)
SECTION(test_nan_isolation, 105)
SECTION(test_shapes, 106)
SECTION(test_families, 107)
SECTION(test_determinism, 108)
SECTION(test_grouped_params_bits, 109)
SECTION(test_pipelined_kernels, 110)
SECTION(test_cpu_choices, 111)
SECTION(test_streamed_dx, 112)

int main(void)
{
#ifdef _OPENMP
    printf("OpenMP: on\n");
#else
    printf("OpenMP: off\n");
#endif
    if (test_quick()) printf("quick mode (LN_TEST_QUICK)\n");
    test_run("ln_strerror, ln_path_*", sec_test_strerror_and_paths);
    test_run("hand-computed forward and backward", sec_test_hand);
    test_run("bad input: exact code, nothing written", sec_test_bad_input);
    test_run("backward with dx, dgamma, dbeta all NULL", sec_test_all_outputs_null);
    test_run("allocation (LN_MALLOC/LN_FREE), LN_ERR_NOMEM", sec_test_alloc);
    test_run("constant rows", sec_test_constant_rows);
    test_run("backward vs central finite differences of a float64 forward",
             sec_test_finite_differences);
    test_run("backward identities: row sums of dx and dx*xhat vanish", sec_test_identities);
    test_run("optional arguments NULL", sec_test_null_optionals);
    test_run("in place: y == x, dx == dy, dx == x", sec_test_inplace);
    test_run("dgamma/dbeta from row groups: bitwise those of row by row",
             sec_test_grouped_params_bits);
    test_run("pipelined kernels: bitwise their parts", sec_test_pipelined_kernels);
    test_run("CPU-dependent choices (pipelined rows, non-temporal stores): the same bits",
             sec_test_cpu_choices);
    test_run("backward, non-temporal dx at any alignment: the same bits",
             sec_test_streamed_dx);
    test_run("dgamma/dbeta accumulate (+=)", sec_test_accumulate);
    test_run("NaN/Inf stay in their row", sec_test_nan_isolation);
    test_run("shapes vs float64 reference (every path)", sec_test_shapes);
    test_run("accuracy families (issue 3), every path", sec_test_families);
    test_run("determinism: repeated runs and thread counts", sec_test_determinism);
    return test_summary();
}
