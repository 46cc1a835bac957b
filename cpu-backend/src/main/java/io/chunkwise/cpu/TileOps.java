package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.Scalars;

/**
 * The dtype-specific passes around the {@link Loops} families, on ranges of {@code double[]} (FLOAT64, FLOAT32) and
 * {@code long[]} (INT64, INT32, BOOL): casts between the two, and restoring narrow types after an op (where the op table says the op is not
 * exact), {@link #roundToFloat} for FLOAT32 (so every op rounds as float arithmetic would; computing a single +, -, *, / or sqrt in
 * double and rounding once gives the correctly rounded float result) and {@link #narrow} for INT32 (wraps at 32
 * bits; the low 32 bits of a 64-bit sum, difference or product depend only on the low 32 bits of the operands) and
 * BOOL. Plain loops, which C2 vectorises.
 */
final class TileOps {
    private TileOps() {}

    static void roundToFloat(double[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = (float) x[i];
    }

    /** Brings 64-bit results back into the value set of {@code dtype}: INT32 wraps, BOOL becomes 0/1. */
    static void narrow(DType dtype, long[] x, int off, int n) {
        switch (dtype) {
            case INT32 -> { for (int i = off; i < off + n; i++) x[i] = (int) x[i]; }
            case BOOL -> { for (int i = off; i < off + n; i++) x[i] = x[i] != 0 ? 1 : 0; }
            default -> { }
        }
    }

    /** {@code cond != 0 ? a : b} for a floating condition (NaN counts as true). */
    static void where(double[] cond, int co, double[] a, int ao, double[] b, int bo, double[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = cond[co + i] != 0 ? a[ao + i] : b[bo + i];
    }

    static void where(double[] cond, int co, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = cond[co + i] != 0 ? a[ao + i] : b[bo + i];
    }

    /** Float to float: FLOAT32 rounds, FLOAT64 copies. */
    static void cast(double[] x, int xo, DType to, double[] out, int oo, int n) {
        if (to == DType.FLOAT32) for (int i = 0; i < n; i++) out[oo + i] = (float) x[xo + i];
        else System.arraycopy(x, xo, out, oo, n);
    }

    /** Integer or boolean to float; a long is rounded to float directly (not through double) for FLOAT32. */
    static void cast(long[] x, int xo, DType to, double[] out, int oo, int n) {
        if (to == DType.FLOAT32) for (int i = 0; i < n; i++) out[oo + i] = (float) x[xo + i];
        else for (int i = 0; i < n; i++) out[oo + i] = x[xo + i];
    }

    /**
     * Float to integer or boolean as NumPy on x86: truncation toward zero, the target's smallest value for NaN,
     * infinities and values out of its range ({@link Scalars#toInt64}, {@link Scalars#toInt32}); any non-zero
     * value, NaN included, is true.
     */
    static void cast(double[] x, int xo, DType to, long[] out, int oo, int n) {
        switch (to) {
            case BOOL -> { for (int i = 0; i < n; i++) out[oo + i] = x[xo + i] != 0 ? 1 : 0; }
            case INT32 -> { for (int i = 0; i < n; i++) out[oo + i] = Scalars.toInt32(x[xo + i]); }
            default -> { for (int i = 0; i < n; i++) out[oo + i] = Scalars.toInt64(x[xo + i]); }
        }
    }

    static void cast(long[] x, int xo, DType to, long[] out, int oo, int n) {
        System.arraycopy(x, xo, out, oo, n);
        narrow(to, out, oo, n);
    }
}
