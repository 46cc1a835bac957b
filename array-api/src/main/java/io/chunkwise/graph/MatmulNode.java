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
        super("matmul", "", dtype, Chunks.explicit(new long[][]{a.chunks().sizes(0), b.chunks().sizes(1)}), List.of(a, b));
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

    @Override public Node withInputs(List<Node> inputs) { return new MatmulNode(inputs.get(0), inputs.get(1), dtype()); }

    @Override public String describe() { return "matmul, blocked, k summed in order"; }
}
