/*
 * A stand-in for libcublas.so.13 / .so.12 that computes on the host, so that the FFM binding (CublasFfmTest) is
 * checked without a GPU: the symbols, argument order and types of the calls Chunkwise makes. Column-major, as
 * cuBLAS; "device" pointers are host memory here. It needs libcublasLt loaded first (as the real one does), which
 * checks that the binding loads it from the same folder.
 */
#include <stdlib.h>

extern int fake_cublaslt_marker(void);

typedef struct { int stream_set; } handle_t;

int cublasCreate_v2(handle_t **h) {
    if (fake_cublaslt_marker() != 42) return 1;
    *h = calloc(1, sizeof(handle_t));
    return *h ? 0 : 3;
}

int cublasDestroy_v2(handle_t *h) { free(h); return 0; }

int cublasSetStream_v2(handle_t *h, void *stream) { h->stream_set = stream == NULL ? 1 : 2; return 0; }

int cublasGetVersion_v2(handle_t *h, int *v) { (void) h; *v = CUBLAS_FAKE_VERSION; return 0; }

#define GEMM(NAME, T)                                                                                         \
int NAME(handle_t *h, int ta, int tb, int m, int n, int k, const T *alpha, const T *a, int lda, const T *b,   \
         int ldb, const T *beta, T *c, int ldc) {                                                            \
    if (h == NULL || h->stream_set != 1) return 1;                                                           \
    if (m < 0 || n < 0 || k < 0 || ta < 0 || ta > 1 || tb < 0 || tb > 1) return 7;                           \
    for (int j = 0; j < n; j++)                                                                              \
        for (int i = 0; i < m; i++) {                                                                        \
            T s = 0;                                                                                         \
            for (int q = 0; q < k; q++) {                                                                    \
                T x = ta ? a[q + i * lda] : a[i + q * lda];                                                  \
                T y = tb ? b[j + q * ldb] : b[q + j * ldb];                                                  \
                s += x * y;                                                                                  \
            }                                                                                                \
            c[i + j * ldc] = *alpha * s + *beta * c[i + j * ldc];                                            \
        }                                                                                                    \
    return 0;                                                                                                \
}

GEMM(cublasDgemm_v2, double)
GEMM(cublasSgemm_v2, float)
