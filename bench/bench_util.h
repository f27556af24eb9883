/* bench/bench_util.h - shared by bench/bench.c and bench/peers.cpp (C99 and C++):
   a monotonic clock, medians, test data, the streaming baselines, and a table printer.

   The streaming baseline is the bar every kernel is measured against: the plainest loop
   that moves the same bytes the kernel must move (read the inputs once, write the
   outputs once), compiled with the same flags, vectorized by the compiler, and split
   over the same OpenMP threads. It uses ordinary stores, as compiled C does. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef __cplusplus
#define BU_RESTRICT __restrict
#else
#define BU_RESTRICT restrict
#endif

#if defined(__GNUC__)
#define BU_FN static __attribute__((unused)) /* each program uses some of these */
#else
#define BU_FN static
#endif
/* The baselines' loops start on a 64-byte boundary (GCC; Clang aligns small loops to 16
   bytes and ignores this attribute): where the code around them put the in-cache loop of
   bu_stream_r1w1 elsewhere, it ran at half speed (Zen 4, 64x768: 59 GB/s against 116),
   which doubled every % strm of the in-cache forward rows. */
#if defined(__GNUC__) && !defined(__clang__)
#define BU_STREAM_FN BU_FN __attribute__((optimize("align-loops=64")))
#else
#define BU_STREAM_FN BU_FN
#endif

/* Calls with at least this many elements use threads, in the baselines as in
   layernorm.h (its default LAYERNORM_PARALLEL_MIN): small calls stay on one thread. */
#define BU_PAR_MIN 32768

BU_FN double bu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

BU_FN int bu_max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

BU_FN void bu_set_threads(int t)
{
#ifdef _OPENMP
    omp_set_num_threads(t);
#else
    (void)t;
#endif
}

