package io.chunkwise.cluster;

import io.chunkwise.ClusterSpec;
import io.chunkwise.scheduler.ClusterSchedulerFactory;
import io.chunkwise.scheduler.Scheduler;
import io.chunkwise.spi.Backend;

/**
 * The cluster module's {@link ClusterSchedulerFactory} (found through {@link java.util.ServiceLoader}):
 * {@code ClusterSpec.embedded(n)} starts n members in this JVM, each with the context's thread count, owned by the
 * context (closing it shuts them down); {@code ClusterSpec.running(name)} drives an {@link EmbeddedCluster} started
 * before; {@code ClusterSpec.connect(address)} drives running members (in other processes) through a Hazelcast client
 * ({@link ClusterClient}), owned by the context (closing it disconnects).
 */
public final class HazelcastSchedulerFactory implements ClusterSchedulerFactory {
    @Override
    public Scheduler create(ClusterSpec spec, int threads, long memoryBudgetBytes, Backend driver) {
        if (spec.isRunning()) return new ClusterScheduler(EmbeddedCluster.running(spec.clusterName()), false, spec, threads, memoryBudgetBytes, driver);
        if (spec.isEmbedded()) {
            // a name of its own, so that no other cluster in this JVM can be mistaken for it
            EmbeddedCluster c = EmbeddedCluster.start(spec.clusterName() + "-" + java.util.UUID.randomUUID(), spec.embeddedMembers(), threads,
                    memoryBudgetBytes);
            return new ClusterScheduler(c, true, spec, threads, memoryBudgetBytes, driver);
        }
        ClusterClient c = ClusterClient.connect(spec);
        try {
            return new ClusterScheduler(c, true, spec, threads, memoryBudgetBytes, driver);
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }
}
