package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;

import java.util.Arrays;

/**
 * Reductions of a chunk to partials. The partial layout is this backend's own:
 * <ul>
 *   <li>SUM, PROD, MIN, MAX: {@code (value)}, FLOAT64 for floating input (FLOAT32 accumulates in double), INT64
 *       otherwise (wrapping);</li>
 *   <li>MEAN, VAR, STD: {@code (count INT64, mean FLOAT64, M2 FLOAT64)}, combined with Chan et al.'s formula;</li>
 *   <li>ARGMIN, ARGMAX: {@code (value, index INT64)}, the index global along the reduced axis, -1 for no
 *       element yet.</li>
 * </ul>
 * All parts have the input's shape with the reduced axes kept as 1.
 *
 * <p>A partial reduces, for each output position, the <em>line</em> of input elements that map to it, in one of
 * two ways, chosen by the layout:
 * <ul>
 *   <li><b>lines</b> (the input's innermost axis is reduced): one output at a time, its line consumed in blocks of
 *       at most {@link #BLOCK} elements, read in place when contiguous and already of the tile type, gathered into
 *       a tile otherwise;</li>
 *   <li><b>rows</b> (the innermost axis is kept, e.g. a sum over axis 0): up to {@link #LANES} neighbouring
 *       outputs at once, reading contiguous rows and reducing them lane by lane ("vertically"), so that no
 *       strided walk down a column is needed.</li>
 * </ul>
 * Float sums are pairwise inside a block ({@link Loops#sum}, in the same order with or without the Vector API;
 * rows: sequential over a block's few rows) and cascaded pairwise across blocks ({@link PairwiseCascade}), so the
 * error grows with the logarithm of the line length. Sums, minima and maxima of lines run in the {@link Loops}
 * families. Here are the layouts; the running states of the outputs are {@link Reducer}s ({@link DoubleReducer},
 * {@link LongReducer}), and partials are combined and finished by {@link PartialMerge}.
 */
final class Reductions {
    /** Elements per tile of a line or of a block of rows (32 KiB of doubles). */
    static final int BLOCK = 4096;
    /** Outputs reduced side by side in the rows layout (blocks of BLOCK / LANES = 32 rows). */
    static final int LANES = 128;

    private Reductions() {}

    static Partial partial(Loops loops, ReduceOp op, HostBlock in, boolean[] axes, long argAxisOffset) {
        int[] shape = in.shape();
        int nd = shape.length;
        if (axes.length != nd) {
            throw new IllegalArgumentException(axes.length + " axis flags for a " + nd + "-d block " + Shapes.str(shape));
        }
        if (op == ReduceOp.SUM && in.data() instanceof double[] a && in.size() > 0 && allTrue(axes)) {
            // the common whole-chunk float sum, without the general set-up: what the path below computes for it
            // (one in-place line, one block sum pushed on the cascade, which is then its total)
            return wholeSum(nd, loops.sum(a, 0, in.size()));
        }
        int[] strides = Shapes.strides(shape);
        int[] keptShape = shape.clone();
        int reducedCount = 0;
        for (int a = 0; a < nd; a++) {
            if (axes[a]) {
                keptShape[a] = 1;
                reducedCount++;
            }
        }
        if (op.isArg() && reducedCount != 1) {
            throw new IllegalArgumentException(op.numpyName() + " reduces exactly one axis, got flags " + Arrays.toString(axes));
        }
        int[] keptAxesShape = new int[nd - reducedCount], keptAxesStrides = new int[nd - reducedCount];
        int[] lineShape = new int[reducedCount], lineStrides = new int[reducedCount];
        for (int a = 0, k = 0, r = 0; a < nd; a++) {
            if (axes[a]) {
                lineShape[r] = shape[a];
                lineStrides[r++] = strides[a];
            } else {
                keptAxesShape[k] = shape[a];
                keptAxesStrides[k++] = strides[a];
            }
        }
        boolean floating = in.dtype().isFloating() || op.isMoment();
        Partial out = emptyPartial(op, floating, keptShape);
        if (Shapes.size(keptShape) == 0) return out;
        if (reducedCount == nd) { // the whole block is one line, already in row-major order
            int n = in.size();
            boolean inPlace = floating ? in.data() instanceof double[] : in.data() instanceof long[];
            int tile = inPlace ? 0 : Math.min(BLOCK, n);
            Reducer reducer = floating ? new DoubleReducer(loops, op, 1, tile) : new LongReducer(loops, op, 1, tile);
            reducer.reset(1);
            // read in place, one call over the whole block (a sum is pairwise over all of it); moments take two
            // passes per block, so their blocks stay small enough to be read twice from cache
            int step = inPlace && !op.isMoment() ? Math.max(n, 1) : BLOCK;
            for (int s = 0; s < n; s += step) {
                int len = Math.min(step, n - s);
                if (inPlace) {
                    reducer.acceptLine(in.data(), s, len, argAxisOffset + s);
                } else {
                    reducer.load(in.data(), s, 1, 0, len);
                    reducer.acceptLine(null, 0, len, argAxisOffset + s);
                }
            }
            reducer.store(out, 0, 0);
            return out;
        }

        LoopSpace kept = new LoopSpace(keptAxesShape, new int[][]{keptAxesStrides}, null, 0);
        LoopSpace line = new LoopSpace(lineShape, new int[][]{lineStrides}, null, 0);
        boolean rows = kept.innerStride(0) == 1 && kept.innerLength() > 1 && Shapes.size(lineShape) > 0;
        // state and tile sized to what this call needs: a tiny chunk costs a tiny allocation
        int lanes = rows ? Math.min(LANES, kept.innerLength()) : 1;
        int tile = (int) Math.min(BLOCK, (long) lanes * line.size());
        Reducer reducer = floating ? new DoubleReducer(loops, op, lanes, tile) : new LongReducer(loops, op, lanes, tile);
        if (rows) reduceRows(in.data(), kept, line, reducer, argAxisOffset, out);
        else reduceLines(in.data(), kept, line, reducer, argAxisOffset, out, floating);
        return out;
    }

