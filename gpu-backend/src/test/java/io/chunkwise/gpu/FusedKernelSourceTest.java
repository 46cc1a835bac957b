package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fused kernels' cache key, launch geometry and coverage, and their source under nvcc's (NVRTC's) rules. */
class FusedKernelSourceTest {
    private static final DType F64 = DType.FLOAT64, F32 = DType.FLOAT32, I64 = DType.INT64, I32 = DType.INT32;

    private static Expr xSquaredPlus(double c, DType t) {
        Expr.Input x = new Expr.Input(0, t);
        return new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, x, t), new Expr.Const(c, t), t);
    }

    @Test
    void theKeyIgnoresConstantsGeneratorParametersAndSizes() {
        assertSameKernel(xSquaredPlus(10, F64), xSquaredPlus(-3.5, F64));
        assertSameKernel(new Expr.Arange(0, 1, I64), new Expr.Arange(-7.5, 0.25, I64));
        assertSameKernel(new Expr.Random(1, true, 0, 1, F32), new Expr.Random(-99, true, 5, 2, F32));
        // the sizes and strides are parameters: two chunks of one rank share the kernel, and so do their scalars' kinds
        Region small = new Region(new int[]{3}, new long[]{0}, new long[]{3}), big = new Region(new int[]{4096}, new long[]{8192}, new long[]{1 << 20});
        FusedGeometry a = FusedGeometry.of(small, new int[][]{{1}}, false), b = FusedGeometry.of(big, new int[][]{{2}}, false);
        assertEquals(a.rank(), b.rank());
        assertEquals(FusedKernelSource.key(xSquaredPlus(1, F64), a.rank()), FusedKernelSource.key(xSquaredPlus(2, F64), b.rank()));
    }

    @Test
    void theKeyChangesWithTheExpressionsShape() {
        Expr base = xSquaredPlus(10, F64);
        Expr.Input x = new Expr.Input(0, F64), y = new Expr.Input(1, F64);
        List<Expr> others = List.of(
                xSquaredPlus(10, F32),                                                                          // dtype
                new Expr.Binary(BinaryOp.SUB, new Expr.Binary(BinaryOp.MUL, x, x, F64), new Expr.Const(10, F64), F64), // op
                new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, x, F64), y, F64),                  // const -> input
                new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, y, F64), new Expr.Const(10, F64), F64), // which inputs
                new Expr.Binary(BinaryOp.ADD, new Expr.Const(10, F64), new Expr.Binary(BinaryOp.MUL, x, x, F64), F64), // operand order
                new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, x, F64), new Expr.Arange(10, 0, F64), F64), // const -> arange
                new Expr.Unary(UnaryOp.NEG, base, F64),                                                        // one more node
                new Expr.Cast(new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, new Expr.Input(0, I32), new Expr.Input(0, I32), I32),
                        new Expr.Const(10, I32), I32), F64));                                                  // a cast
        List<String> keys = new ArrayList<>(List.of(FusedKernelSource.key(base, 1)));
        for (Expr o : others) keys.add(FusedKernelSource.key(o, 1));
        keys.add(FusedKernelSource.key(base, 2));                                                          // rank
        keys.add(FusedKernelSource.key(new Expr.Random(1, false, 0, 1, F64), 1));
        keys.add(FusedKernelSource.key(new Expr.Random(1, true, 0, 1, F64), 1));                            // uniform / normal
        assertEquals(keys.size(), keys.stream().distinct().count(), "keys: " + keys);
        assertNotEquals(FusedKernelSource.generate(base, 1).name(), FusedKernelSource.generate(base, 2).name());
    }

    private static void assertSameKernel(Expr a, Expr b) {
        assertNotEquals(a, b);
        FusedKernelSource.Kernel ka = FusedKernelSource.generate(a, 2), kb = FusedKernelSource.generate(b, 2);
        assertEquals(ka.key(), kb.key());
        assertEquals(ka.source(), kb.source());
        assertTrue(ka.name().startsWith("chunkwise_fused_") && ka.name().endsWith("_" + a.dtype().numpyName()), ka.name());
    }

    @Test
    void constantsTravelAsTheCpuBackendHoldsThem() {
        FusedGeometry g = FusedGeometry.of(new Region(new int[]{5}, new long[]{0}, new long[]{5}), new int[][]{{1}}, false);
        long[] args = FusedKernelSource.scalarArgs(g, xSquaredPlus(0.1, F32));
        assertArrayEquals(new long[]{5, 5, 1, Double.doubleToRawLongBits((float) 0.1)}, args);
        assertEquals(Long.MIN_VALUE, FusedKernelSource.constBits(new Expr.Const(Double.NaN, I64)));
        assertEquals(Integer.MIN_VALUE, FusedKernelSource.constBits(new Expr.Const(3e9, I32)));
        assertEquals(1, FusedKernelSource.constBits(new Expr.Const(-0.5, DType.BOOL)));
    }

    @Test
    void aDenseChunkIsOneAxisAndABroadcastAxisStays() {
        Region r = new Region(new int[]{4, 1, 6}, new long[]{8, 0, 6}, new long[]{16, 1, 12});
        FusedGeometry dense = FusedGeometry.of(r, new int[][]{{6, 6, 1}}, false);
        assertArrayEquals(new long[]{24}, dense.dims());
        assertArrayEquals(new long[]{1}, dense.strides()[0]);
        // the global index of this chunk is not contiguous (12 per row, 6 used): two axes when a generator reads it
        FusedGeometry global = FusedGeometry.of(r, new int[][]{{6, 6, 1}}, true);
        assertArrayEquals(new long[]{4, 6}, global.dims());
        assertArrayEquals(new long[]{12, 1}, global.global());
        assertEquals(8 * 12 + 6, global.globalBase());
        FusedGeometry broadcast = FusedGeometry.of(r, new int[][]{{6, 6, 1}, {0, 0, 1}}, false);
        assertArrayEquals(new long[]{4, 6}, broadcast.dims());
        assertArrayEquals(new long[]{0, 1}, broadcast.strides()[1]);
        assertArrayEquals(new long[]{1}, FusedGeometry.of(new Region(new int[0], new long[0], new long[0]), new int[][]{{}}, true).dims());
    }

    @Test
    void integerPowerReportsRefusedExponentsAndMalformedNodesAreLeftToTheCpu() {
        Expr.Input i = new Expr.Input(0, I64);
        Expr pow = new Expr.Binary(BinaryOp.POW, i, i, I64);
        assertNull(FusedKernelSource.unsupported(pow));
        assertTrue(FusedKernelSource.reportsErrors(new Expr.Cast(pow, F64)));
        assertFalse(FusedKernelSource.reportsErrors(new Expr.Binary(BinaryOp.POW, new Expr.Input(0, F64), new Expr.Input(0, F64), F64)));
        FusedKernelSource.Kernel k = FusedKernelSource.generate(pow, 1);
        assertEquals("long long* __restrict__ err", k.params().get(2));
        assertTrue(k.source().contains("if (b.v < 0) *err = b.v;"), k.source());
        assertNotNull(FusedKernelSource.unsupported(new Expr.Unary(UnaryOp.SQRT, i, I64)));
        assertNotNull(FusedKernelSource.unsupported(new Expr.Random(1, false, 0, 1, I64)));
        assertNull(FusedKernelSource.unsupported(new Expr.Binary(BinaryOp.POW, new Expr.Input(0, F64), new Expr.Input(0, F64), F64)));
        assertNull(FusedKernelSource.unsupported(xSquaredPlus(1, I32)));
    }

    /**
     * The generated sources compile under nvcc's device rules, which are NVRTC's (no system headers: the kernels
     * include only cuda-kernels' headers), with --fmad=false; kernels of exact ops hold no fused multiply-add; their
     * PTX labelled ISA 8.0 (a CUDA 12.0 driver's) still assembles for sm_80 and sm_90.
     */
    @Test
    void generatedSourcesCompileWithNvcc() throws Exception {
        String nvcc = FusedKernelHostTest.onPath("nvcc");
        assumeTrue(nvcc != null, "nvcc not found on PATH: the generated sources are not compiled for the device here");
        Path work = Path.of("target/fused-nvcc");
        Files.createDirectories(work);
        for (String h : FusedKernelSource.HEADERS) Files.writeString(work.resolve(h), FusedKernelSource.resource(h));
        Map<String, String> exact = new LinkedHashMap<>(), all = new LinkedHashMap<>();
        RandomFusedCases cases = new RandomFusedCases(5, false), math = new RandomFusedCases(6, true);
        for (int c = 0; c < 60; c++) {
            RandomFusedCases.Case k = c < 40 ? cases.next() : math.next();
            FusedGeometry g = FusedGeometry.of(k.region(), FusedKernelHostTest.strides(k), FusedKernelSource.readsGlobalIndex(k.expr()));
            FusedKernelSource.Kernel kernel = FusedKernelSource.generate(k.expr(), g.rank());
            all.putIfAbsent(kernel.name(), kernel.source());
            if (c < 40 && !FusedKernelSource.readsGlobalIndex(k.expr())) exact.putIfAbsent(kernel.name(), kernel.source());
        }
        Path cu = work.resolve("fused_all.cu"), ptx = work.resolve("fused_all.ptx");
        Files.writeString(cu, String.join("\n", all.values()));
        FusedKernelHostTest.run(List.of(nvcc, "-ptx", "-arch=compute_75", "-std=c++17", "-fmad=false", "-Werror", "all-warnings",
                "-I", work.toString(), cu.toString(), "-o", ptx.toString()), 600);
        String text = Files.readString(ptx);
        for (String name : all.keySet()) assertTrue(text.contains(".entry " + name + "("), name + " missing from the PTX");
        // what GeneratedKernels does for a driver older than NVRTC: the ISA label lowered, which ptxas checks here
        String ptxas = FusedKernelHostTest.onPath("ptxas");
        if (ptxas != null) {
            Path relabelled = work.resolve("fused_all_isa80.ptx");
            String lower = GeneratedKernels.relabel(text, GeneratedKernels.BASELINE_ISA);
            Files.writeString(relabelled, lower != null ? lower : text);
            for (String sm : List.of("sm_80", "sm_90")) {
                FusedKernelHostTest.run(List.of(ptxas, "-arch=" + sm, relabelled.toString(), "-o", work.resolve("fused_all." + sm + ".cubin").toString()), 600);
            }
        }

        Path exactCu = work.resolve("fused_exact.cu"), exactPtx = work.resolve("fused_exact.ptx");
        Files.writeString(exactCu, String.join("\n", exact.values()));
        FusedKernelHostTest.run(List.of(nvcc, "-ptx", "-arch=compute_75", "-std=c++17", "-fmad=false", "-I", work.toString(),
                exactCu.toString(), "-o", exactPtx.toString()), 600);
        assertFalse(Files.readString(exactPtx).contains("fma.rn"), "a kernel of exact ops holds an FMA: contraction is on");
    }
}