BU_FN int bu_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n-1]; sorts v. */
BU_FN double bu_median(double *v, int n)
{
    if (n <= 0) return 0.0;
    qsort(v, (size_t)n, sizeof *v, bu_cmp_double);
    return (n & 1) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* 64-byte aligned, every page touched (so no timed call takes the page faults). */
BU_FN float *bu_alloc(size_t n)
{
    void *p = NULL;
    if (n == 0) n = 1;
    if (posix_memalign(&p, 64, n * sizeof(float)) != 0) {
        fprintf(stderr, "bench: out of memory (%zu floats)\n", n);
        exit(2);
    }
    memset(p, 0, n * sizeof(float));
    return (float *)p;
}

/* xorshift64*: fast, reproducible test data. */
static unsigned long long bu_rng = 0x9E3779B97F4A7C15ull;
BU_FN float bu_uniform(void) /* in [-1, 1) */
{
    bu_rng ^= bu_rng >> 12; bu_rng ^= bu_rng << 25; bu_rng ^= bu_rng >> 27;
    return (float)((double)((bu_rng * 2685821657736338717ull) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}
/* offset + scale·(approximately N(0,1)): sum of four uniforms, variance 4/3. */
BU_FN void bu_fill(float *v, size_t n, float offset, float scale)
{
    size_t i;
    for (i = 0; i < n; i++)
        v[i] = offset + scale * 0.8660254f * (bu_uniform() + bu_uniform() + bu_uniform() + bu_uniform());
}

/* ---- streaming baselines (bytes moved per element in brackets) ---- */

/* volatile: the compiler can't fold the constants into anything cheaper. */
static volatile float bu_a = 1.0009765625f, bu_b = 0.5f;

/* y = x·a + b [read 1, write 1 = 8 B]: forward traffic. */
BU_STREAM_FN void bu_stream_r1w1(float *BU_RESTRICT y, const float *BU_RESTRICT x, size_t n, int par)
{
    const float a = bu_a, b = bu_b;
    ptrdiff_t i, m = (ptrdiff_t)n;
#ifdef _OPENMP
    if (par) {
#pragma omp parallel for simd schedule(static)
        for (i = 0; i < m; i++) y[i] = x[i] * a + b;
        return;
    }
#pragma omp simd
#else
    (void)par;
#endif
    for (i = 0; i < m; i++) y[i] = x[i] * a + b;
}

/* dx = x·a + dy [read 2, write 1 = 12 B]: backward traffic. */
BU_STREAM_FN void bu_stream_r2w1(float *BU_RESTRICT dx, const float *BU_RESTRICT x,
                           const float *BU_RESTRICT dy, size_t n, int par)
{
    const float a = bu_a;
    ptrdiff_t i, m = (ptrdiff_t)n;
#ifdef _OPENMP
    if (par) {
#pragma omp parallel for simd schedule(static)
        for (i = 0; i < m; i++) dx[i] = x[i] * a + dy[i];
        return;
    }
#pragma omp simd
#else
    (void)par;
#endif
    for (i = 0; i < m; i++) dx[i] = x[i] * a + dy[i];
}

/* s = x + r; y = s·a + b [read 2, write 2 = 16 B]: fused residual add + norm traffic. */
BU_STREAM_FN void bu_stream_r2w2(float *BU_RESTRICT s, float *BU_RESTRICT y, const float *BU_RESTRICT x,
                           const float *BU_RESTRICT r, size_t n, int par)
{
    const float a = bu_a, b = bu_b;
    ptrdiff_t i, m = (ptrdiff_t)n;
#ifdef _OPENMP
    if (par) {
#pragma omp parallel for simd schedule(static)
        for (i = 0; i < m; i++) { float t = x[i] + r[i]; s[i] = t; y[i] = t * a + b; }
        return;
    }
#pragma omp simd
#else
    (void)par;
#endif
    for (i = 0; i < m; i++) { float t = x[i] + r[i]; s[i] = t; y[i] = t * a + b; }
}

/* dx += x·a + dy [read 3, write 1 = 16 B]: accumulating backward traffic. */
BU_STREAM_FN void bu_stream_r3w1(float *BU_RESTRICT dx, const float *BU_RESTRICT x,
                           const float *BU_RESTRICT dy, size_t n, int par)
{
    const float a = bu_a;
    ptrdiff_t i, m = (ptrdiff_t)n;
#ifdef _OPENMP
    if (par) {
#pragma omp parallel for simd schedule(static)
        for (i = 0; i < m; i++) dx[i] += x[i] * a + dy[i];
        return;
    }
#pragma omp simd
#else
    (void)par;
#endif
    for (i = 0; i < m; i++) dx[i] += x[i] * a + dy[i];
}

/* s = x + r: the separate residual add that a fused kernel saves. */
BU_FN void bu_add(float *BU_RESTRICT s, const float *BU_RESTRICT x, const float *BU_RESTRICT r,
                   size_t n, int par)
{
    ptrdiff_t i, m = (ptrdiff_t)n;
#ifdef _OPENMP
    if (par) {
#pragma omp parallel for simd schedule(static)
        for (i = 0; i < m; i++) s[i] = x[i] + r[i];
        return;
    }
#pragma omp simd
#else
    (void)par;
#endif
    for (i = 0; i < m; i++) s[i] = x[i] + r[i];
}

/* ---- measurement ---- */

/* "12.3 ms", "845 ns": fixed width, ASCII only. */
BU_FN void bu_fmt_time(char *buf, size_t len, double s)
{
    if (s <= 0) snprintf(buf, len, "n/a");
    else if (s < 1e-6) snprintf(buf, len, "%.0f ns", s * 1e9);
    else if (s < 1e-5) snprintf(buf, len, "%.2f us", s * 1e6);
    else if (s < 1e-3) snprintf(buf, len, "%.1f us", s * 1e6);
    else if (s < 1e-2) snprintf(buf, len, "%.2f ms", s * 1e3);
    else snprintf(buf, len, "%.1f ms", s * 1e3);
}

/* "model name (family F, model M)" from /proc/cpuinfo: a virtual machine's model name
   may say only "AMD EPYC", and the family tells Zen 4 (25) from Zen 5 (26). */
BU_FN void bu_cpu_name(char *buf, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256], name[128] = "unknown CPU";
    int family = -1, model = -1;
    snprintf(buf, len, "unknown CPU");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        char *p = strchr(line, ':');
        if (line[0] == '\n') break; /* the first processor's block only */
        if (!p) continue;
        if (strncmp(line, "model name", 10) == 0) {
            p++;
            while (*p == ' ' || *p == '\t') p++;
            p[strcspn(p, "\n")] = 0;
            snprintf(name, sizeof name, "%s", p);
        } else if (strncmp(line, "cpu family", 10) == 0 && family < 0) {
            family = atoi(p + 1);
        } else if (strncmp(line, "model", 5) == 0 && (line[5] == ' ' || line[5] == '\t') &&
                   model < 0) {
            model = atoi(p + 1);
        }
    }
    fclose(f);
    if (family >= 0 && model >= 0)
        snprintf(buf, len, "%s (family %d, model %d)", name, family, model);
    else
        snprintf(buf, len, "%s", name);
}

/* The 1-minute load average (-1 if unknown): other programs on the machine make the
   multi-thread rows slow and erratic, so the bench prints it. */
BU_FN double bu_loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = -1;
        fclose(f);
    }
    return l;
}

