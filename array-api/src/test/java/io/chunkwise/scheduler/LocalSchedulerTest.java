package io.chunkwise.scheduler;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.NDArray;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.GraphBuilder;
import io.chunkwise.graph.Optimizer;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.PriorityQueue;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local scheduler's own parts (the ready heap, output chunks written in place), and the optimizer's fusion of
 * an elementwise producer into a reduction.
 */
class LocalSchedulerTest {
    @Test
    void readyHeapPollsSmallestFirst() {
        Random r = new Random(5);
        LocalScheduler.IntHeap heap = new LocalScheduler.IntHeap();
        PriorityQueue<Integer> expected = new PriorityQueue<>();
        for (int step = 0; step < 20_000; step++) {
            if (expected.isEmpty() || r.nextInt(3) > 0) {
                int x = r.nextInt(1000);
                heap.add(x);
                expected.add(x);
            } else if (r.nextInt(3) == 0) {   // a task taken out of turn (it fits the budget where the head does not)
                int x = heap.at(r.nextInt(heap.size()));
                heap.remove(x);
                assertTrue(expected.remove(x), "removed " + x + " at step " + step);
            } else {
                assertEquals(expected.peek(), heap.peek(), "peek at step " + step);
                assertEquals(expected.poll(), heap.poll(), "poll at step " + step);
            }
            assertEquals(expected.size(), heap.size(), "size at step " + step);
        }
        while (!expected.isEmpty()) assertEquals(expected.poll(), heap.poll());
        assertTrue(heap.isEmpty());
    }

    private static Chunkwise open(int threads, long budget) {
        return Chunkwise.builder().threads(threads).backend(new ReferenceBackend()).memoryBudget(budget).build();
    }

