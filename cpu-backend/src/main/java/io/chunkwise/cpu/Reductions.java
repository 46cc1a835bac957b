package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;

import java.util.Arrays;
import java.util.List;

/**
 * Reductions as partials, combines and finishes. The partial layout is this backend's own:
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
 * rows: sequential over a block's few rows) and cascaded pairwise across blocks, so the error grows with the
 * logarithm of the line length. Sums, minima and maxima of lines run in the {@link Loops} families.
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

    // ---------------------------------------------------------------- combine and finish

    static Partial combine(ReduceOp op, List<Block> partials) {
        if (partials.isEmpty()) throw new IllegalArgumentException("no partials to combine for " + op.numpyName());
        Partial first = asPartial(partials.get(0));
        Block[] parts = new Block[first.parts().length];
        for (int i = 0; i < parts.length; i++) parts[i] = copy(host(first.parts()[i]));
        Partial acc = new Partial(parts);
        int n = host(parts[0]).size();
        for (Block b : partials.subList(1, partials.size())) {
            Partial next = asPartial(b);
            if (!Arrays.equals(next.shape(), acc.shape()) || next.parts().length != parts.length) {
                throw new IllegalArgumentException("partials of " + op.numpyName() + " differ in shape: "
                        + Shapes.str(acc.shape()) + " and " + Shapes.str(next.shape()));
            }
            merge(op, acc, next, n);
        }
        return acc;
    }

    /** Folds {@code b} into {@code a} (which comes first in chunk order), position by position. */
    private static void merge(ReduceOp op, Partial a, Partial b, int n) {
        Object av = host(a.parts()[0]).data(), bv = host(b.parts()[0]).data();
        if (op.isMoment()) {
            long[] na = host(a.parts()[0]).longs(), nb = host(b.parts()[0]).longs();
            double[] ma = host(a.parts()[1]).doubles(), mb = host(b.parts()[1]).doubles();
            double[] qa = host(a.parts()[2]).doubles(), qb = host(b.parts()[2]).doubles();
            for (int i = 0; i < n; i++) addMoments(na, ma, qa, i, nb[i], mb[i], qb[i]);
            return;
        }
        if (op.isArg()) {
            long[] ia = host(a.parts()[1]).longs(), ib = host(b.parts()[1]).longs();
            boolean max = op == ReduceOp.ARGMAX;
            if (av instanceof double[] x) {
                double[] y = (double[]) bv;
                for (int i = 0; i < n; i++) {
                    if (ib[i] < 0 || (ia[i] >= 0 && !DoubleReducer.beats(y[i], x[i], max))) continue;
                    x[i] = y[i];
                    ia[i] = ib[i];
                }
            } else {
                long[] x = (long[]) av, y = (long[]) bv;
                for (int i = 0; i < n; i++) {
                    if (ib[i] < 0 || (ia[i] >= 0 && !(max ? y[i] > x[i] : y[i] < x[i]))) continue;
                    x[i] = y[i];
                    ia[i] = ib[i];
                }
            }
            return;
        }
        if (av instanceof double[] x) {
            double[] y = (double[]) bv;
            switch (op) {
                case SUM -> { for (int i = 0; i < n; i++) x[i] += y[i]; }
                case PROD -> { for (int i = 0; i < n; i++) x[i] *= y[i]; }
                case MIN -> { for (int i = 0; i < n; i++) x[i] = Math.min(x[i], y[i]); }
                case MAX -> { for (int i = 0; i < n; i++) x[i] = Math.max(x[i], y[i]); }
                default -> throw new AssertionError(op);
            }
        } else {
            long[] x = (long[]) av, y = (long[]) bv;
            switch (op) {
                case SUM -> { for (int i = 0; i < n; i++) x[i] += y[i]; }
                case PROD -> { for (int i = 0; i < n; i++) x[i] *= y[i]; }
                case MIN -> { for (int i = 0; i < n; i++) x[i] = Math.min(x[i], y[i]); }
                case MAX -> { for (int i = 0; i < n; i++) x[i] = Math.max(x[i], y[i]); }
                default -> throw new AssertionError(op);
            }
        }
    }

    static HostBlock finish(ReduceOp op, Block block, DType dtype, int[] shape) {
        Partial p = asPartial(block);
        int n = host(p.parts()[0]).size();
        if (Shapes.size(shape) != n) {
            throw new IllegalArgumentException("cannot lay out a partial of " + n + " elements " + Shapes.str(p.shape())
                    + " in shape " + Shapes.str(shape));
        }
        Object values;
        if (op.isMoment()) {
            long[] count = host(p.parts()[0]).longs();
            double[] mean = host(p.parts()[1]).doubles(), m2 = host(p.parts()[2]).doubles();
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                // an empty reduction gives NaN, as NumPy's mean and var of nothing do
                v[i] = switch (op) {
                    case MEAN -> count[i] == 0 ? Double.NaN : mean[i];
                    case VAR -> m2[i] / count[i];
                    default -> Math.sqrt(m2[i] / count[i]);
                };
            }
            values = v;
        } else if (op.isArg()) {
            values = host(p.parts()[1]).longs();
        } else {
            values = host(p.parts()[0]).data();
        }
        return convert(values, dtype, shape);
    }

    /** A block of {@code dtype} from a double[] or long[] of values, cast as {@link TileOps} casts. */
    private static HostBlock convert(Object values, DType dtype, int[] shape) {
        HostBlock out = HostBlock.allocate(dtype, shape);
        int n = out.size();
        if (values instanceof double[] d) {
            if (dtype.isFloating()) TileIO.storeDouble(d, 0, out.data(), 0, n);
            else {
                long[] l = new long[n];
                TileOps.cast(d, 0, dtype, l, 0, n);
                TileIO.storeLong(l, 0, out.data(), 0, n);
            }
        } else {
            long[] l = (long[]) values;
            if (dtype.isFloating()) {
                double[] d = new double[n];
                TileOps.cast(l, 0, dtype, d, 0, n);
                TileIO.storeDouble(d, 0, out.data(), 0, n);
            } else {
                long[] narrowed = new long[n];
                TileOps.cast(l, 0, dtype, narrowed, 0, n);
                TileIO.storeLong(narrowed, 0, out.data(), 0, n);
            }
        }
        return out;
    }

    private static Partial asPartial(Block b) {
        if (b instanceof Partial p) return p;
        throw new IllegalArgumentException("expected a reduction partial of the cpu backend, got " + b);
    }

    private static HostBlock host(Block b) {
        if (b instanceof HostBlock h) return h;
        throw new IllegalArgumentException("expected a host block in a cpu partial, got " + b);
    }

    private static HostBlock copy(HostBlock b) {
        Object data = HostBlock.newArray(b.dtype(), b.size());
        System.arraycopy(b.data(), 0, data, 0, b.size());
        return new HostBlock(b.dtype(), b.shape(), data);
    }

    // ---------------------------------------------------------------- reducers

    /**
     * The running states of up to LANES outputs while their elements stream past in blocks, and the tile blocks
     * are loaded into. The op is switched on once per block; the loops inside are plain.
     */
    private abstract static class Reducer {
        final Loops loops;
        final ReduceOp op;
        int lanes;

        Reducer(Loops loops, ReduceOp op) {
            this.loops = loops;
            this.op = op;
        }

        abstract void reset(int lanes);

        /** Copies {@code n} elements {@code src[off + k * stride]} into the tile at {@code tileOff}. */
        abstract void load(Object src, int off, int stride, int tileOff, int n);

        /**
         * Consumes {@code n} elements of lane 0's line: {@code src} from {@code off} (the tile type's array), or
         * the tile from 0 when {@code src} is null. {@code first} is the global arg index of the first.
         */
        abstract void acceptLine(Object src, int off, int n, long first);

        /** Consumes {@code rows} tile rows of {@code lanes} elements; row k is element {@code first + k} of each lane. */
        abstract void acceptRows(int rows, long first);

        abstract void store(Partial out, int position, int lane);
    }

    /** Doubles: floating input, and any input of MEAN, VAR and STD. */
    static final class DoubleReducer extends Reducer {
        private final double[] tile;
        private final PairwiseCascade cascade;
        private final double[] value, mean, m2;
        private final long[] count, index;
        private final double[] blockSum, blockSquares;

        /** For up to {@code maxLanes} outputs at once and blocks of up to {@code tileSize} elements. */
        DoubleReducer(Loops loops, ReduceOp op, int maxLanes, int tileSize) {
            super(loops, op);
            tile = new double[tileSize];
            cascade = op == ReduceOp.SUM ? new PairwiseCascade(maxLanes) : null;
            value = new double[maxLanes];
            index = new long[maxLanes];
            boolean moments = op.isMoment();
            mean = moments ? new double[maxLanes] : null;
            m2 = moments ? new double[maxLanes] : null;
            count = moments ? new long[maxLanes] : null;
            blockSum = op == ReduceOp.SUM || moments ? new double[maxLanes] : null;
            blockSquares = moments ? new double[maxLanes] : null;
        }

        @Override void reset(int lanes) {
            this.lanes = lanes;
            double identity = switch (op) {
                case PROD -> 1;
                case MIN -> Double.POSITIVE_INFINITY;
                case MAX -> Double.NEGATIVE_INFINITY;
                default -> 0;
            };
            Arrays.fill(value, 0, lanes, identity);
            Arrays.fill(index, 0, lanes, -1);
            if (op.isMoment()) {
                Arrays.fill(mean, 0, lanes, 0);
                Arrays.fill(m2, 0, lanes, 0);
                Arrays.fill(count, 0, lanes, 0);
            }
            if (cascade != null) cascade.clear(lanes);
        }

        @Override void load(Object src, int off, int stride, int tileOff, int n) {
            TileIO.loadDouble(src, off, stride, tile, tileOff, n);
        }

        /** Positions {@code [from, from + n)} of {@code values} into the tile. */
        void fill(Loops.Values values, int from, int n) {
            values.fill(from, n, tile);
        }

        @Override void acceptLine(Object src, int off, int n, long first) {
            double[] a = src == null ? tile : (double[]) src;
            int end = off + n;
            switch (op) {
                case SUM -> cascade.push(0, loops.sum(a, off, n));
                case PROD -> { double p = value[0]; for (int i = off; i < end; i++) p *= a[i]; value[0] = p; }
                case MIN -> value[0] = loops.min(a, off, n, value[0]);
                case MAX -> value[0] = loops.max(a, off, n, value[0]);
                case MEAN, VAR, STD -> {
                    // two passes over the block (it is in cache), then Chan's update
                    double blockMean = loops.sum(a, off, n) / n;
                    addMoments(0, n, blockMean, loops.sumOfSquares(a, off, n, blockMean));
                }
                case ARGMIN, ARGMAX -> {
                    boolean max = op == ReduceOp.ARGMAX;
                    double best = value[0];
                    long at = index[0];
                    for (int i = off; i < end && !(at >= 0 && Double.isNaN(best)); i++) {
                        if (at < 0 || beats(a[i], best, max)) {
                            best = a[i];
                            at = first + (i - off);
                        }
                    }
                    value[0] = best;
                    index[0] = at;
                }
            }
        }

        @Override void acceptRows(int rows, long first) {
            double[] t = tile;
            int w = lanes;
            switch (op) {
                case SUM -> {
                    columnSums(rows);
                    for (int j = 0; j < w; j++) cascade.push(j, blockSum[j]);
                }
                case PROD -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] *= t[k * w + j]; }
                case MIN -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.min(value[j], t[k * w + j]); }
                case MAX -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.max(value[j], t[k * w + j]); }
                case MEAN, VAR, STD -> {
                    columnSums(rows);
                    for (int j = 0; j < w; j++) blockSum[j] /= rows; // now the block means
                    Arrays.fill(blockSquares, 0, w, 0);
                    for (int k = 0; k < rows; k++) {
                        for (int j = 0; j < w; j++) {
                            double d = t[k * w + j] - blockSum[j];
                            blockSquares[j] += d * d;
                        }
                    }
                    for (int j = 0; j < w; j++) addMoments(j, rows, blockSum[j], blockSquares[j]);
                }
                case ARGMIN, ARGMAX -> {
                    boolean max = op == ReduceOp.ARGMAX;
                    for (int k = 0; k < rows; k++) {
                        for (int j = 0; j < w; j++) {
                            double x = t[k * w + j];
                            if (index[j] < 0 || beats(x, value[j], max)) {
                                value[j] = x;
                                index[j] = first + k;
                            }
                        }
                    }
                }
            }
        }

        /** blockSum[j] = the sum of lane j over the block's rows (in row order). */
        private void columnSums(int rows) {
            int w = lanes;
            Arrays.fill(blockSum, 0, w, 0);
            for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) blockSum[j] += tile[k * w + j];
        }

        private void addMoments(int j, long n, double blockMean, double q) {
            Reductions.addMoments(count, mean, m2, j, n, blockMean, q);
        }

        /** Whether {@code x} replaces the earlier {@code best}: strictly better, or the first NaN. */
        static boolean beats(double x, double best, boolean max) {
            if (Double.isNaN(best)) return false;
            if (Double.isNaN(x)) return true;
            return max ? x > best : x < best;
        }

        @Override void store(Partial out, int p, int j) {
            switch (op) {
                case SUM -> ((HostBlock) out.parts()[0]).doubles()[p] = cascade.total(j);
                case PROD, MIN, MAX -> ((HostBlock) out.parts()[0]).doubles()[p] = value[j];
                case MEAN, VAR, STD -> {
                    ((HostBlock) out.parts()[0]).longs()[p] = count[j];
                    ((HostBlock) out.parts()[1]).doubles()[p] = mean[j];
                    ((HostBlock) out.parts()[2]).doubles()[p] = m2[j];
                }
                case ARGMIN, ARGMAX -> {
                    ((HostBlock) out.parts()[0]).doubles()[p] = index[j] < 0 ? Double.NaN : value[j];
                    ((HostBlock) out.parts()[1]).longs()[p] = index[j];
                }
            }
        }
    }

    /** Longs: integer and boolean input of SUM, PROD, MIN, MAX, ARGMIN and ARGMAX (sums and products wrap). */
    static final class LongReducer extends Reducer {
        private final long[] tile;
        private final long[] value, index;

        LongReducer(Loops loops, ReduceOp op, int maxLanes, int tileSize) {
            super(loops, op);
            if (op.isMoment()) throw new IllegalArgumentException(op + " reduces in double");
            tile = new long[tileSize];
            value = new long[maxLanes];
            index = new long[maxLanes];
        }

        @Override void reset(int lanes) {
            this.lanes = lanes;
            long identity = switch (op) {
                case PROD -> 1;
                case MIN -> Long.MAX_VALUE;
                case MAX -> Long.MIN_VALUE;
                default -> 0;
            };
            Arrays.fill(value, 0, lanes, identity);
            Arrays.fill(index, 0, lanes, -1);
        }

        @Override void load(Object src, int off, int stride, int tileOff, int n) {
            TileIO.loadLong(src, off, stride, tile, tileOff, n);
        }

        @Override void acceptLine(Object src, int off, int n, long first) {
            long[] a = src == null ? tile : (long[]) src;
            int end = off + n;
            long v = value[0];
            switch (op) {
                case SUM -> v += loops.sum(a, off, n);
                case PROD -> { for (int i = off; i < end; i++) v *= a[i]; }
                case MIN -> v = loops.min(a, off, n, v);
                case MAX -> v = loops.max(a, off, n, v);
                case ARGMIN, ARGMAX -> {
                    boolean max = op == ReduceOp.ARGMAX;
                    long at = index[0];
                    for (int i = off; i < end; i++) {
                        if (at < 0 || (max ? a[i] > v : a[i] < v)) {
                            v = a[i];
                            at = first + (i - off);
                        }
                    }
                    index[0] = at;
                }
                default -> throw new AssertionError(op);
            }
            value[0] = v;
        }

        @Override void acceptRows(int rows, long first) {
            long[] t = tile;
            int w = lanes;
            switch (op) {
                case SUM -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] += t[k * w + j]; }
                case PROD -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] *= t[k * w + j]; }
                case MIN -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.min(value[j], t[k * w + j]); }
                case MAX -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.max(value[j], t[k * w + j]); }
                case ARGMIN, ARGMAX -> {
                    boolean max = op == ReduceOp.ARGMAX;
                    for (int k = 0; k < rows; k++) {
                        for (int j = 0; j < w; j++) {
                            long x = t[k * w + j];
                            if (index[j] < 0 || (max ? x > value[j] : x < value[j])) {
                                value[j] = x;
                                index[j] = first + k;
                            }
                        }
                    }
                }
                default -> throw new AssertionError(op);
            }
        }

        @Override void store(Partial out, int p, int j) {
            ((HostBlock) out.parts()[0]).longs()[p] = value[j];
            if (op.isArg()) ((HostBlock) out.parts()[1]).longs()[p] = index[j];
        }
    }

    /**
     * Folds a group of {@code n} elements with mean {@code mean} and M2 {@code m2} into {@code (counts, means, m2s)}
     * at {@code j}, after Chan et al. A non-finite mean combines by weights (inf stays inf, inf with -inf gives NaN)
     * and makes M2 NaN, as NumPy's two-pass mean and variance do; the reference backend does the same.
     */
    static void addMoments(long[] counts, double[] means, double[] m2s, int j, long n, double mean, double m2) {
        if (n == 0) return;
        long before = counts[j];
        if (before == 0) {
            counts[j] = n;
            means[j] = mean;
            m2s[j] = m2;
            return;
        }
        long total = before + n;
        double share = (double) n / total;
        if (!Double.isFinite(means[j]) || !Double.isFinite(mean)) {
            means[j] = means[j] * ((double) before / total) + mean * share;
            m2s[j] = Double.NaN;
        } else {
            double delta = mean - means[j];
            means[j] += delta * share;
            m2s[j] += m2 + delta * delta * before * share;
        }
        counts[j] = total;
    }

    /** Pairwise addition of a stream of block sums, per lane: a binary counter of partial sums per power of two. */
    static final class PairwiseCascade {
        /** Enough levels for 2^32 pushes (a line has fewer than 2^31 elements). */
        private static final int DEPTH = 33;
        private final double[] stack;    // lane j's stack at [j * DEPTH, (j + 1) * DEPTH)
        private final int[] size;
        private final long[] pushed;

        PairwiseCascade(int lanes) {
            stack = new double[lanes * DEPTH];
            size = new int[lanes];
            pushed = new long[lanes];
        }

        void clear(int lanes) {
            Arrays.fill(size, 0, lanes, 0);
            Arrays.fill(pushed, 0, lanes, 0);
        }

        void push(int lane, double blockSum) {
            double[] st = stack;
            int base = lane * DEPTH;
            int n = size[lane];
            st[base + n++] = blockSum;
            // merge equal-sized neighbours: after the k-th push, one merge per trailing zero bit of k
            for (long c = ++pushed[lane]; (c & 1) == 0; c >>>= 1) {
                st[base + n - 2] += st[base + n - 1];
                n--;
            }
            size[lane] = n;
        }

        double total(int lane) {
            int base = lane * DEPTH;
            int n = size[lane];
            if (n == 0) return 0;
            double s = stack[base + n - 1];
            for (int i = n - 2; i >= 0; i--) s = stack[base + i] + s;
            return s;
        }
    }
}
