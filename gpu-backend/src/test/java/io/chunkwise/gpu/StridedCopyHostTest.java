package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.HostCopy;
import io.chunkwise.spi.Piece;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The generated strided copies of assemble, compiled for the host with g++ as {@link FusedKernelHostTest} compiles
 * the fused kernels, give the CPU backend's {@code assemble} ({@link HostCopy#assemble}) bit for bit on random pieces:
 * sub-boxes of every dtype read through permuted, reversed (negative) and broadcast source strides, several pieces
 * per output, overlapping ones included (the later wins). Their sources also compile with nvcc where it is present.
 */
class StridedCopyHostTest {
    private static final Path WORK = Path.of("target/copy-host");

    record Case(DType dtype, int[] shape, HostBlock[] sources, List<Piece> pieces) {}

    @Test
    void generatedCopiesAssembleAsTheCpuBackendDoes() throws Exception {
        String gxx = FusedKernelHostTest.onPath("g++");
        assumeTrue(gxx != null, "g++ not found on PATH: the host build of the copy kernels needs it");
        Random rnd = new Random(11);
        List<Case> cases = new ArrayList<>();
        for (int c = 0; c < 200; c++) cases.add(randomCase(rnd));

        Files.createDirectories(WORK);
        Files.write(WORK.resolve("fused_host_prelude.h"), FusedKernelHostTest.class.getResourceAsStream("fused_host_prelude.h").readAllBytes());
        Map<String, String> kernels = new LinkedHashMap<>();
        StringBuilder main = new StringBuilder("int main(int argc, char** argv) {\n    const char* dir = argv[1];\n");
        for (int c = 0; c < cases.size(); c++) {
            Case k = cases.get(c);
            main.append("    {\n        std::vector<char> out(").append((long) Shapes.size(k.shape()) * k.dtype().byteSize()).append(" + 1);\n");
            for (int s = 0; s < k.sources().length; s++) {
                Files.write(WORK.resolve("c" + c + "_src" + s), FusedKernelHostTest.bytes(k.sources()[s]));
                main.append("        std::vector<char> src").append(s).append(" = cw_read(dir, \"c").append(c).append("_src").append(s).append("\");\n");
            }
            for (Piece p : k.pieces()) {
                FusedGeometry g = StridedCopySource.geometry(p);
                if (g.size() == 0) continue;
                GeneratedKernels.Program prog = StridedCopySource.generate(k.dtype().byteSize(), g.rank());
                kernels.putIfAbsent(prog.name(), prog.source());
                String t = k.dtype().byteSize() == 1 ? "unsigned char" : k.dtype().byteSize() == 4 ? "unsigned int" : "unsigned long long";
                main.append("        ").append(prog.name()).append("((const ").append(t).append("*) src").append(p.source())
                        .append(".data(), (").append(t).append("*) out.data()");
                for (long w : StridedCopySource.scalarArgs(p, g)) main.append(", (long long) 0x").append(Long.toHexString(w)).append("ULL");
                main.append(");\n");
            }
            main.append("        out.pop_back(); cw_write(dir, \"c").append(c).append("_out\", out, out.size());\n    }\n");
        }
        main.append("    return 0;\n}\n");
        StringBuilder program = new StringBuilder("#include \"fused_host_prelude.h\"\n");
        program.append(FusedKernelHostTest.HOST_IO);
        for (String s : kernels.values()) program.append(s).append('\n');
        program.append(main);
        Path cpp = WORK.resolve("copy_host.cpp"), exe = WORK.resolve("copy_host");
        Files.writeString(cpp, program);
        FusedKernelHostTest.run(List.of(gxx, "-std=c++17", "-O1", "-Wall", "-I", WORK.toString(), cpp.toString(), "-o", exe.toString()), 600);
        FusedKernelHostTest.run(List.of(exe.toAbsolutePath().toString(), WORK.toAbsolutePath().toString()), 120);

        int elements = 0;
        for (int c = 0; c < cases.size(); c++) {
            Case k = cases.get(c);
            HostBlock want = HostCopy.assemble(k.dtype(), k.shape(), k.sources(), k.pieces());
            HostBlock got = FusedKernelHostTest.block(k.dtype(), k.shape(), Files.readAllBytes(WORK.resolve("c" + c + "_out")));
            assertTrue(java.util.Objects.deepEquals(FusedKernelHostTest.bytes(want), FusedKernelHostTest.bytes(got)),
                    "case " + c + " " + k.dtype() + " " + Shapes.str(k.shape()) + " differs");
            elements += want.size();
        }
        assertTrue(elements > 1000, "elements compared: " + elements);

        String nvcc = FusedKernelHostTest.onPath("nvcc");
        if (nvcc != null) { // the same sources under the device compiler's rules, as NVRTC gets them
            Path cu = WORK.resolve("copy_all.cu");
            Files.writeString(cu, String.join("\n", kernels.values()));
            FusedKernelHostTest.run(List.of(nvcc, "-ptx", "-arch=compute_75", "-std=c++17", "-fmad=false", "-Werror", "all-warnings",
                    cu.toString(), "-o", WORK.resolve("copy_all.ptx").toString()), 600);
        }
    }

