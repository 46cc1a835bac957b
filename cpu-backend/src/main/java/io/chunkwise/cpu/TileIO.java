package io.chunkwise.cpu;

/**
 * Moves values between block arrays (any of the five element types) and the two tile types the kernels compute
 * in: {@code double[]} for floating dtypes and {@code long[]} for integer and boolean ones. The switch on the
 * array type happens once per call; the loops inside are plain and contiguous where the stride is 1.
 */
final class TileIO {
    private TileIO() {}

    /** {@code dst[dstOff + k] = src[off + k * stride]} for {@code k < n}, widened to double. */
    static void loadDouble(Object src, int off, int stride, double[] dst, int dstOff, int n) {
        switch (src) {
            case double[] a -> {
                if (stride == 1) System.arraycopy(a, off, dst, dstOff, n);
                else if (stride == 0) java.util.Arrays.fill(dst, dstOff, dstOff + n, a[off]);
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            case float[] a -> {
                if (stride == 1) for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k];
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            case long[] a -> {
                if (stride == 1) for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k];
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            case int[] a -> {
                if (stride == 1) for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k];
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            case byte[] a -> {
                if (stride == 1) for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k];
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            default -> throw notABlockArray(src);
        }
    }

    /** {@code dst[dstOff + k] = src[off + k * stride]} for {@code k < n}, from an integer or boolean array. */
    static void loadLong(Object src, int off, int stride, long[] dst, int dstOff, int n) {
        switch (src) {
            case long[] a -> {
                if (stride == 1) System.arraycopy(a, off, dst, dstOff, n);
                else if (stride == 0) java.util.Arrays.fill(dst, dstOff, dstOff + n, a[off]);
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            case int[] a -> {
                if (stride == 1) for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k];
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            case byte[] a -> {
                if (stride == 1) for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k];
                else for (int k = 0; k < n; k++) dst[dstOff + k] = a[off + k * stride];
            }
            default -> throw new IllegalArgumentException("expected an integer or boolean block array, got "
                    + src.getClass().getSimpleName());
        }
    }

    /** Writes {@code n} doubles to a {@code double[]} or {@code float[]} (rounded) at {@code dstOff}. */
    static void storeDouble(double[] src, int srcOff, Object dst, int dstOff, int n) {
        storeDouble(src, srcOff, dst, dstOff, 1, n);
    }

    /** {@code dst[dstOff + k * stride] = src[srcOff + k]} for {@code k < n}, to a {@code double[]} or {@code float[]}. */
    static void storeDouble(double[] src, int srcOff, Object dst, int dstOff, int stride, int n) {
        switch (dst) {
            case double[] a -> {
                if (stride == 1) System.arraycopy(src, srcOff, a, dstOff, n);
                else for (int k = 0; k < n; k++) a[dstOff + k * stride] = src[srcOff + k];
            }
            case float[] a -> { for (int k = 0; k < n; k++) a[dstOff + k * stride] = (float) src[srcOff + k]; }
            default -> throw new IllegalArgumentException("expected a floating block array, got "
                    + dst.getClass().getSimpleName());
        }
    }

    /**
     * Writes {@code n} longs to a {@code long[]}, {@code int[]} (low 32 bits) or {@code byte[]} (the tile holds
     * 0 or 1 for BOOL) at {@code dstOff}.
     */
    static void storeLong(long[] src, int srcOff, Object dst, int dstOff, int n) {
        storeLong(src, srcOff, dst, dstOff, 1, n);
    }

    /** {@code dst[dstOff + k * stride] = src[srcOff + k]} for {@code k < n}, narrowed as {@link #storeLong} does. */
    static void storeLong(long[] src, int srcOff, Object dst, int dstOff, int stride, int n) {
        switch (dst) {
            case long[] a -> {
                if (stride == 1) System.arraycopy(src, srcOff, a, dstOff, n);
                else for (int k = 0; k < n; k++) a[dstOff + k * stride] = src[srcOff + k];
            }
            case int[] a -> { for (int k = 0; k < n; k++) a[dstOff + k * stride] = (int) src[srcOff + k]; }
            case byte[] a -> { for (int k = 0; k < n; k++) a[dstOff + k * stride] = (byte) src[srcOff + k]; }
            default -> throw new IllegalArgumentException("expected an integer or boolean block array, got "
                    + dst.getClass().getSimpleName());
        }
    }

    static IllegalArgumentException notABlockArray(Object array) {
        return new IllegalArgumentException("not a block array: " + array.getClass().getSimpleName());
    }
}
