package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** How the backend maps SPI ops and chunks onto the prebuilt kernels; no GPU needed. */
class KernelPlanTest {
    @Test
    void everyArithmeticOpHasAKernelPerFloatDtypeInThePtx() {
        KernelBuild build = KernelBuild.load();
        assumeTrue(build.problem() == null, "no PTX to check: " + build.problem());
        Set<String> entries = new HashSet<>();
        for (String m : build.modules()) entries.addAll(Kernels.entries(Kernels.readPtx(m)));
        int checked = 0;
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            for (BinaryOp op : BinaryOp.values()) {
                if (op.isPredicate()) continue;
                assertTrue(entries.contains(GpuBackend.kernel(op.name(), t)), GpuBackend.kernel(op.name(), t));
                checked++;
            }
            for (UnaryOp op : UnaryOp.values()) {
                if (op.isPredicate()) continue;
                assertTrue(entries.contains(GpuBackend.kernel(op.name(), t)), GpuBackend.kernel(op.name(), t));
                checked++;
            }
            for (String g : new String[]{"fill", "arange", "uniform", "normal", "sum"}) {
                assertTrue(entries.contains(GpuBackend.kernel(g, t)), GpuBackend.kernel(g, t));
                checked++;
            }
        }
        long ops = java.util.Arrays.stream(BinaryOp.values()).filter(op -> !op.isPredicate()).count()
                + java.util.Arrays.stream(UnaryOp.values()).filter(op -> !op.isPredicate()).count();
        assertEquals(2 * (ops + 5), checked, "every value op of the table has a prebuilt kernel (the op header is generated from it)");
        assertEquals(checked, entries.size(), "kernels the backend does not know: " + entries);
    }

    @Test
    void denseMeansRowMajorIgnoringUnitAxes() {
        assertTrue(GpuBackend.dense(new int[]{65, 1}, new int[]{3, 65}));
        assertTrue(GpuBackend.dense(new int[]{0, 1}, new int[]{1, 65}));
        assertFalse(GpuBackend.dense(new int[]{0, 1}, new int[]{3, 65}), "broadcast along axis 0");
        assertFalse(GpuBackend.dense(new int[]{1, 3}, new int[]{3, 65}), "transposed");
        assertTrue(GpuBackend.dense(new int[0], new int[0]));
    }

    @Test
    void chunksBecomeRunsOfGlobalIndices() {
        // whole rows of a 10 x 300 array: one run
        assertEquals(new GpuBackend.Runs(1200, 1200, 900), GpuBackend.Runs.of(region(new int[]{4, 300}, new long[]{3, 0}, 10, 300)));
        // a 4 x 100 block: runs of 100, 300 apart
        assertEquals(new GpuBackend.Runs(100, 300, 1000), GpuBackend.Runs.of(region(new int[]{4, 100}, new long[]{3, 100}, 10, 300)));
        // 1-D
        assertEquals(new GpuBackend.Runs(7, 7, 14), GpuBackend.Runs.of(region(new int[]{7}, new long[]{14}, 100)));
        // two partial outer axes: not one stride
        assertNull(GpuBackend.Runs.of(region(new int[]{2, 2, 5}, new long[]{0, 0, 0}, 4, 4, 10)));
        // partial outer axes of length 1 do not count
        assertEquals(new GpuBackend.Runs(5, 10, 40 + 10 + 5), GpuBackend.Runs.of(region(new int[]{1, 3, 5}, new long[]{1, 1, 5}, 4, 4, 10)));
        assertEquals(new GpuBackend.Runs(1, 1, 0), GpuBackend.Runs.of(region(new int[0], new long[0])));
    }

    private static Region region(int[] shape, long[] offset, long... global) {
        return new Region(shape, offset, global);
    }
}
