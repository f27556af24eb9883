/* demo.c - does layer normalization help? An honest test on Fashion-MNIST.

       make demo                     # or: build/demo --help

   Trains one MLP, 784 -> 256 -> 256 -> 10 with ReLU, softmax cross-entropy and Adam,
   in pairs that differ only in normalization:
       none       z = xW + b                  -> ReLU
       layernorm  z = xW,  LayerNorm(z; γ, β) -> ReLU    (ln_forward / ln_backward)
   (the linear bias is dropped before LayerNorm: LN subtracts the row mean, so a bias
   would get a zero gradient and β plays its role). Both models of a pair get the same
   seed, the same initial weights W, the same data order and the same learning rate.
   Three settings: a normal one, a 10x larger learning rate, and weights initialized
   10x too large. Per epoch it prints the training loss, test accuracy and seconds; at
   the end a results table and an SVG plot of every training-loss curve.

   Data: Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist,
   four IDX files, gzip; read through `gzip -dc` so no zlib is needed). Override the
   directory with --data DIR or FASHION_MNIST_DIR. Without the data set the demo says
   how to install it and trains on a small built-in synthetic task instead.

   Everything except the normalization is written here: matmul (OpenMP when compiled
   with -fopenmp), init, softmax cross-entropy, Adam. All three matmuls of a layer go
   through one 4 × 32 register-blocked kernel; threads split the output in blocks of
   rows, so each output is summed by one thread in a fixed order and a run is bitwise
   the same for any thread count.

   tests/test_demo.c #includes this file with DEMO_NO_MAIN defined and reuses the model. */
#define _POSIX_C_SOURCE 200809L /* popen, clock_gettime */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"

#ifdef _OPENMP
#define DEMO_PRAGMA(x) _Pragma(#x)
#else
#define DEMO_PRAGMA(x)
#endif

#define DEMO_DATA_DIR "/usr/share/datasets/fashion-mnist"
#define DEMO_LN_EPS   1e-5f
#define DEMO_PI       3.14159265358979323846

static double demo_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- random numbers: splitmix64, the same sequence on every machine ---- */

typedef struct { uint64_t s; } demo_rng;

