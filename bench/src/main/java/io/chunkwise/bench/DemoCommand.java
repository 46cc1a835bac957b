package io.chunkwise.bench;

import io.chunkwise.BackendKind;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ComputeListener;
import io.chunkwise.NDArray;
import io.chunkwise.random.Philox;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The README's first example, run and checked: a random normal matrix, an elementwise expression reduced along
 * axis 0, and a matrix product, each timed, with a few values recomputed directly from the generator.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the first example, (x*x+10).sum(0) and x @ x.T, timed and checked.", "",
                "x is an n x n standard normal array (seed 42, chunks 1000 x 1000 by default); a few values of each "
                + "result are recomputed directly in double from the generator, and the run fails (exit 1) when they "
                + "differ."})
final class DemoCommand implements Callable<Integer> {
    /** Relative error allowed against the direct computation, as a fraction of the sum of |terms|. */
    static final double TOLERANCE = 1e-10;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--n", defaultValue = "4000", description = "rows and columns (default: ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--chunk", defaultValue = "1000", description = "chunk rows and columns (default: ${DEFAULT-VALUE})")
    int chunk;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--backend", defaultValue = "AUTO", description = "AUTO, CPU or GPU (default: ${DEFAULT-VALUE})")
    BackendKind backend;

    @Option(names = "--threads", description = "scheduler threads (default: all processors)")
    Integer threads;

    @Option(names = "--no-progress", description = "no progress bars (they show each computation's tasks on stderr)")
    boolean noProgress;

    @Override
    public Integer call() {
        if (n < 1) throw new ParameterException(spec.commandLine(), "--n must be at least 1, not " + n);
        if (chunk < 1) throw new ParameterException(spec.commandLine(), "--chunk must be at least 1, not " + chunk);
        if (threads != null && threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, not " + threads);
        }
        PrintStream out = main.out();
        int c = Math.min(chunk, n);
        Chunkwise.Builder b = Chunkwise.builder().backend(backend);
        if (threads != null) b.threads(threads);
        try (Chunkwise cw = b.build()) {
            out.printf(Locale.ROOT, "backend %s, %d threads%n", cw.backend().name(),
                    threads != null ? threads : Runtime.getRuntime().availableProcessors());
            long t0 = System.nanoTime();
            ChunkedArray x;
            try (Bar bar = bar("x")) {
                x = cw.random(seed).normal(0.0, 1.0, new long[]{n, n}, new int[]{c, c}).persist(bar.listener());
            }
            out.printf(Locale.ROOT, "x = random normal %dx%d, chunks %dx%d, seed %d: %s%n", n, n, c, c, seed, seconds(t0));

            t0 = System.nanoTime();
            NDArray colSums;
            try (Bar bar = bar("(x*x+10).sum(0)")) {
                colSums = x.mul(x).add(10).sum(0).compute(bar.listener());
            }
            out.printf(Locale.ROOT, "(x*x+10).sum(0): %s%n", seconds(t0));

            t0 = System.nanoTime();
            NDArray gram;
            try (Bar bar = bar("x @ x.T")) {
                gram = x.matmul(x.transpose()).compute(bar.listener());
            }
            double s = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "x.matmul(x.transpose()): %.3f s (%.2f GFLOP/s)%n", s, 2.0 * n * n * n / s / 1e9);

            return check(colSums, gram, out, main.err());
        }
    }

    /** A progress bar over the tasks of one computation, or none with {@code --no-progress}. */
    private record Bar(ProgressBar bar, ComputeListener listener) implements AutoCloseable {
        @Override
        public void close() {
            if (bar != null) bar.close();
        }
    }

    private Bar bar(String name) {
        if (noProgress) return new Bar(null, ComputeListener.NONE);
        ProgressBar bar = TaskProgress.newBar(name, 1, main.err());
        return new Bar(bar, TaskProgress.counting(bar));
    }

    /** Recomputes a few columns of the sum and entries of the product from {@link Philox#normal01} and compares. */
    private int check(NDArray colSums, NDArray gram, PrintStream out, PrintStream err) {
        double worst = 0;
        int checked = 0;
        for (long j : distinct(0, n / 2, n - 1)) {
            double sum = 0, scale = 0;
            for (long i = 0; i < n; i++) {
                double v = x(i, j);
                sum += v * v + 10;
                scale += Math.abs(v * v + 10);
            }
            double got = colSums.getDouble(j);
            double rel = relative(got, sum, scale);
            if (!(rel <= TOLERANCE)) {
                err.printf(Locale.ROOT, "check FAILED: (x*x+10).sum(0)[%d] = %.17g, a direct sum gives %.17g"
                        + " (relative error %.3g, allowed %.1g)%n", j, got, sum, rel, TOLERANCE);
                return 1;
            }
            worst = Math.max(worst, rel);
            checked++;
        }
        long[][] entries = {{0, 0}, {0, n - 1}, {n - 1, n / 2}, {n / 3, 2L * n / 3}};
        for (long[] e : entries) {
            long i = e[0], j = e[1];
            double dot = 0, scale = 0;
            for (long k = 0; k < n; k++) {
                double p = x(i, k) * x(j, k);
                dot += p;
                scale += Math.abs(p);
            }
            double got = gram.getDouble(i, j);
            double rel = relative(got, dot, scale);
            if (!(rel <= TOLERANCE)) {
                err.printf(Locale.ROOT, "check FAILED: x.matmul(x.transpose())[%d, %d] = %.17g, a direct dot product"
                        + " gives %.17g (relative error %.3g, allowed %.1g)%n", i, j, got, dot, rel, TOLERANCE);
                return 1;
            }
            worst = Math.max(worst, rel);
            checked++;
        }
        out.printf(Locale.ROOT, "check ok: %d values match a direct double computation (largest relative error %.2g)%n",
                checked, worst);
        return 0;
    }

    /** Element (i, j) of x as the generator defines it: mean 0 + std 1 * z. */
    private double x(long i, long j) {
        return Philox.normal01(seed, i * n + j);
    }

    private static double relative(double got, double expected, double scale) {
        double diff = Math.abs(got - expected);
        return scale == 0 ? diff : diff / scale;
    }

    private static long[] distinct(long... v) {
        return java.util.Arrays.stream(v).distinct().toArray();
    }

    private static String seconds(long t0) {
        return String.format(Locale.ROOT, "%.3f s", (System.nanoTime() - t0) / 1e9);
    }
}
