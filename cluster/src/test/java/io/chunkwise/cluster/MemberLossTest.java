package io.chunkwise.cluster;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ClusterSpec;
import io.chunkwise.DType;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A member lost mid-job: the job fails with the library's error within a bounded time, never hangs (no recovery yet). */
class MemberLossTest {
    @Test
    void aJobWhoseMemberIsTerminatedFailsPromptly() throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.start("chunkwise-loss-test-" + UUID.randomUUID(), 3, 2);
             Chunkwise cw = Chunkwise.builder().threads(2).cluster(ClusterSpec.running(cluster.name())).build()) {
            ChunkedArray x = cw.ones(DType.FLOAT64, new long[]{300 * 10}, new int[]{10}).mapBlocks(SlowBlockFunction.class.getName());
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    return;
                }
                cluster.member(2).getLifecycleService().terminate();
            });
            long t0 = System.nanoTime();
            killer.start();
            ChunkwiseException e = assertThrows(ChunkwiseException.class, () -> x.sum().compute());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            killer.join(10_000);
            assertTrue(seconds < 30, "failed after " + seconds + " s: " + e);
            assertTrue(e.getMessage().contains("member"), "names the member: " + e.getMessage());
        }
    }
}