static uint64_t rng_next(demo_rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rng_uniform(demo_rng *r) { /* [0, 1) */
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
static double rng_normal(demo_rng *r) { /* Box-Muller */
    double u1 = 1.0 - rng_uniform(r), u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * DEMO_PI * u2);
}

/* ---- data ---- */

typedef struct {
    int n, dim, classes;
    float *x;         /* [n × dim], pixels scaled to [0, 1] */
    unsigned char *y; /* [n] */
} demo_set;

static void set_free(demo_set *s) {
    free(s->x);
    free(s->y);
    memset(s, 0, sizeof *s);
}

/* The whole decompressed content of a .gz file, via `gzip -dc`; NULL on any failure. */
static unsigned char *read_gz(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb"), *p;
    char cmd[4200];
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (!f) return NULL;
    fclose(f);
    if (strchr(path, '\'') || strlen(path) > 4000) return NULL; /* keep the shell quoting trivial */
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
    p = popen(cmd, "r");
    if (!p) return NULL;
    for (;;) {
        if (n == cap) {
            unsigned char *nb = (unsigned char *)realloc(buf, cap ? 2 * cap : (1u << 20));
            if (!nb) { free(buf); pclose(p); return NULL; }
            buf = nb;
            cap = cap ? 2 * cap : (1u << 20);
        }
        got = fread(buf + n, 1, cap - n, p);
        if (got == 0) break;
        n += got;
    }
    if (pclose(p) != 0) { free(buf); return NULL; }
    *len = n;
    return buf;
}

static uint32_t be32(const unsigned char *b) {
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* Reads PREFIX-images-idx3-ubyte.gz and PREFIX-labels-idx1-ubyte.gz from dir. */
static int load_idx_pair(demo_set *s, const char *dir, const char *prefix) {
    char path[2048];
    size_t li = 0, ll = 0, i;
    unsigned char *img, *lab;
    uint32_t n, rows, cols;
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    img = read_gz(path, &li);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
    lab = img ? read_gz(path, &ll) : NULL;
    if (!img || !lab || li < 16 || ll < 8 || be32(img) != 0x803 || be32(lab) != 0x801) goto fail;
    n = be32(img + 4); rows = be32(img + 8); cols = be32(img + 12);
    if (n == 0 || n > 1000000 || rows * cols != 784 || be32(lab + 4) != n ||
        li != 16 + (size_t)n * 784 || ll != 8 + (size_t)n)
        goto fail;
    s->n = (int)n; s->dim = 784; s->classes = 10;
    s->x = (float *)malloc((size_t)n * 784 * sizeof(float));
    s->y = (unsigned char *)malloc(n);
    if (!s->x || !s->y) { set_free(s); goto fail; }
    for (i = 0; i < (size_t)n * 784; i++) s->x[i] = (float)img[16 + i] / 255.0f;
    for (i = 0; i < n; i++) {
        s->y[i] = lab[8 + i];
        if (s->y[i] > 9) { set_free(s); goto fail; }
    }
    free(img); free(lab);
    return 0;
fail:
    free(img); free(lab);
    return -1;
}

/* A stand-in task for when Fashion-MNIST is missing: 10 classes, each a random template
   in [0,1]^dim; a sample is 0.55·(its class template) + 0.45·(another class's template)
   + Gaussian noise (σ 0.25), clipped to [0, 1]. Learnable, but not in one step. */
static int make_synthetic(demo_set *tr, demo_set *te, int dim, int ntrain, int ntest, uint64_t seed) {
    demo_rng r = { seed };
    float *tmpl = (float *)malloc((size_t)10 * dim * sizeof(float));
    demo_set *sets[2];
    int ns[2], k, i, j;
    sets[0] = tr; sets[1] = te; ns[0] = ntrain; ns[1] = ntest;
    if (!tmpl) return -1;
    for (i = 0; i < 10 * dim; i++) tmpl[i] = (float)rng_uniform(&r);
    for (k = 0; k < 2; k++) {
        demo_set *s = sets[k];
        s->n = ns[k]; s->dim = dim; s->classes = 10;
        s->x = (float *)malloc((size_t)ns[k] * dim * sizeof(float));
        s->y = (unsigned char *)malloc((size_t)ns[k]);
        if (!s->x || !s->y) { free(tmpl); return -1; }
        for (i = 0; i < ns[k]; i++) {
            int c = (int)(rng_next(&r) % 10), c2 = (c + 1 + (int)(rng_next(&r) % 9)) % 10;
            float *x = s->x + (size_t)i * dim;
            s->y[i] = (unsigned char)c;
            for (j = 0; j < dim; j++) {
                double v = 0.55 * tmpl[c * dim + j] + 0.45 * tmpl[c2 * dim + j] + 0.25 * rng_normal(&r);
                x[j] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
            }
        }
    }
    free(tmpl);
    return 0;
}

/* ---- matmul: row-major, one blocked kernel for all three products ---- */

/* Multiply-adds from which a matmul uses OpenMP threads. Each parallel region costs a
   thread barrier, which is cheap on an idle machine and slow on a busy one (a thread
   that lost its core holds up the other), so small products (the 10-class layer) stay
   serial. */
#ifndef DEMO_PAR_MIN
#define DEMO_PAR_MIN (1L << 20)
#endif

/* The inner kernel: a 4 × 32 block of C stays in registers for the whole sum
       c[r·ldc + j] += Σ_t a[r·ars + t·ats] · b[t·ldb + j]      (r < 4, j < 32)
   so each step of t loads 4 a's and 32 b's for 128 multiply-adds (a plain row-times-
   matrix loop loads and stores a row of C for every t instead: twice as slow here).
   Steps where all four a's are 0 (blank pixels, ReLU zeros) are skipped. */
static void mm_tile(float *c, size_t ldc, const float *a, size_t ars, size_t ats,
                    const float *b, size_t ldb, int T) {
    float acc[4][32];
    int r, j, t;
    for (r = 0; r < 4; r++)
        for (j = 0; j < 32; j++) acc[r][j] = c[r * ldc + j];
    for (t = 0; t < T; t++) {
        const float *at = a + (size_t)t * ats, *bt = b + (size_t)t * ldb;
        const float a0 = at[0], a1 = at[ars], a2 = at[2 * ars], a3 = at[3 * ars];
        if (a0 == 0.0f && a1 == 0.0f && a2 == 0.0f && a3 == 0.0f) continue;
        for (j = 0; j < 32; j++) {
            acc[0][j] += a0 * bt[j];
            acc[1][j] += a1 * bt[j];
            acc[2][j] += a2 * bt[j];
            acc[3][j] += a3 * bt[j];
        }
    }
    for (r = 0; r < 4; r++)
        for (j = 0; j < 32; j++) c[r * ldc + j] = acc[r][j];
}

/* The same sum, in the same order of t, for a partial block (R ≤ 4, J ≤ 32) at the edges. */
static void mm_edge(float *c, size_t ldc, const float *a, size_t ars, size_t ats,
                    const float *b, size_t ldb, int T, int R, int J) {
    int r, j, t;
    for (r = 0; r < R; r++) {
        float *cr = c + (size_t)r * ldc;
        for (t = 0; t < T; t++) {
            const float av = a[(size_t)r * ars + (size_t)t * ats], *bt = b + (size_t)t * ldb;
            if (av == 0.0f) continue;
            for (j = 0; j < J; j++) cr[j] += av * bt[j];
        }
    }
}

/* C[M×N] (row stride ldc) += A·B, where A[i][t] = a[i·ars + t·ats] and B[t][j] = b[t·ldb + j],
   t < T. Threads split the rows of C in blocks of 4; every element of C is summed by one
   thread in the order of t, so the result does not depend on the thread count. */
static void mm_blocked(float *C, size_t ldc, const float *a, size_t ars, size_t ats,
                       const float *b, size_t ldb, int M, int N, int T) {
    int ib, nb = (M + 3) / 4;
    DEMO_PRAGMA(omp parallel for schedule(static) if ((long)M * N * T >= DEMO_PAR_MIN))
    for (ib = 0; ib < nb; ib++) {
        int i = 4 * ib, R = M - i < 4 ? M - i : 4, j;
        for (j = 0; j < N; j += 32) {
            int J = N - j < 32 ? N - j : 32;
            float *cc = C + (size_t)i * ldc + j;
            const float *aa = a + (size_t)i * ars, *bb = b + j;
            if (R == 4 && J == 32) mm_tile(cc, ldc, aa, ars, ats, bb, ldb, T);
            else mm_edge(cc, ldc, aa, ars, ats, bb, ldb, T, R, J);
        }
    }
}

/* C[M×N] = A[M×K]·W[K×N] (+ bias[N]). */
static void mm_forward(float *C, const float *A, const float *W, const float *bias, int M, int K, int N) {
    int i, j;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) C[(size_t)i * N + j] = bias ? bias[j] : 0.0f;
    mm_blocked(C, (size_t)N, A, (size_t)K, 1, W, (size_t)N, M, N, K);
}

/* G[K×N] += A[M×K]ᵀ·D[M×N]: the weight gradient. */
static void mm_grad_w(float *G, const float *A, const float *D, int M, int K, int N) {
    mm_blocked(G, (size_t)N, A, 1, (size_t)K, D, (size_t)N, K, N, M);
}

/* dA[M×K] = D[M×N]·Wᵀ, W [K×N]: the gradient flowing back to a layer's input. wt is
   scratch for Wᵀ [N×K], so the product runs through the same kernel. */
static void mm_grad_x(float *dA, const float *D, const float *W, int M, int K, int N, float *wt) {
    int k, n;
    for (k = 0; k < K; k++)
        for (n = 0; n < N; n++) wt[(size_t)n * K + k] = W[(size_t)k * N + n];
    memset(dA, 0, (size_t)M * K * sizeof(float));
    mm_blocked(dA, (size_t)K, D, (size_t)N, 1, wt, (size_t)K, M, K, N);
}

/* ---- the model ---- */

typedef struct {
    int ln;                 /* 1: LayerNorm (γ, β) before each hidden ReLU */
    int d0, d1, d2, d3;     /* input, hidden, hidden, classes */
    int cap;                /* rows the activation buffers hold */
    size_t np;              /* parameter count */
    float *p, *g, *m, *v;   /* parameters, gradients, Adam moments: one layout */
    long t;                 /* Adam step */
    /* views into p (and the same offsets into g); NULL where the variant has none */
    float *W1, *b1, *g1, *be1, *W2, *b2, *g2, *be2, *W3, *b3;
    float *dW1, *db1, *dg1, *dbe1, *dW2, *db2, *dg2, *dbe2, *dW3, *db3;
    /* activations, [cap × width]: z = xW(+b), n = LN(z) (n == z without LN), a = ReLU(n) */
    float *z1, *n1, *a1, *mu1, *rs1, *z2, *n2, *a2, *mu2, *rs2;
    float *out;             /* logits; after the loss, dloss/dlogits */
    float *dz1, *dz2, *da;  /* backward: dz1 (the LN input gradient of layer 1) is kept */
    float *wt;              /* scratch for a transposed weight matrix */
} mlp;

static void mlp_free(mlp *m) {
    free(m->p); free(m->g); free(m->m); free(m->v);
    free(m->z1); free(m->a1); free(m->mu1); free(m->rs1);
    free(m->z2); free(m->a2); free(m->mu2); free(m->rs2);
    free(m->out); free(m->dz1); free(m->dz2); free(m->da); free(m->wt);
    if (m->ln) { free(m->n1); free(m->n2); }
    memset(m, 0, sizeof *m);
}

static float *fcalloc(size_t n) { return (float *)calloc(n ? n : 1, sizeof(float)); }

/* He-normal weights (std sqrt(2/fan_in)) times init_scale, zero biases, γ = 1, β = 0.
   The weights depend only on seed and the sizes, so both variants start from the same W. */
static int mlp_init(mlp *m, int ln, int d0, int d1, int d2, int d3, int cap,
                    double init_scale, uint64_t seed) {
    size_t off = 0, i;
    demo_rng r = { seed };
    size_t n1 = (size_t)cap * d1, n2 = (size_t)cap * d2;
    memset(m, 0, sizeof *m);
    m->ln = ln; m->d0 = d0; m->d1 = d1; m->d2 = d2; m->d3 = d3; m->cap = cap;
    m->np = (size_t)d0 * d1 + (size_t)d1 * d2 + (size_t)d2 * d3 + d3 + (ln ? 2u * (d1 + d2) : (size_t)(d1 + d2));
    m->p = fcalloc(m->np); m->g = fcalloc(m->np); m->m = fcalloc(m->np); m->v = fcalloc(m->np);
    m->z1 = fcalloc(n1); m->a1 = fcalloc(n1); m->mu1 = fcalloc(cap); m->rs1 = fcalloc(cap);
    m->z2 = fcalloc(n2); m->a2 = fcalloc(n2); m->mu2 = fcalloc(cap); m->rs2 = fcalloc(cap);
    m->n1 = ln ? fcalloc(n1) : m->z1;
    m->n2 = ln ? fcalloc(n2) : m->z2;
    m->out = fcalloc((size_t)cap * d3);
    m->dz1 = fcalloc(n1); m->dz2 = fcalloc(n2); m->da = fcalloc(n1 > n2 ? n1 : n2);
    m->wt = fcalloc((size_t)d1 * (d0 > d2 ? d0 : d2) > (size_t)d2 * d3 ? (size_t)d1 * (d0 > d2 ? d0 : d2) : (size_t)d2 * d3);
    if (!m->p || !m->g || !m->m || !m->v || !m->z1 || !m->a1 || !m->mu1 || !m->rs1 || !m->z2 ||
        !m->a2 || !m->mu2 || !m->rs2 || !m->n1 || !m->n2 || !m->out || !m->dz1 || !m->dz2 || !m->da || !m->wt) {
        mlp_free(m);
        return -1;
    }
#define DEMO_VIEW(P, DP, count) do { m->P = m->p + off; m->DP = m->g + off; off += (size_t)(count); } while (0)
    DEMO_VIEW(W1, dW1, (size_t)d0 * d1);
    if (ln) { DEMO_VIEW(g1, dg1, d1); DEMO_VIEW(be1, dbe1, d1); } else DEMO_VIEW(b1, db1, d1);
    DEMO_VIEW(W2, dW2, (size_t)d1 * d2);
    if (ln) { DEMO_VIEW(g2, dg2, d2); DEMO_VIEW(be2, dbe2, d2); } else DEMO_VIEW(b2, db2, d2);
    DEMO_VIEW(W3, dW3, (size_t)d2 * d3);
    DEMO_VIEW(b3, db3, d3);
#undef DEMO_VIEW
    /* One stream for all weights, drawn in the order W1, W2, W3: identical for both variants. */
    for (i = 0; i < (size_t)d0 * d1; i++) m->W1[i] = (float)(init_scale * sqrt(2.0 / d0) * rng_normal(&r));
    for (i = 0; i < (size_t)d1 * d2; i++) m->W2[i] = (float)(init_scale * sqrt(2.0 / d1) * rng_normal(&r));
    for (i = 0; i < (size_t)d2 * d3; i++) m->W3[i] = (float)(init_scale * sqrt(2.0 / d2) * rng_normal(&r));
    if (ln) {
        for (i = 0; i < (size_t)d1; i++) m->g1[i] = 1.0f;
        for (i = 0; i < (size_t)d2; i++) m->g2[i] = 1.0f;
    }
    return 0;
}

static void demo_ln_check(int status, const char *what) {
    if (status != LN_OK) {
        fprintf(stderr, "demo: %s failed: %s\n", what, ln_strerror(status));
        exit(2);
    }
}

static void relu(float *a, const float *n, size_t count) {
    size_t i;
    for (i = 0; i < count; i++) a[i] = n[i] > 0.0f ? n[i] : 0.0f;
}

/* Forward from the layer-1 pre-activations m->z1 onwards (the test perturbs z1 here). */
static void mlp_forward_from_z1(mlp *m, int B) {
    if (m->ln) demo_ln_check(ln_forward(m->n1, m->mu1, m->rs1, m->z1, m->g1, m->be1, (size_t)B, (size_t)m->d1, DEMO_LN_EPS), "ln_forward");
    relu(m->a1, m->n1, (size_t)B * m->d1);
    mm_forward(m->z2, m->a1, m->W2, m->b2, B, m->d1, m->d2);
    if (m->ln) demo_ln_check(ln_forward(m->n2, m->mu2, m->rs2, m->z2, m->g2, m->be2, (size_t)B, (size_t)m->d2, DEMO_LN_EPS), "ln_forward");
    relu(m->a2, m->n2, (size_t)B * m->d2);
    mm_forward(m->out, m->a2, m->W3, m->b3, B, m->d2, m->d3);
}

/* x [B × d0] -> logits in m->out [B × d3]. */
static void mlp_forward(mlp *m, const float *x, int B) {
    mm_forward(m->z1, x, m->W1, m->b1, B, m->d0, m->d1);
    mlp_forward_from_z1(m, B);
}

/* Mean softmax cross-entropy of the logits in m->out against y, in double. With grad,
   m->out becomes dloss/dlogits = (softmax − onehot)/B. */
static double mlp_loss(mlp *m, const unsigned char *y, int B, int grad) {
    double total = 0.0;
    int i, j, C = m->d3;
    for (i = 0; i < B; i++) {
        float *o = m->out + (size_t)i * C, mx = o[0];
        double s = 0.0;
        for (j = 1; j < C; j++) if (o[j] > mx) mx = o[j];
        for (j = 0; j < C; j++) s += exp((double)o[j] - mx);
        total += log(s) - ((double)o[y[i]] - mx);
        if (grad)
            for (j = 0; j < C; j++)
                o[j] = (float)((exp((double)o[j] - mx) / s - (j == y[i] ? 1.0 : 0.0)) / B);
    }
    return total / B;
}

static int mlp_correct(const mlp *m, const unsigned char *y, int B) {
    int i, j, c = 0;
    for (i = 0; i < B; i++) {
        const float *o = m->out + (size_t)i * m->d3;
        int best = 0;
        for (j = 1; j < m->d3; j++) if (o[j] > o[best]) best = j;
        c += best == y[i];
    }
    return c;
}

static void bias_grad(float *db, const float *D, int M, int N) {
    int i, j;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) db[j] += D[(size_t)i * N + j];
}

