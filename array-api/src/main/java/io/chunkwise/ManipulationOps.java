package io.chunkwise;

import io.chunkwise.graph.ElementwiseNode;
import io.chunkwise.graph.ViewNode;
import io.chunkwise.spi.Expr;

import java.util.Arrays;
import java.util.List;

/**
 * The rules of NumPy's array manipulation routines behind {@link ChunkedArray} (flip, swapaxes, expand_dims,
 * squeeze, broadcast_to, ravel): argument checks, output shapes and chunks, and the graph layer each one adds. Every
 * one is a view of its input (a {@link ViewNode} or a broadcasting elementwise layer), so nothing is copied before
 * the result is computed.
 */
final class ManipulationOps {
    /**
     * The fewest elements a chunk of a broadcast axis aims at (about 8 MiB of float64): a small array broadcast to a
     * large shape gets chunks of this size, not of its own tiny chunks.
     */
    static final long BROADCAST_CHUNK_ELEMENTS = 1 << 20;

    private ManipulationOps() {}

    private static ChunkedArray wrap(ChunkedArray like, io.chunkwise.graph.Node n) { return new ChunkedArray(like.context(), n); }

    /** numpy.flip along one axis: a reversed view whose chunks mirror the input's. */
    static ChunkedArray flip(ChunkedArray x, int axis) {
        int ax = Shapes.axis(axis, x.ndim());
        Slice[] s = new Slice[x.ndim()];
        Arrays.fill(s, Slice.all());
        s[ax] = Slice.of(null, null, -1);
        return x.slice(s);
    }

    /** numpy.swapaxes: the transposition exchanging two axes ({@code x} itself when they are the same axis). */
    static ChunkedArray swapaxes(ChunkedArray x, int axis1, int axis2) {
        int a = Shapes.axis(axis1, x.ndim()), b = Shapes.axis(axis2, x.ndim());
        if (a == b) return x;
        int[] perm = new int[x.ndim()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return x.transpose(perm);
    }

    /** numpy.expand_dims: a new axis of length 1 at {@code axis}, in {@code [-ndim-1, ndim]} (negative counts from the end). */
    static ChunkedArray expandDims(ChunkedArray x, int axis) {
        int nd = x.ndim() + 1;
        int ax = Shapes.axis(axis, nd);
        int[] inAxis = new int[nd];
        long[] start = new long[nd], step = new long[nd], fixed = new long[x.ndim()];
        Arrays.fill(fixed, -1);
        long[][] sizes = new long[nd][];
        for (int o = 0, a = 0; o < nd; o++) {
            if (o == ax) {
                inAxis[o] = -1;
                sizes[o] = new long[]{1};
            } else {
                inAxis[o] = a;
                step[o] = 1;
                sizes[o] = x.chunks().sizes(a++);
            }
        }
        return wrap(x, new ViewNode(x.node(), Chunks.explicit(sizes), inAxis, start, step, fixed));
    }

    /**
     * numpy.squeeze: drops the axes given, each of which must have length 1, or with none given every axis of length 1
     * ({@code x} itself when there is none).
     */
    static ChunkedArray squeeze(ChunkedArray x, int... axes) {
        long[] shape = x.shape();
        boolean[] drop = new boolean[x.ndim()];
        if (axes == null || axes.length == 0) {
            for (int a = 0; a < drop.length; a++) drop[a] = shape[a] == 1;
        } else {
            for (int a : Shapes.axes(axes, x.ndim())) {
                if (shape[a] != 1) {
                    throw new ShapeMismatchException("cannot squeeze axis " + a + " of an array of shape " + Shapes.str(shape)
                            + ": its length is " + shape[a] + ", not 1 (squeeze drops axes of length 1 only)");
                }
                drop[a] = true;
            }
        }
        int kept = 0;
        for (boolean d : drop) if (!d) kept++;
        if (kept == x.ndim()) return x;
        int[] inAxis = new int[kept];
        long[] start = new long[kept], step = new long[kept], fixed = new long[x.ndim()];
        long[][] sizes = new long[kept][];
        for (int a = 0, o = 0; a < x.ndim(); a++) {
            fixed[a] = drop[a] ? 0 : -1;
            if (drop[a]) continue;
            inAxis[o] = a;
            step[o] = 1;
            sizes[o++] = x.chunks().sizes(a);
        }
        return wrap(x, new ViewNode(x.node(), Chunks.explicit(sizes), inAxis, start, step, fixed));
    }

    /**
     * numpy.broadcast_to: {@code x} read through stride 0 along the axes it is broadcast along (new leading axes, and
     * its axes of length 1 where {@code shape} is longer). The result is an elementwise layer that only reads {@code x},
     * so it fuses into the elementwise operations that consume it and is never materialised on its own unless computed
     * by itself. Axes taken from {@code x} keep its chunks; a broadcast axis is chunked so that a chunk holds about as
     * many elements as the largest chunk of {@code x}, and at least {@value #BROADCAST_CHUNK_ELEMENTS}.
     */
    static ChunkedArray broadcastTo(ChunkedArray x, long... shape) {
        if (shape == null) throw new InvalidArgumentException("broadcastTo needs a shape, got null");
        long[] from = x.shape();
        for (long s : shape) {
            if (s < 0) {
                throw new ShapeMismatchException("cannot broadcast an array of shape " + Shapes.str(from) + " to shape "
                        + Shapes.str(shape) + ": all elements of the target shape must be non-negative");
            }
        }
        int nd = shape.length, lead = nd - from.length;
        if (lead < 0) {
            throw new ShapeMismatchException("cannot broadcast an array of shape " + Shapes.str(from) + " to shape "
                    + Shapes.str(shape) + ": the target shape has fewer dimensions (" + nd + ") than the array (" + from.length + ")");
        }
        boolean[] broadcast = new boolean[nd];
        for (int o = 0; o < nd; o++) {
            if (o < lead) {
                broadcast[o] = true;
                continue;
            }
            long f = from[o - lead];
            if (f != shape[o] && f != 1) {
                throw new ShapeMismatchException("cannot broadcast an array of shape " + Shapes.str(from) + " to shape "
                        + Shapes.str(shape) + ": axis " + (o - lead) + " of the array has length " + f + ", which is neither 1 nor "
                        + shape[o] + " (the length of axis " + o + " of the target)");
            }
            broadcast[o] = f != shape[o];
        }
        if (lead == 0 && Arrays.equals(from, shape)) return x;
        Chunks in = x.chunks();
        long largest = 1, kept = 1;
        for (int a = 0; a < from.length; a++) {
            long m = Arrays.stream(in.sizes(a)).max().orElse(1);
            largest *= Math.max(1, m);
            if (!broadcast[a + lead]) kept *= Math.max(1, m);
        }
        long room = Math.max(1, Math.max(largest, BROADCAST_CHUNK_ELEMENTS) / kept);
        long[][] sizes = new long[nd][];
        for (int o = nd - 1; o >= 0; o--) {
            if (!broadcast[o]) {
                sizes[o] = in.sizes(o - lead);
                continue;
            }
            long c = Math.max(1, Math.min(shape[o], room));
            room = Math.max(1, room / c);
            sizes[o] = Chunks.regular(new long[]{shape[o]}, new int[]{(int) c}).sizes(0);
        }
        Expr identity = new Expr.Input(0, x.dtype());
        return wrap(x, new ElementwiseNode(identity, Chunks.explicit(sizes), List.of(x.node())));
    }

    /** numpy.ravel: the elements in C order as a 1-D array (reshape(-1)). */
    static ChunkedArray ravel(ChunkedArray x) { return x.reshape(-1); }
}
