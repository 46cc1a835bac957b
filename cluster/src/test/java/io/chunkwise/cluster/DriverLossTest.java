package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.ClusterUnavailableException;
import io.chunkwise.ComputeListener;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A driver that is killed mid-job (its Hazelcast client terminated: its connections close as a killed process's do)
 * leaves nothing on the members once their grace period is over: neither the chunks its unfinished job left there
 * nor the chunks it persisted; another client's persisted array and computations are untouched. Two real members
 * on loopback in this JVM, started as the launcher starts them, and two real clients.
 */
class DriverLossTest {
    private static final Duration GRACE = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    void aKilledClientsJobsAndPersistedChunksLeaveTheMembersAndNothingElseDoes() throws Exception {
        Path secret = MemberProcesses.newSecretFile(dir);
        String name = "chunkwise-driver-loss-" + UUID.randomUUID();
        List<String> addresses = EmbeddedCluster.freePorts(2).stream().map(p -> HazelcastConfigs.LOOPBACK + ":" + p).toList();
        List<ClusterMember> members = new ArrayList<>();
        try {
            for (String a : addresses) {
                members.add(ClusterMember.start(new ClusterMember.Options().clusterName(name).port(Integer.parseInt(a.substring(a.indexOf(':') + 1)))
                        .join(addresses).threads(1).memory(256L << 20).secretFile(secret).driverGrace(GRACE)));
            }
            ClusterSpec spec = ClusterSpec.connect(addresses.get(0)).clusterName(name).secretFile(secret);
            try (Chunkwise survivor = Chunkwise.builder().threads(1).cluster(spec).build()) {
                ChunkedArray kept = survivor.random(11).normal(DType.FLOAT64, 0.0, 1.0, new long[]{30, 40}, new int[]{7, 9}).persist();
                double[] keptValues = kept.compute().toDoubleArray();
                long keptChunks = kept.chunks().chunkCount();

                AtomicBoolean killedWhileHeld = new AtomicBoolean();
                try (Chunkwise doomed = Chunkwise.builder().threads(1).cluster(spec).build()) {
                    HazelcastInstance client = ((ClusterScheduler) doomed.scheduler()).cluster().driverHandle();
                    // partial sums of 128 KiB (above the driver's reduction tail): combined on the members, which keep them meanwhile
                    ChunkedArray x = doomed.random(12).normal(DType.FLOAT64, 0.0, 1.0, new long[]{61, 16_384}, new int[]{5, 16_384}).persist();
                    ComputeListener killer = new ComputeListener() {
                        @Override
                        public void taskDone(int done, int total, long bytes, long nanos, String backend) {
                            if (killedWhileHeld.get() || members.stream().allMatch(m -> m.runtime().jobsHeld().isEmpty())) return;
                            killedWhileHeld.set(true);
                            client.getLifecycleService().terminate();   // as a killed process: no job end, no deletes
                        }
                    };
                    assertThrows(ClusterUnavailableException.class, () -> x.sum(0).compute(killer));
                }
                assertTrue(killedWhileHeld.get(), "the job never left chunks on a member to be killed with");

                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (true) {
                    List<Set<String>> jobs = members.stream().map(m -> m.runtime().jobsHeld()).toList();
                    long chunks = members.stream().mapToLong(m -> m.runtime().chunksHeld()[0]).sum();
                    int owners = survivorHandle(survivor).getMap(HazelcastConfigs.PERSISTED_OWNERS_MAP).size();
                    if (jobs.stream().allMatch(Set::isEmpty) && chunks == keptChunks && owners == keptChunks) break;
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("20 s after the client was killed, the members still hold jobs " + jobs + ", " + chunks
                                + " chunks and " + owners + " owner records (the survivor's persisted array has " + keptChunks + ")");
                    }
                    Thread.sleep(50);
                }
                NDArray again = kept.compute();
                assertArrayEquals(keptValues, again.toDoubleArray(), "the other client's persisted array changed");
                assertEquals(kept.sum().compute().getDouble(), sumOf(keptValues), 1e-9 * keptValues.length, "the other client computes as before");
            }
        } finally {
            for (ClusterMember m : members) m.close();
        }
    }

    private static HazelcastInstance survivorHandle(Chunkwise cw) {
        return ((ClusterScheduler) cw.scheduler()).cluster().driverHandle();
    }

    private static double sumOf(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s;
    }
}
