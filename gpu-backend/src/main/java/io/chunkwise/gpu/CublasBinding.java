package io.chunkwise.gpu;

/**
 * One cuBLAS handle on the current context, through whichever binding could load cuBLAS here ({@link Cublas#open}):
 * JCublas (its natives need {@code libcublas.so.12}) or the direct FFM binding ({@code libcublas.so.13} or
 * {@code .so.12}, Java 22+). Only the calls the backend makes. Arguments as cuBLAS takes them: column-major, device
 * addresses, {@code op} {@link #OP_N} or {@link #OP_T}; {@link #rowMajorGemm} turns a row-major product into one.
 * Not thread-safe: the caller serialises calls on one handle. {@link #close()} destroys the handle.
 */
interface CublasBinding extends AutoCloseable {
    int OP_N = 0, OP_T = 1;

    /** The library and binding in words, e.g. {@code cuBLAS 13.1.0 (libcublas.so.13 at /usr/local/cuda/lib64, FFM)}. */
    String describe();

    /** {@code cublasSetStream_v2}: later calls go to {@code stream} (null: the legacy default stream). */
    void setStream(DeviceStream stream);

    void dgemm(int opA, int opB, int m, int n, int k, double alpha, long a, int lda, long b, int ldb, double beta, long c, int ldc);

    void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc);

    /** {@code cublasDestroy_v2}; idempotent. */
    @Override
    void close();

    /**
     * Row-major {@code C (m x n) = alpha op(A) op(B) + beta C}, with row lengths {@code lda}, {@code ldb}, {@code ldc}:
     * as column-major, that is {@code C^T = op(B)^T op(A)^T}, so the operands swap and the flags stay.
     */
    static void rowMajorGemm(CublasBinding blas, boolean float64, boolean transA, boolean transB, int m, int n, int k,
                             double alpha, long a, int lda, long b, int ldb, double beta, long c, int ldc) {
        int opA = transA ? OP_T : OP_N, opB = transB ? OP_T : OP_N;
        if (float64) blas.dgemm(opB, opA, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
        else blas.sgemm(opB, opA, n, m, k, (float) alpha, b, ldb, a, lda, (float) beta, c, ldc);
    }

    /** Throws unless {@code status} is CUBLAS_STATUS_SUCCESS. */
    static void check(int status, String call) {
        if (status != 0) throw new CudaCallException(call + " failed: " + statusName(status), status);
    }

    /** The name of a {@code cublasStatus_t}. */
    static String statusName(int status) {
        return switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus " + status;
        };
    }
}
