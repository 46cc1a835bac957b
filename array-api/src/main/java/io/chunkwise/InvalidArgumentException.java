package io.chunkwise;

/** An argument outside what the operation accepts (a non-positive thread count, lo >= hi, a missing function, ...). */
public class InvalidArgumentException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the argument, its value and what is accepted
     */
    public InvalidArgumentException(String message) { super(message); }
}
