package io.chunkwise;

/** An unknown dtype, or an operation that is not defined for a dtype. */
public class DTypeException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the dtypes involved and the ones accepted
     */
    public DTypeException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the dtypes involved and the ones accepted
     * @param cause the failure underneath
     */
    public DTypeException(String message, Throwable cause) { super(message, cause); }
}
