package io.chunkwise.bench.suite;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.NDArray;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Times {@code x.matmul(y).compute()} for one case at a time on a context: random normal inputs, persisted first so
 * that a timing is the multiply (and the copy into the result) only; {@code warmup} untimed runs, then {@code reps}
 * timed ones; the last product is validated before any figure is reported.
 */
public final class MatmulSuite {
    /** The name of our own rows; peers get theirs. */
    public static final String SYSTEM = "chunkwise";

    private final Chunkwise cw;
    private final int warmup;
    private final int reps;
    private final long seed;
    private final int members;
    private final int threads;
    private UnaryOperator<NDArray> resultFilter = UnaryOperator.identity();

    public MatmulSuite(Chunkwise cw, int warmup, int reps, long seed, int members, int threads) {
        if (warmup < 0) throw new IllegalArgumentException("warmup runs cannot be negative: " + warmup);
        if (reps < 1) throw new IllegalArgumentException("at least one timed run is needed, not " + reps);
        this.cw = Objects.requireNonNull(cw, "context");
        this.warmup = warmup;
        this.reps = reps;
        this.seed = seed;
        this.members = members;
        this.threads = threads;
    }

    /**
     * Passes every computed product through {@code filter} before it is validated. For tests of the validation
     * path, which corrupt the product here; the suite itself never sets one.
     */
    public MatmulSuite resultFilter(UnaryOperator<NDArray> filter) {
        this.resultFilter = Objects.requireNonNull(filter, "filter");
        return this;
    }

    /** Progress steps per case: each warmup run, each timed run and the validation. */
    public int stepsPerCase() {
        return warmup + reps + 1;
    }

    /** Runs one case; {@code step} is told each time a step of {@link #stepsPerCase()} ends. */
    public CaseResult run(MatmulCase c, Consumer<String> step) {
        long[] shape = {c.n(), c.n()};
        int[] chunks = {c.chunk(), c.chunk()};
        long seedA = seed, seedB = seed + 1;
        ChunkedArray x = cw.random(seedA).normal(c.dtype(), 0.0, 1.0, shape, chunks).persist();
        ChunkedArray y = cw.random(seedB).normal(c.dtype(), 0.0, 1.0, shape, chunks).persist();
        ChunkedArray product = x.matmul(y);
        NDArray last = null;
        for (int w = 0; w < warmup; w++) {
            last = product.compute();
            step.accept(c.label() + " warmup " + (w + 1) + "/" + warmup);
        }
        double[] seconds = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            last = product.compute();
            seconds[r] = (System.nanoTime() - t0) / 1e9;
            step.accept(c.label() + " run " + (r + 1) + "/" + reps);
        }
        MatmulValidator.Verdict v = MatmulValidator.check(resultFilter.apply(last),
                new MatmulValidator.RandomNormal(seedA, c.n(), c.n(), c.dtype()),
                new MatmulValidator.RandomNormal(seedB, c.n(), c.n(), c.dtype()), c.dtype(), seed ^ c.n());
        step.accept(c.label() + " validated");
        if (!v.ok()) return failed(c, v.residual(), "wrong product: " + v.detail());
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = reps % 2 == 1 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
        double flops = c.flops() / 1e9;
        return new CaseResult(SYSTEM, c.dtype().numpyName(), c.n(), c.chunk(), cw.backend().name(), members, threads,
                flops / median, flops / sorted[reps - 1], flops / sorted[0], null, v.residual(), CaseResult.OK,
                median, reps, v.detail());
    }

    /** The row of a case that could not be run at all (an exception), with the reason. */
    public CaseResult failed(MatmulCase c, String why) {
        return failed(c, Double.NaN, "could not run: " + why);
    }

    private CaseResult failed(MatmulCase c, double residual, String why) {
        return new CaseResult(SYSTEM, c.dtype().numpyName(), c.n(), c.chunk(), cw.backend().name(), members, threads,
                null, null, null, null, residual, CaseResult.FAILED, null, reps, why);
    }
}
