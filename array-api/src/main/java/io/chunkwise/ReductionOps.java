package io.chunkwise;

import io.chunkwise.graph.HistogramNode;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.ReduceNode;
import io.chunkwise.graph.ScanNode;
import io.chunkwise.graph.ViewNode;
import io.chunkwise.spi.HostHistogram;
import io.chunkwise.spi.ReduceOp;

import java.util.Arrays;

/**
 * The rules of NumPy's reductions: the plain ones ({@link ChunkedArray#sum} and its kin, one {@link ReduceNode} each),
 * any/all, the NaN-skipping reductions, the scans and the histogram. Most of the others are compositions: a fused elementwise layer (NaN replaced,
 * a value tested) feeding a plain reduction, which the optimizer computes inside the reduction's partials (the CPU
 * backend streams a whole-chunk one without writing the chunk). Scans and histograms have graph nodes of their own.
 */
final class ReductionOps {
    private ReductionOps() {}

    // ---- the plain reductions ----

    /**
     * sum, prod, min, max, mean, var, std, argmin, argmax over {@code axes}: NumPy's dtypes (sum and prod of integers
     * and bools in INT64, moments of integers in FLOAT64, arg reductions INT64), and an error for an empty axis where
     * the op has no identity.
     */
    static ChunkedArray reduce(ChunkedArray x, ReduceOp op, int[] axes) {
        int[] ax = Shapes.axes(axes, x.ndim());
        if (!op.hasIdentity()) {
            for (int a : ax) {
                if (x.shape()[a] == 0) {
                    throw new ShapeMismatchException("zero-size array to reduction operation " + op.numpyName()
                            + " which has no identity (axis " + a + " of shape " + Shapes.str(x.shape()) + " is empty)");
                }
            }
        }
        ChunkedArray in = x.astype(op.operandType(x.dtype()));   // the op table's dtype rule
        return new ChunkedArray(x.context(), new ReduceNode(op, in.node(), ax, op.resultType(in.dtype())));
    }

    // ---- any / all ----

    /** numpy.any: whether any element is non-zero (NaN is); BOOL; false over an empty axis. */
    static ChunkedArray any(ChunkedArray x, int[] axes) {
        return x.ne(0.0).sum(axes).gt(0.0);
    }

    /** numpy.all: whether every element is non-zero (NaN is); BOOL; true over an empty axis. */
    static ChunkedArray all(ChunkedArray x, int[] axes) {
        return x.eq(0.0).sum(axes).eq(0.0);
    }

    // ---- NaN-skipping reductions ----

    private static ChunkedArray isnan(ChunkedArray x) { return x.ne(x); }

    /** {@code x} with its NaN replaced by {@code v} (of x's dtype): one elementwise layer, which fuses. */
    private static ChunkedArray nanTo(ChunkedArray x, double v) {
        return ChunkedArray.where(isnan(x), x.context().full(x.dtype(), v, x.chunks()), x);
    }

    /** The number of non-NaN elements over the axes (INT64). */
    private static ChunkedArray countNotNan(ChunkedArray x, int[] axes) { return x.eq(x).sum(axes); }

    /** numpy.nansum: NaN counts as 0 (an all-NaN slice sums to 0); integers and bools as {@link ChunkedArray#sum}. */
    static ChunkedArray nansum(ChunkedArray x, int[] axes) {
        return x.dtype().isFloating() ? nanTo(x, 0.0).sum(axes) : x.sum(axes);
    }

    /** numpy.nanmean: the sum of the non-NaN elements over their number (NaN where there are none). */
    static ChunkedArray nanmean(ChunkedArray x, int[] axes) {
        if (!x.dtype().isFloating()) return x.mean(axes);
        int[] ax = Shapes.axes(axes, x.ndim());
        return nanTo(x, 0.0).sum(ax).div(countNotNan(x, ax)).astype(x.dtype());
    }

    /**
     * numpy.nanvar (ddof 0) as NumPy computes it, in two passes: the mean of the non-NaN elements, then the sum of
     * their squared deviations from it over their number (NaN where there are none).
     */
    static ChunkedArray nanvar(ChunkedArray x, int[] axes) {
        if (!x.dtype().isFloating()) return x.var(axes);
        int[] ax = Shapes.axes(axes, x.ndim());
        DType t = x.dtype();
        ChunkedArray count = countNotNan(x, ax);
        ChunkedArray mean = nanTo(x, 0.0).sum(ax).div(count).astype(t);
        ChunkedArray deviation = ChunkedArray.where(isnan(x), x.context().full(t, 0.0, x.chunks()), x.sub(keepDims(mean, ax, x)));
        return deviation.mul(deviation).sum(ax).div(count).astype(t);
    }

