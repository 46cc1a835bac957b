package io.chunkwise.bench.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes the results as {@code results.csv}, {@code results.json} and a plain-text table. */
public final class ResultFiles {
    /** The columns of the CSV and the keys of each JSON record, in order. */
    public static final List<String> COLUMNS = List.of("system", "dtype", "n", "chunk", "backend", "members", "threads",
            "gflops_median", "gflops_min", "gflops_max", "ratio_to_best_peer", "residual", "status", "seconds_median",
            "reps");

    private ResultFiles() {}

    public static void writeCsv(Path file, List<CaseResult> rows) {
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (CaseResult r : rows) {
            List<String> cells = new ArrayList<>();
            for (Object v : values(r)) cells.add(csvCell(v));
            sb.append(String.join(",", cells)).append('\n');
        }
        write(file, sb.toString());
    }

    /** A JSON array with one object per case; absent figures and non-finite numbers are {@code null}. */
    public static void writeJson(Path file, List<CaseResult> rows) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            sb.append(i == 0 ? "\n  {" : ",\n  {");
            List<Object> values = values(rows.get(i));
            for (int c = 0; c < COLUMNS.size(); c++) {
                if (c > 0) sb.append(", ");
                sb.append(jsonString(COLUMNS.get(c))).append(": ").append(jsonValue(values.get(c)));
            }
            sb.append('}');
        }
        sb.append(rows.isEmpty() ? "]\n" : "\n]\n");
        write(file, sb.toString());
    }

    /** The rows as an aligned table, for the terminal. */
    public static String table(List<CaseResult> rows) {
        String[] head = {"system", "dtype", "n", "chunk", "backend", "GFLOP/s median", "min", "max", "vs best peer",
                "residual", "status"};
        List<String[]> lines = new ArrayList<>();
        lines.add(head);
        for (CaseResult r : rows) {
            lines.add(new String[]{r.system(), r.dtype(), Integer.toString(r.n()), Integer.toString(r.chunk()),
                    r.backend() + (r.members() > 1 ? " x" + r.members() : ""), fixed(r.gflopsMedian()),
                    fixed(r.gflopsMin()), fixed(r.gflopsMax()), r.ratioToBestPeer() == null ? "-" : fixed(r.ratioToBestPeer()),
                    String.format(Locale.ROOT, "%.1e", r.residual()), r.status()});
        }
        int[] width = new int[head.length];
        for (String[] l : lines) for (int c = 0; c < l.length; c++) width[c] = Math.max(width[c], l[c].length());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String[] l = lines.get(i);
            for (int c = 0; c < l.length; c++) {
                boolean number = i > 0 && c >= 2 && c != 4 && c != 10;
                String cell = number ? " ".repeat(width[c] - l[c].length()) + l[c] : l[c] + " ".repeat(width[c] - l[c].length());
                sb.append(c == 0 ? "" : "  ").append(cell);
            }
            sb.append('\n');
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
        v.add(r.residual());
        v.add(r.status());
        v.add(r.secondsMedian());
        v.add(r.reps());
        return v;
    }

    private static String fixed(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String csvCell(Object v) {
        if (v == null) return "";
        String s = v.toString();
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) s = '"' + s.replace("\"", "\"\"") + '"';
        return s;
    }

    private static String jsonValue(Object v) {
        if (v == null) return "null";
        if (v instanceof Double d) return Double.isFinite(d) ? d.toString() : "null";
        if (v instanceof Number n) return n.toString();
        return jsonString(v.toString());
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
