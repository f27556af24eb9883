/* libFuzzer target for layernorm.h: every public function, every compiled path.

   Build and run (make fuzz does this; FUZZ_SECONDS=N sets the time):
       clang -g -O1 -fsanitize=fuzzer,address,undefined -I. fuzz/fuzz_layernorm.c -lm
       ./a.out -max_total_time=60 fuzz/corpus
   Replay one input: ./a.out path/to/crash-file

   The input decodes to (see decode()): the function, rows (0..8), cols (0..300),
   inner (0..4, or rarely 16..48, strided), eps (a few fixed values or raw bits),
   whether the choices made for large calls on Zen 4 apply (CPU rule 3: non-temporal
   stores, rows one by one, the channels-first forward's memory-order sweep), which
   pointers are
   NULL, which outputs alias inputs, each buffer's misalignment (0..15 floats from a
   64-byte boundary), each buffer's value family (small multiples of a power of two,
   the same plus a large offset, raw float bits, or specials: NaN, ±Inf, subnormals,
   FLT_MAX), and rarely sizes whose byte count overflows size_t.

   What it checks (abort() on any failure, so libFuzzer keeps the input):
   - the return code is exactly the one the conventions give, from our own decoding:
     required pointer NULL -> LN_ERR_NULL; bad eps -> LN_ERR_EPS; rows (outer) == 0 ->
     LN_OK; cols or inner == 0 -> LN_ERR_SIZE; byte count overflows -> LN_ERR_SIZE;
   - on error (and for rows == 0) not one output element changes (sentinels);
   - nothing is written outside the outputs: buffers are allocated to their exact
     size, so ASan catches overruns, and each has a sentinel-filled lead-in;
   - const inputs are not modified;
   - per row (per (outer, inner) line): when the row's own inputs are finite and of
     moderate magnitude (0 or 2^-30 <= |v| <= 2^20), eps is finite and var + eps > 0,
     every output of that row is finite and within the accuracy bounds of a float64
     reference computed here. A NaN or Inf in another row must not disturb it, so
     this is also the row-containment check. dγ/dβ are checked when all rows are;
   - fused add: sum is bitwise fl(x + residual);
   - all of the above on every path ln_path_supported() reports (so SIMD paths agree
     with the scalar path within the bounds), and the public function gives bitwise
     the result of its active path.

   Bounds (4·FLT_EPSILON times a scale). The issue-3 scales assume γ, β of order 1 and
   rows without outliers; fuzz inputs have neither, so some scales are widened to the
   magnitude of the terms that are actually summed:
     y      max(1, |y_ref|, |x̂·γ|)          (β may cancel x̂·γ)
     mean   max(|mean|, sqrt(var + eps))    rstd   rstd_ref
     dx     rstd·max|γ·dy|·max(1, max|x̂|)   (an outlier has |x̂| up to sqrt(cols))
     dγ     max_j Σ_rows |dy·x̂|             dβ     max_j Σ_rows |dy|
   plus FLT_EPSILON·|result| for the one rounding of += in the accumulating outputs. */
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_FWD, F_BWD, F_RMS_FWD, F_RMS_BWD, F_ADD, F_RMS_ADD, F_BWD_ACC, F_RMS_BWD_ACC,
       F_FWD_S, F_BWD_S, F_COUNT };
static const char *const fname[F_COUNT] = {
    "ln_forward", "ln_backward", "ln_rms_forward", "ln_rms_backward", "ln_add_forward",
    "ln_rms_add_forward", "ln_backward_acc", "ln_rms_backward_acc", "ln_forward_strided",
    "ln_backward_strided"};

static int is_fwd(int f) { return f == F_FWD || f == F_RMS_FWD || f == F_ADD || f == F_RMS_ADD || f == F_FWD_S; }
static int is_rms(int f) { return f == F_RMS_FWD || f == F_RMS_BWD || f == F_RMS_ADD || f == F_RMS_BWD_ACC; }
static int is_add(int f) { return f == F_ADD || f == F_RMS_ADD; }
static int is_acc(int f) { return f == F_BWD_ACC || f == F_RMS_BWD_ACC; }
static int is_strided(int f) { return f == F_FWD_S || f == F_BWD_S; }

