/* Golden test: compares every compiled kernel path with PyTorch float64 outputs.

   tests/golden/golden.bin (written by tests/gen_golden.py, layout in
   tests/golden/README.md) holds float32 inputs and float64 reference outputs. This
   program reads it without Python and checks, on every path ln_path_supported()
   reports, with the accuracy bounds of issue 3:
     y          |y − ref|   <= 4·FLT_EPSILON·max(1, |ref|)
     dx         |dx − ref|  <= 4·FLT_EPSILON·rstd_row·max_j|γ_j·dy_j|
     dγ, dβ     |d − ref|   <= 4·FLT_EPSILON·max over the vector |ref|
                (floored at 2^-20·max_j Σ_rows|dy|: for constant rows the exact dγ is 0
                and the reference holds only PyTorch's own float64 rounding, ~1e-14)
   and, for the saved statistics (our own bounds: a correctly rounded float is within
   FLT_EPSILON/2 of the reference; 4·FLT_EPSILON leaves room for a few ulps):
     rstd       |rstd − ref| <= 4·FLT_EPSILON·ref
     mean       |mean − ref| <= 4·FLT_EPSILON·max(|ref|, 1/rstd_ref)
   The backward is fed the reference mean and rstd rounded to float (what a forward
   saves), so it is checked independently of the forward.

   Usage: test_golden [path/to/golden.bin]      (default tests/golden/golden.bin)
   Build with -DGOLDEN_NO_VARIANTS to leave out the issue-5 variants. */
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_pass, g_fail;
static double g_worst; /* worst error/bound of the path being run, printed per path */

/* ---- reading the file: explicit little-endian decoding, so any host reads it ---- */

typedef struct {
    const unsigned char *p, *end;
    int bad;
} reader;

static const unsigned char *take(reader *r, size_t n) {
    const unsigned char *q = r->p;
    if (r->bad || (size_t)(r->end - r->p) < n) { r->bad = 1; return NULL; }
    r->p += n;
    return q;
}
static uint32_t rd_u32(reader *r) {
    const unsigned char *q = take(r, 4);
    if (!q) return 0;
    return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}
