package io.chunkwise;

import io.chunkwise.graph.ConcatNode;
import io.chunkwise.graph.ElementwiseNode;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.ReshapeNode;
import io.chunkwise.graph.ViewNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rules of NumPy's array manipulation routines behind {@link ChunkedArray} (transpose, swapaxes, reshape, ravel,
 * rechunk, expand_dims, squeeze, flip, broadcast_to, concatenate, stack): argument checks, output shapes and chunks,
 * and the graph layer each one adds. Nothing is copied before the result is computed.
 */
final class ManipulationOps {
    /**
     * The fewest elements a chunk of a broadcast axis aims at (about 8 MiB of float64): a small array broadcast to a
     * large shape gets chunks of this size, not of its own tiny chunks.
     */
    static final long BROADCAST_CHUNK_ELEMENTS = 1 << 20;

    private ManipulationOps() {}

    private static ChunkedArray wrap(ChunkedArray like, Node n) { return new ChunkedArray(like.context(), n); }

    /** Permutes the axes: output axis {@code i} is input axis {@code axes[i]} (a view keeping each axis's chunks). */
    static ChunkedArray transpose(ChunkedArray x, int... axes) {
        if (axes.length != x.ndim()) {
            throw new AxisOutOfRangeException("axes " + Arrays.toString(axes) + " don't match array of dimension " + x.ndim());
        }
        int[] perm = new int[axes.length];
        boolean[] seen = new boolean[axes.length];
        for (int i = 0; i < axes.length; i++) {
            perm[i] = Shapes.axis(axes[i], x.ndim());
            if (seen[perm[i]]) throw new AxisOutOfRangeException("repeated axis in transpose " + Arrays.toString(axes));
            seen[perm[i]] = true;
        }
        long[][] sizes = new long[x.ndim()][];
        long[] start = new long[x.ndim()], step = new long[x.ndim()], fixed = new long[x.ndim()];
        for (int i = 0; i < perm.length; i++) {
            sizes[i] = x.chunks().sizes(perm[i]);
            step[i] = 1;
            fixed[i] = -1;
        }
        return wrap(x, new ViewNode(x.node(), Chunks.explicit(sizes), perm, start, step, fixed));
    }

