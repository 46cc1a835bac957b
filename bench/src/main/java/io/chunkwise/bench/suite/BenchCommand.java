package io.chunkwise.bench.suite;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.bench.Main;
import io.chunkwise.bench.TaskProgress;
import io.chunkwise.cpu.OpenBlas;
import me.tongfei.progressbar.ProgressBar;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code chunkwise bench}: the benchmark suite. Section one times our GEMM over a grid of dtypes, sizes and chunk
 * sizes and, in the same run, the peers that are present (one OpenBLAS call on the whole matrices, the same block
 * GEMMs as ours written by hand, ND4J's mmul in this JVM, numpy and dask.array through Debian's python3), validates
 * every product, and relates each to the best
 * peer and to the measured peak. Section two measures elementwise, reduction, random and tiny-task workloads against
 * a plain Java loop and the Python peers. Section three (issue 15) times an embedded cluster against a local context
 * and dask.distributed on the same workloads, the per-task cost, and chunk transfers between two member processes
 * ({@link ClusterSuite}). Writes {@code results.csv}, {@code results.json}, {@code matmul.png},
 * {@code elementwise.csv}, {@code elementwise.json}, {@code cluster.csv}, {@code cluster-ratios.csv},
 * {@code cluster.json} and {@code run.json}; prints the tables. Exits 1 when any of our
 * results fails validation; a peer's failure is reported and its row gets no speed.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = {"Runs the benchmark suite: matmul against the peers that are present, then elementwise and "
                + "reduction workloads, then an embedded cluster against a local context and a dask LocalCluster.", "",
                "The peers: one OpenBLAS call on the whole matrices, OpenBLAS on our blocks by hand, ND4J, numpy and "
                + "dask.array. Writes results.csv, results.json, matmul.png, elementwise.csv, elementwise.json, "
                + "cluster.csv, cluster-ratios.csv, cluster.json and run.json.", "",
                "Times x.matmul(y).compute() on random inputs persisted beforehand, checks each product (ours and the "
                + "peers') on sampled entries (relative residual at most 1e-8 for float64, 1e-3 for float32) and reports "
                + "GFLOP/s = 2 n^3 / t (median, and min/max over the timed runs after warm-up), the ratio to the fastest "
                + "peer at that size, and the efficiency against the measured peak. The systems of one dtype and size "
                + "are timed interleaved, a run of each in turn. A result that fails the check gets no speed; if it is "
                + "ours the command exits 1. A peer that is missing is named in one line and skipped."})
