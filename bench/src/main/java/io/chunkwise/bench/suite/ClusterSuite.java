package io.chunkwise.bench.suite;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.ComputeListener;
import io.chunkwise.DType;
import io.chunkwise.NDArray;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongSupplier;

/**
 * The third section of the suite (issue 15, "Measured"): an embedded cluster against a local context in the same
 * JVM, and dask.distributed on loopback, on the same workloads, timed interleaved ({@link Interleaved}: every round
 * runs each system once, so each ratio is taken round by round from runs side by side).
 * <ul>
 *   <li>{@code matmul}: {@code x.matmul(y).compute()}, n x n float64 in square chunks, x and y random normal and
 *       persisted first; every product is validated, and the cluster's is compared with the local one bit for
 *       bit.</li>
 *   <li>{@code fused_sum}: {@code x.mul(x).add(10).sum().compute()} over n float64 persisted first, checked against
 *       a compensated sum of the same terms. In a cluster context {@code persist()} keeps the chunks on the members
 *       (with a backup), spread evenly over them. The same sum also runs as {@code fused_sum_drawn}: x drawn inside
 *       the graph on every run (the members draw their own chunks; no peer there: dask's normal draws alone take
 *       seconds).</li>
 *   <li>{@code tiny}: {@code ones(n, chunks of 10).sum()}: the cost per task, n / 10 tasks.</li>
 *   <li>{@code transfer}: reading chunk envelopes from another member process ({@link TransferBench}); run first, with
 *       nothing else in this JVM and before the peer starts, its rows printed last.</li>
 * </ul>
 * The local context and the cluster get the same thread count; each embedded member runs that many task threads,
 * so on a small machine the members share its cores with each other and with the driver. dask.distributed runs a
 * {@code LocalCluster} of as many worker processes as the cluster has members, one thread each
 * ({@code bench/peers/distributed_peer.py}). The systems share the machine's cores while the others wait: each row
 * of ours says how much of a core dask.distributed's idle processes took while it ran, and each of dask's how much
 * this JVM (our two contexts, idle then) took.
 */
