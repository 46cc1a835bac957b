package io.chunkwise.cuda;

import io.chunkwise.DType;
import io.chunkwise.random.BoxMuller;
import io.chunkwise.random.Philox;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cases of the device-math check, with the Java results they must give: the device header
 * ({@code chunkwise_device.cuh}: Philox, uniform/normal, BoxMuller's log and cosTwoPi, nextDown, the global index,
 * cw_maximum/minimum, cw_remainder/floor_divide) and every CUDA expression of the op table (generated into
 * {@code chunkwise_op_table.cuh}), each evaluated by {@code src/test/cuda/device_math_check.cu} built for the host
 * (g++, {@link DeviceMathHostTest}) or for a GPU (nvcc, the GPU check bundle of {@code bench/gpu-check.sh}).
 *
 * <p>The Java results: {@link Philox} and {@link BoxMuller} for the random streams, and the {@link ReferenceBackend}
 * (the project's definition of every op, float32 results rounded from double) for the op table. The ops whose
 * result IEEE 754 fixes (arithmetic, sqrt, rounding, fmod-based remainder, comparisons, max/min) must agree bit for
 * bit (any NaN equals any NaN: payloads are not part of the contract); the transcendental ones (exp, log, sin, pow,
 * ...) are computed by each platform's math library, so they are compared in ulps against a bound per platform.
 *
 * <p>Run as a program (the GPU bundle does): {@code DeviceMathCases HARNESS [host|device]} runs the harness on
 * every case and prints the summary; exit 1 when a case is out of its bound.
 */
public final class DeviceMathCases {
    /** Ops whose results a math library computes (not fixed by IEEE 754), compared within {@link #ulpBound}. */
    static final Set<UnaryOp> TRANSCENDENTAL_UNARY = EnumSet.of(UnaryOp.EXP, UnaryOp.EXPM1, UnaryOp.LOG, UnaryOp.LOG1P,
            UnaryOp.LOG2, UnaryOp.LOG10, UnaryOp.SIN, UnaryOp.COS, UnaryOp.TAN, UnaryOp.ARCSIN, UnaryOp.ARCCOS,
            UnaryOp.ARCTAN, UnaryOp.SINH, UnaryOp.COSH, UnaryOp.TANH);
    static final Set<BinaryOp> TRANSCENDENTAL_BINARY = EnumSet.of(BinaryOp.POW, BinaryOp.ARCTAN2, BinaryOp.HYPOT);

    /** One case: the harness's kind name, four 64-bit words, the expected two words. */
    record Case(String kind, long[] in, long r0, long r1) {
        String line() {
            return kind + " " + Long.toHexString(in[0]) + " " + Long.toHexString(in[1]) + " " + Long.toHexString(in[2])
                    + " " + Long.toHexString(in[3]);
        }
    }

    private final List<Case> cases = new ArrayList<>();
    private final Map<String, Integer> transcendental = new LinkedHashMap<>(); // kind -> ulp scale (1 f64, 2 f32)

    /** Every case (about 90,000). */
    public static DeviceMathCases all() {
        DeviceMathCases c = new DeviceMathCases();
        c.random();
        c.helpers();
        c.opTable();
        return c;
    }

    List<Case> cases() { return cases; }

    // ---- the random streams ----

    private static final long[] SEEDS = {0, 1, 42, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x9E3779B97F4A7C15L, 0xFFFFFFFFL,
            1L << 32, 123456789};
    /** Edge indices: word boundaries of the counter, 2^53 (the double grid), the last index a fill accepts. */
    private static final long[] EDGE_INDICES = {0, 1, 2, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 1L << 32, (1L << 32) + 1,
            (1L << 53) - 1, 1L << 53, (1L << 53) + 1, 1L << 62, Long.MAX_VALUE - 1};

    private void random() {
        SplittableRandom rnd = new SplittableRandom(14);
        long[] w = new long[2];
        List<long[]> pairs = new ArrayList<>();
        for (int s = 0; s < 4; s++) for (long i = 0; i < 1000; i++) pairs.add(new long[]{SEEDS[s], i});
        for (long seed : SEEDS) for (long i : EDGE_INDICES) pairs.add(new long[]{seed, i});
        pairs.add(new long[]{7, Long.MAX_VALUE});
        pairs.add(new long[]{7, -1}); // the device takes the index as unsigned
        for (int k = 0; k < 2000; k++) pairs.add(new long[]{rnd.nextLong(), rnd.nextLong()});
        for (long[] p : pairs) {
            Philox.words(p[0], p[1], w);
            add("philox", p[0], p[1], 0, 0, w[0], w[1]);
        }

        double[][] ranges = {{0, 1}, {-1, 1}, {1, 2}, {-1e300, 1e300}, {0, 1e-310}, {5, 5 + 1e-9}, {-3, -2},
                {0, 0x1p-1074 * 3}, {16777216, 16777218}};
        double[][] moments = {{0, 1}, {10, 0.5}, {-3, 1e-3}, {1e300, 1e290}, {0, 1e-300}, {1, 0}};
        List<long[]> where = new ArrayList<>();
        for (long seed : new long[]{0, 42, -1}) {
            for (long i : EDGE_INDICES) where.add(new long[]{seed, i});
            for (int k = 0; k < 120; k++) where.add(new long[]{seed, rnd.nextLong(0, Long.MAX_VALUE - 1)});
        }
        double[] d = new double[1];
        float[] f = new float[1];
        for (double[] r : ranges) {
            for (long[] p : where) {
                Philox.fillUniform(d, 0, 1, p[0], p[1], r[0], r[1]);
                Philox.fillUniform(f, 0, 1, p[0], p[1], r[0], r[1]);
                add("uniform_float64", p[0], p[1], bitsOf(r[0]), bitsOf(r[1]), bitsOf(d[0]), 0);
                add("uniform_float32", p[0], p[1], bitsOf(r[0]), bitsOf(r[1]), bitsOf(f[0]), 0);
            }
        }
        for (double[] m : moments) {
            for (long[] p : where) {
                Philox.fillNormal(d, 0, 1, p[0], p[1], m[0], m[1]);
                Philox.fillNormal(f, 0, 1, p[0], p[1], m[0], m[1]);
                add("normal_float64", p[0], p[1], bitsOf(m[0]), bitsOf(m[1]), bitsOf(d[0]), 0);
                add("normal_float32", p[0], p[1], bitsOf(m[0]), bitsOf(m[1]), bitsOf(f[0]), 0);
            }
        }

        // BoxMuller.log on its domain [2^-53, 1] (v = 1 - u1): the ends, near 1, powers of two, random grid points
        List<Double> logs = new ArrayList<>();
        for (int k = 0; k < 64; k++) logs.add(1 - k * 0x1p-53);
        for (int e = 1; e <= 53; e++) { logs.add(Math.scalb(1.0, -e)); logs.add(Math.scalb(1.0, -e) * (1 + 0x1p-52)); }
        for (int k = 1; k < 200; k++) logs.add(k * 0x1p-53);
        for (int k = 0; k < 200; k++) logs.add(1 - k * 0x1p-20);
        for (int k = 0; k < 4000; k++) logs.add((double) ((1L << 53) - (rnd.nextLong() >>> 11)) * 0x1p-53);
        for (double v : logs) add("bm_log", bitsOf(v), 0, 0, 0, bitsOf(BoxMuller.log(v)), 0);

        // cosTwoPi on [0, 2^53): every quadrant boundary q * 2^51 and the rounding point of q, +- 8; random m
        List<Long> ms = new ArrayList<>();
        for (long q = 0; q <= 4; q++) {
            for (long base : new long[]{q << 51, (q << 51) + (1L << 50)}) {
                for (long dm = -8; dm <= 8; dm++) {
                    long m = base + dm;
                    if (m >= 0 && m < 1L << 53) ms.add(m);
                }
            }
        }
        for (int k = 0; k < 3500; k++) ms.add(rnd.nextLong() >>> 11);
        for (long m : ms) add("bm_cos_two_pi", m, 0, 0, 0, bitsOf(BoxMuller.cosTwoPi(m)), 0);
    }

    // ---- nextDown, the global index ----

    private void helpers() {
        for (double v : SPECIAL) add("next_down_float64", bitsOf(v), 0, 0, 0, bitsOf(Math.nextDown(v)), 0);
        for (double v : SPECIAL) {
            float x = (float) v;
            add("next_down_float32", bitsOf(x), 0, 0, 0, bitsOf(Math.nextDown(x)), 0);
        }
        SplittableRandom rnd = new SplittableRandom(15);
        for (int k = 0; k < 2000; k++) {
            long inner = k % 5 == 0 ? 1 : rnd.nextLong(1, k % 2 == 0 ? 100 : 1L << 31);
            long i = rnd.nextLong(0, Integer.MAX_VALUE);
            long outerStride = inner * rnd.nextLong(1, 1000);
            long first = rnd.nextLong(0, 1L << 40);
            add("global_index", i, inner, outerStride, first, first + (i / inner) * outerStride + i % inner, 0);
        }
    }

    // ---- the op table ----

    /** NaN, +-0, +-inf, subnormals, the ends of both dtypes' ranges, halves (rint), near-integers, 2^53 +- 1. */
    static final double[] SPECIAL = {Double.NaN, 0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1, -1,
            0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 2, -2, 3, -3, 0.1, -0.7, 10, -10, Math.PI, -Math.E, 100.25, 7, -7,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
            Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-300, 1e300, -1e300, 1e38, 3.4e38,
            0x1p52 + 0.5, 0x1p53, 0x1p53 + 2, -(0x1p52 + 0.5), 8388608.5, 16777217, 0.49999999999999994, 1 - 0x1p-53,
            1 + 0x1p-52, 710, -745, 89, -104, 1e-8, -1e-8, 0x1p-30};

    private void opTable() {
        SplittableRandom rnd = new SplittableRandom(16);
        double[] unaryValues = concat(SPECIAL, randomValues(rnd, 600));
        double[] pairA = new double[SPECIAL.length * SPECIAL.length + 1200], pairB = new double[pairA.length];
        int n = 0;
        for (double a : SPECIAL) for (double b : SPECIAL) { pairA[n] = a; pairB[n++] = b; }
        double[] ra = randomValues(rnd, 1200), rb = randomValues(rnd, 1200);
        for (int k = 0; k < 1200; k++) {
            pairA[n] = ra[k];
            // a third of the pairs of similar magnitude, where fmod and floor_divide are interesting
            pairB[n++] = k % 3 == 0 ? ra[k] * rnd.nextDouble(0.01, 3) : rb[k];
        }
        ReferenceBackend ref = new ReferenceBackend();
        for (DType t : List.of(DType.FLOAT64, DType.FLOAT32)) {
            String dt = t.numpyName();
            for (UnaryOp op : UnaryOp.values()) {
                if (op.forms().cuda() == null) continue;
                String kind = "unary_" + op.name().toLowerCase(Locale.ROOT) + "_" + dt;
                HostBlock x = block(t, unaryValues);
                DType rt = op.resultType(t);
                HostBlock out = (HostBlock) ref.elementwise(new Expr.Unary(op, new Expr.Input(0, t), rt),
                        new HostBlock[]{x}, new int[][]{{1}}, region(unaryValues.length));
                for (int i = 0; i < unaryValues.length; i++) add(kind, word(x, i), 0, 0, 0, word(out, i), 0);
                if (TRANSCENDENTAL_UNARY.contains(op)) transcendental.put(kind, t == DType.FLOAT32 ? 2 : 1);
            }
            for (BinaryOp op : BinaryOp.values()) {
                if (op.forms().cuda() == null) continue;
                String kind = "binary_" + op.name().toLowerCase(Locale.ROOT) + "_" + dt;
                HostBlock a = block(t, pairA), b = block(t, pairB);
                DType rt = op.resultType(t);
                HostBlock out = (HostBlock) ref.elementwise(new Expr.Binary(op, new Expr.Input(0, t), new Expr.Input(1, t), rt),
                        new HostBlock[]{a, b}, new int[][]{{1}, {1}}, region(pairA.length));
                for (int i = 0; i < pairA.length; i++) add(kind, word(a, i), word(b, i), 0, 0, word(out, i), 0);
                if (TRANSCENDENTAL_BINARY.contains(op)) transcendental.put(kind, t == DType.FLOAT32 ? 2 : 1);
            }
        }
    }

    /** Values of every magnitude and sign, a quarter of them integers or halves. */
    private static double[] randomValues(SplittableRandom rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double m = rnd.nextDouble(1, 2) * (rnd.nextBoolean() ? 1 : -1);
            v[i] = switch (i % 4) {
                case 0 -> Math.scalb(m, rnd.nextInt(-1074, 1024));
                case 1 -> Math.scalb(m, rnd.nextInt(-30, 30));
                case 2 -> Math.scalb(m, rnd.nextInt(-3, 8));
                default -> Math.rint(Math.scalb(m, rnd.nextInt(0, 20)) * 2) / 2;
            };
        }
        return v;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static Region region(int n) { return new Region(new int[]{n}, new long[]{0}, new long[]{n}); }

    private static HostBlock block(DType t, double[] values) {
        HostBlock h = HostBlock.allocate(t, new int[]{values.length});
        for (int i = 0; i < values.length; i++) {
            if (t == DType.FLOAT64) h.doubles()[i] = values[i];
            else h.floats()[i] = (float) values[i];
        }
        return h;
    }

    /** Element i as the harness reads and writes it: a double's or a float's raw bits, a bool as 0 or 1. */
    private static long word(HostBlock h, int i) {
        return switch (h.dtype()) {
            case FLOAT64 -> bitsOf(h.doubles()[i]);
            case FLOAT32 -> bitsOf(h.floats()[i]);
            case BOOL -> h.bools()[i];
            default -> throw new IllegalArgumentException(h.dtype().toString());
        };
    }

    static long bitsOf(double v) { return Double.doubleToRawLongBits(v); }

    static long bitsOf(float v) { return Float.floatToRawIntBits(v) & 0xFFFFFFFFL; }

    private void add(String kind, long w0, long w1, long w2, long w3, long r0, long r1) {
        cases.add(new Case(kind, new long[]{w0, w1, w2, w3}, r0, r1));
    }

    // ---- running the harness and comparing ----

    /** The input of the harness, one line a case. */
    String input() {
        StringBuilder sb = new StringBuilder(cases.size() * 48);
        for (Case c : cases) sb.append(c.line()).append('\n');
        return sb.toString();
    }

    /** Runs {@code harness} on every case; its output lines, one a case. */
    List<String> run(Path harness) throws IOException, InterruptedException {
        Path in = Files.createTempFile("device-math-cases", ".txt");
        try {
            Files.writeString(in, input(), StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder(harness.toString()).redirectInput(in.toFile())
                    .redirectError(ProcessBuilder.Redirect.PIPE).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(harness + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) throw new IOException(harness + " exited with " + p.exitValue() + ": " + err);
            return new String(out, StandardCharsets.US_ASCII).lines().toList();
        } finally {
            Files.deleteIfExists(in);
        }
    }

    /** How the harness's results compare with Java's. */
    record Report(int cases, int identical, Map<String, Integer> maxUlp, List<String> mismatches, int mismatchCount) {
        boolean ok() { return mismatchCount == 0; }

        String summary() {
            StringBuilder sb = new StringBuilder();
            sb.append(identical).append(" of ").append(cases).append(" cases bit-identical to Java");
            if (!maxUlp.isEmpty()) {
                sb.append("; math-library ops, largest distance in ulps of the result's dtype:");
                maxUlp.forEach((k, u) -> sb.append(' ').append(k).append('=').append(u));
            }
            if (mismatchCount > 0) {
                sb.append("\n").append(mismatchCount).append(" out of bounds, first ones:");
                for (String m : mismatches) sb.append("\n  ").append(m);
            }
            return sb.toString();
        }
    }

    /**
     * Compares the harness's output with the Java results: every case bit for bit (NaNs alike), except the
     * transcendental ops, allowed {@code ulpBound} ulps of their dtype (0 where their specials, NaN, infinities and
     * zeros, differ in kind).
     */
    Report compare(List<String> lines, long ulpBound) {
        if (lines.size() != cases.size()) {
            return new Report(cases.size(), 0, Map.of(), List.of("the harness gave " + lines.size() + " lines for "
                    + cases.size() + " cases"), 1);
        }
        int identical = 0, bad = 0;
        List<String> examples = new ArrayList<>();
        Map<String, Integer> maxUlp = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            String[] r = lines.get(i).trim().split(" ");
            long g0 = Long.parseUnsignedLong(r[0], 16), g1 = Long.parseUnsignedLong(r[1], 16);
            boolean f32 = c.kind.endsWith("_float32") && !isBool(c.kind);
            boolean f64 = c.kind.endsWith("_float64") && !isBool(c.kind);
            boolean same = g1 == c.r1 && (g0 == c.r0 || bothNaN(g0, c.r0, f32, f64));
            if (same) {
                identical++;
                continue;
            }
            Integer scale = transcendental.get(c.kind);
            if (scale != null && g1 == c.r1) {
                long ulps = ulps(g0, c.r0, f32);
                maxUlp.merge(c.kind, (int) Math.min(ulps, Integer.MAX_VALUE), Math::max);
                if (ulps <= ulpBound * scale) continue;
            }
            bad++;
            if (examples.size() < 20) {
                examples.add(c.line() + " => harness " + r[0] + " " + r[1] + ", Java " + Long.toHexString(c.r0) + " "
                        + Long.toHexString(c.r1) + (f64 || f32 ? " (" + show(g0, f32) + " vs " + show(c.r0, f32) + ")" : ""));
            }
        }
        return new Report(cases.size(), identical, maxUlp, examples, bad);
    }

    private static boolean isBool(String kind) {
        for (UnaryOp op : UnaryOp.values()) if (op.isPredicate() && kind.startsWith("unary_" + op.name().toLowerCase(Locale.ROOT) + "_")) return true;
        for (BinaryOp op : BinaryOp.values()) if (op.isPredicate() && kind.startsWith("binary_" + op.name().toLowerCase(Locale.ROOT) + "_")) return true;
        return false;
    }

    private static boolean bothNaN(long a, long b, boolean f32, boolean f64) {
        if (f64) return Double.isNaN(Double.longBitsToDouble(a)) && Double.isNaN(Double.longBitsToDouble(b));
        if (f32) return Float.isNaN(Float.intBitsToFloat((int) a)) && Float.isNaN(Float.intBitsToFloat((int) b));
        return false;
    }

    /** Distance in representable values; "infinitely far" where one is NaN and the other not, or signs differ off zero. */
    private static long ulps(long a, long b, boolean f32) {
        double x = f32 ? Float.intBitsToFloat((int) a) : Double.longBitsToDouble(a);
        double y = f32 ? Float.intBitsToFloat((int) b) : Double.longBitsToDouble(b);
        if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) != Double.isInfinite(y)) return Long.MAX_VALUE;
        long ia = f32 ? ordered32((int) a) : ordered64(a), ib = f32 ? ordered32((int) b) : ordered64(b);
        return Math.abs(ia - ib);
    }

    private static long ordered64(long bits) { return bits < 0 ? Long.MIN_VALUE - bits : bits; }

    private static long ordered32(int bits) { return bits < 0 ? Integer.MIN_VALUE - (long) bits : bits; }

    private static String show(long bits, boolean f32) {
        return f32 ? Float.toString(Float.intBitsToFloat((int) bits)) : Double.toString(Double.longBitsToDouble(bits));
    }

    /**
     * {@code DeviceMathCases HARNESS [ULP_BOUND]}: runs the harness (host or device build) on every case and prints
     * the summary; exit 0 when every case is within bounds, 1 otherwise, 2 when the harness could not run.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DeviceMathCases HARNESS [ULP_BOUND]");
            System.exit(2);
        }
        long bound = args.length > 1 ? Long.parseLong(args[1]) : 4;
        DeviceMathCases all = all();
        List<String> lines;
        try {
            lines = all.run(Path.of(args[0]));
        } catch (IOException e) {
            System.out.println("device math: the harness could not run: " + e.getMessage());
            System.exit(2);
            return;
        }
        Report r = all.compare(lines, bound);
        System.out.println("device math: " + r.summary());
        System.exit(r.ok() ? 0 : 1);
    }
}
