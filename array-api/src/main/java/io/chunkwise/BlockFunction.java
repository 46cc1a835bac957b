package io.chunkwise;

/**
 * A user kernel applied to each chunk by {@link ChunkedArray#mapBlocks}; must return a block of the same shape. The
 * block it is given is its own copy of the chunk: it may write into it and return it.
 */
@FunctionalInterface
public interface BlockFunction {
    /**
     * Computes one chunk of the result.
     *
     * @param block the input chunk's values
     * @param blockIndex the chunk's index in the chunk grid
     * @return the output chunk, of the input chunk's shape
     */
    NDArray apply(NDArray block, long[] blockIndex);
}
