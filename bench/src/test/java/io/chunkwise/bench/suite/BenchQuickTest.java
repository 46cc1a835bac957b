package io.chunkwise.bench.suite;

import io.chunkwise.bench.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchQuickTest {
    @Test
    void quickRunWritesCsvJsonAndPlot(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("out");
        // the cluster section has a test of its own (ClusterSectionTest)
        CommandLineRun r = CommandLineRun.of("bench", "--quick", "--sections", "matmul,elementwise", "--output", output.toString());
        assertEquals(0, r.code(), r.transcript());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("peers: ")), r.transcript());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("peak float64: ")), r.transcript());
        assertTrue(r.out().contains("GFLOP/s median"), "the table is printed: " + r.transcript());

        // CSV: the header, then ours on 2 dtypes x 2 sizes, then whichever peers are present; all validated
        List<String> csv = Files.readAllLines(output.resolve("results.csv"));
        assertEquals(String.join(",", ResultFiles.COLUMNS), csv.get(0));
        List<String> rows = csv.subList(1, csv.size());
        assertEquals(4, rows.stream().filter(l -> l.startsWith("chunkwise,")).count(), String.join("\n", csv));
        int status = ResultFiles.COLUMNS.indexOf("status"), gflops = ResultFiles.COLUMNS.indexOf("gflops_median");
        for (String row : rows) {
            String[] cells = row.split(",", -1);
            assertEquals(ResultFiles.COLUMNS.size(), cells.length, row);
            assertEquals("ok", cells[status], row);
            assertTrue(Double.parseDouble(cells[gflops]) > 0, row);
        }
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("chunkwise,float32,256,")), String.join("\n", csv));
        if (io.chunkwise.cpu.OpenBlas.writesInPlace()) { // the per-block limit: a row per chunk size of ours, validated
            assertEquals(4, rows.stream().filter(l -> l.startsWith("openblas-blocks,")).count(), String.join("\n", csv));
        }
        boolean peers = rows.size() > 4;
        if (peers) { // every size has peers, so every row of ours has a ratio
            int ratio = ResultFiles.COLUMNS.indexOf("ratio_to_best_peer");
            for (String row : rows) assertTrue(Double.parseDouble(row.split(",", -1)[ratio]) > 0, row);
        }

        // JSON: checked as text (no JSON library among the dependencies)
        String json = Files.readString(output.resolve("results.json")).strip();
        int n = rows.size();
        assertTrue(json.startsWith("[") && json.endsWith("]"), json);
        assertEquals(n, count(json, "{"), json);
        assertEquals(n, count(json, "}"), json);
        for (String key : ResultFiles.COLUMNS) assertEquals(n, count(json, "\"" + key + "\": "), key + " in " + json);
        if (!peers) assertEquals(n, count(json, "\"ratio_to_best_peer\": null"), json);
        assertTrue(!json.contains("NaN") && !json.contains("Infinity"), json);
        assertTrue(Json.parse(json) instanceof List<?> l && l.size() == n);

        // PNG: decodes, and is a drawing rather than a blank
        BufferedImage png = ImageIO.read(output.resolve("matmul.png").toFile());
        assertNotNull(png, "matmul.png does not decode");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < png.getHeight(); y += 3) for (int x = 0; x < png.getWidth(); x += 3) colours.add(png.getRGB(x, y));
        assertTrue(colours.size() > 3, "matmul.png has " + colours.size() + " colours");

        // the second section, and what the run depended on
        List<String> elementwise = Files.readAllLines(output.resolve("elementwise.csv"));
        assertEquals(String.join(",", ResultFiles.ELEMENTWISE_COLUMNS), elementwise.get(0));
        for (String w : List.of("chunkwise,mul_add,", "chunkwise,mul_add_into,", "java,mul_add,", "chunkwise,sum,", "java,sum,", "chunkwise,random,",
                "chunkwise,tiny,")) {
            assertTrue(elementwise.stream().anyMatch(l -> l.startsWith(w) && l.contains(",ok,")), w + " in\n" + elementwise);
        }
        assertTrue(Json.parse(Files.readString(output.resolve("elementwise.json"))) instanceof List<?>);
        Object run = Json.parse(Files.readString(output.resolve("run.json")));
        assertTrue(run instanceof java.util.Map<?, ?> m && m.containsKey("machine") && m.containsKey("peak"), String.valueOf(run));
        assertEquals("chunkwise bench --quick --sections matmul,elementwise --output " + output, ((java.util.Map<?, ?>) run).get("command"));
    }

    /**
     * Backends are a dimension of the matmul grid: one row of ours per usable backend, and a backend that cannot run
     * here (the GPU, on a machine without one) is named with its reason instead of failing the run.
     */
    @Test
    void eachUsableBackendIsARowOfTheGrid(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("out");
        CommandLineRun r = CommandLineRun.of("bench", "--quick", "--sections", "matmul", "--peers", "none",
                "--sizes", "96", "--dtypes", "float64", "--backends", "cpu,gpu,auto", "--no-progress",
                "--output", output.toString());
        assertEquals(0, r.code(), r.transcript());
        List<String> csv = Files.readAllLines(output.resolve("results.csv"));
        int backend = ResultFiles.COLUMNS.indexOf("backend");
        List<String> backends = csv.subList(1, csv.size()).stream().map(l -> l.split(",", -1)[backend]).toList();
        assertTrue(backends.contains("cpu"), String.join("\n", csv));
        assertEquals(new HashSet<>(backends).size(), backends.size(), "AUTO is the CPU or the GPU, not a row of its own: " + csv);
        boolean gpuRow = backends.size() == 2;
        boolean gpuSkipped = r.out().lines().anyMatch(l -> l.startsWith("backend GPU: not available, going on without it ("));
        assertTrue(gpuRow != gpuSkipped, "the GPU is either a row or named as unavailable: " + r.transcript());
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) n++;
        return n;
    }
}
