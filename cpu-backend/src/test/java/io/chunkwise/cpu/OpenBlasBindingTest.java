package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.HostBlock;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Both ways of handing arrays to OpenBLAS, checked entry by entry on samples against a direct dot product in
 * double: JavaCPP's copies (small operands directly, operands of {@link JavaCppBlas#SCRATCH_BYTES} or more through
 * the kept native buffers) and the in-place binding of Java 22+, including C written at an offset into a larger
 * array. Transposes, accumulation into C, a second call on grown buffers, and extents native code must not pass.
 */
class OpenBlasBindingTest {
    private static final int SAMPLES = 64;

    @Test
    void copyingBindingSmallAndLargeOperands() {
        assumeTrue(OpenBlas.available(), () -> "OpenBLAS not loaded: " + OpenBlas.problem());
        Random rnd = new Random(11);
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            int big = (int) (JavaCppBlas.SCRATCH_BYTES / t.byteSize());   // elements of the large operand
            checkProducts(OpenBlas.copyingBinding(), t, big / 1024, 1024, 48, rnd);
            checkProducts(OpenBlas.copyingBinding(), t, 70, 33, 45, rnd);
        }
    }

    @Test
    void directBindingOnJava22() {
        assumeTrue(OpenBlas.available(), () -> "OpenBLAS not loaded: " + OpenBlas.problem());
        assumeTrue(Runtime.version().feature() >= 22, "direct heap access needs Java 22+; this JVM is " + Runtime.version());
        assertTrue(OpenBlas.binding().writesInPlace(), () -> "Java 22+ should bind OpenBLAS directly, got " + OpenBlas.bindingName());
        assertTrue(OpenBlas.config().startsWith("OpenBLAS "), OpenBlas.config());
        assertFalse(OpenBlas.coreName().isBlank() || OpenBlas.coreName().startsWith("unknown"), OpenBlas.coreName());
        Random rnd = new Random(12);
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            checkProducts(OpenBlas.binding(), t, 300, 257, 129, rnd);
            checkProducts(OpenBlas.binding(), t, 1, 5, 1, rnd);
        }
    }

    @Test
    void productsWrittenIntoPartOfALargerArray() {
        assumeTrue(OpenBlas.available(), () -> "OpenBLAS not loaded: " + OpenBlas.problem());
        assumeTrue(OpenBlas.binding().writesInPlace(), () -> "OpenBLAS is bound through " + OpenBlas.bindingName() + ", which cannot write in place");
        Random rnd = new Random(13);
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            int m = 37, n = 29, ld = 80, offset = 3 * ld + 17, rows = 50;
            HostBlock[] a = {random(t, new int[]{m, 19}, rnd), random(t, new int[]{m, 40}, rnd)};
            HostBlock[] b = {random(t, new int[]{19, n}, rnd), random(t, new int[]{40, n}, rnd)};
            HostBlock dst = random(t, new int[]{rows * ld}, rnd);
            HostBlock before = copy(dst);
            assertTrue(OpenBlas.writesInto(a, b, dst, new int[]{ld, 1}));
            OpenBlas.matmulInto(a, b, dst, offset, ld);
            for (int p = 0; p < dst.size(); p++) {
                int i = (p - offset) / ld, j = (p - offset) % ld;
                boolean inside = p >= offset && i < m && j < n;
                if (!inside) {
                    assertEquals(before.getDouble(p), dst.getDouble(p), "position " + p + " outside the product changed");
                    continue;
                }
                double dot = 0, scale = 0;
                for (int q = 0; q < a.length; q++) {
                    int k = a[q].shape()[1];
                    for (int r = 0; r < k; r++) {
                        double x = a[q].getDouble(i * k + r), y = b[q].getDouble(r * n + j);
                        dot += x * y;
                        scale += Math.abs(x * y);
                    }
                }
                double err = Math.abs(dst.getDouble(p) - dot) / scale;
                assertTrue(err <= tolerance(t), t + " C[" + i + "," + j + "] relative error " + err);
            }
            assertFalse(OpenBlas.writesInto(a, b, dst, new int[]{ld, 2}), "strided rows cannot be written by BLAS");
            HostBlock small = HostBlock.allocate(t, new int[]{(m - 1) * ld + n - 1});   // one short of the last row
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpenBlas.matmulInto(a, b, small, 0, ld));
            assertTrue(e.getMessage().contains("C as 37x29"), e.getMessage());
        }
    }

    @Test
    void extentsAreCheckedBeforeNativeCode() {
        assumeTrue(OpenBlas.available(), () -> "OpenBLAS not loaded: " + OpenBlas.problem());
        double[] a = new double[6], b = new double[6], c = new double[3];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpenBlas.dgemm(2, 2, 3, a, b, c));
        assertTrue(e.getMessage().contains("C as 2x2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OpenBlas.dgemm(2, 3, 3, a, new double[8], new double[6]));
        assertTrue(e.getMessage().contains("B as 3x3"), e.getMessage());
    }

    /** A (m x k, or k x m transposed) times B (k x n) plus 2 C, through {@code binding}, checked on samples. */
    private static void checkProducts(BlasBinding binding, DType t, int m, int k, int n, Random rnd) {
        for (boolean transA : new boolean[]{false, true}) {
            for (int call = 0; call < 2; call++) {
                HostBlock a = random(t, transA ? new int[]{k, m} : new int[]{m, k}, rnd);
                HostBlock b = random(t, new int[]{k, n}, rnd);
                HostBlock c = random(t, new int[]{m, n}, rnd);
                HostBlock c0 = copy(c);
                double alpha = 0.5, beta = 2;
                OpenBlas.gemm(binding, transA, false, alpha, a, b, beta, c, m, n, k);
                for (int s = 0; s < SAMPLES; s++) {
                    int i = rnd.nextInt(m), j = rnd.nextInt(n);
                    double dot = 0, scale = 0;
                    for (int p = 0; p < k; p++) {
                        double x = transA ? a.getDouble(p * m + i) : a.getDouble(i * k + p), y = b.getDouble(p * n + j);
                        dot += x * y;
                        scale += Math.abs(x * y);
                    }
                    double want = alpha * dot + beta * c0.getDouble(i * n + j);
                    double err = Math.abs(c.getDouble(i * n + j) - want) / (alpha * scale + Math.abs(beta * c0.getDouble(i * n + j)));
                    int fi = i, fj = j;
                    assertTrue(err <= tolerance(t), () -> binding + " " + t + (transA ? " A^T" : "") + " C[" + fi + "," + fj + "] relative error " + err);
                }
            }
        }
    }

    private static double tolerance(DType t) { return t == DType.FLOAT64 ? 1e-13 : 1e-5; }

    private static HostBlock random(DType t, int[] shape, Random rnd) {
        HostBlock h = HostBlock.allocate(t, shape);
        if (t == DType.FLOAT64) for (int i = 0; i < h.size(); i++) h.doubles()[i] = rnd.nextGaussian();
        else for (int i = 0; i < h.size(); i++) h.floats()[i] = (float) rnd.nextGaussian();
        return h;
    }

    private static HostBlock copy(HostBlock h) {
        Object data = h.dtype() == DType.FLOAT64 ? h.doubles().clone() : h.floats().clone();
        return new HostBlock(h.dtype(), h.shape(), data);
    }
}
