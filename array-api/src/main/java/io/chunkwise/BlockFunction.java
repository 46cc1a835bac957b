package io.chunkwise;

/** A user kernel applied to each chunk by {@link ChunkedArray#mapBlocks}; must return a block of the same shape. */
@FunctionalInterface
public interface BlockFunction {
    NDArray apply(NDArray block, long[] blockIndex);
}
