package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.HostBlock;

/**
 * {@code C = alpha * op(A) @ op(B) + beta * C} in pure Java: operands are packed row-major into double[] (FLOAT64,
 * FLOAT32) or long[] (INT64, INT32) so that transposes and types are handled once, then a cache-blocked i-k-j
 * kernel streams contiguous rows of B and C (the inner loop is an axpy the JIT vectorises). FLOAT32 accumulates
 * in double and rounds once at the end; integers wrap, INT32 keeping the low 32 bits. Each C element sums its
 * products in increasing k, so results do not depend on the blocking.
 */
final class Gemm {
    /** Rows of A per block, depth per block, and columns of B per block: a KB x NB panel of B is 256 KiB. */
    private static final int MB = 64, KB = 128, NB = 256;

    private Gemm() {}

    static HostBlock gemm(boolean transA, boolean transB, double alpha, HostBlock a, HostBlock b, double beta, HostBlock c) {
        DType dtype = a.dtype();
        if (b.dtype() != dtype || (c != null && c.dtype() != dtype) || dtype == DType.BOOL) {
            throw new IllegalArgumentException("gemm takes operands of one floating or integer dtype, got " + a.dtype()
                    + ", " + b.dtype() + (c == null ? "" : ", " + c.dtype()));
        }
        int[] as = a.shape(), bs = b.shape();
        if (as.length != 2 || bs.length != 2) {
            throw new IllegalArgumentException("gemm takes 2-D blocks, got " + Shapes.str(as) + " and " + Shapes.str(bs));
        }
        int m = transA ? as[1] : as[0], k = transA ? as[0] : as[1];
        int kb = transB ? bs[1] : bs[0], n = transB ? bs[0] : bs[1];
        if (k != kb) {
            throw new IllegalArgumentException("gemm: op(A) is " + m + "x" + k + " but op(B) is " + kb + "x" + n
                    + " (A " + Shapes.str(as) + (transA ? " transposed" : "") + ", B " + Shapes.str(bs)
                    + (transB ? " transposed" : "") + ")");
        }
        if (c != null && (c.shape().length != 2 || c.shape()[0] != m || c.shape()[1] != n)) {
            throw new IllegalArgumentException("gemm: C is " + Shapes.str(c.shape()) + " but op(A) @ op(B) is (" + m + ", " + n + ")");
        }
        HostBlock out = c != null ? c : HostBlock.allocate(dtype, new int[]{m, n});
        if (dtype.isFloating()) {
            double[] product = new double[m * n];
            multiply(packDouble(a, transA), packDouble(b, transB), product, m, k, n);
            combineDouble(alpha, product, beta, c != null, out);
        } else {
            long[] product = new long[m * n];
            multiply(packLong(a, transA), packLong(b, transB), product, m, k, n);
            combineLong(alpha, product, beta, c != null, out);
        }
        return out;
    }

    /**
     * op(X) row-major as doubles: a FLOAT64 operand that needs no transpose is used as it is; otherwise op(X) is
     * gathered column by column of X (one strided load per row of the result), widening as it goes.
     */
    private static double[] packDouble(HostBlock x, boolean trans) {
        if (!trans && x.data() instanceof double[] d) return d;
        int rows = x.shape()[0], cols = x.shape()[1];
        double[] packed = new double[rows * cols];
        if (!trans) TileIO.loadDouble(x.data(), 0, 1, packed, 0, rows * cols);
        else for (int q = 0; q < cols; q++) TileIO.loadDouble(x.data(), q, cols, packed, q * rows, rows);
        return packed;
    }

    /** op(X) row-major as longs, as {@link #packDouble} does it. */
    private static long[] packLong(HostBlock x, boolean trans) {
        if (!trans && x.data() instanceof long[] l) return l;
        int rows = x.shape()[0], cols = x.shape()[1];
        long[] packed = new long[rows * cols];
        if (!trans) TileIO.loadLong(x.data(), 0, 1, packed, 0, rows * cols);
        else for (int q = 0; q < cols; q++) TileIO.loadLong(x.data(), q, cols, packed, q * rows, rows);
        return packed;
    }

    /** {@code product += A (m x k) @ B (k x n)}, all row-major. */
    static void multiply(double[] a, double[] b, double[] product, int m, int k, int n) {
        for (int i0 = 0; i0 < m; i0 += MB) {
            int i1 = Math.min(m, i0 + MB);
            for (int k0 = 0; k0 < k; k0 += KB) {
                int k1 = Math.min(k, k0 + KB);
                for (int j0 = 0; j0 < n; j0 += NB) {
                    int j1 = Math.min(n, j0 + NB);
                    for (int i = i0; i < i1; i++) {
                        int ci = i * n, ai = i * k;
                        for (int p = k0; p < k1; p++) {
                            double aip = a[ai + p];
                            int bp = p * n;
                            for (int j = j0; j < j1; j++) product[ci + j] += aip * b[bp + j];
                        }
                    }
                }
            }
        }
    }

    static void multiply(long[] a, long[] b, long[] product, int m, int k, int n) {
        for (int i0 = 0; i0 < m; i0 += MB) {
            int i1 = Math.min(m, i0 + MB);
            for (int k0 = 0; k0 < k; k0 += KB) {
                int k1 = Math.min(k, k0 + KB);
                for (int j0 = 0; j0 < n; j0 += NB) {
                    int j1 = Math.min(n, j0 + NB);
                    for (int i = i0; i < i1; i++) {
                        int ci = i * n, ai = i * k;
                        for (int p = k0; p < k1; p++) {
                            long aip = a[ai + p];
                            int bp = p * n;
                            for (int j = j0; j < j1; j++) product[ci + j] += aip * b[bp + j];
                        }
                    }
                }
            }
        }
    }

    /** C = alpha * product (+ beta * C when accumulating; beta 0 ignores C, NaN included, as BLAS does). */
    private static void combineDouble(double alpha, double[] product, double beta, boolean accumulate, HostBlock out) {
        int size = product.length;
        if (alpha != 1) for (int i = 0; i < size; i++) product[i] *= alpha;
        if (accumulate && beta != 0) {
            double[] c = new double[size];
            TileIO.loadDouble(out.data(), 0, 1, c, 0, size);
            if (beta == 1) for (int i = 0; i < size; i++) product[i] += c[i];
            else for (int i = 0; i < size; i++) product[i] += beta * c[i];
        }
        TileIO.storeDouble(product, 0, out.data(), 0, size);
    }

    /**
     * Integer C: alpha and beta are truncated to integers (as the reference backend does; the array layer passes
     * 1 and 0 or 1) and the arithmetic wraps, INT32 keeping the low 32 bits.
     */
    private static void combineLong(double alpha, long[] product, double beta, boolean accumulate, HostBlock out) {
        int size = product.length;
        long a = (long) alpha, b = (long) beta;
        if (a != 1) for (int i = 0; i < size; i++) product[i] *= a;
        if (accumulate && b != 0) {
            long[] c = new long[size];
            TileIO.loadLong(out.data(), 0, 1, c, 0, size);
            for (int i = 0; i < size; i++) product[i] += b * c[i];
        }
        TileOps.narrow(out.dtype(), product, 0, size);
        TileIO.storeLong(product, 0, out.data(), 0, size);
    }
}
