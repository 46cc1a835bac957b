package io.chunkwise.bench.suite;

import io.chunkwise.DType;

/** One benchmark case: an {@code n x n} by {@code n x n} product of {@code dtype} in square chunks of {@code chunk}. */
public record MatmulCase(DType dtype, int n, int chunk) {
    public MatmulCase {
        if (n < 1) throw new IllegalArgumentException("matrix size must be at least 1, not " + n);
        if (chunk < 1 || chunk > n) throw new IllegalArgumentException("chunk must lie in [1, " + n + "], not " + chunk);
    }

    /** The chunk size the suite picks when none is given: half the matrix, at least 64 and at most 1024. */
    public static int autoChunk(int n) {
        return Math.min(n, Math.max(64, Math.min(1024, n / 2)));
    }

    /** Floating-point operations of the product, counting a multiply-add as two. */
    public double flops() {
        return 2.0 * n * n * n;
    }

    public String label() {
        return dtype.numpyName() + " n=" + n + " chunk=" + chunk;
    }
}
