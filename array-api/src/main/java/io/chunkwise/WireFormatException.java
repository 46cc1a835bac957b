package io.chunkwise;

/** An encoded task, graph or chunk that is truncated, corrupt or not ours; the message says what is wrong where. */
public class WireFormatException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message what is wrong, and where in the encoding
     */
    public WireFormatException(String message) { super(message); }
}