/* ---- tables: fixed width for the terminal, or Markdown for the README ---- */

#define BU_MAXROWS 96
#define BU_MAXCOLS 14
#define BU_CELL 64
typedef struct {
    int ncols, nrows;
    unsigned left; /* bit c set: column c is left-aligned (text); else right (numbers) */
    char cell[BU_MAXROWS][BU_MAXCOLS][BU_CELL];
    int sep[BU_MAXROWS]; /* 1: print a blank line before this row (fixed width only) */
} bu_table;

BU_FN void bu_table_init(bu_table *t, int ncols, unsigned left)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->left = left;
}

/* Add a row (the first one is the header); returns its index. */
BU_FN int bu_table_row(bu_table *t, int sep_before)
{
    if (t->nrows == BU_MAXROWS) return BU_MAXROWS - 1; /* full: overwrite the last row */
    t->sep[t->nrows] = sep_before;
    return t->nrows++;
}

BU_FN void bu_table_set(bu_table *t, int row, int col, const char *s)
{
    snprintf(t->cell[row][col], BU_CELL, "%s", s);
}

BU_FN void bu_table_print(const bu_table *t, int markdown, FILE *f)
{
    int w[BU_MAXCOLS] = {0}, r, c;
    char line[BU_MAXCOLS * (BU_CELL + 4) + 8];
    for (r = 0; r < t->nrows; r++)
        for (c = 0; c < t->ncols; c++) {
            int l = (int)strlen(t->cell[r][c]);
            if (l > w[c]) w[c] = l;
        }
    for (r = 0; r < t->nrows; r++) {
        size_t len = 0;
        if (!markdown && r > 0 && t->sep[r]) fputc('\n', f);
        line[0] = 0;
        if (markdown) len += (size_t)snprintf(line + len, sizeof line - len, "|");
        for (c = 0; c < t->ncols; c++) {
            const char *v = t->cell[r][c];
            int left = (t->left >> c) & 1;
            if (markdown) len += (size_t)snprintf(line + len, sizeof line - len, " %s |", v);
            else len += (size_t)snprintf(line + len, sizeof line - len, left ? "%s%-*s" : "%s%*s",
                                         c ? "  " : "", w[c], v);
        }
        while (len > 0 && line[len - 1] == ' ') line[--len] = 0; /* no trailing blanks */
        fprintf(f, "%s\n", line);
        if (r == 0) {
            if (markdown) {
                fputs("|", f);
                for (c = 0; c < t->ncols; c++) fputs((t->left >> c) & 1 ? "---|" : "---:|", f);
            } else {
                int total = 0;
                for (c = 0; c < t->ncols; c++) total += w[c] + (c ? 2 : 0);
                for (c = 0; c < total; c++) fputc('-', f);
            }
            fputc('\n', f);
        }
    }
}

#endif /* BENCH_UTIL_H */
