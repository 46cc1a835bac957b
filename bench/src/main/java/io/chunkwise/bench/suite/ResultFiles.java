package io.chunkwise.bench.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes the results: {@code results.csv} and {@code results.json} (one record per matmul case),
 * {@code elementwise.csv} and {@code elementwise.json} (the second section), {@code cluster.csv},
 * {@code cluster-ratios.csv} and {@code cluster.json} (the third), {@code run.json} (the machine, the peers and the
 * peak), and the plain-text tables for the terminal.
 */
public final class ResultFiles {
    /** The columns of results.csv and the keys of each results.json record, in order. */
    public static final List<String> COLUMNS = List.of("system", "dtype", "n", "chunk", "backend", "members", "threads",
            "gflops_median", "gflops_min", "gflops_max", "ratio_to_best_peer", "efficiency", "peak_gflops", "residual",
            "status", "seconds_median", "reps");

    /** The columns of elementwise.csv and the keys of each elementwise.json record. */
    public static final List<String> ELEMENTWISE_COLUMNS = List.of("system", "workload", "n", "chunk", "threads", "unit",
            "median", "min", "max", "vs_java", "vs_best_peer", "status", "detail");

    /** The columns of cluster.csv and the keys of each row in cluster.json. */
    public static final List<String> CLUSTER_COLUMNS = List.of("workload", "system", "n", "chunk", "members", "unit",
            "median", "min", "max", "samples", "status", "detail");

    /** The columns of cluster-ratios.csv and the keys of each ratio in cluster.json. */
    public static final List<String> RATIO_COLUMNS = List.of("workload", "quantity", "median", "min", "max", "rounds",
            "target", "verdict");

    private static final Pattern NUMBER = Pattern.compile("-|[-+]?[0-9][0-9.]*(e[-+]?[0-9]+)?%?");

    private ResultFiles() {}

    public static void writeCsv(Path file, List<CaseResult> rows) {
        writeCsv(file, COLUMNS, rows.stream().map(ResultFiles::values).toList());
    }

    /** A JSON array with one object per case; absent figures and non-finite numbers are {@code null}. */
    public static void writeJson(Path file, List<CaseResult> rows) {
        writeJson(file, COLUMNS, rows.stream().map(ResultFiles::values).toList());
    }

    public static void writeElementwiseCsv(Path file, List<ElementwiseResult> rows) {
        writeCsv(file, ELEMENTWISE_COLUMNS, rows.stream().map(ResultFiles::values).toList());
    }

    public static void writeElementwiseJson(Path file, List<ElementwiseResult> rows) {
        writeJson(file, ELEMENTWISE_COLUMNS, rows.stream().map(ResultFiles::values).toList());
    }

    /** cluster.csv (the rows), cluster-ratios.csv (the ratios) and cluster.json ({"rows": [...], "ratios": [...]}). */
    public static void writeCluster(Path dir, List<ClusterResult> rows, List<ClusterResult.Ratio> ratios) {
        List<List<Object>> r = rows.stream().map(ResultFiles::values).toList();
        List<List<Object>> q = ratios.stream().map(ResultFiles::values).toList();
        writeCsv(dir.resolve("cluster.csv"), CLUSTER_COLUMNS, r);
        writeCsv(dir.resolve("cluster-ratios.csv"), RATIO_COLUMNS, q);
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("rows", records(CLUSTER_COLUMNS, r));
        json.put("ratios", records(RATIO_COLUMNS, q));
        writeJsonValue(dir.resolve("cluster.json"), json);
    }

