package io.chunkwise.bench.suite;

import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GFLOP/s against n, one line per system and dtype (the best chunk size at each n), from the validated rows only.
 */
public final class MatmulPlot {
    private MatmulPlot() {}

    public static void writePng(Path file, List<CaseResult> rows, String subtitle) {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("matmul: GFLOP/s (median) vs n" + (subtitle.isEmpty() ? "" : " - " + subtitle))
                .xAxisTitle("n (n x n @ n x n)").yAxisTitle("GFLOP/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("#");
        chart.getStyler().setYAxisDecimalPattern("0.##");
        // series name -> n -> best median GFLOP/s over the chunk sizes tried
        Map<String, TreeMap<Integer, Double>> lines = new TreeMap<>();
        for (CaseResult r : rows) {
            if (!r.ok() || r.gflopsMedian() == null) continue;
            lines.computeIfAbsent(r.system() + " " + r.dtype() + " (" + r.backend() + ")", k -> new TreeMap<>())
                    .merge(r.n(), r.gflopsMedian(), Math::max);
        }
        if (lines.isEmpty()) {
            chart.setTitle(chart.getTitle() + " - no validated results");
            chart.addSeries("none", new double[]{0}, new double[]{0}).setMarker(SeriesMarkers.NONE);
        }
        for (var e : lines.entrySet()) {
            double[] x = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        try {
            Files.write(file, ChartEncoder.getBytes(chart, "png"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
