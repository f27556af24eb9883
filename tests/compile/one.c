/* tests/compile/one.c - one translation unit with the implementation. The compile
   matrix (run.sh) builds it as C99, C11, C++11 and C++17, with and without OpenMP,
   LAYERNORM_STATIC and LAYERNORM_NO_SIMD, warnings as errors, and runs it. */
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"
#include "layernorm.h" /* including it twice must be harmless */

#include <math.h>
#include <stdio.h>

/* Built with -ffast-math too (run.sh): the implementation opts out of it, and the user's
   file must still see the compiler's fast-math macros after it (GCC's pop_options drops
   them; the header puts them back). */
#if defined(LN_TEST_FAST_MATH) && !defined(__FAST_MATH__)
#error "__FAST_MATH__ is gone after the implementation"
#endif
#if defined(LN_TEST_FAST_MATH) && !(defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__)
#error "__FINITE_MATH_ONLY__ is not 1 after the implementation"
#endif

int main(void)
{
    /* x = 1, 3: mean 2, var ((−1)² + 1²)/2 = 1; eps = 0 so rstd = 1, y = −1, 1 exactly.
       Backward with dy = 1, 2 (γ = 1): x̂ = −1, 1, mean(dy) = 1.5, mean(dy·x̂) = 0.5,
       dx = dy − 1.5 − x̂·0.5 = 0, 0 (with two columns y = ±1 whatever x is);
       dγ = dy·x̂ = −1, 2 and dβ = dy = 1, 2, added onto 0. */
    const float x[2] = {1.0f, 3.0f}, dy[2] = {1.0f, 2.0f};
    float y[2], mean[1], rstd[1], dx[2], dg[2] = {0.0f, 0.0f}, db[2] = {0.0f, 0.0f};
    int rc = ln_forward(y, mean, rstd, x, NULL, NULL, 1, 2, 0.0f);
    if (rc != LN_OK || y[0] != -1.0f || y[1] != 1.0f || mean[0] != 2.0f || rstd[0] != 1.0f) {
        printf("forward: rc %d (%s), y = %g %g\n", rc, ln_strerror(rc), (double)y[0],
               (double)y[1]);
        return 1;
    }
    rc = ln_backward(dx, dg, db, dy, x, NULL, mean, rstd, 1, 2);
    if (rc != LN_OK || fabs((double)dx[0]) > 1e-6 || fabs((double)dx[1]) > 1e-6 ||
        dg[0] != -1.0f || dg[1] != 2.0f || db[0] != 1.0f || db[1] != 2.0f) {
        printf("backward: rc %d, dx = %g %g, dgamma = %g %g, dbeta = %g %g\n", rc,
               (double)dx[0], (double)dx[1], (double)dg[0], (double)dg[1], (double)db[0],
               (double)db[1]);
        return 1;
    }
    { /* an eps of NaN is refused (-ffinite-math-only would let the check be folded away) */
        volatile float zero = 0.0f;
        if (ln_forward(y, NULL, NULL, x, NULL, NULL, 1, 2, zero / zero) != LN_ERR_EPS) {
            printf("eps NaN was not LN_ERR_EPS\n");
            return 1;
        }
    }
    if (ln_forward(y, NULL, NULL, x, NULL, NULL, 1, 0, 1e-5f) != LN_ERR_SIZE) {
        printf("cols == 0 was not LN_ERR_SIZE\n");
        return 1;
    }
    printf("ok: layernorm.h %s, path %s\n", LAYERNORM_VERSION_STRING,
           ln_path_name(ln_path_active()));
    return 0;
}