/* Buffers. Inputs first, then outputs. */
enum { B_X, B_RES, B_G, B_B, B_DY, B_MEAN_IN, B_RSTD_IN,
       B_Y, B_SUM, B_MEAN, B_RSTD, B_DX, B_DG, B_DB, B_COUNT };

typedef struct {
    float *base;  /* posix_memalign'ed, 64-byte aligned */
    float *p;     /* base + off: what the call gets (unless NULL) */
    size_t n;     /* elements at p: exactly what the call may touch */
    size_t off;   /* sentinel-filled lead-in */
    float *image; /* the contents (lead-in included) before the call */
    int used;     /* passed to this function at all */
    int null;     /* passed as NULL */
} buf;

static const uint32_t SENTINEL = 0x7fa5c3e1u; /* a signalling-NaN pattern no kernel writes */

/* ---- input decoding: bytes from the fuzzer, then a PRNG seeded from them ---- */

typedef struct {
    const uint8_t *p;
    size_t n;
    uint64_t s;
} src;

static uint8_t u8(src *r) {
    if (r->n) { r->n--; r->s = r->s * 0x100000001b3ull ^ *r->p; return *r->p++; }
    r->s ^= r->s << 13; r->s ^= r->s >> 7; r->s ^= r->s << 17;
    return (uint8_t)(r->s >> 24);
}
static uint32_t u32(src *r) {
    uint32_t v = u8(r);
    v |= (uint32_t)u8(r) << 8;
    v |= (uint32_t)u8(r) << 16;
    return v | (uint32_t)u8(r) << 24;
}
static float bits2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static float special(src *r) {
    static const float tab[] = {0.0f, -0.0f, 1.0f, -1.0f, FLT_MAX, -FLT_MAX, FLT_MIN, 1e-40f,
                                -1e-45f, 1e30f, -1e30f, 1e-30f, 65504.0f, 0.5f};
    uint8_t k = u8(r) % 18;
    if (k < sizeof tab / sizeof tab[0]) return tab[k];
    if (k == 14) return bits2f(0x7fc00000u);               /* NaN */
    if (k == 15) return bits2f(0xffc00001u | u8(r));       /* NaN, sign and payload */
    if (k == 16) return bits2f(0x7f800000u);               /* +Inf */
    return bits2f(0xff800000u);                            /* -Inf */
}

/* One value of a family: 0 small multiples of 2^e, 1 the same plus a large offset,
   2 raw bits, 3 mostly moderate with specials sprinkled in. */
static float value(src *r, int family, int e, double offset) {
    double m = (double)(int8_t)u8(r) * ldexp(1.0, e);
    switch (family) {
    case 0: return (float)m;
    case 1: return (float)(offset + m);
    case 2: return bits2f(u32(r));
    default: return (u8(r) & 7) == 0 ? special(r) : (float)m;
    }
}

static int moderate(float v) {
    double a = fabs((double)v);
    return isfinite(v) && a <= 1048576.0 && (a == 0.0 || a >= ldexp(1.0, -30));
}

static void fail(const char *what, int f, int path, long i) {
    fprintf(stderr, "FUZZ CHECK FAILED: %s: %s on path %s (element %ld)\n", fname[f], what,
            path ? ln_path_name(path) : "public", i);
    abort();
}

/* ---- the call ---- */

typedef struct {
    int f;
    size_t rows, cols, inner; /* rows is `outer` for the strided functions */
    float eps;
} call_t;

static float *P(buf *b) { return b->null ? NULL : b->p; }

