package io.chunkwise.bench.jmh;

import io.chunkwise.BackendKind;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ComputeListener;
import io.chunkwise.DType;
import io.chunkwise.graph.GraphBuilder;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.Optimizer;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.scheduler.LocalScheduler;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The per-task overhead of the local scheduler: {@code ones(float64, 10^6, chunks of 10).sum()} on 2 threads, i.e.
 * 100,000 tiny chunks whose kernels take well under a microsecond. Every score is per <em>chunk</em> (JMH divides
 * by 100,000); the graph has about 1.14 tasks per chunk (a partial that computes its chunk of ones, its share of
 * the combine tree), printed at setup. The parts:
 * <ul>
 *   <li>{@code endToEnd}: {@code compute()} as a user calls it;</li>
 *   <li>{@code optimize}: the optimizer's fusion pass alone; {@code plan}: expansion into the task graph alone;</li>
 *   <li>{@code schedule}: {@code LocalScheduler.run} on the planned graph (locking, ready queue, kernels);</li>
 *   <li>{@code scheduleOnly}: the same with a backend whose every op returns one shared block at once: the
 *       scheduler's own cost (its set-up of the graph, the ready queue, the lock, releases);</li>
 *   <li>{@code kernels}: every task's op run in graph order on one thread, results in a map: the work itself.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SchedulerBench {
    static final int CHUNKS = 100_000;

    private Chunkwise cw;
    private ChunkedArray sum;
    private Node optimized;
    private TaskGraph graph;
    /** The context's scheduler settings on a backend that does nothing. */
    private LocalScheduler noop;

    @Setup
    public void setup() {
        cw = Chunkwise.builder().threads(TwoThreads.THREADS).build();
        sum = cw.ones(DType.FLOAT64, new long[]{1_000_000}, new int[]{10}).sum();
        optimized = Optimizer.optimize(sum.node());
        graph = plan(optimized);
        noop = new LocalScheduler(NOOP, TwoThreads.THREADS, Long.MAX_VALUE);
        System.err.printf("%n%d chunks, %d tasks (%.3f per chunk)%n", CHUNKS, graph.size(), graph.size() / (double) CHUNKS);
    }

    @TearDown
    public void tearDown() {
        noop.close();
        cw.close();
    }

    private static TaskGraph plan(Node root) {
        List<int[]> all = new ArrayList<>();
        root.chunks().forEachIndex(all::add);
        return GraphBuilder.build(root, all);
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public double endToEnd() {
        return sum.compute().getDouble();
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public Node optimize() {
        return Optimizer.optimize(sum.node());
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public TaskGraph plan() {
        return plan(optimized);
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public Object schedule() {
        Object[] out = new Object[1];
        cw.scheduler().run(graph, cw.backend().kind(), TaskEnv.EMPTY, (key, block) -> {
            out[0] = block;
            return true;
        }, ComputeListener.NONE);
        return out[0];
    }

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public Object scheduleOnly() {
        Object[] out = new Object[1];
        noop.run(graph, BackendKind.CPU, TaskEnv.EMPTY, (key, block) -> {
            out[0] = block;
            return true;
        }, ComputeListener.NONE);
        return out[0];
    }

    /** A backend that does nothing: every op returns the same one-element block. */
    private static final Backend NOOP = new Backend() {
        private final HostBlock one = new HostBlock(DType.FLOAT64, new int[]{1}, new double[1]);

        @Override public String name() { return "noop"; }
        @Override public BackendKind kind() { return BackendKind.CPU; }
        @Override public Block fromHost(HostBlock block) { return one; }
        @Override public HostBlock toHost(Block block) { return one; }
        @Override public Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region) { return one; }
        @Override public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) { return one; }
        @Override public Block reduceCombine(ReduceOp op, List<Block> partials) { return one; }
        @Override public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) { return one; }
        @Override public Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) { return one; }
        @Override public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) { return one; }
    };

    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public Object kernels() {
        Map<Object, Block> results = new HashMap<>(graph.size() * 2);
        Block last = null;
        for (Task t : graph.tasks().values()) {
            Block[] in = new Block[t.deps().size()];
            for (int i = 0; i < in.length; i++) in[i] = results.get(t.deps().get(i));
            last = t.op().run(cw.backend(), in, TaskEnv.EMPTY);
            results.put(t.key(), last);
        }
        return last;
    }
}
