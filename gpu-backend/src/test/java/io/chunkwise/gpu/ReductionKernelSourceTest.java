package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.ReduceOp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The reduction kernels' keys, names and layouts (single and in pieces), and their sources under nvcc's (NVRTC's) rules. */
class ReductionKernelSourceTest {
    @Test
    void aKernelDependsOnTheOpDtypesAndRanksOnly() {
        ReductionGeometry a = ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT32, new int[]{7, 9, 11}, new boolean[]{false, true, false});
        ReductionGeometry b = ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT32, new int[]{70, 3, 5}, new boolean[]{false, true, false});
        assertEquals(a.kept().rank(), b.kept().rank());
        assertEquals(ReductionKernelSource.partial(ReduceOp.SUM, DType.FLOAT32, a.kept().rank(), a.line().rank()).source(),
                ReductionKernelSource.partial(ReduceOp.SUM, DType.FLOAT32, b.kept().rank(), b.line().rank()).source());
        Set<String> names = new HashSet<>(), keys = new HashSet<>();
        int kernels = 0;
        for (ReduceOp op : ReduceOp.values()) {
            for (DType t : DType.values()) {
                for (int kr = 1; kr <= 3; kr++) {
                    for (int lr = 1; lr <= 3; lr++) {
                        ReductionKernelSource.Kernel k = ReductionKernelSource.partial(op, t, kr, lr);
                        names.add(k.name());
                        keys.add(k.key());
                        kernels++;
                        assertFalse(k.source().contains("@"), k.name() + " has a placeholder left");
                    }
                }
                for (boolean fl : List.of(true, false)) {
                    ReductionKernelSource.Kernel c = ReductionKernelSource.finish(op, fl, t);
                    names.add(c.name());
                    keys.add(c.key());
                    kernels++;
                }
                if (ReductionPiecesSource.splits(op, t)) {
                    for (boolean forPieces : List.of(true, false)) {
                        ReductionKernelSource.Kernel k = forPieces ? ReductionPiecesSource.pieces(op, t, 2, 1) : ReductionPiecesSource.fold(op, t, 2, 1);
                        names.add(k.name());
                        keys.add(k.key());
                        kernels++;
                    }
                }
            }
            for (boolean fl : List.of(true, false)) {
                names.add(ReductionKernelSource.combine(op, fl).name());
                keys.add(ReductionKernelSource.combine(op, fl).key());
                kernels++;
            }
        }
        assertEquals(kernels, names.size(), "kernel names are not unique");
        assertEquals(kernels, keys.size(), "cache keys are not unique");
    }

    /** The layouts of cpu-backend's Reductions.partial: whole, lines (blocks of 4096), rows (the kept inner axis dense). */
    @Test
    void layoutsAreTheCpuBackends() {
        assertEquals(ReductionGeometry.WHOLE_PAIRWISE, ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT64, new int[]{4, 5}, new boolean[]{true, true}).mode());
        assertEquals(ReductionGeometry.BLOCKS, ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT32, new int[]{4, 5}, new boolean[]{true, true}).mode());
        assertEquals(ReductionGeometry.BLOCKS, ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT64, new int[]{0, 5}, new boolean[]{true, true}).mode());
        assertEquals(ReductionGeometry.BLOCKS, ReductionGeometry.of(ReduceOp.MEAN, DType.FLOAT64, new int[]{4, 5}, new boolean[]{true, true}).mode());
        ReductionGeometry lines = ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT64, new int[]{4, 5, 6}, new boolean[]{false, true, true});
        assertEquals(ReductionGeometry.BLOCKS, lines.mode());
        assertEquals(1, lines.line().rank(), "the reduced axes 1 and 2 are one line of 30");
        assertEquals(30, lines.lineLength());
        ReductionGeometry rows = ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT64, new int[]{4, 5, 6}, new boolean[]{true, false, false});
        assertEquals(ReductionGeometry.ROWS, rows.mode());
        assertEquals(30, rows.rowsWidth(), "kept axes 1 and 2 merge into rows of 30");
        assertArrayEquals(new int[]{1, 5, 6}, rows.keptShape());
        assertEquals(ReductionGeometry.BLOCKS, ReductionGeometry.of(ReduceOp.SUM, DType.FLOAT64, new int[]{4, 1}, new boolean[]{true, false}).mode());
    }

    /**
     * Every generated reduction source compiles under nvcc's device rules with --fmad=false and no system header;
     * its PTX labelled ISA 8.0 assembles for sm_80 and sm_90.
     */
    @Test
    void generatedSourcesCompileWithNvcc() throws Exception {
        String nvcc = FusedKernelHostTest.onPath("nvcc");
        assumeTrue(nvcc != null, "nvcc not found on PATH: the generated reduction sources are not compiled for the device here");
        Path work = Path.of("target/reduction-nvcc");
        Files.createDirectories(work);
        for (String h : FusedKernelSource.HEADERS) Files.writeString(work.resolve(h), FusedKernelSource.resource(h));
        Map<String, String> all = new LinkedHashMap<>();
        for (ReduceOp op : ReduceOp.values()) {
            for (DType t : DType.values()) {
                ReductionKernelSource.Kernel p = ReductionKernelSource.partial(op, t, 2, 1);
                all.put(p.name(), p.source());
                if (ReductionPiecesSource.splits(op, t)) {
                    for (ReductionKernelSource.Kernel k : List.of(ReductionPiecesSource.pieces(op, t, 1, 2), ReductionPiecesSource.fold(op, t, 1, 2))) {
                        all.put(k.name(), k.source());
                    }
                }
                for (boolean fl : List.of(true, false)) {
                    ReductionKernelSource.Kernel f = ReductionKernelSource.finish(op, fl, t);
                    all.put(f.name(), f.source());
                }
            }
            for (boolean fl : List.of(true, false)) {
                ReductionKernelSource.Kernel c = ReductionKernelSource.combine(op, fl);
                all.put(c.name(), c.source());
            }
        }
        Path cu = work.resolve("reduction_all.cu"), ptx = work.resolve("reduction_all.ptx");
        Files.writeString(cu, String.join("\n", all.values()));
        FusedKernelHostTest.run(List.of(nvcc, "-ptx", "-arch=compute_75", "-std=c++17", "-fmad=false", "-Werror", "all-warnings",
                "-I", work.toString(), cu.toString(), "-o", ptx.toString()), 900);
        String text = Files.readString(ptx);
        for (String name : all.keySet()) assertTrue(text.contains(".entry " + name + "("), name + " missing from the PTX");
        assertFalse(text.contains("fma.rn"), "a reduction kernel holds an FMA: contraction is on");
        String ptxas = FusedKernelHostTest.onPath("ptxas");
        if (ptxas != null) {
            String lower = GeneratedKernels.relabel(text, GeneratedKernels.BASELINE_ISA);
            Path relabelled = work.resolve("reduction_all_isa80.ptx");
            Files.writeString(relabelled, lower != null ? lower : text);
            for (String sm : List.of("sm_80", "sm_90")) {
                FusedKernelHostTest.run(List.of(ptxas, "-arch=" + sm, relabelled.toString(), "-o", work.resolve("reduction_all." + sm + ".cubin").toString()), 900);
            }
        }
    }
}
