package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;
import io.chunkwise.spi.Block;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Chunks already computed by {@code persist()}, held by the backend that made them. */
public final class LiteralNode extends Node {
    private static final AtomicLong IDS = new AtomicLong();
    private final Map<List<Integer>, Block> blocks;

    public LiteralNode(DType dtype, Chunks chunks, Map<List<Integer>, Block> blocks) {
        super("persisted", IDS.incrementAndGet(), dtype, chunks, List.of());
        this.blocks = Map.copyOf(blocks);
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Block block = blocks.get(java.util.Arrays.stream(index).boxed().toList());
        return b.add(ownKey(index), List.of(), new TaskOp.Literal(block));
    }

    @Override public Node withInputs(List<Node> inputs) { return this; }

    @Override public String describe() { return "persisted chunks"; }
}
