package io.chunkwise.scheduler;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.TaskFailedException;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.SharedWork;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared work ({@link SharedWork}): every index of a range runs exactly once, on the task's thread alone outside a
 * scheduler, and also on an idle worker of the local scheduler while a task offers its pieces; a piece's failure
 * reaches the task.
 */
class SharedWorkTest {
    @Test
    void outsideASchedulerARangeRunsOnTheCallingThread() {
        AtomicIntegerArray runs = new AtomicIntegerArray(1000);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        SharedWork.forRange(1000, 7, (from, to) -> {
            threads.add(Thread.currentThread());
            for (int i = from; i < to; i++) runs.incrementAndGet(i);
        });
        for (int i = 0; i < runs.length(); i++) assertEquals(1, runs.get(i), "index " + i);
        assertEquals(Set.of(Thread.currentThread()), threads);
        SharedWork.forRange(0, 7, (from, to) -> { throw new AssertionError("an empty range runs nothing"); });
        assertThrows(IllegalArgumentException.class, () -> SharedWork.forRange(10, 0, (from, to) -> {}));
    }

    /**
     * One task on a context of two workers: the idle one helps. Each thread's first piece waits (bounded) until two
     * threads have run pieces, so the test depends neither on how fast the helper wakes nor on the task's thread
     * being scheduled before the helper has taken every piece.
     */
    @Test
    void anIdleWorkerHelpsARunningTask() throws Exception {
        int n = 200;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch twoThreads = new CountDownLatch(2);
        try (Chunkwise cw = Chunkwise.builder().threads(2).backend(new ReferenceBackend()).build()) {
            ChunkedArray x = cw.ones(DType.FLOAT64, new long[]{4}, new int[]{4});
            NDArray out = x.mapBlocks((block, index) -> {
                SharedWork.forRange(n, 1, (from, to) -> {
                    if (threads.add(Thread.currentThread())) {
                        twoThreads.countDown();
                        await(twoThreads);
                    }
                    for (int i = from; i < to; i++) runs.incrementAndGet(i);
                });
                return block;
            }).compute();
            for (int i = 0; i < 4; i++) assertEquals(1.0, out.getDouble(i), "the block passed through");
        }
        assertEquals(0, twoThreads.getCount(), "no second thread ran a piece within 10 s: " + threads);
        assertEquals(2, threads.size(), "the pieces ran on the task's thread and the idle worker");
        for (int i = 0; i < n; i++) assertEquals(1, runs.get(i), "index " + i);
    }

    @Test
    void aPieceThatFailsFailsItsTaskAndStopsThePiecesNotStarted() {
        AtomicIntegerArray runs = new AtomicIntegerArray(1000);
        try (Chunkwise cw = Chunkwise.builder().threads(2).backend(new ReferenceBackend()).build()) {
            ChunkedArray x = cw.ones(DType.FLOAT64, new long[]{4}, new int[]{4});
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> x.mapBlocks((block, index) -> {
                SharedWork.forRange(1000, 1, (from, to) -> {
                    runs.incrementAndGet(from);
                    if (from == 10) throw new IllegalStateException("piece 10 is broken");
                    LockSupport.parkNanos(1_000_000);   // a millisecond a piece: the failure comes long before the last
                });
                return block;
            }).compute());
            assertTrue(e.getMessage().contains("piece 10 is broken"), e.getMessage());
        }
        int ran = 0;
        for (int i = 0; i < runs.length(); i++) {
            assertTrue(runs.get(i) <= 1, "index " + i + " ran twice");
            ran += runs.get(i);
        }
        assertTrue(ran < 1000, "the pieces after the failure did not all run: " + ran);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
