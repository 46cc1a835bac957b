package io.chunkwise.cpu;

import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Scalars;
import io.chunkwise.spi.UnaryOp;

/**
 * The loops in plain Java: the fallback where the Vector API is missing, and the reference that {@link VectorLoops}
 * must match. The op is switched on once per call; every case is a counted loop over primitives, which C2 unrolls
 * and, where the operation allows, vectorises on its own (not the float sums: their order is fixed).
 */
class ScalarLoops extends Loops {
    @Override String describe() { return "scalar loops"; }

    // ---------------------------------------------------------------- floating

    @Override
    void unary(UnaryOp op, double[] x, int xo, double[] out, int oo, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i] = -x[xo + i]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i] = Math.abs(x[xo + i]); }
            case EXP -> { for (int i = 0; i < n; i++) out[oo + i] = Math.exp(x[xo + i]); }
            case LOG -> { for (int i = 0; i < n; i++) out[oo + i] = Math.log(x[xo + i]); }
            case SQRT -> { for (int i = 0; i < n; i++) out[oo + i] = Math.sqrt(x[xo + i]); }
            case SIN -> { for (int i = 0; i < n; i++) out[oo + i] = Math.sin(x[xo + i]); }
            case COS -> { for (int i = 0; i < n; i++) out[oo + i] = Math.cos(x[xo + i]); }
            case TANH -> { for (int i = 0; i < n; i++) out[oo + i] = Math.tanh(x[xo + i]); }
        }
    }

    /** One element of an arithmetic op; MAXIMUM and MINIMUM propagate NaN, POW follows {@link Scalars#pow}. */
    static double apply(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Scalars.pow(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            default -> throw notArithmetic(op);
        };
    }

    @Override
    void binary(BinaryOp op, double[] a, int ao, double[] b, int bo, double[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] / b[bo + i]; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = Scalars.pow(a[ao + i], b[bo + i]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a[ao + i], b[bo + i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a[ao + i], b[bo + i]); }
            default -> throw notArithmetic(op);
        }
    }

    @Override
    void binary(BinaryOp op, double[] a, int ao, double b, double[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] / b; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = Scalars.pow(a[ao + i], b); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a[ao + i], b); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a[ao + i], b); }
            default -> throw notArithmetic(op);
        }
    }

    @Override
    void binary(BinaryOp op, double a, double[] b, int bo, double[] out, int oo, int n) {
        switch (op) {
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a - b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i] = a / b[bo + i]; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = Scalars.pow(a, b[bo + i]); }
            // the others commute exactly (NaN and signed zeros included)
            default -> binary(op, b, bo, a, out, oo, n);
        }
    }

    @Override
    void compare(BinaryOp op, double[] a, int ao, double[] b, int bo, long[] out, int oo, int n) {
        switch (op) {
            case GT -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] > b[bo + i] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] >= b[bo + i] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] < b[bo + i] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] <= b[bo + i] ? 1 : 0; }
            case EQ -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] == b[bo + i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] != b[bo + i] ? 1 : 0; }
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        }
    }

    @Override
    void where(long[] cond, int co, double[] a, int ao, double[] b, int bo, double[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = cond[co + i] != 0 ? a[ao + i] : b[bo + i];
    }

    // ---------------------------------------------------------------- integer and boolean

    @Override
    void unary(UnaryOp op, long[] x, int xo, long[] out, int oo, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i] = -x[xo + i]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i] = Math.abs(x[xo + i]); }
            default -> throw new IllegalArgumentException(op.numpyName()
                    + " needs a floating operand; the array layer casts integers to float64 first");
        }
    }

    /** One element of an integer arithmetic op (wrapping; POW by {@link TileOps#power}). */
    static long apply(BinaryOp op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case POW -> TileOps.power(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case DIV -> throw integerDivision();
            default -> throw notArithmetic(op);
        };
    }

    @Override
    void binary(BinaryOp op, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i]; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = TileOps.power(a[ao + i], b[bo + i]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a[ao + i], b[bo + i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a[ao + i], b[bo + i]); }
            case DIV -> throw integerDivision();
            default -> throw notArithmetic(op);
        }
    }

    @Override
    void binary(BinaryOp op, long[] a, int ao, long b, long[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = TileOps.power(a[ao + i], b); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a[ao + i], b); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a[ao + i], b); }
            case DIV -> throw integerDivision();
            default -> throw notArithmetic(op);
        }
    }

    @Override
    void binary(BinaryOp op, long a, long[] b, int bo, long[] out, int oo, int n) {
        switch (op) {
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a - b[bo + i]; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = TileOps.power(a, b[bo + i]); }
            default -> binary(op, b, bo, a, out, oo, n);
        }
    }

    @Override
    void compare(BinaryOp op, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n) {
        switch (op) {
            case GT -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] > b[bo + i] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] >= b[bo + i] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] < b[bo + i] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] <= b[bo + i] ? 1 : 0; }
            case EQ -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] == b[bo + i] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] != b[bo + i] ? 1 : 0; }
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        }
    }

    @Override
    void where(long[] cond, int co, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = cond[co + i] != 0 ? a[ao + i] : b[bo + i];
    }

    // ---------------------------------------------------------------- reductions

    @Override
    double min(double[] a, int off, int n, double init) {
        double m = init;
        for (int i = off; i < off + n; i++) m = Math.min(m, a[i]);
        return m;
    }

    @Override
    double max(double[] a, int off, int n, double init) {
        double m = init;
        for (int i = off; i < off + n; i++) m = Math.max(m, a[i]);
        return m;
    }

    @Override
    long sum(long[] a, int off, int n) {
        long s = 0;
        for (int i = off; i < off + n; i++) s += a[i];
        return s;
    }

    @Override
    long min(long[] a, int off, int n, long init) {
        long m = init;
        for (int i = off; i < off + n; i++) m = Math.min(m, a[i]);
        return m;
    }

    @Override
    long max(long[] a, int off, int n, long init) {
        long m = init;
        for (int i = off; i < off + n; i++) m = Math.max(m, a[i]);
        return m;
    }

    @Override
    void addLanes(double[] a, int off, int m, double[] lanes) {
        for (int r = 0; r < m; r += LANES) {
            for (int j = 0; j < LANES; j++) lanes[j] += a[off + r + j];
        }
    }

    @Override
    void addSquaredLanes(double[] a, int off, int m, double mean, double[] lanes) {
        for (int r = 0; r < m; r += LANES) {
            for (int j = 0; j < LANES; j++) {
                double d = a[off + r + j] - mean;
                lanes[j] += d * d;
            }
        }
    }

    // ---------------------------------------------------------------- random numbers

    @Override
    RandomLoops random() {
        return RandomLoops.SCALAR;
    }

    static IllegalArgumentException notArithmetic(BinaryOp op) {
        return new IllegalArgumentException(op + " is a comparison, not an arithmetic op");
    }

    static IllegalArgumentException integerDivision() {
        return new IllegalArgumentException(
                "true_divide of integers: the array layer promotes integer operands to float64 first");
    }
}
