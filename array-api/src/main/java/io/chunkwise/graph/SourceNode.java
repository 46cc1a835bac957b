package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.NDArray;

import java.util.List;

/**
 * Chunks of a user's host array. The node holds the array on the client; its tasks name the chunks by key only
 * ({@link TaskOp.Scattered}), and the context scatters the array into the chunk store for each run. Named by a
 * random id: hashing the data would cost a pass over it.
 */
public final class SourceNode extends Node {
    private final NDArray data;

    public SourceNode(NDArray data, Chunks chunks) {
        super("array", d -> d.add(Names.randomId()), data.dtype(), chunks, List.of());
        this.data = data;
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        ChunkKey key = ownKey(index);
        return b.add(key, List.of(), new TaskOp.Scattered(key, dtype(), chunks().chunkShape(index)));
    }

    /** The host array the chunks are cut from. */
    public NDArray data() { return data; }

    @Override public Node withInputs(List<Node> inputs) { return this; }

    @Override public String describe() { return "from host array"; }
}
