/* bench/bench.c - how close layernorm.h gets to the memory-streaming limit.

   make bench                               plain `cc -O2 -fopenmp` build, then run
   make bench BENCH_CFLAGS="-O2 -march=native"   the same with other flags, to compare
   ./build/bench [--quick] [--markdown] [--time S] [--main | --variants | --shape RxC]

   For every shape and pass, at 1 thread and at the machine's thread count, it times the
   active SIMD path, the scalar reference path (ln__forward_on(LN_PATH_SCALAR, ...)) and a
   streaming baseline that moves the same bytes (bench_util.h), interleaved call by call
   so the noise of a shared machine hits all three alike, and prints medians:
     GB/s    = the bytes the pass must move / median time. Forward: read x, write y
               (8 B per element); backward: read x and dy, write dx (12 B). γ, β and
               the row statistics are ignored (they are tiny).
     % strm  = median baseline time / median kernel time: 100% runs at the speed of a
               plain loop with the same traffic. The baseline uses ordinary stores, so a
               kernel with streaming stores can go above 100% on shapes beyond the cache.
     (best)  = fastest baseline call / fastest kernel call: when other programs share
               the CPU (the load average is printed), medians of multi-thread calls
               suffer most, and this column shows what the kernel does undisturbed.
   Out-of-cache shapes rotate over several buffer sets (over 256 MiB in all, more than
   the last-level cache) so each call starts cold; cache-resident shapes are timed warm,
   in batches of calls. The second table does the same for the variants (issue 5).
   A function that returns an error prints "n/a" and the bench goes on.

   --quick     a smoke run: shapes cut to 64K elements, one timed call per cell, no
               buffer rotation; the numbers mean nothing
   --markdown  print the tables as Markdown
   --markdown-file PATH  also write the report, in Markdown, to PATH
   --time S    seconds per kernel per cell (default 0.25)
   --main      only the ln_forward / ln_backward table; --variants: only the variants
   --shape RxC only the ln_forward / ln_backward rows, on that shape
   Exit status: 0, or 2 when memory runs out. */
#define _POSIX_C_SOURCE 200809L
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"
#include "bench_util.h"

#include <math.h>
#include <unistd.h>

#define EPS 1e-5f
#define FLUSH_BYTES ((size_t)256 << 20) /* rotate over at least this much memory */
#define COLD_BYTES ((size_t)8 << 20)    /* a call moving more than this is out of cache */
#define MAXSETS 16
#define MAXSAMPLES 4000
#define WARM_SAMPLE 100e-6 /* seconds: batch warm calls up to at least this */

static int opt_quick, opt_markdown, opt_main = 1, opt_variants = 1;
static const char *opt_mdfile; /* --markdown-file PATH: the report in Markdown, too */
static size_t opt_rows, opt_cols;  /* --shape ROWSxCOLS: the main table on that shape only */
static double opt_time = 0.25;

/* ---- buffers for one shape: x [outer][cols][inner] and friends, in nsets copies ---- */
typedef struct {
    size_t outer, cols, inner, n, nstat;
    int nsets, next, cold;
    float *x[MAXSETS], *dy[MAXSETS], *out[MAXSETS], *sum[MAXSETS];
    float *mean[MAXSETS], *rstd[MAXSETS], *rrms[MAXSETS];
    float *gamma, *beta, *dgamma, *dbeta;
} ctx;

/* Row statistics for the backward passes, computed here in double: the bench does not
   rely on the forward it measures. LayerNorm: mean, rstd; RMSNorm: rrms. */