    /** The same elements in C order in a new shape (one dimension may be -1), in chunks of about the input's largest. */
    static ChunkedArray reshape(ChunkedArray x, long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int a = 0; a < s.length; a++) {
            if (s[a] == -1 && infer < 0) infer = a;
            else if (s[a] < 0) {
                throw new ShapeMismatchException("cannot reshape array of shape " + Shapes.str(x.shape()) + " into shape "
                        + Shapes.str(newShape) + ": only one dimension may be -1 and none may be negative");
            } else known *= s[a];
        }
        if (infer >= 0 && known != 0 && x.size() % known == 0) s[infer] = x.size() / known;
        if ((infer >= 0 && (known == 0 || x.size() % known != 0)) || Shapes.size(s) != x.size()) {
            throw new ShapeMismatchException("cannot reshape array of size " + x.size() + " into shape " + Shapes.str(newShape));
        }
        if (Arrays.equals(s, x.shape())) return x;
        long target = 1;
        for (int a = 0; a < x.ndim(); a++) target *= Arrays.stream(x.chunks().sizes(a)).max().orElse(1);
        target = Math.max(1, target);
        int[] cs = new int[s.length];
        long prod = 1;
        for (int a = s.length - 1; a >= 0; a--) {
            cs[a] = (int) Math.max(1, Math.min(s[a], target / prod));
            prod *= cs[a];
        }
        return wrap(x, new ReshapeNode(x.node(), Chunks.regular(s, cs)));
    }

    /** The same values in chunks of {@code chunkShape} (-1 takes a whole axis). */
    static ChunkedArray rechunk(ChunkedArray x, int... chunkShape) {
        if (chunkShape.length != x.ndim()) {
            throw new ChunkingException("chunk shape " + Arrays.toString(chunkShape) + " has " + chunkShape.length
                    + " axes but the array " + Shapes.str(x.shape()) + " has " + x.ndim());
        }
        int[] cs = chunkShape.clone();
        for (int a = 0; a < cs.length; a++) if (cs[a] == -1) cs[a] = (int) Math.max(1, Math.min(Integer.MAX_VALUE, x.shape()[a]));
        return rechunk(x, Chunks.regular(x.shape(), cs));
    }

    /** The same values on the grid {@code target}. */
    static ChunkedArray rechunk(ChunkedArray x, Chunks target) {
        Chunkwise.checkGrid(target, x.shape());
        return wrap(x, ViewNode.rechunk(x.node(), target));
    }

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
     * its axes of length 1 where {@code shape} is longer). The result is an elementwise layer that only reads {@code x}
     * ({@link ElementwiseNode#broadcast}), so it fuses into the elementwise operations that consume it, and a rechunk of
     * it (as when it meets an operand of other chunks) is a broadcast into the new chunks: it is never materialised on
     * its own unless computed by itself. Axes taken from {@code x} keep its chunks; a broadcast axis is chunked so that a chunk holds about as
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
        return wrap(x, ElementwiseNode.broadcast(x.node(), Chunks.explicit(sizes)));
    }

    /** numpy.ravel: the elements in C order as a 1-D array (reshape(-1)). */
    static ChunkedArray ravel(ChunkedArray x) { return x.reshape(-1); }

    /** Joins arrays along an existing axis; dtypes are promoted, other axes must match. */
    static ChunkedArray concatenate(int axis, ChunkedArray... parts) {
        if (parts == null || parts.length == 0) throw new ShapeMismatchException("need at least one array to concatenate");
        checkParts("concatenate", parts);
        ChunkedArray first = parts[0];
        if (first.ndim() == 0) throw new ShapeMismatchException("zero-dimensional arrays cannot be concatenated");
        int ax = Shapes.axis(axis, first.ndim());
        DType t = first.dtype();
        for (int i = 0; i < parts.length; i++) {
            ChunkedArray p = parts[i];
            if (p.context() != first.context()) throw new ChunkwiseException("arrays from different Chunkwise contexts cannot be combined");
            if (p.ndim() != first.ndim()) {
                throw new ShapeMismatchException("all the input arrays must have same number of dimensions, but the array at index 0 has "
                        + first.ndim() + " dimension(s) and the array at index " + i + " has " + p.ndim());
            }
            for (int a = 0; a < first.ndim(); a++) {
                if (a != ax && p.shape()[a] != first.shape()[a]) {
                    throw new ShapeMismatchException("all the input array dimensions except for the concatenation axis must match exactly, "
                            + "but along dimension " + a + ", the array at index 0 has size " + first.shape()[a]
                            + " and the array at index " + i + " has size " + p.shape()[a]);
                }
            }
            t = DType.promote(t, p.dtype());
        }
        List<Node> nodes = new ArrayList<>();
        List<Long> axisSizes = new ArrayList<>();
        for (ChunkedArray p : parts) {
            if (p.shape()[ax] == 0 && parts.length > 1) continue;
            Chunks target = first.chunks().withAxis(ax, p.chunks().sizes(ax));
            nodes.add(ViewNode.rechunk(p.astype(t).node(), target));
            for (long s : p.chunks().sizes(ax)) axisSizes.add(s);
        }
        if (nodes.isEmpty()) return first.astype(t);
        Chunks out = first.chunks().withAxis(ax, axisSizes.stream().mapToLong(Long::longValue).toArray());
        return new ChunkedArray(first.context(), new ConcatNode(ax, nodes, out));
    }

    /** Joins arrays of one shape along a new axis. */
    static ChunkedArray stack(int axis, ChunkedArray... parts) {
        if (parts == null || parts.length == 0) throw new ShapeMismatchException("need at least one array to stack");
        checkParts("stack", parts);
        int ax = Shapes.axis(axis, parts[0].ndim() + 1);
        ChunkedArray[] expanded = new ChunkedArray[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!Arrays.equals(parts[i].shape(), parts[0].shape())) {
                throw new ShapeMismatchException("all input arrays must have the same shape, but the array at index 0 has shape "
                        + Shapes.str(parts[0].shape()) + " and the array at index " + i + " has shape " + Shapes.str(parts[i].shape()));
            }
            expanded[i] = expandDims(parts[i], ax);
        }
        return concatenate(ax, expanded);
    }

    private static void checkParts(String op, ChunkedArray[] parts) {
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) throw new InvalidArgumentException("part " + i + " of " + op + " is null");
        }
    }
}
