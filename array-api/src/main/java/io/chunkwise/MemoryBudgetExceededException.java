package io.chunkwise;

/** A computation that cannot be run within the context's memory budget. */
public class MemoryBudgetExceededException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message what needed how many bytes, and the budget
     */
    public MemoryBudgetExceededException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message what needed how many bytes, and the budget
     * @param cause the failure underneath
     */
    public MemoryBudgetExceededException(String message, Throwable cause) { super(message, cause); }
}