static void stats(ctx *c, int s)
{
    size_t o, j, i;
    double *m1 = (double *)calloc(c->inner, sizeof(double));
    double *m2 = (double *)calloc(c->inner, sizeof(double));
    double *sq = (double *)calloc(c->inner, sizeof(double));
    if (!m1 || !m2 || !sq) { fprintf(stderr, "bench: out of memory\n"); exit(2); }
    for (o = 0; o < c->outer; o++) {
        const float *xo = c->x[s] + o * c->cols * c->inner;
        memset(m1, 0, c->inner * sizeof(double));
        memset(m2, 0, c->inner * sizeof(double));
        memset(sq, 0, c->inner * sizeof(double));
        for (j = 0; j < c->cols; j++)
            for (i = 0; i < c->inner; i++) m1[i] += xo[j * c->inner + i];
        for (i = 0; i < c->inner; i++) m1[i] /= (double)c->cols;
        for (j = 0; j < c->cols; j++)
            for (i = 0; i < c->inner; i++) {
                double v = xo[j * c->inner + i], d = v - m1[i];
                m2[i] += d * d;
                sq[i] += v * v;
            }
        for (i = 0; i < c->inner; i++) {
            size_t k = o * c->inner + i;
            c->mean[s][k] = (float)m1[i];
            c->rstd[s][k] = (float)(1.0 / sqrt(m2[i] / (double)c->cols + EPS));
            c->rrms[s][k] = (float)(1.0 / sqrt(sq[i] / (double)c->cols + EPS));
        }
    }
    free(m1); free(m2); free(sq);
}

static void ctx_init(ctx *c, size_t outer, size_t cols, size_t inner, int with_sum)
{
    size_t set_bytes;
    int s;
    memset(c, 0, sizeof *c);
    c->outer = outer; c->cols = cols; c->inner = inner;
    c->n = outer * cols * inner;
    c->nstat = outer * inner;
    set_bytes = c->n * sizeof(float) * (with_sum ? 4 : 3);
    c->cold = c->n * 12 > COLD_BYTES;
    c->nsets = 1;
    if (c->cold && !opt_quick) {
        c->nsets = 1 + (int)((FLUSH_BYTES + set_bytes - 1) / set_bytes);
        if (c->nsets > MAXSETS) c->nsets = MAXSETS;
    }
    for (s = 0; s < c->nsets; s++) {
        c->x[s] = bu_alloc(c->n);
        c->dy[s] = bu_alloc(c->n);
        c->out[s] = bu_alloc(c->n);
        c->sum[s] = with_sum ? bu_alloc(c->n) : NULL;
        c->mean[s] = bu_alloc(c->nstat);
        c->rstd[s] = bu_alloc(c->nstat);
        c->rrms[s] = bu_alloc(c->nstat);
        bu_fill(c->x[s], c->n, 0.0f, 1.0f);
        bu_fill(c->dy[s], c->n, 0.0f, 0.01f);
        stats(c, s);
    }
    c->gamma = bu_alloc(cols);
    c->beta = bu_alloc(cols);
    c->dgamma = bu_alloc(cols);
    c->dbeta = bu_alloc(cols);
    bu_fill(c->gamma, cols, 1.0f, 0.1f);
    bu_fill(c->beta, cols, 0.0f, 0.1f);
}

static void ctx_free(ctx *c)
{
    int s;
    for (s = 0; s < c->nsets; s++) {
        free(c->x[s]); free(c->dy[s]); free(c->out[s]); free(c->sum[s]);
        free(c->mean[s]); free(c->rstd[s]); free(c->rrms[s]);
    }
    free(c->gamma); free(c->beta); free(c->dgamma); free(c->dbeta);
}

/* ---- what a cell can time ---- */
enum {
    OP_S1, OP_S2, OP_S2W2, OP_S3, /* streaming baselines: r1w1, r2w1, r2w2, r3w1 */
    OP_FWD, OP_BWD, OP_FWD_SCALAR, OP_BWD_SCALAR,
    OP_RMS_FWD, OP_RMS_BWD, OP_ADD_FWD, OP_ADD_SEP, OP_RMS_ADD_FWD, OP_RMS_ADD_SEP,
    OP_BWD_ACC, OP_RMS_BWD_ACC, OP_FWD_STRIDED, OP_BWD_STRIDED
};

/* Bytes per element that the pass must move, from its baseline. */
static double op_bytes(int stream_op)
{
    return stream_op == OP_S1 ? 8.0 : stream_op == OP_S2 ? 12.0 : 16.0;
}

