package io.chunkwise.spi;

import io.chunkwise.InvalidArgumentException;

/** Scalar semantics that every backend shares where Java's own differ from NumPy's (C99's). */
public final class Scalars {
    private Scalars() {}

    /** C99 {@code pow}: 1 for {@code pow(1, y)} and {@code pow(-1, ±inf)} even with NaN or infinite y; else Java's. */
    public static double pow(double x, double y) {
        if (x == 1.0 || y == 0.0) return 1.0;
        if (x == -1.0 && Double.isInfinite(y)) return 1.0;
        return Math.pow(x, y);
    }

    /**
     * NumPy's integer {@code power}: repeated squaring, wrapping on overflow like C. A negative exponent is refused
     * as NumPy refuses it, whatever the base: the data decide, so the kernel throws.
     *
     * @throws InvalidArgumentException for {@code exp < 0}
     */
    public static long pow(long base, long exp) {
        if (exp < 0) {
            throw new InvalidArgumentException("power: Integers to negative integer powers are not allowed (exponent "
                    + exp + "); cast the base or the exponent to a float dtype first");
        }
        long r = 1;
        while (exp != 0) {
            if ((exp & 1) != 0) r *= base;
            base *= base;
            exp >>>= 1;
        }
        return r;
    }

    /**
     * NumPy's float-to-int64 cast as x86 computes it (cvttsd2si): truncation toward zero where the result fits, and
     * the smallest int64 for NaN, infinities and everything out of range (Java's cast saturates, and gives 0 for NaN).
     */
    public static long toInt64(double v) { return v < 0x1p63 ? (long) v : Long.MIN_VALUE; }

    /** {@link #toInt64} for int32: the smallest int32 for NaN, infinities and whatever does not fit in 32 bits. */
    public static int toInt32(double v) { return v < 0x1p31 ? (int) v : Integer.MIN_VALUE; }
}
