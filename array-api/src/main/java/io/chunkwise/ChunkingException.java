package io.chunkwise;

/** A chunk grid that is not valid for its shape (sizes that do not add up, non-positive chunk sizes, wrong rank). */
public class ChunkingException extends ChunkwiseException {
    public ChunkingException(String message) { super(message); }

    public ChunkingException(String message, Throwable cause) { super(message, cause); }
}
