package io.chunkwise;

import io.chunkwise.graph.ExtractNode;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.ReshapeNode;
import io.chunkwise.graph.TakeNode;
import io.chunkwise.graph.ViewNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rules of NumPy's indexing routines behind {@link ChunkedArray} (basic slicing, take, extract): argument checks,
 * output shapes and chunks, and the graph layers they add.
 */
final class IndexingOps {
    private IndexingOps() {}

    private static ChunkedArray wrap(ChunkedArray like, Node n) { return new ChunkedArray(like.context(), n); }

    /** NumPy basic indexing: one {@link Slice} per leading axis, the others taken whole; {@link Slice#at} drops its axis. */
    static ChunkedArray slice(ChunkedArray x, Slice... perAxis) {
        if (perAxis.length > x.ndim()) {
            throw new IndexOutOfRangeException("too many indices for array: array is " + x.ndim()
                    + "-dimensional, but " + perAxis.length + " were indexed");
        }
        List<Integer> inAxis = new ArrayList<>();
        List<Long> start = new ArrayList<>(), step = new ArrayList<>();
        List<long[]> sizes = new ArrayList<>();
        long[] fixed = new long[x.ndim()];
        Arrays.fill(fixed, -1);
        for (int a = 0; a < x.ndim(); a++) {
            Slice s = a < perAxis.length && perAxis[a] != null ? perAxis[a] : Slice.all();
            long len = x.shape()[a];
            if (s.isIndex()) {
                fixed[a] = s.index(len, a);
                continue;
            }
            long[] fc = s.firstAndCount(len);
            inAxis.add(a);
            start.add(fc[0]);
            step.add(s.step());
            sizes.add(selectedChunkSizes(x.chunks(), a, fc[0], s.step(), fc[1]));
        }
        return wrap(x, new ViewNode(x.node(), Chunks.explicit(sizes.toArray(new long[0][])),
                inAxis.stream().mapToInt(Integer::intValue).toArray(),
                start.stream().mapToLong(Long::longValue).toArray(), step.stream().mapToLong(Long::longValue).toArray(), fixed));
    }

    /** Output chunk sizes of a selection along an axis: one chunk per input chunk it touches (as dask does). */
    private static long[] selectedChunkSizes(Chunks c, int axis, long first, long step, long count) {
        if (count == 0) return new long[]{0};
        List<Long> out = new ArrayList<>();
        long t = 0;
        while (t < count) {
            long p = first + step * t;
            int k = c.chunkAt(axis, p);
            long room = step > 0 ? (c.offset(axis, k + 1) - 1 - p) / step : (p - c.offset(axis, k)) / -step;
            long n = Math.min(count - t, room + 1);
            out.add(n);
            t += n;
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * numpy.take along {@code axis} (mode 'raise'): negative indices count from the end of the axis. The taken axis is
     * chunked regularly in the largest chunk size of {@code x} along it; the other axes keep the chunks of {@code x}.
     */
    static ChunkedArray take(ChunkedArray x, long[] indices, int axis) {
        if (indices == null) throw new InvalidArgumentException("take needs an array of indices, got null");
        int ax = Shapes.axis(axis, x.ndim());
        long len = x.shape()[ax];
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) {
            long v = indices[i] < 0 ? indices[i] + len : indices[i];
            if (v < 0 || v >= len) {
                throw new IndexOutOfRangeException("index " + indices[i] + " (at position " + i + " of the indices) is out of bounds for axis "
                        + ax + " with size " + len + " of an array of shape " + Shapes.str(x.shape()));
            }
            idx[i] = v;
        }
        long chunk = Math.max(1, Arrays.stream(x.chunks().sizes(ax)).max().orElse(1));
        long[] along = Chunks.regular(new long[]{idx.length}, new int[]{(int) chunk}).sizes(0);
        return wrap(x, new TakeNode(x.node(), ax, idx, x.chunks().withAxis(ax, along)));
    }

    /**
     * numpy.extract. Both arrays are raveled in C order, so {@code cond} may have any shape of {@code x}'s size. How
     * it runs:
     * <ol>
     * <li>{@code x} and {@code cond} (as BOOL) are each raveled into the same 1-D chunks of {@code T} elements, {@code T}
     * being the number of elements of the largest chunk of {@code x}: a 1-D chunk is a contiguous range of the C order,
     * so the chunks in grid order are the whole array in C order (a chunk of a multi-dimensional grid is not, when
     * there are several chunks along a later axis). A raveled chunk holds {@code T} elements, read from the chunks of
     * the input that hold that range.</li>
     * <li>Eagerly, once: the number of true values of {@code cond} in each 1-D chunk (one pass over {@code cond}, whose
     * result is one INT64 per chunk).</li>
     * <li>Lazily: each 1-D chunk's selected values (an {@link ExtractNode}, chunks of the counted sizes, chunks that
     * select nothing dropped), then regrouped into regular chunks of {@code T} values, so that a sparse selection does
     * not leave many tiny chunks.</li>
     * </ol>
     * So {@code cond} is computed twice: once here to count, and again when the result is computed.
     */
    static ChunkedArray extract(ChunkedArray x, ChunkedArray cond) {
        if (cond == null) throw new InvalidArgumentException("extract needs a condition array, got null");
        if (cond.context() != x.context()) throw new ChunkwiseException("arrays from different Chunkwise contexts cannot be combined");
        if (cond.size() != x.size()) {
            throw new ShapeMismatchException("extract: the condition of shape " + Shapes.str(cond.shape()) + " has " + cond.size()
                    + " elements but the array of shape " + Shapes.str(x.shape()) + " has " + x.size()
                    + "; both are raveled, so they need the same size (broadcast the condition first with broadcastTo)");
        }
        long n = x.size();
        if (n == 0) return x.reshape(0);
        long largest = 1;
        for (int a = 0; a < x.ndim(); a++) largest *= Math.max(1, Arrays.stream(x.chunks().sizes(a)).max().orElse(1));
        int t = (int) Math.min(n, Math.min(largest, Integer.MAX_VALUE));
        Chunks flat = Chunks.regular(new long[]{n}, new int[]{t});
        Node values = raveled(x, flat), mask = raveled(cond.astype(DType.BOOL), flat);

        int m = flat.numChunks(0);
        long pad = (long) m * t - n;
        ChunkedArray padded = wrap(x, mask);
        if (pad > 0) padded = ChunkedArray.concatenate(0, padded, x.context().zeros(DType.BOOL, new long[]{pad}, new int[]{(int) pad}));
        long[] counts = wrap(x, new ReshapeNode(padded.node(), Chunks.regular(new long[]{m, t}, new int[]{1, t}))).sum(1)
                .compute().toLongArray();

        List<Integer> source = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        long total = 0;
        for (int k = 0; k < m; k++) {
            if (counts[k] == 0) continue;
            source.add(k);
            sizes.add(counts[k]);
            total += counts[k];
        }
        if (total == 0) return x.reshape(-1).slice(Slice.range(0, 0));
        Node picked = new ExtractNode(values, mask, source.stream().mapToInt(Integer::intValue).toArray(),
                Chunks.explicit(new long[][]{sizes.stream().mapToLong(Long::longValue).toArray()}));
        return wrap(x, ViewNode.rechunk(picked, Chunks.regular(new long[]{total}, new int[]{t})));
    }

    /** {@code a} raveled in C order into the 1-D chunks {@code flat}. */
    private static Node raveled(ChunkedArray a, Chunks flat) {
        return a.ndim() == 1 ? ViewNode.rechunk(a.node(), flat) : new ReshapeNode(a.node(), flat);
    }
}
