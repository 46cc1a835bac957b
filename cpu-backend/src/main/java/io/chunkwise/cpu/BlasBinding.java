package io.chunkwise.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How Java arrays reach OpenBLAS's row-major {@code cblas_dgemm}/{@code cblas_sgemm}: {@code C[cOffset..] = alpha
 * op(A) op(B) + beta C} with leading dimensions {@code lda}, {@code ldb}, {@code ldc} (in elements). Callers check
 * the extents ({@link OpenBlas}); a binding passes them on unchecked.
 */
interface BlasBinding {
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda, double[] b,
               int ldb, double beta, double[] c, int cOffset, int ldc);

    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b,
               int ldb, float beta, float[] c, int cOffset, int ldc);

    /**
     * What a {@code const char *function(void)} of the loaded OpenBLAS returns ({@code openblas_get_config},
     * {@code openblas_get_corename}), or "unknown (why)".
     */
    String libraryText(String function);

    /** Whether C may start at an offset with a leading dimension other than n (written in place into a larger array). */
    boolean writesInPlace();

    /**
     * The binding that hands OpenBLAS the Java arrays themselves (no copies): a critical downcall of the Foreign
     * Function API with heap access, which exists from Java 22. Its class is compiled for 22 in its own source root
     * and only loaded on such a JVM, so the library still runs on 21 (through {@link JavaCppBlas}). Null with the
     * reason logged where it is not available.
     */
    static BlasBinding heapDirect() {
        Logger log = LoggerFactory.getLogger(BlasBinding.class);
        if (Runtime.version().feature() < 22) {
            log.info("Java {}: OpenBLAS gets copies of the arrays (direct heap access needs Java 22)", Runtime.version().feature());
            return null;
        }
        try {
            return (BlasBinding) Class.forName("io.chunkwise.cpu.FfmBlas").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.warn("OpenBLAS gets copies of the arrays; direct heap access failed: {}", cause.toString());
            return null;
        }
    }
}
