package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Piece;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An affine view of one input, copied into new chunks: output axis {@code o} reads input axis {@code inAxis[o]} at
 * {@code start[o] + step[o] * i} (step 0 broadcasts, inAxis -1 is a new axis), and input axis {@code a} with
 * {@code fixed[a] >= 0} is held at that position (dropped). Slicing with any step, indexing, transposition,
 * rechunking and broadcast_to are all views; an output chunk reads only the input chunks it overlaps.
 */
public final class ViewNode extends Node {
    private final int[] inAxis;
    private final long[] start;
    private final long[] step;
    private final long[] fixed;

    public ViewNode(Node input, Chunks out, int[] inAxis, long[] start, long[] step, long[] fixed) {
        super("view", d -> d.add(inAxis).add(start).add(step).add(fixed),
                input.dtype(), out, List.of(input));
        this.inAxis = inAxis.clone();
        this.start = start.clone();
        this.step = step.clone();
        this.fixed = fixed.clone();
    }

    /** A run of output positions {@code [t0, t1)} that reads one input chunk from local position {@code local}. */
    private record Segment(long t0, long t1, int chunk, long local) {}

    private List<Segment> segments(int o, long lo, long hi, Chunks in) {
        List<Segment> segs = new ArrayList<>();
        int a = inAxis[o];
        if (a < 0 || step[o] == 0) {
            long p = a < 0 ? 0 : start[o];
            int c = a < 0 ? 0 : in.chunkAt(a, p);
            segs.add(new Segment(lo, hi, c, a < 0 ? 0 : p - in.offset(a, c)));
            return segs;
        }
        long t = lo;
        while (t < hi) {
            long p = start[o] + step[o] * t;
            int c = in.chunkAt(a, p);
            long room = step[o] > 0 ? (in.offset(a, c + 1) - 1 - p) / step[o] : (p - in.offset(a, c)) / -step[o];
            long t1 = Math.min(hi, t + room + 1);
            segs.add(new Segment(t, t1, c, p - in.offset(a, c)));
            t = t1;
        }
        return segs;
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Node input = inputs().get(0);
        Chunks in = input.chunks();
        int nd = inAxis.length;
        int[] outShape = chunks().chunkShape(index);
        long[] outOff = chunks().chunkOffset(index);
        List<List<Segment>> perAxis = new ArrayList<>();
        for (int o = 0; o < nd; o++) perAxis.add(segments(o, outOff[o], outOff[o] + outShape[o], in));
        int[] outStrides = Shapes.strides(outShape);
        Map<List<Integer>, Integer> sourceOf = new LinkedHashMap<>();
        List<Piece> pieces = new ArrayList<>();
        int[] grid = perAxis.stream().mapToInt(List::size).toArray();
        boolean empty = Arrays.stream(outShape).anyMatch(s -> s == 0);
        if (!empty) Shapes.forEachIndex(grid, pick -> {
            int[] inIdx = new int[in.ndim()];
            long[] local = new long[in.ndim()];
            for (int a = 0; a < in.ndim(); a++) {
                if (fixed[a] >= 0) {
                    inIdx[a] = in.chunkAt(a, fixed[a]);
                    local[a] = fixed[a] - in.offset(a, inIdx[a]);
                }
            }
            int[] counts = new int[nd];
            int dstOff = 0;
            for (int o = 0; o < nd; o++) {
                Segment s = perAxis.get(o).get(pick[o]);
                counts[o] = (int) (s.t1() - s.t0());
                dstOff += (int) (s.t0() - outOff[o]) * outStrides[o];
                if (inAxis[o] >= 0) {
                    inIdx[inAxis[o]] = s.chunk();
                    local[inAxis[o]] = s.local();
                }
            }
            int[] inStrides = Shapes.strides(in.chunkShape(inIdx));
            int srcOff = 0;
            for (int a = 0; a < in.ndim(); a++) srcOff += (int) local[a] * inStrides[a];
            int[] srcStrides = new int[nd];
            for (int o = 0; o < nd; o++) srcStrides[o] = inAxis[o] < 0 ? 0 : (int) step[o] * inStrides[inAxis[o]];
            int src = sourceOf.computeIfAbsent(Arrays.stream(inIdx).boxed().toList(), k -> sourceOf.size());
            pieces.add(new Piece(src, srcOff, b.intern(srcStrides), dstOff, b.intern(outStrides), b.intern(counts)));
        });
        List<ChunkKey> deps = new ArrayList<>();
        for (List<Integer> idx : sourceOf.keySet()) deps.add(b.key(input, idx.stream().mapToInt(Integer::intValue).toArray()));
        return b.add(ownKey(index), deps, new TaskOp.Assemble(dtype(), b.intern(outShape), pieces));
    }

    /**
     * {@code input} in the chunks {@code target}: itself where they are its chunks, else a rechunk view that reads past
     * any rechunks feeding {@code input}, so that rechunking twice copies once. A broadcast ({@link ElementwiseNode#broadcast})
     * is broadcast again straight into {@code target}, rechunking only its smaller input, so that it stays a stride-0
     * read that fuses into its consumers instead of a copy.
     */
    public static Node rechunk(Node input, Chunks target) {
        while (input instanceof ViewNode v && v.isRechunk()) input = v.inputs().get(0);
        if (input.chunks().equals(target)) return input;
        if (input instanceof ElementwiseNode e && e.isBroadcast()) return ElementwiseNode.broadcast(e.inputs().get(0), target);
        int nd = target.ndim();
        int[] inAxis = new int[nd];
        long[] start = new long[nd], step = new long[nd], fixed = new long[nd];
        for (int a = 0; a < nd; a++) {
            inAxis[a] = a;
            step[a] = 1;
            fixed[a] = -1;
        }
        return new ViewNode(input, target, inAxis, start, step, fixed);
    }

    /** Whether this view only regroups its input's elements into other chunks (a rechunk). */
    public boolean isRechunk() {
        for (int a = 0; a < inAxis.length; a++) if (inAxis[a] != a || start[a] != 0 || step[a] != 1) return false;
        return inAxis.length == fixed.length && Arrays.equals(shape(), inputs().get(0).shape());
    }

    @Override
    public Node withInputs(List<Node> inputs) { return new ViewNode(inputs.get(0), chunks(), inAxis, start, step, fixed); }

    @Override
    public String describe() {
        if (isRechunk()) return "rechunk " + inputs().get(0).chunks() + " -> " + chunks();
        return "view axes " + Arrays.toString(inAxis) + " start " + Arrays.toString(start) + " step " + Arrays.toString(step)
                + (Arrays.stream(fixed).anyMatch(f -> f >= 0) ? " at " + Arrays.toString(fixed) : "");
    }
}