static int invoke(const call_t *c, int path, buf *B) {
    size_t R = c->rows, C = c->cols, I = c->inner;
    float e = c->eps;
    float *x = P(&B[B_X]), *res = P(&B[B_RES]), *g = P(&B[B_G]), *b = P(&B[B_B]);
    float *dy = P(&B[B_DY]), *mi = P(&B[B_MEAN_IN]), *ri = P(&B[B_RSTD_IN]);
    float *y = P(&B[B_Y]), *sum = P(&B[B_SUM]), *mean = P(&B[B_MEAN]), *rstd = P(&B[B_RSTD]);
    float *dx = P(&B[B_DX]), *dg = P(&B[B_DG]), *db = P(&B[B_DB]);
    if (path == 0) {
        switch (c->f) {
        case F_FWD: return ln_forward(y, mean, rstd, x, g, b, R, C, e);
        case F_BWD: return ln_backward(dx, dg, db, dy, x, g, mi, ri, R, C);
        case F_RMS_FWD: return ln_rms_forward(y, rstd, x, g, R, C, e);
        case F_RMS_BWD: return ln_rms_backward(dx, dg, dy, x, g, ri, R, C);
        case F_ADD: return ln_add_forward(y, sum, mean, rstd, x, res, g, b, R, C, e);
        case F_RMS_ADD: return ln_rms_add_forward(y, sum, rstd, x, res, g, R, C, e);
        case F_BWD_ACC: return ln_backward_acc(dx, dg, db, dy, x, g, mi, ri, R, C);
        case F_RMS_BWD_ACC: return ln_rms_backward_acc(dx, dg, dy, x, g, ri, R, C);
        case F_FWD_S: return ln_forward_strided(y, mean, rstd, x, g, b, R, C, I, e);
        default: return ln_backward_strided(dx, dg, db, dy, x, g, mi, ri, R, C, I);
        }
    }
    switch (c->f) {
    case F_FWD: return ln__forward_on(path, y, mean, rstd, x, g, b, R, C, e);
    case F_BWD: return ln__backward_on(path, dx, dg, db, dy, x, g, mi, ri, R, C);
    case F_RMS_FWD: return ln__rms_forward_on(path, y, rstd, x, g, R, C, e);
    case F_RMS_BWD: return ln__rms_backward_on(path, dx, dg, dy, x, g, ri, R, C);
    case F_ADD: return ln__add_forward_on(path, y, sum, mean, rstd, x, res, g, b, R, C, e);
    case F_RMS_ADD: return ln__rms_add_forward_on(path, y, sum, rstd, x, res, g, R, C, e);
    case F_BWD_ACC: return ln__backward_acc_on(path, dx, dg, db, dy, x, g, mi, ri, R, C);
    case F_RMS_BWD_ACC: return ln__rms_backward_acc_on(path, dx, dg, dy, x, g, ri, R, C);
    case F_FWD_S: return ln__forward_strided_on(path, y, mean, rstd, x, g, b, R, C, I, e);
    default: return ln__backward_strided_on(path, dx, dg, db, dy, x, g, mi, ri, R, C, I);
    }
}

/* Which buffers a function takes, and which of them are required. */
static void signature(int f, int *used, int *required) {
    int k;
    for (k = 0; k < B_COUNT; k++) used[k] = required[k] = 0;
    if (is_fwd(f)) {
        used[B_Y] = used[B_X] = used[B_G] = used[B_RSTD] = 1;
        required[B_Y] = required[B_X] = 1;
        if (!is_rms(f)) used[B_B] = used[B_MEAN] = 1;
        if (is_add(f)) used[B_SUM] = used[B_RES] = required[B_SUM] = required[B_RES] = 1;
    } else {
        used[B_DX] = used[B_DG] = used[B_DY] = used[B_X] = used[B_G] = used[B_RSTD_IN] = 1;
        required[B_DY] = required[B_X] = required[B_RSTD_IN] = 1;
        if (!is_rms(f)) used[B_DB] = used[B_MEAN_IN] = required[B_MEAN_IN] = 1;
    }
}

/* ---- the float64 reference, per line (row, or (outer, inner) pair) ---- */

typedef struct {
    double *y, *mean, *rstd, *dx, *dg, *db;       /* reference values */
    double *sy, *smean, *srstd, *sdx, *sdg, *sdb; /* bound scales */
    unsigned char *clean;                         /* line is checkable */
    int params_clean;                             /* every line is: check dγ/dβ */
} ref_t;

#define AT(o, j, i) (((o) * C + (j)) * I + (i))

static void *zalloc(size_t n) {
    void *p = calloc(n ? n : 1, 1);
    if (!p) abort();
    return p;
}

/* A buffer's contents before the call (NULL when the function does not take it). */
static const float *img(const buf *B, int k) { return B[k].used ? B[k].image + B[k].off : NULL; }

