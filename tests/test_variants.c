/* tests/test_variants.c - tests of the variants (issue 5): RMSNorm, the fused residual
   add, the accumulating backward, and the channels-first (strided) layout.

   Every variant is checked three ways:
   1. against a float64 reference written below (ref_*), with the accuracy bounds of
      issue 3 (in units of FLT_EPSILON):
          y        |y − y_ref|           <= 4 · max(1, |y_ref|)
          dx       |dx − dx_ref|         <= 4 · rstd_row · max_j |γ_j·dy_j|
          dγ, dβ   |d − d_ref|           <= 4 · max over the vector of |d_ref|
      (the reference itself is checked by hand-worked cases and by central finite
      differences of the float64 forward, in test_reference);
   2. against the composition of the base functions on the same code path
      (bitwise where the contract says so, otherwise within twice the bound);
   3. for the conventions: NULL γ/β/stats/outputs, += on dγ/dβ, aliasing, bad input
      (exact code, nothing written), NaN confined to its row, determinism across
      OpenMP thread counts.
   Each check is one "group" (function × property × path); a group fails if any of
   its cases fails, and the first failing cases are printed with their error.
   LN_TEST_QUICK=1 (the sanitizer build) runs fewer families on the wide and 56·56 shapes,
   and the thread-count check on the active path only. */
#if defined(__unix__) || defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L /* fork, waitpid: see run_isolated */
#endif
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"
#include "fp_checks.h"
#include "test.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#define HAVE_FORK 1
#endif

#define EPSF ((double)FLT_EPSILON)
#define BOUND 4.0 /* the issue-3 bound, in FLT_EPSILON units */

/* ---------------------------------------------------------------- groups of checks */

typedef struct {
    char name[96];
    long cases, bad;
    double worst;
    char worst_where[200], first_fail[200];
} group_t;

static group_t g_groups[400];
static int g_ngroups;
static long g_printed;

static group_t *grp(const char *name)
{
    int i;
    for (i = 0; i < g_ngroups; i++)
        if (strcmp(g_groups[i].name, name) == 0) return &g_groups[i];
    if (g_ngroups == (int)(sizeof g_groups / sizeof g_groups[0])) {
        printf("too many groups\n");
        exit(2);
    }
    memset(&g_groups[g_ngroups], 0, sizeof g_groups[0]);
    snprintf(g_groups[g_ngroups].name, sizeof g_groups[0].name, "%s", name);
    return &g_groups[g_ngroups++];
}

/* One case of a group: ok says whether it passed; err (in FLT_EPSILON units, or 0/inf
   for bitwise checks) is kept for the group's summary; fmt says where. */
static T_PRINTF(4, 5) void rec(const char *group, int ok, double err, const char *fmt, ...)
{
    group_t *g = grp(group);
    char where[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, sizeof where, fmt, ap);
    va_end(ap);
    g->cases++;
    if (!(err <= g->worst) || g->cases == 1) {
        if (err == err || g->cases == 1) {
            g->worst = err;
            snprintf(g->worst_where, sizeof g->worst_where, "%s", where);
        }
    }
    if (!ok) {
        if (g->bad == 0) snprintf(g->first_fail, sizeof g->first_fail, "%s", where);
        g->bad++;
        if (g->bad <= 3 && g_printed < 150) {
            g_printed++;
            printf("  case failed [%s] %s (error %.3g)\n", group, where, err);
        }
    }
}

/* Name a group "<what> <path>" in a static buffer. */
static const char *gname(const char *what, const char *path)
{
    static char buf[8][96];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s [%s]", what, path);
    return buf[k];
}

static void report_groups(void)
{
    int i;
    for (i = 0; i < g_ngroups; i++) {
        group_t *g = &g_groups[i];
        CHECK(g->bad == 0 && g->cases > 0, "%s: %ld of %ld cases failed, the first: %s",
              g->name, g->bad, g->cases, g->first_fail);
    }
    if (g_ngroups)
        printf("%d groups; per group: cases, worst error (FLT_EPSILON units for bounds)\n",
               g_ngroups);
    for (i = 0; i < g_ngroups; i++)
        printf("  %-52s %6ld  %8.3g\n", g_groups[i].name, g_groups[i].cases,
               g_groups[i].worst);
    g_ngroups = 0; /* the next section starts afresh */
    g_printed = 0;
}

/* ---------------------------------------------------------------- random numbers */

static uint64_t g_rng = 12345;
static int g_have_spare;
static void rng_seed(uint64_t seed)
{
    g_rng = seed;
    g_have_spare = 0;
}
static uint64_t rng_u64(void)
{
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rng_unif(void) { return (double)(rng_u64() >> 11) * (1.0 / 9007199254740992.0); }
/* Box-Muller; the second value of each pair is kept for the next call */
static double rng_normal(void)
{
    static double spare;
    double u1, u2, rad;
    if (g_have_spare) {
        g_have_spare = 0;
        return spare;
    }
    u1 = rng_unif();
    u2 = rng_unif();
    if (u1 < 1e-300) u1 = 1e-300;
    rad = sqrt(-2.0 * log(u1));
    spare = rad * sin(6.283185307179586 * u2);
    g_have_spare = 1;
    return rad * cos(6.283185307179586 * u2);
}

/* ---------------------------------------------------------------- guarded buffers
   Each buffer sits `off` floats past a 64-byte-aligned start (to test unaligned
   pointers), between guard zones; everything starts as the sentinel byte 0xA5. */

#define GUARD 16
#define SENT 0xA5

typedef struct {
    float *raw, *p;
    size_t n, off;
} fbuf;

static fbuf fb_new(size_t n, size_t off)
{
    fbuf b;
    size_t total = (n + off + 2 * GUARD) * sizeof(float) + 64;
    b.raw = (float *)malloc(total);
    if (!b.raw) {
        printf("out of memory\n");
        exit(2);
    }
    memset(b.raw, SENT, total);
    b.p = (float *)(((uintptr_t)(b.raw + GUARD) + 63) & ~(uintptr_t)63) + off;
    b.n = n;
    b.off = off;
    return b;
}
static void fb_free(fbuf *b)
{
    free(b->raw);
    b->raw = b->p = NULL;
}
static int bytes_all(const void *p, size_t nbytes, unsigned char v)
{
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < nbytes; i++)
        if (c[i] != v) return 0;
    return 1;
}
/* the guard zones are untouched */
static int fb_guards_ok(const fbuf *b)
{
    return bytes_all(b->p - b->off - GUARD, (GUARD + b->off) * sizeof(float), SENT) &&
           bytes_all(b->p + b->n, GUARD * sizeof(float), SENT);
}
/* nothing at all was written */
static int fb_untouched(const fbuf *b)
{
    return bytes_all(b->p - b->off - GUARD, (b->n + b->off + 2 * GUARD) * sizeof(float), SENT);
}
static void fb_copy(fbuf *dst, const float *src) { memcpy(dst->p, src, dst->n * sizeof(float)); }

/* index of the first element whose bits differ, or n if all are equal */
static size_t first_diff(const float *a, const float *b, size_t n)
{
    size_t i;
    if (memcmp(a, b, n * sizeof *a) == 0) return n; /* (fast where it matters: -O0, ASan) */
    for (i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(float)) != 0) return i;
    return n;
}

/* ---------------------------------------------------------------- float64 reference */

/* mean of x, refined by a second pass over the deviations, so that a large mean does not
   cost the reference its digits (a plain double sum of 65536 values near 1e4 is off by
   about 1e-8, which is not small against a spread of 0.01). */
static double ref_mean(const double *x, size_t n)
{
    double s = 0, m, c = 0;
    size_t i;
    for (i = 0; i < n; i++) s += x[i];
    m = s / (double)n;
    for (i = 0; i < n; i++) c += x[i] - m;
    return m + c / (double)n;
}

/* LayerNorm of one row: mean, var (biased), rstd = 1/sqrt(var + eps), y. g, b NULL:
   ones, zeros. */
static void ref_ln_fwd(const double *x, size_t n, const double *g, const double *b, double eps,
                       double *y, double *mean, double *rstd)
{
    double m = ref_mean(x, n), v = 0, r;
    size_t i;
    for (i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
    r = 1.0 / sqrt(v / (double)n + eps);
    for (i = 0; i < n; i++) y[i] = (x[i] - m) * r * (g ? g[i] : 1.0) + (b ? b[i] : 0.0);
    if (mean) *mean = m;
    if (rstd) *rstd = r;
}

/* LayerNorm backward of one row, given rstd (the value forward saved); the mean is
   exact, from x. x̂ = (x − mean)·rstd, g = γ·dy:
   dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) (written if dx), dγ += dy·x̂, dβ += dy. */
static void ref_ln_bwd(const double *x, const double *dy, size_t n, const double *g,
                       double rstd, double *dx, double *dg, double *db)
{
    double m = ref_mean(x, n), sg = 0, sgx = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double gi = (g ? g[i] : 1.0) * dy[i], xh = (x[i] - m) * rstd;
        sg += gi;
        sgx += gi * xh;
    }
    sg /= (double)n;
    sgx /= (double)n;
    for (i = 0; i < n; i++) {
        double gi = (g ? g[i] : 1.0) * dy[i], xh = (x[i] - m) * rstd;
        if (dx) dx[i] = rstd * (gi - sg - xh * sgx);
        if (dg) dg[i] += dy[i] * xh;
        if (db) db[i] += dy[i];
    }
}

/* RMSNorm of one row: rstd = 1/sqrt(Σx²/n + eps), y = x·rstd·γ (x² in double cannot
   overflow for float x). */
static void ref_rms_fwd(const double *x, size_t n, const double *g, double eps, double *y,
                        double *rstd)
{
    double s = 0, r;
    size_t i;
    for (i = 0; i < n; i++) s += x[i] * x[i];
    r = 1.0 / sqrt(s / (double)n + eps);
    for (i = 0; i < n; i++) y[i] = x[i] * r * (g ? g[i] : 1.0);
    if (rstd) *rstd = r;
}

/* RMSNorm backward, derived from y_i = x_i·r·γ_i with ∂r/∂x_j = −r³·x_j/n:
   ∂L/∂x_j = r·g_j − r³·x_j·Σ_i g_i·x_i / n = r·(g_j − x̂_j·mean(g·x̂)), x̂ = x·r;
   dγ_j += dy_j·x̂_j. */
static void ref_rms_bwd(const double *x, const double *dy, size_t n, const double *g,
                        double rstd, double *dx, double *dg)
{
    double sgx = 0;
    size_t i;
    for (i = 0; i < n; i++) sgx += (g ? g[i] : 1.0) * dy[i] * x[i] * rstd;
    sgx /= (double)n;
    for (i = 0; i < n; i++) {
        double gi = (g ? g[i] : 1.0) * dy[i], xh = x[i] * rstd;
        if (dx) dx[i] = rstd * (gi - xh * sgx);
        if (dg) dg[i] += dy[i] * xh;
    }
}

/* ---------------------------------------------------------------- error measures */

/* |a − ref| / scale in FLT_EPSILON units; 0 when equal (also for equal infinities),
   infinite when a is NaN/inf and ref is not, or scale is 0 and they differ. */
static double err1(double a, double ref, double scale)
{
    double d;
    if (a == ref) return 0;
    d = fabs(a - ref);
    if (!t_finite(d) || !(scale > 0)) return INFINITY;
    return d / scale / EPSF;
}
/* y: per element scale max(1, |ref|) */
static double err_y(const float *a, const double *ref, size_t n)
{
    double w = 0, e;
    size_t i;
    for (i = 0; i < n; i++) {
        e = err1(a[i], ref[i], fabs(ref[i]) > 1 ? fabs(ref[i]) : 1.0);
        if (!(e <= w)) w = e;
    }
    return w;
}
/* one scale for the whole array */
static double err_s(const float *a, const double *ref, size_t n, double scale)
{
    double w = 0, e;
    size_t i;
    for (i = 0; i < n; i++) {
        e = err1(a[i], ref[i], scale);
        if (!(e <= w)) w = e;
    }
    return w;
}
/* scale = max |ref| (dγ, dβ) */
static double err_vec(const float *a, const double *ref, size_t n)
{
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++)
        if (fabs(ref[i]) > s) s = fabs(ref[i]);
    return err_s(a, ref, n, s);
}
/* rstd: relative */
static double err_rel(const float *a, const double *ref, size_t n)
{
    double w = 0, e;
    size_t i;
    for (i = 0; i < n; i++) {
        e = err1(a[i], ref[i], fabs(ref[i]));
        if (!(e <= w)) w = e;
    }
    return w;
}
/* dx of one row: scale rstd·max_j|γ_j·dy_j|; acc adds the rounding of the final float add
   of an accumulating backward (eps·|ref| per element: dx_old + t rounds once more). */
static double err_dx_row(const float *a, const double *ref, size_t n, double rstd,
                         const double *g, const double *dy, int acc)
{
    double mg = 0, w = 0, e, s;
    size_t i;
    for (i = 0; i < n; i++) {
        double v = fabs((g ? g[i] : 1.0) * dy[i]);
        if (v > mg) mg = v;
    }
    s = rstd * mg;
    for (i = 0; i < n; i++) {
        if (acc) {
            /* error allowed: 4·s + |ref|, in eps units: convert to the scale s */
            double allow = BOUND * s + fabs(ref[i]);
            e = err1(a[i], ref[i], allow) * BOUND; /* so that e <= BOUND iff within allow */
        } else {
            e = err1(a[i], ref[i], s);
        }
        if (!(e <= w)) w = e;
    }
    return w;
}

/* ---------------------------------------------------------------- paths
   path 0 = the public function (default path); otherwise the ln__*_on twin. */

static int g_paths[5];
static int g_npaths;

static const char *pname(int p) { return p ? ln_path_name(p) : "default"; }

static int do_forward(int p, float *y, float *m, float *r, const float *x, const float *g,
                      const float *b, size_t rows, size_t cols, float eps)
{
    return p ? ln__forward_on(p, y, m, r, x, g, b, rows, cols, eps)
             : ln_forward(y, m, r, x, g, b, rows, cols, eps);
}
static int do_backward(int p, float *dx, float *dg, float *db, const float *dy, const float *x,
                       const float *g, const float *m, const float *r, size_t rows, size_t cols)
{
    return p ? ln__backward_on(p, dx, dg, db, dy, x, g, m, r, rows, cols)
             : ln_backward(dx, dg, db, dy, x, g, m, r, rows, cols);
}
static int do_rms_forward(int p, float *y, float *r, const float *x, const float *g,
                          size_t rows, size_t cols, float eps)
{
    return p ? ln__rms_forward_on(p, y, r, x, g, rows, cols, eps)
             : ln_rms_forward(y, r, x, g, rows, cols, eps);
}
static int do_rms_backward(int p, float *dx, float *dg, const float *dy, const float *x,
                           const float *g, const float *r, size_t rows, size_t cols)
{
    return p ? ln__rms_backward_on(p, dx, dg, dy, x, g, r, rows, cols)
             : ln_rms_backward(dx, dg, dy, x, g, r, rows, cols);
}
static int do_add_forward(int p, float *y, float *s, float *m, float *r, const float *x,
                          const float *res, const float *g, const float *b, size_t rows,
                          size_t cols, float eps)
{
    return p ? ln__add_forward_on(p, y, s, m, r, x, res, g, b, rows, cols, eps)
             : ln_add_forward(y, s, m, r, x, res, g, b, rows, cols, eps);
}
static int do_rms_add_forward(int p, float *y, float *s, float *r, const float *x,
                              const float *res, const float *g, size_t rows, size_t cols,
                              float eps)
{
    return p ? ln__rms_add_forward_on(p, y, s, r, x, res, g, rows, cols, eps)
             : ln_rms_add_forward(y, s, r, x, res, g, rows, cols, eps);
}
static int do_backward_acc(int p, float *dx, float *dg, float *db, const float *dy,
                           const float *x, const float *g, const float *m, const float *r,
                           size_t rows, size_t cols)
{
    return p ? ln__backward_acc_on(p, dx, dg, db, dy, x, g, m, r, rows, cols)
             : ln_backward_acc(dx, dg, db, dy, x, g, m, r, rows, cols);
}
static int do_rms_backward_acc(int p, float *dx, float *dg, const float *dy, const float *x,
                               const float *g, const float *r, size_t rows, size_t cols)
{
    return p ? ln__rms_backward_acc_on(p, dx, dg, dy, x, g, r, rows, cols)
             : ln_rms_backward_acc(dx, dg, dy, x, g, r, rows, cols);
}
static int do_forward_strided(int p, float *y, float *m, float *r, const float *x,
                              const float *g, const float *b, size_t outer, size_t cols,
                              size_t inner, float eps)
{
    return p ? ln__forward_strided_on(p, y, m, r, x, g, b, outer, cols, inner, eps)
             : ln_forward_strided(y, m, r, x, g, b, outer, cols, inner, eps);
}
static int do_backward_strided(int p, float *dx, float *dg, float *db, const float *dy,
                               const float *x, const float *g, const float *m, const float *r,
                               size_t outer, size_t cols, size_t inner)
{
    return p ? ln__backward_strided_on(p, dx, dg, db, dy, x, g, m, r, outer, cols, inner)
             : ln_backward_strided(dx, dg, db, dy, x, g, m, r, outer, cols, inner);
}