    /**
     * The partial of a whole non-empty chunk of {@code dtype} (FLOAT64 or FLOAT32) and {@code ndim} axes, all
     * reduced, whose values come from {@code values}, computed on demand and never all held: bit for bit what
     * {@link #partial} gives for a chunk holding them. A float64 sum is pairwise over all of it, as for a chunk read
     * in place; everything else goes block by block, as for a chunk loaded into tiles (moments and float32 sums use
     * these blocks either way; minima, maxima, products and arg scans do not depend on the split).
     */
    static Partial wholeOf(Loops loops, ReduceOp op, Loops.Values values, DType dtype, int n, int ndim, long argAxisOffset) {
        if (op == ReduceOp.SUM && dtype == DType.FLOAT64) return wholeSum(ndim, loops.sum(values, n));
        int[] ones = new int[ndim];
        Arrays.fill(ones, 1);
        Partial out = emptyPartial(op, true, ones);
        DoubleReducer reducer = new DoubleReducer(loops, op, 1, Math.min(BLOCK, n));
        reducer.reset(1);
        for (int s = 0; s < n; s += BLOCK) {
            int len = Math.min(BLOCK, n - s);
            reducer.fill(values, s, len);
            reducer.acceptLine(null, 0, len, argAxisOffset + s);
        }
        reducer.store(out, 0, 0);
        return out;
    }

    /** The SUM partial of a whole non-empty FLOAT64 chunk of {@code ndim} axes whose total is {@code sum}. */
    private static Partial wholeSum(int ndim, double sum) {
        int[] ones = new int[ndim];
        Arrays.fill(ones, 1);
        return new Partial(new HostBlock(DType.FLOAT64, ones, new double[]{sum}));
    }

    static boolean allTrue(boolean[] flags) {
        for (boolean f : flags) if (!f) return false;
        return true;
    }

