package io.chunkwise;

import io.chunkwise.graph.MatmulNode;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.ViewNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rules of NumPy's linear algebra: matmul (one blocked {@link MatmulNode}), and tensordot composed from it, which moves the summed
 * axes of {@code a} to its end and those of {@code b} to its front, reshapes both to 2-D, multiplies them blocked
 * (bounded memory, k summed in order) and reshapes the product back, as numpy.tensordot does.
 */
final class LinalgOps {
    private LinalgOps() {}

    /**
     * Matrix product: 2-D @ 2-D, 2-D @ 1-D, 1-D @ 2-D or 1-D @ 1-D (a 0-d dot product), a 1-D operand taken as a row
     * (left) or a column (right) whose axis is dropped from the product. The dtype is the promoted one; bools multiply
     * as INT64 and give {@code product != 0}.
     */
    static ChunkedArray matmul(ChunkedArray x, ChunkedArray other) {
        if (other == null) throw new InvalidArgumentException("matmul needs a second array, got null");
        if (other.context() != x.context()) throw new ChunkwiseException("arrays from different Chunkwise contexts cannot be combined");
        if (x.ndim() == 0 || other.ndim() == 0 || x.ndim() > 2 || other.ndim() > 2) {
            throw new ShapeMismatchException("matmul takes 1-D or 2-D operands, got shapes " + Shapes.str(x.shape())
                    + " and " + Shapes.str(other.shape()));
        }
        ChunkedArray a = x.ndim() == 1 ? x.expandDims(0) : x;
        ChunkedArray b = other.ndim() == 1 ? other.expandDims(1) : other;
        if (a.shape()[1] != b.shape()[0]) {
            throw new ShapeMismatchException("matmul: contraction dimension mismatch, " + Shapes.str(x.shape()) + " @ "
                    + Shapes.str(other.shape()) + " (" + a.shape()[1] + " != " + b.shape()[0] + ")");
        }
        DType common = DType.promote(a.dtype(), b.dtype());
        DType compute = common == DType.BOOL ? DType.INT64 : common;
        // B's contraction chunks line up with A's; the optimizer may compute the product in tiles of several chunks
        Node bn = ViewNode.rechunk(b.astype(compute).node(), Chunks.explicit(new long[][]{a.chunks().sizes(1), b.chunks().sizes(1)}));
        ChunkedArray c = new ChunkedArray(x.context(), new MatmulNode(a.astype(compute).node(), bn, compute));
        if (other.ndim() == 1) c = dropAxis(c, 1);
        if (x.ndim() == 1) c = dropAxis(c, 0);
        return common == DType.BOOL ? c.ne(0) : c;
    }

    /** {@code x} without its axis {@code axis}, of length 1. */
    private static ChunkedArray dropAxis(ChunkedArray x, int axis) {
        Slice[] s = new Slice[x.ndim()];
        Arrays.fill(s, Slice.all());
        s[axis] = Slice.at(0);
        return x.slice(s);
    }

    /**
     * numpy.tensordot(a, b, axes=(axesA, axesB)): the sum over the paired axes of the products; the free axes of
     * {@code a} then those of {@code b}, in order. The dtype is matmul's.
     */
    static ChunkedArray tensordot(ChunkedArray a, ChunkedArray b, int[] axesA, int[] axesB) {
        if (b == null) throw new InvalidArgumentException("tensordot needs a second array, got null");
        if (axesA == null || axesB == null) throw new InvalidArgumentException("tensordot needs the axes of both arrays, got null");
        if (b.context() != a.context()) throw new ChunkwiseException("arrays from different Chunkwise contexts cannot be combined");
        if (axesA.length != axesB.length) {
            throw new ShapeMismatchException("tensordot: shape-mismatch for sum: " + axesA.length + " axes of a " + Arrays.toString(axesA)
                    + " but " + axesB.length + " axes of b " + Arrays.toString(axesB) + "; give as many of each");
        }
        int[] ia = summed(axesA, a, "a"), ib = summed(axesB, b, "b");
        for (int k = 0; k < ia.length; k++) {
            if (a.shape()[ia[k]] != b.shape()[ib[k]]) {
                throw new ShapeMismatchException("tensordot: shape-mismatch for sum: axis " + axesA[k] + " of a " + Shapes.str(a.shape())
                        + " has length " + a.shape()[ia[k]] + " but axis " + axesB[k] + " of b " + Shapes.str(b.shape())
                        + " has length " + b.shape()[ib[k]]);
            }
        }
        int[] freeA = free(ia, a.ndim()), freeB = free(ib, b.ndim());
        long m = 1, n = 1, depth = 1;
        List<Long> outShape = new ArrayList<>();
        for (int ax : freeA) {
            m *= a.shape()[ax];
            outShape.add(a.shape()[ax]);
        }
        for (int ax : freeB) {
            n *= b.shape()[ax];
            outShape.add(b.shape()[ax]);
        }
        for (int ax : ia) depth *= a.shape()[ax];
        ChunkedArray a2 = permute(a, concat(freeA, ia)).reshape(m, depth);
        ChunkedArray b2 = permute(b, concat(ib, freeB)).reshape(depth, n);
        return a2.matmul(b2).reshape(outShape.stream().mapToLong(Long::longValue).toArray());
    }

    /** The summed axes of one operand, in [0, ndim), in the order given; each at most once. */
    private static int[] summed(int[] axes, ChunkedArray x, String which) {
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[x.ndim()];
        for (int k = 0; k < axes.length; k++) {
            out[k] = Shapes.axis(axes[k], x.ndim());
            if (seen[out[k]]) {
                throw new AxisOutOfRangeException("tensordot: repeated axis " + axes[k] + " in the axes " + Arrays.toString(axes) + " of " + which);
            }
            seen[out[k]] = true;
        }
        return out;
    }

    /** The axes of {@code 0..ndim-1} not in {@code summed}, in order. */
    private static int[] free(int[] summed, int ndim) {
        boolean[] s = new boolean[ndim];
        for (int ax : summed) s[ax] = true;
        int[] out = new int[ndim - summed.length];
        for (int ax = 0, k = 0; ax < ndim; ax++) if (!s[ax]) out[k++] = ax;
        return out;
    }

    private static int[] concat(int[] x, int[] y) {
        int[] out = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    /** {@code x.transpose(perm)}, or x itself where perm keeps the order (no copy). */
    private static ChunkedArray permute(ChunkedArray x, int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return x.transpose(perm);
        return x;
    }
}
