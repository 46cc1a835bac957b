package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.NDArray;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Chunks cut from a host array. Named by a unique id: the data is not hashed. */
public final class SourceNode extends Node {
    private static final AtomicLong IDS = new AtomicLong();
    private final NDArray data;

    public SourceNode(NDArray data, Chunks chunks) {
        super("array", IDS.incrementAndGet(), data.dtype(), chunks, List.of());
        this.data = data;
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        return b.add(ownKey(index), List.of(), new TaskOp.Source(data, chunks().chunkOffset(index), chunks().chunkShape(index)));
    }

    /** The host array the chunks are cut from. */
    public NDArray data() { return data; }

    @Override public Node withInputs(List<Node> inputs) { return this; }

    @Override public String describe() { return "from host array"; }
}
