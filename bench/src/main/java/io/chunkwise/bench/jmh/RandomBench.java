package io.chunkwise.bench.jmh;

import io.chunkwise.Chunkwise;
import io.chunkwise.NDArray;
import io.chunkwise.random.Philox;
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
 * Normal random numbers, 10^7 float64 values computed into an {@link NDArray} on 2 threads, against the plain
 * generator ({@link Philox#fillNormal}, the scalar reference of the values) filling an existing array on 2 threads.
 * Both give bit-identical values; the ratio is {@code time(philox) / time(normal)}. Generation is compute-bound
 * (Philox rounds, then the log and cosine of {@link io.chunkwise.random.BoxMuller}; vectorised in the backend,
 * scalar in {@link Philox}), so this measures the kernel, not memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RandomBench {
    static final int N = 10_000_000;
    static final long SEED = 7;

    @Param({"1000000"})
    public int chunk;

    private Chunkwise cw;
    private double[] dst;
    private TwoThreads threads;

    @Setup
    public void setup() {
        cw = Chunkwise.builder().threads(TwoThreads.THREADS).build();
        dst = new double[N];
        threads = new TwoThreads();
    }

    @TearDown
    public void tearDown() {
        threads.close();
        cw.close();
    }

    @Benchmark
    public NDArray normal() {
        return cw.random(SEED).normal(0.0, 1.0, new long[]{N}, new int[]{chunk}).compute();
    }

    @Benchmark
    public double[] philox() {
        threads.split(N, (from, to) -> {
            Philox.fillNormal(dst, from, to - from, SEED, from, 0.0, 1.0);
            return null;
        });
        return dst;
    }
}
