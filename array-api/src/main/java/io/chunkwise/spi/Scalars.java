package io.chunkwise.spi;

/** Scalar semantics that every backend shares where Java's own differ from NumPy's (C99's). */
public final class Scalars {
    private Scalars() {}

    /** C99 {@code pow}: 1 for {@code pow(1, y)} and {@code pow(-1, ±inf)} even with NaN or infinite y; else Java's. */
    public static double pow(double x, double y) {
        if (x == 1.0 || y == 0.0) return 1.0;
        if (x == -1.0 && Double.isInfinite(y)) return 1.0;
        return Math.pow(x, y);
    }
}
