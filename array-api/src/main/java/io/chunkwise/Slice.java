package io.chunkwise;

/** One axis of a {@link ChunkedArray#slice}: all, a Python-style range with optional step, or a single index. */
public final class Slice {
    private final Long start;
    private final Long stop;
    private final long step;
    private final boolean index;

    private Slice(Long start, Long stop, long step, boolean index) {
        if (step == 0) throw new IndexOutOfRangeException("slice step cannot be zero");
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.index = index;
    }

    /** {@return every element of the axis, Python's {@code :}} */
    public static Slice all() { return new Slice(null, null, 1, false); }

    /**
     * Elements {@code start <= i < stop}, Python's {@code start:stop}.
     *
     * @param start the first element; negative counts from the end, out of range is clipped
     * @param stop the bound after the last; negative counts from the end, out of range is clipped
     * @return the slice
     */
    public static Slice range(long start, long stop) { return new Slice(start, stop, 1, false); }

    /**
     * Python's {@code start:stop:step}.
     *
     * @param start the first element; negative counts from the end, out of range is clipped
     * @param stop the bound after the last; negative counts from the end, out of range is clipped
     * @param step the distance between elements, not 0; a negative step walks backwards
     * @return the slice
     */
    public static Slice range(long start, long stop, long step) { return new Slice(start, stop, step, false); }

    /**
     * Python's {@code start:stop:step} with an open start or stop.
     *
     * @param start the first element, or null: the axis's first (its last for a negative step)
     * @param stop the bound after the last, or null: past the axis's end (its start for a negative step)
     * @param step the distance between elements, not 0; a negative step walks backwards
     * @return the slice
     */
    public static Slice of(Long start, Long stop, long step) { return new Slice(start, stop, step, false); }

    /**
     * One element; the axis is dropped.
     *
     * @param index the element; negative counts from the end
     * @return the slice
     */
    public static Slice at(long index) { return new Slice(index, null, 1, true); }

    /** {@return whether this is a single index ({@link #at}), which drops its axis} */
    public boolean isIndex() { return index; }

    /** {@return the distance between elements} */
    public long step() { return step; }

    /**
     * The element a single index selects (for {@link #at}).
     *
     * @param length the axis's length
     * @param axis the axis, for the message
     * @return the index in {@code [0, length)}
     * @throws IndexOutOfRangeException when it is out of bounds
     */
    public long index(long length, int axis) {
        long i = start < 0 ? start + length : start;
        if (i < 0 || i >= length) {
            throw new IndexOutOfRangeException("index " + start + " is out of bounds for axis " + axis + " with size " + length);
        }
        return i;
    }

    /**
     * The elements a range selects, as Python's {@code slice.indices(length)}.
     *
     * @param length the axis's length
     * @return {first, count} after clipping
     */
    public long[] firstAndCount(long length) {
        long lo, hi;
        if (step > 0) {
            lo = start == null ? 0 : clip(start, length, 0, length);
            hi = stop == null ? length : clip(stop, length, 0, length);
            long count = hi > lo ? (hi - lo + step - 1) / step : 0;
            return new long[]{lo, count};
        }
        lo = start == null ? length - 1 : clip(start, length, -1, length - 1);
        hi = stop == null ? -1 : clip(stop, length, -1, length - 1);
        long count = lo > hi ? (lo - hi + (-step) - 1) / (-step) : 0;
        return new long[]{lo, count};
    }

    private static long clip(long v, long length, long min, long max) {
        if (v < 0) v += length;
        return Math.max(min, Math.min(max, v));
    }

    @Override
    public String toString() {
        if (index) return Long.toString(start);
        return (start == null ? "" : start) + ":" + (stop == null ? "" : stop) + (step == 1 ? "" : ":" + step);
    }
}
