package io.chunkwise;

/**
 * Progress of one computation, for progress bars and monitoring. Called from scheduler threads, so keep it cheap
 * and thread-safe; an exception it throws fails the computation with a {@link ChunkwiseException} saying that the
 * compute listener failed, the listener's exception as its cause.
 */
public interface ComputeListener {
    /** A listener that does nothing. */
    ComputeListener NONE = new ComputeListener() {};

    /**
     * The graph is planned: {@code totalTasks} tasks will run.
     *
     * @param totalTasks the number of tasks
     */
    default void started(int totalTasks) {}

    /**
     * A task finished: {@code done} of {@code total}; it produced {@code bytes} bytes in {@code nanos} nanoseconds on
     * the backend named {@code backend}.
     *
     * @param done tasks finished so far, this one included
     * @param total tasks in all
     * @param bytes bytes of the task's output
     * @param nanos how long the task ran
     * @param backend the name of the backend that ran it
     */
    default void taskDone(int done, int total, long bytes, long nanos, String backend) {}
}