static void reference(const call_t *c, buf *B, const float *xin, ref_t *rf) {
    size_t R = c->rows, C = c->cols, I = c->inner, o, i, j, n = R * C * I;
    int f = c->f, rms = is_rms(f);
    double eps = c->eps;
    const float *g = B[B_G].null ? NULL : B[B_G].image + B[B_G].off;
    const float *bt = (!B[B_B].used || B[B_B].null) ? NULL : B[B_B].image + B[B_B].off;
    const float *dy = img(B, B_DY), *dx0 = img(B, B_DX), *dg0 = img(B, B_DG), *db0 = img(B, B_DB);
    int gok = 1;
    rf->y = zalloc(n * 8); rf->sy = zalloc(n * 8); rf->dx = zalloc(n * 8); rf->sdx = zalloc(n * 8);
    rf->mean = zalloc(R * I * 8); rf->smean = zalloc(R * I * 8);
    rf->rstd = zalloc(R * I * 8); rf->srstd = zalloc(R * I * 8);
    rf->dg = zalloc(C * 8); rf->sdg = zalloc(C * 8); rf->db = zalloc(C * 8); rf->sdb = zalloc(C * 8);
    rf->clean = zalloc(R * I);
    rf->params_clean = 1;
    for (j = 0; j < C; j++) {
        if (g && !moderate(g[j])) gok = 0;
        if (bt && !moderate(bt[j])) gok = 0;
    }
    if (!(eps >= 0.0) || isinf(eps)) gok = 0;
    for (o = 0; o < R; o++) {
        for (i = 0; i < I; i++) {
            double m = 0.0, v = 0.0, rs, mg = 0.0, mgx = 0.0, gmax = 0.0, xhmax = 0.0;
            int ok = gok;
            for (j = 0; j < C; j++) {
                if (!moderate(xin[AT(o, j, i)])) ok = 0;
                if (!is_fwd(f) && !moderate(dy[AT(o, j, i)])) ok = 0;
                if (is_acc(f) && !moderate(dx0[AT(o, j, i)])) ok = 0;
                if (is_add(f) && (!moderate(B[B_X].image[B[B_X].off + AT(o, j, i)]) ||
                                  !moderate(B[B_RES].image[B[B_RES].off + AT(o, j, i)])))
                    ok = 0;
            }
            if (!ok) { rf->params_clean = 0; continue; }
            if (!rms) {
                for (j = 0; j < C; j++) m += xin[AT(o, j, i)];
                m /= (double)C;
            }
            for (j = 0; j < C; j++) {
                double d = xin[AT(o, j, i)] - m;
                v += d * d;
            }
            v /= (double)C;
            rs = 1.0 / sqrt(v + eps);
            if (!(v + eps > 0.0) || !isfinite(rs)) { rf->params_clean = 0; continue; }
            rf->clean[o * I + i] = 1;
            rf->mean[o * I + i] = m;
            rf->smean[o * I + i] = fabs(m) > 1.0 / rs ? fabs(m) : 1.0 / rs;
            rf->rstd[o * I + i] = rs;
            rf->srstd[o * I + i] = rs;
            for (j = 0; j < C; j++) {
                size_t k = AT(o, j, i);
                double xh = (xin[k] - m) * rs, gj = g ? g[j] : 1.0, t = xh * gj;
                double s = fabs(t);
                rf->y[k] = t + (bt ? bt[j] : 0.0);
                if (fabs(rf->y[k]) > s) s = fabs(rf->y[k]);
                rf->sy[k] = s > 1.0 ? s : 1.0;
                if (fabs(xh) > xhmax) xhmax = fabs(xh);
                if (!is_fwd(f)) {
                    double gg = gj * dy[k];
                    mg += gg;
                    mgx += gg * xh;
                    if (fabs(gg) > gmax) gmax = fabs(gg);
                    rf->dg[j] += dy[k] * xh;
                    rf->sdg[j] += fabs(dy[k] * xh);
                    rf->db[j] += dy[k];
                    rf->sdb[j] += fabs((double)dy[k]);
                }
            }
            if (is_fwd(f)) continue;
            mg = rms ? 0.0 : mg / (double)C;
            mgx /= (double)C;
            for (j = 0; j < C; j++) {
                size_t k = AT(o, j, i);
                double xh = (xin[k] - m) * rs, gg = (g ? g[j] : 1.0) * dy[k];
                rf->dx[k] = rs * (gg - mg - xh * mgx);
                rf->sdx[k] = rs * gmax * (xhmax > 1.0 ? xhmax : 1.0);
                if (is_acc(f)) {
                    rf->dx[k] += dx0[k];
                    rf->sdx[k] += fabs(rf->dx[k]) / 4.0; /* FLT_EPSILON·|result| after ·4ε */
                }
            }
        }
    }
    /* dγ/dβ: scale is the largest Σ|term|; += onto the initial values. */
    if (!is_fwd(f)) {
        double mg = 0.0, mb = 0.0;
        for (j = 0; j < C; j++) {
            if (rf->sdg[j] > mg) mg = rf->sdg[j];
            if (rf->sdb[j] > mb) mb = rf->sdb[j];
        }
        for (j = 0; j < C; j++) {
            if (!moderate(dg0[j]) || (db0 && !moderate(db0[j]))) rf->params_clean = 0;
            rf->dg[j] += dg0[j];
            if (db0) rf->db[j] += db0[j];
            rf->sdg[j] = mg + fabs(rf->dg[j]) / 4.0;
            rf->sdb[j] = mb + fabs(rf->db[j]) / 4.0;
        }
    }
}

