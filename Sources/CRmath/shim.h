#define MATHLIB_STANDALONE 1
#include <Rmath.h>
