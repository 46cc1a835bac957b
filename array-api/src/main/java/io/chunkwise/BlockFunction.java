package io.chunkwise;

/**
 * A user kernel applied to each chunk by {@link ChunkedArray#mapBlocks}; must return a block of the same shape. The
 * block it is given is its own copy of the chunk: it may write into it and return it.
 */
@FunctionalInterface
public interface BlockFunction {
    NDArray apply(NDArray block, long[] blockIndex);
}
