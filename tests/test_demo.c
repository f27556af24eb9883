/* Smoke test of the demo's model (examples/demo.c, issue 6), a few seconds long:
     1. a tiny training run on the synthetic task: the loss goes down, both variants;
        and the run is bitwise the same with 1 and 2 OpenMP threads;
     2. the gradient of the whole network (with and without LayerNorm) matches central
        finite differences: weights, biases, γ, β, the input, and the LN input (dz1).
   Uses tests/test.h: last line "N passed, M failed", exit status 0 only if all passed. */
#define DEMO_NO_MAIN
#define DEMO_PAR_MIN 0 /* every matmul multi-threaded, so the thread-count check means something */
#include "../examples/demo.c"

#include "test.h"

/* ---- 1. training ---- */

static void test_training(void) {
    demo_set tr, te;
    int ln;
    memset(&tr, 0, sizeof tr); memset(&te, 0, sizeof te);
    CHECK(make_synthetic(&tr, &te, 64, 1500, 500, 11) == 0, "make_synthetic");
    if (!tr.x) return;
    for (ln = 0; ln <= 1; ln++) {
        demo_run r;
        memset(&r, 0, sizeof r);
        r.setting = "test"; r.ln = ln; r.lr = 3e-3; r.init_scale = 1.0;
        CHECK(train_run(&r, &tr, &te, 64, 3, 32, 5, 0) == 0, "train_run ln=%d", ln);
        /* The first curve point averages the first 1/10 epoch, so it sits near the chance
           loss ln(10) = 2.30. A model that learns ends far below it; one that does not
           (e.g. a sign error in a gradient) does not get under half of it. */
        printf("%-9s first loss %.4f, last epoch loss %.4f, test accuracy %.1f%%\n", ln ? "layernorm" : "none",
               r.curve_y[0], r.train_loss[r.epochs_done - 1], 100.0 * r.acc[r.epochs_done - 1]);
        CHECK(r.epochs_done == 3 && !r.diverged, "ln=%d: ran %d epochs, diverged %d", ln, r.epochs_done, r.diverged);
        CHECK(r.curve_y[0] > 1.5, "ln=%d: first loss %g, expected near ln 10 = 2.30", ln, r.curve_y[0]);
        CHECK(r.train_loss[2] < 0.5 * r.curve_y[0] && r.train_loss[2] < r.train_loss[0],
              "ln=%d: loss did not go down: first %g, epoch 1 %g, epoch 3 %g", ln, r.curve_y[0], r.train_loss[0], r.train_loss[2]);
        /* Chance is 10%; after 3 short epochs the tiny model is at ~65%. */
        CHECK(r.acc[2] > 0.4, "ln=%d: test accuracy %g after 3 epochs", ln, r.acc[2]);
#ifdef _OPENMP
        {
            /* Each output of every matmul is summed by one thread in a fixed order, and
               ln_forward/ln_backward are bitwise the same for any thread count, so the
               whole run must be too. */
            demo_run r1;
            int saved = omp_get_max_threads();
            memset(&r1, 0, sizeof r1);
            r1.setting = "test"; r1.ln = ln; r1.lr = 3e-3; r1.init_scale = 1.0;
            omp_set_num_threads(saved > 1 ? 1 : 2);
            train_run(&r1, &tr, &te, 64, 3, 32, 5, 0);
            omp_set_num_threads(saved);
            CHECK(r1.ncurve == r.ncurve && memcmp(r1.curve_y, r.curve_y, sizeof(float) * (size_t)r.ncurve) == 0 &&
                  r1.acc[2] == r.acc[2], "ln=%d: run differs between 1 and 2 threads", ln);
        }
#endif
    }
    set_free(&tr); set_free(&te);
}

/* ---- 2. finite differences ----

   Central differences on the float model: fd = (L(θ+h) − L(θ−h)) / 2h, h = 1e-2
   (1e-3 if h = 1e-2 crosses a ReLU kink).
   Error budget, for parameters of size ~0.3..1 and a loss of ~2.3 (mean over 6 rows):
   - rounding: the float forward gets the loss to ~1e-7 absolute (a few ulps of logits
     ~1 through three layers; the loss itself is summed in double), divided by 2h:
     ≤ ~5e-5 absolute in fd even at h = 1e-3;
   - truncation: h²/6·|L'''| ~ 2e-5·|L'''|, small next to gradients ~1e-2..1e-1;
   - ReLU kinks: if any ReLU input changes sign between θ−h and θ+h the loss is not
     smooth there, so such a parameter is skipped (another is drawn).
   We compare only parameters whose |analytic gradient| is at least a quarter of the
   largest in their tensor (so ~1e-2 or more), and require
   |fd − g| ≤ 1e-2·max(|fd|, |g|) + 1e-4.
   (Observed: worst relative error ~2e-4, fifty times inside the bound.)
   A wrong backward (a missing LN term, a wrong mask, a transposed matmul) is off by
   tens of percent or more, so it cannot pass. */

