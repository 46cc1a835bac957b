package io.chunkwise;

/** An index outside its axis, or more indices than axes. */
public class IndexOutOfRangeException extends ChunkwiseException {
    public IndexOutOfRangeException(String message) { super(message); }

    public IndexOutOfRangeException(String message, Throwable cause) { super(message, cause); }
}
