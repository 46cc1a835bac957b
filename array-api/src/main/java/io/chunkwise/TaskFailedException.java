package io.chunkwise;

/** A chunk task failed while computing; names the task. Other arrays and the context stay usable. */
public class TaskFailedException extends ChunkwiseException {
    public TaskFailedException(String message, Throwable cause) { super(message, cause); }
}
