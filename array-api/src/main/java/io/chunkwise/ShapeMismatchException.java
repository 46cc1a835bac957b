package io.chunkwise;

/** Shapes that do not fit the operation (broadcasting, matmul, reshape, concatenate, a block returned by mapBlocks). */
public class ShapeMismatchException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the shapes involved
     */
    public ShapeMismatchException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the shapes involved
     * @param cause the failure underneath
     */
    public ShapeMismatchException(String message, Throwable cause) { super(message, cause); }
}