    private static List<Map<String, Object>> records(List<String> columns, List<List<Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Object> row : rows) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) m.put(columns.get(i), row.get(i));
            out.add(m);
        }
        return out;
    }

    /** The cluster section's rows as an aligned table. */
    public static String clusterTable(List<ClusterResult> rows) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[]{"workload", "system", "n", "chunk", "members", "median", "min", "max", "unit", "status", "detail"});
        for (ClusterResult r : rows) {
            lines.add(new String[]{r.workload(), r.system(), Long.toString(r.n()), Long.toString(r.chunk()),
                    Integer.toString(r.members()), fixed(r.median()), fixed(r.min()), fixed(r.max()), r.unit(), r.status(),
                    r.detail() == null ? "" : r.detail()});
        }
        return align(lines, 2);
    }

    /** The cluster section's ratios as an aligned table. */
    public static String ratioTable(List<ClusterResult.Ratio> ratios) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[]{"workload", "quantity", "median", "min", "max", "rounds", "target", "verdict"});
        for (ClusterResult.Ratio r : ratios) {
            lines.add(new String[]{r.workload(), r.quantity(), fixed(r.median()), fixed(r.min()), fixed(r.max()),
                    Integer.toString(r.rounds()), r.target(), r.verdict()});
        }
        return align(lines, 2);
    }

    /** {@code value} (maps, lists, strings, numbers, booleans, null) as indented JSON. */
    public static void writeJsonValue(Path file, Object value) {
        write(file, json(value, "") + "\n");
    }

    static void writeCsv(Path file, List<String> columns, List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (List<Object> r : rows) {
            List<String> cells = new ArrayList<>();
            for (Object v : r) cells.add(csvCell(v));
            sb.append(String.join(",", cells)).append('\n');
        }
        write(file, sb.toString());
    }

    static void writeJson(Path file, List<String> columns, List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            sb.append(i == 0 ? "\n  {" : ",\n  {");
            List<Object> values = rows.get(i);
            for (int c = 0; c < columns.size(); c++) {
                if (c > 0) sb.append(", ");
                sb.append(jsonString(columns.get(c))).append(": ").append(jsonValue(values.get(c)));
            }
            sb.append('}');
        }
        sb.append(rows.isEmpty() ? "]\n" : "\n]\n");
        write(file, sb.toString());
    }

    /** The matmul rows as an aligned table, for the terminal. */
    public static String table(List<CaseResult> rows) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[]{"system", "dtype", "n", "chunk", "backend", "GFLOP/s median", "min", "max", "vs best peer",
                "eff.", "residual", "status"});
        for (CaseResult r : rows) {
            lines.add(new String[]{r.system(), r.dtype(), Integer.toString(r.n()), Integer.toString(r.chunk()),
                    r.backend() + (r.members() > 1 ? " x" + r.members() : ""), fixed(r.gflopsMedian()),
                    fixed(r.gflopsMin()), fixed(r.gflopsMax()), fixed(r.ratioToBestPeer()),
                    r.efficiency() == null ? "-" : Comparison.percent(r.efficiency()),
                    String.format(Locale.ROOT, "%.1e", r.residual()), r.status()});
        }
        return align(lines, 2);
    }

    /** The second section's rows as an aligned table. */
    public static String elementwiseTable(List<ElementwiseResult> rows) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[]{"workload", "system", "n", "chunk", "threads", "median", "min", "max", "unit", "vs java",
                "vs best peer", "status"});
        for (ElementwiseResult r : rows) {
            lines.add(new String[]{r.workload(), r.system(), Long.toString(r.n()), Long.toString(r.chunk()),
                    Integer.toString(r.threads()), fixed(r.median()), fixed(r.min()), fixed(r.max()), r.unit(),
                    fixed(r.vsJava()), fixed(r.vsBestPeer()), r.status()});
        }
        return align(lines, 2);
    }

    /**
     * Aligns {@code lines} (the first is the header) in columns two spaces apart, with a rule under the header; cells
     * that read as numbers are right-aligned, from column {@code firstNumeric} on.
     */
    static String align(List<String[]> lines, int firstNumeric) {
        int cols = lines.get(0).length;
        int[] width = new int[cols];
        for (String[] l : lines) for (int c = 0; c < l.length; c++) width[c] = Math.max(width[c], l[c].length());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String[] l = lines.get(i);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < l.length; c++) {
                boolean number = i > 0 && c >= firstNumeric && NUMBER.matcher(l[c]).matches();
                String pad = " ".repeat(width[c] - l[c].length());
                line.append(c == 0 ? "" : "  ").append(number ? pad + l[c] : l[c] + pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (i == 0) {
                int total = 0;
                for (int w : width) total += w + 2;
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        return sb.toString();
    }

    private static List<Object> values(CaseResult r) {
        List<Object> v = new ArrayList<>();
        v.add(r.system());
        v.add(r.dtype());
        v.add(r.n());
        v.add(r.chunk());
        v.add(r.backend());
        v.add(r.members());
        v.add(r.threads());
        v.add(r.gflopsMedian());
        v.add(r.gflopsMin());
        v.add(r.gflopsMax());
        v.add(r.ratioToBestPeer());
        v.add(r.efficiency());
        v.add(r.peakGflops());
        v.add(r.residual());
        v.add(r.status());
        v.add(r.secondsMedian());
        v.add(r.reps());
        return v;
    }

    private static List<Object> values(ElementwiseResult r) {
        List<Object> v = new ArrayList<>();
        v.add(r.system());
        v.add(r.workload());
        v.add(r.n());
        v.add(r.chunk());
        v.add(r.threads());
        v.add(r.unit());
        v.add(r.median());
        v.add(r.min());
        v.add(r.max());
        v.add(r.vsJava());
        v.add(r.vsBestPeer());
        v.add(r.status());
        v.add(r.detail());
        return v;
    }

    private static List<Object> values(ClusterResult r) {
        return java.util.Arrays.asList(r.workload(), r.system(), r.n(), r.chunk(), r.members(), r.unit(), r.median(),
                r.min(), r.max(), r.samples(), r.status(), r.detail());
    }

    private static List<Object> values(ClusterResult.Ratio r) {
        return java.util.Arrays.asList(r.workload(), r.quantity(), r.median(), r.min(), r.max(), r.rounds(), r.target(),
                r.verdict());
    }

    private static String fixed(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String csvCell(Object v) {
        if (v == null) return "";
        if (v instanceof Double d && !Double.isFinite(d)) return "";
        String s = v.toString();
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) s = '"' + s.replace("\"", "\"\"") + '"';
        return s;
    }

    private static String jsonValue(Object v) {
        if (v == null) return "null";
        if (v instanceof Double d) return Double.isFinite(d) ? d.toString() : "null";
        if (v instanceof Number n) return n.toString();
        if (v instanceof Boolean b) return b.toString();
        return jsonString(v.toString());
    }

    private static String json(Object v, String indent) {
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) return "{}";
            StringBuilder sb = new StringBuilder("{");
            String inner = indent + "  ";
            int i = 0;
            for (var e : m.entrySet()) {
                sb.append(i++ == 0 ? "\n" : ",\n").append(inner).append(jsonString(String.valueOf(e.getKey())))
                        .append(": ").append(json(e.getValue(), inner));
            }
            return sb.append('\n').append(indent).append('}').toString();
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) parts.add(json(o, indent + "  "));
            return "[" + String.join(", ", parts) + "]";
        }
        return jsonValue(v);
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    else sb.append(ch);
                }
            }
        }
        return sb.append('"').toString();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
