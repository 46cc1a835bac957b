package io.chunkwise;

/**
 * A computation stopped before it finished: the thread computing it was interrupted, the future of
 * {@link ChunkedArray#computeAsync()} was cancelled, or its context was closed while it ran. The chunks it held
 * have been released when this is thrown.
 */
public class ComputationCancelledException extends ChunkwiseException {
    public ComputationCancelledException(String message) { super(message); }

    public ComputationCancelledException(String message, Throwable cause) { super(message, cause); }
}
