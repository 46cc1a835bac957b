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
 * A row-major reshape into a new chunk grid: each output chunk is assembled from contiguous runs of the flat
 * order, each run read from the one input chunk that holds it.
 */
public final class ReshapeNode extends Node {
    public ReshapeNode(Node input, Chunks out) {
        super("reshape", d -> {}, input.dtype(), out, List.of(input));
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Node input = inputs().get(0);
        Chunks in = input.chunks();
        long[] inShape = in.shape(), outShape = shape();
        long[] inGs = Shapes.strides(inShape), outGs = Shapes.strides(outShape);
        int[] cShape = chunks().chunkShape(index);
        long[] cOff = chunks().chunkOffset(index);
        int[] cStrides = Shapes.strides(cShape);
        int nd = cShape.length;
        int rowLen = nd == 0 ? 1 : cShape[nd - 1];
        int[] rowGrid = nd == 0 ? new int[0] : Arrays.copyOf(cShape, nd - 1);
        Map<List<Integer>, Integer> sourceOf = new LinkedHashMap<>();
        List<Piece> pieces = new ArrayList<>();
        int[] one = new int[Math.max(nd, 1)];
        Arrays.fill(one, 1);
        if (Shapes.size(cShape) > 0) Shapes.forEachIndex(rowGrid, row -> {
            long flat = 0;
            int dst = 0;
            for (int a = 0; a < nd - 1; a++) {
                flat += (cOff[a] + row[a]) * outGs[a];
                dst += row[a] * cStrides[a];
            }
            if (nd > 0) flat += cOff[nd - 1];
            int done = 0;
            while (done < rowLen) {
                long f = flat + done;
                int[] inIdx = new int[inShape.length];
                int srcOff = 0;
                long runRoom = 1;
                int[] inBlockStrides;
                long[] local = new long[inShape.length];
                for (int a = 0; a < inShape.length; a++) {
                    long pos = (f / inGs[a]) % inShape[a];
                    inIdx[a] = in.chunkAt(a, pos);
                    local[a] = pos - in.offset(a, inIdx[a]);
                }
                inBlockStrides = Shapes.strides(in.chunkShape(inIdx));
                for (int a = 0; a < inShape.length; a++) srcOff += (int) local[a] * inBlockStrides[a];
                if (inShape.length > 0) {
                    int last = inShape.length - 1;
                    runRoom = in.size(last, inIdx[last]) - local[last];
                }
                int n = (int) Math.min(rowLen - done, runRoom);
                int[] counts = one.clone();
                counts[counts.length - 1] = n;
                int[] strides = one.clone();
                int src = sourceOf.computeIfAbsent(Arrays.stream(inIdx).boxed().toList(), k -> sourceOf.size());
                pieces.add(new Piece(src, srcOff, strides, dst + done, strides, counts));
                done += n;
            }
        });
        List<ChunkKey> deps = new ArrayList<>();
        for (List<Integer> idx : sourceOf.keySet()) deps.add(b.key(input, idx.stream().mapToInt(Integer::intValue).toArray()));
        return b.add(ownKey(index), deps, new TaskOp.Assemble(dtype(), cShape, pieces));
    }

    @Override public Node withInputs(List<Node> inputs) { return new ReshapeNode(inputs.get(0), chunks()); }

    @Override public String describe() { return "reshape " + Shapes.str(inputs().get(0).shape()) + " -> " + Shapes.str(shape()); }
}