static int run_op(ctx *c, int op, int s, int par)
{
    float *x = c->x[s], *dy = c->dy[s], *out = c->out[s], *sum = c->sum[s];
    float *mean = c->mean[s], *rstd = c->rstd[s], *rrms = c->rrms[s];
    size_t rows = c->outer, cols = c->cols, n = c->n;
    switch (op) {
    case OP_S1: bu_stream_r1w1(out, x, n, par); return 0;
    case OP_S2: bu_stream_r2w1(out, x, dy, n, par); return 0;
    case OP_S2W2: bu_stream_r2w2(sum, out, x, dy, n, par); return 0;
    case OP_S3: bu_stream_r3w1(out, x, dy, n, par); return 0;
    case OP_FWD: return ln_forward(out, mean, rstd, x, c->gamma, c->beta, rows, cols, EPS);
    case OP_BWD:
        return ln_backward(out, c->dgamma, c->dbeta, dy, x, c->gamma, mean, rstd, rows, cols);
    case OP_FWD_SCALAR:
        return ln__forward_on(LN_PATH_SCALAR, out, mean, rstd, x, c->gamma, c->beta, rows, cols,
                              EPS);
    case OP_BWD_SCALAR:
        return ln__backward_on(LN_PATH_SCALAR, out, c->dgamma, c->dbeta, dy, x, c->gamma, mean,
                               rstd, rows, cols);
    case OP_RMS_FWD: return ln_rms_forward(out, rrms, x, c->gamma, rows, cols, EPS);
    case OP_RMS_BWD: return ln_rms_backward(out, c->dgamma, dy, x, c->gamma, rrms, rows, cols);
    case OP_ADD_FWD: /* the residual is dy's buffer: any data will do */
        return ln_add_forward(out, sum, mean, rstd, x, dy, c->gamma, c->beta, rows, cols, EPS);
    case OP_ADD_SEP:
        bu_add(sum, x, dy, n, par);
        return ln_forward(out, mean, rstd, sum, c->gamma, c->beta, rows, cols, EPS);
    case OP_RMS_ADD_FWD:
        return ln_rms_add_forward(out, sum, rrms, x, dy, c->gamma, rows, cols, EPS);
    case OP_RMS_ADD_SEP:
        bu_add(sum, x, dy, n, par);
        return ln_rms_forward(out, rrms, sum, c->gamma, rows, cols, EPS);
    case OP_BWD_ACC:
        return ln_backward_acc(out, c->dgamma, c->dbeta, dy, x, c->gamma, mean, rstd, rows, cols);
    case OP_RMS_BWD_ACC:
        return ln_rms_backward_acc(out, c->dgamma, dy, x, c->gamma, rrms, rows, cols);
    case OP_FWD_STRIDED:
        return ln_forward_strided(out, mean, rstd, x, c->gamma, c->beta, c->outer, cols,
                                  c->inner, EPS);
    case OP_BWD_STRIDED:
        return ln_backward_strided(out, c->dgamma, c->dbeta, dy, x, c->gamma, mean, rstd,
                                   c->outer, cols, c->inner);
    }
    return -100;
}

/* The buffer set for the next call: a different one each call when out of cache. */
static int next_set(ctx *c)
{
    int s = c->next;
    c->next = (c->next + 1) % c->nsets;
    return s;
}

static double samples[4][MAXSAMPLES];
static double fastest[4]; /* measure(): each op's fastest sample */

/* Time nr ops interleaved at `threads` threads; med[k] = median seconds per call of
   ops[k], or -1 if it returned an error. */
