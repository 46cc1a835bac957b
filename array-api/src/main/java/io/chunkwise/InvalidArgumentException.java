package io.chunkwise;

/** An argument outside what the operation accepts (a non-positive thread count, lo >= hi, a missing function, ...). */
public class InvalidArgumentException extends ChunkwiseException {
    public InvalidArgumentException(String message) { super(message); }
}
