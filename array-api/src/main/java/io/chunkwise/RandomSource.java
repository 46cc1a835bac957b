package io.chunkwise;

import io.chunkwise.random.Philox;
import io.chunkwise.spi.Expr;

/**
 * Random arrays from a counter-based generator: element {@code i} (global row-major index) depends only on the
 * seed and {@code i}, so the same seed gives the same array for any chunking, backend or cluster size.
 * See {@link Philox} for how values are derived.
 */
public final class RandomSource {
    private final Chunkwise cw;
    private final long seed;

    RandomSource(Chunkwise cw, long seed) {
        this.cw = cw;
        this.seed = seed;
    }

    /**
     * Uniform values in {@code [lo, hi)}, FLOAT64.
     *
     * @param lo the lowest value
     * @param hi the bound above every value
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     */
    public ChunkedArray uniform(double lo, double hi, long[] shape, int[] chunkShape) {
        return uniform(DType.FLOAT64, lo, hi, shape, chunkShape);
    }

    /**
     * Uniform values in {@code [lo, hi)}; the bounds and {@code hi - lo} must be finite (NumPy's OverflowError
     * otherwise).
     *
     * @param dtype FLOAT32 or FLOAT64
     * @param lo the lowest value
     * @param hi the bound above every value
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     */
    public ChunkedArray uniform(DType dtype, double lo, double hi, long[] shape, int[] chunkShape) {
        if (!Double.isFinite(hi - lo)) {
            throw new InvalidArgumentException("uniform: high - low range exceeds valid bounds (lo=" + lo + ", hi=" + hi
                    + ", hi - lo = " + (hi - lo) + "); the bounds and their difference must be finite");
        }
        if (!(lo < hi)) throw new InvalidArgumentException("uniform needs lo < hi, got lo=" + lo + ", hi=" + hi);
        return generate(dtype, false, lo, hi, shape, chunkShape);
    }

    /**
     * Normally distributed values, FLOAT64.
     *
     * @param mean the distribution's mean
     * @param std its standard deviation, at least 0
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     */
    public ChunkedArray normal(double mean, double std, long[] shape, int[] chunkShape) {
        return normal(DType.FLOAT64, mean, std, shape, chunkShape);
    }

    /**
     * Normally distributed values.
     *
     * @param dtype FLOAT32 or FLOAT64
     * @param mean the distribution's mean
     * @param std its standard deviation, at least 0
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     */
    public ChunkedArray normal(DType dtype, double mean, double std, long[] shape, int[] chunkShape) {
        if (!(std >= 0)) throw new InvalidArgumentException("normal needs std >= 0, got " + std);
        return generate(dtype, true, mean, std, shape, chunkShape);
    }

    private ChunkedArray generate(DType dtype, boolean normal, double a, double b, long[] shape, int[] chunkShape) {
        if (!dtype.isFloating()) throw new DTypeException("random values are float32 or float64, not " + dtype.numpyName());
        return cw.generated(new Expr.Random(seed, normal, a, b, dtype), Chunks.regular(shape, chunkShape));
    }
}