static void measure(ctx *c, const int *ops, int nr, int threads, double *med)
{
    int par = threads > 1 && c->n >= BU_PAR_MIN;
    int k, i, b, ns, batch[4], ok[4];
    double est[4], per_sample = 0;
    bu_set_threads(threads);
    for (k = 0; k < nr; k++) { /* warm-up: first-call setup, thread pool; checks status */
        ok[k] = run_op(c, ops[k], next_set(c), par) == 0;
        med[k] = -1;
    }
    for (k = 0; k < nr; k++) {
        double t0;
        if (!ok[k]) continue;
        t0 = bu_now();
        run_op(c, ops[k], next_set(c), par);
        est[k] = bu_now() - t0;
        if (est[k] < 1e-9) est[k] = 1e-9;
        batch[k] = (c->cold || opt_quick) ? 1 : (int)ceil(WARM_SAMPLE / est[k]);
        per_sample += batch[k] * est[k];
    }
    if (per_sample == 0) return;
    ns = (int)(opt_time * nr / per_sample);
    if (ns < 5) ns = 5;
    if (ns > MAXSAMPLES) ns = MAXSAMPLES;
    if (opt_quick) ns = 1;
    for (i = 0; i < ns; i++)
        for (k = 0; k < nr; k++) {
            int s = next_set(c);
            double t0;
            if (!ok[k]) continue;
            t0 = bu_now();
            for (b = 0; b < batch[k]; b++) run_op(c, ops[k], s, par);
            samples[k][i] = (bu_now() - t0) / batch[k];
        }
    for (k = 0; k < nr; k++)
        if (ok[k]) {
            med[k] = bu_median(samples[k], ns);
            fastest[k] = samples[k][0]; /* sorted by bu_median */
        }
}

static void progress(const char *what, const char *shape, int threads)
{
    fprintf(stderr, "  measuring %-22s %-14s %d thr\n", what, shape, threads);
}

static void put_time(bu_table *t, int r, int col, double sec)
{
    char buf[32];
    bu_fmt_time(buf, sizeof buf, sec);
    bu_table_set(t, r, col, buf);
}

static void put_gbs(bu_table *t, int r, int col, double bytes, double sec)
{
    char buf[32];
    if (sec > 0) snprintf(buf, sizeof buf, "%.1f", bytes / sec * 1e-9);
    else snprintf(buf, sizeof buf, "n/a");
    bu_table_set(t, r, col, buf);
}

static void put_pct(bu_table *t, int r, int col, double stream, double sec)
{
    char buf[32];
    if (sec > 0 && stream > 0) snprintf(buf, sizeof buf, "%.0f%%", 100.0 * stream / sec);
    else snprintf(buf, sizeof buf, "n/a");
    bu_table_set(t, r, col, buf);
}

static void shape_label(char *buf, size_t len, size_t outer, size_t cols, size_t inner)
{
    if (inner == 1) snprintf(buf, len, "%zux%zu", outer, cols);
    else snprintf(buf, len, "%zux%zux%zu", outer, cols, inner);
}

typedef struct { size_t outer, cols, inner; } shape;

/* --quick: the same rows on shapes cut down to at most QUICK_N elements. */
#define QUICK_N 65536
static shape run_shape(shape s)
{
    if (!opt_quick) return s;
    while (s.outer * s.cols * s.inner > QUICK_N && s.outer > 1) s.outer = (s.outer + 1) / 2;
    while (s.outer * s.cols * s.inner > QUICK_N && s.inner > 1) s.inner = (s.inner + 1) / 2;
    while (s.outer * s.cols * s.inner > QUICK_N && s.cols > 1) s.cols = (s.cols + 1) / 2;
    return s;
}

/* issue 3's shapes, narrow rows (many rows of 16: the cost per row shows) and long rows
   (8192 columns, a large model's width: blocks of 4096 merged) */
static const shape main_shapes[] = {{8192, 768, 1},   {2048, 4096, 1},   {64, 768, 1},
                                    {1, 4096, 1},     {262144, 64, 1},   {4, 1048576, 1},
                                    {1048576, 16, 1}, {1024, 8192, 1}};

