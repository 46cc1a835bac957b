package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.HostBlock;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

/**
 * DGEMM and SGEMM through OpenBLAS (JavaCPP presets). OpenBLAS runs single-threaded by default: the scheduler
 * already runs one GEMM task per thread, and BLAS threads on top would oversubscribe the cores
 * ({@code -Dchunkwise.blas.threads=N} overrides). Where the native library cannot load, {@link #problem()} says why
 * and the CPU backend uses its Java kernel.
 */
public final class OpenBlas {
    private static final Logger LOG = LoggerFactory.getLogger(OpenBlas.class);
    private static final String PROBLEM = load();

    private OpenBlas() {}

    private static String load() {
        try {
            Loader.load(openblas_nolapack.class);
            int threads = Integer.getInteger("chunkwise.blas.threads", 1);
            openblas_nolapack.blas_set_num_threads(threads);
            return null;
        } catch (Throwable e) {
            LOG.warn("OpenBLAS is not usable here, GEMM runs in Java: {}", e.toString());
            return "OpenBLAS could not be loaded: " + e;
        }
    }

    public static boolean available() { return PROBLEM == null; }

    /** Why OpenBLAS is not used, or null. */
    public static String problem() { return PROBLEM; }

    /** Threads OpenBLAS uses per call. */
    public static int threads() { return available() ? openblas_nolapack.blas_get_num_threads() : 0; }

    /** Sets OpenBLAS's thread count for later calls (process-wide). */
    public static void setThreads(int n) {
        if (available()) openblas_nolapack.blas_set_num_threads(n);
    }

    /** Whether {@link #gemm} takes these operands: FLOAT64 or FLOAT32, no empty dimension. */
    static boolean accepts(DType t, int m, int n, int k) {
        return available() && (t == DType.FLOAT64 || t == DType.FLOAT32) && m > 0 && n > 0 && k > 0;
    }

    /** {@code C = alpha op(A) op(B) + beta C} on row-major blocks; {@code c == null} makes a new C. */
    static HostBlock gemm(boolean transA, boolean transB, double alpha, HostBlock a, HostBlock b, double beta, HostBlock c,
                          int m, int n, int k) {
        HostBlock out = c != null ? c : HostBlock.allocate(a.dtype(), new int[]{m, n});
        double keep = c != null ? beta : 0;
        int ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans;
        int lda = a.shape()[1], ldb = b.shape()[1];
        if (a.dtype() == DType.FLOAT64) {
            openblas_nolapack.cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a.doubles(), lda, b.doubles(), ldb, keep, out.doubles(), n);
        } else {
            openblas_nolapack.cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha, a.floats(), lda, b.floats(), ldb, (float) keep, out.floats(), n);
        }
        return out;
    }

    /** One DGEMM on whole row-major matrices: {@code C = A @ B} (the benchmark's practical limit). */
    public static void dgemm(int m, int n, int k, double[] a, double[] b, double[] c) {
        openblas_nolapack.cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
    }

    /** One SGEMM on whole row-major matrices: {@code C = A @ B}. */
    public static void sgemm(int m, int n, int k, float[] a, float[] b, float[] c) {
        openblas_nolapack.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    }
}