static float rd_f32_one(reader *r) {
    uint32_t u = rd_u32(r);
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static float *rd_f32(reader *r, size_t n) {
    float *v = (float *)malloc((n ? n : 1) * sizeof(float));
    size_t i;
    if (!v) { fprintf(stderr, "out of memory\n"); exit(2); }
    for (i = 0; i < n; i++) v[i] = rd_f32_one(r);
    return v;
}
static double *rd_f64(reader *r, size_t n) {
    double *v = (double *)malloc((n ? n : 1) * sizeof(double));
    size_t i;
    if (!v) { fprintf(stderr, "out of memory\n"); exit(2); }
    for (i = 0; i < n; i++) {
        uint64_t lo = rd_u32(r), hi = rd_u32(r), u = lo | hi << 32;
        memcpy(&v[i], &u, 8);
    }
    return v;
}

enum { KIND_LN = 1, KIND_RMS = 2 };

typedef struct {
    char name[64];
    unsigned kind, flags;
    size_t rows, cols;
    float eps;
    float *x, *dy, *gamma, *beta;                     /* gamma/beta NULL when absent */
    double *y, *mean, *rstd, *dx, *dgamma, *dbeta;    /* mean/dbeta NULL for RMSNorm */
} gcase;

/* ---- comparison ---- */

#define TOL (4.0 * FLT_EPSILON)

/* Checks got[i] against ref[i] within TOL·scale[i] (scale NULL: the constant s0).
   Counts one pass or one fail and prints the worst element on failure. */
static void check_close(const char *what, const gcase *c, const char *path,
                        const float *got, const double *ref, const double *scale,
                        double s0, size_t n) {
    size_t i, worst = 0;
    double wr = 0.0;
    int ok = 1;
    for (i = 0; i < n; i++) {
        double s = scale ? scale[i] : s0;
        double e = fabs((double)got[i] - ref[i]);
        double r = e / (TOL * s);
        if (!(r <= 1.0)) ok = 0; /* NaN fails too */
        if (!(r <= wr)) { wr = r; worst = i; }
    }
    if (wr > g_worst) g_worst = wr;
    if (ok) { g_pass++; return; }
    g_fail++;
    printf("FAIL %-18s %-7s %-6s: element %lu got %.9g want %.17g (error %.3g x the bound)\n",
           c->name, path, what, (unsigned long)worst, (double)got[worst], ref[worst], wr);
}

static void check_rc(const char *what, const gcase *c, const char *path, int rc) {
    if (rc == LN_OK) { g_pass++; return; }
    g_fail++;
    printf("FAIL %-18s %-7s %-6s: returned %d (%s)\n", c->name, path, what, rc, ln_strerror(rc));
}

/* Scale for dγ/dβ: max|ref| over the vector, floored as the header comment says. */
static double param_scale(const double *v, const gcase *c) {
    double m = 0.0, floor = 0.0;
    size_t i, r;
    for (i = 0; i < c->cols; i++) {
        double s = 0.0;
        if (fabs(v[i]) > m) m = fabs(v[i]);
        for (r = 0; r < c->rows; r++) s += fabs(c->dy[r * c->cols + i]);
        if (s > floor) floor = s;
    }
    floor = ldexp(floor, -20);
    return m > floor ? m : floor;
}

/* Per-element scales: y -> max(1,|ref|); dx -> rstd_row·max_j|γ_j·dy_j|. */
static void y_scale(double *s, const double *yref, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) s[i] = fabs(yref[i]) > 1.0 ? fabs(yref[i]) : 1.0;
}
static void dx_scale(double *s, const gcase *c) {
    size_t r, j;
    for (r = 0; r < c->rows; r++) {
        double m = 0.0;
        for (j = 0; j < c->cols; j++) {
            double g = c->gamma ? c->gamma[j] : 1.0;
            double v = fabs(g * c->dy[r * c->cols + j]);
            if (v > m) m = v;
        }
        for (j = 0; j < c->cols; j++) s[r * c->cols + j] = c->rstd[r] * m;
    }
}

#ifndef GOLDEN_NO_VARIANTS
/* The fused add was given residual = +0, and x + 0 == x exactly in float. */
static void check_sum_is_x(const gcase *c, const char *path, const float *sum) {
    size_t i, n = c->rows * c->cols;
    for (i = 0; i < n; i++) {
        if (sum[i] != c->x[i]) {
            g_fail++;
            printf("FAIL %-18s %-7s sum   : element %lu got %.9g want %.9g\n", c->name, path,
                   (unsigned long)i, (double)sum[i], (double)c->x[i]);
            return;
        }
    }
    g_pass++;
}
#endif

static float *fbuf(size_t n, float fill) {
    float *v = (float *)malloc((n ? n : 1) * sizeof(float));
    size_t i;
    if (!v) { fprintf(stderr, "out of memory\n"); exit(2); }
    for (i = 0; i < n; i++) v[i] = fill;
    return v;
}
static double *dbuf(size_t n) {
    double *v = (double *)calloc(n ? n : 1, sizeof(double));
    if (!v) { fprintf(stderr, "out of memory\n"); exit(2); }
    return v;
}

/* [rows][cols] -> [cols][rows]: the channels-first layout with outer = 1, inner = rows. */
static float *transpose(const float *a, size_t rows, size_t cols) {
    float *t = fbuf(rows * cols, 0.0f);
    size_t r, j;
    for (r = 0; r < rows; r++)
        for (j = 0; j < cols; j++) t[j * rows + r] = a[r * cols + j];
    return t;
}
static void untranspose(float *a, const float *t, size_t rows, size_t cols) {
    size_t r, j;
    for (r = 0; r < rows; r++)
        for (j = 0; j < cols; j++) a[r * cols + j] = t[j * rows + r];
}

