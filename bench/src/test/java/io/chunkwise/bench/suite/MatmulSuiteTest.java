package io.chunkwise.bench.suite;

import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatmulSuiteTest {
    private static Chunkwise context() {
        return Chunkwise.builder().backend(new ReferenceBackend()).threads(2).build();
    }

    @Test
    void aCorrectProductIsReportedWithItsSpeed() {
        try (Chunkwise cw = context()) {
            MatmulSuite suite = new MatmulSuite(cw, 0, 3, 42, 1, 2);
            List<String> steps = new ArrayList<>();
            CaseResult r = suite.run(new MatmulCase(DType.FLOAT64, 48, 20), steps::add);
            assertTrue(r.ok(), r.detail());
            assertEquals(suite.stepsPerCase(), steps.size());
            assertTrue(r.gflopsMin() > 0 && r.gflopsMin() <= r.gflopsMedian() && r.gflopsMedian() <= r.gflopsMax(), r.toString());
            assertTrue(r.residual() < 1e-12, r.toString());
            assertNull(r.ratioToBestPeer());
            assertEquals("reference", r.backend());
        }
    }

    @Test
    void aWrongProductIsMarkedFailedAndGetsNoSpeed(@TempDir Path dir) throws Exception {
        try (Chunkwise cw = context()) {
            MatmulSuite suite = new MatmulSuite(cw, 1, 2, 42, 1, 2).resultFilter(MatmulSuiteTest::corrupt);
            CaseResult r = suite.run(new MatmulCase(DType.FLOAT32, 40, 16), s -> {});
            assertEquals(CaseResult.FAILED, r.status());
            assertTrue(r.residual() > 1e-3, r.toString());
            assertTrue(r.detail().startsWith("wrong product: residual"), r.detail());
            assertNull(r.gflopsMedian());
            assertNull(r.gflopsMin());
            assertNull(r.gflopsMax());

            ResultFiles.writeCsv(dir.resolve("results.csv"), List.of(r));
            ResultFiles.writeJson(dir.resolve("results.json"), List.of(r));
            String row = Files.readAllLines(dir.resolve("results.csv")).get(1);
            assertTrue(row.contains(",FAILED,") && row.contains(",,,"), row);
            assertTrue(Files.readString(dir.resolve("results.json")).contains("\"gflops_median\": null"));
            MatmulPlot.writePng(dir.resolve("matmul.png"), List.of(r), "");
            assertTrue(Files.size(dir.resolve("matmul.png")) > 0);
        }
    }

    @Test
    void autoChunksAreHalfTheMatrixWithinLimits() {
        assertEquals(32, MatmulCase.autoChunk(32));
        assertEquals(64, MatmulCase.autoChunk(100));
        assertEquals(128, MatmulCase.autoChunk(256));
        assertEquals(1024, MatmulCase.autoChunk(8192));
        assertThrows(IllegalArgumentException.class, () -> new MatmulCase(DType.FLOAT64, 10, 11));
    }

    /** The product with one entry (the first corner, always sampled) off by 1%. */
    private static NDArray corrupt(NDArray c) {
        float[] v = c.toFloatArray();
        v[0] = v[0] * 1.01f + 0.5f;
        return NDArray.of(v, c.shape());
    }
}
