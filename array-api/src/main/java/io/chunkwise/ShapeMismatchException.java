package io.chunkwise;

/** Shapes that do not fit the operation (broadcasting, matmul, reshape, concatenate, a block returned by mapBlocks). */
public class ShapeMismatchException extends ChunkwiseException {
    public ShapeMismatchException(String message) { super(message); }

    public ShapeMismatchException(String message, Throwable cause) { super(message, cause); }
}
