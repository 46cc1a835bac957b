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
        CommandLineRun r = CommandLineRun.of("bench", "--quick", "--output", output.toString());
        assertEquals(0, r.code(), r.transcript());
        assertTrue(r.out().contains("peers: none installed yet"), r.transcript());
        assertTrue(r.out().contains("GFLOP/s median"), "the table is printed: " + r.transcript());

        // CSV: the header, then 2 dtypes x 2 sizes rows, all validated
        List<String> csv = Files.readAllLines(output.resolve("results.csv"));
        assertEquals(String.join(",", ResultFiles.COLUMNS), csv.get(0));
        assertEquals(5, csv.size(), String.join("\n", csv));
        int status = ResultFiles.COLUMNS.indexOf("status"), gflops = ResultFiles.COLUMNS.indexOf("gflops_median");
        for (String row : csv.subList(1, csv.size())) {
            String[] cells = row.split(",", -1);
            assertEquals(ResultFiles.COLUMNS.size(), cells.length, row);
            assertEquals("ok", cells[status], row);
            assertTrue(Double.parseDouble(cells[gflops]) > 0, row);
        }
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("chunkwise,float32,256,")), String.join("\n", csv));

        // JSON: checked as text (no JSON library among the dependencies)
        String json = Files.readString(output.resolve("results.json")).strip();
        assertTrue(json.startsWith("[") && json.endsWith("]"), json);
        assertEquals(4, count(json, "{"), json);
        assertEquals(4, count(json, "}"), json);
        for (String key : ResultFiles.COLUMNS) assertEquals(4, count(json, "\"" + key + "\": "), key + " in " + json);
        assertEquals(4, count(json, "\"ratio_to_best_peer\": null"), json);
        assertTrue(!json.contains("NaN") && !json.contains("Infinity"), json);

        // PNG: decodes, and is a drawing rather than a blank
        BufferedImage png = ImageIO.read(output.resolve("matmul.png").toFile());
        assertNotNull(png, "matmul.png does not decode");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < png.getHeight(); y += 3) for (int x = 0; x < png.getWidth(); x += 3) colours.add(png.getRGB(x, y));
        assertTrue(colours.size() > 3, "matmul.png has " + colours.size() + " colours");
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) n++;
        return n;
    }
}
