package io.chunkwise.cluster;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.DType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where a cluster job's time goes, phase by phase ({@link ClusterScheduler.JobTimes}), against the same job on the
 * local scheduler, interleaved: a tiny job (10 chunks, a sum) and the suite's fused sum, {@code (x*x+10).sum()} over
 * n float64 (-Dchunkwise.bench.n, 1e8 by default) in chunks of n/10 with x persisted, each one expression computed
 * again and again. Runs only with {@code -Dchunkwise.bench=true}; prints medians [min-max] in ms, the CPU time and
 * bytes allocated per job by thread (pools summed), the collectors' time, and how many cores the process kept busy.
 * Each timed job follows an untimed one of its system, as the suite times it ({@code -Dchunkwise.bench.hot=false}:
 * the two systems alternate, and a cluster job's background work lands in the local job after it). Options:
 * {@code -Dchunkwise.bench.members} (2), {@code .memberThreads} (2), {@code .warmup} (untimed rounds first, 5), {@code .clusterOnly=true} (no local jobs: for a
 * profiler), {@code .jobs} (tiny,fused_sum; also matmul: the suite's, n = {@code .matmulN}, 4096), {@code .idleSeconds}
 * (0: after the jobs, the CPU the process takes that long with both contexts idle, by thread, as another program
 * beside them would lose it).
 */
class JobPhasesBench {
    /** Whether each timed job follows an untimed one of the same system (-Dchunkwise.bench.hot, as the suite times). */
    private static final boolean HOT = Boolean.parseBoolean(System.getProperty("chunkwise.bench.hot", "true"));

    @Test
    void phases() {
        assumeTrue(Boolean.getBoolean("chunkwise.bench"), "a benchmark: run with -Dchunkwise.bench=true");
        long n = Long.getLong("chunkwise.bench.n", 100_000_000L);
        int reps = Integer.getInteger("chunkwise.bench.reps", 30), warmup = Integer.getInteger("chunkwise.bench.warmup", 5);
        int matmulN = Integer.getInteger("chunkwise.bench.matmulN", 4096);
        int members = Integer.getInteger("chunkwise.bench.members", 2), memberThreads = Integer.getInteger("chunkwise.bench.memberThreads", 2);
        try (EmbeddedCluster embedded = EmbeddedCluster.start("chunkwise-phases-" + java.util.UUID.randomUUID(), members, memberThreads);
             Chunkwise local = Chunkwise.builder().threads(2).build();
             Chunkwise cluster = Chunkwise.builder().threads(2).cluster(ClusterSpec.running(embedded.name())).build()) {
            ClusterScheduler scheduler = (ClusterScheduler) cluster.scheduler();
            ChunkedArray lx = local.random(7).normal(DType.FLOAT64, 0.0, 1.0, new long[]{n}, new int[]{(int) (n / 10)}).persist();
            ChunkedArray cx = cluster.random(7).normal(DType.FLOAT64, 0.0, 1.0, new long[]{n}, new int[]{(int) (n / 10)}).persist();
            for (String job : System.getProperty("chunkwise.bench.jobs", "tiny,fused_sum").split(",")) {
                List<double[]> phases = new ArrayList<>();
                double[] localMs = new double[reps], clusterMs = new double[reps];
                long[] localCpu = {0}, clusterCpu = {0};
                Map<String, Long> localThreads = new java.util.TreeMap<>(), clusterThreads = new java.util.TreeMap<>();
                Map<String, Long> localAlloc = new java.util.TreeMap<>(), clusterAlloc = new java.util.TreeMap<>();
                long[] localGc = {0}, clusterGc = {0};
                long[] localTaskNanos = {0}, clusterTaskNanos = {0};
                ChunkedArray localExpr = expression(job, local, lx, matmulN), clusterExpr = expression(job, cluster, cx, matmulN);
                for (int r = -warmup; r < reps; r++) {
                    for (Chunkwise cw : new Chunkwise[]{local, cluster}) {
                        if (cw == local && Boolean.getBoolean("chunkwise.bench.clusterOnly")) continue;
                        // one expression per system computed again and again, as the suite does
                        ChunkedArray expr = cw == local ? localExpr : clusterExpr;
                        if (HOT) expr.compute();   // timed hot, right after a run of its own, as the suite times it
                        Map<String, Long> before = threadCpu();
                        Map<String, Long> allocBefore = threadAllocated();
                        long gcBefore = gcMillis();
                        long m0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                        long c0 = cpuTicks(), t0 = System.nanoTime();
                        long[] taskNanos = {0};
                        expr.compute(new io.chunkwise.ComputeListener() {
                            @Override public void taskDone(int done, int total, long bytes, long nanos, String backend) { taskNanos[0] += nanos; }
                        });
                        long t1 = System.nanoTime(), c1 = cpuTicks();
                        long m1 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                        if (r < 0) continue;
                        (cw == local ? localTaskNanos : clusterTaskNanos)[0] += taskNanos[0];
                        if (cw == local) localCpu[0] += c1 - c0; else clusterCpu[0] += c1 - c0;
                        Map<String, Long> after = threadCpu();
                        Map<String, Long> allocAfter = threadAllocated();
                        (cw == local ? localGc : clusterGc)[0] += gcMillis() - gcBefore;
                        Map<String, Long> allocInto = cw == local ? localAlloc : clusterAlloc;
                        allocAfter.forEach((name, b) -> allocInto.merge(name, b - allocBefore.getOrDefault(name, 0L), Long::sum));
                        Map<String, Long> into = cw == local ? localThreads : clusterThreads;
                        into.merge("(calling thread, compute() only)", m1 - m0, Long::sum);
                        after.forEach((name, nanos) -> into.merge(name, nanos - before.getOrDefault(name, 0L), Long::sum));
                        if (cw == local) {
                            localMs[r] = (t1 - t0) / 1e6;
                        } else {
                            clusterMs[r] = (t1 - t0) / 1e6;
                            ClusterScheduler.JobTimes j = scheduler.lastJob;
                            phases.add(new double[]{ms(t0, j.created()), ms(j.created(), j.made()), ms(j.made(), j.setUp()),
                                    ms(j.setUp(), j.firstSent()), ms(j.firstSent(), j.lastReport()), ms(j.lastReport(), j.loopEnded()),
                                    ms(j.loopEnded(), j.cleanedUp()), ms(j.cleanedUp(), t1)});
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "%s: local %s ms, cluster %s ms, cluster/local %s%n", job, stat(localMs), stat(clusterMs),
                        stat(ratio(clusterMs, localMs)));
                for (Map<String, Long> m : List.of(localThreads, clusterThreads)) {
                    System.out.printf(Locale.ROOT, "  CPU per job by thread (%s): %s%n", m == localThreads ? "local" : "cluster",
                            m.entrySet().stream().filter(e -> e.getValue() > reps * 50_000L).sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
                                    .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / 1e6 / reps)).toList());
                }
                for (Map<String, Long> m : List.of(localAlloc, clusterAlloc)) {
                    System.out.printf(Locale.ROOT, "  KiB allocated per job by thread (%s): %s%n", m == localAlloc ? "local" : "cluster",
                            m.entrySet().stream().filter(e -> e.getValue() > reps * 10_000L).sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
                                    .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / 1024.0 / reps)).toList());
                }
                System.out.printf(Locale.ROOT, "  tasks' run time per job, summed over the tasks: local %.2f ms, cluster %.2f ms%n",
                        localTaskNanos[0] / 1e6 / reps, clusterTaskNanos[0] / 1e6 / reps);
                System.out.printf(Locale.ROOT, "  GC time per job (collectors' count): local %.2f ms, cluster %.2f ms%n", (double) localGc[0] / reps, (double) clusterGc[0] / reps);
                System.out.printf(Locale.ROOT, "  cores busy (the process's CPU time over wall time): local %.2f, cluster %.2f%n",
                        localCpu[0] * 10.0 / Arrays.stream(localMs).sum(), clusterCpu[0] * 10.0 / Arrays.stream(clusterMs).sum());
                String[] names = {"compute->job", "job made (arrays, map proxy)", "set up (listener)", "->first batch sent",
                        "->last report", "->loop ended", "cleanup", "->compute returned"};
                for (int k = 0; k < names.length; k++) {
                    double[] col = new double[phases.size()];
                    for (int i = 0; i < col.length; i++) col[i] = phases.get(i)[k];
                    System.out.printf(Locale.ROOT, "  %-30s %s ms%n", names[k], stat(col));
                }
            }
            idle(Integer.getInteger("chunkwise.bench.idleSeconds", 0));
        }
    }

    /** Prints the CPU this process takes in {@code seconds} with nothing to do, by thread (a second's pause first). */
    private static void idle(int seconds) {
        if (seconds <= 0) return;
        try {
            Thread.sleep(1000);
            Map<String, Long> before = threadCpu();
            long c0 = cpuTicks(), t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double wall = System.nanoTime() - t0;
            Map<String, Long> used = new java.util.TreeMap<>();
            threadCpu().forEach((name, nanos) -> used.merge(name, nanos - before.getOrDefault(name, 0L), Long::sum));
            System.out.printf(Locale.ROOT, "idle for %d s after the jobs: %.2f %% of a core; by thread (%% of a core): %s%n", seconds,
                    (cpuTicks() - c0) * 1e9 / wall, used.entrySet().stream().filter(e -> e.getValue() > 0)
                            .sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
                            .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() * 100 / wall)).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ChunkedArray expression(String job, Chunkwise cw, ChunkedArray x, int matmulN) {
        return switch (job) {
            case "tiny" -> cw.ones(DType.FLOAT64, new long[]{100}, new int[]{10}).sum();
            case "fused_sum" -> x.mul(x).add(10).sum();
            case "matmul" -> {   // the suite's: n x n float64 in chunks of n / 2, both persisted
                long[] shape = {matmulN, matmulN};
                int[] chunks = {matmulN / 2, matmulN / 2};
                yield cw.random(1).normal(DType.FLOAT64, 0.0, 1.0, shape, chunks).persist()
                        .matmul(cw.random(2).normal(DType.FLOAT64, 0.0, 1.0, shape, chunks).persist());
            }
            default -> throw new IllegalArgumentException("no job " + job + " (tiny, fused_sum, matmul)");
        };
    }

    /**
     * CPU time of the live threads so far, in ns, summed by name (digits dropped: a pool's threads together), the
     * JVM's own threads too ({@link #vmThreadCpu}, at 10 ms resolution).
     */
    private static Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new java.util.HashMap<>(vmThreadCpu());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long ns = mx.getThreadCpuTime(t.threadId());
            if (ns > 0) byName.merge(t.getName().replaceAll("\\d+", "#").replaceAll("hz\\.chunkwise-[^.]*", "hz"), ns, Long::sum);
        }
        return byName;
    }

    private static Map<String, Long> threadAllocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long b = mx.getThreadAllocatedBytes(t.threadId());
            if (b > 0) byName.merge(t.getName().replaceAll("\\d+", "#").replaceAll("hz\\.chunkwise-[^.]*", "hz"), b, Long::sum);
        }
        return byName;
    }

    private static long gcMillis() {
        long ms = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
        return ms;
    }

    /**
     * CPU time so far, in ns, of the process's threads that are not Java threads (the collector's, the compilers'),
     * by name (Linux's /proc; empty elsewhere).
     */
    private static Map<String, Long> vmThreadCpu() {
        Map<String, Long> byName = new java.util.HashMap<>();
        java.util.Set<String> javaThreads = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) javaThreads.add(t.getName().length() > 15 ? t.getName().substring(0, 15) : t.getName());
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                try {
                    String name = java.nio.file.Files.readString(task.resolve("comm")).strip();
                    if (javaThreads.contains(name) || name.equals("java")) continue;   // "java": the main thread
                    byName.merge("[vm] " + name.replaceAll("\\d+", "#"), ticks(task.resolve("stat")) * 10_000_000L, Long::sum);
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended while it was read
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Map.of();
        }
        return byName;
    }

    /** The process's user and system CPU time so far, in ticks of 10 ms (Linux; 0 elsewhere). */
    private static long cpuTicks() {
        try {
            return ticks(java.nio.file.Path.of("/proc/self/stat"));
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** User and system CPU time, in ticks of 10 ms, of a /proc stat file (a process's or a thread's). */
    private static long ticks(java.nio.file.Path statFile) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(statFile);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static double ms(long a, long b) { return a == 0 || b == 0 ? Double.NaN : (b - a) / 1e6; }

    private static double[] ratio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) r[i] = a[i] / b[i];
        return r;
    }

    private static String stat(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "%.3f [%.3f-%.3f]", s[s.length / 2], s[0], s[s.length - 1]);
    }
}
