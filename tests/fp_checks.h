/* Included by the test programs right after the implementation. tests/suites.sh also
   builds them with -ffast-math: the library is then compiled under those flags, as a
   user's file would be (layernorm.h must opt out of them itself), while the checks that
   follow keep IEEE semantics, or the float64 reference would be reassociated and the NaN
   tests folded away. (GCC folds isfinite() by the command line's flags whatever the
   pragma says: the tests test bits instead.) */
#ifdef __FAST_MATH__
#if defined(__clang__)
#pragma float_control(precise, on)
#elif defined(__GNUC__)
#pragma GCC optimize("no-fast-math")
#endif
#endif
