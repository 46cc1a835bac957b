package io.chunkwise;

/**
 * Progress of one computation, for progress bars and monitoring. Called from scheduler threads, so keep it cheap
 * and thread-safe; an exception it throws fails the computation with a {@link ChunkwiseException} saying that the
 * compute listener failed, the listener's exception as its cause.
 */
public interface ComputeListener {
    ComputeListener NONE = new ComputeListener() {};

    /** The graph is planned: {@code totalTasks} tasks will run. */
    default void started(int totalTasks) {}

    /**
     * A task finished: {@code done} of {@code total}; it produced {@code bytes} bytes in {@code nanos} nanoseconds on
     * the backend named {@code backend}.
     */
    default void taskDone(int done, int total, long bytes, long nanos, String backend) {}
}
