package io.chunkwise.graph;

import io.chunkwise.Chunks;

import java.util.Arrays;
import java.util.List;

/**
 * Concatenation along an axis of inputs whose other axes are chunked alike: each output chunk is one input
 * chunk, so it adds no task and no copy (its keys are the inputs' keys).
 */
public final class ConcatNode extends Node {
    private final int axis;

    public ConcatNode(int axis, List<Node> inputs, Chunks out) {
        super("concatenate", d -> d.add(axis), inputs.get(0).dtype(), out, inputs);
        this.axis = axis;
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        int c = index[axis];
        for (Node in : inputs()) {
            int n = in.chunks().numChunks(axis);
            if (c < n) {
                int[] inIdx = index.clone();
                inIdx[axis] = c;
                return b.key(in, inIdx);
            }
            c -= n;
        }
        throw new IllegalStateException("chunk " + Arrays.toString(index) + " outside " + chunks());
    }

    @Override public Node withInputs(List<Node> inputs) { return new ConcatNode(axis, inputs, chunks()); }

    @Override public String describe() { return "concatenate along axis " + axis + " (no copy)"; }
}
