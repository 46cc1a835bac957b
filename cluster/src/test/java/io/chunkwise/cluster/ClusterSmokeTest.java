package io.chunkwise.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.chunkwise.Chunkwise;
import io.chunkwise.ChunkedArray;
import io.chunkwise.ClusterSpec;
import io.chunkwise.DType;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Placement and lifecycle on real embedded members. */
class ClusterSmokeTest {
    @Test
    void alignedAddMovesNoChunkBytesAndCloseStopsTheMembers() {
        Set<HazelcastInstance> before = new HashSet<>(Hazelcast.getAllHazelcastInstances());
        double[] xs = new double[1000], ys = new double[1000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i * 0.5;
            ys[i] = 1000 - i;
        }
        try (Chunkwise cw = Chunkwise.builder().threads(2).cluster(ClusterSpec.embedded(3)).build()) {
            ChunkedArray x = cw.fromArray(xs, new long[]{1000}, new int[]{37});
            ChunkedArray y = cw.fromArray(ys, new long[]{1000}, new int[]{37});
            EmbeddedCluster c = ((ClusterScheduler) cw.scheduler()).cluster();
            long remote = c.remoteBytesRead();
            double[] sum = x.add(y).mul(x).compute().toDoubleArray();
            double[] want = new double[1000];
            for (int i = 0; i < want.length; i++) want[i] = (xs[i] + ys[i]) * xs[i];
            assertArrayEquals(want, sum, 0.0);
            assertEquals(remote, c.remoteBytesRead(), "x.add(y) with equal chunking read chunk bytes from other members");
            assertEquals(before.size() + 3, Hazelcast.getAllHazelcastInstances().size(), "3 members run while the context is open");
            assertEquals(Math.fma(0, 0, 0) + 500 * 999 * 0.5 / 1, x.sum().compute().getDouble(), 1e-9);
        }
        assertEquals(before, new HashSet<>(Hazelcast.getAllHazelcastInstances()), "closing the context leaves no member running");
    }
}
