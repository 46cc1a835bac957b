package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.HostBlock;

/**
 * {@code C = alpha * op(A) @ op(B) + beta * C} in pure Java: operands are packed row-major into double[] (FLOAT64,
 * FLOAT32) or long[] (INT64, INT32) so that transposes and types are handled once, then a cache-blocked i-k-j
 * kernel streams contiguous rows of B and C (the inner loop is an axpy the JIT vectorises). FLOAT32 accumulates
 * in double and rounds once at the end; integers wrap, INT32 keeping the low 32 bits. Each C element sums its
 * products in increasing k, so results do not depend on the blocking. The packing and the kernel, alike for both
 * types, are generated into {@link TypedGemm} from one template ({@code src/codegen}).
 */
final class Gemm {
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
            TypedGemm.multiply(TypedGemm.packDouble(a, transA), TypedGemm.packDouble(b, transB), product, m, k, n);
            combineDouble(alpha, product, beta, c != null, out);
        } else {
            long[] product = new long[m * n];
            TypedGemm.multiply(TypedGemm.packLong(a, transA), TypedGemm.packLong(b, transB), product, m, k, n);
            combineLong(alpha, product, beta, c != null, out);
        }
        return out;
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
