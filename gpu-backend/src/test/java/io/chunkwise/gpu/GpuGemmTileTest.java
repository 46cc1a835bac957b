package io.chunkwise.gpu;

import io.chunkwise.graph.MatmulTiling;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GPU's GEMM tile and what the planner does with it (no GPU needed). */
class GpuGemmTileTest {
    @Test
    void withCublasTheTileIsCublasesAndWithoutItTheCpuBackendsIs() {
        ReferenceBackend cpu = new ReferenceBackend();
        assertEquals(GpuBackend.CUBLAS_GEMM_TILE, GpuBackend.gemmTile(true, cpu));
        assertEquals(cpu.gemmTile(), GpuBackend.gemmTile(false, cpu));
    }

    @Test
    void thePlannerGroupsSmallChunksIntoGemmsOfAboutTheTile() {
        MatmulTiling gpu = new MatmulTiling(GpuBackend.CUBLAS_GEMM_TILE, 2, 16L << 30, false);
        long[] chunks = new long[8];
        Arrays.fill(chunks, 1024);
        int[] f = gpu.factors(chunks, chunks, 8192, 8);
        assertArrayEquals(new int[]{4, 4}, f, "8192 x 8192 in chunks of 1024: tiles of 4096 (four tasks for two threads)");
        long[] large = {4096, 4096};
        assertArrayEquals(new int[]{1, 1}, gpu.factors(large, large, 8192, 8), "chunks of the tile's size stay as they are");
    }
}