static void run_ln(const gcase *c, int path) {
    const char *pn = ln_path_name(path);
    size_t n = c->rows * c->cols, i;
    float *y = fbuf(n, NAN), *mean = fbuf(c->rows, NAN), *rstd = fbuf(c->rows, NAN);
    float *dx = fbuf(n, NAN), *dg = fbuf(c->cols, 0.0f), *db = fbuf(c->cols, 0.0f);
    float *meanf = fbuf(c->rows, 0.0f), *rstdf = fbuf(c->rows, 0.0f);
    double *ys = dbuf(n), *dxs = dbuf(n), *ms = dbuf(c->rows);
    double sg = param_scale(c->dgamma, c), sb = param_scale(c->dbeta, c);
    y_scale(ys, c->y, n);
    dx_scale(dxs, c);
    for (i = 0; i < c->rows; i++) {
        double sd = 1.0 / c->rstd[i];
        ms[i] = fabs(c->mean[i]) > sd ? fabs(c->mean[i]) : sd;
        meanf[i] = (float)c->mean[i];
        rstdf[i] = (float)c->rstd[i];
    }

    check_rc("fwd", c, pn, ln__forward_on(path, y, mean, rstd, c->x, c->gamma, c->beta,
                                          c->rows, c->cols, c->eps));
    check_close("y", c, pn, y, c->y, ys, 0, n);
    check_close("mean", c, pn, mean, c->mean, ms, 0, c->rows);
    check_close("rstd", c, pn, rstd, c->rstd, c->rstd, 0, c->rows);

    check_rc("bwd", c, pn, ln__backward_on(path, dx, dg, db, c->dy, c->x, c->gamma,
                                           meanf, rstdf, c->rows, c->cols));
    check_close("dx", c, pn, dx, c->dx, dxs, 0, n);
    check_close("dgamma", c, pn, dg, c->dgamma, NULL, sg, c->cols);
    check_close("dbeta", c, pn, db, c->dbeta, NULL, sb, c->cols);

#ifndef GOLDEN_NO_VARIANTS
    {
        /* Fused add with residual = 0: sum = x + 0 = x exactly, so y must match. */
        float *res = fbuf(n, 0.0f), *sum = fbuf(n, NAN);
        float *xt, *dyt, *yt, *dxt;
        double *dxacc = dbuf(n), *dxaccs = dbuf(n);
        check_rc("addfwd", c, pn, ln__add_forward_on(path, y, sum, mean, rstd, c->x, res,
                                                     c->gamma, c->beta, c->rows, c->cols, c->eps));
        check_close("add.y", c, pn, y, c->y, ys, 0, n);
        check_close("add.rstd", c, pn, rstd, c->rstd, c->rstd, 0, c->rows);
        check_sum_is_x(c, pn, sum);

        /* Accumulating backward onto dx0 = 1 + (i mod 3): result − dx0 must be dx.
           The extra FLT_EPSILON·|dx0 + ref| allows for the one rounding of the += . */
        for (i = 0; i < n; i++) {
            dx[i] = (float)(1 + i % 3);
            dxacc[i] = (double)dx[i] + c->dx[i];
            dxaccs[i] = dxs[i] + FLT_EPSILON / TOL * fabs(dxacc[i]);
        }
        for (i = 0; i < c->cols; i++) dg[i] = db[i] = 0.0f;
        check_rc("bwdacc", c, pn, ln__backward_acc_on(path, dx, dg, db, c->dy, c->x, c->gamma,
                                                      meanf, rstdf, c->rows, c->cols));
        check_close("acc.dx", c, pn, dx, dxacc, dxaccs, 0, n);
        check_close("acc.dg", c, pn, dg, c->dgamma, NULL, sg, c->cols);
        check_close("acc.db", c, pn, db, c->dbeta, NULL, sb, c->cols);

        /* Channels-first: the transposed case as [outer = 1][cols][inner = rows]. */
        xt = transpose(c->x, c->rows, c->cols);
        dyt = transpose(c->dy, c->rows, c->cols);
        yt = fbuf(n, NAN);
        dxt = fbuf(n, NAN);
        check_rc("sfwd", c, pn, ln__forward_strided_on(path, yt, mean, rstd, xt, c->gamma,
                                                       c->beta, 1, c->cols, c->rows, c->eps));
        untranspose(y, yt, c->rows, c->cols);
        check_close("s.y", c, pn, y, c->y, ys, 0, n);
        check_close("s.mean", c, pn, mean, c->mean, ms, 0, c->rows);
        check_close("s.rstd", c, pn, rstd, c->rstd, c->rstd, 0, c->rows);
        for (i = 0; i < c->cols; i++) dg[i] = db[i] = 0.0f;
        check_rc("sbwd", c, pn, ln__backward_strided_on(path, dxt, dg, db, dyt, xt, c->gamma,
                                                        meanf, rstdf, 1, c->cols, c->rows));
        untranspose(dx, dxt, c->rows, c->cols);
        check_close("s.dx", c, pn, dx, c->dx, dxs, 0, n);
        check_close("s.dg", c, pn, dg, c->dgamma, NULL, sg, c->cols);
        check_close("s.db", c, pn, db, c->dbeta, NULL, sb, c->cols);
        free(res); free(sum); free(xt); free(dyt); free(yt); free(dxt);
        free(dxacc); free(dxaccs);
    }
#endif
    free(y); free(mean); free(rstd); free(dx); free(dg); free(db); free(meanf); free(rstdf);
    free(ys); free(dxs); free(ms);
}

