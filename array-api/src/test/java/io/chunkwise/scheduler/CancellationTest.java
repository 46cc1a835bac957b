package io.chunkwise.scheduler;

import io.chunkwise.BlockFunction;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ComputationCancelledException;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.testing.LeakCheckingBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping computations: an interrupt of the computing thread, a cancelled {@code computeAsync()} future, and a
 * context closed while computations run on other threads. Each stops at once, releases every chunk (the
 * {@link LeakCheckingBackend} fails the context's close otherwise) and leaves the context usable (or closed).
 * Waits are bounded by generous timeouts; nothing is timed more tightly.
 */
class CancellationTest {
    private static final long WAIT_S = 20;
    /** Chunks of the slow computations: 4000 tasks of 2 ms, seconds of work, of which a cancelled run does a few. */
    private static final int CHUNKS = 4000;

    private static Chunkwise open(int threads, Backend backend) {
        return Chunkwise.builder().threads(threads).backend(new LeakCheckingBackend(backend)).build();
    }

    /** A block function that sleeps 2 ms and counts its calls; the first call opens {@code started}. */
    private record Slow(AtomicInteger calls, AtomicInteger running, CountDownLatch started) implements BlockFunction {
        Slow() { this(new AtomicInteger(), new AtomicInteger(), new CountDownLatch(1)); }

        @Override
        public NDArray apply(NDArray block, long[] index) {
            running.incrementAndGet();
            try {
                calls.incrementAndGet();
                started.countDown();
                LockSupport.parkNanos(2_000_000);   // returns at once once the thread is interrupted
                return block;
            } finally {
                running.decrementAndGet();
            }
        }

        void awaitStart() throws InterruptedException {
            assertTrue(started.await(WAIT_S, TimeUnit.SECONDS), "the computation starts");
        }
    }

    /** Chunks of ones through {@code f}, then a reduction: source, mapped and partial blocks held as it runs. */
    private static ChunkedArray slowSum(Chunkwise cw, BlockFunction f) {
        return cw.ones(DType.FLOAT64, new long[]{CHUNKS * 8L}, new int[]{8}).mapBlocks(f).mul(2).sum();
    }

    /** Runs {@code body} on a thread of its own; the thread records what it threw and whether it was still interrupted. */
    private static final class Computation extends Thread {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicBoolean interruptedAfter = new AtomicBoolean();

        Computation(Supplier<?> body) {
            super(() -> {
                try {
                    body.get();
                } catch (Throwable e) {
                    ((Computation) Thread.currentThread()).thrown.set(e);
                }
                ((Computation) Thread.currentThread()).interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            setDaemon(true);
            start();
        }

        Throwable awaitFailure() throws InterruptedException {
            join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertFalse(isAlive(), "the computation ends within " + WAIT_S + " s");
            assertTrue(thrown.get() != null, "the computation fails");
            return thrown.get();
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void anInterruptStopsTheComputationAndReleasesItsChunks(int threads) throws Exception {
        try (Chunkwise cw = open(threads, new ReferenceBackend())) {
            Slow f = new Slow();
            ChunkedArray sum = slowSum(cw, f);
            Computation c = new Computation(sum::compute);
            f.awaitStart();
            c.interrupt();
            Throwable e = c.awaitFailure();
            assertInstanceOf(ComputationCancelledException.class, e, "the named exception");
            assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
            assertTrue(c.interruptedAfter.get(), "the computing thread keeps its interrupt status");
            assertTrue(f.calls.get() < CHUNKS, "the workers stopped taking tasks: " + f.calls.get() + " of " + CHUNKS + " ran");
            assertEquals(0, f.running.get(), "no task runs once compute() has thrown");
            assertEquals(0, ((LocalScheduler) cw.scheduler()).memoryInUse(), "the run gave back its share of the budget");
            assertEquals(45, cw.arange(DType.INT64, 10, 3).sum().compute().getLong(), "the context stays usable");
        }
    }

    /** A function that sleeps with Thread.sleep and turns the interrupt into an unchecked exception, as user code does. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void anInterruptedSleepInAUserFunctionCancelsToo(int threads) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        try (Chunkwise cw = open(threads, new ReferenceBackend())) {
            ChunkedArray sum = slowSum(cw, (block, index) -> {
                started.countDown();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted", e);
                }
                return block;
            });
            Computation c = new Computation(sum::compute);
            assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
            c.interrupt();
            assertInstanceOf(ComputationCancelledException.class, c.awaitFailure());
            assertTrue(c.interruptedAfter.get(), "the interrupt status is set again");
        }
    }

    @Test
    void anInterruptedThreadDoesNotStartAComputation() {
        try (Chunkwise cw = open(1, new ReferenceBackend())) {
            Slow f = new Slow();
            Thread.currentThread().interrupt();
            try {
                assertThrows(ComputationCancelledException.class, () -> slowSum(cw, f).compute());
                assertTrue(Thread.currentThread().isInterrupted(), "the status is kept");
            } finally {
                Thread.interrupted();
            }
            assertEquals(0, f.calls.get(), "no task ran");
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void cancellingTheFutureOfComputeAsyncStopsTheWorkersAndReleasesEverything(int threads) throws Exception {
        try (Chunkwise cw = open(threads, new ReferenceBackend())) {
            Slow f = new Slow();
            CompletableFuture<NDArray> future = slowSum(cw, f).computeAsync();
            f.awaitStart();
            assertTrue(future.cancel(true));
            assertTrue(future.isCancelled());
            assertThrows(CancellationException.class, future::join, "the future completes at once, cancelled");
            LocalScheduler s = (LocalScheduler) cw.scheduler();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (s.runsUnderWay() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(0, s.runsUnderWay(), "the computation stopped within " + WAIT_S + " s of the cancel");
            assertEquals(0, f.running.get(), "no task of it runs");
            assertTrue(f.calls.get() < CHUNKS, "its workers stopped taking tasks: " + f.calls.get() + " of " + CHUNKS + " ran");
            assertEquals(0, s.memoryInUse(), "it gave back its share of the budget");

            // the context stays usable, asynchronously too
            assertEquals(45, cw.arange(DType.INT64, 10, 3).sum().computeAsync().get(WAIT_S, TimeUnit.SECONDS).getLong());
        }   // the leak check: every block of the cancelled run was released
    }

    /** The reference backend, recording whether it was closed while a task ran (a block function counts them). */
    private static Backend closeWatching(AtomicInteger running, AtomicBoolean closedUnderATask) {
        ReferenceBackend reference = new ReferenceBackend();
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, (proxy, m, args) -> {
            if (m.getName().equals("close") && running.get() != 0) closedUnderATask.set(true);
            try {
                return m.invoke(reference, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void closingTheContextCancelsTheComputationsOnOtherThreadsInOrder(int threads) throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicBoolean closedUnderATask = new AtomicBoolean();
        Chunkwise cw = open(threads, closeWatching(running, closedUnderATask));
        List<Slow> functions = new ArrayList<>();
        List<Computation> computations = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Slow f = new Slow(new AtomicInteger(), running, new CountDownLatch(1));
            ChunkedArray mapped = cw.ones(DType.FLOAT64, new long[]{CHUNKS * 8L}, new int[]{8}).mapBlocks(f);
            functions.add(f);
            // a sum, a gathered compute and a persist: each kind of sink
            computations.add(new Computation(i == 0 ? () -> mapped.sum().compute() : i == 1 ? mapped::compute : mapped::persist));
        }
        for (Slow f : functions) f.awaitStart();
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_S), cw::close, "close() waits for the running tasks only");
        assertFalse(closedUnderATask.get(), "the backend is closed after the last running task returned");
        for (Computation c : computations) {
            Throwable e = c.awaitFailure();
            assertInstanceOf(ComputationCancelledException.class, e, "the named exception");
            assertTrue(e.getMessage().contains("context closed while computing"), e.getMessage());
        }
        for (Slow f : functions) assertTrue(f.calls.get() < CHUNKS, "stopped early: " + f.calls.get() + " of " + CHUNKS);
        ChunkwiseException after = assertThrows(ChunkwiseException.class, () -> cw.ones(DType.FLOAT64, new long[]{4}, new int[]{2}).compute());
        assertTrue(after.getMessage().contains("closed"), after.getMessage());
        cw.close();   // again: nothing left to do
    }

    @Test
    void kernelsSeeTheCancellationOfTheirThreadsComputation() {
        Cancellation.check();   // a thread that works for no computation: nothing happens
        Cancellation token = new Cancellation();
        Cancellation previous = token.enter();
        try {
            assertTrue(Cancellation.working());
            Cancellation.check();
            ComputationCancelledException reason = new ComputationCancelledException("stop");
            assertTrue(token.cancel(reason) == reason);
            assertTrue(token.cancel(new ComputationCancelledException("later")) == reason, "the first reason holds");
            ComputationCancelledException e = assertThrows(ComputationCancelledException.class, Cancellation::check);
            assertEquals("stop", e.getMessage());
        } finally {
            Cancellation.leave(previous);
        }
        assertFalse(Cancellation.working());
        Cancellation.check();

        Cancellation interrupted = new Cancellation();
        previous = interrupted.enter();
        Thread.currentThread().interrupt();
        try {
            assertThrows(ComputationCancelledException.class, Cancellation::check);
            assertEquals(Cancellation.INTERRUPTED, interrupted.reason().getMessage(), "an interrupt cancels the computation");
        } finally {
            Thread.interrupted();
            Cancellation.leave(previous);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} threads")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    void closingAContextFromInsideItsOwnTaskIsRefusedNotAHang(int threads) {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(WAIT_S), () -> {
            try (Chunkwise cw = open(threads, new io.chunkwise.reference.ReferenceBackend())) {
                ChunkedArray x = cw.arange(io.chunkwise.DType.FLOAT64, 12, 4);
                io.chunkwise.TaskFailedException e = org.junit.jupiter.api.Assertions.assertThrows(io.chunkwise.TaskFailedException.class,
                        () -> x.mapBlocks((b, i) -> {
                            cw.close();
                            return b;
                        }).compute());
                org.junit.jupiter.api.Assertions.assertTrue(e.getCause().getMessage().contains("would wait for itself"), e.toString());
                // the context was not closed: it still computes
                org.junit.jupiter.api.Assertions.assertEquals(66.0, x.sum().compute().getDouble());
                // a context of its own, made and closed inside a task, is fine
                org.junit.jupiter.api.Assertions.assertEquals(66.0, x.mapBlocks((b, i) -> {
                    try (Chunkwise inner = Chunkwise.builder().threads(1).backend(new io.chunkwise.reference.ReferenceBackend()).build()) {
                        return inner.fromNDArray(b, new int[]{2}).compute();
                    }
                }).sum().compute().getDouble());
            }
        });
    }
}
