package io.chunkwise.bench.jmh;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.NDArray;
import io.chunkwise.cpu.OpenBlas;
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
 * A 4096 x 4096 float64 matmul computed into an {@link NDArray} on 2 threads (one single-threaded OpenBLAS DGEMM
 * per block product, chunks 1024 or 2048), against one DGEMM on the whole matrices with OpenBLAS on 2 threads (the
 * practical limit). The ratio is {@code time(openblas) / time(matmul)}. The heap is committed and touched at start
 * (AlwaysPreTouch): on a VM, pages a process touches for the first time are slow to fault in (0.3-1.5 GB/s
 * measured here), and G1 hands each new 128 MB result fresh regions until the heap has grown to its maximum.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatmulBench {
    static final int N = 4096;

    @Param({"1024", "2048"})
    public int chunk;

    private Chunkwise cw;
    private ChunkedArray a, b;
    private double[] aPlain, bPlain, c;

    @Setup
    public void setup() {
        cw = Chunkwise.builder().threads(TwoThreads.THREADS).build();
        a = cw.random(1).normal(0.0, 1.0, new long[]{N, N}, new int[]{chunk, chunk}).persist();
        b = cw.random(2).normal(0.0, 1.0, new long[]{N, N}, new int[]{chunk, chunk}).persist();
        aPlain = a.compute().block().doubles();
        bPlain = b.compute().block().doubles();
        c = new double[N * N];
    }

    @TearDown
    public void tearDown() {
        cw.close();
    }

    @Benchmark
    public NDArray matmul() {
        return a.matmul(b).compute();
    }

    @Benchmark
    public double[] openblas() {
        return OpenBlas.withThreads(TwoThreads.THREADS, () -> {
            OpenBlas.dgemm(N, N, N, aPlain, bPlain, c);
            return c;
        });
    }
}
