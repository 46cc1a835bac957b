package io.chunkwise.bench.jmh;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.Shapes;
import io.chunkwise.cpu.CpuBackend;
import io.chunkwise.graph.GraphBuilder;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.Optimizer;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fused elementwise path, {@code x * x + 10} over 10^8 float64 values (800 MB) computed into an
 * {@link NDArray} on 2 threads, against plain Java moving the same bytes on 2 threads:
 * <ul>
 *   <li>{@code fused}: the whole Chunkwise path (graph, fusion, scheduler, kernel, result assembly);</li>
 *   <li>{@code computeInto}: the whole path into an {@link NDArray} allocated beforehand
 *       ({@link ChunkedArray#computeInto}), like for like with {@code copy};</li>
 *   <li>{@code kernelInto}: the kernels alone: the output tasks planned once, each chunk written by
 *       {@link CpuBackend#elementwiseInto} into that same array from 2 threads (no graph, no scheduler);</li>
 *   <li>{@code copy}: {@code System.arraycopy} of the 800 MB into an existing array, half per thread (the
 *       bandwidth limit: read 800 MB, write 800 MB);</li>
 *   <li>{@code copyLoop}: the same copy as a plain loop {@code dst[i] = src[i]} (C2 vectorises it; on some machines
 *       faster than {@code System.arraycopy}, whose stub for large arrays may use other instructions);</li>
 *   <li>{@code copyFresh}: the same into a new array, as any computed result must be (adds the zeroing);</li>
 *   <li>{@code loop}: the expression as one plain loop per thread into an existing array;</li>
 *   <li>{@code loopFresh}: the same into a new array (the best any Java {@code compute()} can do);</li>
 *   <li>{@code computeIntoFloat32} and {@code copyFloat32}: {@code computeInto} and {@code copy} on float32
 *       (400 MB each way).</li>
 * </ul>
 * The bandwidth ratio of {@code fused} to {@code copy} is {@code time(copy) / time(fused)}. On a shared machine,
 * {@link InterleavedRatios} gives steadier ratios than separate JMH runs.
 *
 * <p>Run it through the launcher, {@code ./chunkwise jmh ElementwiseBench}. The fork gets no {@code jvmArgs} on
 * purpose: JMH then starts it with the arguments of the JVM that runs JMH, i.e. the flags that {@code ./chunkwise}
 * read from the root pom ({@code chunkwise.jvm.flags}); the heap is appended.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms12g", "-Xmx12g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBench {
    static final int N = 100_000_000;

    @Param({"10000000", "1000000"})
    public int chunk;

    private Chunkwise cw;
    private ChunkedArray x, x32;
    private double[] src, dst;
    private float[] src32, dst32;
    private NDArray out32;
    private TwoThreads threads;

    @Setup
    public void setup() {
        cw = Chunkwise.builder().threads(TwoThreads.THREADS).build();
        x = cw.random(42).normal(0.0, 1.0, new long[]{N}, new int[]{chunk}).persist();
        src = x.compute().block().doubles();
        dst = new double[N];
        x32 = x.astype(DType.FLOAT32).persist();
        src32 = x32.compute().block().floats();
        dst32 = new float[N];
        out32 = x32.compute();
        threads = new TwoThreads();
        plan();
    }

    @TearDown
    public void tearDown() {
        threads.close();
        cw.close();
    }

    @Benchmark
    public NDArray fused() {
        return x.mul(x).add(10).compute();
    }

    @Benchmark
    public NDArray computeInto() {
        return x.mul(x).add(10).computeInto(out);
    }

    /** The output tasks of x * x + 10, planned once (kernelInto times the kernels alone). */
    private List<Task> outputs;
    private List<Block[]> inputs;
    private TaskGraph graph;
    private NDArray out;

    private void plan() {
        Node root = Optimizer.optimize(x.mul(x).add(10).node());
        List<int[]> chunks = new ArrayList<>();
        root.chunks().forEachIndex(chunks::add);
        graph = GraphBuilder.build(root, chunks);
        outputs = graph.outputs().values().stream().map(graph.tasks()::get).toList();
        // the persisted chunks of x each task reads, cut from x's values (the store is the context's own)
        inputs = outputs.stream().map(task -> {
            io.chunkwise.spi.Region r = ((TaskOp.Elementwise) task.op()).region();
            int from = (int) r.offset()[0];
            return new Block[]{new HostBlock(DType.FLOAT64, r.shape(), java.util.Arrays.copyOfRange(src, from, from + r.shape()[0]))};
        }).toList();
        out = NDArray.wrap(new HostBlock(DType.FLOAT64, new int[]{N}, new double[N]), new long[]{N});
    }

    @Benchmark
    public NDArray kernelInto() {
        long[] shape = {N};
        int[] dstStrides = {1};
        HostBlock dstBlock = out.block();
        CpuBackend backend = (CpuBackend) cw.backend();
        AtomicInteger next = new AtomicInteger();
        threads.split(N, (from, to) -> {
            for (int t; (t = next.getAndIncrement()) < outputs.size(); ) {
                Task task = outputs.get(t);
                TaskOp.Elementwise op = (TaskOp.Elementwise) task.op();
                Block[] inputs = this.inputs.get(t);
                backend.elementwiseInto(op.expr(), inputs, op.inputStrides(), op.region(), dstBlock, (int) op.region().offset()[0], dstStrides);
            }
            return null;
        });
        return out;
    }

    @Benchmark
    public NDArray computeIntoFloat32() {
        return x32.mul(x32).add(10).computeInto(out32);
    }

    @Benchmark
    public float[] copyFloat32() {
        threads.split(N, (from, to) -> {
            System.arraycopy(src32, from, dst32, from, to - from);
            return null;
        });
        return dst32;
    }

    @Benchmark
    public double[] copy() {
        threads.split(N, (from, to) -> {
            System.arraycopy(src, from, dst, from, to - from);
            return null;
        });
        return dst;
    }

    @Benchmark
    public double[] copyLoop() {
        threads.split(N, (from, to) -> {
            double[] a = src, o = dst;
            for (int i = from; i < to; i++) o[i] = a[i];
            return null;
        });
        return dst;
    }

    @Benchmark
    public double[] copyFresh() {
        double[] out = new double[N];
        threads.split(N, (from, to) -> {
            System.arraycopy(src, from, out, from, to - from);
            return null;
        });
        return out;
    }

    @Benchmark
    public double[] loop() {
        threads.split(N, (from, to) -> {
            double[] a = src, o = dst;
            for (int i = from; i < to; i++) o[i] = a[i] * a[i] + 10;
            return null;
        });
        return dst;
    }

    @Benchmark
    public double[] loopFresh() {
        double[] out = new double[N];
        threads.split(N, (from, to) -> {
            double[] a = src;
            for (int i = from; i < to; i++) out[i] = a[i] * a[i] + 10;
            return null;
        });
        return out;
    }
}
