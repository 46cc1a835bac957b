package io.chunkwise.scheduler;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.NDArray;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.GraphBuilder;
import io.chunkwise.graph.Optimizer;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local scheduler's own parts, and the optimizer's fusion of an elementwise producer into a reduction. */
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
}
