package io.chunkwise.cluster;

import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Per-job and per-task overhead of the cluster against the local scheduler; runs only with
 * {@code -Dchunkwise.bench=true} and prints its figures.
 */
class ClusterOverheadBench {
    @Test
    void overhead() throws Exception {
        assumeTrue(Boolean.getBoolean("chunkwise.bench"), "a benchmark: run with -Dchunkwise.bench=true");
        int chunks = Integer.getInteger("chunkwise.bench.chunks", 10_000);
        try (Chunkwise local = Chunkwise.builder().threads(2).build();
             Chunkwise cluster = Chunkwise.builder().threads(2).cluster(ClusterSpec.embedded(2)).build()) {
            com.hazelcast.core.HazelcastInstance hz = ((ClusterScheduler) cluster.scheduler()).cluster().driverHandle();
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    com.hazelcast.map.IMap<Object, Object> m = hz.getMap(HazelcastConfigs.JOB_MAP_PREFIX + i + "-" + rep);
                    m.set(1, new byte[8]);
                    m.destroy();
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    hz.getExecutorService(HazelcastConfigs.EXECUTOR).submitToMember(new TaskBatch("x", "CPU", new int[0], new byte[0][], new byte[0], new ChunkId[0]),
                            hz.getCluster().getMembers().iterator().next()).get(5, java.util.concurrent.TimeUnit.SECONDS);
                }
                long t2 = System.nanoTime();
                System.out.printf("map create+set+destroy %.2f ms; empty batch round trip %.3f ms%n", (t1 - t0) / 50e6, (t2 - t1) / 50e6);
            }
            for (Chunkwise cw : new Chunkwise[]{local, cluster}) {
                String name = cw == local ? "local" : "cluster of 2";
                for (int rep = 0; rep < 3; rep++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 50; i++) cw.arange(DType.INT64, 10, 3).sum().compute();
                    long t1 = System.nanoTime();
                    double s = cw.ones(DType.FLOAT64, new long[]{chunks * 100L}, new int[]{100}).sum().compute().getDouble();
                    long t2 = System.nanoTime();
                    System.out.printf("%s: small job %.2f ms; ones(%d chunks).sum() = %.0f in %.1f ms (%.1f us a chunk)%n", name,
                            (t1 - t0) / 50e6, chunks, s, (t2 - t1) / 1e6, (t2 - t1) / 1e3 / chunks);
                }
            }
        }
    }
}
