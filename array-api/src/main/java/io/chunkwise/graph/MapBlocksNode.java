package io.chunkwise.graph;

import io.chunkwise.BlockFunction;
import io.chunkwise.DType;

import java.util.Arrays;
import java.util.List;

/** A user kernel per chunk, same chunking; its result is checked against the chunk's shape. */
public final class MapBlocksNode extends Node {
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    private final BlockFunction function;

    public MapBlocksNode(BlockFunction function, Node input, DType dtype) {
        // a function cannot be hashed by what it does: each call gets its own layer name
        super("map-blocks", IDS.incrementAndGet(), dtype, input.chunks(), List.of(input));
        this.function = function;
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        long[] blockIndex = Arrays.stream(index).asLongStream().toArray();
        return b.add(ownKey(index), List.of(b.key(inputs().get(0), index)),
                new TaskOp.MapBlocks(function, blockIndex, dtype(), chunks().chunkShape(index)));
    }

    @Override public Node withInputs(List<Node> inputs) { return new MapBlocksNode(function, inputs.get(0), dtype()); }

    @Override public String describe() { return "map_blocks " + function.getClass().getSimpleName(); }
}
