package io.chunkwise;

/** A chunk grid that is not valid for its shape (sizes that do not add up, non-positive chunk sizes, wrong rank). */
public class ChunkingException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the chunk grid and the shape involved
     */
    public ChunkingException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the chunk grid and the shape involved
     * @param cause the failure underneath
     */
    public ChunkingException(String message, Throwable cause) { super(message, cause); }
}
