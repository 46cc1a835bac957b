package io.chunkwise;

/** An unknown dtype, or an operation that is not defined for a dtype. */
public class DTypeException extends ChunkwiseException {
    public DTypeException(String message) { super(message); }

    public DTypeException(String message, Throwable cause) { super(message, cause); }
}
