package io.chunkwise.bench.suite;

import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GFLOP/s against n, one line per system and dtype (ours and the peers'; the best chunk size at each n), from the
 * validated rows only.
 */
public final class MatmulPlot {
    private MatmulPlot() {}

    /** A colour per system, so that a system's float64 (solid) and float32 (dashed) lines match. */
    private static final Map<String, Color> COLOURS = Map.of(
            MatmulSuite.SYSTEM, new Color(0xD6, 0x27, 0x28), "openblas", new Color(0x33, 0x33, 0x33),
            "nd4j", new Color(0x94, 0x67, 0xBD), "numpy", new Color(0x1F, 0x77, 0xB4), "dask", new Color(0xFF, 0x7F, 0x0E));

    public static void writePng(Path file, List<CaseResult> rows, String subtitle) {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("matmul: GFLOP/s (median; best chunk size) vs n" + (subtitle.isEmpty() ? "" : " - " + subtitle))
                .xAxisTitle("n (n x n @ n x n)").yAxisTitle("GFLOP/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("#");
        chart.getStyler().setYAxisDecimalPattern("0.##");
        // series name -> n -> best median GFLOP/s over the chunk sizes tried; ours first, then the peers
        Map<String, TreeMap<Integer, Double>> lines = new LinkedHashMap<>();
        Map<String, CaseResult> kind = new LinkedHashMap<>();
        List<CaseResult> ordered = new ArrayList<>(rows);
        ordered.sort(Comparator.comparing((CaseResult r) -> r.peer()).thenComparing(CaseResult::system)
                .thenComparing(CaseResult::dtype, Comparator.reverseOrder()));
        for (CaseResult r : ordered) {
            if (!r.ok() || r.gflopsMedian() == null) continue;
            String name = r.system() + " " + r.dtype() + (r.peer() ? "" : " (" + r.backend()
                    + (r.members() > 1 ? " x" + r.members() : "") + ")");
            lines.computeIfAbsent(name, k -> new TreeMap<>()).merge(r.n(), r.gflopsMedian(), Math::max);
            kind.putIfAbsent(name, r);
        }
        if (lines.isEmpty()) {
            chart.setTitle(chart.getTitle() + " - no validated results");
            chart.addSeries("none", new double[]{0}, new double[]{0}).setMarker(SeriesMarkers.NONE);
        }
        for (var e : lines.entrySet()) {
            double[] x = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            XYSeries s = chart.addSeries(e.getKey(), x, y);
            CaseResult r = kind.get(e.getKey());
            Color c = COLOURS.get(r.system());
            if (c != null) {
                s.setLineColor(c);
                s.setMarkerColor(c);
            }
            boolean f32 = r.dtype().equals("float32");
            s.setMarker(f32 ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
            s.setLineStyle(f32 ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
        }
        try {
            Files.write(file, ChartEncoder.getBytes(chart, "png"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
