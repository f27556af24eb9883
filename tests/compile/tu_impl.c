/* tests/compile/tu_impl.c - the translation unit that holds the implementation, linked
   with tu_main.c (which only includes the header). Built as C or C++ by run.sh. */
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"

#ifdef __cplusplus
extern "C" int tu_impl_check(void); /* C linkage: tu_main.c may be built as C */
#else
int tu_impl_check(void);
#endif
int tu_impl_check(void)
{
    /* x = 0, 0, 4, 4: mean 2, var 4, rstd 1/sqrt(4 + 0) = 0.5, y = −1, −1, 1, 1 */
    const float x[4] = {0.0f, 0.0f, 4.0f, 4.0f};
    float y[4];
    int rc = ln_forward(y, NULL, NULL, x, NULL, NULL, 1, 4, 0.0f);
    return rc == LN_OK && y[0] == -1.0f && y[1] == -1.0f && y[2] == 1.0f && y[3] == 1.0f;
}
