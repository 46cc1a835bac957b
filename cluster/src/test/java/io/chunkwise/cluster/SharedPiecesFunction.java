package io.chunkwise.cluster;

import io.chunkwise.BlockFunction;
import io.chunkwise.NDArray;
import io.chunkwise.spi.SharedWork;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A block function that shares {@link #PIECES} pieces of work ({@link SharedWork}) and records the threads that ran
 * them; each thread's first piece waits (up to 10 s) until two threads have run pieces, so both are seen however the
 * threads are scheduled. Static state: the members run in the test's JVM.
 */
public final class SharedPiecesFunction implements BlockFunction {
    static final int PIECES = 100;
    static final Set<Thread> THREADS = ConcurrentHashMap.newKeySet();
    static volatile CountDownLatch twoThreads = new CountDownLatch(2);
    static volatile AtomicIntegerArray runs = new AtomicIntegerArray(PIECES);
    static volatile boolean onMember;

    static void reset() {
        onMember = false;
        THREADS.clear();
        twoThreads = new CountDownLatch(2);
        runs = new AtomicIntegerArray(PIECES);
    }

    @Override
    public NDArray apply(NDArray block, long[] index) {
        onMember = MemberRuntime.running() != null;
        CountDownLatch two = twoThreads;
        SharedWork.forRange(PIECES, 1, (from, to) -> {
            if (THREADS.add(Thread.currentThread())) {
                two.countDown();
                try {
                    two.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (int i = from; i < to; i++) runs.incrementAndGet(i);
        });
        return block;
    }
}
