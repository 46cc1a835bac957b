package io.chunkwise;

/**
 * A computation stopped before it finished: the thread computing it was interrupted, the future of
 * {@link ChunkedArray#computeAsync()} was cancelled, or its context was closed while it ran. The chunks it held
 * have been released when this is thrown.
 */
public class ComputationCancelledException extends ChunkwiseException {
    /**
     * A cancellation described by {@code message}.
     *
     * @param message what stopped the computation
     */
    public ComputationCancelledException(String message) { super(message); }

    /**
     * A cancellation described by {@code message}, caused by {@code cause} (an {@link InterruptedException}, say).
     *
     * @param message what stopped the computation
     * @param cause   the exception that stopped it
     */
    public ComputationCancelledException(String message, Throwable cause) { super(message, cause); }
}
