package io.chunkwise.gpu;

import io.chunkwise.Backends;
import io.chunkwise.DType;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 14, 3: the generated fused kernels, compiled for the host with g++ (CUDA's qualifiers and intrinsics defined
 * as the IEEE operations they stand for, {@code -ffp-contract=off} as the device build's {@code --fmad=false}), give
 * the CPU backend's {@code elementwise} bits on random expressions of every dtype built from every op of the table,
 * over random shapes, strides, broadcasts and places in the array. Exact expressions (no math-library op) must match
 * bit for bit (any NaN equals any NaN); an exp, sin, pow, ... at the root is computed by glibc here and by Java
 * there, so it is held to 2 ulps. Skipped, with the reason, where g++ is missing.
 */
class FusedKernelHostTest {
    private static final Path WORK = Path.of("target/fused-host");
    private static final int EXACT_CASES = Integer.getInteger("chunkwise.fusedHostCases", 300);
    private static final int MATH_CASES = EXACT_CASES / 3;

    @Test
    void generatedKernelsGiveTheCpuBackendsBits() throws Exception {
        String gxx = onPath("g++");
        assumeTrue(gxx != null, "g++ not found on PATH: the host build of the fused kernels needs it");
        RandomFusedCases exact = new RandomFusedCases(20261205L, false), math = new RandomFusedCases(7L, true);
        List<RandomFusedCases.Case> cases = new ArrayList<>();
        for (String op : RandomFusedCases.allOpDtypes(false)) cases.add(exact.covering(op)); // every op with every dtype
        for (int i = 0; i < EXACT_CASES; i++) cases.add(exact.next());
        int exactCases = cases.size();
        for (String op : RandomFusedCases.allOpDtypes(true)) cases.add(math.covering(op));
        for (int i = 0; i < MATH_CASES; i++) cases.add(math.next());

        Set<UnaryOp> unary = EnumSet.noneOf(UnaryOp.class);
        unary.addAll(exact.unaryUsed);
        unary.addAll(math.unaryUsed);
        Set<BinaryOp> binary = EnumSet.noneOf(BinaryOp.class);
        binary.addAll(exact.binaryUsed);
        binary.addAll(math.binaryUsed);
        for (UnaryOp op : UnaryOp.values()) if (op.forms().cuda() != null) assertTrue(unary.contains(op), "no case uses " + op);
        for (BinaryOp op : BinaryOp.values()) if (op.forms().cuda() != null) assertTrue(binary.contains(op), "no case uses " + op);
        java.util.Set<String> missing = new java.util.TreeSet<>(RandomFusedCases.allOpDtypes(false));
        missing.removeAll(exact.opDtypes);
        java.util.Set<String> missingMath = new java.util.TreeSet<>(RandomFusedCases.allOpDtypes(true));
        missingMath.removeAll(math.opDtypes);
        missing.addAll(missingMath);
        assertTrue(missing.isEmpty(), "ops never used with these operand dtypes: " + missing);

        List<String> mismatches = new ArrayList<>();
        int compared = 0, refusedCases = 0;
        try (Backend cpu = GpuBackendProvider.cpuDelegate(Backends.providers()).create(1)) {
            List<HostBlock> results = runOnHost(gxx, cases);
            for (int c = 0; c < cases.size(); c++) {
                RandomFusedCases.Case k = cases.get(c);
                HostBlock got = results.get(c);
                HostBlock want;
                try {
                    want = cpu.toHost(cpu.elementwise(k.expr(), k.inputs(), k.strides(), k.region()));
                } catch (InvalidArgumentException refused) { // a negative integer exponent: the kernel must have reported one
                    refusedCases++;
                    if (got != null && mismatches.size() < 10) mismatches.add("case " + c + " " + Expr.show(k.expr(), 300) + ": the CPU refused it ("
                            + refused.getMessage() + "), the kernel reported nothing");
                    continue;
                }
                long ulps = c < exactCases ? 0 : 2;
                String diff = got == null ? "the kernel reported a negative exponent" : compare(want, got, ulps);
                compared += want.size();
                if (diff != null && mismatches.size() < 10) {
                    mismatches.add("case " + c + " " + Expr.show(k.expr(), 300) + " over " + java.util.Arrays.toString(k.region().shape())
                            + ", strides " + java.util.Arrays.deepToString(k.strides()) + ": " + diff);
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " cases differ, e.g.\n" + String.join("\n", mismatches));
        assertTrue(compared > 1000, "values compared: " + compared);
        assertTrue(refusedCases > 0 && refusedCases < cases.size() / 10, "cases the CPU refused: " + refusedCases);
    }

    /**
     * The host programs' file helpers: a file of the work folder read whole (8 bytes more, zeros, so that an empty
     * file still gives a buffer to point at), and the first {@code bytes} of a buffer written.
     */
    static final String HOST_IO = """
            #include <cstdio>
            #include <cstdlib>
            #include <vector>
            static std::vector<char> cw_read(const char* dir, const char* name) {
                char path[4096]; snprintf(path, sizeof path, "%s/%s", dir, name);
                FILE* f = fopen(path, "rb"); std::vector<char> b;
                if (!f) { perror(path); exit(2); }
                char buf[65536]; size_t n;
                while ((n = fread(buf, 1, sizeof buf, f)) > 0) b.insert(b.end(), buf, buf + n);
                fclose(f); b.resize(b.size() + 8); return b;
            }
            static void cw_write(const char* dir, const char* name, const std::vector<char>& b, size_t bytes) {
                char path[4096]; snprintf(path, sizeof path, "%s/%s", dir, name);
                FILE* f = fopen(path, "wb"); if (!f) { perror(path); exit(2); }
                fwrite(b.data(), 1, bytes, f); fclose(f);
            }
            """;

    /**
     * Compiles the kernels of {@code cases} into one host program, runs it, and reads back each case's output; null
     * for a case whose kernel reported refused data (a negative integer exponent) in its error word.
     */
    static List<HostBlock> runOnHost(String gxx, List<RandomFusedCases.Case> cases) throws Exception {
        Files.createDirectories(WORK);
        for (String h : FusedKernelSource.HEADERS) Files.writeString(WORK.resolve(h), FusedKernelSource.resource(h));
        Files.write(WORK.resolve("fused_host_prelude.h"),
                FusedKernelHostTest.class.getResourceAsStream("fused_host_prelude.h").readAllBytes());
        Map<String, String> kernels = new LinkedHashMap<>();
        StringBuilder main = new StringBuilder();
        main.append(HOST_IO).append("""
                int main(int argc, char** argv) {
                    const char* dir = argv[1];
                """);
        for (int c = 0; c < cases.size(); c++) {
            RandomFusedCases.Case k = cases.get(c);
            FusedGeometry g = FusedGeometry.of(k.region(), strides(k), FusedKernelSource.readsGlobalIndex(k.expr()));
            FusedKernelSource.Kernel kernel = FusedKernelSource.generate(k.expr(), g.rank());
            kernels.putIfAbsent(kernel.name(), kernel.source());
            long[] scalars = FusedKernelSource.scalarArgs(g, k.expr());
            main.append("    {\n");
            List<String> args = new ArrayList<>();
            for (int i : kernel.inputs()) {
                Files.write(WORK.resolve("c" + c + "_in" + i), bytes(k.inputs()[i]));
                main.append("        std::vector<char> in").append(i).append(" = cw_read(dir, \"c").append(c).append("_in").append(i).append("\");\n");
                args.add("(const " + FusedKernelSource.storage(k.inputs()[i].dtype()) + "*) in" + i + ".data()");
            }
            main.append("        std::vector<char> out(").append(g.size() * k.expr().dtype().byteSize()).append(" + 1);\n");
            args.add("(" + FusedKernelSource.storage(k.expr().dtype()) + "*) out.data()");
            main.append("        long long err = 0;\n");
            if (kernel.errors()) args.add("&err");
            List<String> params = kernel.params().subList(kernel.inputs().size() + (kernel.errors() ? 2 : 1), kernel.params().size());
            for (int p = 0; p < scalars.length; p++) {
                String word = "(long long) 0x" + Long.toHexString(scalars[p]) + "ULL";
                args.add(params.get(p).startsWith("double ") ? "cw_bits_double(" + word + ")" : word);
            }
            main.append("        ").append(kernel.name()).append("(").append(String.join(", ", args)).append(");\n");
            main.append("        out.pop_back(); if (err < 0) out.clear(); cw_write(dir, \"c").append(c).append("_out\", out, out.size());\n    }\n");
        }
        main.append("    return 0;\n}\n");
        StringBuilder program = new StringBuilder("#include \"fused_host_prelude.h\"\n");
        for (String source : kernels.values()) program.append(source).append('\n');
        program.append(main);
        Path cpp = WORK.resolve("fused_host.cpp"), exe = WORK.resolve("fused_host");
        Files.writeString(cpp, program);
        run(List.of(gxx, "-std=c++17", "-O1", "-ffp-contract=off", "-Wall", "-Wno-unused-variable", "-Wno-unknown-pragmas",
                "-I", WORK.toString(), cpp.toString(), "-o", exe.toString()), 600);
        run(List.of(exe.toAbsolutePath().toString(), WORK.toAbsolutePath().toString()), 120);
        List<HostBlock> out = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            RandomFusedCases.Case k = cases.get(c);
            byte[] bytes = Files.readAllBytes(WORK.resolve("c" + c + "_out"));
            boolean refused = bytes.length == 0; // the harness writes nothing for a case whose kernel reported an error
            out.add(refused ? null : block(k.expr().dtype(), k.region().shape(), bytes));
        }
        return out;
    }

    /** The strides of the inputs the kernel reads, in its order. */
    static int[][] strides(RandomFusedCases.Case k) {
        List<Integer> used = FusedKernelSource.inputs(k.expr());
        int[][] s = new int[used.size()][];
        for (int j = 0; j < s.length; j++) s[j] = k.strides()[used.get(j)];
        return s;
    }

    static byte[] bytes(HostBlock b) {
        ByteBuffer buf = ByteBuffer.allocate((int) b.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (b.data()) {
            case double[] a -> buf.asDoubleBuffer().put(a);
            case float[] a -> buf.asFloatBuffer().put(a);
            case long[] a -> buf.asLongBuffer().put(a);
            case int[] a -> buf.asIntBuffer().put(a);
            case byte[] a -> buf.put(a);
            default -> throw new IllegalArgumentException();
        }
        return buf.array();
    }

    static HostBlock block(DType t, int[] shape, byte[] bytes) {
        HostBlock b = HostBlock.allocate(t, shape);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (b.data()) {
            case double[] a -> buf.asDoubleBuffer().get(a);
            case float[] a -> buf.asFloatBuffer().get(a);
            case long[] a -> buf.asLongBuffer().get(a);
            case int[] a -> buf.asIntBuffer().get(a);
            case byte[] a -> buf.get(a);
            default -> throw new IllegalArgumentException();
        }
        return b;
    }

    /**
     * Null when equal (NaNs alike; float64 within {@code ulps}, float32 within twice that, as the device math check
     * holds CUDA's float functions of the prebuilt kernels), else the first differing element.
     */
    static String compare(HostBlock want, HostBlock got, long ulps) {
        for (int i = 0; i < want.size(); i++) {
            String w, g;
            boolean same;
            switch (want.data()) {
                case double[] a -> {
                    double x = a[i], y = got.doubles()[i];
                    same = Double.isNaN(x) ? Double.isNaN(y) : Double.doubleToRawLongBits(x) == Double.doubleToRawLongBits(y)
                            || (ulps > 0 && Math.abs(Double.doubleToRawLongBits(x) - Double.doubleToRawLongBits(y)) <= ulps);
                    w = Double.toString(x);
                    g = Double.toString(y);
                }
                case float[] a -> {
                    float x = a[i], y = got.floats()[i];
                    same = Float.isNaN(x) ? Float.isNaN(y) : Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y)
                            || (ulps > 0 && Math.abs(Float.floatToRawIntBits(x) - Float.floatToRawIntBits(y)) <= 2 * ulps);
                    w = Float.toString(x);
                    g = Float.toString(y);
                }
                case long[] a -> { same = a[i] == ((long[]) got.data())[i]; w = Long.toString(a[i]); g = Long.toString(((long[]) got.data())[i]); }
                case int[] a -> { same = a[i] == ((int[]) got.data())[i]; w = Integer.toString(a[i]); g = Integer.toString(((int[]) got.data())[i]); }
                case byte[] a -> { same = a[i] == ((byte[]) got.data())[i]; w = Byte.toString(a[i]); g = Byte.toString(((byte[]) got.data())[i]); }
                default -> throw new IllegalArgumentException();
            }
            if (!same) return "element " + i + ": CPU " + w + ", kernel " + g;
        }
        return null;
    }

    static void run(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), cmd.get(0) + " did not finish within " + seconds + " s");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + log.substring(0, Math.min(log.length(), 20_000)));
    }

    /** The executable's path where {@code PATH} has it, else null. */
    static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path f = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(f)) return f.toString();
        }
        return null;
    }
}
