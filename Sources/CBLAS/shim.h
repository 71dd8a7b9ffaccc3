#include <cblas.h>
#include <xmmintrin.h>

/* Treat subnormal floats as zero in this thread's SSE/AVX arithmetic (flush-to-zero and
   denormals-are-zero). Subnormals arise in Bayesian nets when tiny activations are squared
   for the local-reparameterization variance; each one makes a multiply take a slow microcode
   path (measured: a Bayesian AlexNet layer 6x slower). Values below 1.2e-38 become 0. */
static inline void engine_flush_subnormals_to_zero(void) {
    _mm_setcsr(_mm_getcsr() | 0x8040);
}