/* ---------------------------------------------------------------- input families (issue 3) */

enum { FAM_N01, FAM_MEAN1E4, FAM_MEAN300, FAM_MEAN1, FAM_STD1E3, FAM_1E30, FAM_NEAREPS,
       FAM_CONST, NFAM };
static const char *fam_name[NFAM] = {"N(0,1)",       "1e4+N(0,1)", "300+0.01N", "1+0.001N",
                                     "1e3*N(0,1)",   "1e30*N(0,1)", "var~eps",  "constant"};
static double fam_spread[NFAM] = {1, 1, 0.01, 0.001, 1e3, 1e30, 1e-3, 0};
static float fam_eps(int fam) { return fam == FAM_NEAREPS ? 1e-6f : 1e-5f; }
/* a sample of family fam for logical row `row` (constant rows differ from row to row) */
static float fam_sample(int fam, size_t row)
{
    static const double base[NFAM] = {0, 1e4, 300, 1, 0, 0, 0, 0};
    if (fam == FAM_CONST) return (float)(3.1 + 0.7 * (double)(row % 5));
    return (float)(base[fam] + fam_spread[fam] * rng_normal());
}
/* residual for the fused add: small against the family's spread, 0 for constant rows */
static float fam_residual(int fam) { return (float)(0.5 * fam_spread[fam] * rng_normal()); }

static void fill_normal(float *a, size_t n, double mu, double sd)
{
    size_t i;
    for (i = 0; i < n; i++) a[i] = (float)(mu + sd * rng_normal());
}
static void to_double(double *d, const float *a, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) d[i] = a[i];
}
static double *dalloc(size_t n)
{
    double *d = (double *)calloc(n ? n : 1, sizeof(double));
    if (!d) {
        printf("out of memory\n");
        exit(2);
    }
    return d;
}

/* ================================================================ row variants vs ref
   One case: a path, rows × cols, an input family. Checks rms_forward, rms_backward,
   add_forward, rms_add_forward, backward_acc, rms_backward_acc against the float64
   reference, and the fused/accumulating ones against their base-function composition. */

