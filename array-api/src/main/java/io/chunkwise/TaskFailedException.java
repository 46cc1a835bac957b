package io.chunkwise;

/** A chunk task failed while computing; names the task. Other arrays and the context stay usable. */
public class TaskFailedException extends ChunkwiseException {
    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the task that failed
     * @param cause the failure underneath
     */
    public TaskFailedException(String message, Throwable cause) { super(message, cause); }
}
