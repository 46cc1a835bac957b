package io.chunkwise.bench.jmh;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
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

import java.util.concurrent.TimeUnit;

/**
 * {@code x.sum()} over 10^8 float64 values (800 MB) already in memory (persisted), on 2 threads, against plain
 * Java reading the same bytes on 2 threads:
 * <ul>
 *   <li>{@code sum}: the Chunkwise path (a pairwise partial per chunk, the combine tree, the finish);</li>
 *   <li>{@code sumOfExpression}: {@code (x * x + 10).sum()}, the expression evaluated inside the partials as the
 *       sum consumes it (it reads x once and writes nothing, so it should run near {@code sum});</li>
 *   <li>{@code readLoop}: {@code s += a[i]}, the loop anyone writes first (one dependency chain);</li>
 *   <li>{@code readLoop8}: the same with 8 independent accumulators, so that memory and not the adder's latency
 *       limits it (the bandwidth limit a sum can reach).</li>
 *   <li>{@code readLoop8Chunks}: that loop over x's own chunks, a chunk per task on the 2 threads: the same bytes
 *       at the same addresses as {@code sum}. On this VM memory reads at different speeds at different addresses
 *       (the same kernel read x's chunks up to 12 % slower than fresh copies of them), so this baseline leaves only the
 *       library's own cost in the ratio.</li>
 * </ul>
 * The ratio to a baseline is {@code time(baseline) / time(sum)}. Run with {@code ./chunkwise jmh SumBench}; on a
 * shared machine {@link InterleavedRatios} gives steadier ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms12g", "-Xmx12g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SumBench {
    static final int N = 100_000_000;

    @Param({"10000000", "1000000"})
    public int chunk;

    private Chunkwise cw;
    private ChunkedArray x;
    private double[] src;
    private double[][] chunks;
    private TwoThreads threads;

    @Setup
    public void setup() {
        cw = Chunkwise.builder().threads(TwoThreads.THREADS).build();
        x = cw.random(42).normal(0.0, 1.0, new long[]{N}, new int[]{chunk}).persist();
        src = x.compute().block().doubles();
        chunks = new double[(N + chunk - 1) / chunk][];
        cw.forEachChunk(x, (index, offset, block) -> chunks[index[0]] = block.doubles());
        threads = new TwoThreads();
    }

    @TearDown
    public void tearDown() {
        threads.close();
        cw.close();
    }

    @Benchmark
    public double sum() {
        return x.sum().compute().getDouble();
    }

    @Benchmark
    public double sumOfExpression() {
        return x.mul(x).add(10).sum().compute().getDouble();
    }

    @Benchmark
    public double readLoop() {
        Object[] parts = threads.split(N, (from, to) -> {
            double[] a = src;
            double s = 0;
            for (int i = from; i < to; i++) s += a[i];
            return s;
        });
        return (double) parts[0] + (double) parts[1];
    }

    @Benchmark
    public double readLoop8() {
        Object[] parts = threads.split(N, (from, to) -> sum8(src, from, to));
        return (double) parts[0] + (double) parts[1];
    }

    @Benchmark
    public double readLoop8Chunks() {
        Object[] parts = threads.split(chunks.length, chunks.length, (c, end) -> sum8(chunks[c], 0, chunks[c].length));
        double s = 0;
        for (Object part : parts) s += (double) part;
        return s;
    }

    /**
     * {@code a[from .. to)} summed in 8 independent accumulators: the read loop whose speed a sum can reach (also the
     * suite's reference for {@code fused_sum}).
     */
    public static double sum8(double[] a, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3];
            s4 += a[i + 4]; s5 += a[i + 5]; s6 += a[i + 6]; s7 += a[i + 7];
        }
        for (; i < to; i++) s0 += a[i];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
