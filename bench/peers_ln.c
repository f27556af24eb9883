/* bench/peers_ln.c - layernorm.h's implementation for bench/peers.cpp, compiled as C
   with the plain flags a user would use (`cc -O2 -fopenmp`). */
#define LAYERNORM_IMPLEMENTATION
#include "layernorm.h"
