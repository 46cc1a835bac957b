package io.chunkwise.gpu;

import io.chunkwise.Backends;
import io.chunkwise.DType;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 14, 3: the generated reduction kernels ({@link ReductionKernelSource}), compiled for the host with g++ as
 * {@link FusedKernelHostTest} compiles the fused ones, give the CPU backend's {@code reducePartial},
 * {@code reduceCombine} and {@code reduceFinish} bit for bit (any NaN equals any NaN), for every op of the table,
 * every dtype, random shapes and axis sets ({@link RandomReductionCases}); so does the two-kernel partial of
 * {@link ReductionPiecesSource} (pieces, then their fold). The combine folds the kernels' own partials (each
 * already compared). Skipped, with the reason, where g++ is missing.
 */
class ReductionKernelHostTest {
    private static final Path WORK = Path.of("target/reduction-host");

    @Test
    void generatedReductionsGiveTheCpuBackendsBits() throws Exception {
        String gxx = FusedKernelHostTest.onPath("g++");
        assumeTrue(gxx != null, "g++ not found on PATH: the host build of the reduction kernels needs it");
        List<RandomReductionCases.Case> cases = new RandomReductionCases(20261205L).all(4);
        List<String> mismatches = new ArrayList<>();
        long compared = 0;
        try (Backend cpu = GpuBackendProvider.cpuDelegate(Backends.providers()).create(1)) {
            runOnHost(gxx, cases);
            for (int c = 0; c < cases.size(); c++) {
                RandomReductionCases.Case k = cases.get(c);
                String where = "case " + c + " " + k.op() + " of " + k.dtype().numpyName() + " " + Arrays.toString(k.shape())
                        + " over " + Arrays.toString(k.axes()) + ": ";
                List<DType> parts = ReductionKernelSource.parts(k.op(), ReductionKernelSource.floating(k.op(), k.dtype()));
                List<Block> partials = new ArrayList<>();
                for (int j = 0; j < k.inputs().size(); j++) {
                    Partial want = (Partial) cpu.reducePartial(k.op(), k.inputs().get(j), k.axes(), k.argOffset());
                    partials.add(want);
                    compared += comparePartial(want, parts, "c" + c + "_p" + j + "_", where + "partial " + j + " ", mismatches);
                    if (ReductionPiecesSource.splits(k.op(), k.dtype())) {
                        compared += comparePartial(want, parts, "c" + c + "_q" + j + "_", where + "pieces and fold " + j + " ", mismatches);
                    }
                }
                Partial combined = (Partial) cpu.reduceCombine(k.op(), partials);
                compared += comparePartial(combined, parts, "c" + c + "_m", where + "combine ", mismatches);
                HostBlock finished = cpu.toHost(cpu.reduceFinish(k.op(), combined, k.result(), k.finishShape()));
                HostBlock got = FusedKernelHostTest.block(k.result(), k.finishShape(), Files.readAllBytes(WORK.resolve("c" + c + "_f")));
                String diff = FusedKernelHostTest.compare(finished, got, 0);
                if (diff != null && mismatches.size() < 10) mismatches.add(where + "finish as " + k.result().numpyName() + ": " + diff);
                compared += finished.size();
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " differ, e.g.\n" + String.join("\n", mismatches));
        assertTrue(compared > 100_000, "values compared: " + compared);
    }

    private static int comparePartial(Partial want, List<DType> parts, String file, String where, List<String> mismatches) throws Exception {
        assertTrue(want.parts().length == parts.size(), where + want.parts().length + " parts, the kernel writes " + parts.size());
        int n = 0;
        for (int p = 0; p < parts.size(); p++) {
            HostBlock w = (HostBlock) want.parts()[p];
            assertTrue(w.dtype() == parts.get(p), where + "part " + p + " is " + w.dtype() + ", the kernel's " + parts.get(p));
            HostBlock g = FusedKernelHostTest.block(parts.get(p), w.shape(), Files.readAllBytes(WORK.resolve(file + p)));
            String diff = FusedKernelHostTest.compare(w, g, 0);
            if (diff != null && mismatches.size() < 10) mismatches.add(where + "part " + p + ": " + diff);
            n += w.size();
        }
        return n;
    }

    /**
     * One host program of every case's kernels: each input's partial, the combine of those partials, the finish of
     * the combine, each written to a file of {@link #WORK}.
     */
    static void runOnHost(String gxx, List<RandomReductionCases.Case> cases) throws Exception {
        Files.createDirectories(WORK);
        for (String h : FusedKernelSource.HEADERS) Files.writeString(WORK.resolve(h), FusedKernelSource.resource(h));
        Files.write(WORK.resolve("fused_host_prelude.h"),
                FusedKernelHostTest.class.getResourceAsStream("fused_host_prelude.h").readAllBytes());
        Map<String, String> kernels = new LinkedHashMap<>();
        StringBuilder main = new StringBuilder(FusedKernelHostTest.HOST_IO).append("""
                static const char* cw_dir;
                """);
        StringBuilder calls = new StringBuilder("int main(int argc, char** argv) {\n    cw_dir = argv[1];\n");
        for (int c = 0; c < cases.size(); c++) {
            RandomReductionCases.Case k = cases.get(c);
            ReductionGeometry g = ReductionGeometry.of(k.op(), k.dtype(), k.shape(), k.axes());
            boolean floating = ReductionKernelSource.floating(k.op(), k.dtype());
            List<DType> parts = ReductionKernelSource.parts(k.op(), floating);
            ReductionKernelSource.Kernel partial = ReductionKernelSource.partial(k.op(), k.dtype(), g.kept().rank(), g.line().rank());
            ReductionKernelSource.Kernel combine = ReductionKernelSource.combine(k.op(), floating);
            ReductionKernelSource.Kernel finish = ReductionKernelSource.finish(k.op(), floating, k.result());
            for (ReductionKernelSource.Kernel kernel : List.of(partial, combine, finish)) kernels.putIfAbsent(kernel.name(), kernel.source());
            long outputs = g.outputs();
            long bytes = outputs * 8;
            // one function per case keeps g++'s work per function small
            main.append("static void case").append(c).append("() {\n");
            int chunks = k.inputs().size();
            for (int j = 0; j < chunks; j++) {
                Files.write(WORK.resolve("c" + c + "_in" + j), FusedKernelHostTest.bytes(k.inputs().get(j)));
                main.append("    std::vector<char> in").append(j).append(" = cw_read(cw_dir, \"c").append(c).append("_in").append(j).append("\");\n");
                List<String> outs = new ArrayList<>();
                for (int p = 0; p < parts.size(); p++) {
                    main.append("    std::vector<char> p").append(j).append('_').append(p).append("(").append(bytes + 8).append(");\n");
                    outs.add("(" + ctype(parts.get(p)) + "*) p" + j + "_" + p + ".data()");
                }
                List<String> args = ReductionLaunch.partial("(const " + FusedKernelSource.storage(k.dtype()) + "*) in" + j + ".data()", outs,
                        ReductionKernelSource.partialArgs(g, k.argOffset()), ReductionKernelHostTest::word);
                call(main, partial, args);
                for (int p = 0; p < parts.size(); p++) {
                    main.append("    cw_write(cw_dir, \"c").append(c).append("_p").append(j).append('_').append(p).append("\", p")
                            .append(j).append('_').append(p).append(", ").append(bytes).append(");\n");
                }
                if (ReductionPiecesSource.splits(k.op(), k.dtype())) piecesAndFold(main, kernels, k, g, c, j, parts);
            }
            List<String> tables = new ArrayList<>(), combined = new ArrayList<>();
            for (int p = 0; p < parts.size(); p++) {
                String t = ctype(parts.get(p));
                List<String> ptrs = new ArrayList<>();
                for (int j = 0; j < chunks; j++) ptrs.add("(const " + t + "*) p" + j + "_" + p + ".data()");
                main.append("    const ").append(t).append("* a").append(p).append("[] = {").append(String.join(", ", ptrs)).append("};\n");
                main.append("    std::vector<char> m").append(p).append("(").append(bytes + 8).append(");\n");
                tables.add("a" + p);
                combined.add("(" + t + "*) m" + p + ".data()");
            }
            call(main, combine, ReductionLaunch.combine(tables, combined, outputs, chunks, ReductionKernelHostTest::word));
            List<String> in = new ArrayList<>();
            for (int p = 0; p < parts.size(); p++) {
                main.append("    cw_write(cw_dir, \"c").append(c).append("_m").append(p).append("\", m").append(p).append(", ").append(bytes).append(");\n");
                in.add("(const " + ctype(parts.get(p)) + "*) m" + p + ".data()");
            }
            main.append("    std::vector<char> f(").append(outputs * k.result().byteSize() + 8).append(");\n");
            call(main, finish, ReductionLaunch.finish(in, "(" + FusedKernelSource.storage(k.result()) + "*) f.data()", outputs,
                    ReductionKernelHostTest::word));
            main.append("    cw_write(cw_dir, \"c").append(c).append("_f\", f, ").append(outputs * k.result().byteSize()).append(");\n}\n");
            calls.append("    case").append(c).append("();\n");
        }
        calls.append("    return 0;\n}\n");
        StringBuilder program = new StringBuilder("#include \"fused_host_prelude.h\"\n");
        for (String source : kernels.values()) program.append(source).append('\n');
        program.append(main).append(calls);
        Path cpp = WORK.resolve("reduction_host.cpp"), exe = WORK.resolve("reduction_host");
        Files.writeString(cpp, program);
        FusedKernelHostTest.run(List.of(gxx, "-std=c++17", "-O1", "-ffp-contract=off", "-Wall", "-Wno-unused-variable",
                "-Wno-unknown-pragmas", "-I", WORK.toString(), cpp.toString(), "-o", exe.toString()), 900);
        FusedKernelHostTest.run(List.of(exe.toAbsolutePath().toString(), WORK.toAbsolutePath().toString()), 300);
    }

    /** The two-kernel partial of input {@code j}, written as {@code c<c>_q<j>_<part>}. */
    private static void piecesAndFold(StringBuilder main, Map<String, String> kernels, RandomReductionCases.Case k,
                                      ReductionGeometry g, int c, int j, List<DType> parts) {
        int kr = g.kept().rank(), lr = g.line().rank();
        ReductionKernelSource.Kernel pieces = ReductionPiecesSource.pieces(k.op(), k.dtype(), kr, lr);
        ReductionKernelSource.Kernel fold = ReductionPiecesSource.fold(k.op(), k.dtype(), kr, lr);
        kernels.putIfAbsent(pieces.name(), pieces.source());
        kernels.putIfAbsent(fold.name(), fold.source());
        long count = ReductionPiecesSource.pieces(k.op(), k.dtype(), g);
        List<String> held = new ArrayList<>(), heldIn = new ArrayList<>(), outs = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            String t = ctype(parts.get(p));
            main.append("    std::vector<char> pc").append(j).append('_').append(p).append("(").append(g.outputs() * count * 8 + 8).append(");\n");
            main.append("    std::vector<char> q").append(j).append('_').append(p).append("(").append(g.outputs() * 8 + 8).append(");\n");
            held.add("(" + t + "*) pc" + j + "_" + p + ".data()");
            heldIn.add("(const " + t + "*) pc" + j + "_" + p + ".data()");
            outs.add("(" + t + "*) q" + j + "_" + p + ".data()");
        }
        call(main, pieces, ReductionLaunch.pieces("(const " + FusedKernelSource.storage(k.dtype()) + "*) in" + j + ".data()", held,
                ReductionPiecesSource.args(g, k.argOffset(), count, true), ReductionKernelHostTest::word));
        call(main, fold, ReductionLaunch.fold(heldIn, outs, ReductionPiecesSource.args(g, k.argOffset(), count, false),
                ReductionKernelHostTest::word));
        for (int p = 0; p < parts.size(); p++) {
            main.append("    cw_write(cw_dir, \"c").append(c).append("_q").append(j).append('_').append(p).append("\", q")
                    .append(j).append('_').append(p).append(", ").append(g.outputs() * 8).append(");\n");
        }
    }

    /** A call of {@code kernel} with GpuBackend's argument order ({@link ReductionLaunch}), one argument per parameter. */
    private static void call(StringBuilder main, ReductionKernelSource.Kernel kernel, List<String> args) {
        assertTrue(args.size() == kernel.params().size(), kernel.name() + " takes " + kernel.params().size() + " arguments, given " + args.size());
        main.append("    ").append(kernel.name()).append("(").append(String.join(", ", args)).append(");\n");
    }

    private static String word(long w) { return "(long long) 0x" + Long.toHexString(w) + "ULL"; }

    private static String ctype(DType part) { return part == DType.FLOAT64 ? "double" : "long long"; }
}