/* After mlp_forward and mlp_loss(grad = 1): m->g = dloss/dparams. dx [B × d0], if not NULL,
   gets dloss/dx. */
static void mlp_backward(mlp *m, const float *x, int B, float *dx) {
    size_t i, c1 = (size_t)B * m->d1, c2 = (size_t)B * m->d2;
    memset(m->g, 0, m->np * sizeof(float)); /* ln_backward accumulates dγ, dβ */
    mm_grad_w(m->dW3, m->a2, m->out, B, m->d2, m->d3);
    bias_grad(m->db3, m->out, B, m->d3);
    mm_grad_x(m->da, m->out, m->W3, B, m->d2, m->d3, m->wt);
    for (i = 0; i < c2; i++) m->da[i] = m->n2[i] > 0.0f ? m->da[i] : 0.0f; /* ReLU */
    if (m->ln) {
        demo_ln_check(ln_backward(m->dz2, m->dg2, m->dbe2, m->da, m->z2, m->g2, m->mu2, m->rs2, (size_t)B, (size_t)m->d2), "ln_backward");
    } else {
        memcpy(m->dz2, m->da, c2 * sizeof(float));
        bias_grad(m->db2, m->dz2, B, m->d2);
    }
    mm_grad_w(m->dW2, m->a1, m->dz2, B, m->d1, m->d2);
    mm_grad_x(m->da, m->dz2, m->W2, B, m->d1, m->d2, m->wt);
    for (i = 0; i < c1; i++) m->da[i] = m->n1[i] > 0.0f ? m->da[i] : 0.0f;
    if (m->ln) {
        demo_ln_check(ln_backward(m->dz1, m->dg1, m->dbe1, m->da, m->z1, m->g1, m->mu1, m->rs1, (size_t)B, (size_t)m->d1), "ln_backward");
    } else {
        memcpy(m->dz1, m->da, c1 * sizeof(float));
        bias_grad(m->db1, m->dz1, B, m->d1);
    }
    mm_grad_w(m->dW1, x, m->dz1, B, m->d0, m->d1);
    if (dx) mm_grad_x(dx, m->dz1, m->W1, B, m->d0, m->d1, m->wt);
}

/* Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected), on every parameter alike. Serial: it
   is a small part of a step, and one fewer thread barrier. (make demo builds with
   -fno-math-errno so this loop's sqrtf vectorizes.) */
static void adam_step(mlp *m, double lr) {
    const float b1 = 0.9f, b2 = 0.999f;
    float *restrict p = m->p, *restrict mo = m->m, *restrict v = m->v;
    const float *restrict g = m->g;
    float step;
    double t;
    size_t i, n = m->np;
    m->t++;
    t = (double)m->t;
    step = (float)(lr * sqrt(1.0 - pow(0.999, t)) / (1.0 - pow(0.9, t)));
    for (i = 0; i < n; i++) {
        mo[i] = b1 * mo[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= step * mo[i] / (sqrtf(v[i]) + 1e-8f);
    }
}

/* ---- one training run ---- */

#define DEMO_MAX_EPOCHS 200
#define DEMO_CURVE_PER_EPOCH 10 /* a curve point every ceil(steps/10) steps and at the epoch's end */
#define DEMO_CURVE_MAX (DEMO_MAX_EPOCHS * (DEMO_CURVE_PER_EPOCH + 1))

typedef struct {
    /* in */
    const char *setting;    /* e.g. "normal" */
    int ln;
    double lr, init_scale;
    /* out */
    double acc[DEMO_MAX_EPOCHS], train_loss[DEMO_MAX_EPOCHS], seconds;
    float curve_x[DEMO_CURVE_MAX]; /* epochs done */
    float curve_y[DEMO_CURVE_MAX]; /* mean training loss since the last point */
    int ncurve, epochs_done, diverged;
} demo_run;

/* Share of te that m classifies correctly. */
static double evaluate(mlp *m, const demo_set *te) {
    long correct = 0;
    int i;
    for (i = 0; i < te->n; i += m->cap) {
        int B = te->n - i < m->cap ? te->n - i : m->cap;
        mlp_forward(m, te->x + (size_t)i * te->dim, B);
        correct += mlp_correct(m, te->y + i, B);
    }
    return (double)correct / te->n;
}

/* Trains a fresh d0-h-h-10 MLP on tr for `epochs` with mini-batches of `batch`, testing on
   te after each epoch. Returns 0, or -1 if out of memory. verbose: print each epoch. */
static int train_run(demo_run *run, const demo_set *tr, const demo_set *te, int hidden,
                     int epochs, int batch, uint64_t seed, int verbose) {
    mlp m;
    demo_rng r = { seed ^ 0x5DEECE66Dull }; /* data order: the same for every run */
    int *order = (int *)malloc((size_t)tr->n * sizeof(int));
    float *xb = (float *)malloc((size_t)batch * tr->dim * sizeof(float));
    unsigned char *yb = (unsigned char *)malloc((size_t)batch);
    int steps = (tr->n + batch - 1) / batch, every = (steps + DEMO_CURVE_PER_EPOCH - 1) / DEMO_CURVE_PER_EPOCH;
    int e, s, i;
    double t0 = demo_now();
    if (every < 1) every = 1;
    if (epochs > DEMO_MAX_EPOCHS) epochs = DEMO_MAX_EPOCHS;
    if (!order || !xb || !yb || mlp_init(&m, run->ln, tr->dim, hidden, hidden, tr->classes, batch, run->init_scale, seed) != 0) {
        free(order); free(xb); free(yb);
        return -1;
    }
    for (i = 0; i < tr->n; i++) order[i] = i;
    run->ncurve = 0; run->epochs_done = 0; run->diverged = 0;
    for (e = 0; e < epochs && !run->diverged; e++) {
        double te0 = demo_now(), esum = 0.0, wsum = 0.0;
        int wn = 0;
        for (i = tr->n - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)(rng_next(&r) % (uint64_t)(i + 1)), tmp = order[i];
            order[i] = order[j]; order[j] = tmp;
        }
        for (s = 0; s < steps; s++) {
            int B = tr->n - s * batch < batch ? tr->n - s * batch : batch;
            double loss;
            for (i = 0; i < B; i++) {
                int k = order[s * batch + i];
                memcpy(xb + (size_t)i * tr->dim, tr->x + (size_t)k * tr->dim, (size_t)tr->dim * sizeof(float));
                yb[i] = tr->y[k];
            }
            mlp_forward(&m, xb, B);
            loss = mlp_loss(&m, yb, B, 1);
            if (!isfinite(loss)) { run->diverged = 1; break; }
            mlp_backward(&m, xb, B, NULL);
            adam_step(&m, run->lr);
            esum += loss; wsum += loss; wn++;
            if ((wn == every || s == steps - 1) && run->ncurve < DEMO_CURVE_MAX) {
                run->curve_x[run->ncurve] = (float)(e + (s + 1.0) / steps);
                run->curve_y[run->ncurve] = (float)(wsum / wn);
                run->ncurve++;
                wsum = 0.0; wn = 0;
            }
        }
        run->train_loss[e] = run->diverged ? NAN : esum / steps;
        run->acc[e] = evaluate(&m, te);
        run->epochs_done = e + 1;
        if (verbose) {
            printf("  %-9s %-9s epoch %2d/%d  train loss %8.4f  test acc %6.2f%%  %5.1f s%s\n",
                   run->ln ? "layernorm" : "none", run->setting, e + 1, epochs, run->train_loss[e],
                   100.0 * run->acc[e], demo_now() - te0, run->diverged ? "  (diverged: loss not finite)" : "");
            fflush(stdout);
        }
    }
    run->seconds = demo_now() - t0;
    mlp_free(&m);
    free(order); free(xb); free(yb);
    return 0;
}

