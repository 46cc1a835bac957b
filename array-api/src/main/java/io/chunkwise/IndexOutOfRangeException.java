package io.chunkwise;

/** An index outside its axis, or more indices than axes. */
public class IndexOutOfRangeException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the indices and the shape involved
     */
    public IndexOutOfRangeException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the indices and the shape involved
     * @param cause the failure underneath
     */
    public IndexOutOfRangeException(String message, Throwable cause) { super(message, cause); }
}
