package io.chunkwise;

import io.chunkwise.graph.ElementwiseNode;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.ViewNode;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.UnaryOp;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The rules of the elementwise mathematical and logic functions (NumPy's "Mathematical functions" and "Logic
 * functions"): which dtype each op computes in and returns, read from the op table ({@link UnaryOp},
 * {@link BinaryOp}), and the fused expression it adds. {@link ChunkedArray} holds the public methods.
 */
final class MathOps {
    private MathOps() {}

    static ChunkedArray unary(ChunkedArray x, UnaryOp op) {
        DType operand = op.operandType(x.dtype());
        return elementwise(in -> new Expr.Unary(op, cast(in[0], operand), op.resultType(operand)), x);
    }

    static ChunkedArray binary(ChunkedArray x, BinaryOp op, ChunkedArray o) {
        DType operand = op.operandType(DType.promote(x.dtype(), o.dtype()));
        return elementwise(in -> new Expr.Binary(op, cast(in[0], operand), cast(in[1], operand), op.resultType(operand)), x, o);
    }

    /** {@code x op s} for a scalar that acts like a Python float (NEP 50: a floating array keeps its dtype). */
    static ChunkedArray scalar(ChunkedArray x, BinaryOp op, double s) {
        DType operand = op.operandType(DType.promoteWithScalar(x.dtype()));
        return elementwise(in -> new Expr.Binary(op, cast(in[0], operand), new Expr.Const(s, operand), op.resultType(operand)), x);
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
        return elementwise(in -> new Expr.Where(cast(in[0], DType.BOOL), cast(in[1], t), cast(in[2], t), t), cond, a, b);
    }

    /** where with a scalar for {@code a} ({@code scalarIsA}) or for {@code b}: the scalar acts like a Python float. */
    static ChunkedArray where(ChunkedArray cond, ChunkedArray array, double s, boolean scalarIsA) {
        DType t = DType.promoteWithScalar(array.dtype());
        return elementwise(in -> {
            Expr x = cast(in[1], t), c = new Expr.Const(s, t);
            return new Expr.Where(cast(in[0], DType.BOOL), scalarIsA ? c : x, scalarIsA ? x : c, t);
        }, cond, array);
    }

    static ChunkedArray astype(ChunkedArray x, DType t) {
        if (t == null) throw new DTypeException("astype needs a dtype, got null");
        return t == x.dtype() ? x : elementwise(in -> new Expr.Cast(in[0], t), x);
    }

    /** Broadcasts the operands, lines their chunks up (rechunking where they differ) and adds one elementwise layer. */
    static ChunkedArray elementwise(Function<Expr[], Expr> build, ChunkedArray... args) {
        Chunkwise cw = args[0].context();
        long[] shape = args[0].shape();
        for (ChunkedArray a : args) {
            if (a.context() != cw) throw new ChunkwiseException("arrays from different Chunkwise contexts cannot be combined");
            shape = Shapes.broadcast(shape, a.shape());
        }
        int nd = shape.length;
        long[][] sizes = new long[nd][];
        for (int o = 0; o < nd; o++) {
            TreeSet<Long> bounds = new TreeSet<>();
            for (ChunkedArray a : args) {
                int ia = o - (nd - a.ndim());
                if (ia < 0 || (a.shape()[ia] == 1 && shape[o] != 1)) continue;
                Chunks c = a.chunks();
                for (int i = 1; i < c.numChunks(ia); i++) bounds.add(c.offset(ia, i));
            }
            bounds.add(shape[o]);
            long prev = 0;
            List<Long> s = new ArrayList<>();
            for (long b : bounds) {
                s.add(b - prev);
                prev = b;
            }
            sizes[o] = s.stream().mapToLong(Long::longValue).toArray();
        }
        Chunks out = Chunks.explicit(sizes);
        List<Node> inputs = new ArrayList<>();
        Expr[] leaves = new Expr[args.length];
        for (int i = 0; i < args.length; i++) {
            ChunkedArray a = args[i];
            long[][] own = new long[a.ndim()][];
            for (int ia = 0; ia < a.ndim(); ia++) {
                int o = ia + (nd - a.ndim());
                own[ia] = a.shape()[ia] == 1 && shape[o] != 1 ? a.chunks().sizes(ia) : sizes[o];
            }
            inputs.add(ViewNode.rechunk(a.node(), Chunks.explicit(own)));
            leaves[i] = new Expr.Input(i, a.dtype());
        }
        return new ChunkedArray(cw, new ElementwiseNode(build.apply(leaves), out, inputs));
    }

    private static Expr cast(Expr e, DType t) { return e.dtype() == t ? e : new Expr.Cast(e, t); }
}