/* ---- SVG plot of the training-loss curves: all of it (log y), and a linear zoom ---- */

static const char *svg_color(const demo_run *r) { return r->ln ? "#1f77b4" : "#d62728"; }

/* Dash pattern for the setting of run r: solid, dashed, dotted in order of appearance. */
static const char *svg_dash(const demo_run *runs, const demo_run *r) {
    static const char *dashes[3] = { "", " stroke-dasharray=\"8,4\"", " stroke-dasharray=\"2,3\"" };
    int k = 0;
    const demo_run *q;
    const char *seen[8];
    for (q = runs; q <= r; q++) {
        int j;
        for (j = 0; j < k && strcmp(seen[j], q->setting) != 0; j++) {}
        if (j == k && k < 8) seen[k++] = q->setting;
        if (q == r) return dashes[j % 3];
    }
    return dashes[0];
}

/* One panel at (px, py), pw × ph: x from 0 to xmax epochs, y from lo to hi (log10 values
   if logy). Curves are clipped to the panel; a diverged run ends with an X. */
static void svg_panel(FILE *f, int id, double px, double py, double pw, double ph, const demo_run *runs,
                      int nruns, double xmax, int logy, double lo, double hi, const char *ylabel) {
    int i, k, e, stepx = (int)ceil(xmax / 8.0);
    fprintf(f, "<clipPath id=\"c%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n",
            id, px, py, pw, ph);
    if (logy) { /* grid at 1, 2, 5 × 10^k */
        for (k = (int)lo; k <= (int)hi; k++) {
            static const double mant[3] = { 1, 2, 5 };
            int j;
            for (j = 0; j < 3; j++) {
                double v = mant[j] * pow(10.0, k), y = py + ph * (hi - log10(v)) / (hi - lo);
                if (log10(v) < lo - 1e-9 || log10(v) > hi + 1e-9) continue;
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#%s\"/>\n",
                        px, y, px + pw, y, j == 0 ? "ccc" : "eee");
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", px - 6, y + 4, v);
            }
        }
    } else { /* grid every 0.1 */
        for (k = 0; k <= (int)floor(hi * 10 + 1e-9); k++) {
            double v = 0.1 * k, y = py + ph * (hi - v) / (hi - lo);
            if (v < lo - 1e-9) continue;
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", px, y, px + pw, y);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", px - 6, y + 4, v);
        }
    }
    for (e = 0; e <= (int)xmax; e += stepx) {
        double x = px + pw * e / xmax;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", x, py, x, py + ph);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n", x, py + ph + 18, e);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n", px, py, pw, ph);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">epoch</text>\n", px + pw / 2, py + ph + 40);
    fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
            px - 52, py + ph / 2, ylabel);
    for (i = 0; i < nruns; i++) {
        double x = px, y = py;
        fprintf(f, "<polyline clip-path=\"url(#c%d)\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"",
                id, svg_color(&runs[i]), svg_dash(runs, &runs[i]));
        for (k = 0; k < runs[i].ncurve; k++) {
            double v = runs[i].curve_y[k];
            if (!isfinite(v) || v <= 0) break;
            x = px + pw * runs[i].curve_x[k] / xmax;
            y = py + ph * (hi - (logy ? log10(v) : v)) / (hi - lo);
            if (y < py - 50) y = py - 50; /* off the top: clipped anyway, keep the numbers tame */
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "\"/>\n");
        if (runs[i].diverged && y >= py)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"middle\" font-weight=\"bold\">X diverged</text>\n",
                    x, y < py + 16 ? py + 16 : y - 6, svg_color(&runs[i]));
    }
}

