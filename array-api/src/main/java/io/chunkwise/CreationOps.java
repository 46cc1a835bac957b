package io.chunkwise;

import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;

/**
 * The rules of the array creation routines that are expressions of the element's position (NumPy's "Array creation
 * routines"): each becomes one generated elementwise expression, so creation fuses into whatever reads it and no
 * chunk is stored. {@link Chunkwise} holds the public methods.
 */
final class CreationOps {
    private CreationOps() {}

    /**
     * numpy.linspace(start, stop, num) with the endpoint: element {@code i} is {@code i * step + start} with
     * {@code step = (stop - start) / (num - 1)} (NumPy's order of operations, so the same bits), the last element is
     * {@code stop} itself; where the step underflows to 0, {@code i / (num - 1) * (stop - start) + start}, as NumPy.
     */
    static Expr linspace(double start, double stop, long num) {
        if (num < 0) throw new InvalidArgumentException("linspace needs num >= 0, got " + num);
        DType f = DType.FLOAT64;
        long div = num - 1;
        double delta = stop - start;
        Expr index = new Expr.Arange(0, 1, f);
        Expr values;
        if (div <= 0) {
            values = add(new Expr.Binary(BinaryOp.MUL, index, new Expr.Const(delta, f), f), start);   // 0 or 1 element
        } else if (delta / div == 0) {
            Expr fraction = new Expr.Binary(BinaryOp.DIV, index, new Expr.Const(div, f), f);
            values = add(new Expr.Binary(BinaryOp.MUL, fraction, new Expr.Const(delta, f), f), start);
        } else {
            values = new Expr.Arange(start, delta / div, f);  // start + step * i: the bits of i * step + start
        }
        if (div <= 0) return values;
        Expr last = new Expr.Binary(BinaryOp.EQ, new Expr.Arange(0, 1, DType.INT64), new Expr.Const(div, DType.INT64), DType.BOOL);
        return new Expr.Where(last, new Expr.Const(stop, f), values, f);
    }

    /** numpy.eye(n, m, k): 1 where {@code column - row == k}, from the flat index {@code i}: {@code i % m - i // m}. */
    static Expr eye(DType dtype, long n, long m, long k) {
        if (n < 0 || m < 0) throw new InvalidArgumentException("eye needs n >= 0 and m >= 0, got n " + n + ", m " + m);
        if (dtype == null) throw new DTypeException("eye needs a dtype, got null");
        DType i = DType.INT64;
        Expr flat = new Expr.Arange(0, 1, i), width = new Expr.Const(Math.max(m, 1), i);
        Expr column = new Expr.Binary(BinaryOp.MOD, flat, width, i);
        Expr row = new Expr.Binary(BinaryOp.FLOOR_DIVIDE, flat, width, i);
        Expr diagonal = new Expr.Binary(BinaryOp.EQ, new Expr.Binary(BinaryOp.SUB, column, row, i), new Expr.Const(k, i), DType.BOOL);
        return dtype == DType.BOOL ? diagonal : new Expr.Cast(diagonal, dtype);
    }

    private static Expr add(Expr e, double c) { return new Expr.Binary(BinaryOp.ADD, e, new Expr.Const(c, DType.FLOAT64), DType.FLOAT64); }
}