public final class ClusterSuite {
    public static final String MATMUL = "matmul", FUSED_SUM = "fused_sum", FUSED_SUM_DRAWN = "fused_sum_drawn", TINY = "tiny";
    private static final com.sun.management.OperatingSystemMXBean JVM =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /**
     * What the section runs.
     *
     * @param members     embedded members of the cluster (and dask.distributed's workers)
     * @param tinyTasks   tasks of ours in the tiny workload; {@code peerTinyTasks} the peer's (dask.distributed takes
     *                    milliseconds a task)
     * @param warmupSeconds each system's warm-up runs go on until they took this long in all (0: {@code warmup} runs only)
     * @param transferMiB chunk sizes of the transfer workload; empty leaves it out
     */
    public record Settings(int members, int threads, int matmulN, int matmulChunk, long sumN, int sumChunk,
                           long tinyTasks, long peerTinyTasks, int warmup, double warmupSeconds, int reps, long seed,
                           List<Integer> transferMiB, int transferKeys, int transferRounds) {
        public Settings {
            if (members < 1 || threads < 1 || matmulN < 1 || matmulChunk < 1 || sumN < 1 || sumChunk < 1 || tinyTasks < 1
                    || peerTinyTasks < 1 || warmup < 0 || !(warmupSeconds >= 0) || reps < 1 || transferKeys < 1 || transferRounds < 1) {
                throw new IllegalArgumentException("invalid cluster section settings: " + this);
            }
            if (sumN > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("n of the sum must be at most 2^31 - 9, not " + sumN);
            transferMiB = List.copyOf(transferMiB);
        }
    }

    /** The rows (one per workload and system) and the ratios taken round by round. */
    public record Outcome(List<ClusterResult> rows, List<ClusterResult.Ratio> ratios) {}

    private final Settings s;
    private final PythonPeer peer;
    private final String peerMissing;
    private ComputeListener listener = ComputeListener.NONE;

    /**
     * @param peer        dask.distributed, or null
     * @param peerMissing why there is no peer (printed by the caller; kept in the ratios' absence)
     */
    public ClusterSuite(Settings settings, PythonPeer peer, String peerMissing) {
        this.s = Objects.requireNonNull(settings);
        this.peer = peer;
        this.peerMissing = peerMissing;
    }

    /** Receives the progress of each of our computations (the command line's bar). */
    public ClusterSuite listener(ComputeListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Progress steps of {@link #run}. */
    public int steps() {
        int systems = 2 + (peer != null ? 1 : 0);
        int steps = (3 * systems + 2) * (s.warmup() + s.reps() + 1);
        if (!s.transferMiB().isEmpty()) steps += transfer().steps();
        return steps;
    }

    private TransferBench transfer() {
        return new TransferBench(s.transferMiB(), s.transferKeys(), s.transferRounds(), s.warmupSeconds());
    }

    /** A trial whose last result can be checked: {@link #problem()} is null when it is right. */
    private interface Checked extends Trial {
        String problem() throws Exception;

        /** The last result's values, for comparing two systems bit for bit (null: not compared). */
        default double[] values() { return null; }

        /** More for the row's detail, or null. */
        default String note() { return null; }
    }

    public Outcome run(Consumer<String> step) {
        List<ClusterResult> rows = new ArrayList<>();
        List<ClusterResult.Ratio> ratios = new ArrayList<>();
        // the transfer runs first, alone: before this JVM holds two contexts and before the peer's server starts (its
        // first trial starts it), so that nothing idles beside the two member processes; its rows come last
        List<ClusterResult> transferred = s.transferMiB().isEmpty() ? List.of() : transfer().run(step);
        System.gc();   // the transfer's gigabytes of large arrays go before the contexts are timed, not while they are
        Chunkwise local = Chunkwise.builder().threads(s.threads()).build();
        Chunkwise cluster = null;
        String clusterProblem = null;
        try {
            try {
                cluster = Chunkwise.builder().threads(s.threads()).cluster(ClusterSpec.embedded(s.members())).build();
            } catch (RuntimeException | LinkageError e) {
                clusterProblem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            matmul(local, cluster, clusterProblem, rows, ratios, step);
            fusedSum(local, cluster, clusterProblem, true, rows, ratios, step);
            fusedSum(local, cluster, clusterProblem, false, rows, ratios, step);
            tiny(local, cluster, clusterProblem, rows, ratios, step);
        } finally {
            if (cluster != null) cluster.close();
            local.close();
        }
        rows.addAll(transferred);
        for (ClusterResult r : transferred) {
            if (r.chunk() != 8L << 20) continue;
            ratios.add(new ClusterResult.Ratio(TransferBench.WORKLOAD, "GB/s reading 8 MiB chunks from another member process",
                    r.median(), r.min(), r.max(), r.samples(), ">= 0.8", verdict(r.median(), v -> v >= 0.8)));
        }
        return new Outcome(rows, ratios);
    }

    // ---- the workloads

    private void matmul(Chunkwise local, Chunkwise cluster, String clusterProblem, List<ClusterResult> rows,
                        List<ClusterResult.Ratio> ratios, Consumer<String> step) {
        int n = s.matmulN(), chunk = Math.min(s.matmulChunk(), n);
        double flops = 2.0 * n * n * n;
        Callable<Checked> ours1 = () -> matmulTrial(local, n, chunk);
        Callable<Checked> ours2 = cluster == null ? failing(clusterProblem) : () -> matmulTrial(cluster, n, chunk);
        Callable<Checked> theirs = peer == null ? null : () -> peerTrial("matmul", n, chunk, check -> {
            Object r = check.get("residual");
            double res = r instanceof Number x ? x.doubleValue() : Double.NaN;
            double tol = MatmulValidator.tolerance(DType.FLOAT64);
            return res <= tol ? null : "relative residual " + res + " above " + tol;
        });
        Group g = group(MATMUL, n, chunk, ours1, ours2, theirs, step);
        for (int i = 0; i < g.entries.size(); i++) {
            Interleaved.Entry<Checked> e = g.entries.get(i);
            double[] t = e.ok() ? Interleaved.medianMinMax(e.seconds) : null;
            String detail = g.problems[i] != null ? g.problems[i] : e.ok() ? String.format(Locale.ROOT,
                    "median %.3f s [%.3f-%.3f]", t[0], t[1], t[2]) : null;
            if (i == 1 && g.problems[i] == null && g.identical != null) detail += g.identical ? "; bit-identical to local" : "; NOT bit-identical to local";
            rows.add(row(MATMUL, g, i, n, chunk, ClusterResult.GFLOPS, t == null ? null : new double[]{flops / 1e9 / t[0],
                    flops / 1e9 / t[2], flops / 1e9 / t[1]}, detail));
        }
        timeRatios(MATMUL, g, 1.3, 1.35, ratios);
        g.close();
    }

    private void fusedSum(Chunkwise local, Chunkwise cluster, String clusterProblem, boolean persisted,
                          List<ClusterResult> rows, List<ClusterResult.Ratio> ratios, Consumer<String> step) {
        long n = s.sumN();
        int chunk = (int) Math.min(s.sumChunk(), n);
        double[] ref = new double[2];
        boolean[] referenced = {false};
        String workload = persisted ? FUSED_SUM : FUSED_SUM_DRAWN;
        Callable<Checked> ours1 = () -> sumTrial(local, n, chunk, persisted, ref, referenced);
        Callable<Checked> ours2 = cluster == null ? failing(clusterProblem) : () -> sumTrial(cluster, n, chunk, persisted, ref, referenced);
        Callable<Checked> theirs = peer == null || !persisted ? null : () -> peerTrial(FUSED_SUM, n, chunk, check -> {
            if (!(check.get("sum") instanceof Number got) || !(check.get("exact") instanceof Number exact)
                    || !(check.get("abs_sum") instanceof Number abs)) {
                return "the peer reported no sum: " + check;
            }
            return ElementwiseSuite.checkSum(got.doubleValue(), exact.doubleValue(), abs.doubleValue());
        });
        Group g = group(workload, n, chunk, ours1, ours2, theirs, step);
        for (int i = 0; i < g.entries.size(); i++) {
            Interleaved.Entry<Checked> e = g.entries.get(i);
            double[] t = e.ok() ? Interleaved.medianMinMax(e.seconds) : null;
            rows.add(row(workload, g, i, n, chunk, ClusterResult.SECONDS, t, g.problems[i] != null ? g.problems[i]
                    : e.ok() ? String.format(Locale.ROOT, "%.2f GB/s of x", 8.0 * n / t[0] / 1e9) : null));
        }
        if (persisted) {
            timeRatios(FUSED_SUM, g, 1.3, 2.0, ratios);
        } else if (g.ok(0) && g.ok(1)) {
            ratios.add(ratio(workload, "cluster / local time", g, (l, c) -> c / l, "<= 1.3", v -> v <= 1.3));
        }
        g.close();
    }

    private void tiny(Chunkwise local, Chunkwise cluster, String clusterProblem, List<ClusterResult> rows,
                      List<ClusterResult.Ratio> ratios, Consumer<String> step) {
        int chunk = ElementwiseSuite.TINY_CHUNK;
        long tasks = s.tinyTasks(), peerTasks = Math.min(s.peerTinyTasks(), tasks);
        long n = tasks * chunk, peerN = peerTasks * chunk;
        Callable<Checked> ours1 = () -> tinyTrial(local, n);
        Callable<Checked> ours2 = cluster == null ? failing(clusterProblem) : () -> tinyTrial(cluster, n);
        Callable<Checked> theirs = peer == null ? null : () -> peerTrial(TINY, peerN, chunk, check ->
                check.get("sum") instanceof Number got && got.doubleValue() == peerN ? null : "the sum is " + check.get("sum") + ", not " + peerN);
        Group g = group(TINY, n, chunk, ours1, ours2, theirs, step);
        for (int i = 0; i < g.entries.size(); i++) {
            Interleaved.Entry<Checked> e = g.entries.get(i);
            long k = i == 2 ? peerTasks : tasks;
            double[] t = e.ok() ? Interleaved.medianMinMax(e.seconds) : null;
            double[] us = t == null ? null : new double[]{t[0] / k * 1e6, t[1] / k * 1e6, t[2] / k * 1e6};
            rows.add(row(TINY, g, i, i == 2 ? peerN : n, chunk, ClusterResult.US_PER_TASK, us, g.problems[i] != null ? g.problems[i]
                    : e.ok() ? String.format(Locale.ROOT, "%d tasks, median %.3f s", k, t[0]) : null));
        }
        if (g.ok(0) && g.ok(1)) {
            ratios.add(ratio(TINY, "cluster time / tasks (us)", g, (l, c) -> c / tasks * 1e6, "<= 200", v -> v <= 200));
            ratios.add(ratio(TINY, "(cluster - local time) / tasks (us)", g, (l, c) -> (c - l) / tasks * 1e6, "-", null));
        }
        if (g.ok(1) && g.ok(2)) {
            ratios.add(ratio(TINY, "cluster speed / distributed's, per task", g, 1, 2,
                    (c, p) -> (p / peerTasks) / (c / tasks), "-", null));
        } else if (peer == null) {
            ratios.add(missingPeer(TINY));
        }
        g.close();
    }

    // ---- trials

    private Checked matmulTrial(Chunkwise cw, int n, int chunk) {
        long[] shape = {n, n};
        int[] chunks = {chunk, chunk};
        ChunkedArray x = cw.random(s.seed()).normal(DType.FLOAT64, 0.0, 1.0, shape, chunks).persist();
        ChunkedArray y = cw.random(s.seed() + 1).normal(DType.FLOAT64, 0.0, 1.0, shape, chunks).persist();
        ChunkedArray product = x.matmul(y);
        return new Checked() {
            NDArray last;

            @Override public double time() {
                last = null;
                long t0 = System.nanoTime();
                last = product.compute(listener);
                return seconds(t0);
            }

            @Override public String problem() {
                MatmulValidator.Verdict v = MatmulValidator.check(last, new MatmulValidator.RandomNormal(s.seed(), n, n, DType.FLOAT64),
                        new MatmulValidator.RandomNormal(s.seed() + 1, n, n, DType.FLOAT64), DType.FLOAT64, s.seed() ^ n);
                return v.ok() ? null : "wrong product: " + v.detail();
            }

            @Override public double[] values() { return last.block().doubles(); }

            @Override public void close() {   // the next workloads run without these chunks in the heap
                x.unpersist();
                y.unpersist();
            }
        };
    }

    private Checked sumTrial(Chunkwise cw, long n, int chunk, boolean persisted, double[] ref, boolean[] referenced) {
        ChunkedArray drawn = cw.random(s.seed()).normal(0.0, 1.0, new long[]{n}, new int[]{chunk});
        ChunkedArray x = persisted ? drawn.persist() : drawn;
        if (!referenced[0]) { // the terms' compensated sum, from the first context's x (every context draws the same x)
            double[] xd = x.compute().block().doubles();
            double sum = 0, c = 0;
            for (double v : xd) {
                double term = v * v + 10, t = sum + term;
                c += Math.abs(sum) >= Math.abs(term) ? (sum - t) + term : (term - t) + sum;
                sum = t;
            }
            ref[0] = sum + c;
            ref[1] = ref[0];   // every term is positive
            referenced[0] = true;
        }
        return scalarTrial(x.mul(x).add(10).sum(), got -> ElementwiseSuite.checkSum(got, ref[0], ref[1]), persisted ? x : null);
    }

    private Checked tinyTrial(Chunkwise cw, long n) {
        return scalarTrial(cw.ones(DType.FLOAT64, new long[]{n}, new int[]{ElementwiseSuite.TINY_CHUNK}).sum(),
                got -> got == n ? null : "the sum is " + got + ", not " + n, null);
    }

    /**
     * Times computing a 0-d {@code expr}; {@code check} names what is wrong with its value, or gives null; closing the
     * trial unpersists {@code held} (a persisted array, or null).
     */
    private Checked scalarTrial(ChunkedArray expr, java.util.function.DoubleFunction<String> check, ChunkedArray held) {
        return new Checked() {
            double got;

            @Override public double time() {
                long t0 = System.nanoTime();
                got = expr.compute(listener).getDouble();
                return seconds(t0);
            }

            @Override public String problem() { return check.apply(got); }

            @Override public void close() {   // the next workloads run without its chunks in the heap
                if (held != null) held.unpersist();
            }
        };
    }

    private interface PeerCheck {
        String problem(Map<?, ?> check);
    }

    private Checked peerTrial(String workload, long n, int chunk, PeerCheck check) throws Exception {
        PythonPeer.Remote r = peer.prepare(workload, n, chunk, s.members(), s.seed());
        return new Checked() {
            @Override public double time() throws Exception { return r.time(); }

            @Override public String problem() throws Exception { return check.problem(r.check()); }

            @Override public void close() throws Exception { r.close(); }
        };
    }

    /**
     * {@code trial}, noting in its row what {@code others} (idle then: dask.distributed's scheduler and workers keep
     * ticking, and so do our contexts' threads) took from the cores while it ran; {@code othersCpuNanos} is their CPU
     * time so far, negative where unknown (the peer's server starts with the peer's first trial).
     */
    private static Callable<Checked> noting(Callable<Checked> trial, String others, LongSupplier othersCpuNanos) {
        return () -> {
            Checked c = trial.call();
            return new Checked() {
                long wallNanos, othersNanos;

                @Override public double time() throws Exception {
                    long cpu = othersCpuNanos.getAsLong(), t0 = System.nanoTime();
                    try {
                        return c.time();
                    } finally {
                        long after = othersCpuNanos.getAsLong(), wall = System.nanoTime() - t0;
                        if (cpu >= 0 && after >= cpu) {
                            othersNanos += after - cpu;
                            wallNanos += wall;
                        }
                    }
                }

                @Override public String note() {   // /proc counts in 10 ms ticks: over less than a second it says little
                    return wallNanos < 1_000_000_000L ? null
                            : String.format(Locale.ROOT, "%s meanwhile %.1f %% of a core", others, 100.0 * othersNanos / wallNanos);
                }

                @Override public String problem() throws Exception { return c.problem(); }

                @Override public double[] values() { return c.values(); }

                @Override public long settleMillis() { return c.settleMillis(); }

                @Override public void close() throws Exception { c.close(); }
            };
        };
    }

    private static Callable<Checked> failing(String why) {
        return () -> {
            throw new IllegalStateException("the cluster did not start: " + why);
        };
    }

    // ---- timing and ratios

    /** The entries of one workload (local, cluster, and the peer when there is one), run and checked. */
    private final class Group {
        final List<Interleaved.Entry<Checked>> entries = new ArrayList<>();
        final String[] problems;
        Boolean identical;

        Group(List<Interleaved.Entry<Checked>> entries) {
            this.entries.addAll(entries);
            this.problems = new String[entries.size()];
        }

        boolean ok(int i) {
            return i < entries.size() && entries.get(i).ok() && problems[i] == null;
        }

        void close() {
            for (var e : entries) e.close();
        }
    }

    private Group group(String workload, long n, int chunk, Callable<Checked> local, Callable<Checked> cluster,
                        Callable<Checked> theirs, Consumer<String> step) {
        List<Interleaved.Entry<Checked>> entries = new ArrayList<>();
        String size = workload + " n=" + n + " chunk=" + chunk;
        if (peer != null) {   // what the systems beside each took meanwhile
            local = noting(local, "the peer's processes", peer::cpuNanos);
            cluster = noting(cluster, "the peer's processes", peer::cpuNanos);
            if (theirs != null) theirs = noting(theirs, "this JVM", JVM::getProcessCpuTime);
        }
        entries.add(new Interleaved.Entry<>(size + " local", local, s.warmup(), s.warmupSeconds(), s.reps()));
        entries.add(new Interleaved.Entry<>(size + " cluster x" + s.members(), cluster, s.warmup(), s.warmupSeconds(), s.reps()));
        if (theirs != null) entries.add(new Interleaved.Entry<>(size + " distributed x" + s.members(), theirs, s.warmup(), s.warmupSeconds(), s.reps()));
        Group g = new Group(entries);
        try {
            Interleaved.run(entries, step);
            for (int i = 0; i < entries.size(); i++) {
                Interleaved.Entry<Checked> e = entries.get(i);
                if (!e.ok()) {
                    g.problems[i] = "could not run: " + e.failure;
                } else {
                    try {
                        g.problems[i] = e.trial.problem();
                    } catch (Exception | LinkageError ex) {
                        g.problems[i] = "could not be checked: " + ex.getClass().getSimpleName() + ": " + ex.getMessage();
                    }
                }
                step.accept(e.label + " checked");
            }
            if (g.ok(0) && g.ok(1)) {
                double[] a = entries.get(0).trial.values(), b = entries.get(1).trial.values();
                if (a != null && b != null) g.identical = Arrays.equals(a, b);
            }
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        return g;
    }

    private ClusterResult row(String workload, Group g, int i, long n, long chunk, String unit, double[] figures, String detail) {
        boolean ok = g.ok(i);
        String note = ok ? g.entries.get(i).trial.note() : null;
        if (note != null) detail = detail == null ? note : detail + "; " + note;
        String system = i == 2 ? PythonPeer.DISTRIBUTED : MatmulSuite.SYSTEM;
        int members = i == 0 ? 1 : s.members();
        return new ClusterResult(workload, system, n, chunk, members, unit, ok ? figures[0] : null, ok ? figures[1] : null,
                ok ? figures[2] : null, ok ? s.reps() : 0, ok ? ClusterResult.OK : ClusterResult.FAILED, detail);
    }

    /** cluster / local time (target {@code clusterTarget}), and ours over the peer's speed (target {@code peerTarget}). */
    private void timeRatios(String workload, Group g, double clusterTarget, double peerTarget, List<ClusterResult.Ratio> out) {
        if (g.ok(0) && g.ok(1)) {
            out.add(ratio(workload, "cluster / local time", g, (l, c) -> c / l, "<= " + clusterTarget, v -> v <= clusterTarget));
        }
        if (g.ok(1) && g.ok(2)) {
            out.add(ratio(workload, "cluster speed / distributed's", g, 1, 2, (c, p) -> p / c, ">= " + peerTarget, v -> v >= peerTarget));
        }
        if (g.ok(0) && g.ok(2)) {
            out.add(ratio(workload, "local speed / distributed's", g, 0, 2, (l, p) -> p / l, "-", null));
        }
        if (peer == null) out.add(missingPeer(workload));
    }

    private ClusterResult.Ratio missingPeer(String workload) {
        return new ClusterResult.Ratio(workload, "cluster speed / distributed's (no peer: " + peerMissing + ")", null, null, null,
                0, "-", "-");
    }

    private ClusterResult.Ratio ratio(String workload, String quantity, Group g, DoubleBinaryOperator f, String target,
                                      java.util.function.DoublePredicate met) {
        return ratio(workload, quantity, g, 0, 1, f, target, met);
    }

    /** f(seconds of entry a, seconds of entry b) for each round, then its median and spread. */
    private ClusterResult.Ratio ratio(String workload, String quantity, Group g, int a, int b, DoubleBinaryOperator f,
                                      String target, java.util.function.DoublePredicate met) {
        double[] sa = g.entries.get(a).seconds, sb = g.entries.get(b).seconds;
        double[] r = new double[sa.length];
        for (int i = 0; i < r.length; i++) r[i] = f.applyAsDouble(sa[i], sb[i]);
        double[] mmm = Interleaved.medianMinMax(r);
        return new ClusterResult.Ratio(workload, quantity, mmm[0], mmm[1], mmm[2], r.length, target, verdict(mmm[0], met));
    }

    private static String verdict(Double median, java.util.function.DoublePredicate met) {
        if (met == null || median == null) return "-";
        return met.test(median) ? "met" : "missed";
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