static void row_case(int p, size_t rows, size_t cols, int fam)
{
    const char *pn = pname(p);
    size_t n = rows * cols, r, i;
    float eps = fam_eps(fam);
    /* unaligned: each buffer gets its own offset, changing with the shape */
    size_t o = cols + rows;
    fbuf x = fb_new(n, o % 4), res = fb_new(n, (o + 1) % 4), dy = fb_new(n, (o + 2) % 4);
    fbuf g = fb_new(cols, (o + 3) % 4), b = fb_new(cols, o % 3);
    fbuf y = fb_new(n, (o + 1) % 3), s = fb_new(n, (o + 2) % 4), mean = fb_new(rows, 1);
    fbuf rstd = fb_new(rows, 2), dx = fb_new(n, (o + 3) % 4), dg = fb_new(cols, o % 2);
    fbuf db = fb_new(cols, (o + 1) % 2);
    fbuf y2 = fb_new(n, 0), m2 = fb_new(rows, 0), r2 = fb_new(rows, 0), dx2 = fb_new(n, 0);
    fbuf dg2 = fb_new(cols, 0), db2 = fb_new(cols, 0);
    float *sf = (float *)malloc(n * sizeof(float)), *d0 = (float *)malloc(n * sizeof(float));
    float *mf = (float *)malloc(rows * sizeof(float)), *rf = (float *)malloc(rows * sizeof(float));
    double *xd = dalloc(n), *sd = dalloc(n), *dyd = dalloc(n), *gd = dalloc(cols),
           *bd = dalloc(cols), *yr = dalloc(n), *mr = dalloc(rows), *rr = dalloc(rows),
           *dxr = dalloc(n), *dgr = dalloc(cols), *dbr = dalloc(cols);
    char where[160];
    int rc;
    double e;

    for (r = 0; r < rows; r++)
        for (i = 0; i < cols; i++) {
            x.p[r * cols + i] = fam_sample(fam, r);
            res.p[r * cols + i] = fam_residual(fam);
        }
    fill_normal(dy.p, n, 0, 1);
    fill_normal(g.p, cols, 1, 0.5);
    fill_normal(b.p, cols, 0, 0.5);
    fill_normal(d0, n, 0, 1);
    for (i = 0; i < n; i++) sf[i] = x.p[i] + res.p[i]; /* the float add, as the contract says */
    to_double(xd, x.p, n);
    to_double(sd, sf, n);
    to_double(dyd, dy.p, n);
    to_double(gd, g.p, cols);
    to_double(bd, b.p, cols);
    snprintf(where, sizeof where, "%zux%zu %s", rows, cols, fam_name[fam]);

    /* ---- ln_rms_forward */
    for (r = 0; r < rows; r++) ref_rms_fwd(xd + r * cols, cols, gd, eps, yr + r * cols, rr + r);
    rc = do_rms_forward(p, y.p, rstd.p, x.p, g.p, rows, cols, eps);
    e = err_y(y.p, yr, n);
    rec(gname("rms_forward y vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_rel(rstd.p, rr, rows);
    rec(gname("rms_forward rstd vs f64", pn), e <= BOUND, e, "%s", where);
    rec(gname("rms_forward guards", pn), fb_guards_ok(&y) && fb_guards_ok(&rstd), 0, "%s", where);

    /* ---- ln_rms_backward, from the rstd of the reference rounded to float */
    for (r = 0; r < rows; r++) rf[r] = (float)rr[r];
    memset(dgr, 0, cols * sizeof(double));
    memset(dg.p, 0, cols * sizeof(float));
    for (r = 0; r < rows; r++)
        ref_rms_bwd(xd + r * cols, dyd + r * cols, cols, gd, rf[r], dxr + r * cols, dgr);
    rc = do_rms_backward(p, dx.p, dg.p, dy.p, x.p, g.p, rf, rows, cols);
    e = 0;
    for (r = 0; r < rows; r++) {
        double er = err_dx_row(dx.p + r * cols, dxr + r * cols, cols, rf[r], gd, dyd + r * cols, 0);
        if (!(er <= e)) e = er;
    }
    rec(gname("rms_backward dx vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_vec(dg.p, dgr, cols);
    rec(gname("rms_backward dgamma vs f64", pn), e <= BOUND, e, "%s", where);
    rec(gname("rms_backward guards", pn), fb_guards_ok(&dx) && fb_guards_ok(&dg), 0, "%s", where);

    /* ---- ln_rms_backward_acc: dx = d0 + t; the composition d0 + ln_rms_backward is bitwise */
    fb_copy(&dx, d0);
    memset(dg.p, 0, cols * sizeof(float));
    rc = do_rms_backward_acc(p, dx.p, dg.p, dy.p, x.p, g.p, rf, rows, cols);
    e = 0;
    for (i = 0; i < n; i++) dxr[i] += d0[i];
    for (r = 0; r < rows; r++) {
        double er = err_dx_row(dx.p + r * cols, dxr + r * cols, cols, rf[r], gd, dyd + r * cols, 1);
        if (!(er <= e)) e = er;
    }
    rec(gname("rms_backward_acc dx vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_vec(dg.p, dgr, cols);
    rec(gname("rms_backward_acc dgamma vs f64", pn), e <= BOUND, e, "%s", where);
    memset(dg2.p, 0, cols * sizeof(float));
    do_rms_backward(p, dx2.p, dg2.p, dy.p, x.p, g.p, rf, rows, cols);
    for (i = 0; i < n; i++) dx2.p[i] = d0[i] + dx2.p[i];
    i = first_diff(dx.p, dx2.p, n);
    rec(gname("rms_backward_acc == d0 + rms_backward (bitwise)", pn),
        i == n && first_diff(dg.p, dg2.p, cols) == cols, i == n ? 0 : INFINITY,
        "%s first dx diff at %zu", where, i);
    rec(gname("rms_backward_acc guards", pn), fb_guards_ok(&dx) && fb_guards_ok(&dg), 0, "%s", where);

    /* ---- ln_rms_add_forward */
    for (r = 0; r < rows; r++) ref_rms_fwd(sd + r * cols, cols, gd, eps, yr + r * cols, rr + r);
    rc = do_rms_add_forward(p, y.p, s.p, rstd.p, x.p, res.p, g.p, rows, cols, eps);
    e = err_y(y.p, yr, n);
    rec(gname("rms_add_forward y vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_rel(rstd.p, rr, rows);
    rec(gname("rms_add_forward rstd vs f64", pn), e <= BOUND, e, "%s", where);
    i = first_diff(s.p, sf, n);
    rec(gname("rms_add_forward sum == x+residual (bitwise)", pn), i == n, 0, "%s at %zu", where, i);
    do_rms_forward(p, y2.p, r2.p, sf, g.p, rows, cols, eps);
    i = first_diff(y.p, y2.p, n);
    rec(gname("rms_add_forward == rms_forward(x+res) (bitwise)", pn),
        i == n && first_diff(rstd.p, r2.p, rows) == rows, 0, "%s first y diff at %zu", where, i);
    rec(gname("rms_add_forward guards", pn),
        fb_guards_ok(&y) && fb_guards_ok(&s) && fb_guards_ok(&rstd), 0, "%s", where);

    /* ---- ln_add_forward */
    for (r = 0; r < rows; r++)
        ref_ln_fwd(sd + r * cols, cols, gd, bd, eps, yr + r * cols, mr + r, rr + r);
    rc = do_add_forward(p, y.p, s.p, mean.p, rstd.p, x.p, res.p, g.p, b.p, rows, cols, eps);
    e = err_y(y.p, yr, n);
    rec(gname("add_forward y vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_rel(rstd.p, rr, rows);
    rec(gname("add_forward rstd vs f64", pn), e <= BOUND, e, "%s", where);
    e = 0;
    for (r = 0; r < rows; r++) { /* mean: scale max(|mean|, mean |x|) */
        double sc = 0, er;
        for (i = 0; i < cols; i++) sc += fabs(sd[r * cols + i]);
        sc /= (double)cols;
        if (fabs(mr[r]) > sc) sc = fabs(mr[r]);
        er = err1(mean.p[r], mr[r], sc);
        if (!(er <= e)) e = er;
    }
    rec(gname("add_forward mean vs f64", pn), e <= BOUND, e, "%s", where);
    i = first_diff(s.p, sf, n);
    rec(gname("add_forward sum == x+residual (bitwise)", pn), i == n, 0, "%s at %zu", where, i);
    do_forward(p, y2.p, m2.p, r2.p, sf, g.p, b.p, rows, cols, eps);
    i = first_diff(y.p, y2.p, n);
    rec(gname("add_forward == forward(x+res) (bitwise)", pn),
        i == n && first_diff(rstd.p, r2.p, rows) == rows &&
            first_diff(mean.p, m2.p, rows) == rows,
        0, "%s first y diff at %zu", where, i);
    rec(gname("add_forward guards", pn),
        fb_guards_ok(&y) && fb_guards_ok(&s) && fb_guards_ok(&rstd) && fb_guards_ok(&mean), 0,
        "%s", where);

    /* ---- ln_backward_acc on x, from the reference's mean and rstd rounded to float */
    for (r = 0; r < rows; r++) {
        ref_ln_fwd(xd + r * cols, cols, gd, bd, eps, yr + r * cols, mr + r, rr + r);
        mf[r] = (float)mr[r];
        rf[r] = (float)rr[r];
    }
    memset(dgr, 0, cols * sizeof(double));
    memset(dbr, 0, cols * sizeof(double));
    for (r = 0; r < rows; r++)
        ref_ln_bwd(xd + r * cols, dyd + r * cols, cols, gd, rf[r], dxr + r * cols, dgr, dbr);
    for (i = 0; i < n; i++) dxr[i] += d0[i];
    fb_copy(&dx, d0);
    memset(dg.p, 0, cols * sizeof(float));
    memset(db.p, 0, cols * sizeof(float));
    rc = do_backward_acc(p, dx.p, dg.p, db.p, dy.p, x.p, g.p, mf, rf, rows, cols);
    e = 0;
    for (r = 0; r < rows; r++) {
        double er = err_dx_row(dx.p + r * cols, dxr + r * cols, cols, rf[r], gd, dyd + r * cols, 1);
        if (!(er <= e)) e = er;
    }
    rec(gname("backward_acc dx vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_vec(dg.p, dgr, cols);
    rec(gname("backward_acc dgamma vs f64", pn), e <= BOUND, e, "%s", where);
    e = err_vec(db.p, dbr, cols);
    rec(gname("backward_acc dbeta vs f64", pn), e <= BOUND, e, "%s", where);
    memset(dg2.p, 0, cols * sizeof(float));
    memset(db2.p, 0, cols * sizeof(float));
    do_backward(p, dx2.p, dg2.p, db2.p, dy.p, x.p, g.p, mf, rf, rows, cols);
    for (i = 0; i < n; i++) dx2.p[i] = d0[i] + dx2.p[i];
    i = first_diff(dx.p, dx2.p, n);
    rec(gname("backward_acc == d0 + backward (bitwise)", pn),
        i == n && first_diff(dg.p, dg2.p, cols) == cols && first_diff(db.p, db2.p, cols) == cols,
        0, "%s first dx diff at %zu", where, i);
    rec(gname("backward_acc guards", pn),
        fb_guards_ok(&dx) && fb_guards_ok(&dg) && fb_guards_ok(&db), 0, "%s", where);

    fb_free(&x); fb_free(&res); fb_free(&dy); fb_free(&g); fb_free(&b); fb_free(&y);
    fb_free(&s); fb_free(&mean); fb_free(&rstd); fb_free(&dx); fb_free(&dg); fb_free(&db);
    fb_free(&y2); fb_free(&m2); fb_free(&r2); fb_free(&dx2); fb_free(&dg2); fb_free(&db2);
    free(sf); free(d0); free(mf); free(rf);
    free(xd); free(sd); free(dyd); free(gd); free(bd); free(yr); free(mr); free(rr);
    free(dxr); free(dgr); free(dbr);
}

static void test_rows(void)
{
    static const size_t around[] = {127, 128, 129, 255, 256, 257, 1023, 1024, 1025,
                                    4095, 4096, 4097, 8193};
    /* long rows (pipelined block by block), and wide ones (dγ/dβ in column spans) */
    const size_t wide = 65536 + 7, wider = 262144 + 7;
    int k, fam;
    size_t c, j;
    for (k = 0; k < g_npaths; k++) {
        int p = g_paths[k];
        for (fam = 0; fam < NFAM; fam++) {
            for (c = 1; c <= 70; c++) row_case(p, 3, c, fam);
            if (!test_quick() || fam == FAM_N01 || fam == FAM_MEAN300)
                for (j = 0; j < sizeof around / sizeof around[0]; j++)
                    row_case(p, 2, around[j], fam);
            if (!test_quick() || (fam == FAM_N01 && test_quick() < 2)) row_case(p, 2, wide, fam);
        }
        if (test_quick() < 2) {
            row_case(p, 2, wider, FAM_MEAN1E4);
            /* tall: dγ/dβ summed over many rows */
            row_case(p, 4099, 32, FAM_N01);
            row_case(p, 4099, 32, FAM_MEAN1E4);
        }
        /* rows of <= 32 go eight at a time: full and partial batches */
        for (c = 1; c <= 33; c += 2) row_case(p, 19, c, c % 4 == 1 ? FAM_MEAN1E4 : FAM_N01);
        row_case(p, 19, 16, FAM_N01);
        row_case(p, 19, 32, FAM_N01);
    }
    /* the public functions (default path; test_default_is_active shows it is the active
       path bitwise, so a lighter sweep) */
    for (fam = 0; fam < NFAM; fam++)
        for (c = 1; c <= 70; c += fam == FAM_N01 ? 1 : 7) row_case(0, 3, c, fam);
    if (test_quick() < 2) {
        row_case(0, 2, wide, FAM_N01);
        row_case(0, 2, wider, FAM_N01);
    }
}

/* ================================================================ strided vs ref, composition */

/* [outer][cols][inner] -> [outer·inner][cols] and back */
static void to_rows(float *dst, const float *src, size_t outer, size_t cols, size_t inner)
{
    size_t o, c, i;
    for (o = 0; o < outer; o++)
        for (c = 0; c < cols; c++)
            for (i = 0; i < inner; i++)
                dst[(o * inner + i) * cols + c] = src[(o * cols + c) * inner + i];
}
static void from_rows(float *dst, const float *src, size_t outer, size_t cols, size_t inner)
{
    size_t o, c, i;
    for (o = 0; o < outer; o++)
        for (c = 0; c < cols; c++)
            for (i = 0; i < inner; i++)
                dst[(o * cols + c) * inner + i] = src[(o * inner + i) * cols + c];
}

static void strided_case(int p, size_t outer, size_t cols, size_t inner, int fam)
{
    const char *pn = pname(p);
    size_t n = outer * cols * inner, nr = outer * inner, o, c, i, k;
    float eps = fam_eps(fam);
    size_t of = outer + cols + inner;
    fbuf x = fb_new(n, of % 4), dy = fb_new(n, (of + 1) % 4), g = fb_new(cols, (of + 2) % 4);
    fbuf b = fb_new(cols, (of + 3) % 4), y = fb_new(n, (of + 2) % 3), mean = fb_new(nr, of % 2);
    fbuf rstd = fb_new(nr, (of + 1) % 2), dx = fb_new(n, (of + 1) % 3), dg = fb_new(cols, 1);
    fbuf db = fb_new(cols, 3);
    float *xr = (float *)malloc(n * sizeof(float)), *dyr = (float *)malloc(n * sizeof(float));
    float *yc = (float *)malloc(n * sizeof(float)), *tr = (float *)malloc(n * sizeof(float));
    float *mc = (float *)malloc(nr * sizeof(float)), *rc_ = (float *)malloc(nr * sizeof(float));
    float *mf = (float *)malloc(nr * sizeof(float)), *rf = (float *)malloc(nr * sizeof(float));
    float *dgc = (float *)calloc(cols, sizeof(float)), *dbc = (float *)calloc(cols, sizeof(float));
    double *gd = dalloc(cols), *bd = dalloc(cols), *col = dalloc(cols), *dcol = dalloc(cols);
    double *yref = dalloc(n), *dxref = dalloc(n), *mref = dalloc(nr), *rref = dalloc(nr);
    double *dgr = dalloc(cols), *dbr = dalloc(cols), *tmp = dalloc(cols), *tmp2 = dalloc(cols);
    char where[160];
    int rc;
    double e;

    for (o = 0; o < outer; o++)
        for (c = 0; c < cols; c++)
            for (i = 0; i < inner; i++) x.p[(o * cols + c) * inner + i] = fam_sample(fam, o * inner + i);
    fill_normal(dy.p, n, 0, 1);
    fill_normal(g.p, cols, 1, 0.5);
    fill_normal(b.p, cols, 0, 0.5);
    to_double(gd, g.p, cols);
    to_double(bd, b.p, cols);
    snprintf(where, sizeof where, "outer %zu cols %zu inner %zu %s", outer, cols, inner,
             fam_name[fam]);

    /* reference, one (outer, inner) pair at a time, gathered over the middle axis */
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            k = o * inner + i;
            for (c = 0; c < cols; c++) {
                col[c] = x.p[(o * cols + c) * inner + i];
                dcol[c] = dy.p[(o * cols + c) * inner + i];
            }
            ref_ln_fwd(col, cols, gd, bd, eps, tmp, &mref[k], &rref[k]);
            for (c = 0; c < cols; c++) yref[(o * cols + c) * inner + i] = tmp[c];
            mf[k] = (float)mref[k];
            rf[k] = (float)rref[k];
            ref_ln_bwd(col, dcol, cols, gd, rf[k], tmp2, dgr, dbr);
            for (c = 0; c < cols; c++) dxref[(o * cols + c) * inner + i] = tmp2[c];
        }

    /* ---- ln_forward_strided */
    rc = do_forward_strided(p, y.p, mean.p, rstd.p, x.p, g.p, b.p, outer, cols, inner, eps);
    e = err_y(y.p, yref, n);
    rec(gname("forward_strided y vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_rel(rstd.p, rref, nr);
    rec(gname("forward_strided rstd vs f64", pn), e <= BOUND, e, "%s", where);
    e = 0;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            double sc = 0, er;
            k = o * inner + i;
            for (c = 0; c < cols; c++) sc += fabs((double)x.p[(o * cols + c) * inner + i]);
            sc /= (double)cols;
            if (fabs(mref[k]) > sc) sc = fabs(mref[k]);
            er = err1(mean.p[k], mref[k], sc);
            if (!(er <= e)) e = er;
        }
    rec(gname("forward_strided mean vs f64", pn), e <= BOUND, e, "%s", where);
    rec(gname("forward_strided guards", pn),
        fb_guards_ok(&y) && fb_guards_ok(&mean) && fb_guards_ok(&rstd), 0, "%s", where);
    /* composition: transpose, ln_forward, transpose back */
    to_rows(xr, x.p, outer, cols, inner);
    do_forward(p, tr, mc, rc_, xr, g.p, b.p, nr, cols, eps);
    from_rows(yc, tr, outer, cols, inner);
    if (inner == 1) {
        i = first_diff(y.p, yc, n);
        rec(gname("forward_strided inner=1 == forward (bitwise)", pn),
            i == n && first_diff(mean.p, mc, nr) == nr && first_diff(rstd.p, rc_, nr) == nr, 0,
            "%s first y diff at %zu", where, i);
    } else {
        /* both sides are within the bound of the reference: they agree within twice it */
        double w = 0;
        for (k = 0; k < n; k++) {
            double sc = fabs(yref[k]) > 1 ? fabs(yref[k]) : 1.0;
            double er = err1(y.p[k], yc[k], sc);
            if (!(er <= w)) w = er;
        }
        for (k = 0; k < nr; k++) { /* and the composition's rstd */
            double er = err1(rstd.p[k], rc_[k], fabs(rref[k]));
            if (!(er <= w)) w = er;
        }
        rec(gname("forward_strided == transpose+forward (2x bound)", pn), w <= 2 * BOUND, w,
            "%s", where);
    }

    /* ---- ln_backward_strided, from the reference stats rounded to float */
    memset(dg.p, 0, cols * sizeof(float));
    memset(db.p, 0, cols * sizeof(float));
    rc = do_backward_strided(p, dx.p, dg.p, db.p, dy.p, x.p, g.p, mf, rf, outer, cols, inner);
    e = 0;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            double mg = 0, sc;
            k = o * inner + i;
            for (c = 0; c < cols; c++) {
                double v = fabs(gd[c] * dy.p[(o * cols + c) * inner + i]);
                if (v > mg) mg = v;
            }
            sc = rf[k] * mg;
            for (c = 0; c < cols; c++) {
                size_t q = (o * cols + c) * inner + i;
                double er = err1(dx.p[q], dxref[q], sc);
                if (!(er <= e)) e = er;
            }
        }
    rec(gname("backward_strided dx vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s rc=%d", where, rc);
    e = err_vec(dg.p, dgr, cols);
    rec(gname("backward_strided dgamma vs f64", pn), e <= BOUND, e, "%s", where);
    e = err_vec(db.p, dbr, cols);
    rec(gname("backward_strided dbeta vs f64", pn), e <= BOUND, e, "%s", where);
    rec(gname("backward_strided guards", pn),
        fb_guards_ok(&dx) && fb_guards_ok(&dg) && fb_guards_ok(&db), 0, "%s", where);
    to_rows(dyr, dy.p, outer, cols, inner);
    do_backward(p, tr, dgc, dbc, dyr, xr, g.p, mf, rf, nr, cols);
    from_rows(yc, tr, outer, cols, inner);
    if (inner == 1) {
        i = first_diff(dx.p, yc, n);
        rec(gname("backward_strided inner=1 == backward (bitwise)", pn),
            i == n && first_diff(dg.p, dgc, cols) == cols && first_diff(db.p, dbc, cols) == cols,
            0, "%s first dx diff at %zu", where, i);
    } else {
        double w = 0, smax;
        for (o = 0; o < outer; o++)
            for (i = 0; i < inner; i++) {
                double mg = 0, sc;
                k = o * inner + i;
                for (c = 0; c < cols; c++) {
                    double v = fabs(gd[c] * dy.p[(o * cols + c) * inner + i]);
                    if (v > mg) mg = v;
                }
                sc = rf[k] * mg;
                for (c = 0; c < cols; c++) {
                    size_t q = (o * cols + c) * inner + i;
                    double er = err1(dx.p[q], yc[q], sc);
                    if (!(er <= w)) w = er;
                }
            }
        smax = 0;
        for (c = 0; c < cols; c++) smax = fabs(dgr[c]) > smax ? fabs(dgr[c]) : smax;
        for (c = 0; c < cols; c++) {
            double er = err1(dg.p[c], dgc[c], smax);
            if (!(er <= w)) w = er;
        }
        smax = 0;
        for (c = 0; c < cols; c++) smax = fabs(dbr[c]) > smax ? fabs(dbr[c]) : smax;
        for (c = 0; c < cols; c++) {
            double er = err1(db.p[c], dbc[c], smax);
            if (!(er <= w)) w = er;
        }
        rec(gname("backward_strided == transpose+backward (2x bound)", pn), w <= 2 * BOUND, w,
            "%s", where);
    }

    fb_free(&x); fb_free(&dy); fb_free(&g); fb_free(&b); fb_free(&y); fb_free(&mean);
    fb_free(&rstd); fb_free(&dx); fb_free(&dg); fb_free(&db);
    free(xr); free(dyr); free(yc); free(tr); free(mc); free(rc_); free(mf); free(rf);
    free(dgc); free(dbc); free(gd); free(bd); free(col); free(dcol); free(yref); free(dxref);
    free(mref); free(rref); free(dgr); free(dbr); free(tmp); free(tmp2);
}

static void test_strided(void)
{
    static const size_t inners[] = {1, 2, 3, 7, 8, 15, 16, 17, 33, 47, 130, 56 * 56};
    static const size_t outers[] = {1, 3};
    static const size_t colss[] = {1, 3, 64, 96};
    static const int fams[] = {FAM_N01, FAM_MEAN1E4, FAM_MEAN300, FAM_MEAN1, FAM_1E30,
                               FAM_NEAREPS, FAM_CONST};
    int k;
    size_t a, bq, c, f;
    for (k = 0; k <= g_npaths; k++) {
        int p = k < g_npaths ? g_paths[k] : 0;
        for (a = 0; a < sizeof inners / sizeof inners[0]; a++)
            for (bq = 0; bq < 2; bq++)
                for (c = 0; c < 4; c++) {
                    if (p == 0 && (inners[a] > 100 || c == 0)) continue; /* default: lighter */
                    if (test_quick() && inners[a] > 100 && (bq == 1 || c == 3)) continue;
                    strided_case(p, outers[bq], colss[c], inners[a], FAM_N01);
                    /* the other families on the smaller shapes, and on 56·56 at outer 1,
                       cols 64 */
                    for (f = 1; f < sizeof fams / sizeof fams[0]; f++)
                        if (inners[a] < 100 || (bq == 0 && c == 2 && !test_quick()))
                            strided_case(p, outers[bq], colss[c], inners[a], fams[f]);
                }
        /* a wide middle axis */
        strided_case(p, 1, 65536 + 3, 3, FAM_N01);
        strided_case(p, 2, 4097, 5, FAM_MEAN300);
        /* whole 64-lane tiles only, and channels past LN__BLOCK with whole tiles */
        strided_case(p, 2, 64, 64, FAM_MEAN1E4);
        strided_case(p, 1, 4097, 70, FAM_N01);
        /* inner >= 256: tiles that prefetch, two that don't, and a partial one (300) */
        strided_case(p, 2, 64, 300, FAM_MEAN300);
        /* more outer slices than the backward's chunks of dγ/dβ (at most 64), so that a
           chunk holds several and the tiles of short slices (inner 40, 130) prefetch the
           next slice of their chunk */
        strided_case(p, 130, 8, 40, FAM_N01);
        strided_case(p, 70, 4, 130, FAM_MEAN300);
    }
}

/* ================================================================ the reference itself */

/* L(x, γ, β) = Σ dy·y(x, γ, β) in double, for finite differences */
static double loss_ln(const double *x, size_t n, const double *g, const double *b, double eps,
                      const double *dy)
{
    double y[32], s = 0;
    size_t i;
    ref_ln_fwd(x, n, g, b, eps, y, NULL, NULL);
    for (i = 0; i < n; i++) s += dy[i] * y[i];
    return s;
}
static double loss_rms(const double *x, size_t n, const double *g, double eps, const double *dy)
{
    double y[32], s = 0;
    size_t i;
    ref_rms_fwd(x, n, g, eps, y, NULL);
    for (i = 0; i < n; i++) s += dy[i] * y[i];
    return s;
}

static void test_reference(void)
{
    static const size_t ns[] = {1, 2, 5, 17, 31};
    double x[32], g[32], b[32], dy[32], dx[32], dg[32], db[32], y[32], m, r;
    size_t t, n, j;

    /* RMSNorm, x = 1,2,3,4, eps = 0: Σx²/4 = 30/4 = 7.5, rstd = 1/sqrt(7.5)
       = 0.36514837167011074, y = x·rstd = 0.36514837, 0.73029674, 1.09544512, 1.46059349 */
    {
        static const double hx[4] = {1, 2, 3, 4};
        static const double hy[4] = {0.36514837167011074, 0.7302967433402215,
                                     1.0954451150103321, 1.4605934866804429};
        ref_rms_fwd(hx, 4, NULL, 0.0, y, &r);
        CHECK(fabs(r - 0.36514837167011074) < 1e-15, "ref rms rstd %.17g", r);
        for (j = 0; j < 4; j++) CHECK(fabs(y[j] - hy[j]) < 1e-15, "ref rms y[%zu] %.17g", j, y[j]);
    }
    /* RMSNorm backward, x = 3,4, eps = 0, dy = 1,0, γ = 1: rstd = 1/sqrt(25/2) = √2/5,
       x̂² = 9/12.5, 16/12.5, so x̂_1·mean(g·x̂) = (9/12.5)/2 = 0.36 and
       x̂_2·mean(g·x̂) = (12/12.5)/2 = 0.48; dx = √2/5·(1 − 0.36, 0 − 0.48)
       = 0.18101933598375618, −0.13576450198781713; dγ = dy·x̂ = 3√2/5 = 0.848528137423857, 0 */
    {
        static const double hx[2] = {3, 4}, hdy[2] = {1, 0};
        dg[0] = dg[1] = 0;
        ref_rms_bwd(hx, hdy, 2, NULL, sqrt(2.0) / 5, dx, dg);
        CHECK(fabs(dx[0] - 0.18101933598375618) < 1e-15 && fabs(dx[1] + 0.13576450198781713) < 1e-15,
              "ref rms dx %.17g %.17g", dx[0], dx[1]);
        CHECK(fabs(dg[0] - 0.848528137423857) < 1e-15 && dg[1] == 0, "ref rms dgamma %.17g", dg[0]);
    }
    /* LayerNorm backward, x = 1,2,3,4, eps = 0: mean 2.5, var 1.25, rstd = 0.894427190999916;
       dy = 1,0,0,0, γ = 1: mean(g) = 0.25, x̂·mean(g·x̂) = −0.45, −0.15, 0.15, 0.45, so
       dx = rstd·(0.3, −0.4, −0.1, 0.2) = 0.2683281573, −0.3577708764, −0.0894427191, 0.1788854382 */
    {
        static const double hx[4] = {1, 2, 3, 4}, hdy[4] = {1, 0, 0, 0};
        static const double hdx[4] = {0.26832815729997478, -0.35777087639996635,
                                      -0.089442719099991588, 0.17888543819998318};
        ref_ln_fwd(hx, 4, NULL, NULL, 0.0, y, &m, &r);
        CHECK(m == 2.5 && fabs(r - 0.89442719099991586) < 1e-15, "ref ln mean %g rstd %.17g", m, r);
        ref_ln_bwd(hx, hdy, 4, NULL, r, dx, NULL, NULL);
        for (j = 0; j < 4; j++) CHECK(fabs(dx[j] - hdx[j]) < 1e-15, "ref ln dx[%zu] %.17g", j, dx[j]);
    }

    /* central differences of the float64 forward: L = Σ dy·y */
    for (t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        double worst_ln = 0, worst_rms = 0, eps = 1e-3, h = 1e-6, mg = 0;
        n = ns[t];
        for (j = 0; j < n; j++) {
            x[j] = (t == 3 ? 5.0 : 0.0) + rng_normal();
            g[j] = 1 + 0.5 * rng_normal();
            b[j] = rng_normal();
            dy[j] = rng_normal();
            if (fabs(g[j] * dy[j]) > mg) mg = fabs(g[j] * dy[j]);
        }
        ref_ln_fwd(x, n, g, b, eps, y, &m, &r);
        memset(dg, 0, sizeof dg);
        memset(db, 0, sizeof db);
        ref_ln_bwd(x, dy, n, g, r, dx, dg, db);
        for (j = 0; j < n; j++) {
            double s = x[j], fd;
            x[j] = s + h; fd = loss_ln(x, n, g, b, eps, dy);
            x[j] = s - h; fd -= loss_ln(x, n, g, b, eps, dy);
            x[j] = s;
            fd /= 2 * h;
            if (fabs(fd - dx[j]) / (r * mg) > worst_ln) worst_ln = fabs(fd - dx[j]) / (r * mg);
            s = g[j];
            g[j] = s + h; fd = loss_ln(x, n, g, b, eps, dy);
            g[j] = s - h; fd -= loss_ln(x, n, g, b, eps, dy);
            g[j] = s;
            fd /= 2 * h;
            if (fabs(fd - dg[j]) > worst_ln) worst_ln = fabs(fd - dg[j]);
            s = b[j];
            b[j] = s + h; fd = loss_ln(x, n, g, b, eps, dy);
            b[j] = s - h; fd -= loss_ln(x, n, g, b, eps, dy);
            b[j] = s;
            fd /= 2 * h;
            if (fabs(fd - db[j]) > worst_ln) worst_ln = fabs(fd - db[j]);
        }
        CHECK(worst_ln < 1e-7, "ref ln backward vs finite differences, n=%zu: %.3g", n, worst_ln);

        ref_rms_fwd(x, n, g, eps, y, &r);
        memset(dg, 0, sizeof dg);
        ref_rms_bwd(x, dy, n, g, r, dx, dg);
        for (j = 0; j < n; j++) {
            double s = x[j], fd;
            x[j] = s + h; fd = loss_rms(x, n, g, eps, dy);
            x[j] = s - h; fd -= loss_rms(x, n, g, eps, dy);
            x[j] = s;
            fd /= 2 * h;
            if (fabs(fd - dx[j]) / (r * mg) > worst_rms) worst_rms = fabs(fd - dx[j]) / (r * mg);
            s = g[j];
            g[j] = s + h; fd = loss_rms(x, n, g, eps, dy);
            g[j] = s - h; fd -= loss_rms(x, n, g, eps, dy);
            g[j] = s;
            fd /= 2 * h;
            if (fabs(fd - dg[j]) > worst_rms) worst_rms = fabs(fd - dg[j]);
        }
        CHECK(worst_rms < 1e-7, "ref rms backward vs finite differences, n=%zu: %.3g", n, worst_rms);
    }
}

/* ================================================================ hand-worked library cases */

static void test_hand(void)
{
    float y[4], s[4], m[2], r[2], dx[4], dg[4], db[4];
    int rc;
    /* RMSNorm x = 1,2,3,4, eps 0: y = 0.36514837, 0.73029674, 1.09544512, 1.46059349 */
    {
        static const float x[4] = {1, 2, 3, 4};
        static const double hy[4] = {0.36514837167011074, 0.7302967433402215,
                                     1.0954451150103321, 1.4605934866804429};
        rc = ln_rms_forward(y, r, x, NULL, 1, 4, 0.0f);
        CHECK(rc == LN_OK && err_y(y, hy, 4) <= BOUND && fabs(r[0] - 0.36514837167011074) <= 4 * EPSF,
              "rms x=1..4: rc %d y %.9g %.9g %.9g %.9g rstd %.9g", rc, y[0], y[1], y[2], y[3], r[0]);
    }
    /* RMSNorm, eps = 0.5: rstd = 1/sqrt(7.5 + 0.5) = 1/sqrt(8) = 0.35355339;
       γ = 2: y = 2·x·0.35355339 = 0.70710678, 1.41421356, 2.12132034, 2.82842712 */
    {
        static const float x[4] = {1, 2, 3, 4}, g[4] = {2, 2, 2, 2};
        static const double hy[4] = {0.70710678118654752, 1.4142135623730950,
                                     2.1213203435596426, 2.8284271247461901};
        rc = ln_rms_forward(y, r, x, g, 1, 4, 0.5f);
        CHECK(rc == LN_OK && err_y(y, hy, 4) <= BOUND && fabs(r[0] - 0.35355339059327373) <= 4 * EPSF,
              "rms eps=0.5: rc %d y %.9g %.9g %.9g %.9g", rc, y[0], y[1], y[2], y[3]);
    }
    /* RMSNorm backward x = 3,4, dy = 1,0, rstd = √2/5: dx = 0.18101934, −0.13576450,
       dγ += 0.84852814, 0 (initial dγ 1, 1 -> 1.84852814, 1) */
    {
        static const float x[2] = {3, 4}, dy[2] = {1, 0};
        float rs = (float)(sqrt(2.0) / 5);
        dg[0] = dg[1] = 1;
        rc = ln_rms_backward(dx, dg, dy, x, NULL, &rs, 1, 2);
        CHECK(rc == LN_OK && fabs(dx[0] - 0.18101933598375618) <= 4 * EPSF * 0.2829 &&
                  fabs(dx[1] + 0.13576450198781713) <= 4 * EPSF * 0.2829 &&
                  fabs(dg[0] - 1.848528137423857) <= 4 * EPSF * 1.8486 && dg[1] == 1,
              "rms backward x=3,4: rc %d dx %.9g %.9g dg %.9g %.9g", rc, dx[0], dx[1], dg[0], dg[1]);
    }
    /* fused add: x = 1,2 + residual 0.5,−4 = sum 1.5,−2; mean −0.25, deviations ±1.75,
       var 3.0625, eps 0: rstd = 1/1.75 = 0.57142857; x̂ = 1,−1; γ = 2,3, β = 0.5,0.5:
       y = 2.5, −2.5 */
    {
        static const float x[2] = {1, 2}, res[2] = {0.5f, -4}, g[2] = {2, 3}, b[2] = {0.5f, 0.5f};
        static const double hy[2] = {2.5, -2.5};
        rc = ln_add_forward(y, s, m, r, x, res, g, b, 1, 2, 0.0f);
        CHECK(rc == LN_OK && s[0] == 1.5f && s[1] == -2.0f && m[0] == -0.25f &&
                  fabs(r[0] - 1 / 1.75) <= 4 * EPSF / 1.75 && err_y(y, hy, 2) <= BOUND,
              "add 1,2 + 0.5,-4: rc %d sum %g %g mean %g rstd %.9g y %.9g %.9g", rc, s[0], s[1],
              m[0], r[0], y[0], y[1]);
        /* RMS of the same sum: Σs²/2 = (2.25 + 4)/2 = 3.125, rstd = 1/sqrt(3.125) = 0.56568542;
           y = s·rstd·γ = 1.5·0.56568542·2, −2·0.56568542·3 = 1.69705627, −3.39411255 */
        {
            static const double hy2[2] = {1.6970562748477141, -3.3941125496954282};
            rc = ln_rms_add_forward(y, s, r, x, res, g, 1, 2, 0.0f);
            CHECK(rc == LN_OK && s[0] == 1.5f && s[1] == -2.0f && err_y(y, hy2, 2) <= BOUND,
                  "rms_add: rc %d y %.9g %.9g", rc, y[0], y[1]);
        }
    }
    /* accumulating backward, x = 1,2,3,4, dy = 1,0,0,0, mean 2.5, rstd 0.89442719 (eps 0):
       t = 0.26832816, −0.35777088, −0.08944272, 0.17888544 (see test_reference);
       dx = 10,20,30,40 + t; dγ += dy·x̂ = −1.34164079,0,0,0; dβ += 1,0,0,0 */
    {
        static const float x[4] = {1, 2, 3, 4}, dy[4] = {1, 0, 0, 0};
        static const double hdx[4] = {10.268328157299975, 19.642229123600034,
                                      29.910557280900008, 40.178885438199983};
        float mm = 2.5f, rs = 0.894427190999916f;
        double e = 0;
        int j;
        for (j = 0; j < 4; j++) {
            dx[j] = (float)(10 * (j + 1));
            dg[j] = db[j] = 0;
        }
        rc = ln_backward_acc(dx, dg, db, dy, x, NULL, &mm, &rs, 1, 4);
        for (j = 0; j < 4; j++) {
            double er = fabs(dx[j] - hdx[j]) / (4 * EPSF * 0.8945 + EPSF * fabs(hdx[j]));
            if (er > e) e = er;
        }
        CHECK(rc == LN_OK && e <= 1 && fabs(dg[0] + 1.3416407864998738) <= 4 * EPSF * 1.3417 &&
                  dg[1] == 0 && dg[2] == 0 && dg[3] == 0 && db[0] == 1 && db[1] == 0,
              "backward_acc x=1..4: rc %d dx %.9g %.9g %.9g %.9g dg0 %.9g", rc, dx[0], dx[1],
              dx[2], dx[3], dg[0]);
    }
    /* channels-first, outer 1, cols 2, inner 2, memory [c][i] = 1, 10, 3, 30, eps 0:
       pair i=0 is (1, 3): mean 2, var 1, rstd 1, y = −1, 1;
       pair i=1 is (10, 30): mean 20, var 100, rstd 0.1, y = −1, 1;
       so y (memory order) = −1, −1, 1, 1, mean = 2, 20, rstd = 1, 0.1 */
    {
        static const float x[4] = {1, 10, 3, 30};
        static const double hy[4] = {-1, -1, 1, 1};
        rc = ln_forward_strided(y, m, r, x, NULL, NULL, 1, 2, 2, 0.0f);
        CHECK(rc == LN_OK && err_y(y, hy, 4) <= BOUND && m[0] == 2 && m[1] == 20 && r[0] == 1 &&
                  fabs(r[1] - 0.1) <= 4 * EPSF * 0.1,
              "strided 1,10,3,30: rc %d y %.9g %.9g %.9g %.9g mean %g %g rstd %.9g %.9g", rc, y[0],
              y[1], y[2], y[3], m[0], m[1], r[0], r[1]);
    }
}

/* ================================================================ conventions */

#define SAME(a, b, n) (first_diff((a), (b), (n)) == (n))

/* a float array filled with the sentinel byte */
static float *fa(size_t n)
{
    float *a = (float *)malloc((n ? n : 1) * sizeof(float));
    if (!a) {
        printf("out of memory\n");
        exit(2);
    }
    memset(a, SENT, (n ? n : 1) * sizeof(float));
    return a;
}
static float *fcopy(const float *src, size_t n)
{
    float *a = fa(n);
    memcpy(a, src, n * sizeof(float));
    return a;
}

/* Runs fn(arg) in a child process where fork exists, so that a crash counts as one failed
   case instead of ending the suite. Returns fn's status code (LN_OK or LN_ERR_*), or
   -1000 - signal if the child was killed. */
static int run_isolated(int (*fn)(void *), void *arg)
{
#ifdef HAVE_FORK
    pid_t pid;
    int st = 0;
    fflush(stdout);
    pid = fork();
    if (pid == 0) _exit(fn(arg) + 100);
    if (pid < 0 || waitpid(pid, &st, 0) != pid) return fn(arg);
    if (WIFSIGNALED(st)) return -1000 - WTERMSIG(st);
    return WIFEXITED(st) ? WEXITSTATUS(st) - 100 : -2000;
#else
    return fn(arg);
#endif
}

/* The inputs of one rows × cols case, with the reference stats of x (LN: mf, rf; RMS:
   rr) rounded to float, as a forward would have saved them. */
typedef struct {
    size_t rows, cols, n;
    float eps;
    float *x, *res, *dy, *g, *b, *d0, *sf, *mf, *rf, *rr;
    double *xd, *dyd, *sd;
} inputs;

static void inputs_make(inputs *in, size_t rows, size_t cols)
{
    size_t n = rows * cols, r, i;
    double *tmp = dalloc(cols), m, rs;
    in->rows = rows;
    in->cols = cols;
    in->n = n;
    in->eps = 1e-5f;
    in->x = fa(n); in->res = fa(n); in->dy = fa(n); in->g = fa(cols); in->b = fa(cols);
    in->d0 = fa(n); in->sf = fa(n); in->mf = fa(rows); in->rf = fa(rows); in->rr = fa(rows);
    in->xd = dalloc(n); in->dyd = dalloc(n); in->sd = dalloc(n);
    fill_normal(in->x, n, 0.5, 1);
    fill_normal(in->res, n, 0, 1);
    fill_normal(in->dy, n, 0, 1);
    fill_normal(in->g, cols, 1, 0.5);
    fill_normal(in->b, cols, 0, 0.5);
    fill_normal(in->d0, n, 0, 1);
    for (i = 0; i < n; i++) in->sf[i] = in->x[i] + in->res[i];
    to_double(in->xd, in->x, n);
    to_double(in->dyd, in->dy, n);
    to_double(in->sd, in->sf, n);
    for (r = 0; r < rows; r++) {
        ref_ln_fwd(in->xd + r * cols, cols, NULL, NULL, in->eps, tmp, &m, &rs);
        in->mf[r] = (float)m;
        in->rf[r] = (float)rs;
        ref_rms_fwd(in->xd + r * cols, cols, NULL, in->eps, tmp, &rs);
        in->rr[r] = (float)rs;
    }
    free(tmp);
}
static void inputs_free(inputs *in)
{
    free(in->x); free(in->res); free(in->dy); free(in->g); free(in->b); free(in->d0);
    free(in->sf); free(in->mf); free(in->rf); free(in->rr);
    free(in->xd); free(in->dyd); free(in->sd);
}

/* largest dx error over the rows (see err_dx_row), for row-major buffers */
static double err_dx(const inputs *in, const float *dx, const double *ref, const float *rstd,
                     const double *gd, int acc)
{
    double e = 0, er;
    size_t r, c = in->cols;
    for (r = 0; r < in->rows; r++) {
        er = err_dx_row(dx + r * c, ref + r * c, c, rstd[r], gd, in->dyd + r * c, acc);
        if (!(er <= e)) e = er;
    }
    return e;
}

/* a backward with every output NULL must do nothing and succeed */
typedef struct {
    int f, p;
    const float *dy, *x, *g, *m, *r;
    size_t a, b, c;
} all_null_arg;
static int all_null_call(void *v)
{
    const all_null_arg *q = (const all_null_arg *)v;
    switch (q->f) {
    case 0: return do_rms_backward(q->p, NULL, NULL, q->dy, q->x, q->g, q->r, q->a, q->b);
    case 1: return do_rms_backward_acc(q->p, NULL, NULL, q->dy, q->x, q->g, q->r, q->a, q->b);
    case 2:
        return do_backward_acc(q->p, NULL, NULL, NULL, q->dy, q->x, q->g, q->m, q->r, q->a, q->b);
    default:
        return do_backward_strided(q->p, NULL, NULL, NULL, q->dy, q->x, q->g, q->m, q->r, q->a,
                                   q->b, q->c);
    }
}
static void check_all_null(int f, int p, const float *dy, const float *x, const float *g,
                           const float *m, const float *r, size_t a, size_t b, size_t c)
{
    static const char *nm[] = {"rms_backward", "rms_backward_acc", "backward_acc",
                               "backward_strided"};
    all_null_arg q;
    int rc;
    q.f = f; q.p = p; q.dy = dy; q.x = x; q.g = g; q.m = m; q.r = r; q.a = a; q.b = b; q.c = c;
    rc = run_isolated(all_null_call, &q);
    rec(gname("backward variants, all outputs NULL: LN_OK (in a child process)", pname(p)),
        rc == LN_OK, 0, "%s %zu,%zu,%zu: rc %d%s", nm[f], a, b, c, rc,
        rc <= -1000 ? " (crashed)" : "");
}

static void conv_case(int p, size_t rows, size_t cols)
{
    const char *pn = pname(p);
    inputs in;
    size_t n = rows * cols, r, c, i;
    float *y, *y2, *s, *s2, *m, *m2, *rs, *rs2, *dx, *dx2, *dg, *dg2, *db, *db2, *gi, *bi;
    double *yr = dalloc(n), *mr = dalloc(rows), *rr = dalloc(rows), *dxr = dalloc(n),
           *dgr = dalloc(cols), *dbr = dalloc(cols), *gd = dalloc(cols), *bd = dalloc(cols);
    double e, e2, e3;
    int rc, k;
    char where[64];

    inputs_make(&in, rows, cols);
    y = fa(n); y2 = fa(n); s = fa(n); s2 = fa(n); m = fa(rows); m2 = fa(rows); rs = fa(rows);
    rs2 = fa(rows); dx = fa(n); dx2 = fa(n); dg = fa(cols); dg2 = fa(cols); db = fa(cols);
    db2 = fa(cols); gi = fa(cols); bi = fa(cols);
    to_double(gd, in.g, cols);
    to_double(bd, in.b, cols);
    snprintf(where, sizeof where, "%zux%zu", rows, cols);

    /* ---- NULL γ (and β) mean ones (zeros): compare with the reference */
    for (r = 0; r < rows; r++) ref_rms_fwd(in.xd + r * cols, cols, NULL, in.eps, yr + r * cols, rr + r);
    rc = do_rms_forward(p, y, rs, in.x, NULL, rows, cols, in.eps);
    e = err_y(y, yr, n);
    rec(gname("rms_forward gamma NULL vs f64", pn), rc == LN_OK && e <= BOUND, e, "%s", where);
    for (r = 0; r < rows; r++) ref_rms_fwd(in.sd + r * cols, cols, NULL, in.eps, yr + r * cols, rr + r);
    rc = do_rms_add_forward(p, y, s, rs, in.x, in.res, NULL, rows, cols, in.eps);
    e = err_y(y, yr, n);
    rec(gname("rms_add_forward gamma NULL vs f64", pn), rc == LN_OK && e <= BOUND && SAME(s, in.sf, n),
        e, "%s", where);
    for (k = 0; k < 3; k++) { /* γ NULL, β NULL, both */
        const double *gk = k == 1 ? gd : NULL, *bk = k == 0 ? bd : NULL;
        for (r = 0; r < rows; r++)
            ref_ln_fwd(in.sd + r * cols, cols, gk, bk, in.eps, yr + r * cols, mr + r, rr + r);
        rc = do_add_forward(p, y, s, m, rs, in.x, in.res, k == 1 ? in.g : NULL,
                            k == 0 ? in.b : NULL, rows, cols, in.eps);
        e = err_y(y, yr, n);
        rec(gname("add_forward gamma/beta NULL vs f64", pn), rc == LN_OK && e <= BOUND, e,
            "%s %s", where, k == 0 ? "gamma NULL" : k == 1 ? "beta NULL" : "both NULL");
    }
    memset(dgr, 0, cols * sizeof(double));
    for (r = 0; r < rows; r++)
        ref_rms_bwd(in.xd + r * cols, in.dyd + r * cols, cols, NULL, in.rr[r], dxr + r * cols, dgr);
    memset(dg, 0, cols * sizeof(float));
    rc = do_rms_backward(p, dx, dg, in.dy, in.x, NULL, in.rr, rows, cols);
    e = err_dx(&in, dx, dxr, in.rr, NULL, 0);
    e2 = err_vec(dg, dgr, cols);
    rec(gname("rms_backward gamma NULL vs f64", pn), rc == LN_OK && e <= BOUND && e2 <= BOUND,
        e > e2 ? e : e2, "%s", where);
    for (i = 0; i < n; i++) dxr[i] += in.d0[i];
    memcpy(dx, in.d0, n * sizeof(float));
    memset(dg, 0, cols * sizeof(float));
    rc = do_rms_backward_acc(p, dx, dg, in.dy, in.x, NULL, in.rr, rows, cols);
    e = err_dx(&in, dx, dxr, in.rr, NULL, 1);
    e2 = err_vec(dg, dgr, cols);
    rec(gname("rms_backward_acc gamma NULL vs f64", pn), rc == LN_OK && e <= BOUND && e2 <= BOUND,
        e > e2 ? e : e2, "%s", where);
    memset(dgr, 0, cols * sizeof(double));
    memset(dbr, 0, cols * sizeof(double));
    for (r = 0; r < rows; r++)
        ref_ln_bwd(in.xd + r * cols, in.dyd + r * cols, cols, NULL, in.rf[r], dxr + r * cols, dgr, dbr);
    for (i = 0; i < n; i++) dxr[i] += in.d0[i];
    memcpy(dx, in.d0, n * sizeof(float));
    memset(dg, 0, cols * sizeof(float));
    memset(db, 0, cols * sizeof(float));
    rc = do_backward_acc(p, dx, dg, db, in.dy, in.x, NULL, in.mf, in.rf, rows, cols);
    e = err_dx(&in, dx, dxr, in.rf, NULL, 1);
    e2 = err_vec(dg, dgr, cols);
    e3 = err_vec(db, dbr, cols);
    rec(gname("backward_acc gamma NULL vs f64", pn),
        rc == LN_OK && e <= BOUND && e2 <= BOUND && e3 <= BOUND, e > e2 ? e : e2, "%s", where);

    /* ---- optional stats: NULL changes nothing else (same path: bitwise) */
    do_rms_forward(p, y, rs, in.x, in.g, rows, cols, in.eps);
    rc = do_rms_forward(p, y2, NULL, in.x, in.g, rows, cols, in.eps);
    rec(gname("rms_forward rstd NULL: same y", pn), rc == LN_OK && SAME(y, y2, n), 0, "%s", where);
    do_rms_add_forward(p, y, s, rs, in.x, in.res, in.g, rows, cols, in.eps);
    rc = do_rms_add_forward(p, y2, s2, NULL, in.x, in.res, in.g, rows, cols, in.eps);
    rec(gname("rms_add_forward rstd NULL: same y, sum", pn),
        rc == LN_OK && SAME(y, y2, n) && SAME(s, s2, n), 0, "%s", where);
    do_add_forward(p, y, s, m, rs, in.x, in.res, in.g, in.b, rows, cols, in.eps);
    for (k = 0; k < 3; k++) {
        memset(m2, SENT, rows * sizeof(float));
        memset(rs2, SENT, rows * sizeof(float));
        rc = do_add_forward(p, y2, s2, k == 1 ? m2 : NULL, k == 0 ? rs2 : NULL, in.x, in.res,
                            in.g, in.b, rows, cols, in.eps);
        rec(gname("add_forward mean/rstd NULL: same y, sum, other stat", pn),
            rc == LN_OK && SAME(y, y2, n) && SAME(s, s2, n) && (k != 1 || SAME(m, m2, rows)) &&
                (k != 0 || SAME(rs, rs2, rows)),
            0, "%s k=%d", where, k);
    }

    /* ---- optional gradients: NULL skips one output, the others are unchanged (bitwise) */
    memset(dg, 0, cols * sizeof(float));
    rc = do_rms_backward(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    memset(dg2, 0, cols * sizeof(float));
    memset(dx2, SENT, n * sizeof(float));
    rc |= do_rms_backward(p, NULL, dg2, in.dy, in.x, in.g, in.rr, rows, cols);
    rc |= do_rms_backward(p, dx2, NULL, in.dy, in.x, in.g, in.rr, rows, cols);
    rec(gname("rms_backward dx/dgamma NULL: other output unchanged", pn),
        rc == LN_OK && SAME(dx, dx2, n) && SAME(dg, dg2, cols), 0, "%s", where);
    memcpy(dx, in.d0, n * sizeof(float));
    memset(dg, 0, cols * sizeof(float));
    rc = do_rms_backward_acc(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    memcpy(dx2, in.d0, n * sizeof(float));
    memset(dg2, 0, cols * sizeof(float));
    rc |= do_rms_backward_acc(p, NULL, dg2, in.dy, in.x, in.g, in.rr, rows, cols);
    rc |= do_rms_backward_acc(p, dx2, NULL, in.dy, in.x, in.g, in.rr, rows, cols);
    rec(gname("rms_backward_acc dx/dgamma NULL: other output unchanged", pn),
        rc == LN_OK && SAME(dx, dx2, n) && SAME(dg, dg2, cols), 0, "%s", where);
    memcpy(dx, in.d0, n * sizeof(float));
    memset(dg, 0, cols * sizeof(float));
    memset(db, 0, cols * sizeof(float));
    rc = do_backward_acc(p, dx, dg, db, in.dy, in.x, in.g, in.mf, in.rf, rows, cols);
    for (k = 0; k < 3; k++) {
        int rc2;
        memcpy(dx2, in.d0, n * sizeof(float));
        memset(dg2, 0, cols * sizeof(float));
        memset(db2, 0, cols * sizeof(float));
        rc2 = do_backward_acc(p, k == 0 ? NULL : dx2, k == 1 ? NULL : dg2, k == 2 ? NULL : db2,
                              in.dy, in.x, in.g, in.mf, in.rf, rows, cols);
        rec(gname("backward_acc dx/dgamma/dbeta NULL: others unchanged", pn),
            rc == LN_OK && rc2 == LN_OK && (k == 0 || SAME(dx, dx2, n)) &&
                (k == 1 || SAME(dg, dg2, cols)) && (k == 2 || SAME(db, db2, cols)),
            0, "%s NULL #%d", where, k);
    }
    if (rows == 3) { /* once per path: a child process per check is not free */
        check_all_null(0, p, in.dy, in.x, in.g, NULL, in.rr, rows, cols, 1);
        check_all_null(1, p, in.dy, in.x, in.g, NULL, in.rr, rows, cols, 1);
        check_all_null(2, p, in.dy, in.x, in.g, in.mf, in.rf, rows, cols, 1);
    }

    /* ---- += on dγ/dβ (nonzero start, two calls), and on dx for the _acc forms */
    for (c = 0; c < cols; c++) {
        gi[c] = (float)rng_normal();
        bi[c] = (float)rng_normal();
    }
    memset(dgr, 0, cols * sizeof(double));
    for (k = 0; k < 2; k++)
        for (r = 0; r < rows; r++)
            ref_rms_bwd(in.xd + r * cols, in.dyd + r * cols, cols, gd, in.rr[r], dxr + r * cols, dgr);
    for (c = 0; c < cols; c++) dgr[c] += gi[c];
    memcpy(dg, gi, cols * sizeof(float));
    rc = do_rms_backward(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    rc |= do_rms_backward(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    e = err_vec(dg, dgr, cols);
    rec(gname("rms_backward dgamma += (2 calls, nonzero start)", pn), rc == LN_OK && e <= BOUND, e,
        "%s", where);
    memcpy(dg, gi, cols * sizeof(float));
    memcpy(dx, in.d0, n * sizeof(float));
    rc = do_rms_backward_acc(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    rc |= do_rms_backward_acc(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    e = err_vec(dg, dgr, cols);
    for (i = 0; i < n; i++) dxr[i] = 2 * dxr[i] + in.d0[i]; /* dxr holds one call's t */
    e2 = err_dx(&in, dx, dxr, in.rr, gd, 1);
    rec(gname("rms_backward_acc dx, dgamma += (2 calls, nonzero start)", pn),
        rc == LN_OK && e <= BOUND && e2 <= 2 * BOUND, e > e2 ? e : e2, "%s", where);
    memset(dgr, 0, cols * sizeof(double));
    memset(dbr, 0, cols * sizeof(double));
    for (k = 0; k < 2; k++)
        for (r = 0; r < rows; r++)
            ref_ln_bwd(in.xd + r * cols, in.dyd + r * cols, cols, gd, in.rf[r], dxr + r * cols, dgr, dbr);
    for (c = 0; c < cols; c++) {
        dgr[c] += gi[c];
        dbr[c] += bi[c];
    }
    for (i = 0; i < n; i++) dxr[i] = 2 * dxr[i] + in.d0[i];
    memcpy(dg, gi, cols * sizeof(float));
    memcpy(db, bi, cols * sizeof(float));
    memcpy(dx, in.d0, n * sizeof(float));
    rc = do_backward_acc(p, dx, dg, db, in.dy, in.x, in.g, in.mf, in.rf, rows, cols);
    rc |= do_backward_acc(p, dx, dg, db, in.dy, in.x, in.g, in.mf, in.rf, rows, cols);
    e = err_vec(dg, dgr, cols);
    e2 = err_vec(db, dbr, cols);
    e3 = err_dx(&in, dx, dxr, in.rf, gd, 1);
    rec(gname("backward_acc dx, dgamma, dbeta += (2 calls, nonzero start)", pn),
        rc == LN_OK && e <= BOUND && e2 <= BOUND && e3 <= 2 * BOUND, e > e2 ? e : e2, "%s", where);

    inputs_free(&in);
    free(y); free(y2); free(s); free(s2); free(m); free(m2); free(rs); free(rs2); free(dx);
    free(dx2); free(dg); free(dg2); free(db); free(db2); free(gi); free(bi);
    free(yr); free(mr); free(rr); free(dxr); free(dgr); free(dbr); free(gd); free(bd);
}

/* ---- aliasing: y == x (rms), sum == x / residual (fused add), dx == dy / x (backward) */
static void alias_case(int p, size_t rows, size_t cols)
{
    const char *pn = pname(p);
    inputs in;
    size_t n = rows * cols;
    float *y = fa(n), *s = fa(n), *m = fa(rows), *rs = fa(rows), *dx = fa(n), *dg = fa(cols),
          *db = fa(cols), *y2 = fa(n), *m2 = fa(rows), *rs2 = fa(rows), *dg2 = fa(cols),
          *db2 = fa(cols), *a;
    int rc, k;
    char where[64];
    inputs_make(&in, rows, cols);
    snprintf(where, sizeof where, "%zux%zu", rows, cols);

    do_rms_forward(p, y, rs, in.x, in.g, rows, cols, in.eps);
    a = fcopy(in.x, n);
    rc = do_rms_forward(p, a, rs2, a, in.g, rows, cols, in.eps);
    rec(gname("rms_forward y==x: same as out of place", pn),
        rc == LN_OK && SAME(a, y, n) && SAME(rs, rs2, rows), 0, "%s", where);
    free(a);

    do_rms_add_forward(p, y, s, rs, in.x, in.res, in.g, rows, cols, in.eps);
    for (k = 0; k < 2; k++) {
        a = fcopy(k == 0 ? in.x : in.res, n);
        rc = do_rms_add_forward(p, y2, a, rs2, k == 0 ? a : in.x, k == 1 ? a : in.res, in.g, rows,
                                cols, in.eps);
        rec(gname("rms_add_forward sum==x / sum==residual: same", pn),
            rc == LN_OK && SAME(a, s, n) && SAME(y, y2, n) && SAME(rs, rs2, rows), 0, "%s %s",
            where, k == 0 ? "sum==x" : "sum==residual");
        free(a);
    }
    do_add_forward(p, y, s, m, rs, in.x, in.res, in.g, in.b, rows, cols, in.eps);
    for (k = 0; k < 2; k++) {
        a = fcopy(k == 0 ? in.x : in.res, n);
        rc = do_add_forward(p, y2, a, m2, rs2, k == 0 ? a : in.x, k == 1 ? a : in.res, in.g, in.b,
                            rows, cols, in.eps);
        rec(gname("add_forward sum==x / sum==residual: same", pn),
            rc == LN_OK && SAME(a, s, n) && SAME(y, y2, n) && SAME(rs, rs2, rows) &&
                SAME(m, m2, rows),
            0, "%s %s", where, k == 0 ? "sum==x" : "sum==residual");
        free(a);
    }

    /* backward: dx == dy and dx == x (for _acc, dx starts as a copy of that input) */
    for (k = 0; k < 2; k++) {
        const float *src = k == 0 ? in.dy : in.x;
        const char *what = k == 0 ? "dx==dy" : "dx==x";
        memset(dg, 0, cols * sizeof(float));
        memset(dg2, 0, cols * sizeof(float));
        do_rms_backward(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
        a = fcopy(src, n);
        rc = do_rms_backward(p, a, dg2, k == 0 ? a : in.dy, k == 1 ? a : in.x, in.g, in.rr, rows, cols);
        rec(gname("rms_backward dx==dy / dx==x: same", pn),
            rc == LN_OK && SAME(a, dx, n) && SAME(dg, dg2, cols), 0, "%s %s: dx %s, dgamma %s",
            where, what, SAME(a, dx, n) ? "same" : "DIFFERS", SAME(dg, dg2, cols) ? "same" : "DIFFERS");
        free(a);

        memcpy(dx, src, n * sizeof(float));
        memset(dg, 0, cols * sizeof(float));
        memset(dg2, 0, cols * sizeof(float));
        do_rms_backward_acc(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
        a = fcopy(src, n);
        rc = do_rms_backward_acc(p, a, dg2, k == 0 ? a : in.dy, k == 1 ? a : in.x, in.g, in.rr,
                                 rows, cols);
        rec(gname("rms_backward_acc dx==dy / dx==x: same", pn),
            rc == LN_OK && SAME(a, dx, n) && SAME(dg, dg2, cols), 0, "%s %s: dx %s, dgamma %s",
            where, what, SAME(a, dx, n) ? "same" : "DIFFERS", SAME(dg, dg2, cols) ? "same" : "DIFFERS");
        free(a);

        memcpy(dx, src, n * sizeof(float));
        memset(dg, 0, cols * sizeof(float));
        memset(dg2, 0, cols * sizeof(float));
        memset(db, 0, cols * sizeof(float));
        memset(db2, 0, cols * sizeof(float));
        do_backward_acc(p, dx, dg, db, in.dy, in.x, in.g, in.mf, in.rf, rows, cols);
        a = fcopy(src, n);
        rc = do_backward_acc(p, a, dg2, db2, k == 0 ? a : in.dy, k == 1 ? a : in.x, in.g, in.mf,
                             in.rf, rows, cols);
        rec(gname("backward_acc dx==dy / dx==x: same", pn),
            rc == LN_OK && SAME(a, dx, n) && SAME(dg, dg2, cols) && SAME(db, db2, cols), 0,
            "%s %s: dx %s, dgamma %s, dbeta %s", where, what, SAME(a, dx, n) ? "same" : "DIFFERS",
            SAME(dg, dg2, cols) ? "same" : "DIFFERS", SAME(db, db2, cols) ? "same" : "DIFFERS");
        free(a);
    }
    inputs_free(&in);
    free(y); free(s); free(m); free(rs); free(dx); free(dg); free(db); free(y2); free(m2);
    free(rs2); free(dg2); free(db2);
}

/* ---- strided conventions: NULL γ/β, NULL stats, NULL outputs, +=, aliasing */
static void ref_strided(const float *x, const float *dy, size_t outer, size_t cols, size_t inner,
                        const double *gd, const double *bd, double eps, double *yref,
                        float *mf, float *rf, double *dxref, double *dgr, double *dbr)
{
    double *col = dalloc(cols), *dcol = dalloc(cols), *t = dalloc(cols), m, r;
    size_t o, i, c, k;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            k = o * inner + i;
            for (c = 0; c < cols; c++) {
                col[c] = x[(o * cols + c) * inner + i];
                dcol[c] = dy[(o * cols + c) * inner + i];
            }
            ref_ln_fwd(col, cols, gd, bd, eps, t, &m, &r);
            for (c = 0; c < cols; c++) yref[(o * cols + c) * inner + i] = t[c];
            mf[k] = (float)m;
            rf[k] = (float)r;
            ref_ln_bwd(col, dcol, cols, gd, rf[k], t, dgr, dbr);
            for (c = 0; c < cols; c++) dxref[(o * cols + c) * inner + i] = t[c];
        }
    free(col); free(dcol); free(t);
}
/* dx error for [outer][cols][inner] (per pair scale rstd·max|γ·dy|) */
static double err_dx_strided(const float *dx, const double *ref, const float *dy, const double *gd,
                             const float *rf, size_t outer, size_t cols, size_t inner, int acc)
{
    double w = 0;
    size_t o, i, c;
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            double mg = 0, sc;
            for (c = 0; c < cols; c++) {
                double v = fabs((gd ? gd[c] : 1.0) * dy[(o * cols + c) * inner + i]);
                if (v > mg) mg = v;
            }
            sc = rf[o * inner + i] * mg;
            for (c = 0; c < cols; c++) {
                size_t q = (o * cols + c) * inner + i;
                double er = acc ? err1(dx[q], ref[q], BOUND * sc + fabs(ref[q])) * BOUND
                                : err1(dx[q], ref[q], sc);
                if (!(er <= w)) w = er;
            }
        }
    return w;
}

static void conv_strided_case(int p, size_t outer, size_t cols, size_t inner)
{
    const char *pn = pname(p);
    size_t n = outer * cols * inner, nr = outer * inner, c;
    float eps = 1e-5f;
    float *x = fa(n), *dy = fa(n), *g = fa(cols), *b = fa(cols), *y = fa(n), *y2 = fa(n),
          *m = fa(nr), *m2 = fa(nr), *rs = fa(nr), *rs2 = fa(nr), *mf = fa(nr), *rf = fa(nr),
          *dx = fa(n), *dx2 = fa(n), *dg = fa(cols), *db = fa(cols), *dg2 = fa(cols),
          *db2 = fa(cols), *gi = fa(cols), *bi = fa(cols), *a;
    double *gd = dalloc(cols), *bd = dalloc(cols), *yref = dalloc(n), *dxref = dalloc(n),
           *dgr = dalloc(cols), *dbr = dalloc(cols), e, e2, e3;
    int rc, k;
    char where[80];
    snprintf(where, sizeof where, "outer %zu cols %zu inner %zu", outer, cols, inner);
    fill_normal(x, n, 0.5, 1);
    fill_normal(dy, n, 0, 1);
    fill_normal(g, cols, 1, 0.5);
    fill_normal(b, cols, 0, 0.5);
    fill_normal(gi, cols, 0, 1);
    fill_normal(bi, cols, 0, 1);
    to_double(gd, g, cols);
    to_double(bd, b, cols);

    for (k = 0; k < 3; k++) { /* γ NULL, β NULL, both NULL */
        memset(dgr, 0, cols * sizeof(double));
        memset(dbr, 0, cols * sizeof(double));
        ref_strided(x, dy, outer, cols, inner, k == 1 ? gd : NULL, k == 0 ? bd : NULL, eps, yref,
                    mf, rf, dxref, dgr, dbr);
        rc = do_forward_strided(p, y, m, rs, x, k == 1 ? g : NULL, k == 0 ? b : NULL, outer, cols,
                                inner, eps);
        e = err_y(y, yref, n);
        rec(gname("forward_strided gamma/beta NULL vs f64", pn), rc == LN_OK && e <= BOUND, e,
            "%s k=%d", where, k);
        if (k == 1) continue;
        memset(dg, 0, cols * sizeof(float));
        memset(db, 0, cols * sizeof(float));
        rc = do_backward_strided(p, dx, dg, db, dy, x, NULL, mf, rf, outer, cols, inner);
        e = err_dx_strided(dx, dxref, dy, NULL, rf, outer, cols, inner, 0);
        e2 = err_vec(dg, dgr, cols);
        e3 = err_vec(db, dbr, cols);
        rec(gname("backward_strided gamma NULL vs f64", pn),
            rc == LN_OK && e <= BOUND && e2 <= BOUND && e3 <= BOUND, e, "%s", where);
    }
    /* optional stats */
    do_forward_strided(p, y, m, rs, x, g, b, outer, cols, inner, eps);
    for (k = 0; k < 3; k++) {
        memset(m2, SENT, nr * sizeof(float));
        memset(rs2, SENT, nr * sizeof(float));
        rc = do_forward_strided(p, y2, k == 1 ? m2 : NULL, k == 0 ? rs2 : NULL, x, g, b, outer,
                                cols, inner, eps);
        rec(gname("forward_strided mean/rstd NULL: same y, other stat", pn),
            rc == LN_OK && SAME(y, y2, n) && (k != 1 || SAME(m, m2, nr)) &&
                (k != 0 || SAME(rs, rs2, nr)),
            0, "%s k=%d", where, k);
    }
    /* optional gradients */
    memset(dgr, 0, cols * sizeof(double));
    memset(dbr, 0, cols * sizeof(double));
    ref_strided(x, dy, outer, cols, inner, gd, bd, eps, yref, mf, rf, dxref, dgr, dbr);
    memset(dg, 0, cols * sizeof(float));
    memset(db, 0, cols * sizeof(float));
    rc = do_backward_strided(p, dx, dg, db, dy, x, g, mf, rf, outer, cols, inner);
    for (k = 0; k < 3; k++) {
        int rc2;
        memset(dg2, 0, cols * sizeof(float));
        memset(db2, 0, cols * sizeof(float));
        rc2 = do_backward_strided(p, k == 0 ? NULL : dx2, k == 1 ? NULL : dg2, k == 2 ? NULL : db2,
                                  dy, x, g, mf, rf, outer, cols, inner);
        rec(gname("backward_strided dx/dgamma/dbeta NULL: others unchanged", pn),
            rc == LN_OK && rc2 == LN_OK && (k == 0 || SAME(dx, dx2, n)) &&
                (k == 1 || SAME(dg, dg2, cols)) && (k == 2 || SAME(db, db2, cols)),
            0, "%s NULL #%d", where, k);
    }
    if (outer == 3 && inner > 1) check_all_null(3, p, dy, x, g, mf, rf, outer, cols, inner);
    /* += over two calls from a nonzero start: init + 2·Σ over outer and inner */
    memset(dgr, 0, cols * sizeof(double));
    memset(dbr, 0, cols * sizeof(double));
    ref_strided(x, dy, outer, cols, inner, gd, bd, eps, yref, mf, rf, dxref, dgr, dbr);
    for (c = 0; c < cols; c++) {
        dgr[c] = 2 * dgr[c] + gi[c];
        dbr[c] = 2 * dbr[c] + bi[c];
    }
    memcpy(dg, gi, cols * sizeof(float));
    memcpy(db, bi, cols * sizeof(float));
    rc = do_backward_strided(p, dx, dg, db, dy, x, g, mf, rf, outer, cols, inner);
    rc |= do_backward_strided(p, dx, dg, db, dy, x, g, mf, rf, outer, cols, inner);
    e = err_vec(dg, dgr, cols);
    e2 = err_vec(db, dbr, cols);
    rec(gname("backward_strided dgamma, dbeta += (2 calls, nonzero start)", pn),
        rc == LN_OK && e <= BOUND && e2 <= BOUND, e > e2 ? e : e2, "%s", where);
    /* aliasing: y == x, dx == dy, dx == x */
    a = fcopy(x, n);
    rc = do_forward_strided(p, a, m2, rs2, a, g, b, outer, cols, inner, eps);
    rec(gname("forward_strided y==x: same", pn),
        rc == LN_OK && SAME(a, y, n) && SAME(m, m2, nr) && SAME(rs, rs2, nr), 0, "%s", where);
    free(a);
    memset(dg, 0, cols * sizeof(float));
    memset(db, 0, cols * sizeof(float));
    do_backward_strided(p, dx, dg, db, dy, x, g, mf, rf, outer, cols, inner);
    for (k = 0; k < 2; k++) {
        a = fcopy(k == 0 ? dy : x, n);
        memset(dg2, 0, cols * sizeof(float));
        memset(db2, 0, cols * sizeof(float));
        rc = do_backward_strided(p, a, dg2, db2, k == 0 ? a : dy, k == 1 ? a : x, g, mf, rf, outer,
                                 cols, inner);
        rec(gname("backward_strided dx==dy / dx==x: same", pn),
            rc == LN_OK && SAME(a, dx, n) && SAME(dg, dg2, cols) && SAME(db, db2, cols), 0,
            "%s %s: dx %s, dgamma %s, dbeta %s", where, k == 0 ? "dx==dy" : "dx==x",
            SAME(a, dx, n) ? "same" : "DIFFERS", SAME(dg, dg2, cols) ? "same" : "DIFFERS",
            SAME(db, db2, cols) ? "same" : "DIFFERS");
        free(a);
    }
    free(x); free(dy); free(g); free(b); free(y); free(y2); free(m); free(m2); free(rs);
    free(rs2); free(mf); free(rf); free(dx); free(dx2); free(dg); free(db); free(dg2); free(db2);
    free(gi); free(bi); free(gd); free(bd); free(yref); free(dxref); free(dgr); free(dbr);
}

static void test_conventions(void)
{
    int k;
    for (k = 0; k <= g_npaths; k++) {
        int p = k < g_npaths ? g_paths[k] : 0;
        conv_case(p, 3, 37);
        conv_case(p, 2, 1031);
        conv_case(p, 64, 24);
        alias_case(p, 3, 37);
        alias_case(p, 2, 4097);
        alias_case(p, 160, 1031); /* large enough for threads */
        alias_case(p, 17, 13);    /* narrow rows, loaded 16 floats at a time */
        alias_case(p, 11, 3);
        conv_strided_case(p, 2, 7, 5);
        conv_strided_case(p, 3, 17, 16);
        conv_strided_case(p, 1, 64, 56 * 56);
        conv_strided_case(p, 3, 3, 1);
    }
}

/* ================================================================ bad input */

enum { F_RMS_FWD, F_RMS_BWD, F_ADD, F_RMS_ADD, F_BWD_ACC, F_RMS_BWD_ACC, F_FWD_STR, F_BWD_STR, NF };
static const char *f_name[NF] = {"rms_forward",  "rms_backward",     "add_forward",
                                 "rms_add_forward", "backward_acc",  "rms_backward_acc",
                                 "forward_strided", "backward_strided"};
static const int f_nreq[NF] = {2, 3, 4, 4, 4, 3, 2, 4};   /* required pointers */
static const int f_has_eps[NF] = {1, 0, 1, 1, 0, 0, 1, 0};
static const int f_strided[NF] = {0, 0, 0, 0, 0, 0, 1, 1};

#define EB_N 64
typedef struct {
    fbuf out[7]; /* y, sum, mean, rstd, dx, dgamma, dbeta: every output, sentinel-filled */
    float in[6][EB_N]; /* x, residual, dy, gamma, beta, and mean/rstd inputs */
} errbufs;

/* Call function f with required pointer number `nul` NULL (-1: none); a, b, c are rows,
   cols (and unused) or outer, cols, inner. */
static int call_bad(int f, int p, int nul, size_t a, size_t b, size_t c, float eps, errbufs *e)
{
    float *y = e->out[0].p, *s = e->out[1].p, *m = e->out[2].p, *r = e->out[3].p,
          *dx = e->out[4].p, *dg = e->out[5].p, *db = e->out[6].p;
    const float *x = e->in[0], *res = e->in[1], *dy = e->in[2], *g = e->in[3], *bt = e->in[4],
                *mi = e->in[5], *ri = e->in[5];
#define REQ(k, ptr) (nul == (k) ? NULL : (ptr))
    switch (f) {
    case F_RMS_FWD: return do_rms_forward(p, REQ(0, y), r, REQ(1, x), g, a, b, eps);
    case F_RMS_BWD: return do_rms_backward(p, dx, dg, REQ(0, dy), REQ(1, x), g, REQ(2, ri), a, b);
    case F_ADD:
        return do_add_forward(p, REQ(0, y), REQ(1, s), m, r, REQ(2, x), REQ(3, res), g, bt, a, b, eps);
    case F_RMS_ADD:
        return do_rms_add_forward(p, REQ(0, y), REQ(1, s), r, REQ(2, x), REQ(3, res), g, a, b, eps);
    case F_BWD_ACC:
        return do_backward_acc(p, dx, dg, db, REQ(0, dy), REQ(1, x), g, REQ(2, mi), REQ(3, ri), a, b);
    case F_RMS_BWD_ACC:
        return do_rms_backward_acc(p, dx, dg, REQ(0, dy), REQ(1, x), g, REQ(2, ri), a, b);
    case F_FWD_STR: return do_forward_strided(p, REQ(0, y), m, r, REQ(1, x), g, bt, a, b, c, eps);
    default:
        return do_backward_strided(p, dx, dg, db, REQ(0, dy), REQ(1, x), g, REQ(2, mi), REQ(3, ri),
                                   a, b, c);
    }
#undef REQ
}

static void bad_one(int f, int p, int nul, size_t a, size_t b, size_t c, float eps, int want,
                    const char *what)
{
    errbufs e;
    int rc, k, ok = 1;
    size_t i;
    for (k = 0; k < 7; k++) e.out[k] = fb_new(EB_N, (size_t)k % 4);
    for (k = 0; k < 6; k++)
        for (i = 0; i < EB_N; i++) e.in[k][i] = 1.0f + 0.25f * (float)((i * 7 + (size_t)k) % 5);
    rc = call_bad(f, p, nul, a, b, c, eps, &e);
    for (k = 0; k < 7; k++) {
        ok &= want != LN_OK || a == 0 ? fb_untouched(&e.out[k]) : fb_guards_ok(&e.out[k]);
        fb_free(&e.out[k]);
    }
    rec(gname("bad input: exact code, nothing written", pname(p)), rc == want && ok, 0,
        "%s %s (null #%d, sizes %zu,%zu,%zu, eps %g): rc %d want %d, %s", f_name[f], what, nul, a,
        b, c, (double)eps, rc, want, ok ? "as expected" : "OUTPUT WRITTEN (or out of bounds)");
}

static void test_errors(void)
{
    const float bad_eps[] = {-1e-5f, -FLT_MIN, -1.0f, -INFINITY, INFINITY, NAN};
    const size_t H = SIZE_MAX / 2 + 1;                     /* H·2 wraps to exactly 0 */
    const size_t B = SIZE_MAX / sizeof(float) / 3 + 1;     /* B·3 fits, B·3·4 does not */
    int k, f, q;
    size_t j;
    for (k = 0; k <= g_npaths; k++) {
        int p = k < g_npaths ? g_paths[k] : 0;
        for (f = 0; f < NF; f++) {
            size_t c1 = f_strided[f] ? 2 : 1; /* inner of a valid call */
            float eps = 1e-5f;
            /* each required pointer NULL, also together with other bad arguments: the NULL
               check comes first */
            for (q = 0; q < f_nreq[f]; q++) {
                bad_one(f, p, q, 2, 3, c1, eps, LN_ERR_NULL, "NULL");
                bad_one(f, p, q, 0, 3, c1, eps, LN_ERR_NULL, "NULL, rows/outer 0");
                bad_one(f, p, q, 2, 0, c1, eps, LN_ERR_NULL, "NULL, cols 0");
                bad_one(f, p, q, H, 2, c1, eps, LN_ERR_NULL, "NULL, size overflow");
                if (f_has_eps[f]) bad_one(f, p, q, 2, 3, c1, NAN, LN_ERR_NULL, "NULL, eps NaN");
            }
            /* bad eps, also with sizes that are no-ops or errors: eps is checked next */
            if (f_has_eps[f])
                for (j = 0; j < sizeof bad_eps / sizeof bad_eps[0]; j++) {
                    bad_one(f, p, -1, 2, 3, c1, bad_eps[j], LN_ERR_EPS, "bad eps");
                    bad_one(f, p, -1, 0, 3, c1, bad_eps[j], LN_ERR_EPS, "bad eps, rows 0");
                    bad_one(f, p, -1, 2, 0, c1, bad_eps[j], LN_ERR_EPS, "bad eps, cols 0");
                    bad_one(f, p, -1, H, 2, c1, bad_eps[j], LN_ERR_EPS, "bad eps, overflow");
                }
            /* rows (outer) == 0: a no-op, even with cols (inner) 0 */
            bad_one(f, p, -1, 0, 3, c1, eps, LN_OK, "rows 0");
            bad_one(f, p, -1, 0, 0, c1, eps, LN_OK, "rows 0, cols 0");
            bad_one(f, p, -1, 0, H, 2, eps, LN_OK, "rows 0, huge cols");
            /* a valid call (eps 0 is allowed): LN_OK, and it writes within bounds only */
            if (f_has_eps[f]) bad_one(f, p, -1, 2, 3, c1, 0.0f, LN_OK, "eps 0 is allowed");
            /* cols == 0 */
            bad_one(f, p, -1, 2, 0, c1, eps, LN_ERR_SIZE, "cols 0");
            bad_one(f, p, -1, 1, 0, c1, eps, LN_ERR_SIZE, "cols 0, one row");
            /* overflow of rows·cols(·inner)·sizeof(float) */
            bad_one(f, p, -1, H, 2, c1, eps, LN_ERR_SIZE, "rows*cols wraps to 0");
            bad_one(f, p, -1, 2, H, c1, eps, LN_ERR_SIZE, "rows*cols wraps to 0 (cols)");
            bad_one(f, p, -1, B, 3, c1, eps, LN_ERR_SIZE, "rows*cols*4 overflows");
            bad_one(f, p, -1, 3, B, c1, eps, LN_ERR_SIZE, "rows*cols*4 overflows (cols)");
            bad_one(f, p, -1, SIZE_MAX, SIZE_MAX, c1, eps, LN_ERR_SIZE, "SIZE_MAX^2");
            if (f_strided[f]) {
                bad_one(f, p, -1, 2, 3, 0, eps, LN_ERR_SIZE, "inner 0");
                bad_one(f, p, -1, 2, 0, 0, eps, LN_ERR_SIZE, "cols 0, inner 0");
                bad_one(f, p, -1, 0, 3, 0, eps, LN_OK, "outer 0, inner 0");
                bad_one(f, p, -1, 0, 0, 0, eps, LN_OK, "outer 0, cols 0, inner 0");
                bad_one(f, p, -1, 2, 3, H, eps, LN_ERR_SIZE, "outer*cols*inner wraps (inner)");
                bad_one(f, p, -1, 1, 1, B * 3, eps, LN_ERR_SIZE, "inner*4 overflows");
                bad_one(f, p, -1, B, 1, 3, eps, LN_ERR_SIZE, "outer*inner*4 overflows");
#if SIZE_MAX > 0xFFFFFFFFu
                /* every pairwise product fits; the triple product does not */
                bad_one(f, p, -1, (size_t)1 << 22, (size_t)1 << 22, (size_t)1 << 22, eps,
                        LN_ERR_SIZE, "2^22 cubed");
                /* the triple product fits (2^62); times sizeof(float) it does not */
                bad_one(f, p, -1, (size_t)1 << 20, (size_t)1 << 20, (size_t)1 << 22, eps,
                        LN_ERR_SIZE, "2^62 elements");
                bad_one(f, p, -1, (size_t)1 << 31, (size_t)1 << 2, (size_t)1 << 31, eps,
                        LN_ERR_SIZE, "2^64 elements");
#endif
            }
        }
    }
}

/* ================================================================ NaN stays in its row */

/* in rows other than `bad` (row-major), a and b are bitwise equal */
static int rows_same_except(const float *a, const float *b, size_t rows, size_t cols, size_t bad)
{
    size_t r;
    for (r = 0; r < rows; r++)
        if (r != bad && !SAME(a + r * cols, b + r * cols, cols)) return 0;
    return 1;
}
static int any_nonfinite(const float *a, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!t_finite(a[i])) return 1;
    return 0;
}

static void nan_case(int p, size_t rows, size_t cols, float poison)
{
    const char *pn = pname(p);
    inputs in;
    size_t n = rows * cols, bad = rows / 2, at = bad * cols + cols / 3;
    float *y = fa(n), *y2 = fa(n), *s = fa(n), *s2 = fa(n), *m = fa(rows), *m2 = fa(rows),
          *rs = fa(rows), *rs2 = fa(rows), *dx = fa(n), *dx2 = fa(n), *dg = fa(cols),
          *db = fa(cols), *xb, *rb, *dyb;
    char where[80];
    inputs_make(&in, rows, cols);
    snprintf(where, sizeof where, "%zux%zu, %g in row %zu", rows, cols, (double)poison, bad);
    xb = fcopy(in.x, n);
    rb = fcopy(in.res, n);
    dyb = fcopy(in.dy, n);
    xb[at] = poison;
    rb[at] = poison;
    dyb[at] = poison;

    do_rms_forward(p, y, rs, in.x, in.g, rows, cols, in.eps);
    do_rms_forward(p, y2, rs2, xb, in.g, rows, cols, in.eps);
    rec(gname("rms_forward: NaN/Inf stays in its row", pn),
        rows_same_except(y, y2, rows, cols, bad) && rows_same_except(rs, rs2, rows, 1, bad) &&
            any_nonfinite(y2 + bad * cols, cols),
        0, "%s", where);
    do_rms_add_forward(p, y, s, rs, in.x, in.res, in.g, rows, cols, in.eps);
    do_rms_add_forward(p, y2, s2, rs2, in.x, rb, in.g, rows, cols, in.eps);
    rec(gname("rms_add_forward: NaN/Inf stays in its row", pn),
        rows_same_except(y, y2, rows, cols, bad) && rows_same_except(s, s2, rows, cols, bad) &&
            rows_same_except(rs, rs2, rows, 1, bad) && any_nonfinite(y2 + bad * cols, cols),
        0, "%s", where);
    do_add_forward(p, y, s, m, rs, in.x, in.res, in.g, in.b, rows, cols, in.eps);
    do_add_forward(p, y2, s2, m2, rs2, xb, in.res, in.g, in.b, rows, cols, in.eps);
    rec(gname("add_forward: NaN/Inf stays in its row", pn),
        rows_same_except(y, y2, rows, cols, bad) && rows_same_except(s, s2, rows, cols, bad) &&
            rows_same_except(m, m2, rows, 1, bad) && rows_same_except(rs, rs2, rows, 1, bad) &&
            any_nonfinite(y2 + bad * cols, cols),
        0, "%s", where);
    /* backward: poison in dy, then in x; dγ/dβ are sums over rows and may carry it */
    do_rms_backward(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    do_rms_backward(p, dx2, dg, dyb, in.x, in.g, in.rr, rows, cols);
    rec(gname("rms_backward: NaN/Inf stays in its row", pn),
        rows_same_except(dx, dx2, rows, cols, bad) && any_nonfinite(dx2 + bad * cols, cols), 0,
        "%s (dy)", where);
    do_rms_backward(p, dx2, dg, in.dy, xb, in.g, in.rr, rows, cols);
    rec(gname("rms_backward: NaN/Inf stays in its row", pn),
        rows_same_except(dx, dx2, rows, cols, bad) && any_nonfinite(dx2 + bad * cols, cols), 0,
        "%s (x)", where);
    memcpy(dx, in.d0, n * sizeof(float));
    memcpy(dx2, in.d0, n * sizeof(float));
    do_rms_backward_acc(p, dx, dg, in.dy, in.x, in.g, in.rr, rows, cols);
    do_rms_backward_acc(p, dx2, dg, dyb, in.x, in.g, in.rr, rows, cols);
    rec(gname("rms_backward_acc: NaN/Inf stays in its row", pn),
        rows_same_except(dx, dx2, rows, cols, bad) && any_nonfinite(dx2 + bad * cols, cols), 0,
        "%s", where);
    memcpy(dx, in.d0, n * sizeof(float));
    memcpy(dx2, in.d0, n * sizeof(float));
    do_backward_acc(p, dx, dg, db, in.dy, in.x, in.g, in.mf, in.rf, rows, cols);
    do_backward_acc(p, dx2, dg, db, in.dy, xb, in.g, in.mf, in.rf, rows, cols);
    rec(gname("backward_acc: NaN/Inf stays in its row", pn),
        rows_same_except(dx, dx2, rows, cols, bad) && any_nonfinite(dx2 + bad * cols, cols), 0,
        "%s (x)", where);

    inputs_free(&in);
    free(y); free(y2); free(s); free(s2); free(m); free(m2); free(rs); free(rs2); free(dx);
    free(dx2); free(dg); free(db); free(xb); free(rb); free(dyb);
}

/* strided: poison one element of pair (o, i); every other pair is bitwise unchanged */
static void nan_strided_case(int p, size_t outer, size_t cols, size_t inner, float poison)
{
    const char *pn = pname(p);
    size_t n = outer * cols * inner, nr = outer * inner, bo = outer / 2, bi = inner / 2,
           at = (bo * cols + cols / 2) * inner + bi, o, c, i;
    float *x = fa(n), *dy = fa(n), *g = fa(cols), *b = fa(cols), *y = fa(n), *y2 = fa(n),
          *m = fa(nr), *m2 = fa(nr), *rs = fa(nr), *rs2 = fa(nr), *dx = fa(n), *dx2 = fa(n),
          *dg = fa(cols), *db = fa(cols), *xb;
    int ok_f = 1, ok_b = 1, hit_f = 0, hit_b = 0;
    char where[96];
    snprintf(where, sizeof where, "outer %zu cols %zu inner %zu, %g", outer, cols, inner,
             (double)poison);
    fill_normal(x, n, 0.5, 1);
    fill_normal(dy, n, 0, 1);
    fill_normal(g, cols, 1, 0.5);
    fill_normal(b, cols, 0, 0.5);
    xb = fcopy(x, n);
    xb[at] = poison;
    do_forward_strided(p, y, m, rs, x, g, b, outer, cols, inner, 1e-5f);
    do_forward_strided(p, y2, m2, rs2, xb, g, b, outer, cols, inner, 1e-5f);
    do_backward_strided(p, dx, dg, db, dy, x, g, m, rs, outer, cols, inner);
    do_backward_strided(p, dx2, dg, db, dy, xb, g, m, rs, outer, cols, inner);
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            int poisoned = o == bo && i == bi;
            for (c = 0; c < cols; c++) {
                size_t q = (o * cols + c) * inner + i;
                if (poisoned) {
                    hit_f |= !t_finite(y2[q]);
                    hit_b |= !t_finite(dx2[q]);
                } else {
                    ok_f &= SAME(&y[q], &y2[q], 1);
                    ok_b &= SAME(&dx[q], &dx2[q], 1);
                }
            }
            if (!poisoned)
                ok_f &= SAME(&m[o * inner + i], &m2[o * inner + i], 1) &&
                        SAME(&rs[o * inner + i], &rs2[o * inner + i], 1);
        }
    rec(gname("forward_strided: NaN/Inf stays in its (outer,inner) pair", pn), ok_f && hit_f, 0,
        "%s", where);
    rec(gname("backward_strided: NaN/Inf stays in its (outer,inner) pair", pn), ok_b && hit_b, 0,
        "%s", where);
    free(x); free(dy); free(g); free(b); free(y); free(y2); free(m); free(m2); free(rs);
    free(rs2); free(dx); free(dx2); free(dg); free(db); free(xb);
}

static void test_nan(void)
{
    int k;
    for (k = 0; k <= g_npaths; k++) {
        int p = k < g_npaths ? g_paths[k] : 0;
        nan_case(p, 5, 37, NAN);
        nan_case(p, 5, 37, INFINITY);
        nan_case(p, 3, 4097, NAN);
        nan_case(p, 160, 1031, NAN); /* threaded size */
        nan_case(p, 19, 5, NAN);     /* narrow rows in batches */
        nan_strided_case(p, 3, 17, 15, NAN);
        nan_strided_case(p, 3, 5, 16, -INFINITY);
        nan_strided_case(p, 2, 64, 56 * 56, NAN);
    }
}

/* ================================================================ determinism across threads */

#ifdef _OPENMP
/* Runs every function on one threaded-size input with 1, 2, 3 and 4 threads; all outputs
   must be bitwise equal to the 1-thread ones. out: y, sum, mean, rstd, dx, dγ, dβ for each
   of the eight functions, concatenated. */
static void det_run(int p, const inputs *in, size_t outer, size_t inner, float *out)
{
    size_t rows = in->rows, cols = in->cols, n = in->n, nr = rows;
    float *o = out;
    /* row functions use rows × cols; the strided ones view the same n floats as
       [outer][cols][inner] with outer·inner == rows */
    do_rms_forward(p, o, o + n, in->x, in->g, rows, cols, in->eps);
    o += n + nr;
    memset(o + n, 0, cols * sizeof(float));
    do_rms_backward(p, o, o + n, in->dy, in->x, in->g, in->rr, rows, cols);
    o += n + cols;
    do_add_forward(p, o, o + n, o + 2 * n, o + 2 * n + nr, in->x, in->res, in->g, in->b, rows,
                   cols, in->eps);
    o += 2 * n + 2 * nr;
    do_rms_add_forward(p, o, o + n, o + 2 * n, in->x, in->res, in->g, rows, cols, in->eps);
    o += 2 * n + nr;
    memcpy(o, in->d0, n * sizeof(float));
    memset(o + n, 0, 2 * cols * sizeof(float));
    do_backward_acc(p, o, o + n, o + n + cols, in->dy, in->x, in->g, in->mf, in->rf, rows, cols);
    o += n + 2 * cols;
    memcpy(o, in->d0, n * sizeof(float));
    memset(o + n, 0, cols * sizeof(float));
    do_rms_backward_acc(p, o, o + n, in->dy, in->x, in->g, in->rr, rows, cols);
    o += n + cols;
    do_forward_strided(p, o, o + n, o + n + nr, in->x, in->g, in->b, outer, cols, inner, in->eps);
    o += n + 2 * nr;
    memset(o + n, 0, 2 * cols * sizeof(float));
    do_backward_strided(p, o, o + n, o + n + cols, in->dy, in->x, in->g, in->mf, in->rf, outer,
                        cols, inner);
}
static const char *det_part[] = {"rms_forward", "rms_backward", "add_forward", "rms_add_forward",
                                 "backward_acc", "rms_backward_acc", "forward_strided",
                                 "backward_strided"};

static void det_case(int p, size_t outer, size_t cols, size_t inner)
{
    const char *pn = pname(p);
    inputs in;
    size_t rows = outer * inner, n = rows * cols, nr = rows;
    size_t len = 14 * n + 9 * nr + 9 * cols, part[9], i;
    float *ref = fa(len), *got = fa(len);
    int t, saved = omp_get_max_threads();
    char where[80];
    /* where each function's outputs start, for the message */
    part[0] = 0;
    part[1] = n + nr;
    part[2] = part[1] + n + cols;
    part[3] = part[2] + 2 * n + 2 * nr;
    part[4] = part[3] + 2 * n + nr;
    part[5] = part[4] + n + 2 * cols;
    part[6] = part[5] + n + cols;
    part[7] = part[6] + n + 2 * nr;
    part[8] = part[7] + n + 2 * cols;
    inputs_make(&in, rows, cols);
    /* so that a chunking by thread count fails: rows, and channels-first outer slices */
    test_plant_cancelling(in.dy, rows, cols);
    if (inner > 1) test_plant_cancelling(in.dy, outer, cols * inner);
    snprintf(where, sizeof where, "%zux%zu (strided: outer %zu inner %zu)", rows, cols, outer, inner);
    omp_set_num_threads(1);
    det_run(p, &in, outer, inner, ref);
    for (t = 2; t <= 4; t++) {
        omp_set_num_threads(t);
        memset(got, SENT, len * sizeof(float));
        det_run(p, &in, outer, inner, got);
        for (i = 0; i < 8; i++) {
            size_t d = first_diff(ref + part[i], got + part[i], part[i + 1] - part[i]);
            rec(gname("deterministic across thread counts (bitwise)", pn),
                d == part[i + 1] - part[i], 0, "%s %s, %d threads: first diff at %zu", det_part[i],
                where, t, d);
        }
    }
    omp_set_num_threads(saved);
    inputs_free(&in);
    free(ref);
    free(got);
}
#endif

static void test_determinism(void)
{
#ifdef _OPENMP
    int k;
    /* every path (the default one is the active one, see test_default_is_active); each
       shape is above LAYERNORM_PARALLEL_MIN (32768 elements) */
    for (k = 0; k < g_npaths; k++) {
        int p = g_paths[k];
        if (test_quick() && p != ln_path_active()) continue;
        det_case(p, 1, 1031, 160);   /* 160 rows x 1031; strided [1][1031][160] */
        det_case(p, 4100, 40, 1);    /* tall: dγ/dβ over 4100 rows */
        det_case(p, 2, 64, 1031);    /* strided [2][64][1031] */
        det_case(p, 1, 9000, 20);    /* long rows, pipelined in blocks: 20 rows x 9000 */
    }
#else
    printf("not compiled with OpenMP: skipped\n");
#endif
}

/* ================================================================ RMSNorm extremes */

static void rms_extreme_case(int p, size_t cols)
{
    const char *pn = pname(p);
    enum { R = 7 };
    size_t n = R * cols, r, i;
    float *x = fa(n), *h = fa(n), *g = fa(cols), *y = fa(n), *rs = fa(R), *s = fa(n), *dy = fa(n),
          *dx = fa(n), *dg = fa(cols);
    double *xd = dalloc(n), *gd = dalloc(cols), *yr = dalloc(n), *rr = dalloc(R);
    float eps = 1e-5f;
    double e, er;
    int rc, ok;
    char where[64];
    snprintf(where, sizeof where, "cols %zu", cols);
    fill_normal(g, cols, 1, 0.5);
    fill_normal(dy, n, 0, 1);
    to_double(gd, g, cols);
    for (i = 0; i < cols; i++) {
        double v = 3e38 * rng_normal();
        x[0 * cols + i] = FLT_MAX;                           /* all FLT_MAX */
        x[1 * cols + i] = i % 2 ? -FLT_MAX : FLT_MAX;        /* ±FLT_MAX */
        x[2 * cols + i] = i == cols / 2 ? -FLT_MAX : 1.0f;   /* one huge value */
        x[3 * cols + i] = (float)(v > FLT_MAX ? FLT_MAX : v < -FLT_MAX ? -FLT_MAX : v);
        x[4 * cols + i] = 0.0f;                              /* zero row */
        x[5 * cols + i] = (float)(1e-30 * rng_normal());     /* x² underflows in float */
        x[6 * cols + i] = (float)(1e30 * rng_normal());      /* x² overflows in float */
    }
    to_double(xd, x, n);
    for (r = 0; r < R; r++) ref_rms_fwd(xd + r * cols, cols, gd, eps, yr + r * cols, rr + r);
    for (i = 0; i < n; i++) h[i] = 0.5f * x[i]; /* h + h == x exactly: the fused add's input */

    rc = do_rms_forward(p, y, rs, x, g, R, cols, eps);
    e = err_y(y, yr, n);
    ok = rc == LN_OK && !any_nonfinite(y, n) && !any_nonfinite(rs, R);
    /* rstd near 1/FLT_MAX is subnormal in float: allow its spacing, 2^-149, too */
    for (r = 0; r < R; r++) {
        er = fabs(rs[r] - rr[r]);
        if (!(er <= 4 * EPSF * rr[r] + 2 * 1.401298464324817e-45)) ok = 0;
    }
    rec(gname("rms_forward |x| up to FLT_MAX: finite, within bound", pn), ok && e <= BOUND, e,
        "%s rc=%d", where, rc);
    for (i = 0; i < cols; i++) ok &= y[4 * cols + i] == 0.0f;
    rec(gname("rms_forward zero row, eps>0: y == 0 exactly", pn), ok, 0, "%s", where);

    rc = do_rms_add_forward(p, y, s, rs, h, h, g, R, cols, eps);
    e = err_y(y, yr, n);
    ok = rc == LN_OK && !any_nonfinite(y, n) && !any_nonfinite(rs, R) && SAME(s, x, n);
    rec(gname("rms_add_forward |sum| up to FLT_MAX: finite, within bound", pn), ok && e <= BOUND, e,
        "%s rc=%d", where, rc);
    /* x + (−x) = 0 exactly: a zero row */
    for (i = 0; i < n; i++) s[i] = -x[i];
    rc = do_rms_add_forward(p, y, dx, rs, x, s, g, R, cols, eps);
    ok = rc == LN_OK;
    for (i = 0; i < n; i++) ok &= y[i] == 0.0f;
    rec(gname("rms_add_forward x + (-x): y == 0 exactly", pn), ok, 0, "%s", where);

    /* backward from the float rstd of the huge rows: finite (rstd may be subnormal, so the
       relative bound is not asked for here) */
    for (r = 0; r < R; r++) rs[r] = (float)rr[r];
    memset(dg, 0, cols * sizeof(float));
    rc = do_rms_backward(p, dx, dg, dy, x, g, rs, R, cols);
    rec(gname("rms_backward |x| up to FLT_MAX: finite", pn),
        rc == LN_OK && !any_nonfinite(dx, n) && !any_nonfinite(dg, cols), 0, "%s", where);
    memset(dx, 0, n * sizeof(float));
    rc = do_rms_backward_acc(p, dx, dg, dy, x, g, rs, R, cols);
    rec(gname("rms_backward_acc |x| up to FLT_MAX: finite", pn),
        rc == LN_OK && !any_nonfinite(dx, n) && !any_nonfinite(dg, cols), 0, "%s", where);

    free(x); free(h); free(g); free(y); free(rs); free(s); free(dy); free(dx); free(dg);
    free(xd); free(gd); free(yr); free(rr);
}

/* Subnormal floats flush to zero in this process (FTZ/DAZ, which a -ffast-math program
   turns on at start-up) */
static int flush_to_zero(void)
{
    volatile float tiny = FLT_MIN;
    return tiny * 0.5f == 0.0f;
}

static void test_rms_extremes(void)
{
    static const size_t cs[] = {1, 2, 7, 8, 16, 17, 37, 64, 1031, 4097};
    int k;
    size_t j;
    if (flush_to_zero()) { /* rstd of rows near FLT_MAX is subnormal: it flushes to 0 */
        printf("skipped: subnormal floats flush to zero in this build (FTZ/DAZ)\n");
        return;
    }
    for (k = 0; k <= g_npaths; k++)
        for (j = 0; j < sizeof cs / sizeof cs[0]; j++)
            rms_extreme_case(k < g_npaths ? g_paths[k] : 0, cs[j]);
}

/* ================================================================ default path */

/* every public variant runs the active path: bitwise what ln__*_on(ln_path_active()) gives */
static void test_default_is_active(void)
{
    int a = ln_path_active();
    float *o1, *o2;
    inputs in;
    size_t rows = 160, cols = 1031, n = rows * cols, len = 14 * n + 9 * rows + 9 * cols, d;
    CHECK(ln_path_supported(a), "active path %d (%s) is supported", a, ln_path_name(a));
    inputs_make(&in, rows, cols);
    o1 = fa(len);
    o2 = fa(len);
    /* det_run needs OpenMP only for its callers; it is a plain sequence of calls */
#ifdef _OPENMP
    det_run(0, &in, 1, rows, o1);
    det_run(a, &in, 1, rows, o2);
#else
    {
        float *o;
        size_t k;
        for (k = 0; k < 2; k++) {
            int p = k ? a : 0;
            o = k ? o2 : o1;
            do_rms_forward(p, o, o + n, in.x, in.g, rows, cols, in.eps);
            o += n + rows;
            memset(o + n, 0, cols * sizeof(float));
            do_rms_backward(p, o, o + n, in.dy, in.x, in.g, in.rr, rows, cols);
            o += n + cols;
            do_add_forward(p, o, o + n, o + 2 * n, o + 2 * n + rows, in.x, in.res, in.g, in.b,
                           rows, cols, in.eps);
            o += 2 * n + 2 * rows;
            do_rms_add_forward(p, o, o + n, o + 2 * n, in.x, in.res, in.g, rows, cols, in.eps);
            o += 2 * n + rows;
            memcpy(o, in.d0, n * sizeof(float));
            memset(o + n, 0, 2 * cols * sizeof(float));
            do_backward_acc(p, o, o + n, o + n + cols, in.dy, in.x, in.g, in.mf, in.rf, rows, cols);
            o += n + 2 * cols;
            memcpy(o, in.d0, n * sizeof(float));
            memset(o + n, 0, cols * sizeof(float));
            do_rms_backward_acc(p, o, o + n, in.dy, in.x, in.g, in.rr, rows, cols);
            o += n + cols;
            do_forward_strided(p, o, o + n, o + n + rows, in.x, in.g, in.b, 1, cols, rows, in.eps);
            o += n + 2 * rows;
            memset(o + n, 0, 2 * cols * sizeof(float));
            do_backward_strided(p, o, o + n, o + n + cols, in.dy, in.x, in.g, in.mf, in.rf, 1, cols,
                                rows);
        }
    }
#endif
    d = first_diff(o1, o2, len);
    CHECK(d == len, "public variants == ln__*_on(active path %s): first diff at %zu of %zu",
          ln_path_name(a), d, len);
    inputs_free(&in);
    free(o1);
    free(o2);
}

/* Channels-first with non-temporal y / dx (ln__strided_stream: the AVX-512 tiles, out
   64-byte aligned, inner a multiple of 16 from 64 (forward) or 128 (backward), in calls
   the CPU rule picks).
   The CPU rules (ln__cpu_rule_state) 1 (never streamed) and 3 (Zen 4's choices at any
   size: streamed) must give the same bits, forward and backward (dx apart, in place over
   dy and over x), with the guard zones around the outputs untouched; and with OpenMP,
   rule 3 on two threads the bits of one (whole slices per thread, each fencing its
   stores). Shapes (80: the forward streams, the backward not): the short-slice
   and long-slice kernels, whole tiles only (320) and a partial last tile (272: 256 + 16
   of the forward's 64-lane tiles, 8·32 + 16 of the backward's 32-lane ones). */
static void test_strided_stream(void)
{
    /* tiles that stream (256, 320, 1040) and slices y streams in memory order,
       ln__strided_fwd_avx512_flat (inner below 320 but 64, 192 and 256, or not a multiple
       of 16: lanes that wrap into the next channel mid-vector; one channel; the largest
       inner; LN__BLOCK channels, a slice past 65536 floats); below, y misaligned too */
    static const size_t shapes[][3] = {{5, 3, 256}, {2, 64, 272}, {3, 7, 320}, {2, 17, 1040},
                                       {4, 9, 80},  {3, 5, 144},  {3, 64, 196}, {4, 5, 49},
                                       {3, 2, 17},  {2, 9, 16},   {3, 1, 100}, {2, 3, 1000},
                                       {3, 4, 1024}, {2, 4096, 17}};
    const int saved = ln__cpu_rule_state;
    int k;
    size_t si;
#if defined(LN__HAVE_AVX512) && defined(LN__STREAM_BY_CPU)
    if (ln_path_supported(LN_PATH_AVX512)) { /* so that the cases below do stream */
        fbuf t = fb_new(64, 0);
        ln__cpu_rule_state = 3;
        const size_t f = LN__STRIDED_STREAM_MIN_INNER_FWD, b = LN__STRIDED_STREAM_MIN_INNER_BWD;
        CHECK(ln__strided_stream(LN_PATH_AVX512, t.p, 4096, 64, f) &&
                  ln__strided_stream(LN_PATH_AVX512, t.p, 4096, 80, f) &&
                  ln__strided_stream(LN_PATH_AVX512, t.p, 4096, 1040, b) &&
                  !ln__strided_stream(LN_PATH_AVX512, t.p, 4096, 48, f) &&
                  !ln__strided_stream(LN_PATH_AVX512, t.p, 4096, 112, b) &&
                  !ln__strided_stream(LN_PATH_AVX512, t.p + 4, 4096, 256, f) &&
                  !ln__strided_stream(LN_PATH_AVX512, t.p, 4096, 196, f) &&
                  !ln__strided_stream(LN_PATH_AVX2, t.p, 4096, 256, f),
              "ln__strided_stream: streams aligned outputs with inner 64, 80 (forward) and "
              "1040 (backward) under rule 3, not misaligned ones, inner 48 (forward), 112 "
              "(backward) or 196, or another path");
        ln__cpu_rule_state = 1;
        CHECK(!ln__strided_stream(LN_PATH_AVX512, t.p, (size_t)1 << 30, 256, f),
              "ln__strided_stream: never under rule 1");
        ln__cpu_rule_state = saved;
        fb_free(&t);
    }
#endif
    for (k = 0; k < g_npaths; k++) {
        int p = g_paths[k], bad = 0, cases = 0;
        for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
            size_t outer = shapes[si][0], cols = shapes[si][1], inner = shapes[si][2];
            size_t n = outer * cols * inner, ns = outer * inner, r;
            float *x = fa(n), *dy = fa(n), *g = fa(cols), *b = fa(cols);
            fbuf y[3], dx[3], dxi[2], dxx = fb_new(n, 0);
            float *m[2], *rs[2], *dg[2], *db[2];
            fill_normal(x, n, 300, 0.01 + (double)si);
            fill_normal(dy, n, 0, 1);
            fill_normal(g, cols, 1, 0.2);
            fill_normal(b, cols, 0, 0.2);
            for (r = 0; r < 2; r++) {
                int st;
                ln__cpu_rule_state = r == 0 ? 1 : 3;
                y[r] = fb_new(n, 0), dx[r] = fb_new(n, 0), dxi[r] = fb_new(n, 0);
                m[r] = fa(ns), rs[r] = fa(ns), dg[r] = fa(cols), db[r] = fa(cols);
                memset(dg[r], 0, cols * sizeof(float));
                memset(db[r], 0, cols * sizeof(float));
                st = ln__forward_strided_on(p, y[r].p, m[r], rs[r], x, g, b, outer, cols,
                                            inner, 1e-5f);
                st |= ln__backward_strided_on(p, dx[r].p, dg[r], db[r], dy, x, g, m[0], rs[0],
                                              outer, cols, inner);
                memcpy(dxi[r].p, dy, n * sizeof(float)); /* in place: dx over dy */
                st |= ln__backward_strided_on(p, dxi[r].p, NULL, NULL, dxi[r].p, x, g, m[0],
                                              rs[0], outer, cols, inner);
                bad += st != LN_OK || !fb_guards_ok(&y[r]) || !fb_guards_ok(&dx[r]) ||
                       !fb_guards_ok(&dxi[r]);
            }
            /* rule 3: dx over x, and (with OpenMP) two threads */
            memcpy(dxx.p, x, n * sizeof(float));
            bad += ln__backward_strided_on(p, dxx.p, NULL, NULL, dy, dxx.p, g, m[0], rs[0], outer,
                                           cols, inner) != LN_OK ||
                   !fb_guards_ok(&dxx) || !SAME(dxx.p, dx[0].p, n);
            /* rule 3, y 3 floats past a line: its first floats up to a line are stored */
            y[2] = fb_new(n, 3);
            bad += ln__forward_strided_on(p, y[2].p, NULL, NULL, x, g, b, outer, cols, inner,
                                          1e-5f) != LN_OK ||
                   !fb_guards_ok(&y[2]) || !SAME(y[2].p, y[0].p, n);
            fb_free(&y[2]);
            y[2] = fb_new(n, 0), dx[2] = fb_new(n, 0);
#ifdef _OPENMP
            {
                const int saved_threads = omp_get_max_threads();
                omp_set_num_threads(2);
#endif
                bad += ln__forward_strided_on(p, y[2].p, NULL, NULL, x, g, b, outer, cols, inner,
                                              1e-5f) != LN_OK ||
                       ln__backward_strided_on(p, dx[2].p, NULL, NULL, dy, x, g, m[0], rs[0],
                                               outer, cols, inner) != LN_OK ||
                       !SAME(y[2].p, y[0].p, n) || !SAME(dx[2].p, dx[0].p, n) ||
                       !fb_guards_ok(&y[2]) || !fb_guards_ok(&dx[2]);
#ifdef _OPENMP
                omp_set_num_threads(saved_threads);
            }
#endif
            bad += !SAME(y[0].p, y[1].p, n) || !SAME(m[0], m[1], ns) ||
                   !SAME(rs[0], rs[1], ns) || !SAME(dx[0].p, dx[1].p, n) ||
                   !SAME(dxi[0].p, dxi[1].p, n) || !SAME(dx[0].p, dxi[0].p, n) ||
                   !SAME(dg[0], dg[1], cols) || !SAME(db[0], db[1], cols);
            cases++;
            for (r = 0; r < 2; r++) {
                fb_free(&y[r]), fb_free(&dx[r]), fb_free(&dxi[r]);
                free(m[r]), free(rs[r]), free(dg[r]), free(db[r]);
            }
            fb_free(&y[2]), fb_free(&dx[2]), fb_free(&dxx);
            free(x), free(dy), free(g), free(b);
        }
        CHECK(bad == 0, "[%s] strided outputs streamed (rule 3) and not (rule 1): the same "
              "bits, guards untouched, in %d shapes (%d checks failed)", ln_path_name(p), cases,
              bad);
    }
    ln__cpu_rule_state = saved;
}

/* ================================================================ main */

/* Each section runs in its own child process (test_run), so it seeds its own random
   numbers and reports its own groups. */
#define SECTION(fn, seed)                                                                      \
    static void sec_##fn(void)                                                                 \
    {                                                                                          \
        rng_seed(seed);                                                                        \
        fn();                                                                                  \
        report_groups();                                                                       \
    }
SECTION(test_reference, 1)
SECTION(test_hand, 2)
SECTION(test_errors, 3)
SECTION(test_rows, 4)
SECTION(test_strided, 5)
SECTION(test_strided_stream, 11)
SECTION(test_conventions, 6)
SECTION(test_rms_extremes, 7)
SECTION(test_nan, 8)
SECTION(test_determinism, 9)
SECTION(test_default_is_active, 10)

int main(void)
{
    static const int all[] = {LN_PATH_SCALAR, LN_PATH_AVX2, LN_PATH_AVX512, LN_PATH_NEON};
    int k;
    for (k = 0; k < 4; k++)
        if (ln_path_supported(all[k])) g_paths[g_npaths++] = all[k];
    printf("paths:");
    for (k = 0; k < g_npaths; k++) printf(" %s", ln_path_name(g_paths[k]));
    printf(" (active %s)%s\n", ln_path_name(ln_path_active()), test_quick() ? ", quick" : "");
    CHECK(g_npaths >= 1 && ln_path_supported(LN_PATH_SCALAR), "the scalar path is always supported");

    test_run("the float64 reference: hand-worked cases and finite differences", sec_test_reference);
    test_run("hand-worked cases (default path)", sec_test_hand);
    test_run("bad input: each returns the exact code and writes nothing", sec_test_errors);
    test_run("row variants vs float64 reference and base-function composition", sec_test_rows);
    test_run("strided variants vs float64 reference and transpose composition", sec_test_strided);
    test_run("strided variants: streamed outputs give the same bits", sec_test_strided_stream);
    test_run("conventions: NULL gamma/beta/stats/outputs, +=, aliasing", sec_test_conventions);
    test_run("RMSNorm: |x| up to FLT_MAX, zero rows", sec_test_rms_extremes);
    test_run("a NaN or Inf stays in its row", sec_test_nan);
    test_run("bitwise determinism across OpenMP thread counts", sec_test_determinism);
    test_run("the public functions use the active path", sec_test_default_is_active);
    return test_summary();
}
