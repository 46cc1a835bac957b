package io.chunkwise.cpu;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

/**
 * OpenBLAS through JavaCPP's generated JNI, which copies every Java array argument into native memory for the call
 * and back after it (the binding of Java 21, where {@code FfmBlas} is not available). C must be a whole array
 * ({@code cOffset} 0, {@code ldc} n).
 *
 * <p>Operands of {@link #SCRATCH_BYTES} or more go through native buffers of the calling thread, grown as needed
 * and kept ({@link Scratch}). JavaCPP's per-call native memory from 32 MiB (glibc's largest mmap threshold) is a
 * fresh mapping every call, and on a VM fresh pages are faulted in slowly (0.6-2 GB/s measured here): one DGEMM on
 * whole 4096 x 4096 matrices ran at 48-56 GFLOP/s that way and at 98 through the kept buffers (numpy: 99). Smaller
 * arrays come from malloc's heap, already faulted in; there the direct call measured about 8 % faster than copying
 * through the buffers (InterleavedRatios MatmulBench chunk=1024), so they keep it.
 */
final class JavaCppBlas implements BlasBinding {
    /** Operand size from which {@link Scratch} buffers are used (see the class comment). */
    static final long SCRATCH_BYTES = 32L << 20;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda, double[] b,
                      int ldb, double beta, double[] c, int cOffset, int ldc) {
        wholeC(cOffset, ldc, n);
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

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b,
                      int ldb, float beta, float[] c, int cOffset, int ldc) {
        wholeC(cOffset, ldc, n);
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

    private static void wholeC(int cOffset, int ldc, int n) {
        if (cOffset != 0 || ldc != n) throw new IllegalArgumentException("JavaCPP's binding writes whole C arrays only");
    }

    @Override public boolean writesInPlace() { return false; }

    /** JavaCPP's presets do not map OpenBLAS's info functions. */
    @Override public String libraryText(String function) { return "unknown (needs Java 22)"; }

    @Override public String toString() { return "JavaCPP (arrays copied per call)"; }

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