#ifndef GOLDEN_NO_VARIANTS
static void run_rms(const gcase *c, int path) {
    const char *pn = ln_path_name(path);
    size_t n = c->rows * c->cols, i;
    float *y = fbuf(n, NAN), *rstd = fbuf(c->rows, NAN), *dx = fbuf(n, NAN);
    float *dg = fbuf(c->cols, 0.0f), *rstdf = fbuf(c->rows, 0.0f);
    float *res = fbuf(n, 0.0f), *sum = fbuf(n, NAN);
    double *ys = dbuf(n), *dxs = dbuf(n), *dxacc = dbuf(n), *dxaccs = dbuf(n);
    double sg = param_scale(c->dgamma, c);
    y_scale(ys, c->y, n);
    dx_scale(dxs, c);
    for (i = 0; i < c->rows; i++) rstdf[i] = (float)c->rstd[i];

    check_rc("rfwd", c, pn, ln__rms_forward_on(path, y, rstd, c->x, c->gamma,
                                               c->rows, c->cols, c->eps));
    check_close("y", c, pn, y, c->y, ys, 0, n);
    check_close("rstd", c, pn, rstd, c->rstd, c->rstd, 0, c->rows);

    check_rc("rbwd", c, pn, ln__rms_backward_on(path, dx, dg, c->dy, c->x, c->gamma, rstdf,
                                                c->rows, c->cols));
    check_close("dx", c, pn, dx, c->dx, dxs, 0, n);
    check_close("dgamma", c, pn, dg, c->dgamma, NULL, sg, c->cols);

    for (i = 0; i < n; i++) y[i] = NAN;
    check_rc("raddfwd", c, pn, ln__rms_add_forward_on(path, y, sum, rstd, c->x, res, c->gamma,
                                                      c->rows, c->cols, c->eps));
    check_close("add.y", c, pn, y, c->y, ys, 0, n);
    check_close("add.rstd", c, pn, rstd, c->rstd, c->rstd, 0, c->rows);
    check_sum_is_x(c, pn, sum);

    for (i = 0; i < n; i++) {
        dx[i] = (float)(1 + i % 3);
        dxacc[i] = (double)dx[i] + c->dx[i];
        dxaccs[i] = dxs[i] + FLT_EPSILON / TOL * fabs(dxacc[i]);
    }
    for (i = 0; i < c->cols; i++) dg[i] = 0.0f;
    check_rc("rbwdacc", c, pn, ln__rms_backward_acc_on(path, dx, dg, c->dy, c->x, c->gamma,
                                                       rstdf, c->rows, c->cols));
    check_close("acc.dx", c, pn, dx, dxacc, dxaccs, 0, n);
    check_close("acc.dg", c, pn, dg, c->dgamma, NULL, sg, c->cols);

    free(y); free(rstd); free(dx); free(dg); free(rstdf); free(res); free(sum);
    free(ys); free(dxs); free(dxacc); free(dxaccs);
}
#endif

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "tests/golden/golden.bin";
    static const int paths[] = {LN_PATH_SCALAR, LN_PATH_AVX2, LN_PATH_AVX512, LN_PATH_NEON};
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long len;
    reader r;
    uint32_t ncases, k;
    gcase *cs;
    size_t p;
    int ncov = 0;

    if (!f) { printf("cannot open %s\n0 passed, 1 failed\n", path); return 1; }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (unsigned char *)malloc(len > 0 ? (size_t)len : 1);
    if (!buf || len <= 0 || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        printf("cannot read %s\n0 passed, 1 failed\n", path);
        return 1;
    }
    fclose(f);
    r.p = buf;
    r.end = buf + len;
    r.bad = 0;
    if (memcmp(take(&r, 8), "LNGOLD01", 8) != 0 || rd_u32(&r) != 1) {
        printf("%s: not a version-1 golden file\n0 passed, 1 failed\n", path);
        return 1;
    }
    ncases = rd_u32(&r);
    cs = (gcase *)calloc(ncases ? ncases : 1, sizeof(gcase));
    for (k = 0; k < ncases && cs; k++) {
        gcase *c = &cs[k];
        uint32_t nl;
        const unsigned char *nm;
        size_t n;
        c->kind = rd_u32(&r);
        c->flags = rd_u32(&r);
        c->rows = rd_u32(&r);
        c->cols = rd_u32(&r);
        c->eps = rd_f32_one(&r);
        nl = rd_u32(&r);
        nm = take(&r, nl);
        if (r.bad) break;
        memcpy(c->name, nm, nl < sizeof c->name - 1 ? nl : sizeof c->name - 1);
        n = c->rows * c->cols;
        c->x = rd_f32(&r, n);
        c->dy = rd_f32(&r, n);
        c->gamma = (c->flags & 1) ? rd_f32(&r, c->cols) : NULL;
        c->beta = (c->flags & 2) ? rd_f32(&r, c->cols) : NULL;
        c->y = rd_f64(&r, n);
        c->mean = c->kind == KIND_LN ? rd_f64(&r, c->rows) : NULL;
        c->rstd = rd_f64(&r, c->rows);
        c->dx = rd_f64(&r, n);
        c->dgamma = rd_f64(&r, c->cols);
        c->dbeta = c->kind == KIND_LN ? rd_f64(&r, c->cols) : NULL;
    }
    if (!cs || r.bad || r.p != r.end || ncases < 10) {
        printf("%s: truncated or malformed\n0 passed, 1 failed\n", path);
        return 1;
    }

    printf("golden: %u cases from %s; paths:", (unsigned)ncases, path);
    for (p = 0; p < sizeof paths / sizeof paths[0]; p++)
        if (ln_path_supported(paths[p])) { printf(" %s", ln_path_name(paths[p])); ncov++; }
    printf(" (active: %s)\n", ln_path_name(ln_path_active()));
    /* The scalar path is always compiled; a build where nothing runs is a failure. */
    if (ln_path_supported(LN_PATH_SCALAR)) g_pass++;
    else { g_fail++; printf("FAIL scalar path not supported\n"); }

    for (p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        if (!ln_path_supported(paths[p])) continue;
        g_worst = 0.0;
        for (k = 0; k < ncases; k++) {
            if (cs[k].kind == KIND_LN) run_ln(&cs[k], paths[p]);
#ifndef GOLDEN_NO_VARIANTS
            else run_rms(&cs[k], paths[p]);
#endif
        }
        printf("%-7s largest error: %.3g of the bound\n", ln_path_name(paths[p]), g_worst);
    }
    (void)ncov;
    for (k = 0; k < ncases; k++) {
        gcase *c = &cs[k];
        free(c->x); free(c->dy); free(c->gamma); free(c->beta); free(c->y); free(c->mean);
        free(c->rstd); free(c->dx); free(c->dgamma); free(c->dbeta);
    }
    free(cs);
    free(buf);
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
