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
     * {@code log2}: {@code e + log(m) / log(2)} for {@code x = m 2^e}, {@code m} in [1, 2), so the integer part is exact
     * (powers of two give {@code e} itself) and only the fraction carries rounding; {@code log(x) / log(2)} for x in
     * [0.5, 2), where that sum would cancel.
     */
    public static double log2(double x) {
        if (!(x > 0 && x < Double.POSITIVE_INFINITY)) return Math.log(x);   // NaN, -inf (0), NaN (< 0), inf
        int shift = x < Double.MIN_NORMAL ? 64 : 0; // subnormals scaled into the normal range (exactly)
        double scaled = x * Math.scalb(1.0, shift);
        int e = Math.getExponent(scaled);
        double m = Math.scalb(scaled, -e);
        if (m == 1.0) return e - shift;
        // near 1 the sum would cancel: there log(x) / log(2) keeps its relative accuracy
        return e == 0 || e == -1 ? Math.log(x) / LN2 : (e - shift) + Math.log(m) / LN2;
    }

    private static final double LN2 = Math.log(2.0);

    /**
     * {@code numpy.remainder} of floats: {@code fmod}, moved by one divisor where its sign differs from the divisor's,
     * a zero result carrying the divisor's sign; NaN for a zero divisor (as {@code fmod}).
     */
    public static double remainder(double a, double b) {
        double mod = a % b; // C's fmod
        if (b == 0) return mod;
        if (mod != 0) {
            if ((b < 0) != (mod < 0)) mod += b;
        } else {
            mod = Math.copySign(0.0, b);
        }
        return mod;
    }

    /**
     * {@code numpy.floor_divide} of floats as NumPy computes it ({@code npy_divmod}): {@code (a - fmod(a, b)) / b},
     * less one where the remainder was moved, snapped to the nearest integer; {@code a / b} for a zero divisor.
     */
    public static double floorDivide(double a, double b) {
        double mod = a % b;
        if (b == 0) return a / b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0;
        if (div == 0) return Math.copySign(0.0, a / b);
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1.0 : floor;
    }

    /**
     * {@code numpy.remainder} of integers: the sign of the divisor. A zero divisor gives 0, as NumPy gives it (NumPy
     * also warns; a chunked kernel has no warning channel, so the zero is documented instead of an error that would
     * depend on the data).
     */
    public static long remainder(long a, long b) { return b == 0 ? 0 : Math.floorMod(a, b); }

    /** {@code numpy.floor_divide} of integers; a zero divisor gives 0 (see {@link #remainder(long, long)}); wraps. */
    public static long floorDivide(long a, long b) { return b == 0 ? 0 : Math.floorDiv(a, b); }

    /**
     * NumPy's float-to-int64 cast as x86 computes it (cvttsd2si): truncation toward zero where the result fits, and
     * the smallest int64 for NaN, infinities and everything out of range (Java's cast saturates, and gives 0 for NaN).
     */
    public static long toInt64(double v) { return v < 0x1p63 ? (long) v : Long.MIN_VALUE; }

    /** {@link #toInt64} for int32: the smallest int32 for NaN, infinities and whatever does not fit in 32 bits. */
    public static int toInt32(double v) { return v < 0x1p31 ? (int) v : Integer.MIN_VALUE; }
}
