package io.chunkwise.cluster;

import com.hazelcast.map.IMap;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** persist() in a cluster keeps the chunks on the members, with a backup, until unpersist() or the context closes. */
class ClusterPersistTest {
    @Test
    void persistedChunksLiveOnTheMembersSurviveALostMemberAndGoWhenTheContextCloses() {
        Random r = new Random(3);
        double[] xs = new double[4000];
        for (int i = 0; i < xs.length; i++) xs[i] = r.nextGaussian();
        double[] want = new double[xs.length];
        for (int i = 0; i < xs.length; i++) want[i] = (xs[i] * 2 + 1) * (xs[i] * 2);
        try (EmbeddedCluster cluster = EmbeddedCluster.start("chunkwise-persist-test-" + UUID.randomUUID(), 3, 2)) {
            IMap<ChunkId, byte[]> store = cluster.driverHandle().getMap(HazelcastConfigs.PERSISTED_MAP);
            assertEquals(1, cluster.driverHandle().getConfig().getMapConfig(HazelcastConfigs.PERSISTED_MAP).getBackupCount());
            try (Chunkwise cw = Chunkwise.builder().threads(2).cluster(ClusterSpec.running(cluster.name())).build()) {
                ChunkedArray source = cw.fromArray(xs, new long[]{4000}, new int[]{97});   // 42 chunks, the last ragged
                ChunkedArray x = source.mul(2).persist();
                ChunkedArray scattered = source.persist();
                assertEquals(2 * 42, store.size(), "each chunk of both arrays is kept in the cluster");
                assertArrayEquals(want, x.add(1).mul(x).compute().toDoubleArray(), 0.0);
                // the member holding some of the chunks goes: their backups serve them
                cluster.member(2).getLifecycleService().terminate();
                assertArrayEquals(want, x.add(1).mul(x).compute().toDoubleArray(), 0.0);
                assertArrayEquals(xs, scattered.compute().toDoubleArray(), 0.0);
                double sum = 0;
                for (double v : want) sum += v;
                assertEquals(sum, x.add(1).mul(x).sum().compute().getDouble(), 1e-9 * xs.length);
                // unpersist(): one array's chunks, their backups and owner records go; the other array's stay
                IMap<ChunkId, String> owners = cluster.driverHandle().getMap(HazelcastConfigs.PERSISTED_OWNERS_MAP);
                assertEquals(2 * 42, owners.size(), "an owner record for each persisted chunk");
                x.unpersist();
                assertEquals(42, store.size(), "x's chunks are deleted, the scattered array's kept");
                assertEquals(42, owners.size(), "x's owner records are deleted");
                assertArrayEquals(xs, scattered.mul(1).compute().toDoubleArray(), 0.0);
                assertThrows(InvalidArgumentException.class, () -> x.sum().compute(), "x is gone");
            }
            assertTrue(store.isEmpty(), "closing the context deleted its persisted chunks: " + store.size() + " left");
            long deadline = System.nanoTime() + 10_000_000_000L;   // the members' caches follow the map's events
            while (cluster.runtimes().stream().anyMatch(m -> m.persistedBlocksCached() > 0) && System.nanoTime() < deadline) Thread.onSpinWait();
            for (MemberRuntime m : cluster.runtimes()) assertEquals(0, m.persistedBlocksCached(), "a member still caches deleted chunks");
        }
    }
}
