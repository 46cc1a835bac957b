package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;

/**
 * How a reduction partial of one dense chunk walks it, as cpu-backend's {@code Reductions.partial} does: the kept
 * axes (one output per position, row-major) and the reduced axes (each output's line, row-major), both merged as
 * {@link FusedGeometry} merges (as the CPU backend's LoopSpace does), and the layout that decides how a line is cut
 * into blocks, which fixes the order of a floating sum ({@code chunkwise_reduce.cuh}: CW_WHOLE_PAIRWISE, CW_BLOCKS,
 * CW_ROWS).
 *
 * @param keptShape  the partial's shape: the chunk's with the reduced axes as 1
 * @param kept       the outputs' space (one pseudo-input: the chunk's strides)
 * @param line       a line's space (the chunk's strides along the reduced axes)
 * @param mode       the layout, a CW_* constant
 * @param rowsWidth  the length of the kept inner axis (the rows layout groups outputs by it), else 1
 */
record ReductionGeometry(int[] keptShape, FusedGeometry kept, FusedGeometry line, int mode, long rowsWidth) {
    static final int WHOLE_PAIRWISE = 0, BLOCKS = 1, ROWS = 2;

    long outputs() { return Shapes.size(keptShape); }

    long lineLength() { return line.size(); }

    /** The geometry of {@code op} over the flagged {@code axes} of a dense chunk of {@code shape} and {@code dtype}. */
    static ReductionGeometry of(ReduceOp op, DType dtype, int[] shape, boolean[] axes) {
        int nd = shape.length;
        int[] strides = Shapes.strides(shape);
        int[] keptShape = shape.clone();
        int reduced = 0;
        for (int a = 0; a < nd; a++) {
            if (axes[a]) {
                keptShape[a] = 1;
                reduced++;
            }
        }
        int[] ks = new int[nd - reduced], kst = new int[nd - reduced], ls = new int[reduced], lst = new int[reduced];
        for (int a = 0, k = 0, r = 0; a < nd; a++) {
            if (axes[a]) {
                ls[r] = shape[a];
                lst[r++] = strides[a];
            } else {
                ks[k] = shape[a];
                kst[k++] = strides[a];
            }
        }
        FusedGeometry kept = space(ks, kst), line = space(ls, lst);
        int mode;
        long width = 1;
        if (reduced == nd) { // the whole chunk is one line; a float64 sum of it is one pairwise sum (the CPU's shortcut)
            mode = op == ReduceOp.SUM && dtype == DType.FLOAT64 && line.size() > 0 ? WHOLE_PAIRWISE : BLOCKS;
        } else {
            int last = kept.rank() - 1;
            boolean rows = kept.strides()[0][last] == 1 && kept.dims()[last] > 1 && line.size() > 0;
            mode = rows ? ROWS : BLOCKS;
            if (rows) width = kept.dims()[last];
        }
        return new ReductionGeometry(keptShape, kept, line, mode, width);
    }

    private static FusedGeometry space(int[] shape, int[] strides) {
        long[] global = new long[shape.length];
        for (int a = 0; a < shape.length; a++) global[a] = shape[a];
        return FusedGeometry.of(new Region(shape, new long[shape.length], global), new int[][]{strides}, false);
    }
}
