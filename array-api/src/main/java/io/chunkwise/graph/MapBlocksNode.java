package io.chunkwise.graph;

import io.chunkwise.BlockFunction;
import io.chunkwise.DType;

import java.util.Arrays;
import java.util.List;

/**
 * A user kernel per chunk, same chunking; its result is checked against the chunk's shape. Tasks name the function
 * ({@link TaskOp.MapBlocks}); a function given as an object (a lambda) is held here, on the client, under a random
 * name that only this context resolves.
 */
public final class MapBlocksNode extends Node {
    private final String function;
    private final BlockFunction local;

    /** {@code function} registered by name (or a class name); {@code local} the object behind it, or null. */
    public MapBlocksNode(String function, BlockFunction local, Node input, DType dtype) {
        super("map-blocks", d -> d.add(function), dtype, input.chunks(), List.of(input));
        this.function = function;
        this.local = local;
    }

    /** A name for a function object that has none: unique, as what a function does cannot be hashed. */
    public static String anonymousName() { return "lambda-" + Names.randomId(); }

    public String function() { return function; }

    /** The function object this node holds for its name, or null where the name alone identifies it. */
    public BlockFunction local() { return local; }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        long[] blockIndex = Arrays.stream(index).asLongStream().toArray();
        return b.add(ownKey(index), List.of(b.key(inputs().get(0), index)),
                new TaskOp.MapBlocks(function, blockIndex, dtype(), chunks().chunkShape(index)));
    }

    @Override public Node withInputs(List<Node> inputs) { return new MapBlocksNode(function, local, inputs.get(0), dtype()); }

    @Override public String describe() { return "map_blocks " + function; }
}
