package io.chunkwise;

/** The root of the library's own unchecked exceptions; messages name the shapes, axes, chunks or files involved. */
public class ChunkwiseException extends RuntimeException {
    public ChunkwiseException(String message) { super(message); }

    public ChunkwiseException(String message, Throwable cause) { super(message, cause); }
}
