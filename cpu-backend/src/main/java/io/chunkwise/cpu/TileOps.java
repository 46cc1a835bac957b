package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Scalars;
import io.chunkwise.spi.UnaryOp;

/**
 * The elementwise loops over tiles, written once for {@code double[]} tiles (FLOAT64 and FLOAT32) and once for
 * {@code long[]} tiles (INT64, INT32 and BOOL). The op is switched on once per tile; every case is a plain
 * counted loop over primitives, which C2 unrolls and, where the operation allows, vectorises.
 *
 * <p>Narrow types are restored by a separate pass after each op: {@link #roundToFloat} for FLOAT32 (so every op
 * rounds as float arithmetic would; computing a single +, -, *, / or sqrt in double and rounding once gives the
 * correctly rounded float result) and {@link #narrow} for INT32 (wraps at 32 bits; the low 32 bits of a 64-bit
 * sum, difference or product depend only on the low 32 bits of the operands) and BOOL.
 */
final class TileOps {
    private TileOps() {}

    // ---------------------------------------------------------------- floating tiles

    static void unary(UnaryOp op, double[] x, double[] out, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[i] = -x[i]; }
            case ABS -> { for (int i = 0; i < n; i++) out[i] = Math.abs(x[i]); }
            case EXP -> { for (int i = 0; i < n; i++) out[i] = Math.exp(x[i]); }
            case LOG -> { for (int i = 0; i < n; i++) out[i] = Math.log(x[i]); }
            case SQRT -> { for (int i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); }
            case SIN -> { for (int i = 0; i < n; i++) out[i] = Math.sin(x[i]); }
            case COS -> { for (int i = 0; i < n; i++) out[i] = Math.cos(x[i]); }
            case TANH -> { for (int i = 0; i < n; i++) out[i] = Math.tanh(x[i]); }
        }
    }

    /** Whether the op's double result may need rounding to land on a float (NEG and ABS never do). */
    static boolean inexact(UnaryOp op) {
        return op != UnaryOp.NEG && op != UnaryOp.ABS;
    }

    /**
     * Arithmetic ops (not comparisons). MAXIMUM and MINIMUM propagate NaN, as NumPy's do; POW follows C99 at the
     * special values ({@link Scalars#pow}).
     */
    static void arithmetic(BinaryOp op, double[] a, double[] b, double[] out, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[i] = a[i] + b[i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[i] = a[i] - b[i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[i] = a[i] * b[i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[i] = a[i] / b[i]; }
            case POW -> { for (int i = 0; i < n; i++) out[i] = Scalars.pow(a[i], b[i]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[i] = Math.max(a[i], b[i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[i] = Math.min(a[i], b[i]); }
            default -> throw new IllegalArgumentException(op + " is a comparison, not an arithmetic op");
        }
    }

    /** Whether the op's double result may need rounding to land on a float (MAXIMUM and MINIMUM never do). */
    static boolean inexact(BinaryOp op) {
        return op != BinaryOp.MAXIMUM && op != BinaryOp.MINIMUM;
    }

    /** Comparisons to 0/1; any comparison with NaN is false except NE. */
    static void compare(BinaryOp op, double[] a, double[] b, long[] out, int n) {
        switch (op) {
            case GT -> { for (int i = 0; i < n; i++) out[i] = a[i] > b[i] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) out[i] = a[i] >= b[i] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) out[i] = a[i] < b[i] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) out[i] = a[i] <= b[i] ? 1 : 0; }
            case EQ -> { for (int i = 0; i < n; i++) out[i] = a[i] == b[i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) out[i] = a[i] != b[i] ? 1 : 0; }
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        }
    }

    static void roundToFloat(double[] x, int n) {
        for (int i = 0; i < n; i++) x[i] = (float) x[i];
    }

    // ---------------------------------------------------------------- integer and boolean tiles

    static void unary(UnaryOp op, long[] x, long[] out, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[i] = -x[i]; }
            case ABS -> { for (int i = 0; i < n; i++) out[i] = Math.abs(x[i]); }
            default -> throw new IllegalArgumentException(op.numpyName()
                    + " needs a floating operand; the array layer casts integers to float64 first");
        }
    }

    /** Arithmetic ops with two's-complement wraparound; integer DIV is never asked for (it is true division). */
    static void arithmetic(BinaryOp op, long[] a, long[] b, long[] out, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[i] = a[i] + b[i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[i] = a[i] - b[i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[i] = a[i] * b[i]; }
            case POW -> { for (int i = 0; i < n; i++) out[i] = power(a[i], b[i]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[i] = Math.max(a[i], b[i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[i] = Math.min(a[i], b[i]); }
            case DIV -> throw new IllegalArgumentException(
                    "true_divide of integers: the array layer promotes integer operands to float64 first");
            default -> throw new IllegalArgumentException(op + " is a comparison, not an arithmetic op");
        }
    }

    static void compare(BinaryOp op, long[] a, long[] b, long[] out, int n) {
        switch (op) {
            case GT -> { for (int i = 0; i < n; i++) out[i] = a[i] > b[i] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) out[i] = a[i] >= b[i] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) out[i] = a[i] < b[i] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) out[i] = a[i] <= b[i] ? 1 : 0; }
            case EQ -> { for (int i = 0; i < n; i++) out[i] = a[i] == b[i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) out[i] = a[i] != b[i] ? 1 : 0; }
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        }
    }

    /**
     * Integer power by repeated squaring, wrapping on overflow. A negative exponent gives 0 except for bases 1
     * and -1 (NumPy refuses negative integer powers; this is the defined answer of the SPI).
     */
    static long power(long base, long exp) {
        if (exp < 0) {
            if (base == 1) return 1;
            if (base == -1) return (exp & 1) == 0 ? 1 : -1;
            return 0;
        }
        long result = 1;
        while (exp != 0) {
            if ((exp & 1) != 0) result *= base;
            base *= base;
            exp >>>= 1;
        }
        return result;
    }

    /** Brings 64-bit results back into the value set of {@code dtype}: INT32 wraps, BOOL becomes 0/1. */
    static void narrow(DType dtype, long[] x, int n) {
        switch (dtype) {
            case INT32 -> { for (int i = 0; i < n; i++) x[i] = (int) x[i]; }
            case BOOL -> { for (int i = 0; i < n; i++) x[i] = x[i] != 0 ? 1 : 0; }
            default -> { }
        }
    }

    // ---------------------------------------------------------------- where and casts

    static void where(long[] cond, double[] a, double[] b, double[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = cond[i] != 0 ? a[i] : b[i];
    }

    static void where(double[] cond, double[] a, double[] b, double[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = cond[i] != 0 ? a[i] : b[i];
    }

    static void where(long[] cond, long[] a, long[] b, long[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = cond[i] != 0 ? a[i] : b[i];
    }

    static void where(double[] cond, long[] a, long[] b, long[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = cond[i] != 0 ? a[i] : b[i];
    }

    /** Float to float: FLOAT32 rounds, FLOAT64 copies. */
    static void cast(double[] x, DType to, double[] out, int n) {
        System.arraycopy(x, 0, out, 0, n);
        if (to == DType.FLOAT32) roundToFloat(out, n);
    }

    /** Integer or boolean to float; a long is rounded to float directly (not through double) for FLOAT32. */
    static void cast(long[] x, DType to, double[] out, int n) {
        if (to == DType.FLOAT32) for (int i = 0; i < n; i++) out[i] = (float) x[i];
        else for (int i = 0; i < n; i++) out[i] = x[i];
    }

    /**
     * Float to integer or boolean: truncation toward zero (NaN gives 0, out-of-range values saturate at the
     * int64 limits before INT32 keeps the low 32 bits), and any non-zero value, NaN included, is true.
     */
    static void cast(double[] x, DType to, long[] out, int n) {
        if (to == DType.BOOL) {
            for (int i = 0; i < n; i++) out[i] = x[i] != 0 ? 1 : 0;
        } else {
            for (int i = 0; i < n; i++) out[i] = (long) x[i];
            narrow(to, out, n);
        }
    }

    static void cast(long[] x, DType to, long[] out, int n) {
        System.arraycopy(x, 0, out, 0, n);
        narrow(to, out, n);
    }
}