static void main_table(bu_table *t, const int *thr, int nthr)
{
    const char *act = ln_path_name(ln_path_active());
    char h[BU_CELL];
    size_t si;
    int r = bu_table_row(t, 0), col = 0;
    bu_table_set(t, r, col++, "shape");
    bu_table_set(t, r, col++, "pass");
    bu_table_set(t, r, col++, "thr");
    bu_table_set(t, r, col++, "stream GB/s");
    snprintf(h, sizeof h, "%s time", act); bu_table_set(t, r, col++, h);
    bu_table_set(t, r, col++, "GB/s");
    bu_table_set(t, r, col++, "% strm");
    bu_table_set(t, r, col++, "(best)");
    bu_table_set(t, r, col++, "scalar time");
    bu_table_set(t, r, col++, "GB/s");
    bu_table_set(t, r, col++, "% strm");
    snprintf(h, sizeof h, "%s speed-up", act); bu_table_set(t, r, col++, h);

    for (si = 0; si < (opt_rows ? 1 : sizeof main_shapes / sizeof main_shapes[0]); si++) {
        const shape one = {opt_rows, opt_cols, 1};
        const shape shq = run_shape(opt_rows ? one : main_shapes[si]), *sh = &shq;
        char lab[48];
        ctx c;
        int pass, ti, first = 1;
        shape_label(lab, sizeof lab, sh->outer, sh->cols, sh->inner);
        ctx_init(&c, sh->outer, sh->cols, sh->inner, 0);
        for (pass = 0; pass < 2; pass++)
            for (ti = 0; ti < nthr; ti++) {
                int ops[3];
                double med[3], bytes;
                char buf[32];
                ops[0] = pass ? OP_S2 : OP_S1;
                ops[1] = pass ? OP_BWD : OP_FWD;
                ops[2] = pass ? OP_BWD_SCALAR : OP_FWD_SCALAR;
                bytes = op_bytes(ops[0]) * (double)c.n;
                progress(pass ? "ln_backward" : "ln_forward", lab, thr[ti]);
                measure(&c, ops, 3, thr[ti], med);
                r = bu_table_row(t, first);
                first = 0;
                bu_table_set(t, r, 0, lab);
                bu_table_set(t, r, 1, pass ? "bwd" : "fwd");
                snprintf(buf, sizeof buf, "%d", thr[ti]); bu_table_set(t, r, 2, buf);
                put_gbs(t, r, 3, bytes, med[0]);
                put_time(t, r, 4, med[1]);
                put_gbs(t, r, 5, bytes, med[1]);
                put_pct(t, r, 6, med[0], med[1]);
                put_pct(t, r, 7, fastest[0], med[1] > 0 ? fastest[1] : -1);
                put_time(t, r, 8, med[2]);
                put_gbs(t, r, 9, bytes, med[2]);
                put_pct(t, r, 10, med[0], med[2]);
                if (med[1] > 0 && med[2] > 0) snprintf(buf, sizeof buf, "%.2fx", med[2] / med[1]);
                else snprintf(buf, sizeof buf, "n/a");
                bu_table_set(t, r, 11, buf);
            }
        ctx_free(&c);
    }
}

/* A variant row: op against its baseline, and optionally against `alt` (the unfused
   composition it replaces), all three interleaved. */
typedef struct { const char *name; int op, stream, alt; const char *alt_name; } variant;

static const variant variants_rows[] = {
    {"ln_rms_forward", OP_RMS_FWD, OP_S1, -1, NULL},
    {"ln_rms_backward", OP_RMS_BWD, OP_S2, -1, NULL},
    {"ln_add_forward", OP_ADD_FWD, OP_S2W2, OP_ADD_SEP, "add, then ln_forward"},
    {"ln_rms_add_forward", OP_RMS_ADD_FWD, OP_S2W2, OP_RMS_ADD_SEP, "add, then ln_rms_forward"},
    {"ln_backward_acc", OP_BWD_ACC, OP_S3, -1, NULL},
    {"ln_rms_backward_acc", OP_RMS_BWD_ACC, OP_S3, -1, NULL},
};
static const variant variants_strided[] = {
    {"ln_forward_strided", OP_FWD_STRIDED, OP_S1, -1, NULL},
    {"ln_backward_strided", OP_BWD_STRIDED, OP_S2, -1, NULL},
};
static const shape variant_shapes[] = {{8192, 768, 1}, {64, 768, 1}};
/* NCHW with C = 64 over 56x56, the same element count over 14x14 and with inner = 1. */
static const shape strided_shapes[] = {
    {32, 64, 56 * 56}, {512, 64, 14 * 14}, {32 * 56 * 56, 64, 1}};

