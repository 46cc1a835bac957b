package io.chunkwise.cluster;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.TaskFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Member processes lost mid-job, driven by a client: {@code kill -9} of one, and a task that stops every member that
 * runs it. Four members started once; the tests run in order, each leaving fewer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemberProcessLossTest {
    @TempDir
    static Path dir;
    private MemberProcesses members;

    @BeforeAll
    void start() { members = MemberProcesses.start(dir, 4, 1, "--memory", "256m"); }

    @AfterAll
    void stop() {
        if (members != null) members.close();
    }

    private static double[] pipeline(Chunkwise cw, double[] data) {
        ChunkedArray x = cw.fromArray(data, new long[]{300, 50}, new int[]{7, 13});
        ChunkedArray y = x.mapBlocks(SlowBlockFunction.class.getName()).mul(x).add(1.5);
        double[] rows = y.sum(1).compute().toDoubleArray();
        double[] out = java.util.Arrays.copyOf(rows, rows.length + 1);
        out[rows.length] = y.mean().compute().getDouble();
        return out;
    }

    @Test
    @Order(1)
    void aJobWhoseMemberProcessIsKilledCompletesWithTheLocalBits() throws Exception {
        double[] data = new double[300 * 50];
        Random r = new Random(21);
        for (int i = 0; i < data.length; i++) data[i] = r.nextGaussian();
        double[] want;
        try (Chunkwise local = Chunkwise.builder().threads(1).build()) {
            want = pipeline(local, data);
        }
        try (Chunkwise cw = Chunkwise.builder().threads(1).cluster(members.spec()).build()) {
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(1000);
                    members.kill(3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long t0 = System.nanoTime();
            killer.start();
            double[] got = pipeline(cw, data);
            killer.join(30_000);
            assertFalse(members.process(3).isAlive(), "member 3 was killed during the job");
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 90, "recovered in bounded time");
            for (int i = 0; i < want.length; i++) {
                if (Double.doubleToRawLongBits(want[i]) != Double.doubleToRawLongBits(got[i])) {
                    throw new AssertionError("position " + i + ": local " + want[i] + ", cluster " + got[i]);
                }
            }
        }
    }

    @Test
    @Order(2)
    void aTaskThatKeepsStoppingItsMembersFailsAfterTheAttemptsAllowed() {
        try (Chunkwise cw = Chunkwise.builder().threads(1).cluster(members.spec().taskAttempts(2)).build()) {
            ChunkedArray x = cw.arange(io.chunkwise.DType.FLOAT64, 60, 10).mapBlocks(HaltingBlockFunction.class.getName());
            long t0 = System.nanoTime();
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> x.sum().compute());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            assertTrue(seconds < 60, "failed after " + seconds + " s");
            assertTrue(e.getMessage().contains("map_blocks") && e.getMessage().contains(", 2)") && e.getMessage().contains("2 times")
                    && e.getMessage().contains("taskAttempts"), "names the task and the limit: " + e.getMessage());
        }
        long alive = java.util.stream.IntStream.range(0, 3).filter(i -> members.process(i).isAlive()).count();
        assertEquals(1, alive, "the task stopped exactly the 2 members it was allowed to");
    }
}