    /** numpy.nanstd (ddof 0): the square root of {@link #nanvar}. */
    static ChunkedArray nanstd(ChunkedArray x, int[] axes) {
        return x.dtype().isFloating() ? nanvar(x, axes).sqrt() : x.std(axes);
    }

    /**
     * numpy.nanmin / numpy.nanmax: the extreme of the non-NaN elements, NaN for an all-NaN slice; an empty axis is an
     * error (no identity); integers and bools as {@link ChunkedArray#min}.
     */
    static ChunkedArray nanExtreme(ChunkedArray x, int[] axes, boolean max) {
        int[] ax = Shapes.axes(axes, x.ndim());
        String name = max ? "nanmax" : "nanmin";
        for (int a : ax) {
            if (x.shape()[a] == 0) {
                throw new ShapeMismatchException("zero-size array to reduction operation " + name
                        + " which has no identity (axis " + a + " of shape " + Shapes.str(x.shape()) + " is empty)");
            }
        }
        if (!x.dtype().isFloating()) return max ? x.max(ax) : x.min(ax);
        ChunkedArray extreme = max ? nanTo(x, Double.NEGATIVE_INFINITY).max(ax) : nanTo(x, Double.POSITIVE_INFINITY).min(ax);
        ChunkedArray allNan = countNotNan(x, ax).eq(0.0);
        return ChunkedArray.where(allNan, x.context().full(x.dtype(), Double.NaN, extreme.chunks()), extreme);
    }

    /** {@code r}, reduced from {@code x} over {@code axes} (sorted), with those axes back at length 1, chunked as x elsewhere. */
    private static ChunkedArray keepDims(ChunkedArray r, int[] axes, ChunkedArray x) {
        int nd = x.ndim();
        int[] inAxis = new int[nd];
        long[] start = new long[nd], step = new long[nd], fixed = new long[r.ndim()];
        Arrays.fill(fixed, -1);
        long[][] sizes = new long[nd][];
        for (int o = 0, k = 0; o < nd; o++) {
            if (Arrays.binarySearch(axes, o) >= 0) {
                inAxis[o] = -1;
                sizes[o] = new long[]{1};
            } else {
                inAxis[o] = k;
                step[o] = 1;
                sizes[o] = r.chunks().sizes(k++);
            }
        }
        return new ChunkedArray(x.context(), new ViewNode(r.node(), Chunks.explicit(sizes), inAxis, start, step, fixed));
    }

    // ---- scans ----

    /** numpy.cumsum (SUM) / numpy.cumprod (PROD) along an axis: floats keep their dtype, integers and bools give INT64. */
    static ChunkedArray scan(ChunkedArray x, int axis, ReduceOp op) {
        int ax = Shapes.axis(axis, x.ndim());
        ChunkedArray in = x.astype(op.operandType(x.dtype()));   // the op table's rule: integers and bools as INT64
        return new ChunkedArray(x.context(), new ScanNode(op, in.node(), ax));
    }

    // ---- histogram ----

    /**
     * numpy.histogram(x, bins, range=(lo, hi))[0]: counts (INT64) per chunk, summed. NumPy's checks: bins positive, the
     * range ordered and finite, an empty range widened by 0.5 each way, and edges that strictly increase.
     */
    static ChunkedArray histogram(ChunkedArray x, int bins, double lo, double hi) {
        if (bins < 1) throw new InvalidArgumentException("histogram: bins must be positive, got " + bins);
        if (lo > hi) {
            throw new InvalidArgumentException("histogram: max must be larger than min in range parameter, got range [" + lo + ", " + hi + "]");
        }
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new InvalidArgumentException("histogram: supplied range of [" + lo + ", " + hi + "] is not finite");
        }
        if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        if (Double.isInfinite(hi - lo)) {   // NumPy's edges would be NaN
            throw new InvalidArgumentException("histogram: the range [" + lo + ", " + hi + "] is wider than the largest float64");
        }
        boolean float32 = x.dtype() == DType.FLOAT32;
        double previous = HostHistogram.edge(0, bins, lo, hi, float32);
        for (int i = 1; i <= bins; i++) {
            double e = HostHistogram.edge(i, bins, lo, hi, float32);
            if (!(previous < e)) {
                throw new InvalidArgumentException("histogram: too many bins for data range. Cannot create " + bins
                        + " finite-sized bins over [" + lo + ", " + hi + "] in " + (float32 ? "float32" : "float64"));
            }
            previous = e;
        }
        Node counts = new HistogramNode(x.node(), bins, lo, hi);
        return new ChunkedArray(x.context(), counts).sum(0);
    }
}