static void variant_group(bu_table *t, const variant *v, size_t nv, const shape *full,
                          const int *thr, int nthr)
{
    const shape shq = run_shape(*full), *sh = &shq;
    char lab[48];
    ctx c;
    size_t vi;
    int first = 1;
    shape_label(lab, sizeof lab, sh->outer, sh->cols, sh->inner);
    ctx_init(&c, sh->outer, sh->cols, sh->inner, 1);
    for (vi = 0; vi < nv; vi++) {
        int ti;
        for (ti = 0; ti < nthr; ti++) {
            int ops[3], nr = 2, r;
            double med[3], bytes = op_bytes(v[vi].stream) * (double)c.n;
            char buf[64];
            ops[0] = v[vi].stream;
            ops[1] = v[vi].op;
            if (v[vi].alt >= 0) ops[nr++] = v[vi].alt;
            progress(v[vi].name, lab, thr[ti]);
            measure(&c, ops, nr, thr[ti], med);
            r = bu_table_row(t, first);
            first = 0;
            bu_table_set(t, r, 0, v[vi].name);
            bu_table_set(t, r, 1, lab);
            snprintf(buf, sizeof buf, "%d", thr[ti]); bu_table_set(t, r, 2, buf);
            put_gbs(t, r, 3, bytes, med[0]);
            put_time(t, r, 4, med[1]);
            put_gbs(t, r, 5, bytes, med[1]);
            put_pct(t, r, 6, med[0], med[1]);
            put_pct(t, r, 7, fastest[0], med[1] > 0 ? fastest[1] : -1);
            if (nr == 3) {
                char tb[32];
                bu_fmt_time(tb, sizeof tb, med[2]);
                if (med[1] > 0 && med[2] > 0)
                    snprintf(buf, sizeof buf, "%s: %s, fused %.2fx faster", v[vi].alt_name, tb,
                             med[2] / med[1]);
                else snprintf(buf, sizeof buf, "%s: %s", v[vi].alt_name, tb);
                bu_table_set(t, r, 8, buf);
            }
        }
    }
    ctx_free(&c);
}

static void variant_table(bu_table *t, const int *thr, int nthr)
{
    const char *act = ln_path_name(ln_path_active());
    char h[BU_CELL];
    size_t i;
    int r = bu_table_row(t, 0);
    bu_table_set(t, r, 0, "function");
    bu_table_set(t, r, 1, "shape");
    bu_table_set(t, r, 2, "thr");
    bu_table_set(t, r, 3, "stream GB/s");
    snprintf(h, sizeof h, "%s time", act); bu_table_set(t, r, 4, h);
    bu_table_set(t, r, 5, "GB/s");
    bu_table_set(t, r, 6, "% strm");
    bu_table_set(t, r, 7, "(best)");
    bu_table_set(t, r, 8, "unfused, same run");
    for (i = 0; i < sizeof variant_shapes / sizeof variant_shapes[0]; i++)
        variant_group(t, variants_rows, sizeof variants_rows / sizeof variants_rows[0],
                      &variant_shapes[i], thr, nthr);
    for (i = 0; i < sizeof strided_shapes / sizeof strided_shapes[0]; i++)
        variant_group(t, variants_strided, sizeof variants_strided / sizeof variants_strided[0],
                      &strided_shapes[i], thr, nthr);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench [--quick] [--markdown] [--markdown-file PATH] [--time SECONDS]\n"
                    "             [--main | --variants | --shape ROWSxCOLS]\n");
    exit(1);
}

static bu_table main_t, var_t;

