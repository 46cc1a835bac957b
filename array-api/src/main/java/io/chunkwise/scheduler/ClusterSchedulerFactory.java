package io.chunkwise.scheduler;

import io.chunkwise.ClusterSpec;
import io.chunkwise.spi.Backend;

/** Found through {@link java.util.ServiceLoader}; the cluster module provides one. */
public interface ClusterSchedulerFactory {
    /**
     * A scheduler running tasks on the cluster of {@code spec}. {@code driver} is the context's own backend (owned by
     * the context): the scheduler uses it on the driver's side, for the blocks it hands to the sink and for the tasks
     * only the driver can run (chunks of the user's arrays, persisted chunks, function objects).
     */
    Scheduler create(ClusterSpec spec, int threads, long memoryBudgetBytes, Backend driver);
}
