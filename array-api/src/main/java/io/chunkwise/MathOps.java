package io.chunkwise;

import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.UnaryOp;

/**
 * The rules of the elementwise mathematical and logic functions (NumPy's "Mathematical functions" and "Logic
 * functions"): which dtype each op computes in and returns, read from the op table ({@link UnaryOp},
 * {@link BinaryOp}), and the fused expression it adds. {@link ChunkedArray} holds the public methods.
 */
final class MathOps {
    private MathOps() {}

    static ChunkedArray unary(ChunkedArray x, UnaryOp op) {
        DType operand = op.operandType(x.dtype());
        return ChunkedArray.elementwise(in -> new Expr.Unary(op, cast(in[0], operand), op.resultType(operand)), x);
    }

    static ChunkedArray binary(ChunkedArray x, BinaryOp op, ChunkedArray o) {
        DType operand = op.operandType(DType.promote(x.dtype(), o.dtype()));
        return ChunkedArray.elementwise(in -> new Expr.Binary(op, cast(in[0], operand), cast(in[1], operand), op.resultType(operand)), x, o);
    }

    /** {@code x op s} for a scalar that acts like a Python float (NEP 50: a floating array keeps its dtype). */
    static ChunkedArray scalar(ChunkedArray x, BinaryOp op, double s) {
        DType operand = op.operandType(DType.promoteWithScalar(x.dtype()));
        return ChunkedArray.elementwise(in -> new Expr.Binary(op, cast(in[0], operand), new Expr.Const(s, operand), op.resultType(operand)), x);
    }

    /** numpy.clip: {@code minimum(maximum(x, lo), hi)}, so NaN in x stays NaN; {@code lo > hi} gives hi everywhere, as NumPy. */
    static ChunkedArray clip(ChunkedArray x, double lo, double hi) {
        if (Double.isNaN(lo) || Double.isNaN(hi)) {
            throw new InvalidArgumentException("clip bounds must not be NaN (got " + lo + ", " + hi + ")");
        }
        return scalar(scalar(x, BinaryOp.MAXIMUM, lo), BinaryOp.MINIMUM, hi);
    }

    /** {@code cond ? a : b}, broadcasting all three; the result has the promoted dtype of a and b. */
    static ChunkedArray where(ChunkedArray cond, ChunkedArray a, ChunkedArray b) {
        DType t = DType.promote(a.dtype(), b.dtype());
        return ChunkedArray.elementwise(in -> new Expr.Where(cast(in[0], DType.BOOL), cast(in[1], t), cast(in[2], t), t), cond, a, b);
    }

    /** where with a scalar for {@code a} ({@code scalarIsA}) or for {@code b}: the scalar acts like a Python float. */
    static ChunkedArray where(ChunkedArray cond, ChunkedArray array, double s, boolean scalarIsA) {
        DType t = DType.promoteWithScalar(array.dtype());
        return ChunkedArray.elementwise(in -> {
            Expr x = cast(in[1], t), c = new Expr.Const(s, t);
            return new Expr.Where(cast(in[0], DType.BOOL), scalarIsA ? c : x, scalarIsA ? x : c, t);
        }, cond, array);
    }

    static ChunkedArray astype(ChunkedArray x, DType t) {
        if (t == null) throw new DTypeException("astype needs a dtype, got null");
        return t == x.dtype() ? x : ChunkedArray.elementwise(in -> new Expr.Cast(in[0], t), x);
    }

    private static Expr cast(Expr e, DType t) { return e.dtype() == t ? e : new Expr.Cast(e, t); }
}