    private static long tasksOfLayer(ChunkedArray a, String prefix) {
        List<int[]> all = new ArrayList<>();
        a.chunks().forEachIndex(all::add);
        TaskGraph g = GraphBuilder.build(Optimizer.optimize(a.node()), all);
        return g.tasks().keySet().stream().map(ChunkKey::layer).filter(l -> l.startsWith(prefix)).count();
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void aReductionComputesItsOnlyElementwiseInputInsideItsPartials(int threads) {
        try (Chunkwise cw = open(threads, Long.MAX_VALUE)) {
            ChunkedArray x = cw.random(3).normal(0, 1, new long[]{37, 23}, new int[]{10, 7});
            ChunkedArray y = x.mul(x).add(10);
            ChunkedArray fused = y.sum();
            ChunkedArray rows = y.sum(1);
            assertEquals(0, tasksOfLayer(fused, "elementwise"), "no elementwise task left: the partials compute y");
            assertEquals(0, tasksOfLayer(rows, "elementwise"), "no elementwise task left along an axis either");
            // the same chunks of y, computed first and persisted: the same partials, so the same bits
            ChunkedArray persisted = y.persist();
            assertEquals(persisted.sum().compute().getDouble(), fused.compute().getDouble(), 0.0, "sum of y");
            NDArray a = rows.compute(), b = persisted.sum(1).compute();
            for (int i = 0; i < 37; i++) assertEquals(b.getDouble(i), a.getDouble(i), 0.0, "row sum " + i);
            // y read twice: computed once, as its own tasks
            ChunkedArray both = y.sum().add(y.max());
            assertEquals(16 + 1, tasksOfLayer(both, "elementwise"), "y's 4 x 4 chunks and the final add, once each");
            assertEquals(persisted.sum().compute().getDouble() + persisted.max().compute().getDouble(),
                    both.compute().getDouble(), 0.0, "sum plus max of y");
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void chunksStreamThroughABudgetWhenNothingFuses(int threads) {
        long budget = 8L << 20;                                          // 8 MiB
        long[] shape = {2400, 2400};                                     // 46 MB of float64
        double expected;
        try (Chunkwise cw = open(threads, Long.MAX_VALUE)) {
            expected = cw.random(7).normal(0, 1, shape, new int[]{300, 300}).sum().compute().getDouble();
        }
        try (Chunkwise cw = open(threads, budget)) {
            // mapBlocks is not elementwise: its chunks are tasks of their own, held until their partial has run
            ChunkedArray y = cw.random(7).normal(0, 1, shape, new int[]{300, 300}).mapBlocks((block, index) -> block);
            assertTrue(tasksOfLayer(y.sum(), "map") > 0, "the mapBlocks chunks are tasks");
            assertEquals(expected, y.sum().compute().getDouble(), 0.0, "the sum within a budget of " + budget);
        }
    }

    /** The reference backend, counting the calls of each SPI method (defaults run through the proxy, and count too). */
    private static Backend counting(Map<String, AtomicInteger> calls) {
        ReferenceBackend reference = new ReferenceBackend();
        InvocationHandler h = (proxy, m, args) -> {
            calls.computeIfAbsent(m.getName(), k -> new AtomicInteger()).incrementAndGet();
            if (m.isDefault() && !m.getName().equals("close")) return InvocationHandler.invokeDefault(proxy, m, args);
            try {
                return m.invoke(reference, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, h);
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void matmulOutputChunksAreWrittenIntoTheResult(int threads) {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (Chunkwise cw = Chunkwise.builder().threads(threads).backend(counting(calls)).build();
             Chunkwise plain = open(1, Long.MAX_VALUE)) {
            long[] sa = {50, 40}, sb = {40, 30};
            ChunkedArray x = cw.random(1).normal(0, 1, sa, new int[]{20, 15}).persist();   // 3 x 3 chunks
            ChunkedArray y = cw.random(2).normal(0, 1, sb, new int[]{15, 12}).persist();   // 3 x 3 chunks
            NDArray expected = plain.random(1).normal(0, 1, sa, new int[]{50, 40}).matmul(plain.random(2).normal(0, 1, sb, new int[]{40, 30})).compute();
            calls.clear();
            NDArray product = x.matmul(y).compute();
            assertEquals(9, calls.getOrDefault("matmulInto", new AtomicInteger()).get(), "one matmulInto per output block: " + calls);
            assertEquals(27, calls.getOrDefault("gemm", new AtomicInteger()).get(), "the default matmulInto's 3 products per block");
            for (int i = 0; i < 50; i++) {
                for (int j = 0; j < 30; j++) assertEquals(expected.getDouble(i, j), product.getDouble(i, j), 1e-12, "C[" + i + "," + j + "]");
            }
            calls.clear();
            NDArray shifted = x.matmul(y).add(1).compute();   // the blocks are read by the add: no in-place write
            assertEquals(0, calls.getOrDefault("matmulInto", new AtomicInteger()).get(), "blocks read by another task: " + calls);
            assertEquals(expected.getDouble(7, 9) + 1, shifted.getDouble(7, 9), 1e-12);
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void matmulTilesAreWrittenIntoTheResultAndSplitWhenKept(int threads) {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (Chunkwise tiled = Chunkwise.builder().threads(threads).backend(counting(calls)).matmulTile(40).build();
             Chunkwise plain = open(threads, Long.MAX_VALUE)) {
            long[] sa = {50, 40}, sb = {40, 30};
            ChunkedArray x = tiled.random(1).normal(0, 1, sa, new int[]{20, 15}).persist();   // rows 20 20 10
            ChunkedArray y = tiled.random(2).normal(0, 1, sb, new int[]{15, 12}).persist();   // columns 12 12 6
            NDArray expected = plain.random(1).normal(0, 1, sa, new int[]{20, 15}).matmul(plain.random(2).normal(0, 1, sb, new int[]{15, 12})).compute();
            calls.clear();
            NDArray product = x.matmul(y).compute();
            // tiles of 2 x 3 chunks: rows (40, 10) by columns (30): 2 tiles, each written in place, nothing split
            assertEquals(2, calls.getOrDefault("matmulInto", new AtomicInteger()).get(), "one matmulInto per tile: " + calls);
            assertArrayEquals(expected.toDoubleArray(), product.toDoubleArray(), "the same sums in the same order as chunk by chunk");

            calls.clear();
            ChunkedArray kept = x.matmul(y).persist();
            assertEquals(Chunks.explicit(new long[][]{{20, 20, 10}, {12, 12, 6}}), kept.chunks(), "the chunks asked for");
            assertEquals(0, calls.getOrDefault("matmulInto", new AtomicInteger()).get(), "tiles split into chunks are blocks: " + calls);
            assertArrayEquals(expected.toDoubleArray(), kept.compute().toDoubleArray());
        }
    }

    /** A reference backend whose {@code maximum(x, x)} returns its input block itself, as the SPI allows. */
    private static Backend returnsItsInput(AtomicInteger returned) {
        ReferenceBackend ref = new ReferenceBackend();
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getName().equals("elementwise") && args[0] instanceof io.chunkwise.spi.Expr.Binary b
                    && b.op() == io.chunkwise.spi.BinaryOp.MAXIMUM && b.a() instanceof io.chunkwise.spi.Expr.Input in
                    && b.a().equals(b.b())) {
                returned.incrementAndGet();
                return ((io.chunkwise.spi.Block[]) args[1])[in.index()];
            }
            try {
                return m.invoke(ref, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, h);
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 3})
    void aTaskThatReturnsItsInputBlockReleasesItOnceAndNeverAPersistedOne(int threads) {
        AtomicInteger returned = new AtomicInteger();
        io.chunkwise.testing.LeakCheckingBackend leaks = new io.chunkwise.testing.LeakCheckingBackend(returnsItsInput(returned));
        double[] v = {3, -1, 4, -1, 5, -9, 2, 6};
        double[] plusOne = {4, 0, 5, 0, 6, -8, 3, 7};
        try (Chunkwise cw = Chunkwise.builder().threads(threads).backend(leaks).build()) {
            ChunkedArray x = cw.fromArray(v, new long[]{8}, new int[]{3});
            ChunkedArray same = x.maximum(x);
            // read by another task (a reversing view): released once, after the view's task
            assertArrayEquals(new double[]{6, 2, -9, 5, -1, 4, -1, 3},
                    same.slice(io.chunkwise.Slice.range(7, -9, -1)).compute().toDoubleArray());
            // kept by persist(), which stores what a source chunk's task returned
            ChunkedArray kept = same.persist();
            // a persisted chunk returned as another task's result, persisted again: never released by a computation
            ChunkedArray p = x.add(1).persist();
            for (int i = 0; i < 3; i++) assertArrayEquals(plusOne, p.maximum(p).persist().compute().toDoubleArray());
            assertArrayEquals(v, kept.compute().toDoubleArray());
            assertEquals(3 + 3 + 3 * 3, returned.get(), "tasks whose backend returned their input");
        }   // LeakCheckingBackend: every block released exactly once, persisted ones by the context only
    }
}