static int write_svg(const char *path, const demo_run *runs, int nruns, const char *title) {
    const double W = 1130, H = 540, T = 60, PW = 370, PH = 400, L1 = 80, L2 = 540, LEG = 935;
    double xmax = 0, ymin = 1e30, ymax = -1e30, lo, hi;
    int i, k;
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    for (i = 0; i < nruns; i++)
        for (k = 0; k < runs[i].ncurve; k++) {
            double y = runs[i].curve_y[k];
            if (runs[i].curve_x[k] > xmax) xmax = runs[i].curve_x[k];
            if (isfinite(y) && y > 0) { if (y < ymin) ymin = y; if (y > ymax) ymax = y; }
        }
    xmax = xmax > 0 ? ceil(xmax) : 1;
    if (ymin > ymax) { ymin = 0.1; ymax = 10; }
    lo = floor(log10(ymin)); hi = ceil(log10(ymax));
    if (hi <= lo) hi = lo + 1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n", W, H, W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.1f\" y=\"26\" text-anchor=\"middle\" font-size=\"16\">%s</text>\n", (L1 + L2 + PW) / 2, title);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">all runs (log scale)</text>\n", L1 + PW / 2, T - 8);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">zoom: 0 to 1 (linear)</text>\n", L2 + PW / 2, T - 8);
    svg_panel(f, 1, L1, T, PW, PH, runs, nruns, xmax, 1, lo, hi, "training loss (cross-entropy)");
    svg_panel(f, 2, L2, T, PW, PH, runs, nruns, xmax, 0, 0.0, 1.0, "training loss (cross-entropy)");
    for (i = 0; i < nruns; i++) {
        double y = T + 10 + 22 * i;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.2\"%s/>\n",
                LEG, y, LEG + 34, y, svg_color(&runs[i]), svg_dash(runs, &runs[i]));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s, %s</text>\n", LEG + 42, y + 4,
                runs[i].ln ? "layernorm" : "none", runs[i].setting);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">each point: mean loss</text>\n", LEG, T + 30 + 22 * nruns);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">over 1/%d epoch</text>\n", LEG, T + 46 + 22 * nruns, DEMO_CURVE_PER_EPOCH);
    fprintf(f, "</svg>\n");
    return fclose(f) == 0 ? 0 : -1;
}

