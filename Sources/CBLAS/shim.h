#include <cblas.h>

/* OpenBLAS's own kernel selection (DYNAMIC_ARCH builds export both): quit forgets the chosen
   core, init chooses again, reading OPENBLAS_CORETYPE first. See Engine/BLASCore.swift. */
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
/* OpenBLAS's work-buffer pool. Its first allocation also runs the kernel selection (on whichever
   thread gets there first, OpenBLAS's own pool threads included) and marks the pool initialised;
   later allocations never select again. */
void *blas_memory_alloc(int procpos);
void blas_memory_free(void *buffer);
#include <xmmintrin.h>

/* Treat subnormal floats as zero in this thread's SSE/AVX arithmetic (flush-to-zero and
   denormals-are-zero). Subnormals arise in Bayesian nets when tiny activations are squared
   for the local-reparameterization variance; each one makes a multiply take a slow microcode
   path (measured: a Bayesian AlexNet layer 6x slower). Values below 1.2e-38 become 0. */
static inline void engine_flush_subnormals_to_zero(void) {
    _mm_setcsr(_mm_getcsr() | 0x8040);
}

#include <malloc.h>

/* Keep freed tensor memory in the process instead of returning it to the kernel. A training
   step frees and re-allocates the same few megabyte-sized buffers every time; served by mmap
   (glibc's default above its threshold) or trimmed back to the kernel, each one costs page
   faults and zeroing on first touch (measured: ~8% of a Bayesian LeNet-5 step in the kernel).
   Buffers up to 32 MiB (glibc's largest mmap threshold) then come from the heap, which is
   trimmed only above 1 GiB of free space at its top. */
static inline void engine_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}
