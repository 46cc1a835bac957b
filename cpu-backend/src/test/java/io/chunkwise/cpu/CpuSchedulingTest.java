package io.chunkwise.cpu;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ComputationCancelledException;
import io.chunkwise.ComputeListener;
import io.chunkwise.DType;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;
import io.chunkwise.testing.LeakCheckingBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the CPU backend does for the scheduler: its long kernels stop between tiles once their computation is
 * cancelled ({@link Cancellation#check()}), and it says which fused reductions it streams, so that they are charged
 * for their partial alone.
 */
class CpuSchedulingTest {
    private static final int N = 100_000;   // several batches of tiles, several reduction windows
    private static final int MIB_DOUBLES = 1 << 17;

    private static Expr bin(BinaryOp op, Expr a, Expr b) { return new Expr.Binary(op, a, b, DType.FLOAT64); }

    private static final Expr X = new Expr.Input(0, DType.FLOAT64);
    private static final Expr CHAIN = bin(BinaryOp.ADD, bin(BinaryOp.MUL, X, X), new Expr.Const(10, DType.FLOAT64));
    private static final Expr TILED = bin(BinaryOp.SUB, new Expr.Unary(UnaryOp.EXP, X, DType.FLOAT64), new Expr.Const(1, DType.FLOAT64));

    /** Runs {@code body} on this thread marked as working for a computation that is already cancelled. */
    private static void inCancelledComputation(String what, Executable body) {
        Cancellation token = new Cancellation();
        token.cancel(new ComputationCancelledException("cancelled by the test"));
        Cancellation previous = token.enter();
        try {
            ComputationCancelledException e = assertThrows(ComputationCancelledException.class, body, what + " stops between tiles");
            assertEquals("cancelled by the test", e.getMessage(), what);
        } finally {
            Cancellation.leave(previous);
        }
    }

    @Test
    void longKernelsStopBetweenTilesOnceTheirComputationIsCancelled() {
        for (CpuBackend b : new CpuBackend[]{new CpuBackend(1), new CpuBackend(1, new ScalarLoops())}) {
            HostBlock x = HostBlock.allocate(DType.FLOAT64, new int[]{N});
            Arrays.setAll(x.doubles(), i -> i * 1e-5);
            Block[] in = {x};
            int[][] dense = {{1}};
            Region r = new Region(new int[]{N}, new long[]{0}, new long[]{N});
            for (Expr e : new Expr[]{CHAIN, TILED}) {
                String name = b + " " + Expr.show(e);
                inCancelledComputation(name, () -> b.elementwise(e, in, dense, r));
                inCancelledComputation(name + " into", () -> b.elementwiseInto(e, in, dense, r, HostBlock.allocate(DType.FLOAT64, new int[]{N}), 0, dense[0]));
                for (ReduceOp op : new ReduceOp[]{ReduceOp.SUM, ReduceOp.MAX, ReduceOp.VAR}) {
                    inCancelledComputation(name + " streamed " + op, () -> b.reducePartialOf(op, e, in, dense, r, new boolean[]{true}, 0));
                }
            }
            HostBlock m = HostBlock.allocate(DType.FLOAT64, new int[]{1000, 1000});
            inCancelledComputation("sums along rows", () -> b.reducePartial(ReduceOp.SUM, m, new boolean[]{false, true}, 0));
            inCancelledComputation("sums along columns", () -> b.reducePartial(ReduceOp.SUM, m, new boolean[]{true, false}, 0));
            HostBlock line = HostBlock.allocate(DType.INT64, new int[]{1, N});
            inCancelledComputation("one long line", () -> b.reducePartial(ReduceOp.MAX, line, new boolean[]{false, true}, 0));
            HostBlock k = HostBlock.allocate(DType.INT64, new int[]{200, 200});
            inCancelledComputation("a Java GEMM", () -> b.gemm(false, false, 1, k, k, 0, null));
            if (OpenBlas.writesInPlace()) {
                HostBlock f = HostBlock.allocate(DType.FLOAT64, new int[]{64, 64});
                inCancelledComputation("OpenBLAS products", () -> b.matmulInto(new Block[]{f, f}, new Block[]{f, f},
                        HostBlock.allocate(DType.FLOAT64, new int[]{64, 64}), 0, new int[]{64, 1}));
            }

            // a chunk of one batch has no "between": it runs through, as outside a computation
            Region small = new Region(new int[]{1000}, new long[]{0}, new long[]{1000});
            Cancellation token = new Cancellation();
            token.cancel(new ComputationCancelledException("cancelled by the test"));
            Cancellation previous = token.enter();
            try {
                assertEquals(1000, ((HostBlock) b.elementwise(TILED, new Block[]{HostBlock.allocate(DType.FLOAT64, new int[]{1000})}, dense, small)).size());
            } finally {
                Cancellation.leave(previous);
            }
            assertEquals(N, ((HostBlock) b.elementwise(TILED, in, dense, r)).size(), "outside a computation nothing is checked");
        }
    }

    @Test
    void anInterruptOfTheWorkingThreadCancelsItsComputationFromInsideAKernel() {
        Cancellation token = new Cancellation();
        Cancellation previous = token.enter();
        Thread.currentThread().interrupt();
        try {
            Region r = new Region(new int[]{N}, new long[]{0}, new long[]{N});
            assertThrows(ComputationCancelledException.class, () -> new CpuBackend(1).elementwise(TILED,
                    new Block[]{HostBlock.allocate(DType.FLOAT64, new int[]{N})}, new int[][]{{1}}, r));
            assertEquals(Cancellation.INTERRUPTED, token.reason().getMessage(), "the interrupt cancelled the computation");
        } finally {
            Thread.interrupted();
            Cancellation.leave(previous);
        }
    }

    @Test
    void anInterruptStopsAComputationInsideItsOneLongKernel() throws Exception {
        try (Chunkwise cw = Chunkwise.builder().threads(1).backend(new LeakCheckingBackend(new CpuBackend(1))).build()) {
            int n = Integer.MAX_VALUE - 8;   // one chunk of random normals, summed as they are generated: seconds of work
            ChunkedArray sum = cw.random(1).normal(0, 1, new long[]{n}, new int[]{n}).sum();
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    sum.compute(new ComputeListener() {
                        @Override public void started(int totalTasks) { started.countDown(); }
                    });
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.setDaemon(true);
            t.start();
            assertTrue(started.await(20, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!inCpuKernel(t.getStackTrace()) && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(inCpuKernel(t.getStackTrace()), "the kernel runs");
            t.interrupt();
            t.join(30_000);
            assertFalse(t.isAlive(), "the computation stops within 30 s of the interrupt");
            ComputationCancelledException e = assertInstanceOf(ComputationCancelledException.class, thrown.get());
            assertTrue(inCpuKernel(e.getStackTrace()), "the kernel saw the interrupt between its tiles: " + Arrays.toString(e.getStackTrace()));
        }
    }

    private static boolean inCpuKernel(StackTraceElement[] stack) {
        return Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith("io.chunkwise.cpu."));
    }

    @Test
    void aStreamedReductionIsChargedForItsPartialAlone() {
        Region r = new Region(new int[]{4, 5}, new long[]{0, 0}, new long[]{4, 5});
        CpuBackend backend = new CpuBackend(1);
        assertTrue(backend.streamsReduction(ReduceOp.SUM, CHAIN, r, new boolean[]{true, true}));
        assertFalse(backend.streamsReduction(ReduceOp.SUM, CHAIN, r, new boolean[]{false, true}), "along an axis: computed first");
        assertFalse(backend.streamsReduction(ReduceOp.SUM, new Expr.Input(0, DType.INT64), r, new boolean[]{true, true}), "integers: computed first");

        try (Chunkwise cw = Chunkwise.builder().threads(1).memoryBudget(1 << 20).backend(new LeakCheckingBackend(new CpuBackend(1))).build()) {
            long[] shape = {4L * MIB_DOUBLES};   // one lazy chunk of 4 MiB, four times the budget
            ChunkedArray x = cw.ones(DType.FLOAT64, shape, new int[]{4 * MIB_DOUBLES}).add(1);
            assertEquals(8.0 * MIB_DOUBLES, x.sum().compute().getDouble(), 0.0, "streamed: never held");
            assertEquals(2.0, x.max().compute().getDouble(), 0.0);
            ChunkedArray k = cw.arange(DType.INT64, shape[0], 4 * MIB_DOUBLES);
            MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class, () -> k.sum().compute(),
                    "an integer chunk is computed before it is reduced: charged for it");
            assertTrue(e.getMessage().contains(Long.toString(1 << 20)), e.getMessage());
        }
    }
}