#ifndef DEMO_NO_MAIN

static void usage(void) {
    printf("usage: demo [--data DIR] [--epochs N] [--long] [--synthetic] [--seed N] [--svg FILE]\n"
           "  --data DIR     Fashion-MNIST directory (default $FASHION_MNIST_DIR, else " DEMO_DATA_DIR ")\n"
           "  --epochs N     epochs per run (default 8)\n"
           "  --long         a longer run: 40 epochs per run\n"
           "  --synthetic    use the built-in synthetic task even if the data set is there\n"
           "  --seed N       seed for weights and data order (default 1)\n"
           "  --svg FILE     where the loss plot goes (default build/demo_loss.svg)\n");
}

int main(int argc, char **argv) {
    const char *dir = getenv("FASHION_MNIST_DIR"), *svg = "build/demo_loss.svg", *task;
    int epochs = 8, synthetic = 0, i, threads = 1, nruns, batch = 128, hidden = 256;
    uint64_t seed = 1;
    demo_set tr, te;
    /* Settings, each run with and without layer norm, same seed and learning rate. */
    static const struct { const char *name; double lr, init_scale; } settings[3] = {
        { "normal",   1e-3, 1.0 },  /* Adam's usual learning rate, He init */
        { "lr x10",   1e-2, 1.0 },  /* robustness: 10x the learning rate */
        { "init x10", 1e-3, 10.0 }, /* robustness: every weight 10x its He scale */
    };
    static demo_run runs[6];
    double wall0 = demo_now();
    clock_t cpu0 = clock();
    memset(&tr, 0, sizeof tr); memset(&te, 0, sizeof te);
    if (!dir || !*dir) dir = DEMO_DATA_DIR;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc) epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--long")) epochs = 40;
        else if (!strcmp(argv[i], "--synthetic")) synthetic = 1;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--svg") && i + 1 < argc) svg = argv[++i];
        else { usage(); return strcmp(argv[i], "--help") && strcmp(argv[i], "-h") ? 2 : 0; }
    }
    if (epochs < 1 || epochs > DEMO_MAX_EPOCHS) { fprintf(stderr, "demo: --epochs must be 1..%d\n", DEMO_MAX_EPOCHS); return 2; }
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    printf("layernorm.h %s demo: kernel path %s, %d thread%s\n", LAYERNORM_VERSION_STRING,
           ln_path_name(ln_path_active()), threads, threads == 1 ? "" : "s");

    if (!synthetic && (load_idx_pair(&tr, dir, "train") != 0 || load_idx_pair(&te, dir, "t10k") != 0)) {
        set_free(&tr); set_free(&te);
        printf("\nFashion-MNIST was not found (or not readable) in %s\n"
               "(it needs train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n"
               " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, and gzip on the PATH).\n"
               "To get it on Debian or Ubuntu:\n\n"
               "    sudo apt-get install dataset-fashion-mnist\n\n"
               "or point --data DIR (or FASHION_MNIST_DIR) at a directory holding those files.\n"
               "Running a small built-in SYNTHETIC task instead: the numbers below are not Fashion-MNIST.\n\n", dir);
        synthetic = 1;
    }
    if (synthetic) {
        set_free(&tr); set_free(&te);
        if (make_synthetic(&tr, &te, 784, 6000, 2000, seed + 7) != 0) { fprintf(stderr, "demo: out of memory\n"); return 1; }
        task = "synthetic task (NOT Fashion-MNIST)";
    } else {
        task = "Fashion-MNIST";
    }
    printf("data: %s, %d training and %d test images of %d pixels\n", task, tr.n, te.n, tr.dim);
    printf("model: MLP %d-%d-%d-10, ReLU, softmax cross-entropy, Adam, batch %d, %d epoch%s, seed %llu\n\n",
           tr.dim, hidden, hidden, batch, epochs, epochs == 1 ? "" : "s", (unsigned long long)seed);

    nruns = 0;
    for (i = 0; i < 3; i++) {
        int ln;
        for (ln = 0; ln <= 1; ln++) {
            demo_run *r = &runs[nruns++];
            r->setting = settings[i].name; r->ln = ln;
            r->lr = settings[i].lr; r->init_scale = settings[i].init_scale;
            if (train_run(r, &tr, &te, hidden, epochs, batch, seed, 1) != 0) { fprintf(stderr, "demo: out of memory\n"); return 1; }
        }
    }

    printf("\n| model | normalization | setting | test accuracy | time |\n|---|---|---|---|---|\n");
    for (i = 0; i < nruns; i++) {
        char set[64];
        snprintf(set, sizeof set, "%s (Adam lr %g%s)", runs[i].setting, runs[i].lr,
                 runs[i].init_scale != 1.0 ? ", weights 10x He init" : "");
        printf("| MLP %d-%d-%d-10 | %s | %s | %.2f%%%s | %.1f s |\n", tr.dim, hidden, hidden,
               runs[i].ln ? "layernorm" : "none", set, 100.0 * runs[i].acc[runs[i].epochs_done - 1],
               runs[i].diverged ? " (diverged)" : "", runs[i].seconds);
    }
    {
        char title[160];
        snprintf(title, sizeof title, "%s, MLP %d-%d-%d-10: training loss, none vs layernorm", task, tr.dim, hidden, hidden);
        if (write_svg(svg, runs, nruns, title) != 0) fprintf(stderr, "demo: could not write %s\n", svg);
        else printf("\nloss curves: %s\n", svg);
    }
    /* CPU time too: on a shared machine the wall time says more about the neighbours */
    printf("total: %.1f s wall, %.1f s CPU over %d thread%s\n", demo_now() - wall0,
           (double)(clock() - cpu0) / CLOCKS_PER_SEC, threads, threads == 1 ? "" : "s");
    if (!synthetic) {
        double a = runs[1].acc[runs[1].epochs_done - 1];
        printf("check: layernorm, normal setting reaches %.2f%% test accuracy (goal >= 85%%): %s\n",
               100.0 * a, a >= 0.85 ? "yes" : "NO");
        set_free(&tr); set_free(&te);
        return a >= 0.85 ? 0 : 1;
    }
    set_free(&tr); set_free(&te);
    return 0;
}
#endif /* DEMO_NO_MAIN */
