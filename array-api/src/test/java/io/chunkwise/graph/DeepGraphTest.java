package io.chunkwise.graph;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.Slice;
import io.chunkwise.TaskFailedException;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Expr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graphs thousands of layers deep: no recursion along the depth, bounded kernels, bounded messages and explain(). */
class DeepGraphTest {
    private static Chunkwise cw;

    @BeforeAll
    static void open() { cw = Chunkwise.builder().backend(new ReferenceBackend()).threads(2).build(); }

    @AfterAll
    static void close() { cw.close(); }

    private static final double[] X = {0.5, -1.25, 3, 4.75, -2, 0.125, 7};

    @Test
    void aTenThousandStepLoopComputesAsKernelsOfBoundedSize() {
        ChunkedArray x = cw.fromArray(X, new long[]{7}, new int[]{3});
        ChunkedArray y = x;
        double[] expected = X.clone();
        for (int i = 0; i < 10_000; i++) {
            y = y.mul(0.5).add(x);
            for (int k = 0; k < 7; k++) expected[k] = expected[k] * 0.5 + X[k];
        }
        assertArrayEquals(expected, y.compute().toDoubleArray(), 0.0);
        Node root = Optimizer.optimize(y.node());
        int kernels = 0;
        for (Node n : Optimizer.inputsFirst(root)) {
            if (n instanceof ElementwiseNode e) {
                kernels++;
                assertTrue(Expr.opCount(e.expr()) <= Optimizer.MAX_FUSED_OPS, "a kernel of " + Expr.opCount(e.expr()) + " ops");
            }
        }
        assertTrue(kernels >= 20_000 / Optimizer.MAX_FUSED_OPS && kernels < 20_000 / 8, kernels + " kernels for 20,000 ops");
        String explained = y.explain();
        assertTrue(explained.length() < 30_000, "explain() of 10,000 steps is " + explained.length() + " characters");
        assertTrue(explained.contains("more layers"), explained);
        TaskGraph g = plan(root);
        assertEquals(g.size(), TaskCodec.decodeGraph(TaskCodec.encode(g)).size());
    }

    @Test
    void thousandsOfViewsAndBinaryOpsBetweenArrays() {
        ChunkedArray x = cw.fromArray(X, new long[]{7}, new int[]{2});
        ChunkedArray y = x;
        double[] expected = X.clone();
        for (int i = 0; i < 3_000; i++) {
            // a reversed view (a layer that fuses with nothing), then a binary op with x in other chunks
            y = y.slice(Slice.range(6, -8, -1)).rechunk(i % 2 == 0 ? 3 : 2).sub(x.rechunk(4)).mul(-1);
            double[] next = new double[7];
            for (int k = 0; k < 7; k++) next[k] = -(expected[6 - k] - X[k]);
            expected = next;
        }
        assertArrayEquals(expected, y.compute().toDoubleArray(), 1e-9);
        assertEquals(expected[3], y.slice(Slice.at(3)).compute().getDouble(), 1e-9);
        assertTrue(y.explain().length() < 20_000);
    }

    @Test
    void aFailureDeepInAChainHasAShortMessage() {
        ChunkedArray y = cw.fromArray(X, new long[]{7}, new int[]{7});
        for (int i = 0; i < 500; i++) y = y.mul(1.0001).add(i);
        ChunkedArray bad = y.mapBlocks((b, i) -> { throw new IllegalStateException("boom"); });
        for (int i = 0; i < 500; i++) bad = bad.sub(i).exp().log();
        ChunkedArray last = bad;
        TaskFailedException e = assertThrows(TaskFailedException.class, last::compute);
        assertTrue(e.getMessage().length() < 2_000, "a message of " + e.getMessage().length() + " characters");
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
    }

    @Test
    void aMillionTaskGraphIsExplainedFromItsFirstTasks() {
        ChunkedArray x = cw.fromArray(new double[1_000_000], new long[]{1_000_000}, new int[]{1});
        long t0 = System.nanoTime();
        String text = x.add(1).sum().explain();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(text.contains("more than 100000 tasks"), text);
        assertTrue(text.length() < 10_000, text);
        assertTrue(ms < 60_000, ms + " ms");   // bounded work; timing is not what this test measures
        assertTrue(x.rechunk(10).explain().contains("rechunk"), "rechunks are labelled as rechunks");
    }

    @Test
    void expansionKeepsDepthFirstOrderSoPartialsFollowTheirChunks() {
        NDArray big = NDArray.of(new double[64], 64);
        ChunkedArray x = cw.fromNDArray(big, new int[]{1});
        TaskGraph g = plan(Optimizer.optimize(x.sum().node()));
        // source 0, its partial, source 1, its partial, ...: each partial right after the chunk it reduces
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < 6; i++) kinds.add(g.task(i).op().getClass().getSimpleName());
        assertEquals(List.of("Scattered", "ReducePartial", "Scattered", "ReducePartial", "Scattered", "ReducePartial"), kinds);
    }

    private static TaskGraph plan(Node root) {
        List<int[]> all = new ArrayList<>();
        root.chunks().forEachIndex(all::add);
        return GraphBuilder.build(root, all);
    }
}
