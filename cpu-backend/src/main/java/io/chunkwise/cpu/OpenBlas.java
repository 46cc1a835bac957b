package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.HostBlock;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DGEMM and SGEMM through OpenBLAS (JavaCPP presets load the library). OpenBLAS runs single-threaded by default: the
 * scheduler already runs one GEMM task per thread, and BLAS threads on top would oversubscribe the cores
 * ({@code -Dchunkwise.blas.threads=N} overrides). Where the native library cannot load, {@link #problem()} says why
 * and the CPU backend uses its Java kernel.
 *
 * <p>The arrays reach OpenBLAS through {@link #binding()}: in place on Java 22+ ({@code FfmBlas}), else copied by
 * JavaCPP ({@link JavaCppBlas}). The copies cost a quarter of a single-threaded 1024 DGEMM here (38 against 50
 * GFLOP/s), which is why the direct binding exists. Every extent is checked here, before native code sees an array.
 */
public final class OpenBlas {
    private static final Logger LOG = LoggerFactory.getLogger(OpenBlas.class);
    private static final String PROBLEM = load();
    private static final BlasBinding COPYING = new JavaCppBlas();
    private static final BlasBinding BINDING = PROBLEM != null ? null : chooseBinding();

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

    private static BlasBinding chooseBinding() {
        BlasBinding direct = BlasBinding.heapDirect();
        return direct != null ? direct : COPYING;
    }

    public static boolean available() { return PROBLEM == null; }

    /** Why OpenBLAS is not used, or null. */
    public static String problem() { return PROBLEM; }

    /** How arrays reach OpenBLAS here, in words (for reports), or null where it is not available. */
    public static String bindingName() { return BINDING == null ? null : BINDING.toString(); }

    static BlasBinding binding() { return BINDING; }

    /** OpenBLAS's build configuration, e.g. {@code OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64}. */
    public static String config() { return bound().libraryText("openblas_get_config"); }

    /** The kernel OpenBLAS picked for this processor, e.g. {@code Cooperlake}. */
    public static String coreName() { return bound().libraryText("openblas_get_corename"); }

    private static BlasBinding bound() {
        if (BINDING == null) throw new IllegalStateException(PROBLEM);
        return BINDING;
    }

    /** The copying binding (tests run it beside the direct one). */
    static BlasBinding copyingBinding() { return COPYING; }

    /** Threads OpenBLAS uses per call. */
    public static int threads() { return available() ? openblas_nolapack.blas_get_num_threads() : 0; }

    /** Sets OpenBLAS's thread count for later calls (process-wide). */
    public static void setThreads(int n) {
        if (available()) openblas_nolapack.blas_set_num_threads(n);
    }

    /**
     * Runs {@code call} with OpenBLAS on {@code n} threads and puts the previous count back, also when it throws (a
     * single call on whole matrices wants all cores; the scheduler's block GEMMs one each).
     */
    public static <T> T withThreads(int n, java.util.function.Supplier<T> call) {
        int before = threads();
        setThreads(n);
        try {
            return call.get();
        } finally {
            setThreads(before);
        }
    }

    /** Whether {@link #gemm} takes these operands: FLOAT64 or FLOAT32, no empty dimension. */
    static boolean accepts(DType t, int m, int n, int k) {
        return available() && (t == DType.FLOAT64 || t == DType.FLOAT32) && m > 0 && n > 0 && k > 0;
    }

    /** {@code C = alpha op(A) op(B) + beta C} on row-major blocks; {@code c == null} makes a new C. */
    static HostBlock gemm(boolean transA, boolean transB, double alpha, HostBlock a, HostBlock b, double beta, HostBlock c,
                          int m, int n, int k) {
        return gemm(BINDING, transA, transB, alpha, a, b, beta, c, m, n, k);
    }

    /** {@link #gemm} through the given binding. */
    static HostBlock gemm(BlasBinding binding, boolean transA, boolean transB, double alpha, HostBlock a, HostBlock b,
                          double beta, HostBlock c, int m, int n, int k) {
        HostBlock out = c != null ? c : HostBlock.allocate(a.dtype(), new int[]{m, n});
        multiply(binding, transA, transB, alpha, a, b, c != null ? beta : 0, out, 0, n, m, n, k);
        return out;
    }

    /**
     * Whether {@link #matmulInto} writes {@code dst} in place: the binding can, dtypes are FLOAT64 or FLOAT32 and
     * alike, no dimension is empty, and rows of the destination are contiguous.
     */
    static boolean writesInto(HostBlock[] a, HostBlock[] b, HostBlock dst, int[] dstStrides) {
        if (!writesInPlace() || dstStrides.length != 2 || dstStrides[1] != 1 || a.length == 0) return false;
        DType t = dst.dtype();
        for (int q = 0; q < a.length; q++) {
            if (a[q].dtype() != t || b[q].dtype() != t || a[q].size() == 0 || b[q].size() == 0) return false;
        }
        return t == DType.FLOAT64 || t == DType.FLOAT32;
    }

    /**
     * {@code dst[dstOffset + i * ld + j] = sum over q of (a[q] @ b[q])[i][j]}, the products accumulated in order by
     * OpenBLAS into the destination itself. Only where {@link #writesInto} says so.
     */
    static void matmulInto(HostBlock[] a, HostBlock[] b, HostBlock dst, int dstOffset, int ld) {
        int m = a[0].shape()[0], n = b[0].shape()[1];
        for (int q = 0; q < a.length; q++) {
            if (q > 0) Cancellation.check();
            int k = a[q].shape()[1];
            if (a[q].shape()[0] != m || b[q].shape()[0] != k || b[q].shape()[1] != n) {
                throw new IllegalArgumentException("matmul blocks do not line up: A[" + q + "] is " + a[q].shape()[0] + "x" + k
                        + ", B[" + q + "] is " + b[q].shape()[0] + "x" + b[q].shape()[1] + ", C is " + m + "x" + n);
            }
            multiply(BINDING, false, false, 1.0, a[q], b[q], q == 0 ? 0.0 : 1.0, dst, dstOffset, ld, m, n, k);
        }
    }

    /** Whether OpenBLAS writes C in place at an offset ({@link #dgemmInto}; Java 22+). */
    public static boolean writesInPlace() { return BINDING != null && BINDING.writesInPlace(); }

    /**
     * {@code C = A @ B + beta C} for a row-major block A (m x k) and B (k x n), C starting at {@code cOffset} of
     * a larger row-major array with rows of {@code ldc}: one block product of a blocked matmul written by hand (the
     * benchmark's per-block limit). Only where {@link #writesInPlace()}.
     */
    public static void dgemmInto(int m, int n, int k, double[] a, double[] b, double beta, double[] c, int cOffset, int ldc) {
        checkExtents(false, false, m, n, k, a.length, k, b.length, n, c.length, cOffset, ldc);
        inPlace().dgemm(false, false, m, n, k, 1.0, a, k, b, n, beta, c, cOffset, ldc);
    }

    /** {@link #dgemmInto} in float32. */
    public static void sgemmInto(int m, int n, int k, float[] a, float[] b, float beta, float[] c, int cOffset, int ldc) {
        checkExtents(false, false, m, n, k, a.length, k, b.length, n, c.length, cOffset, ldc);
        inPlace().sgemm(false, false, m, n, k, 1.0f, a, k, b, n, beta, c, cOffset, ldc);
    }

    private static BlasBinding inPlace() {
        if (!writesInPlace()) throw new UnsupportedOperationException("OpenBLAS writes in place only through the Java 22+ binding; here: "
                    + (BINDING == null ? PROBLEM : BINDING));
        return BINDING;
    }

    /** One DGEMM on whole row-major matrices: {@code C = A @ B} (the benchmark's practical limit). */
    public static void dgemm(int m, int n, int k, double[] a, double[] b, double[] c) {
        checkExtents(false, false, m, n, k, a.length, k, b.length, n, c.length, 0, n);
        bound().dgemm(false, false, m, n, k, 1.0, a, k, b, n, 0.0, c, 0, n);
    }

    /** One SGEMM on whole row-major matrices: {@code C = A @ B}. */
    public static void sgemm(int m, int n, int k, float[] a, float[] b, float[] c) {
        checkExtents(false, false, m, n, k, a.length, k, b.length, n, c.length, 0, n);
        bound().sgemm(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c, 0, n);
    }

    /** {@code C[cOffset..] = alpha op(A) op(B) + beta C} with A's and B's leading dimensions their row lengths. */
    private static void multiply(BlasBinding binding, boolean transA, boolean transB, double alpha, HostBlock a, HostBlock b,
                                 double beta, HostBlock c, int cOffset, int ldc, int m, int n, int k) {
        int lda = a.shape()[1], ldb = b.shape()[1];
        checkExtents(transA, transB, m, n, k, a.size(), lda, b.size(), ldb, c.size(), cOffset, ldc);
        if (a.dtype() == DType.FLOAT64) {
            binding.dgemm(transA, transB, m, n, k, alpha, a.doubles(), lda, b.doubles(), ldb, beta, c.doubles(), cOffset, ldc);
        } else {
            binding.sgemm(transA, transB, m, n, k, (float) alpha, a.floats(), lda, b.floats(), ldb, (float) beta, c.floats(), cOffset, ldc);
        }
    }

    /** Native code must not read or write past an array: every operand's extent is checked first. */
    private static void checkExtents(boolean transA, boolean transB, int m, int n, int k, long aSize, int lda, long bSize,
                                     int ldb, long cSize, int cOffset, int ldc) {
        if (m <= 0 || n <= 0 || k <= 0) throw new IllegalArgumentException("gemm dimensions must be positive, got m=" + m + ", n=" + n + ", k=" + k);
        check("A", transA ? k : m, transA ? m : k, lda, 0, aSize);
        check("B", transB ? n : k, transB ? k : n, ldb, 0, bSize);
        check("C", m, n, ldc, cOffset, cSize);
    }

    private static void check(String name, int rows, int cols, int ld, long offset, long size) {
        if (ld < cols || offset < 0 || offset + (long) (rows - 1) * ld + cols > size) {
            throw new IllegalArgumentException("gemm: " + name + " as " + rows + "x" + cols + " (leading dimension " + ld
                    + ", offset " + offset + ") does not fit its " + size + " elements");
        }
    }
}
