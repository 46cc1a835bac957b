package io.chunkwise.cluster;

import io.chunkwise.BlockFunction;
import io.chunkwise.NDArray;
import io.chunkwise.spi.SharedWork;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two blocks on one member of two threads: block {@link #BUSY} holds its slot until block {@link #SHARING} has
 * offered its pieces ({@link SharedWork}) and run the first, so that no slot is free when they are offered; the
 * sharing block's first piece then waits (up to 10 s) for a second thread to run one, which only the busy block's
 * freed slot can be. Other blocks pass through. Static state: the members run in the test's JVM.
 */
public final class HelpAfterBusyFunction implements BlockFunction {
    static final long BUSY = 0, SHARING = 3;
    static final int PIECES = 100;
    static final Set<Thread> THREADS = ConcurrentHashMap.newKeySet();
    static final Set<MemberRuntime> MEMBERS = ConcurrentHashMap.newKeySet();
    static volatile CountDownLatch busyStarted, offered, twoThreads;

    static void reset() {
        THREADS.clear();
        MEMBERS.clear();
        busyStarted = new CountDownLatch(1);
        offered = new CountDownLatch(1);
        twoThreads = new CountDownLatch(2);
    }

    @Override
    public NDArray apply(NDArray block, long[] index) {
        if (index[0] == BUSY) {
            MEMBERS.add(MemberRuntime.running());
            busyStarted.countDown();
            await(offered);
        } else if (index[0] == SHARING) {
            MEMBERS.add(MemberRuntime.running());
            await(busyStarted);
            SharedWork.forRange(PIECES, 1, (from, to) -> {
                offered.countDown();
                if (THREADS.add(Thread.currentThread())) {
                    twoThreads.countDown();
                    await(twoThreads);
                }
            });
        }
        return block;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
