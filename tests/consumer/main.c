/* A tiny program built the way a user would: against an installed or vendored
   layernorm.h (CMake target layernorm::layernorm, or pkg-config). Exits 0 only if the
   call works and gives the hand-computed answer.
   x = 1, 2, 3, 4: mean = 10/4 = 2.5; var = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25;
   with eps = 0: rstd = 1/sqrt(1.25) = 0.894427191; y = (x - 2.5)·rstd
   = -1.341640786, -0.447213595, 0.447213595, 1.341640786. */
#define LAYERNORM_NO_SIMD /* (the build systems are under test here, not the kernels: the SIMD
   paths compile in every other suite, and a plain -O0 compile of them took 5 s a consumer) */
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"

#include <math.h>
#include <stdio.h>

int main(void) {
    const float x[4] = {1, 2, 3, 4};
    const double want[4] = {-1.341640786, -0.447213595, 0.447213595, 1.341640786};
    float y[4], mean, rstd;
    int i, bad = 0;
    int rc = ln_forward(y, &mean, &rstd, x, NULL, NULL, 1, 4, 0.0f);
    if (rc != LN_OK) {
        printf("ln_forward: %s\n", ln_strerror(rc));
        return 1;
    }
    bad |= fabs(mean - 2.5) > 1e-6 || fabs(rstd - 0.894427191) > 1e-6;
    for (i = 0; i < 4; i++) bad |= fabs(y[i] - want[i]) > 1e-6;
    printf("layernorm %s (%s path): y = %.6f %.6f %.6f %.6f  %s\n", LAYERNORM_VERSION_STRING,
           ln_path_name(ln_path_active()), y[0], y[1], y[2], y[3], bad ? "WRONG" : "ok");
    return bad;
}
