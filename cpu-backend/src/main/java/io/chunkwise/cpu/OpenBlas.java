package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.HostBlock;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
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
 *
 * <p>Operands of {@link #SCRATCH_BYTES} or more go through native buffers of the calling thread, grown as needed
 * and kept ({@link Scratch}). Handed a Java array, JavaCPP copies it into native memory allocated for the call and
 * frees it after; from 32 MiB (glibc's largest mmap threshold) that memory is a fresh mapping every call, and on a
 * VM fresh pages are faulted in slowly (0.6-2 GB/s measured here): one DGEMM on whole 4096 x 4096 matrices ran at
 * 48-56 GFLOP/s that way and at 98 through the kept buffers (numpy: 99). Smaller arrays come from malloc's heap,
 * already faulted in; there the direct call measured about 8 % faster than copying through the buffers
 * (InterleavedRatios MatmulBench chunk=1024), so they keep it.
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
        HostBlock out = c != null ? c : HostBlock.allocate(a.dtype(), new int[]{m, n});
        double keep = c != null ? beta : 0;
        int lda = a.shape()[1], ldb = b.shape()[1];
        if (a.dtype() == DType.FLOAT64) dgemm(transA, transB, m, n, k, alpha, a.doubles(), lda, b.doubles(), ldb, keep, out.doubles());
        else sgemm(transA, transB, m, n, k, (float) alpha, a.floats(), lda, b.floats(), ldb, (float) keep, out.floats());
        return out;
    }

    /** One DGEMM on whole row-major matrices: {@code C = A @ B} (the benchmark's practical limit). */
    public static void dgemm(int m, int n, int k, double[] a, double[] b, double[] c) {
        dgemm(false, false, m, n, k, 1.0, a, k, b, n, 0.0, c);
    }

    /** One SGEMM on whole row-major matrices: {@code C = A @ B}. */
    public static void sgemm(int m, int n, int k, float[] a, float[] b, float[] c) {
        sgemm(false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c);
    }

    /** Operand size from which {@link Scratch} buffers are used (see the class comment). */
    static final long SCRATCH_BYTES = 32L << 20;

    private static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda,
                              double[] b, int ldb, double beta, double[] c) {
        if (8L * Math.max(Math.max(a.length, b.length), c.length) < SCRATCH_BYTES) {
            openblas_nolapack.cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, n);
            return;
        }
        Scratch s = SCRATCH.get();
        DoublePointer pa = s.doubles(0, a, true), pb = s.doubles(1, b, true), pc = s.doubles(2, c, beta != 0);
        openblas_nolapack.cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, n);
        pc.get(c, 0, c.length);
    }

    private static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda,
                              float[] b, int ldb, float beta, float[] c) {
        if (4L * Math.max(Math.max(a.length, b.length), c.length) < SCRATCH_BYTES) {
            openblas_nolapack.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, n);
            return;
        }
        Scratch s = SCRATCH.get();
        FloatPointer pa = s.floats(0, a, true), pb = s.floats(1, b, true), pc = s.floats(2, c, beta != 0);
        openblas_nolapack.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, n);
        pc.get(c, 0, c.length);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * A thread's native copies of A, B and C (slots 0, 1, 2), each grown to the largest operand seen and kept, so
     * that its pages are faulted in once. Freed with the thread (JavaCPP releases an unreachable pointer's memory).
     */
    private static final class Scratch {
        private final DoublePointer[] doubles = new DoublePointer[3];
        private final FloatPointer[] floats = new FloatPointer[3];

        /** Slot {@code slot}'s buffer, at least {@code values.length} long, holding {@code values} when {@code copyIn}. */
        DoublePointer doubles(int slot, double[] values, boolean copyIn) {
            DoublePointer p = doubles[slot];
            if (p == null || p.capacity() < values.length) {
                if (p != null) p.close();
                doubles[slot] = p = new DoublePointer(Math.max(1, values.length));
            }
            if (copyIn) p.put(values, 0, values.length);
            return p;
        }

        FloatPointer floats(int slot, float[] values, boolean copyIn) {
            FloatPointer p = floats[slot];
            if (p == null || p.capacity() < values.length) {
                if (p != null) p.close();
                floats[slot] = p = new FloatPointer(Math.max(1, values.length));
            }
            if (copyIn) p.put(values, 0, values.length);
            return p;
        }
    }
}
