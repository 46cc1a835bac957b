package io.chunkwise.scheduler;

import io.chunkwise.ClusterSpec;

/** Found through {@link java.util.ServiceLoader}; the cluster module provides one. */
public interface ClusterSchedulerFactory {
    Scheduler create(ClusterSpec spec, int threads, long memoryBudgetBytes);
}