/* Both tables with a header naming the machine, and the legend. */
static void report(FILE *f, int markdown, const char *cpu, const char *compiler, const char *isa,
                   const char *flags, double load0, double load1, int maxthr, double elapsed)
{
    fprintf(f, "layernorm.h %s bench: active path %s; %s; %d thread%s max\n",
            LAYERNORM_VERSION_STRING, ln_path_name(ln_path_active()), cpu, maxthr,
            maxthr > 1 ? "s" : "");
    fprintf(f, "compiler %s; %s; flags: %s\n", compiler, isa, flags);
    fprintf(f, "load average %.1f before, %.1f after, on %d cores (the bench adds 1 to %d; more\n"
               "means other programs shared the CPU: the multi-thread rows are then unreliable)\n",
            load0, load1, (int)sysconf(_SC_NPROCESSORS_ONLN), maxthr);
    if (opt_quick) fprintf(f, "--quick: small shapes, one call per cell: the numbers mean nothing\n");
    fprintf(f, "\n");
    if (opt_main) bu_table_print(&main_t, markdown, f);
    if (opt_main && opt_variants) fprintf(f, "\n");
    if (opt_variants) bu_table_print(&var_t, markdown, f);
    fprintf(f, "\n"
               "time: median per call. GB/s: bytes the pass must move per call / time (fwd 8 B per\n"
               "element: read x, write y; bwd 12 B: read x, dy, write dx; fused add 16 B: read x,\n"
               "residual, write sum, y; _acc 16 B: read x, dy, dx, write dx). %% strm: time of a plain\n"
               "loop with that traffic / kernel time, both medians, measured interleaved in this run.\n"
               "(best): the same ratio of the fastest calls, less disturbed by other programs.\n"
               "bench time: %.0f s\n",
            elapsed);
}

int main(int argc, char **argv)
{
    int thr[2], nthr = 1, i;
    char cpu[192];
    const char *isa = "x86-64 baseline (SSE2)", *compiler = "unknown", *flags = "unknown";
    double t0 = bu_now(), load0 = bu_loadavg(), load1, elapsed;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) opt_quick = 1;
        else if (strcmp(argv[i], "--markdown") == 0) opt_markdown = 1;
        else if (strcmp(argv[i], "--time") == 0 && i + 1 < argc) opt_time = atof(argv[++i]);
        else if (strcmp(argv[i], "--markdown-file") == 0 && i + 1 < argc) opt_mdfile = argv[++i];
        else if (strcmp(argv[i], "--main") == 0) opt_variants = 0;
        else if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc &&
                 sscanf(argv[++i], "%zux%zu", &opt_rows, &opt_cols) == 2 && opt_rows && opt_cols)
            opt_variants = 0;
        else if (strcmp(argv[i], "--variants") == 0) opt_main = 0;
        else usage();
    }
    if (!(opt_time > 0)) usage();
    thr[0] = 1;
    if (bu_max_threads() > 1) thr[nthr++] = bu_max_threads();
#if defined(__AVX512F__)
    isa = "compiled for AVX-512";
#elif defined(__AVX2__)
    isa = "compiled for AVX2";
#elif defined(__aarch64__)
    isa = "AArch64";
#elif !defined(__x86_64__)
    isa = "not x86-64";
#endif
#ifdef __VERSION__
    compiler = __VERSION__;
#endif
#ifdef BENCH_FLAGS /* the Makefile passes its flags */
    flags = BENCH_FLAGS;
#endif
    bu_cpu_name(cpu, sizeof cpu);

    fprintf(stderr, "layernorm.h bench%s: measuring...\n", opt_quick ? " --quick" : "");
    bu_table_init(&main_t, 12, 0x3u);
    if (opt_main) main_table(&main_t, thr, nthr);
    bu_table_init(&var_t, 9, 0x3u | 0x100u);
    if (opt_variants) variant_table(&var_t, thr, nthr);

    load1 = bu_loadavg();
    elapsed = bu_now() - t0;
    report(stdout, opt_markdown, cpu, compiler, isa, flags, load0, load1, thr[nthr - 1], elapsed);
    if (opt_mdfile) {
        FILE *f = fopen(opt_mdfile, "w");
        if (!f) { perror(opt_mdfile); return 1; }
        report(f, 1, cpu, compiler, isa, flags, load0, load1, thr[nthr - 1], elapsed);
        fclose(f);
    }
    return 0;
}