    @Test
    void oneKernelPerWidthAndMergedRank() {
        // whole rows of a contiguous source into whole rows of the output: one axis
        Piece rows = new Piece(0, 12, new int[]{6, 1}, 0, new int[]{6, 1}, new int[]{3, 6});
        assertEquals(1, StridedCopySource.geometry(rows).rank());
        Piece transpose = new Piece(0, 0, new int[]{1, 4}, 0, new int[]{3, 1}, new int[]{4, 3});
        assertEquals(2, StridedCopySource.geometry(transpose).rank());
        assertEquals("chunkwise_copy_64_rank2", StridedCopySource.generate(8, 2).name());
        assertNotEquals(StridedCopySource.generate(4, 2).source(), StridedCopySource.generate(8, 2).source());
        assertEquals(StridedCopySource.generate(1, 3).source(), StridedCopySource.generate(1, 3).source());
    }

    static Case randomCase(Random rnd) {
        DType t = DType.values()[rnd.nextInt(DType.values().length)];
        int rank = rnd.nextInt(5);
        int[] shape = new int[rank];
        for (int a = 0; a < rank; a++) shape[a] = 1 + rnd.nextInt(6);
        int[] dst = Shapes.strides(shape);
        int nSources = 1 + rnd.nextInt(3);
        List<Piece> pieces = new ArrayList<>();
        int[] need = new int[nSources];
        int nPieces = 1 + rnd.nextInt(4);
        for (int k = 0; k < nPieces; k++) {
            int[] start = new int[rank], counts = new int[rank];
            int dstOffset = 0;
            for (int a = 0; a < rank; a++) {
                start[a] = rnd.nextInt(shape[a]);
                counts[a] = rnd.nextInt(4) == 0 ? shape[a] - start[a] : 1 + rnd.nextInt(shape[a] - start[a]);
                dstOffset += start[a] * dst[a];
            }
            int source = rnd.nextInt(nSources);
            // source strides: a random order of the axes, some reversed, some broadcast
            int[] order = new int[rank];
            for (int a = 0; a < rank; a++) order[a] = a;
            for (int a = rank - 1; a > 0; a--) { int j = rnd.nextInt(a + 1); int tmp = order[a]; order[a] = order[j]; order[j] = tmp; }
            int[] ss = new int[rank];
            int step = 1, base = 0;
            for (int j = rank - 1; j >= 0; j--) {
                int a = order[j];
                if (rnd.nextInt(6) == 0) continue; // broadcast: stride 0
                boolean reversed = rnd.nextInt(4) == 0;
                ss[a] = reversed ? -step : step;
                if (reversed) base += (counts[a] - 1) * step;
                step *= counts[a] + rnd.nextInt(2);
            }
            int srcOffset = base + rnd.nextInt(3);
            need[source] = Math.max(need[source], srcOffset + step + 1);
            pieces.add(new Piece(source, srcOffset, ss, dstOffset, dst, counts));
        }
        HostBlock[] sources = new HostBlock[nSources];
        for (int s = 0; s < nSources; s++) {
            HostBlock b = HostBlock.allocate(t, new int[]{need[s]});
            byte[] raw = new byte[(int) b.bytes()];
            rnd.nextBytes(raw);
            if (t == DType.BOOL) for (int i = 0; i < raw.length; i++) raw[i] &= 1;
            sources[s] = FusedKernelHostTest.block(t, new int[]{need[s]}, raw);
        }
        return new Case(t, shape, sources, pieces);
    }
}