    /** One output at a time, its line in blocks of up to BLOCK elements. */
    private static void reduceLines(Object src, LoopSpace kept, LoopSpace line, Reducer reducer, long argAxisOffset,
                                    Partial out, boolean floating) {
        int outputs = Shapes.size(out.shape());
        int lineLength = line.size();
        boolean inPlace = line.dense(0) && (floating ? src instanceof double[] : src instanceof long[]);
        int lineStride = line.innerStride(0), keptStride = kept.innerStride(0);
        // the gather pattern of a line does not depend on where it starts: split short lines once
        LoopSpace.Runs lineRuns = inPlace ? null : line.new Runs(Math.min(BLOCK, lineLength));
        if (!inPlace && lineLength <= BLOCK) lineRuns.split(0, lineLength);
        LoopSpace.Runs keptRuns = kept.new Runs(Math.min(TileEvaluator.TILE, outputs));
        for (int start = 0; start < outputs; start += TileEvaluator.TILE) {
            if (start > 0) Cancellation.check();
            keptRuns.split(start, Math.min(TileEvaluator.TILE, outputs - start));
            for (int r = 0; r < keptRuns.count; r++) {
                for (int j = 0; j < keptRuns.len[r]; j++) {
                    int base = keptRuns.offset[0][r] + j * keptStride;
                    reducer.reset(1);
                    for (int s = 0; s < lineLength; s += BLOCK) {
                        if (s > 0) Cancellation.check();   // in long lines
                        int n = Math.min(BLOCK, lineLength - s);
                        long first = argAxisOffset + s;
                        if (inPlace) {
                            reducer.acceptLine(src, base + s, n, first);
                        } else {
                            if (lineLength > BLOCK) lineRuns.split(s, n);
                            for (int q = 0; q < lineRuns.count; q++) {
                                reducer.load(src, base + lineRuns.offset[0][q], lineStride, lineRuns.pos[q], lineRuns.len[q]);
                            }
                            reducer.acceptLine(null, 0, n, first);
                        }
                    }
                    reducer.store(out, start + keptRuns.pos[r] + j, 0);
                }
            }
        }
    }

    /**
     * Up to LANES neighbouring outputs (contiguous in the input) at once: each block is a few rows, row k holding
     * element k of every lane's line, copied contiguously into the tile and reduced lane by lane.
     */
    private static void reduceRows(Object src, LoopSpace kept, LoopSpace line, Reducer reducer, long argAxisOffset,
                                   Partial out) {
        int outputs = Shapes.size(out.shape());
        int lineLength = line.size();
        int lineStride = line.innerStride(0);
        LoopSpace.Runs lineRuns = line.new Runs(Math.min(BLOCK, lineLength));
        LoopSpace.Runs keptRuns = kept.new Runs(Math.min(TileEvaluator.TILE, outputs));
        for (int start = 0; start < outputs; start += TileEvaluator.TILE) {
            if (start > 0) Cancellation.check();
            keptRuns.split(start, Math.min(TileEvaluator.TILE, outputs - start));
            for (int r = 0; r < keptRuns.count; r++) {
                for (int j0 = 0; j0 < keptRuns.len[r]; j0 += LANES) {
                    int lanes = Math.min(LANES, keptRuns.len[r] - j0);
                    int base = keptRuns.offset[0][r] + j0;
                    int rowsPerBlock = BLOCK / lanes;
                    reducer.reset(lanes);
                    for (int s = 0; s < lineLength; s += rowsPerBlock) {
                        int n = Math.min(rowsPerBlock, lineLength - s);
                        lineRuns.split(s, n);
                        for (int q = 0; q < lineRuns.count; q++) {
                            int off = base + lineRuns.offset[0][q];
                            for (int k = 0; k < lineRuns.len[q]; k++) {
                                reducer.load(src, off + k * lineStride, 1, (lineRuns.pos[q] + k) * lanes, lanes);
                            }
                        }
                        reducer.acceptRows(n, argAxisOffset + s);
                    }
                    for (int j = 0; j < lanes; j++) reducer.store(out, start + keptRuns.pos[r] + j0 + j, j);
                }
            }
        }
    }

    private static Partial emptyPartial(ReduceOp op, boolean floating, int[] shape) {
        DType value = floating ? DType.FLOAT64 : DType.INT64;
        if (op.isMoment()) {
            return new Partial(HostBlock.allocate(DType.INT64, shape), HostBlock.allocate(DType.FLOAT64, shape),
                    HostBlock.allocate(DType.FLOAT64, shape));
        }
        if (op.isArg()) return new Partial(HostBlock.allocate(value, shape), HostBlock.allocate(DType.INT64, shape));
        return new Partial(HostBlock.allocate(value, shape));
    }
}