#define FD_H   1e-2f
#define FD_REL 1e-2
#define FD_ABS 1e-4

static unsigned char *g_sign; /* ReLU input signs of the unperturbed forward */

static void signs(const mlp *m, int B, unsigned char *s) {
    size_t i, c1 = (size_t)B * m->d1, c2 = (size_t)B * m->d2;
    for (i = 0; i < c1; i++) s[i] = m->n1[i] > 0.0f;
    for (i = 0; i < c2; i++) s[c1 + i] = m->n2[i] > 0.0f;
}

/* Loss after the current forward state; 0 in *kink if the ReLU pattern is unchanged. */
static double loss_and_kink(mlp *m, const unsigned char *y, int B, int *kink) {
    size_t n = (size_t)B * (m->d1 + m->d2);
    unsigned char *s = (unsigned char *)malloc(n);
    signs(m, B, s);
    if (memcmp(s, g_sign, n) != 0) *kink = 1;
    free(s);
    return mlp_loss(m, y, B, 0);
}

/* What the finite difference perturbs: a parameter/input (forward from x), or z1. */
enum { FD_FROM_X, FD_FROM_Z1 };

static double fd_at(mlp *m, float *v, const float *x, const unsigned char *y, int B, int from, const float *z1, int *kink, float h) {
    float keep = *v;
    double lp, lm;
    size_t n1 = (size_t)B * m->d1;
    *v = keep + h;
    if (from == FD_FROM_Z1) mlp_forward_from_z1(m, B); else mlp_forward(m, x, B);
    lp = loss_and_kink(m, y, B, kink);
    if (from == FD_FROM_Z1) memcpy(m->z1, z1, n1 * sizeof(float));
    *v = keep - h;
    if (from == FD_FROM_Z1) mlp_forward_from_z1(m, B); else mlp_forward(m, x, B);
    lm = loss_and_kink(m, y, B, kink);
    *v = keep;
    if (from == FD_FROM_Z1) memcpy(m->z1, z1, n1 * sizeof(float));
    return (lp - lm) / (2.0 * h);
}

/* Compares up to `want` entries of an analytic gradient g[count] with finite differences
   of the value array v[count]. */
static void fd_check(const char *name, int ln, mlp *m, float *v, const float *g, size_t count,
                     const float *x, const unsigned char *y, int B, int from, const float *z1, demo_rng *r) {
    double gmax = 0.0, worst = 0.0;
    size_t i;
    int done = 0, tries, want = 5;
    for (i = 0; i < count; i++) if (fabs(g[i]) > gmax) gmax = fabs(g[i]);
    CHECK(gmax > 1e-3, "%s (ln=%d): largest gradient %g, expected a live gradient", name, ln, gmax);
    for (tries = 0; tries < 400 && done < want; tries++) {
        size_t k = (size_t)(rng_next(r) % count);
        int kink = 0;
        double fd, err;
        if (fabs(g[k]) < 0.25 * gmax) continue;
        fd = fd_at(m, v + k, x, y, B, from, z1, &kink, FD_H);
        if (kink) { /* a ReLU input within h of 0: retry closer */
            kink = 0;
            fd = fd_at(m, v + k, x, y, B, from, z1, &kink, FD_H / 10);
            if (kink) continue;
        }
        err = fabs(fd - g[k]) - FD_REL * (fabs(fd) > fabs(g[k]) ? fabs(fd) : fabs(g[k]));
        if (fabs(fd - g[k]) / (fabs(fd) > fabs(g[k]) ? fabs(fd) : fabs(g[k])) > worst)
            worst = fabs(fd - g[k]) / (fabs(fd) > fabs(g[k]) ? fabs(fd) : fabs(g[k]));
        CHECK(err <= FD_ABS, "%s[%zu] (ln=%d): analytic %.6g, finite difference %.6g", name, k, ln, g[k], fd);
        done++;
    }
    CHECK(done >= 3, "%s (ln=%d): only %d entries away from ReLU kinks", name, ln, done);
    printf("  %-4s %-3s: %d entries, worst relative error %.2e\n", ln ? "ln" : "none", name, done, worst);
}

