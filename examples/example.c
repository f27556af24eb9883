/* examples/example.c - one layer norm, forward and backward, on a batch of 4 rows of 8.

   Build and run:  make example
             or:   cc -std=c99 -O2 -I. examples/example.c -lm && ./a.out

   Rows are independent (think: 4 tokens with 8 features each). Each row is normalized
   to mean 0 and variance 1, then scaled by gamma and shifted by beta (one per feature).
   The backward pass takes dy = dL/dy from the layer above and returns dx = dL/dx, plus
   the parameter gradients. At the end we check dx against finite differences. */
#define LAYERNORM_IMPLEMENTATION /* in exactly one .c file of your program */
#include "layernorm.h"

#include <math.h>
#include <stdio.h>

#define ROWS 4
#define COLS 8

static void print_matrix(const char *name, const float *a, int rows, int cols)
{
    int i, j;
    printf("%s:\n", name);
    for (i = 0; i < rows; i++) {
        for (j = 0; j < cols; j++) printf(" %8.4f", a[i * cols + j]);
        printf("\n");
    }
}

/* The loss L = Σ dy·y, whose gradient with respect to y is exactly dy. Computed in
   double by a forward written out here, so the check does not trust the library. */
static double loss(const double *x, const float *gamma, const float *beta, const float *dy,
                   double eps)
{
    double L = 0.0;
    int i, j;
    for (i = 0; i < ROWS; i++) {
        const double *r = x + i * COLS;
        double mean = 0.0, var = 0.0;
        for (j = 0; j < COLS; j++) mean += r[j] / COLS;
        for (j = 0; j < COLS; j++) var += (r[j] - mean) * (r[j] - mean) / COLS;
        for (j = 0; j < COLS; j++)
            L += dy[i * COLS + j] * ((r[j] - mean) / sqrt(var + eps) * gamma[j] + beta[j]);
    }
    return L;
}

int main(void)
{
    const float eps = 1e-5f; /* added to the variance, inside the sqrt (as PyTorch) */
    float x[ROWS * COLS], y[ROWS * COLS], dy[ROWS * COLS], dx[ROWS * COLS];
    float gamma[COLS], beta[COLS];
    float mean[ROWS], rstd[ROWS];                 /* saved by forward, needed by backward */
    float dgamma[COLS] = {0}, dbeta[COLS] = {0}; /* backward ADDS to these: start at 0 */
    double xd[ROWS * COLS], max_err = 0.0, max_dx = 0.0;
    int i, rc;

    /* Some inputs with different scales per row, and non-trivial parameters. */
    for (i = 0; i < ROWS * COLS; i++) {
        x[i] = (float)((i / COLS + 1) * sin(0.7 * i) + 3.0 * (i / COLS));
        dy[i] = (float)cos(1.3 * i); /* pretend this came from the next layer */
    }
    for (i = 0; i < COLS; i++) {
        gamma[i] = 1.0f + 0.1f * (float)i;
        beta[i] = 0.05f * (float)(i - 4);
    }

    /* Forward: y = (x − mean)·rstd·gamma + beta, row by row. */
    rc = ln_forward(y, mean, rstd, x, gamma, beta, ROWS, COLS, eps);
    if (rc != LN_OK) {
        fprintf(stderr, "ln_forward: %s\n", ln_strerror(rc));
        return 1;
    }
    print_matrix("x", x, ROWS, COLS);
    print_matrix("y = LayerNorm(x)", y, ROWS, COLS);
    for (i = 0; i < ROWS; i++)
        printf("row %d: mean %8.4f  rstd %8.4f\n", i, mean[i], rstd[i]);

    /* Backward: dx is overwritten; dgamma/dbeta accumulate, so that several calls (micro-
       batches) can sum into them. Zero them once per training step, as above. */
    rc = ln_backward(dx, dgamma, dbeta, dy, x, gamma, mean, rstd, ROWS, COLS);
    if (rc != LN_OK) {
        fprintf(stderr, "ln_backward: %s\n", ln_strerror(rc));
        return 1;
    }
    print_matrix("dx", dx, ROWS, COLS);
    print_matrix("dgamma", dgamma, 1, COLS);
    print_matrix("dbeta", dbeta, 1, COLS);

    /* Finite differences: dL/dx_i ≈ (L(x + h·e_i) − L(x − h·e_i)) / 2h, in double. */
    for (i = 0; i < ROWS * COLS; i++) xd[i] = x[i];
    for (i = 0; i < ROWS * COLS; i++) {
        const double h = 1e-5;
        double lp, lm, fd;
        xd[i] = x[i] + h;
        lp = loss(xd, gamma, beta, dy, eps);
        xd[i] = x[i] - h;
        lm = loss(xd, gamma, beta, dy, eps);
        xd[i] = x[i];
        fd = (lp - lm) / (2 * h);
        if (fabs(fd - dx[i]) > max_err) max_err = fabs(fd - dx[i]);
        if (fabs(fd) > max_dx) max_dx = fabs(fd);
    }
    printf("finite-difference check of dx: max error %.2e (largest |dx| %.2f)\n", max_err,
           max_dx);
    /* float results carry ~1e-7 relative error; a wrong formula would be off by ~|dx| */
    return max_err <= 1e-5 * max_dx ? 0 : 1;
}
