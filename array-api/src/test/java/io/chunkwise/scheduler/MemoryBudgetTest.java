package io.chunkwise.scheduler;

import io.chunkwise.BlockFunction;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.NDArray;
import io.chunkwise.TaskFailedException;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.testing.LeakCheckingBackend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One memory budget per context: concurrent computations share it (a run waits for memory that another holds and
 * runs on when it is released; runs that all wait for each other do not deadlock), persisted arrays have a budget of
 * their own, and a fused reduction is charged for the chunk only where the backend materialises it.
 */
class MemoryBudgetTest {
    private static final long WAIT_S = 20;
    private static final int MIB_DOUBLES = 1 << 17;   // 1 MiB of float64
    private static final long MIB = 1 << 20;

    private static Chunkwise open(int threads, long budget, Backend backend, UnaryOperator<Chunkwise.Builder> more) {
        return more.apply(Chunkwise.builder().threads(threads).memoryBudget(budget).backend(new LeakCheckingBackend(backend))).build();
    }

    private static Chunkwise open(int threads, long budget) { return open(threads, budget, new ReferenceBackend(), b -> b); }

    /** Runs each computation on a thread of its own at once; their results, or what they threw, in order. */
    private static List<Object> concurrently(List<java.util.concurrent.Callable<Object>> computations) throws InterruptedException {
        List<Future<Object>> futures = new ArrayList<>();
        for (var c : computations) {
            java.util.concurrent.FutureTask<Object> t = new java.util.concurrent.FutureTask<>(c);
            Thread thread = new Thread(t);
            thread.setDaemon(true);
            thread.start();
            futures.add(t);
        }
        List<Object> out = new ArrayList<>();
        for (Future<Object> f : futures) {
            try {
                out.add(f.get(WAIT_S, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                out.add(e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("a computation did not end within " + WAIT_S + " s (a deadlock?)", e);
            }
        }
        return out;
    }

    @Test
    void concurrentComputationsShareTheContextsBudget() throws Exception {
        long budget = MIB + MIB / 2;   // one mapped chunk of 1 MiB at a time, across both computations
        try (Chunkwise cw = open(3, budget)) {
            LocalScheduler s = (LocalScheduler) cw.scheduler();
            ChunkedArray x = cw.ones(DType.FLOAT64, new long[]{8L * MIB_DOUBLES}, new int[]{MIB_DOUBLES}).persist();
            AtomicInteger running = new AtomicInteger(), mostAtOnce = new AtomicInteger();
            AtomicLong mostInUse = new AtomicLong();
            BlockFunction f = (block, index) -> {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                mostInUse.accumulateAndGet(s.memoryInUse(), Math::max);
                LockSupport.parkNanos(3_000_000);
                running.decrementAndGet();
                return block;
            };
            List<Object> sums = concurrently(List.of(() -> x.mapBlocks(f).sum().compute(), () -> x.mapBlocks(f).sum().compute(),
                    () -> x.mapBlocks(f).sum().compute()));
            for (Object r : sums) assertEquals(8.0 * MIB_DOUBLES, ((NDArray) r).getDouble(), 0.0, "each sum completes: " + r);
            assertEquals(1, mostAtOnce.get(), "one 1 MiB chunk at a time within " + budget + " bytes, whichever computation's");
            assertTrue(mostInUse.get() <= budget, "at most the budget reserved in all: " + mostInUse.get());
            assertEquals(0, s.memoryInUse(), "all given back");
        }
    }

    @Test
    void computationsThatEachHoldPartOfTheBudgetAndWaitForMoreDoNotDeadlock() throws Exception {
        // each computation maps 2 chunks of 1 MiB and holds both until their partials run; the four mapped chunks
        // meet (a latch) and fill the budget, so that each computation's partials wait for the other's memory
        try (Chunkwise cw = open(3, 4 * MIB)) {
            ChunkedArray x = cw.ones(DType.FLOAT64, new long[]{2L * MIB_DOUBLES}, new int[]{MIB_DOUBLES}).persist();
            CountDownLatch allMapped = new CountDownLatch(4);
            BlockFunction meet = (block, index) -> {
                allMapped.countDown();
                try {
                    assertTrue(allMapped.await(WAIT_S, TimeUnit.SECONDS), "the four chunks are mapped at once");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return block;
            };
            List<Object> results = concurrently(List.of(() -> x.mapBlocks(meet).sum().compute(), () -> x.mapBlocks(meet).sum().compute()));
            int failed = 0;
            for (Object r : results) {
                if (r instanceof NDArray a) {
                    assertEquals(2.0 * MIB_DOUBLES, a.getDouble(), 0.0, "the computation that went on");
                } else {
                    failed++;
                    MemoryBudgetExceededException e = assertInstanceOf(MemoryBudgetExceededException.class, r);
                    assertTrue(e.getMessage().contains("wait for memory that the others hold"), e.getMessage());
                }
            }
            assertEquals(1, failed, "one computation, the most recently started, fails; the other completes: " + results);
            assertEquals(0, ((LocalScheduler) cw.scheduler()).memoryInUse());
            assertEquals(45, cw.arange(DType.INT64, 10, 3).sum().compute().getLong(), "the context stays usable");
        }
    }

    @Test
    void aTaskThatCannotFitFailsAtOnceWhileAnotherComputationHoldsMemory() throws Exception {
        try (Chunkwise cw = open(2, 3 * MIB)) {
            ChunkedArray x = cw.ones(DType.FLOAT64, new long[]{2L * MIB_DOUBLES}, new int[]{MIB_DOUBLES}).persist();
            CountDownLatch holding = new CountDownLatch(1), done = new CountDownLatch(1);
            BlockFunction hold = (block, index) -> {
                holding.countDown();
                try {
                    assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return block;
            };
            List<Object> results = concurrently(List.of(() -> x.mapBlocks(hold).sum().compute(), () -> {
                assertTrue(holding.await(WAIT_S, TimeUnit.SECONDS));
                try {   // one chunk of 4 MiB read twice: held whole, over the budget alone
                    ChunkedArray big = cw.ones(DType.FLOAT64, new long[]{4L * MIB_DOUBLES}, new int[]{4 * MIB_DOUBLES}).add(1);
                    return big.sum().add(big.max()).compute();
                } finally {
                    done.countDown();
                }
            }));
            assertEquals(2.0 * MIB_DOUBLES, ((NDArray) results.get(0)).getDouble(), 0.0);
            MemoryBudgetExceededException e = assertInstanceOf(MemoryBudgetExceededException.class, results.get(1));
            assertTrue(e.getMessage().contains(Long.toString(3 * MIB)), "names the budget: " + e.getMessage());
        }
    }

    @Test
    void persistedArraysHaveABudgetOfTheirOwn() {
        LeakCheckingBackend[] backend = new LeakCheckingBackend[1];
        try (Chunkwise cw = Chunkwise.builder().threads(1).memoryBudget(MIB).persistBudget(3 * MIB)
                .backend(backend[0] = new LeakCheckingBackend(new ReferenceBackend())).build()) {
            ChunkedArray a = cw.ones(DType.FLOAT64, new long[]{2L * MIB_DOUBLES}, new int[]{MIB_DOUBLES / 2}).persist();  // 2 MiB
            AtomicInteger calls = new AtomicInteger();
            ChunkedArray more = cw.ones(DType.FLOAT64, new long[]{2L * MIB_DOUBLES}, new int[]{MIB_DOUBLES / 2})
                    .mapBlocks((block, index) -> {
                        calls.incrementAndGet();
                        return block;
                    });
            MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class, more::persist);
            assertTrue(e.getMessage().contains("persist budget") && e.getMessage().contains(Long.toString(3 * MIB)), e.getMessage());
            assertEquals(0, calls.get(), "refused before running");

            // a persist that fails gives its bytes back and releases the chunks it stored
            int held = backend[0].heldBlocks();
            ChunkedArray failing = cw.ones(DType.FLOAT64, new long[]{MIB_DOUBLES}, new int[]{MIB_DOUBLES / 4})
                    .mapBlocks((block, index) -> {
                        if (index[0] == 2) throw new IllegalStateException("no third chunk");
                        return block;
                    });
            assertThrows(TaskFailedException.class, failing::persist);
            assertEquals(held, backend[0].heldBlocks(), "the two chunks the failed persist stored are released");
            ChunkedArray b = cw.ones(DType.FLOAT64, new long[]{MIB_DOUBLES}, new int[]{MIB_DOUBLES / 2}).persist();   // 1 MiB: fits
            assertEquals(3.0 * MIB_DOUBLES, a.sum().add(b.sum()).compute().getDouble(), 0.0);
        }
    }

    /** The reference backend, claiming that it streams reductions (it still computes the chunk; only the charge changes). */
    private static Backend claimingToStream() {
        ReferenceBackend reference = new ReferenceBackend();
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, (proxy, m, args) -> {
            if (m.getName().equals("streamsReduction")) return true;
            try {
                return m.invoke(reference, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void aFusedReductionIsChargedForTheChunkOnlyWhereTheBackendMaterialisesIt() {
        long[] shape = {2L * MIB_DOUBLES};   // one lazy chunk of 2 MiB, twice the budget
        try (Chunkwise cw = open(1, MIB)) {
            ChunkedArray x = cw.ones(DType.FLOAT64, shape, new int[]{2 * MIB_DOUBLES}).add(1);
            assertEquals(2.0, x.compute().getDouble(7), 0.0, "compute() writes the chunk in place: no block to hold");
            MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class, () -> x.sum().compute(),
                    "the reference backend computes the chunk to reduce it");
            assertTrue(e.getMessage().contains(Long.toString(MIB)), e.getMessage());
        }
        try (Chunkwise cw = open(1, MIB, claimingToStream(), b -> b)) {
            ChunkedArray x = cw.ones(DType.FLOAT64, shape, new int[]{2 * MIB_DOUBLES}).add(1);
            assertEquals(4.0 * MIB_DOUBLES, x.sum().compute().getDouble(), 0.0, "a streamed reduction holds its partial only");
        }
    }
}
