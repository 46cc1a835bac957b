package io.chunkwise.bench.suite;

import io.chunkwise.Chunkwise;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElementwiseSuiteTest {
    @Test
    void ourWorkloadsAndThePlainJavaOnesAreMeasuredAndChecked(@TempDir Path dir) throws Exception {
        try (Chunkwise cw = Chunkwise.builder().backend(new ReferenceBackend()).threads(2).build()) {
            ElementwiseSuite suite = new ElementwiseSuite(cw, 2, 1000, 128, 200, 100, 0, 2, 42, List.of());
            List<String> steps = new ArrayList<>();
            List<ElementwiseResult> rows = suite.run(steps::add);
            assertEquals(suite.steps(), steps.size());
            assertEquals(List.of("chunkwise mul_add", "chunkwise mul_add_into", "java mul_add", "chunkwise sum", "java sum",
                    "chunkwise fused_sum", "java fused_sum", "chunkwise random", "chunkwise tiny"),
                    rows.stream().map(r -> r.system() + " " + r.workload()).toList());
            for (ElementwiseResult r : rows) {
                assertTrue(r.ok(), r.toString());
                assertTrue(r.median() > 0 && r.min() <= r.median() && r.median() <= r.max(), r.toString());
                assertNull(r.vsBestPeer(), "no peers");
            }
            assertNotNull(rows.get(0).vsJava());
            assertNotNull(rows.get(1).vsJava(), "computeInto is held against the java row of mul_add");
            assertNotNull(rows.get(3).vsJava());
            assertNull(rows.get(2).vsJava(), "the java row is the reference itself");
            assertNotNull(rows.get(5).vsJava(), "the fused sum is held against its read loop");
            assertEquals(ElementwiseResult.US_PER_TASK, rows.get(8).unit());
            assertEquals(200, rows.get(8).n());

            ResultFiles.writeElementwiseCsv(dir.resolve("e.csv"), rows);
            List<String> csv = Files.readAllLines(dir.resolve("e.csv"));
            assertEquals(String.join(",", ResultFiles.ELEMENTWISE_COLUMNS), csv.get(0));
            assertEquals(10, csv.size());
            assertTrue(ResultFiles.elementwiseTable(rows).contains("us/task"));
        }
    }

    private static ElementwiseResult row(String system, String workload, String unit, double median) {
        return new ElementwiseResult(system, workload, 100, 10, 2, unit, median, median, median, null, null, CaseResult.OK, "");
    }

    @Test
    void ratiosAreSpeedsSoATimePerTaskCountsInverted() {
        List<ElementwiseResult> rows = ElementwiseSuite.compare(List.of(
                row("chunkwise", "sum", ElementwiseResult.GBS, 10),
                row("java", "sum", ElementwiseResult.GBS, 20),
                row("numpy", "sum", ElementwiseResult.GBS, 25),
                row("dask", "sum", ElementwiseResult.GBS, 5),
                row("chunkwise", "tiny", ElementwiseResult.US_PER_TASK, 10),
                row("dask", "tiny", ElementwiseResult.US_PER_TASK, 250),
                new ElementwiseResult("numpy", "random", 100, 100, 1, ElementwiseResult.GBS, null, null, null, null, null,
                        CaseResult.FAILED, "wrong result")));
        assertEquals(0.5, rows.get(0).vsJava(), 1e-12);
        assertEquals(0.4, rows.get(0).vsBestPeer(), 1e-12);
        assertEquals(1.25, rows.get(2).vsJava(), 1e-12);
        assertEquals(0.2, rows.get(3).vsBestPeer(), 1e-12);
        assertEquals(25.0, rows.get(4).vsBestPeer(), 1e-9, "10 us per task against 250: 25 times as fast");
        assertNull(rows.get(4).vsJava());
        assertNull(rows.get(6).vsBestPeer());
    }

    @Test
    void sumsAreCheckedAgainstACompensatedSum() {
        double[] a = {1e16, 1, -1e16, 1};
        double[] ref = io.chunkwise.reference.CompensatedSum.of(a);
        assertEquals(2.0, ref[0]);
        assertEquals(2e16 + 2, ref[1]);
        assertNull(ElementwiseSuite.checkSum(2.0, ref[0], ref[1]));
        assertTrue(ElementwiseSuite.checkSum(2.0 + 1e5, ref[0], ref[1]).startsWith("the sum is"));
        double[] b = new double[1001];
        for (int i = 0; i < b.length; i++) b[i] = i;
        assertEquals(500500.0, ElementwiseSuite.readLoop(b, 0, b.length));
        assertEquals(3.0 + 4 + 5, ElementwiseSuite.readLoop(b, 3, 6));
    }
}
