/* tests/compile/tu_main.c - a translation unit that only includes the header (no
   LAYERNORM_IMPLEMENTATION) and calls the library defined in tu_impl.c. With
   LAYERNORM_STATIC defined for both units, each has its own private copy instead. */
#ifdef TU_MAIN_IS_STATIC
#define LAYERNORM_IMPLEMENTATION /* static: this unit needs its own copy */
#endif
#include "layernorm.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" int tu_impl_check(void); /* C linkage: tu_impl.c may be built as C */
#else
int tu_impl_check(void);
#endif

int main(void)
{
    /* x = 1, 3 with β = 0.5, 0.5: y = −1 + 0.5, 1 + 0.5 = −0.5, 1.5 (eps 0, rstd 1) */
    const float x[2] = {1.0f, 3.0f}, beta[2] = {0.5f, 0.5f};
    float y[2];
    int rc = ln_forward(y, NULL, NULL, x, NULL, beta, 1, 2, 0.0f);
    if (rc != LN_OK || y[0] != -0.5f || y[1] != 1.5f) {
        printf("main unit: rc %d, y = %g %g\n", rc, (double)y[0], (double)y[1]);
        return 1;
    }
    if (!tu_impl_check()) {
        printf("implementation unit: wrong result\n");
        return 1;
    }
    printf("ok: two translation units\n");
    return 0;
}
