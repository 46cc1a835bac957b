package io.chunkwise;

/** A computation that cannot be run within the context's memory budget. */
public class MemoryBudgetExceededException extends ChunkwiseException {
    public MemoryBudgetExceededException(String message) { super(message); }

    public MemoryBudgetExceededException(String message, Throwable cause) { super(message, cause); }
}
