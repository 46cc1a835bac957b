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
 * them; its first piece waits (up to 10 s) until another thread has run one, so a helper is seen however slowly it
 * wakes. Static state: the members run in the test's JVM.
 */
public final class SharedPiecesFunction implements BlockFunction {
    static final int PIECES = 100;
    static final Set<Thread> THREADS = ConcurrentHashMap.newKeySet();
    static volatile CountDownLatch helped = new CountDownLatch(1);
    static volatile AtomicIntegerArray runs = new AtomicIntegerArray(PIECES);
    static volatile boolean onMember;

    static void reset() {
        onMember = false;
        THREADS.clear();
        helped = new CountDownLatch(1);
        runs = new AtomicIntegerArray(PIECES);
    }

    @Override
    public NDArray apply(NDArray block, long[] index) {
        onMember = MemberRuntime.running() != null;
        Thread owner = Thread.currentThread();
        SharedWork.forRange(PIECES, 1, (from, to) -> {
            THREADS.add(Thread.currentThread());
            if (Thread.currentThread() != owner) helped.countDown();
            else if (from == 0) {
                try {
                    helped.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (int i = from; i < to; i++) runs.incrementAndGet(i);
        });
        return block;
    }
}
