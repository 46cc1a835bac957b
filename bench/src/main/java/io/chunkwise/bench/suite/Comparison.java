package io.chunkwise.bench.suite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The figures that relate the matmul rows to each other and to the machine: the ratio to the best peer (each row's
 * median GFLOP/s over the fastest validated peer's at the same dtype and n, as the Java Matrix Benchmark relates
 * every library to the fastest at each size), and the efficiency against the measured peak.
 */
public final class Comparison {
    /**
     * The peak a dtype's efficiencies are relative to: the larger of the cache-resident probe ({@link PeakProbe}) and
     * the fastest single timed run of any system in this run (so that no efficiency exceeds 100%); {@code source}
     * says which it was.
     */
    public record Peak(String dtype, double gflops, double probe, double bestRun, String source) {}

    private Comparison() {}

    /** The peak per dtype present in {@code rows}, from the probe's figures ({@code NaN} where there is none). */
    public static Map<String, Peak> peaks(List<CaseResult> rows, Map<String, Double> probe) {
        Map<String, Peak> out = new LinkedHashMap<>();
        for (CaseResult r : rows) {
            if (out.containsKey(r.dtype())) continue;
            double p = probe.getOrDefault(r.dtype(), Double.NaN);
            CaseResult fastest = null;
            for (CaseResult o : rows) {
                if (o.ok() && o.dtype().equals(r.dtype()) && o.gflopsMax() != null
                        && (fastest == null || o.gflopsMax() > fastest.gflopsMax())) {
                    fastest = o;
                }
            }
            double best = fastest == null ? Double.NaN : fastest.gflopsMax();
            double peak;
            String source;
            if (Double.isNaN(p) && Double.isNaN(best)) {
                peak = Double.NaN;
                source = "none: OpenBLAS is not available and nothing was measured";
            } else if (Double.isNaN(best) || p >= best) {
                peak = p;
                source = String.format(Locale.ROOT, "probe: OpenBLAS %s n=%d in cache, fastest call", gemm(r.dtype()), PeakProbe.N);
            } else {
                peak = best;
                source = String.format(Locale.ROOT, "the fastest timed run of this run, %s n=%d, above the probe's %.1f",
                        fastest.system(), fastest.n(), p);
            }
            out.put(r.dtype(), new Peak(r.dtype(), peak, p, best, source));
        }
        return out;
    }

    private static String gemm(String dtype) {
        return dtype.equals("float32") ? "SGEMM" : "DGEMM";
    }

    /** {@code rows} with ratio_to_best_peer, efficiency and peak filled in (null where there is nothing to relate to). */
    public static List<CaseResult> compare(List<CaseResult> rows, Map<String, Peak> peaks) {
        List<CaseResult> out = new ArrayList<>(rows.size());
        for (CaseResult r : rows) {
            if (!r.ok() || r.gflopsMedian() == null) {
                out.add(r);
                continue;
            }
            Double best = bestPeer(rows, r.dtype(), r.n(), null);
            Peak p = peaks.get(r.dtype());
            Double peak = p == null || Double.isNaN(p.gflops()) ? null : p.gflops();
            out.add(r.compared(best == null ? null : r.gflopsMedian() / best,
                    peak == null ? null : r.gflopsMedian() / peak, peak));
        }
        return out;
    }

    /** The highest median GFLOP/s of a validated peer row (of {@code system} when not null) at this dtype and n. */
    static Double bestPeer(List<CaseResult> rows, String dtype, int n, String system) {
        Double best = null;
        for (CaseResult o : rows) {
            if (!o.ok() || !o.peer() || o.gflopsMedian() == null || !o.dtype().equals(dtype) || o.n() != n) continue;
            if (system != null && !o.system().equals(system)) continue;
            if (best == null || o.gflopsMedian() > best) best = o.gflopsMedian();
        }
        return best;
    }

    /**
     * One line per dtype and n: our best chunk size and its GFLOP/s, then our speed over each peer's (its best chunk
     * size for dask; above 1 means we are faster), as an aligned table.
     */
    public static String summary(List<CaseResult> rows) {
        Set<String> peers = new LinkedHashSet<>();
        for (CaseResult r : rows) if (r.peer()) peers.add(r.system());
        List<String> head = new ArrayList<>(List.of("dtype", "n", "chunkwise best", "chunk", "eff."));
        for (String p : peers) head.add("vs " + p);
        List<String[]> lines = new ArrayList<>();
        lines.add(head.toArray(String[]::new));
        Set<String> seen = new LinkedHashSet<>();
        for (CaseResult r : rows) {
            String key = r.dtype() + " " + r.n();
            if (!seen.add(key)) continue;
            CaseResult ours = null;
            for (CaseResult o : rows) {
                if (o.ok() && !o.peer() && o.dtype().equals(r.dtype()) && o.n() == r.n()
                        && (ours == null || o.gflopsMedian() > ours.gflopsMedian())) {
                    ours = o;
                }
            }
            List<String> cells = new ArrayList<>(List.of(r.dtype(), Integer.toString(r.n()),
                    ours == null ? "FAILED" : fixed(ours.gflopsMedian()), ours == null ? "-" : Integer.toString(ours.chunk()),
                    ours == null || ours.efficiency() == null ? "-" : percent(ours.efficiency())));
            for (String p : peers) {
                Double theirs = bestPeer(rows, r.dtype(), r.n(), p);
                cells.add(ours == null || theirs == null ? "-" : fixed(ours.gflopsMedian() / theirs));
            }
            lines.add(cells.toArray(String[]::new));
        }
        return ResultFiles.align(lines, 2);
    }

    static String fixed(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String percent(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }
}