static void test_gradients(int ln) {
    const int d0 = 16, d1 = 12, d2 = 10, B = 6;
    demo_set tr, te;
    mlp m;
    demo_rng r = { 99 + (uint64_t)ln };
    float *dx = (float *)malloc((size_t)B * d0 * sizeof(float)), *z1 = (float *)malloc((size_t)B * d1 * sizeof(float));
    float *gcopy, *dz1;
    size_t i;
    memset(&tr, 0, sizeof tr); memset(&te, 0, sizeof te);
    if (make_synthetic(&tr, &te, d0, B, 1, 3) != 0 || mlp_init(&m, ln, d0, d1, d2, 10, B, 1.0, 21) != 0) {
        CHECK(0, "setup");
        return;
    }
    /* γ, β, biases away from their initial 1 and 0, so every term of the backward counts. */
    if (ln) {
        for (i = 0; i < (size_t)d1; i++) { m.g1[i] = (float)(1.0 + 0.3 * rng_normal(&r)); m.be1[i] = (float)(0.2 * rng_normal(&r)); }
        for (i = 0; i < (size_t)d2; i++) { m.g2[i] = (float)(1.0 + 0.3 * rng_normal(&r)); m.be2[i] = (float)(0.2 * rng_normal(&r)); }
    } else {
        for (i = 0; i < (size_t)d1; i++) m.b1[i] = (float)(0.2 * rng_normal(&r));
        for (i = 0; i < (size_t)d2; i++) m.b2[i] = (float)(0.2 * rng_normal(&r));
    }
    for (i = 0; i < 10; i++) m.b3[i] = (float)(0.2 * rng_normal(&r));

    mlp_forward(&m, tr.x, B);
    g_sign = (unsigned char *)malloc((size_t)B * (d1 + d2));
    signs(&m, B, g_sign);
    memcpy(z1, m.z1, (size_t)B * d1 * sizeof(float));
    mlp_loss(&m, tr.y, B, 1);
    mlp_backward(&m, tr.x, B, dx);
    gcopy = (float *)malloc(m.np * sizeof(float));
    dz1 = (float *)malloc((size_t)B * d1 * sizeof(float));
    memcpy(gcopy, m.g, m.np * sizeof(float));
    memcpy(dz1, m.dz1, (size_t)B * d1 * sizeof(float));

#define FD_PARAM(NAME, P, DP, COUNT) \
    fd_check(NAME, ln, &m, m.P, gcopy + (m.DP - m.g), COUNT, tr.x, tr.y, B, FD_FROM_X, NULL, &r)
    FD_PARAM("W1", W1, dW1, (size_t)d0 * d1);
    FD_PARAM("W2", W2, dW2, (size_t)d1 * d2);
    FD_PARAM("W3", W3, dW3, (size_t)d2 * 10);
    FD_PARAM("b3", b3, db3, 10);
    if (ln) {
        FD_PARAM("g1", g1, dg1, d1); FD_PARAM("be1", be1, dbe1, d1);
        FD_PARAM("g2", g2, dg2, d2); FD_PARAM("be2", be2, dbe2, d2);
    } else {
        FD_PARAM("b1", b1, db1, d1); FD_PARAM("b2", b2, db2, d2);
    }
#undef FD_PARAM
    /* dloss/dx, through both LayerNorms and all three matmuls */
    fd_check("x", ln, &m, tr.x, dx, (size_t)B * d0, tr.x, tr.y, B, FD_FROM_X, NULL, &r);
    /* dloss/dz1: the gradient ln_backward hands to the first linear layer */
    mlp_forward(&m, tr.x, B);
    fd_check("dz1", ln, &m, m.z1, dz1, (size_t)B * d1, tr.x, tr.y, B, FD_FROM_Z1, z1, &r);
    if (ln) {
        /* LayerNorm's input gradient has zero row sums (dx = rstd·(g − mean(g) − x̂·mean(g·x̂))
           and Σx̂ = 0): check it holds for dz1 to rounding. */
        int b;
        double worst = 0.0;
        for (b = 0; b < B; b++) {
            double s = 0.0, a = 0.0;
            int j;
            for (j = 0; j < d1; j++) { s += dz1[b * d1 + j]; a += fabs(dz1[b * d1 + j]); }
            if (fabs(s) / (a > 0 ? a : 1) > worst) worst = fabs(s) / (a > 0 ? a : 1);
        }
        CHECK(worst < 1e-5, "LN input gradient rows should sum to 0: worst |Σ|/Σ|.| = %g", worst);
    }
    free(g_sign); free(gcopy); free(dz1); free(dx); free(z1);
    mlp_free(&m);
    set_free(&tr); set_free(&te);
}

