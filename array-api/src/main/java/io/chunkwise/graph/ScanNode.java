package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.Shapes;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;

import java.util.List;

/**
 * NumPy's cumsum (SUM) or cumprod (PROD) along one axis, across chunk boundaries, in the shape of dask's
 * cumreduction: every chunk is scanned on its own ({@link TaskOp.Scan}); the last slice along the axis of each scan
 * is cut out; the carries are made in sequence along the axis ({@code carry[1] = last[0]},
 * {@code carry[j] = carry[j-1] op last[j-1]}, small tasks); and chunk {@code j > 0} is its scan combined with
 * {@code carry[j]}, broadcast along the axis. The input has the result's dtype. Every operation and its order depend
 * on the chunk grid only, so the result is bit-identical for any thread count and run.
 */
public final class ScanNode extends Node {
    private final ReduceOp op;
    private final int axis;

    public ScanNode(ReduceOp op, Node input, int axis) {
        super(kind(op), d -> d.add(axis), input.dtype(), input.chunks(), List.of(input));
        if (op != ReduceOp.SUM && op != ReduceOp.PROD) throw new IllegalArgumentException("a scan is of sum or prod, not " + op);
        if (axis < 0 || axis >= input.chunks().ndim()) {
            throw new IllegalArgumentException("scan axis " + axis + " outside " + Shapes.str(input.shape()));
        }
        this.op = op;
        this.axis = axis;
    }

    private static String kind(ReduceOp op) { return op == ReduceOp.PROD ? "cumprod" : "cumsum"; }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Chunks c = chunks();
        int[] shape = b.intern(c.chunkShape(index));
        ChunkKey scanned = b.add(new ChunkKey(name() + "-scan", index), List.of(b.key(inputs().get(0), index)),
                new TaskOp.Scan(op, axis, dtype(), shape));
        int j = index[axis];
        if (j == 0) return scanned;
        int[] prev = index.clone();
        prev[axis] = j - 1;
        b.key(this, prev);   // chunk j-1 first: it adds its scan and its carry, which this chunk's carry reads
        int[] lastShape = shape.clone();
        lastShape[axis] = 1;
        lastShape = b.intern(lastShape);
        ChunkKey last = lastSlice(prev, lastShape, b);
        BinaryOp combine = op == ReduceOp.SUM ? BinaryOp.ADD : BinaryOp.MUL;
        Expr expr = new Expr.Binary(combine, new Expr.Input(0, dtype()), new Expr.Input(1, dtype()), dtype());
        long[] offset = c.chunkOffset(index);
        ChunkKey carry = last;
        if (j > 1) {
            long[] lastOffset = offset.clone();
            lastOffset[axis] = 0;
            long[] lastGlobal = shape();
            lastGlobal[axis] = 1;
            int[] s = b.intern(Shapes.strides(lastShape));
            carry = b.add(new ChunkKey(name() + "-carry", index), List.of(carryOf(prev), last),
                    new TaskOp.Elementwise(expr, new int[][]{s, s}, new Region(lastShape, lastOffset, lastGlobal)));
        }
        int[] carryStrides = Shapes.strides(lastShape);
        carryStrides[axis] = 0;
        int[][] strides = {b.intern(Shapes.strides(shape)), b.intern(carryStrides)};
        return b.add(ownKey(index), List.of(scanned, carry), new TaskOp.Elementwise(expr, strides, new Region(shape, offset, shape())));
    }

    /** The key of the carry into chunk {@code index} (whose position along the axis is at least 1). */
    private ChunkKey carryOf(int[] index) {
        if (index[axis] >= 2) return new ChunkKey(name() + "-carry", index);
        int[] first = index.clone();
        first[axis] = 0;
        return new ChunkKey(name() + "-last", first);
    }

    /** Adds the task that cuts the last slice along the axis out of chunk {@code index}'s scan. */
    private ChunkKey lastSlice(int[] index, int[] lastShape, GraphBuilder b) {
        int[] shape = chunks().chunkShape(index);
        int[] strides = Shapes.strides(shape);
        List<Piece> pieces = Shapes.size(lastShape) == 0 ? List.of()
                : List.of(new Piece(0, (shape[axis] - 1) * strides[axis], b.intern(strides), 0, b.intern(Shapes.strides(lastShape)), lastShape));
        return b.add(new ChunkKey(name() + "-last", index), List.of(new ChunkKey(name() + "-scan", index)),
                new TaskOp.Assemble(dtype(), lastShape, pieces));
    }

    @Override public Node withInputs(List<Node> inputs) { return new ScanNode(op, inputs.get(0), axis); }

    @Override
    public String describe() {
        return kind(op) + " along axis " + axis + ": chunks scanned, carries in sequence along the axis, added in";
    }
}
