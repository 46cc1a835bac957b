package io.chunkwise;

/** The root of the library's own unchecked exceptions; messages name the shapes, axes, chunks or files involved. */
public class ChunkwiseException extends RuntimeException {
    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the shapes, axes, chunks or files involved
     */
    public ChunkwiseException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message what is wrong, naming the shapes, axes, chunks or files involved
     * @param cause the failure underneath
     */
    public ChunkwiseException(String message, Throwable cause) { super(message, cause); }
}
