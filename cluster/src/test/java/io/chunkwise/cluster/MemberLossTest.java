package io.chunkwise.cluster;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ClusterSpec;
import io.chunkwise.ClusterUnavailableException;
import io.chunkwise.DType;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members terminated mid-job (in this JVM, Hazelcast's {@code terminate()}: a crash without a goodbye): the job
 * completes with the local scheduler's bits, making lost chunks again from the graph; a job whose members are all
 * gone fails with a clear error within a bounded time.
 */
class MemberLossTest {
    /** Terminates member {@code i} of {@code cluster} after {@code millis} ms, on a thread of its own. */
    private static Thread terminateLater(EmbeddedCluster cluster, int millis, int... which) {
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            for (int i : which) cluster.member(i).getLifecycleService().terminate();
        });
        killer.start();
        return killer;
    }

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return v;
    }

    /** A pipeline with slow blocks (so that the loss falls mid-job), blockwise steps, a reduction over an axis and a full one. */
    private static double[] pipeline(Chunkwise cw, double[] data) {
        ChunkedArray x = cw.fromArray(data, new long[]{300, 50}, new int[]{7, 13});
        ChunkedArray slow = x.mapBlocks(SlowBlockFunction.class.getName());
        ChunkedArray y = slow.mul(x).add(1.5);
        double[] rows = y.sum(1).compute().toDoubleArray();
        double[] out = java.util.Arrays.copyOf(rows, rows.length + 1);
        out[rows.length] = y.mean().compute().getDouble();
        return out;
    }

    private static void assertBitIdentical(double[] want, double[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            if (Double.doubleToRawLongBits(want[i]) != Double.doubleToRawLongBits(got[i])) {
                throw new AssertionError("position " + i + ": local " + want[i] + ", cluster " + got[i]);
            }
        }
    }

    @Test
    void aJobWhoseMemberIsTerminatedCompletesWithTheLocalBits() throws Exception {
        double[] data = random(300 * 50, 11);
        double[] want;
        try (Chunkwise local = Chunkwise.builder().threads(2).build()) {
            want = pipeline(local, data);
        }
        try (EmbeddedCluster cluster = EmbeddedCluster.start("chunkwise-loss-test-" + UUID.randomUUID(), 3, 2);
             Chunkwise cw = Chunkwise.builder().threads(2).cluster(ClusterSpec.running(cluster.name())).build()) {
            Thread killer = terminateLater(cluster, 500, 2);
            long t0 = System.nanoTime();
            double[] got = pipeline(cw, data);
            killer.join(10_000);
            assertTrue(!cluster.member(2).getLifecycleService().isRunning(), "the member was terminated during the job");
            assertBitIdentical(want, got);
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 60, "recovered within a minute");
            // the context goes on working on the members that remain
            assertBitIdentical(want, pipeline(cw, data));
        }
    }

    @Test
    void aJobWhoseMembersAreAllGoneFailsPromptlyWithAClearError() throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.start("chunkwise-loss-all-" + UUID.randomUUID(), 3, 2);
             Chunkwise cw = Chunkwise.builder().threads(2).cluster(ClusterSpec.running(cluster.name())).build()) {
            ChunkedArray x = cw.ones(DType.FLOAT64, new long[]{1500 * 10}, new int[]{10}).mapBlocks(SlowBlockFunction.class.getName());
            Thread killer = terminateLater(cluster, 400, 2, 1, 0);
            long t0 = System.nanoTime();
            ChunkwiseException e = assertThrows(ChunkwiseException.class, () -> x.sum().compute());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            killer.join(10_000);
            assertTrue(seconds < 30, "failed after " + seconds + " s: " + e);
            assertTrue(e instanceof ClusterUnavailableException, "a cluster error: " + e);
            assertTrue(e.getMessage().contains("member"), "says the members are gone: " + e.getMessage());
        }
    }

    @Test
    void theRecoveryOptionsAreCheckedWhenSet() {
        ClusterSpec s = ClusterSpec.embedded(2).taskAttempts(5).stallTimeout(java.time.Duration.ofSeconds(7))
                .connectTimeout(java.time.Duration.ofSeconds(2));
        assertEquals(5, s.taskAttempts());
        assertEquals(7, s.stallTimeout().toSeconds());
        assertEquals(2, s.connectTimeout().toSeconds());
        assertEquals(5, s.clusterName("other").taskAttempts(), "kept by the other setters");
        Function<Runnable, Exception> fails = r -> assertThrows(io.chunkwise.InvalidArgumentException.class, r::run);
        assertTrue(fails.apply(() -> ClusterSpec.embedded(1).taskAttempts(0)).getMessage().contains("task attempts"));
        assertTrue(fails.apply(() -> ClusterSpec.embedded(1).stallTimeout(java.time.Duration.ZERO)).getMessage().contains("stall"));
        assertTrue(fails.apply(() -> ClusterSpec.connect("127.0.0.1:1").connectTimeout(java.time.Duration.ofSeconds(-1))).getMessage().contains("connect"));
    }
}
