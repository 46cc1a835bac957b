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
 * numpy.take along one axis: output position {@code t} along {@code axis} is input position {@code indices[t]}
 * (indices checked and made non-negative by the array layer; repeats and any order allowed). The other axes keep the
 * input's chunks. Each output chunk is assembled from pieces: a run of output positions whose indices step evenly
 * (by +1, -1, 0 for repeats, or any constant) inside one input chunk is one strided piece.
 */
public final class TakeNode extends Node {
    private final int axis;
    private final long[] indices;

    public TakeNode(Node input, int axis, long[] indices, Chunks out) {
        super("take", d -> d.add(axis).add(indices), input.dtype(), out, List.of(input));
        this.axis = axis;
        this.indices = indices.clone();
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Node input = inputs().get(0);
        Chunks in = input.chunks();
        int[] outShape = chunks().chunkShape(index);
        long lo = chunks().offset(axis, index[axis]);
        int[] outStrides = Shapes.strides(outShape);
        Map<Integer, Integer> sourceOf = new LinkedHashMap<>();
        List<Piece> pieces = new ArrayList<>();
        if (Shapes.size(outShape) > 0) {
            int n = outShape[axis];
            int t = 0;
            while (t < n) {
                long p = indices[(int) (lo + t)];
                int c = in.chunkAt(axis, p);
                long first = in.offset(axis, c), end = first + in.size(axis, c);
                int len = 1;
                long step = 0;
                if (t + 1 < n) {
                    step = indices[(int) (lo + t + 1)] - p;
                    while (t + len < n) {
                        long q = indices[(int) (lo + t + len)];
                        if (q - indices[(int) (lo + t + len - 1)] != step || q < first || q >= end) break;
                        len++;
                    }
                    if (len == 1) step = 0;
                }
                int[] inIdx = index.clone();
                inIdx[axis] = c;
                int[] inStrides = Shapes.strides(in.chunkShape(inIdx));
                int[] srcStrides = inStrides.clone();
                srcStrides[axis] = (int) step * inStrides[axis];
                int[] counts = outShape.clone();
                counts[axis] = len;
                int src = sourceOf.computeIfAbsent(c, k -> sourceOf.size());
                pieces.add(new Piece(src, (int) (p - first) * inStrides[axis], b.intern(srcStrides), t * outStrides[axis],
                        b.intern(outStrides), b.intern(counts)));
                t += len;
            }
        }
        List<ChunkKey> deps = new ArrayList<>();
        for (int c : sourceOf.keySet()) {
            int[] inIdx = index.clone();
            inIdx[axis] = c;
            deps.add(b.key(input, inIdx));
        }
        return b.add(ownKey(index), deps, new TaskOp.Assemble(dtype(), b.intern(outShape), pieces));
    }

    @Override public Node withInputs(List<Node> inputs) { return new TakeNode(inputs.get(0), axis, indices, chunks()); }

    @Override
    public String describe() {
        String shown = indices.length <= 8 ? Arrays.toString(indices)
                : Arrays.toString(Arrays.copyOf(indices, 8)).replace("]", ", ... (" + indices.length + " indices)]");
        return "take " + shown + " along axis " + axis;
    }
}
