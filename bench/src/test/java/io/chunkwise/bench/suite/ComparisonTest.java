package io.chunkwise.bench.suite;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonTest {
    private static CaseResult row(String system, String dtype, int n, int chunk, Double median) {
        boolean ok = median != null;
        return new CaseResult(system, dtype, n, chunk, "cpu", 1, 2, median, ok ? median * 0.9 : null,
                ok ? median * 1.1 : null, null, null, null, 1e-16, ok ? CaseResult.OK : CaseResult.FAILED,
                ok ? 1.0 : null, 3, "");
    }

    @Test
    void ratiosAreToTheFastestPeerAtEachSize() {
        List<CaseResult> rows = List.of(
                row("chunkwise", "float64", 512, 256, 30.0),
                row("chunkwise", "float64", 512, 128, 20.0),
                row("openblas", "float64", 512, 512, 60.0),
                row("numpy", "float64", 512, 512, 50.0),
                row("dask", "float64", 512, 256, 10.0),
                row("chunkwise", "float64", 1024, 512, 45.0),
                row("openblas", "float64", 1024, 1024, 40.0),
                row("nd4j", "float64", 1024, 1024, null), // refused: not the best, whatever it claimed
                row("chunkwise", "float32", 512, 256, 50.0));
        List<CaseResult> c = Comparison.compare(rows, Comparison.peaks(rows, Map.of("float64", 80.0, "float32", 160.0)));
        assertEquals(0.5, c.get(0).ratioToBestPeer(), 1e-12);
        assertEquals(20.0 / 60, c.get(1).ratioToBestPeer(), 1e-12);
        assertEquals(1.0, c.get(2).ratioToBestPeer(), 1e-12);
        assertEquals(50.0 / 60, c.get(3).ratioToBestPeer(), 1e-12);
        assertEquals(45.0 / 40, c.get(5).ratioToBestPeer(), 1e-12);
        assertNull(c.get(7).ratioToBestPeer());
        assertNull(c.get(8).ratioToBestPeer(), "no peer ran float32");
        assertEquals(30.0 / 80, c.get(0).efficiency(), 1e-12);
        assertEquals(80.0, c.get(0).peakGflops());
        assertEquals(50.0 / 160, c.get(8).efficiency(), 1e-12);

        String summary = Comparison.summary(c);
        assertTrue(summary.lines().anyMatch(l -> l.matches("float64\\s+512\\s+30\\.00\\s+256\\s+38%\\s+0\\.50\\s+0\\.60\\s+3\\.00\\s+-")),
                summary);
    }

    @Test
    void thePeakIsTheProbeOrTheFastestRunWhicheverIsHigher() {
        List<CaseResult> rows = List.of(row("openblas", "float64", 512, 512, 50.0), row("numpy", "float64", 1024, 1024, 60.0),
                row("openblas", "float32", 512, 512, 100.0));
        Map<String, Comparison.Peak> p = Comparison.peaks(rows, Map.of("float64", 50.0, "float32", 200.0));
        assertEquals(66.0, p.get("float64").gflops(), 1e-9, "the fastest run (max) of any system beats the probe");
        assertTrue(p.get("float64").source().startsWith("the fastest timed run of this run, numpy n=1024"), p.get("float64").source());
        assertEquals(200.0, p.get("float32").gflops());
        assertTrue(p.get("float32").source().startsWith("probe: OpenBLAS SGEMM"), p.get("float32").source());
        for (CaseResult r : Comparison.compare(rows, p)) assertTrue(r.efficiency() <= 1.0, r.toString());

        Map<String, Comparison.Peak> none = Comparison.peaks(List.of(row("chunkwise", "float64", 64, 32, null)), Map.of());
        assertTrue(Double.isNaN(none.get("float64").gflops()));
    }
}
