package io.chunkwise.bench.suite;

import io.chunkwise.BackendKind;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.bench.Main;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code chunkwise bench}: the benchmark suite. For now the matmul suite against no peers; writes
 * {@code results.csv}, {@code results.json} and {@code matmul.png} to the output folder and prints a table.
 * Exits 1 when any product fails validation (its row says FAILED and carries no speed).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the matmul benchmark suite: results.csv, results.json and matmul.png.", "",
                "Times x.matmul(y).compute() on random inputs persisted beforehand, checks",
                "each product on sampled entries (relative residual at most 1e-8 for",
                "float64, 1e-3 for float32) and reports GFLOP/s = 2 n^3 / t. A product that",
                "fails the check is marked FAILED, gets no speed, and the command exits 1."})
public final class BenchCommand implements Callable<Integer> {
    private static final List<Integer> FULL_SIZES = List.of(256, 512, 1024, 2048);
    private static final List<Integer> QUICK_SIZES = List.of(128, 256);

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "a small run (n = 128, 256; 1 warmup, 3 reps) that ends within a minute")
    boolean quick;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "bench-results",
            description = "folder for results.csv, results.json and matmul.png (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--sizes", split = ",", paramLabel = "N",
            description = "matrix sizes n (default: 256,512,1024,2048; with --quick 128,256)")
    List<Integer> sizes;

    @Option(names = "--dtypes", split = ",", paramLabel = "DTYPE", description = "float64 and/or float32 (default: both)")
    List<String> dtypes;

    @Option(names = "--chunks", split = ",", paramLabel = "C",
            description = "chunk sizes to try, or auto: n/2 kept within [64, 1024] (default: auto)")
    List<String> chunks;

    @Option(names = "--threads", paramLabel = "N", description = "scheduler threads (default: all processors)")
    Integer threads;

    @Option(names = "--reps", paramLabel = "N", description = "timed runs per case (default: 5; with --quick 3)")
    Integer reps;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed runs before them (default: 2; with --quick 1)")
    Integer warmup;

    @Option(names = "--backend", paramLabel = "KIND", defaultValue = "AUTO",
            description = "AUTO, CPU or GPU (default: ${DEFAULT-VALUE})")
    BackendKind backend;

    @Option(names = "--seed", defaultValue = "42", description = "random seed of the inputs (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() {
        List<MatmulCase> cases = cases();
        int nWarmup = positive("--warmup", warmup != null ? warmup : quick ? 1 : 2, 0);
        int nReps = positive("--reps", reps != null ? reps : quick ? 3 : 5, 1);
        int nThreads = positive("--threads", threads != null ? threads : Runtime.getRuntime().availableProcessors(), 1);
        PrintStream out = main.out();
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the output folder " + output + ": " + e.getMessage(), e);
        }

        List<CaseResult> results = new ArrayList<>();
        try (Chunkwise cw = Chunkwise.builder().backend(backend).threads(nThreads).build()) {
            MatmulSuite suite = new MatmulSuite(cw, nWarmup, nReps, seed, 1, nThreads);
            out.printf(Locale.ROOT, "matmul: %d cases, %d warmup + %d timed runs each, backend %s, %d threads%n",
                    cases.size(), nWarmup, nReps, cw.backend().name(), nThreads);
            out.println("peers: none installed yet (OpenBLAS, ND4J and NumPy peers come with the next issue)");
            long total = (long) cases.size() * suite.stepsPerCase();
            try (ProgressBar bar = noProgress ? null : progressBar(total)) {
                for (int i = 0; i < cases.size(); i++) {
                    MatmulCase c = cases.get(i);
                    if (bar != null) bar.setExtraMessage(c.label());
                    try {
                        results.add(suite.run(c, bar == null ? s -> {} : s -> bar.step()));
                    } catch (RuntimeException e) { // a case that cannot run is a failed row, not the end of the suite
                        results.add(suite.failed(c, e.getClass().getSimpleName() + ": " + e.getMessage()));
                    }
                    if (bar != null) bar.stepTo((long) (i + 1) * suite.stepsPerCase());
                }
            }
        }

        ResultFiles.writeCsv(output.resolve("results.csv"), results);
        ResultFiles.writeJson(output.resolve("results.json"), results);
        MatmulPlot.writePng(output.resolve("matmul.png"), results,
                results.isEmpty() ? "" : results.get(0).backend() + ", " + nThreads + " threads");
        out.println();
        out.print(ResultFiles.table(results));
        out.println("wrote " + output.resolve("results.csv") + ", results.json, matmul.png");

        List<CaseResult> failed = results.stream().filter(r -> !r.ok()).toList();
        for (CaseResult r : failed) {
            main.err().printf(Locale.ROOT, "FAILED %s n=%d chunk=%d: %s%n", r.dtype(), r.n(), r.chunk(),
                    r.detail());
        }
        return failed.isEmpty() ? 0 : 1;
    }

    /** Every (dtype, n, chunk) asked for, in that order; a chunk size above n is taken as n. */
    private List<MatmulCase> cases() {
        List<Integer> ns = sizes != null ? sizes : quick ? QUICK_SIZES : FULL_SIZES;
        for (int n : ns) positive("--sizes", n, 1);
        List<DType> types = new ArrayList<>();
        for (String name : dtypes != null ? dtypes : List.of("float64", "float32")) {
            DType t;
            try {
                t = DType.parse(name);
            } catch (DTypeException e) {
                throw new ParameterException(spec.commandLine(), "--dtypes: " + e.getMessage());
            }
            if (!t.isFloating()) {
                throw new ParameterException(spec.commandLine(), "--dtypes: the matmul suite runs float64 and float32, not " + name);
            }
            if (!types.contains(t)) types.add(t);
        }
        List<MatmulCase> cases = new ArrayList<>();
        for (DType t : types) {
            for (int n : ns) {
                Set<Integer> cs = new LinkedHashSet<>();
                for (String c : chunks != null ? chunks : List.of("auto")) {
                    cs.add(c.strip().equalsIgnoreCase("auto") ? MatmulCase.autoChunk(n) : Math.min(n, chunk(c)));
                }
                for (int c : cs) cases.add(new MatmulCase(t, n, c));
            }
        }
        return cases;
    }

    private int chunk(String s) {
        try {
            return positive("--chunks", Integer.parseInt(s.strip()), 1);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--chunks: '" + s + "' is neither a whole number nor auto");
        }
    }

    private int positive(String option, int value, int min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), option + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    private ProgressBar progressBar(long total) {
        boolean terminal = System.console() != null;
        return new ProgressBarBuilder()
                .setTaskName("matmul")
                .setInitialMax(total)
                .setStyle(terminal ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(terminal ? new ConsoleProgressBarConsumer(main.err()) : new ConsoleProgressBarConsumer(main.err(), 100))
                .build();
    }
}