static void free_ref(ref_t *rf) {
    free(rf->y); free(rf->sy); free(rf->dx); free(rf->sdx); free(rf->mean); free(rf->smean);
    free(rf->rstd); free(rf->srstd); free(rf->dg); free(rf->sdg); free(rf->db); free(rf->sdb);
    free(rf->clean);
}

static void near(const call_t *c, int path, const char *what, float got, double ref, double scale, long i) {
    double err = fabs((double)got - ref);
    if (!(err <= 4.0 * FLT_EPSILON * scale)) {
        fprintf(stderr, "got %.9g, want %.17g (bound %.3g)\n", (double)got, ref, 4.0 * FLT_EPSILON * scale);
        fail(what, c->f, path, i);
    }
}

/* Every check on one call's result. */
static void check(const call_t *c, int path, buf *B, int rc, int want, const ref_t *rf,
                  int ovf) {
    size_t R = c->rows, C = c->cols, I = c->inner, o, i, j, k;
    int f = c->f, wrote = (rc == LN_OK && R > 0 && !ovf);
    if (rc != want) {
        fprintf(stderr, "returned %d, want %d\n", rc, want);
        fail("return code", f, path, -1);
    }
    for (k = 0; k < B_COUNT; k++) {
        buf *b = &B[k];
        if (!b->used) continue;
        /* The lead-in is never written; inputs and (on error) outputs are unchanged. */
        if (b->base && memcmp(b->base, b->image, b->off * 4) != 0) fail("wrote before a buffer", f, path, (long)k);
        if (k < B_Y || !wrote) {
            int aliased_out = (k == B_X && (B[B_Y].p == b->p || B[B_SUM].p == b->p || B[B_DX].p == b->p)) ||
                              (k == B_RES && B[B_SUM].p == b->p) || (k == B_DY && B[B_DX].p == b->p);
            if ((!aliased_out || !wrote) && memcmp(b->p, b->image + b->off, b->n * 4) != 0)
                fail(k < B_Y ? "modified an input" : "wrote on error or no-op", f, path, (long)k);
        }
    }
    if (!wrote) return;
    if (is_add(f)) {
        const float *x = B[B_X].image + B[B_X].off, *r = B[B_RES].image + B[B_RES].off;
        for (k = 0; k < R * C; k++) {
            volatile float s = x[k] + r[k];
            float got = B[B_SUM].p[k];
            if (isnan(s) ? !isnan(got) : memcmp(&got, (const void *)&s, 4) != 0)
                fail("sum is not x + residual", f, path, (long)k);
        }
    }
    for (o = 0; o < R; o++) {
        for (i = 0; i < I; i++) {
            size_t l = o * I + i;
            if (!rf->clean[l]) continue;
            if (is_fwd(f)) {
                if (!B[B_MEAN].null && B[B_MEAN].used) near(c, path, "mean", B[B_MEAN].p[l], rf->mean[l], rf->smean[l], (long)l);
                if (!B[B_RSTD].null) near(c, path, "rstd", B[B_RSTD].p[l], rf->rstd[l], rf->srstd[l], (long)l);
            }
            for (j = 0; j < C; j++) {
                k = AT(o, j, i);
                if (is_fwd(f)) near(c, path, "y", B[B_Y].p[k], rf->y[k], rf->sy[k], (long)k);
                else if (!B[B_DX].null) near(c, path, "dx", B[B_DX].p[k], rf->dx[k], rf->sdx[k], (long)k);
            }
        }
    }
    if (!is_fwd(f) && rf->params_clean) {
        for (j = 0; j < C; j++) {
            if (!B[B_DG].null) near(c, path, "dgamma", B[B_DG].p[j], rf->dg[j], rf->sdg[j], (long)j);
            if (B[B_DB].used && !B[B_DB].null) near(c, path, "dbeta", B[B_DB].p[j], rf->db[j], rf->sdb[j], (long)j);
        }
    }
}