/* ---- 3. the IDX/gzip reader and the SVG writer ---- */

static int write_gz(const char *path, const unsigned char *b, size_t n) {
    char cmd[512];
    FILE *p;
    snprintf(cmd, sizeof cmd, "gzip -c > '%s'", path);
    p = popen(cmd, "w");
    if (!p) return -1;
    fwrite(b, 1, n, p);
    return pclose(p);
}

static void test_idx(void) {
    /* Two 28×28 images: image k has pixel j = (j + 100·k) mod 256; labels 7, 3. Headers
       big-endian: magic 0x803, n = 2, 28, 28 / magic 0x801, n = 2. */
    static unsigned char img[16 + 2 * 784], lab[8 + 2];
    static const unsigned char ih[16] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28 };
    static const unsigned char lh[8] = { 0, 0, 8, 1, 0, 0, 0, 2 };
    demo_set s;
    int j, k, ok = 1;
    memset(&s, 0, sizeof s);
    memcpy(img, ih, 16); memcpy(lab, lh, 8);
    for (k = 0; k < 2; k++) for (j = 0; j < 784; j++) img[16 + k * 784 + j] = (unsigned char)((j + 100 * k) % 256);
    lab[8] = 7; lab[9] = 3;
    if (write_gz("build/demo_test-images-idx3-ubyte.gz", img, sizeof img) != 0 ||
        write_gz("build/demo_test-labels-idx1-ubyte.gz", lab, sizeof lab) != 0) {
        CHECK(0, "could not write the test IDX files with gzip");
        return;
    }
    CHECK(load_idx_pair(&s, "build", "demo_test") == 0, "load_idx_pair on a valid pair");
    if (s.x) {
        for (k = 0; k < 2; k++) for (j = 0; j < 784; j++)
            if (s.x[k * 784 + j] != (float)((j + 100 * k) % 256) / 255.0f) ok = 0;
        CHECK(s.n == 2 && s.dim == 784 && s.y[0] == 7 && s.y[1] == 3 && ok, "IDX contents read back wrong");
        /* pixel 255 of image 0 is 255 -> 1.0 exactly; pixel 0 of image 1 is 100 -> 100/255 */
        CHECK(s.x[255] == 1.0f && s.x[784] == 100.0f / 255.0f, "pixel scaling");
    }
    set_free(&s);
    CHECK(load_idx_pair(&s, "build/no-such-dir", "train") != 0 && s.x == NULL, "a missing file must fail cleanly");
    lab[8] = 12; /* a label out of range */
    write_gz("build/demo_test-labels-idx1-ubyte.gz", lab, sizeof lab);
    CHECK(load_idx_pair(&s, "build", "demo_test") != 0 && s.x == NULL, "label 12 must be rejected");
}

static void test_svg(void) {
    static demo_run runs[2];
    char buf[1 << 14];
    size_t n;
    FILE *f;
    int k, lines = 0;
    const char *p;
    memset(runs, 0, sizeof runs);
    runs[0].setting = "a"; runs[0].ln = 0; runs[0].diverged = 1;
    runs[1].setting = "a"; runs[1].ln = 1;
    for (k = 0; k < 5; k++) {
        runs[0].curve_x[k] = runs[1].curve_x[k] = 0.5f * (float)(k + 1);
        runs[0].curve_y[k] = k < 3 ? 2.0f - 0.5f * (float)k : NAN;
        runs[1].curve_y[k] = 2.0f / (float)(k + 1);
    }
    runs[0].ncurve = runs[1].ncurve = 5;
    CHECK(write_svg("build/demo_test.svg", runs, 2, "test") == 0, "write_svg");
    f = fopen("build/demo_test.svg", "r");
    n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    for (p = buf; (p = strstr(p, "<polyline")) != NULL; p++) lines++;
    CHECK(strncmp(buf, "<?xml", 5) == 0 && n > 7 && strcmp(buf + n - 7, "</svg>\n") == 0, "SVG framing");
    /* two panels (log scale and linear zoom), each with one polyline per run */
    CHECK(lines == 4 && strstr(buf, "diverged") && !strstr(buf, "nan") && !strstr(buf, "inf"),
          "SVG: %d polylines (expected 4), a diverged mark, no nan/inf coordinates", lines);
}

int main(void) {
    printf("layernorm.h path: %s\n", ln_path_name(ln_path_active()));
    test_section("training on the synthetic task");
    test_training();
    test_section("finite differences, none");
    test_gradients(0);
    test_section("finite differences, layernorm");
    test_gradients(1);
    test_section("IDX reader, SVG writer");
    test_idx();
    test_svg();
    return test_summary();
}
