package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Launch hygiene: axes merge where every operand allows it, runs split at row ends, shared nodes are computed once. */
class LoopSpaceTest {
    @Test
    void contiguousAxesMergeIntoOne() {
        LoopSpace s = new LoopSpace(new int[]{4, 1, 5}, new int[][]{{5, 0, 1}}, null, 0);
        assertEquals(1, s.ndim());
        assertEquals(20, s.innerLength());
        assertTrue(s.dense(0));
    }

    @Test
    void broadcastAndGappedOperandsKeepTheirAxes() {
        LoopSpace row = new LoopSpace(new int[]{3, 4}, new int[][]{{4, 1}, {0, 1}}, null, 0);
        assertEquals(2, row.ndim());
        assertTrue(row.dense(0));
        assertFalse(row.dense(1));
        LoopSpace gapped = new LoopSpace(new int[]{3, 1, 4}, new int[][]{{7, 0, 1}}, null, 0);
        assertEquals(2, gapped.ndim());
        assertFalse(gapped.dense(0));
    }

    @Test
    void globalIndexMergesOnlyWholeRows() {
        long[] global = {63, 9, 1}; // strides of a (5, 7, 9) array
        assertEquals(1, new LoopSpace(new int[]{2, 7, 9}, new int[0][], global, 126).ndim());
        assertEquals(3, new LoopSpace(new int[]{3, 4, 6}, new int[0][], global, 0).ndim());
        LoopSpace column = new LoopSpace(new int[]{3, 4, 1}, new int[0][], global, 0);
        assertEquals(2, column.ndim());
        assertEquals(9, column.innerGlobalStride());
    }

    @Test
    void rangesSplitIntoRunsAtRowEnds() {
        LoopSpace s = new LoopSpace(new int[]{3, 4}, new int[][]{{0, 1}}, new long[]{10, 1}, 100);
        LoopSpace.Runs runs = s.new Runs(16);
        runs.split(2, 7);
        assertEquals(3, runs.count);
        assertArrayEquals(new int[]{0, 2, 6}, java.util.Arrays.copyOf(runs.pos, 3));
        assertArrayEquals(new int[]{2, 4, 1}, java.util.Arrays.copyOf(runs.len, 3));
        assertArrayEquals(new int[]{2, 0, 0}, java.util.Arrays.copyOf(runs.offset[0], 3));
        assertArrayEquals(new long[]{102, 110, 120}, java.util.Arrays.copyOf(runs.global, 3));
    }

    @Test
    void sharedSubexpressionsAreComputedOnce() {
        Expr x = new Expr.Input(0, DType.FLOAT64);
        Expr e = new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, x, DType.FLOAT64),
                new Expr.Binary(BinaryOp.MUL, x, x, DType.FLOAT64), DType.FLOAT64);
        assertEquals(3, ElementwiseKernel.compile(e).stepCount()); // x, x*x, add
    }
}