static void restore(buf *B) {
    int k;
    for (k = 0; k < B_COUNT; k++)
        if (B[k].base) memcpy(B[k].base, B[k].image, (B[k].off + B[k].n) * 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int paths[] = {LN_PATH_SCALAR, LN_PATH_AVX2, LN_PATH_AVX512, LN_PATH_NEON};
    src r;
    call_t c;
    buf B[B_COUNT];
    int used[B_COUNT], req[B_COUNT], want, ovf = 0, e, fam[B_COUNT], k, alias, active_done = 0;
    uint8_t nullmask, reqmask, epsmode, ovfb;
    int rule3, saved_rule = 0;
    uint32_t fams, offs_lo, offs_hi;
    double offset;
    float *xin = NULL, *saved = NULL;
    ref_t rf;
    size_t p, n, lines, i, total = 0;

    r.p = data; r.n = size; r.s = 0x9e3779b97f4a7c15ull;
    memset(B, 0, sizeof B);
    memset(&rf, 0, sizeof rf);

    /* ---- decode ---- */
    c.f = u8(&r) % F_COUNT;
    c.rows = u8(&r) % 9;
    c.cols = u8(&r);
    c.cols = (c.cols | (size_t)u8(&r) << 8) % 301;
    c.inner = 1;
    if (is_strided(c.f)) { /* (the byte is there for the strided functions only) */
        uint8_t v = u8(&r); /* rarely 16..48: the flat channels-first forward's lanes */
        c.inner = v >= 0xE0 ? 16 + (size_t)v % 33 : (size_t)v % 5;
    }
    epsmode = u8(&r);
    switch (epsmode % 10) {
    case 0: case 1: c.eps = 1e-5f; break;
    case 2: c.eps = 0.0f; break;
    case 3: c.eps = bits2f(u32(&r)); break;
    case 4: c.eps = -1e-5f; break;
    case 5: c.eps = bits2f(0x7fc00000u); break;
    case 6: c.eps = (epsmode & 16) ? -INFINITY : INFINITY; break;
    case 7: c.eps = 1.0f; break;
    case 8: c.eps = 1e-40f; break;
    default: c.eps = -0.0f; break;
    }
    nullmask = u8(&r);       /* optional pointers: bit k set -> NULL */
    reqmask = u8(&r);        /* required pointers NULL only when the top bits are 101 */
    alias = u8(&r) % 4;      /* 1: y=x / dx=dy / sum=x   2: dx=x / sum=residual */
    fams = u32(&r);          /* 2 bits per buffer: value family */
    offs_lo = u32(&r);
    offs_hi = u32(&r);       /* 4 bits per buffer: misalignment in floats */
    e = (int)(u8(&r) % 24) - 14; /* values are multiples of 2^e, |v| <= 127·2^e */
    {
        static const double offsets[] = {10000.0, 300.0, 1.0, -1000.0};
        offset = offsets[u8(&r) % 4];
    }
    ovfb = u8(&r);
    ovf = ovfb >= 0xf8 && c.cols > 0 && c.inner > 0;
    rule3 = !ovf && (ovfb & 0x10); /* Zen 4's large-call choices at this size */
    if (ovf) {
        /* sizes whose byte count overflows size_t: nothing may be touched */
        size_t lim = SIZE_MAX / sizeof(float);
        switch (ovfb % 3) {
        case 0: c.rows = lim / (c.cols * c.inner) + 1 + (ovfb & 1); break;
        case 1: if (c.rows == 0) c.rows = 1; c.cols = lim / (c.rows * c.inner) + 1; break;
        default:
            if (c.rows == 0) c.rows = 1;
            if (is_strided(c.f)) c.inner = lim / (c.rows * c.cols) + 1;
            else c.rows = SIZE_MAX;
            break;
        }
    }

    signature(c.f, used, req);
    {
        int bit = 0, rbit = 0;
        for (k = 0; k < B_COUNT; k++) {
            if (!used[k]) continue;
            B[k].used = 1;
            if (req[k]) B[k].null = (reqmask & 0xe0) == 0xa0 && (reqmask >> rbit++ & 1);
            else B[k].null = nullmask >> bit++ & 1;
        }
    }
    if (getenv("FUZZ_VERBOSE")) {
        uint32_t eb;
        memcpy(&eb, &c.eps, 4);
        fprintf(stderr, "%s rows=%lu cols=%lu inner=%lu eps=%.9g (0x%08x) alias=%d ovf=%d null:",
                fname[c.f], (unsigned long)c.rows, (unsigned long)c.cols, (unsigned long)c.inner,
                (double)c.eps, (unsigned)eb, alias, ovf);
        for (k = 0; k < B_COUNT; k++) if (B[k].used && B[k].null) fprintf(stderr, " %d", k);
        fprintf(stderr, "\n");
    }
    /* ---- the expected status, from the conventions alone ---- */
    want = LN_OK;
    for (k = 0; k < B_COUNT; k++) if (B[k].used && req[k] && B[k].null) want = LN_ERR_NULL;
    if (want == LN_OK && is_fwd(c.f) && (!(c.eps >= 0.0f) || isinf(c.eps))) want = LN_ERR_EPS;
    if (want == LN_OK && c.rows > 0) {
        if (c.cols == 0 || c.inner == 0) want = LN_ERR_SIZE;
        else if (ovf) want = LN_ERR_SIZE;
    }

    /* ---- buffers: exact sizes (small stand-ins when the sizes overflow) ---- */
    n = ovf ? 64 : c.rows * c.cols * c.inner;
    lines = ovf ? 8 : c.rows * c.inner;
    for (k = 0; k < B_COUNT; k++) {
        size_t len, j;
        void *mem;
        if (!B[k].used) continue;
        if (k == B_G || k == B_B || k == B_DG || k == B_DB) len = ovf ? (c.cols < 64 ? c.cols : 64) : c.cols;
        else if (k == B_MEAN_IN || k == B_RSTD_IN || k == B_MEAN || k == B_RSTD) len = lines;
        else len = n;
        B[k].n = len;
        B[k].off = (k < 8 ? offs_lo >> (4 * k) : offs_hi >> (4 * (k - 8))) & 15;
        fam[k] = (int)(fams >> (2 * k) & 3);
        if (posix_memalign(&mem, 64, (B[k].off + len) * 4 + (B[k].off + len == 0))) abort();
        B[k].base = (float *)mem;
        B[k].p = B[k].base + B[k].off;
        B[k].image = (float *)zalloc((B[k].off + len) * 4 + 4);
        for (j = 0; j < B[k].off; j++) memcpy(&B[k].base[j], &SENTINEL, 4);
        for (j = 0; j < len; j++) {
            int input = k < B_Y || (is_acc(c.f) && (k == B_DX || k == B_DG || k == B_DB)) ||
                        (!is_fwd(c.f) && (k == B_DG || k == B_DB));
            if (input) B[k].p[j] = value(&r, fam[k], e, k == B_G ? 1.0 : offset);
            else memcpy(&B[k].p[j], &SENTINEL, 4);
        }
        total += B[k].off + len;
    }
    /* Backward inputs mean/rstd: what a forward would save (float-rounded float64 stats
       of x), unless their family is raw (2), which feeds arbitrary bits. */
    if (!is_fwd(c.f) && !ovf) {
        size_t o, ii, j, C = c.cols, I = c.inner;
        for (o = 0; o < c.rows; o++) {
            for (ii = 0; ii < I; ii++) {
                double m = 0.0, v = 0.0;
                if (!is_rms(c.f)) {
                    for (j = 0; j < C; j++) m += B[B_X].p[AT(o, j, ii)];
                    m /= (double)C;
                }
                for (j = 0; j < C; j++) v += (B[B_X].p[AT(o, j, ii)] - m) * (B[B_X].p[AT(o, j, ii)] - m);
                v /= (double)C;
                if (B[B_MEAN_IN].used && fam[B_MEAN_IN] != 2) B[B_MEAN_IN].p[o * I + ii] = (float)m;
                if (fam[B_RSTD_IN] != 2) B[B_RSTD_IN].p[o * I + ii] = (float)(1.0 / sqrt(v + (double)c.eps));
            }
        }
    }
    /* In-place calls: the output is the input's buffer (allowed aliasing only). */
    if (!ovf) {
        int out = -1, in = -1;
        if (alias == 1) { out = is_fwd(c.f) ? (is_add(c.f) ? B_SUM : B_Y) : B_DX; in = is_fwd(c.f) ? B_X : B_DY; }
        if (alias == 2) { out = is_fwd(c.f) ? (is_add(c.f) ? B_SUM : -1) : B_DX; in = is_fwd(c.f) ? B_RES : B_X; }
        if (out >= 0 && !B[out].null && !B[in].null) {
            /* the output buffer takes over the input's memory and contents */
            free(B[out].base); free(B[out].image);
            B[out] = B[in];
            B[out].image = (float *)zalloc((B[in].off + B[in].n) * 4 + 4);
            B[out].base = NULL; /* shares B[in]'s memory; restore() copies the input's image */
        }
    }
    for (k = 0; k < B_COUNT; k++) {
        if (!B[k].used) continue;
        if (B[k].base) memcpy(B[k].image, B[k].base, (B[k].off + B[k].n) * 4);
        else { /* aliased output: same memory as its input */
            int in;
            for (in = 0; in < B_Y; in++)
                if (B[in].p == B[k].p && B[in].base) memcpy(B[k].image, B[in].base, (B[k].off + B[k].n) * 4);
        }
    }

    /* ---- reference: on the values the kernel normalizes (fl(x + res) for fused add) ---- */
    if (!ovf && c.rows > 0 && c.cols > 0 && c.inner > 0 && want == LN_OK) {
        xin = (float *)zalloc(n * 4);
        for (i = 0; i < n; i++) {
            float xv = B[B_X].image[B[B_X].off + i];
            if (is_add(c.f)) {
                volatile float s = xv + B[B_RES].image[B[B_RES].off + i];
                xv = s;
            }
            xin[i] = xv;
        }
        reference(&c, B, xin, &rf);
        /* arbitrary saved statistics: the backward must not crash, nothing more */
        if (!is_fwd(c.f) && (fam[B_RSTD_IN] == 2 || (B[B_MEAN_IN].used && fam[B_MEAN_IN] == 2))) {
            memset(rf.clean, 0, c.rows * c.inner);
            rf.params_clean = 0;
        }
    }

    /* ---- every supported path, then the public function ---- */
#if defined(LN__HAVE_AVX512) || defined(LN__HAVE_AVX2)
    saved_rule = ln__cpu_rule();
    if (rule3) ln__cpu_rule_state = 3;
#endif
    saved = (float *)zalloc(total * 4 + 64);
    for (p = 0; p <= sizeof paths / sizeof paths[0]; p++) {
        int path = p < sizeof paths / sizeof paths[0] ? paths[p] : 0, rc;
        if (path && !ln_path_supported(path)) continue;
        restore(B);
        rc = invoke(&c, path, B);
        check(&c, path, B, rc, want, &rf, ovf);
        if (path == ln_path_active() || path == 0) {
            /* the public call must be bitwise its active path */
            size_t at = 0;
            for (k = 0; k < B_COUNT; k++) {
                if (!B[k].used || !B[k].base) continue;
                if (path) memcpy(saved + at, B[k].base, (B[k].off + B[k].n) * 4);
                else if (active_done && memcmp(saved + at, B[k].base, (B[k].off + B[k].n) * 4) != 0)
                    fail("public call differs from its active path", c.f, 0, (long)k);
                at += B[k].off + B[k].n;
            }
            if (path) active_done = 1;
        }
    }

    for (k = 0; k < B_COUNT; k++) { free(B[k].base); free(B[k].image); }
    if (xin) { free(xin); free_ref(&rf); }
    free(saved);
#if defined(LN__HAVE_AVX512) || defined(LN__HAVE_AVX2)
    ln__cpu_rule_state = saved_rule;
#else
    (void)rule3, (void)saved_rule;
#endif
    return 0;
}
