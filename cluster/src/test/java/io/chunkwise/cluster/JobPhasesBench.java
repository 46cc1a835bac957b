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

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where a cluster job's time goes, phase by phase ({@link ClusterScheduler.JobTimes}), against the same job on the
 * local scheduler, interleaved: a tiny job (10 chunks, a sum) and the suite's fused sum, {@code (x*x+10).sum()} over
 * n float64 (-Dchunkwise.bench.n, 1e8 by default) in chunks of n/10 with x persisted. Runs only with
 * {@code -Dchunkwise.bench=true}; prints medians [min-max] in ms.
 */
class JobPhasesBench {
    @Test
    void phases() {
        assumeTrue(Boolean.getBoolean("chunkwise.bench"), "a benchmark: run with -Dchunkwise.bench=true");
        long n = Long.getLong("chunkwise.bench.n", 100_000_000L);
        int reps = Integer.getInteger("chunkwise.bench.reps", 30);
        try (Chunkwise local = Chunkwise.builder().threads(2).build();
             Chunkwise cluster = Chunkwise.builder().threads(2).cluster(ClusterSpec.embedded(2)).build()) {
            ClusterScheduler scheduler = (ClusterScheduler) cluster.scheduler();
            ChunkedArray lx = local.random(7).normal(DType.FLOAT64, 0.0, 1.0, new long[]{n}, new int[]{(int) (n / 10)}).persist();
            ChunkedArray cx = cluster.random(7).normal(DType.FLOAT64, 0.0, 1.0, new long[]{n}, new int[]{(int) (n / 10)}).persist();
            for (String job : List.of("tiny", "fused_sum")) {
                List<double[]> phases = new ArrayList<>();
                double[] localMs = new double[reps], clusterMs = new double[reps];
                for (int r = -5; r < reps; r++) {
                    for (Chunkwise cw : new Chunkwise[]{local, cluster}) {
                        long t0 = System.nanoTime();
                        double v = job.equals("tiny") ? cw.ones(DType.FLOAT64, new long[]{100}, new int[]{10}).sum().compute().getDouble()
                                : (cw == local ? lx : cx).mul(cw == local ? lx : cx).add(10).sum().compute().getDouble();
                        long t1 = System.nanoTime();
                        if (r < 0) continue;
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
                String[] names = {"compute->job", "job made (arrays, map proxy)", "set up (listener)", "->first batch sent",
                        "->last report", "->loop ended", "cleanup", "->compute returned"};
                for (int k = 0; k < names.length; k++) {
                    double[] col = new double[phases.size()];
                    for (int i = 0; i < col.length; i++) col[i] = phases.get(i)[k];
                    System.out.printf(Locale.ROOT, "  %-30s %s ms%n", names[k], stat(col));
                }
            }
        }
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
