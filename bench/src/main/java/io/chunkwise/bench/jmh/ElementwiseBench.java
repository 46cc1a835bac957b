package io.chunkwise.bench.jmh;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code x * x + 10} over 10^6 float64 values in 4 chunks, computed into an {@link NDArray}: the fused elementwise
 * path from graph to kernel to result assembly.
 *
 * <p>Run it through the launcher, {@code ./chunkwise jmh ElementwiseBench}. The fork gets no {@code jvmArgs}
 * here on purpose: JMH then starts it with the arguments of the JVM that runs JMH, i.e. the flags that
 * {@code ./chunkwise} read from the root pom ({@code chunkwise.jvm.flags}). A run that sets its own JVM arguments
 * adds them with {@code -jvmArgsAppend}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ElementwiseBench {
    private static final int N = 1_000_000;

    private Chunkwise cw;
    private ChunkedArray x;

    @Setup
    public void setup() {
        cw = Chunkwise.local();
        x = cw.random(42).normal(0.0, 1.0, new long[]{N}, new int[]{N / 4}).persist();
    }

    @TearDown
    public void tearDown() {
        cw.close();
    }

    @Benchmark
    public NDArray mulAdd() {
        return x.mul(x).add(10).compute();
    }
}