public final class BenchCommand implements Callable<Integer> {
    private static final List<Integer> FULL_SIZES = List.of(512, 1024, 2048, 4096);
    private static final List<Integer> QUICK_SIZES = List.of(128, 256);
    private static final List<String> FULL_CHUNKS = List.of("n/2", "n/4");
    private static final List<String> ALL_PEERS = List.of("openblas", "openblas-blocks", "nd4j", "numpy", "dask", "distributed");
    private static final List<String> ALL_SECTIONS = List.of("matmul", "elementwise", "cluster");
    /** Embedded members of the cluster section unless --members names others. */
    private static final int CLUSTER_MEMBERS = 2;
    /**
     * The cluster section warms each system up for at least this long, untimed: its workloads of milliseconds (the
     * sums) would otherwise be timed while the JIT still compiles the cluster's paths (Hazelcast's, the scheduler's).
     */
    private static final double WARMUP_SECONDS = 2;
    /** Above this size the default is fewer runs, so that the default suite ends in a few minutes. */
    private static final int LARGE = 2048;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "a small run (n = 128, 256; chunk auto; 1 warmup, 3 reps; a small"
            + " elementwise section) that ends within a minute")
    boolean quick;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "bench-results",
            description = "folder for the results (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--sizes", split = ",", paramLabel = "N",
            description = "matrix sizes n (default: 512,1024,2048,4096; with --quick 128,256)")
    List<Integer> sizes;

    @Option(names = "--dtypes", split = ",", paramLabel = "DTYPE", description = "float64 and/or float32 (default: both)")
    List<String> dtypes;

    @Option(names = "--chunks", split = ",", paramLabel = "C",
            description = "chunk sizes to try: a number, n/K, or auto (n/2 kept within [64, 1024])"
                    + " (default: n/2,n/4; with --quick auto)")
    List<String> chunks;

    @Option(names = "--threads", paramLabel = "N", description = "threads, ours and the peers' (default: all processors)")
    Integer threads;

    @Option(names = "--reps", paramLabel = "N",
            description = "timed runs per case (default: 5, 3 above n = 2048 and in the elementwise section; with --quick 3)")
    Integer reps;

    @Option(names = "--warmup", paramLabel = "N",
            description = "untimed runs before them (default: 2, 1 above n = 2048 and in the elementwise section; with --quick 1)")
    Integer warmup;

    @Option(names = {"--backends", "--backend"}, split = ",", paramLabel = "KIND",
            description = "our backends, each a row of the matmul grid: AUTO, CPU and/or GPU; one that is not usable"
                    + " here is named and skipped; the elementwise section runs on the first (default: AUTO)")
    List<BackendKind> backends;

    @Option(names = "--seed", defaultValue = "42", description = "random seed of the inputs (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--peers", split = ",", paramLabel = "PEER",
            description = "peers to run when present: openblas, openblas-blocks, nd4j, numpy, dask, distributed"
                    + " (a dask LocalCluster, in the cluster section), or none (default: all)")
    List<String> peers;

    @Option(names = "--python", paramLabel = "PATH",
            description = "the Python with numpy and dask (default: ${DEFAULT-VALUE}, Debian's python3-numpy and"
                    + " python3-dask; not the first python3 on PATH)")
    Path python = PythonPeer.DEFAULT_PYTHON;

    @Option(names = "--sections", split = ",", paramLabel = "S",
            description = "matmul, elementwise and/or cluster (default: all three)")
    List<String> sections;

    @Option(names = "--members", split = ",", paramLabel = "N",
            description = "cluster sizes on the matmul grid: each N > 0 adds rows of ours on an embedded cluster of N"
                    + " members (the members column); 0 or absent: local only. The cluster section runs on the first"
                    + " N > 0 (default: " + CLUSTER_MEMBERS + ")")
    List<Integer> members;

    @Option(names = "--elementwise-n", paramLabel = "N",
            description = "float64 elements of the elementwise section (default: 100000000 = 800 MB; with --quick 4194304)")
    Long elementwiseN;

    @Option(names = {"--elementwise-chunks", "--elementwise-chunk"}, split = ",", paramLabel = "C",
            description = "elements per chunk there, each size a run of its own workloads (default: 10000000,1000000;"
                    + " with --quick 262144)")
    List<Integer> elementwiseChunks;

    @Option(names = "--tasks", paramLabel = "N",
            description = "tiny tasks: ones(10 N, chunks of 10).sum() (default: 100000; with --quick 10000;"
                    + " dask gets at most 10000, with --quick 2000: it takes a quarter of a millisecond a task)")
    Integer tasks;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() {
        Set<String> wantedSections = choose("--sections", sections, ALL_SECTIONS);
        Set<String> wantedPeers = choose("--peers", peers, ALL_PEERS);
        List<MatmulCase> cases = wantedSections.contains("matmul") ? cases() : List.of();
        int nThreads = positive("--threads", threads != null ? threads : Runtime.getRuntime().availableProcessors(), 1);
        if (reps != null) positive("--reps", reps, 1);
        if (warmup != null) positive("--warmup", warmup, 0);
        long eN = elementwiseN != null ? elementwiseN : quick ? 1L << 22 : 100_000_000L;
        if (eN < 1 || eN > Integer.MAX_VALUE - 8) {
            throw new ParameterException(spec.commandLine(), "--elementwise-n must lie in [1, " + (Integer.MAX_VALUE - 8) + "], not " + eN);
        }
        List<Integer> eChunks = elementwiseChunks != null ? elementwiseChunks : quick ? List.of(1 << 18) : List.of(10_000_000, 1_000_000);
        for (int c : eChunks) positive("--elementwise-chunks", c, 1);
        int nTasks = positive("--tasks", tasks != null ? tasks : quick ? 10_000 : 100_000, 1);
        List<Integer> clusterSizes = new ArrayList<>();
        for (int m : members != null ? members : List.<Integer>of()) {
            positive("--members", m, 0);
            if (m > 0 && !clusterSizes.contains(m)) clusterSizes.add(m);
        }
        PrintStream out = main.out();
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the output folder " + output + ": " + e.getMessage(), e);
        }

        Map<String, Object> run = new LinkedHashMap<>();
        // the arguments as given to ./chunkwise (picocli keeps them on the top-level parse, "bench" included)
        run.put("command", "chunkwise " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("processors", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", MachineInfo.cpu());
        machine.put("jdk", MachineInfo.jdk());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        machine.put("openblas", MachineInfo.openBlas());
        run.put("machine", machine);
        run.put("threads", nThreads);
        out.printf(Locale.ROOT, "machine: %s, %d processors, JDK %s%n", MachineInfo.cpu(),
                Runtime.getRuntime().availableProcessors(), MachineInfo.jdk());
        out.println("OpenBLAS (CPU backend): " + MachineInfo.openBlasLine());

        Peers found = findPeers(wantedPeers, wantedSections.contains("matmul"));
        PythonPeer distributed = null;
        if (wantedSections.contains("cluster") && wantedPeers.contains("distributed")) {
            PythonPeer.Environment env = PythonPeer.discoverDistributed(python);
            if (env.dask()) {
                distributed = PythonPeer.distributed(env);
                found.present.put("distributed", "distributed " + env.daskVersion() + " (" + env.python()
                        + ", a LocalCluster of worker processes on loopback, cluster section)");
            } else {
                found.missing.put("distributed", env.daskProblem());
            }
        }
        out.println("peers: " + (found.present.isEmpty() ? "none" : String.join("; ", found.present.values())));
        for (var e : found.missing.entrySet()) out.println("peer " + e.getKey() + ": not available, going on without it (" + e.getValue() + ")");
        run.put("peers", found.present);
        run.put("peers_missing", found.missing);

        Map<String, BackendKind> kinds = usableBackends(nThreads, out);
        run.put("backends", new ArrayList<>(kinds.keySet()));
        int failedOurs = 0;
        try (Chunkwise cw = Chunkwise.builder().backend(kinds.values().iterator().next()).threads(nThreads).build()) {
            run.put("backend", cw.backend().name());
            List<CaseResult> results = List.of();
            if (wantedSections.contains("matmul")) {
                results = matmul(cases, kinds, clusterSizes, found.all, nThreads, out, run);
                failedOurs += (int) results.stream().filter(r -> !r.ok() && !r.peer()).count();
            }
            if (wantedSections.contains("elementwise")) {
                List<PythonPeer> py = found.all.stream().filter(p -> p instanceof PythonPeer)
                        .map(p -> (PythonPeer) p).toList();
                int w = warmup != null ? warmup : 1, r = reps != null ? reps : 3;
                // a suite per chunk size, each timing the plain-Java limits again beside ours; the tiny tasks once.
                // Each has a context of its own, closed after its run: that frees its persisted x before the next.
                List<ElementwiseSuite> suites = new ArrayList<>();
                List<Chunkwise> contexts = new ArrayList<>();
                for (int c : eChunks) {
                    long tinyN = suites.isEmpty() ? 10L * nTasks : 0;
                    Chunkwise ctx = Chunkwise.builder().backend(cw.backend().kind()).threads(nThreads).build();
                    contexts.add(ctx);
                    suites.add(new ElementwiseSuite(ctx, nThreads, eN, c, tinyN,
                            10L * Math.min(nTasks, quick ? 2_000 : 10_000), w, r, seed, py));
                }
                out.println();
                out.printf(Locale.ROOT, "elementwise: n = %d float64 in chunks of %s, %d tiny tasks; %d warmup (at least %d"
                                + " for the memory-bound workloads) + %d timed runs, %d threads%n", eN,
                        eChunks.stream().map(c -> Long.toString(Math.min(c, eN))).collect(java.util.stream.Collectors.joining(", ")),
                        nTasks, w, ElementwiseSuite.MEMORY_WARMUP, r, nThreads);
                List<ElementwiseResult> rows = new ArrayList<>();
                int steps = suites.stream().mapToInt(ElementwiseSuite::steps).sum();
                try (ProgressBar bar = noProgress ? null : progressBar("elementwise", steps)) {
                    TaskProgress tasks = TaskProgress.describing(bar);
                    for (int i = 0; i < suites.size(); i++) {
                        ElementwiseSuite suite = suites.get(i);
                        if (bar != null) suite.listener(tasks);
                        try {
                            rows.addAll(suite.run(s -> {
                                if (bar != null) {
                                    tasks.prefix(s);
                                    bar.step();
                                }
                            }));
                        } finally {
                            countDelegated(contexts.get(i));
                            contexts.get(i).close();
                        }
                    }
                } finally {
                    for (Chunkwise c : contexts) c.close();
                }
                ResultFiles.writeElementwiseCsv(output.resolve("elementwise.csv"), rows);
                ResultFiles.writeElementwiseJson(output.resolve("elementwise.json"), rows);
                out.println();
                out.print(ResultFiles.elementwiseTable(rows));
                out.println("wrote " + output.resolve("elementwise.csv") + ", elementwise.json");
                for (ElementwiseResult e : rows) {
                    if (e.ok()) continue;
                    if (!ElementwiseSuite.isPeer(e.system())) failedOurs++;
                    main.err().printf(Locale.ROOT, "FAILED %s %s n=%d: %s%n", e.system(), e.workload(), e.n(), e.detail());
                }
            }
            if (wantedSections.contains("cluster")) {
                int m = clusterSizes.isEmpty() ? CLUSTER_MEMBERS : clusterSizes.get(0);
                failedOurs += cluster(m, nThreads, nTasks, distributed, found.missing.get("distributed"), out, run);
            }
            countDelegated(cw);
        } finally {
            for (MatmulPeer p : found.all) if (p instanceof PythonPeer py) py.close(); // the numpy / dask servers
            if (distributed != null) distributed.close();
        }
        if (!delegated.isEmpty()) {
            out.println();
            delegated.forEach((backend, calls) -> out.println("calls delegated by " + backend + ": " + delegatedText(calls)));
            run.put("delegated_calls", delegated);
        }
        ResultFiles.writeJsonValue(output.resolve("run.json"), run);
        return failedOurs == 0 ? 0 : 1;
    }

    /** By "backend -> its delegate": the calls a device backend handed to its CPU delegate, by kind, over the run. */
    private final Map<String, Map<String, Long>> delegated = new java.util.TreeMap<>();

    /** Adds what the context's backend has delegated so far to {@link #delegated} (called before it closes). */
    private void countDelegated(Chunkwise c) {
        io.chunkwise.spi.Backend b = c.backend();
        if (b.delegateName() == null) return;
        Map<String, Long> m = delegated.computeIfAbsent(b.name() + " -> " + b.delegateName(), k -> new java.util.TreeMap<>());
        b.delegatedCalls().forEach((k, v) -> m.merge(k, v, Long::sum));
    }

    /** "0", or "12 (assemble 10, reduceCombine 2)". */
    static String delegatedText(Map<String, Long> calls) {
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) return "0 (everything ran on the device)";
        StringBuilder b = new StringBuilder().append(total).append(" (");
        calls.forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '(' ? "" : ", ").append(k).append(' ').append(v));
        return b.append(')').toString();
    }

    /**
     * The matmul section: each dtype and size in turn, ours on every chunk size and the peers on the same operands,
     * timed interleaved (one run of each in turn).
     */
    private List<CaseResult> matmul(List<MatmulCase> cases, Map<String, BackendKind> kinds, List<Integer> clusterSizes,
                                    List<MatmulPeer> peerList, int nThreads, PrintStream out, Map<String, Object> run) {
        // the peak first, on a quiet machine
        Map<String, Double> probe = new LinkedHashMap<>();
        for (MatmulCase c : cases) {
            probe.computeIfAbsent(c.dtype().numpyName(), k -> PeakProbe.measure(c.dtype(), nThreads, quick ? 200 : 500));
        }
        Map<DType, Map<Integer, List<Integer>>> groups = new LinkedHashMap<>();
        for (MatmulCase c : cases) {
            groups.computeIfAbsent(c.dtype(), k -> new LinkedHashMap<>()).computeIfAbsent(c.n(), k -> new ArrayList<>()).add(c.chunk());
        }
        long total = 0;
        for (var byType : groups.values()) {
            for (var e : byType.entrySet()) {
                int perRun = warmupFor(e.getKey()) + repsFor(e.getKey()) + 1;
                int rows = e.getValue().size() * (kinds.size() + clusterSizes.size());
                for (MatmulPeer p : peerList) rows += p.chunked() ? e.getValue().size() : 1;
                total += (long) rows * perRun;
            }
        }
        String backendNames = String.join(", ", kinds.keySet());
        out.printf(Locale.ROOT, "matmul: %d cases of ours + %s, %s, backend %s, %d threads%s%n",
                cases.size() * (kinds.size() + clusterSizes.size()), peerList.isEmpty() ? "no peers" : "peers",
                runsText(cases), backendNames, nThreads, clusterSizes.isEmpty() ? "" : ", and on embedded clusters of "
                        + clusterSizes.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                        + " members (" + kinds.keySet().iterator().next() + ")");

        List<CaseResult> results = new ArrayList<>();
        try (ProgressBar bar = noProgress ? null : progressBar("matmul", total)) {
            // the bar counts timed runs (ours and the peers'); our running product shows its tasks in the message
            TaskProgress tasks = TaskProgress.describing(bar);
            Consumer<String> step = bar == null ? s -> {} : s -> {
                tasks.prefix(s);
                bar.step();
            };
            for (var byType : groups.entrySet()) {
                DType t = byType.getKey();
                for (var e : byType.getValue().entrySet()) {
                    int n = e.getKey();
                    // contexts per size: they release the persisted operands of the size when they close
                    List<Chunkwise> contexts = new ArrayList<>();
                    List<Integer> contextMembers = new ArrayList<>();
                    try {
                        for (BackendKind k : kinds.values()) {
                            contexts.add(Chunkwise.builder().backend(k).threads(nThreads).build());
                            contextMembers.add(1);
                        }
                        // the cluster sizes of the grid: embedded members on the first backend, as many threads each
                        BackendKind first = kinds.values().iterator().next();
                        for (int m : clusterSizes) {
                            contexts.add(Chunkwise.builder().backend(first).threads(nThreads)
                                    .cluster(io.chunkwise.ClusterSpec.embedded(m)).build());
                            contextMembers.add(m);
                        }
                        MatmulInputs in = new MatmulInputs(contexts.get(0), t, n, seed);
                        MatmulSuite suite = new MatmulSuite(contexts.get(0), warmupFor(n), repsFor(n), seed, 1, nThreads)
                                .on(contexts, contextMembers);
                        if (bar != null) suite.listener(tasks);
                        List<MatmulCase> ours = new ArrayList<>();
                        for (int chunk : e.getValue()) ours.add(new MatmulCase(t, n, chunk));
                        List<MatmulSuite.PeerCase> theirs = new ArrayList<>();
                        for (MatmulPeer p : peerList) {
                            for (int chunk : p.chunked() ? e.getValue() : List.of(n)) {
                                theirs.add(new MatmulSuite.PeerCase(p, new MatmulCase(t, n, chunk)));
                            }
                        }
                        results.addAll(suite.runGroup(ours, theirs, in, step));
                        in.close();
                    } finally {
                        for (Chunkwise c : contexts) {
                            countDelegated(c);
                            c.close();
                        }
                    }
                }
            }
        }
        Map<String, Comparison.Peak> peaks = Comparison.peaks(results, probe);
        results = Comparison.compare(results, peaks);

        ResultFiles.writeCsv(output.resolve("results.csv"), results);
        ResultFiles.writeJson(output.resolve("results.json"), results);
        MatmulPlot.writePng(output.resolve("matmul.png"), results,
                results.isEmpty() ? "" : backendNames + ", " + nThreads + " threads");
        out.println();
        for (Comparison.Peak p : peaks.values()) {
            out.printf(Locale.ROOT, "peak %s: %.1f GFLOP/s (%s; probe %.1f on %d threads)%n", p.dtype(), p.gflops(),
                    p.source(), p.probe(), nThreads);
        }
        Map<String, Object> peakJson = new LinkedHashMap<>();
        for (Comparison.Peak p : peaks.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gflops", p.gflops());
            m.put("probe_gflops", p.probe());
            m.put("fastest_run_gflops", p.bestRun());
            m.put("source", p.source());
            peakJson.put(p.dtype(), m);
        }
        run.put("peak", peakJson);
        out.println();
        out.print(ResultFiles.table(results));
        if (!peerList.isEmpty()) {
            out.println();
            out.println("chunkwise (best chunk) over each peer, median GFLOP/s (above 1: faster):");
            out.print(Comparison.summary(results));
        }
        out.println("wrote " + output.resolve("results.csv") + ", results.json, matmul.png");
        for (CaseResult r : results) {
            if (r.ok()) continue;
            main.err().printf(Locale.ROOT, "FAILED %s%s n=%d chunk=%d: %s%n", r.peer() ? r.system() + " " : "",
                    r.dtype(), r.n(), r.chunk(), r.detail());
        }
        return results;
    }

    /**
     * The cluster section: an embedded cluster of {@code m} members against a local context, dask.distributed beside
     * them when present, then the transfer between two member processes. Returns how many rows of ours failed.
     */
    private int cluster(int m, int nThreads, int nTasks, PythonPeer distributed, String distributedMissing, PrintStream out,
                        Map<String, Object> run) {
        int w = warmup != null ? warmup : 1, r = reps != null ? reps : quick ? 3 : 5;
        ClusterSuite.Settings settings = quick
                ? new ClusterSuite.Settings(m, nThreads, 256, 128, 1L << 20, 1 << 17, Math.min(nTasks, 2_000), 100, w, 0, r, seed,
                List.of(1, 8), 2, 2)
                : new ClusterSuite.Settings(m, nThreads, 4096, 2048, 100_000_000L, 10_000_000, nTasks, 1_000, w, WARMUP_SECONDS, r, seed,
                List.of(1, 8, 32), 4, 5);
        ClusterSuite suite = new ClusterSuite(settings, distributed, distributedMissing);
        out.println();
        out.printf(Locale.ROOT, "cluster: an embedded cluster of %d members (%d task threads each, in this JVM) against a local"
                        + " context (%d threads), interleaved, %d warmup (and more, to %.0f s each) + %d timed runs; %s; matmul %d float64 in chunks of %d,"
                        + " (x*x+10).sum() over %d float64 in chunks of %d (x persisted), ones(%d, chunks of 10).sum(); transfer"
                        + " of %s MiB chunks between two member processes%n", m, nThreads, nThreads, w, settings.warmupSeconds(), r,
                distributed != null ? "dask.distributed with " + m + " worker processes beside them"
                        : "no dask.distributed (" + distributedMissing + ")",
                settings.matmulN(), settings.matmulChunk(), settings.sumN(), settings.sumChunk(), 10 * settings.tinyTasks(),
                settings.transferMiB().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")));
        ClusterSuite.Outcome o;
        try (ProgressBar bar = noProgress ? null : progressBar("cluster", suite.steps())) {
            TaskProgress tasks = TaskProgress.describing(bar);
            if (bar != null) suite.listener(tasks);
            o = suite.run(s -> {
                if (bar != null) {
                    tasks.prefix(s);
                    bar.step();
                }
            });
        }
        ResultFiles.writeCluster(output, o.rows(), o.ratios());
        out.println();
        out.print(ResultFiles.clusterTable(o.rows()));
        out.println();
        out.println("ratios, round by round (median [min-max] over the rounds):");
        out.print(ResultFiles.ratioTable(o.ratios()));
        out.println("wrote " + output.resolve("cluster.csv") + ", cluster-ratios.csv, cluster.json");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("members", m);
        c.put("threads_per_member", nThreads);
        c.put("warmup", w);
        c.put("warmup_seconds", settings.warmupSeconds());
        c.put("reps", r);
        run.put("cluster", c);
        int failed = 0;
        for (ClusterResult e : o.rows()) {
            if (e.ok()) continue;
            if (!e.system().equals(PythonPeer.DISTRIBUTED)) failed++;
            main.err().printf(Locale.ROOT, "FAILED %s %s n=%d members=%d: %s%n", e.system(), e.workload(), e.n(), e.members(), e.detail());
        }
        return failed;
    }

    private String runsText(List<MatmulCase> cases) {
        Set<String> plans = new LinkedHashSet<>();
        for (MatmulCase c : cases) {
            plans.add(warmupFor(c.n()) + " warmup + " + repsFor(c.n()) + " timed runs"
                    + (reps == null && !quick && c.n() > LARGE ? " above n = " + LARGE : ""));
        }
        return String.join(", ", plans);
    }

    private int repsFor(int n) {
        return reps != null ? reps : quick ? 3 : n > LARGE ? 3 : 5;
    }

    private int warmupFor(int n) {
        return warmup != null ? warmup : quick ? 1 : n > LARGE ? 1 : 2;
    }

    /** The peers found, in the suite's order, with one line each for those present and those missing. */
    private record Peers(List<MatmulPeer> all, Map<String, String> present, Map<String, String> missing) {}

    private Peers findPeers(Set<String> wanted, boolean matmulSection) {
        List<MatmulPeer> list = new ArrayList<>();
        Map<String, String> present = new LinkedHashMap<>(), missing = new LinkedHashMap<>();
        if (wanted.contains("openblas") && matmulSection) {
            if (OpenBlas.available()) {
                list.add(new OpenBlasPeer());
                present.put("openblas", "openblas (one call on the whole matrices: " + MachineInfo.openBlasLine() + ")");
            } else {
                missing.put("openblas", OpenBlas.problem());
            }
        }
        if (wanted.contains("openblas-blocks") && matmulSection) {
            if (OpenBlas.writesInPlace()) {
                list.add(new OpenBlasBlocksPeer());
                present.put("openblas-blocks", "openblas-blocks (the block GEMMs of each chunk size by hand, 1 BLAS thread per thread)");
            } else {
                missing.put("openblas-blocks", OpenBlas.available() ? "needs OpenBLAS writing in place (Java 22+)" : OpenBlas.problem());
            }
        }
        if (wanted.contains("nd4j") && matmulSection) {
            try {
                String version = Nd4jPeer.load();
                list.add(new Nd4jPeer());
                present.put("nd4j", "nd4j " + version + " (mmul in this JVM)");
            } catch (Exception | LinkageError e) {
                missing.put("nd4j", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        if (wanted.contains("numpy") || wanted.contains("dask")) {
            PythonPeer.Environment env = PythonPeer.discover(python);
            for (String system : List.of("numpy", "dask")) {
                if (!wanted.contains(system)) continue;
                boolean ok = system.equals("numpy") ? env.numpy() : env.dask();
                if (ok) {
                    list.add(system.equals("numpy") ? PythonPeer.numpy(env) : PythonPeer.dask(env));
                    present.put(system, PythonPeer.describe(env, system));
                } else {
                    missing.put(system, system.equals("numpy") ? env.numpyProblem() : env.daskProblem());
                }
            }
        }
        return new Peers(list, present, missing);
    }

    /** The names asked for (all of {@code known} when none), in {@code known}'s order; "none" gives none. */
    private Set<String> choose(String option, List<String> asked, List<String> known) {
        if (asked == null) return new LinkedHashSet<>(known);
        Set<String> names = new LinkedHashSet<>();
        for (String a : asked) {
            String s = a.strip().toLowerCase(Locale.ROOT);
            if (s.equals("none")) continue;
            if (!known.contains(s)) {
                throw new ParameterException(spec.commandLine(), option + ": '" + a + "' is none of " + String.join(", ", known) + " or none");
            }
            names.add(s);
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String k : known) if (names.contains(k)) ordered.add(k);
        return ordered;
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
        List<String> chunkSpecs = chunks != null ? chunks : quick ? List.of("auto") : FULL_CHUNKS;
        List<MatmulCase> cases = new ArrayList<>();
        for (DType t : types) {
            for (int n : ns) {
                Set<Integer> cs = new LinkedHashSet<>();
                for (String c : chunkSpecs) cs.add(chunk(c, n));
                for (int c : cs) cases.add(new MatmulCase(t, n, c));
            }
        }
        return cases;
    }

    /** A chunk size: a whole number (at most n), n/K, or auto. */
    private int chunk(String spec0, int n) {
        String s = spec0.strip().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) return MatmulCase.autoChunk(n);
        try {
            if (s.startsWith("n/")) return Math.max(1, n / positive("--chunks", Integer.parseInt(s.substring(2).strip()), 1));
            return Math.min(n, positive("--chunks", Integer.parseInt(s), 1));
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--chunks: '" + spec0 + "' is neither a whole number, n/K nor auto");
        }
    }

    /**
     * The backends asked for that can run here, each once (AUTO and CPU are one backend on a machine without a GPU);
     * one that cannot is named with the reason and left out. By backend name, in the order asked.
     */
    private Map<String, BackendKind> usableBackends(int nThreads, PrintStream out) {
        List<BackendKind> asked = backends == null || backends.isEmpty() ? List.of(BackendKind.AUTO) : backends;
        Map<String, BackendKind> usable = new LinkedHashMap<>();
        BackendUnavailableException first = null;
        for (BackendKind k : asked) {
            try (Chunkwise probe = Chunkwise.builder().backend(k).threads(nThreads).build()) {
                usable.putIfAbsent(probe.backend().name(), k);
            } catch (BackendUnavailableException e) {
                if (first == null) first = e;
                out.println("backend " + k + ": not available, going on without it (" + e.getMessage() + ")");
            }
        }
        if (usable.isEmpty()) throw first;
        return usable;
    }

    private int positive(String option, int value, int min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), option + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    private ProgressBar progressBar(String name, long total) {
        return TaskProgress.newBar(name, total, main.err());
    }
}
