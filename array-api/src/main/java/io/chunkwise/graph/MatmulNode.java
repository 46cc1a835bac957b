package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * 2-D matrix product of inputs of one dtype whose contraction chunks line up. Each output block sums its k products
 * in k order inside one task (GEMM accumulating in place), so the result does not depend on scheduling.
 */
public final class MatmulNode extends Node {
    public MatmulNode(Node a, Node b, DType dtype) {
        super("matmul", d -> {}, dtype, Chunks.explicit(new long[][]{a.chunks().sizes(0), b.chunks().sizes(1)}), List.of(a, b));
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder g) {
        Node a = inputs().get(0), b = inputs().get(1);
        int n = a.chunks().numChunks(1);
        List<ChunkKey> deps = new ArrayList<>();
        for (int k = 0; k < n; k++) deps.add(g.key(a, new int[]{index[0], k}));
        for (int k = 0; k < n; k++) deps.add(g.key(b, new int[]{k, index[1]}));
        return g.add(ownKey(index), deps, new TaskOp.Matmul(dtype(), chunks().chunkShape(index)));
    }

    /**
     * This product computed in GEMM tiles of several output chunks where {@code tiling} says it pays: the row chunks of
     * A and the column chunks of B grouped (one copy of each), then the tiles split back into this node's chunks.
     * Decided when the graph is optimized for the backend that will run it.
     */
    Node tiled(MatmulTiling tiling) {
        Node a = inputs().get(0), b = inputs().get(1);
        long[] rows = a.chunks().sizes(0), depth = a.chunks().sizes(1), cols = b.chunks().sizes(1);
        int[] f = tiling.factors(rows, cols, a.shape()[1], dtype().byteSize());
        if (f[0] == 1 && f[1] == 1) return this;
        Node ga = ViewNode.rechunk(a, Chunks.explicit(new long[][]{MatmulTiling.group(rows, f[0]), depth}));
        Node gb = ViewNode.rechunk(b, Chunks.explicit(new long[][]{depth, MatmulTiling.group(cols, f[1])}));
        return ViewNode.rechunk(new MatmulNode(ga, gb, dtype()), chunks());
    }

    @Override public Node withInputs(List<Node> inputs) { return new MatmulNode(inputs.get(0), inputs.get(1), dtype()); }

    @Override public String describe() { return "matmul, blocked, k summed in order"; }
}
