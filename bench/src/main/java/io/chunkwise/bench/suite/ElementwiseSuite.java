package io.chunkwise.bench.suite;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ComputeListener;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.bench.jmh.SumBench;
import io.chunkwise.random.Philox;
import io.chunkwise.reference.CompensatedSum;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The second section of the suite: what bounds the elementwise and reduction work of a chunked array, measured
 * against the plain-Java limit and the peers.
 * <ul>
 *   <li>{@code mul_add}: {@code x.mul(x).add(10).compute()} over n float64 already persisted, in GB/s of bytes read
 *       plus written (16 n); held against a plain Java copy of the same bytes ({@code System.arraycopy}, the array
 *       split over the same number of threads, into an array allocated beforehand). {@code compute()} allocates
 *       (and so zeroes) its result each time, the copy does not.</li>
 *   <li>{@code mul_add_into}: the same into an {@link NDArray} allocated beforehand ({@code computeInto(out)}), like
 *       for like with the copy; held against the same java row (the three are timed interleaved).</li>
 *   <li>{@code sum}: {@code x.sum()} over the same persisted x, in GB/s read (8 n); held against a plain Java read
 *       loop (four running sums per thread, the array split over the threads).</li>
 *   <li>{@code fused_sum}: {@code x.mul(x).add(10).sum()}, the expression summed as it is computed (x is read once,
 *       nothing is written), in GB/s read (8 n); held against the read loop with eight running sums per thread
 *       ({@link SumBench#sum8}) over the same array, the bandwidth a sum can reach.</li>
 *   <li>{@code random}: {@code random(seed).normal(0, 1, n, chunk).compute()}, in GB/s written (8 n).</li>
 *   <li>{@code tiny}: {@code ones(n, chunks of 10).sum()}, in microseconds per chunk (n / 10 tasks of almost no
 *       work: the scheduling cost).</li>
 * </ul>
 * The systems of a workload are timed interleaved ({@link Interleaved}); the memory-bound workloads get at least
 * {@link #MEMORY_WARMUP} warm-up runs on every system. Every figure comes from a checked result: sampled entries of
 * x*x+10 and of the normal draws, the sums against a compensated sum, the tiny sum exactly; the peers report values
 * from their last run that are checked the same way.
 */
public final class ElementwiseSuite {
    /** Elements per chunk of the tiny-task workload. */
    public static final int TINY_CHUNK = 10;
    private static final int SAMPLES = 64;
    /**
     * Warm-up runs of the memory-bound workloads at least: a plain Java loop reaches its compiled speed only after a
     * few runs (tiered compilation), and the same holds for our kernels. The tiny-task workload is warm after one.
     */
    public static final int MEMORY_WARMUP = 3;

    private final Chunkwise cw;
    private final int threads;
    private final long n;
    private final int chunk;
    private final long tinyN;
    private final long peerTinyN;
    private final int warmup;
    private final int reps;
    private final long seed;
    private final List<PythonPeer> peers;
    private ComputeListener listener = ComputeListener.NONE;

    /**
     * @param n         elements of the memory-bound workloads (at most {@code Integer.MAX_VALUE - 8})
     * @param tinyN     elements of the tiny-task workload ({@code tinyN / 10} tasks); 0 leaves that workload out
     * @param peerTinyN elements of the peers' tiny-task run (dask spends a quarter of a millisecond per task, so
     *                  the suite gives it fewer tasks; the figure is per task either way)
     */
    public ElementwiseSuite(Chunkwise cw, int threads, long n, int chunk, long tinyN, long peerTinyN, int warmup,
                            int reps, long seed, List<PythonPeer> peers) {
        if (n < 1 || n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("n must lie in [1, 2^31 - 9], not " + n);
        if (chunk < 1) throw new IllegalArgumentException("chunk must be at least 1, not " + chunk);
        if (reps < 1 || warmup < 0) throw new IllegalArgumentException("reps must be at least 1 and warmup at least 0");
        this.cw = Objects.requireNonNull(cw);
        this.threads = threads;
        this.n = n;
        this.chunk = (int) Math.min(chunk, n);
        this.tinyN = tinyN;
        this.peerTinyN = peerTinyN;
        this.warmup = warmup;
        this.reps = reps;
        this.seed = seed;
        this.peers = List.copyOf(peers);
    }

    /** Receives the progress of each of our computations (the command line's bar). */
    public ElementwiseSuite listener(ComputeListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Progress steps of {@link #run}: the warm-up and timed runs and the check of every row. */
    public int steps() {
        int rows = 0, tinyRows = tinyN > 0 ? 1 : 0;
        rows += 3 + 2 + 2 + 1; // mul_add: ours (compute, computeInto) and java; sum, fused_sum: ours and java; random: ours
        for (PythonPeer p : peers) {
            rows += 3;
            if (p.chunked() && tinyN > 0) tinyRows++;
        }
        return rows * (memoryWarmup() + reps + 1) + tinyRows * (warmup + reps + 1);
    }

    private int memoryWarmup() {
        return Math.max(warmup, MEMORY_WARMUP);
    }

    /** A trial whose last result can be checked: {@link #problem()} is null when it is right. */
    private interface Checked extends Trial {
        String problem() throws Exception;
    }

    /** What a row says about its trial, and how to start it. */
    private record Contestant(String system, String workload, long n, long chunk, int threads, String unit,
                              double work, Callable<Checked> start) {}

    /** The workload of {@code computeInto}: held against the java row of {@code mul_add}. */
    static final String MUL_ADD_INTO = "mul_add_into";
    /** The workload of {@code x.mul(x).add(10).sum()}: held against its own java row, the 8-accumulator read loop. */
    static final String FUSED_SUM = "fused_sum";

    public List<ElementwiseResult> run(Consumer<String> step) {
        ChunkedArray x = cw.random(seed).normal(0.0, 1.0, new long[]{n}, new int[]{chunk}).persist();
        double[] xd = x.compute().block().doubles();
        double[] sampled = samples(n);
        double[] ref = CompensatedSum.of(xd);
        double[] mulAddRef = mulAddSum(xd);
        long tasks = (tinyN + TINY_CHUNK - 1) / TINY_CHUNK;
        long peerTasks = (peerTinyN + TINY_CHUNK - 1) / TINY_CHUNK;
        String gbs = ElementwiseResult.GBS, us = ElementwiseResult.US_PER_TASK;
        List<ElementwiseResult> rows = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            // x.mul(x).add(10): 16 bytes a value (read x, write y)
            List<Contestant> mulAdd = new ArrayList<>(List.of(
                    new Contestant(MatmulSuite.SYSTEM, "mul_add", n, chunk, threads, gbs, 16.0 * n, () -> new Checked() {
                        NDArray y;

                        @Override public double time() {
                            y = null;
                            long t0 = System.nanoTime();
                            y = x.mul(x).add(10).compute(listener);
                            return seconds(t0);
                        }

                        @Override public String problem() { return checkMulAdd(xd, y.block().doubles(), sampled); }
                    }),
                    new Contestant(MatmulSuite.SYSTEM, MUL_ADD_INTO, n, chunk, threads, gbs, 16.0 * n, () -> new Checked() {
                        final NDArray out = NDArray.wrap(new io.chunkwise.spi.HostBlock(DType.FLOAT64, new int[]{(int) n},
                                new double[(int) n]), new long[]{n});

                        @Override public double time() {
                            long t0 = System.nanoTime();
                            x.mul(x).add(10).computeInto(out);
                            return seconds(t0);
                        }

                        @Override public String problem() { return checkMulAdd(xd, out.block().doubles(), sampled); }
                    }),
                    new Contestant("java", "mul_add", n, n, threads, gbs, 16.0 * n, () -> new Checked() {
                        final double[] dst = new double[xd.length];

                        @Override public double time() throws Exception {
                            long t0 = System.nanoTime();
                            split(pool, xd.length, (lo, hi) -> {
                                System.arraycopy(xd, lo, dst, lo, hi - lo);
                                return 0.0;
                            });
                            return seconds(t0);
                        }

                        @Override public String problem() {
                            for (double i : sampled) if (dst[(int) i] != xd[(int) i]) return "copy differs at " + (long) i;
                            return null;
                        }
                    })));
            // x.sum(): 8 bytes a value
            List<Contestant> sum = new ArrayList<>(List.of(
                    new Contestant(MatmulSuite.SYSTEM, "sum", n, chunk, threads, gbs, 8.0 * n, () -> new Checked() {
                        double got;

                        @Override public double time() {
                            long t0 = System.nanoTime();
                            got = x.sum().compute(listener).getDouble();
                            return seconds(t0);
                        }

                        @Override public String problem() { return checkSum(got, ref[0], ref[1]); }
                    }),
                    new Contestant("java", "sum", n, n, threads, gbs, 8.0 * n, () -> new Checked() {
                        double got;

                        @Override public double time() throws Exception {
                            long t0 = System.nanoTime();
                            got = split(pool, xd.length, (lo, hi) -> readLoop(xd, lo, hi));
                            return seconds(t0);
                        }

                        @Override public String problem() { return checkSum(got, ref[0], ref[1]); }
                    })));
            // x.mul(x).add(10).sum(): 8 bytes a value, read once
            List<Contestant> fusedSum = new ArrayList<>(List.of(
                    new Contestant(MatmulSuite.SYSTEM, FUSED_SUM, n, chunk, threads, gbs, 8.0 * n, () -> new Checked() {
                        double got;

                        @Override public double time() {
                            long t0 = System.nanoTime();
                            got = x.mul(x).add(10).sum().compute(listener).getDouble();
                            return seconds(t0);
                        }

                        @Override public String problem() { return checkSum(got, mulAddRef[0], mulAddRef[1]); }
                    }),
                    new Contestant("java", FUSED_SUM, n, n, threads, gbs, 8.0 * n, () -> new Checked() {
                        double got;

                        @Override public double time() throws Exception {
                            long t0 = System.nanoTime();
                            got = split(pool, xd.length, (lo, hi) -> SumBench.sum8(xd, lo, hi));
                            return seconds(t0);
                        }

                        @Override public String problem() { return checkSum(got, ref[0], ref[1]); }
                    })));
            // standard normal draws: 8 bytes written a value
            long rs = seed + 7;
            List<Contestant> random = new ArrayList<>(List.of(
                    new Contestant(MatmulSuite.SYSTEM, "random", n, chunk, threads, gbs, 8.0 * n, () -> new Checked() {
                        NDArray z;

                        @Override public double time() {
                            z = null;
                            long t0 = System.nanoTime();
                            z = cw.random(rs).normal(0.0, 1.0, new long[]{n}, new int[]{chunk}).compute(listener);
                            return seconds(t0);
                        }

                        @Override public String problem() {
                            for (double i : sampled) {
                                double want = Philox.normal01(rs, (long) i), got = z.getDouble((long) i);
                                if (got != want) {
                                    return String.format(Locale.ROOT, "draw %d is %.17g, expected %.17g", (long) i, got, want);
                                }
                            }
                            return null;
                        }
                    })));
            // ones(n, chunks of 10).sum(): the time per chunk
            List<Contestant> tiny = new ArrayList<>(List.of(
                    new Contestant(MatmulSuite.SYSTEM, "tiny", tinyN, TINY_CHUNK, threads, us, -tasks, () -> new Checked() {
                        double got;

                        @Override public double time() {
                            long t0 = System.nanoTime();
                            got = cw.ones(DType.FLOAT64, new long[]{tinyN}, new int[]{TINY_CHUNK}).sum().compute(listener).getDouble();
                            return seconds(t0);
                        }

                        @Override public String problem() {
                            return got == tinyN ? null : "the sum is " + got + ", expected " + tinyN;
                        }
                    })));
            for (PythonPeer p : peers) {
                mulAdd.add(peer(p, "mul_add", n, chunk, gbs, 16.0 * n));
                sum.add(peer(p, "sum", n, chunk, gbs, 8.0 * n));
                random.add(peer(p, "random", n, chunk, gbs, 8.0 * n));
                if (p.chunked() && tinyN > 0) tiny.add(peer(p, "tiny", peerTinyN, TINY_CHUNK, us, -peerTasks));
            }
            rows.addAll(measure(mulAdd, memoryWarmup(), step));
            rows.addAll(measure(sum, memoryWarmup(), step));
            rows.addAll(measure(fusedSum, memoryWarmup(), step));
            rows.addAll(measure(random, memoryWarmup(), step));
            if (tinyN > 0) rows.addAll(measure(tiny, warmup, step));
        }
        return compare(rows);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private Contestant peer(PythonPeer p, String workload, long count, int c, String unit, double work) {
        int peerThreads = p.chunked() ? threads : 1; // numpy's elementwise work is single-threaded
        long peerChunk = p.chunked() ? Math.min(c, count) : count;
        return new Contestant(p.system(), workload, count, peerChunk, peerThreads, unit, work, () -> {
            PythonPeer.Remote r = p.prepare(workload, count, c, threads, seed);
            return new Checked() {
                @Override public double time() throws Exception { return r.time(); }

                @Override public String problem() throws Exception {
                    Map<?, ?> check = r.check();
                    return switch (workload) {
                        case "mul_add" -> checkPeerMulAdd(check, count);
                        case "sum" -> checkSum(number(check, "sum"), number(check, "exact"), number(check, "abs_sum"));
                        case "random" -> checkNormal(check, count);
                        default -> number(check, "sum") == count ? null
                                : "the sum is " + number(check, "sum") + ", expected " + count;
                    };
                }

                @Override public void close() throws Exception { r.close(); }
            };
        });
    }

    /** Times the contestants of one workload interleaved, checks each one's last result, and makes their rows. */
    private List<ElementwiseResult> measure(List<Contestant> contestants, int warmups, Consumer<String> step) {
        List<Interleaved.Entry<Checked>> entries = new ArrayList<>();
        for (Contestant c : contestants) {
            entries.add(new Interleaved.Entry<>(c.workload() + " " + c.system(), c.start(), warmups, reps));
        }
        List<ElementwiseResult> rows = new ArrayList<>();
        try {
            Interleaved.run(entries, step);
            for (int i = 0; i < contestants.size(); i++) {
                Contestant c = contestants.get(i);
                Interleaved.Entry<Checked> e = entries.get(i);
                String problem = null;
                if (e.ok()) {
                    try {
                        problem = e.trial.problem();
                    } catch (Exception | LinkageError ex) {
                        e.fail(ex);
                    }
                }
                rows.add(!e.ok() ? failed(c, "could not run: " + e.failure)
                        : problem != null ? failed(c, "wrong result: " + problem) : row(c, e.seconds));
                e.close();
                step.accept(e.label + " checked");
            }
        } finally {
            for (var e : entries) e.close();
        }
        return rows;
    }

    private static ElementwiseResult row(Contestant c, double[] seconds) {
        double[] mmm = Interleaved.medianMinMax(seconds); // median, fastest, slowest
        double median, fastest, slowest;
        if (c.work() >= 0) {
            median = c.work() / mmm[0] / 1e9;
            fastest = c.work() / mmm[1] / 1e9;
            slowest = c.work() / mmm[2] / 1e9;
        } else {
            double tasks = -c.work();
            median = mmm[0] / tasks * 1e6;
            fastest = mmm[1] / tasks * 1e6;
            slowest = mmm[2] / tasks * 1e6;
        }
        boolean higher = !c.unit().equals(ElementwiseResult.US_PER_TASK);
        return new ElementwiseResult(c.system(), c.workload(), c.n(), c.chunk(), c.threads(), c.unit(), median,
                higher ? slowest : fastest, higher ? fastest : slowest, null, null, CaseResult.OK, "checked");
    }

    private static ElementwiseResult failed(Contestant c, String why) {
        return new ElementwiseResult(c.system(), c.workload(), c.n(), c.chunk(), c.threads(), c.unit(), null, null, null,
                null, null, CaseResult.FAILED, why);
    }

    private interface Range {
        double apply(int lo, int hi);
    }

    /** Runs {@code r} on {@code threads} equal parts of [0, size) on the pool and adds up what they return. */
    private double split(ExecutorService pool, int size, Range r) throws Exception {
        List<Future<Double>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int lo = (int) ((long) size * t / threads), hi = (int) ((long) size * (t + 1) / threads);
            parts.add(pool.submit(() -> r.apply(lo, hi)));
        }
        double sum = 0;
        for (Future<Double> f : parts) sum += f.get();
        return sum;
    }

    /** A plain loop with four running sums, so that it is bound by reading memory rather than by the adder's latency. */
    static double readLoop(double[] a, int lo, int hi) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = lo;
        for (; i + 3 < hi; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < hi; i++) s0 += a[i];
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * {sum, sum of |y|} of {@code y = x * x + 10}, compensated, a block of y at a time (the blocks' sums compensated
     * again): the reference of {@code fused_sum} without a second array of n.
     */
    static double[] mulAddSum(double[] x) {
        int block = 1 << 16;
        double[] y = new double[Math.min(block, x.length)];
        double[] sums = new double[(x.length + block - 1) / block];
        double abs = 0;
        for (int b = 0; b < sums.length; b++) {
            int from = b * block, len = Math.min(block, x.length - from);
            if (len < y.length) y = new double[len];
            for (int i = 0; i < len; i++) y[i] = x[from + i] * x[from + i] + 10;
            double[] part = CompensatedSum.of(y);
            sums[b] = part[0];
            abs += part[1];
        }
        return new double[]{CompensatedSum.of(sums)[0], abs};
    }

    /** Null when {@code got} is within 1e-12 of the sum of |x| from the exact sum (pairwise summation is far closer). */
    static String checkSum(double got, double exact, double absSum) {
        double err = Math.abs(got - exact);
        if (err <= 1e-12 * absSum) return null;
        return String.format(Locale.ROOT, "the sum is %.17g, expected %.17g (error %.3g of the sum of |x|)", got, exact,
                err / absSum);
    }

    private static String checkMulAdd(double[] x, double[] y, double[] positions) {
        if (y.length != x.length) return "the result has " + y.length + " elements, expected " + x.length;
        for (double p : positions) {
            int i = (int) p;
            String bad = mulAdd(x[i], y[i], i);
            if (bad != null) return bad;
        }
        return null;
    }

    /** y = x * x + 10, allowing the one rounding a fused multiply-add saves. */
    private static String mulAdd(double x, double y, long i) {
        double want = x * x + 10;
        if (Math.abs(y - want) <= 2 * Math.ulp(want)) return null;
        return String.format(Locale.ROOT, "y[%d] is %.17g, expected %.17g", i, y, want);
    }

    private static String checkPeerMulAdd(Map<?, ?> check, long count) {
        if (number(check, "size") != count) return "the result has " + check.get("size") + " elements, expected " + count;
        if (!(check.get("x") instanceof List<?> xs) || !(check.get("y") instanceof List<?> ys) || xs.size() != ys.size()
                || xs.isEmpty()) {
            return "no sampled values to check";
        }
        for (int i = 0; i < xs.size(); i++) {
            String bad = mulAdd((Double) xs.get(i), (Double) ys.get(i), i);
            if (bad != null) return "sample " + bad;
        }
        return null;
    }

    /** The mean and the standard deviation of n standard normal draws, within six standard errors. */
    private static String checkNormal(Map<?, ?> check, long count) {
        double c = number(check, "count"), mean = number(check, "mean"), std = number(check, "std");
        if (c != count) return "drew " + c + " values, expected " + count;
        double seMean = 1 / Math.sqrt(count), seStd = 1 / Math.sqrt(2.0 * count);
        if (Math.abs(mean) > 6 * seMean || Math.abs(std - 1) > 6 * seStd + 1e-9) {
            return String.format(Locale.ROOT, "mean %.5f and std %.5f are not those of standard normal draws", mean, std);
        }
        return null;
    }

    private static double number(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Double d) return d;
        throw new IllegalStateException("the peer reported no '" + key + "' to check");
    }

    /** SAMPLES distinct positions in [0, count), the first and the last among them. */
    private double[] samples(long count) {
        List<long[]> p = MatmulValidator.positions(1, count, SAMPLES, seed);
        double[] out = new double[p.size()];
        for (int i = 0; i < out.length; i++) out[i] = p.get(i)[1];
        return out;
    }

    /** Fills in the ratios to the java row of the workload and to the fastest peer on it. */
    static List<ElementwiseResult> compare(List<ElementwiseResult> rows) {
        List<ElementwiseResult> out = new ArrayList<>();
        for (ElementwiseResult r : rows) {
            if (!r.ok()) {
                out.add(r);
                continue;
            }
            Double java = null, bestPeer = null;
            String base = r.workload().equals(MUL_ADD_INTO) ? "mul_add" : r.workload();
            for (ElementwiseResult o : rows) {
                if (!o.ok() || !o.workload().equals(base)) continue;
                if (o.system().equals("java")) java = o.speed();
                if (isPeer(o.system()) && (bestPeer == null || o.speed() > bestPeer)) bestPeer = o.speed();
            }
            out.add(r.compared(java == null || r.system().equals("java") ? null : r.speed() / java,
                    bestPeer == null || r.system().equals("java") ? null : r.speed() / bestPeer));
        }
        return out;
    }

    static boolean isPeer(String system) {
        return !system.equals(MatmulSuite.SYSTEM) && !system.equals("java");
    }
}
