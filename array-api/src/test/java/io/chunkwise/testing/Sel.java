package io.chunkwise.testing;

import io.chunkwise.Slice;

import java.util.ArrayList;
import java.util.List;

/**
 * One axis of a basic-indexing expression as the tests spell it: Python's {@code start:stop:step} (either end may
 * be open) or a single index. {@link #positions} is the oracle's own reading of Python's rules; {@link #toSlice}
 * gives the library's {@link Slice} for the same selection.
 */
public record Sel(Long start, Long stop, long step, boolean isIndex) {
    public static Sel all() { return new Sel(null, null, 1, false); }

    public static Sel range(Long start, Long stop, long step) { return new Sel(start, stop, step, false); }

    public static Sel index(long i) { return new Sel(i, null, 1, true); }

    /** The library's spelling of this selection (the closest constructor for it, so each one gets used). */
    public Slice toSlice() {
        if (isIndex) return Slice.at(start);
        if (start == null && stop == null && step == 1) return Slice.all();
        if (start != null && stop != null) return step == 1 ? Slice.range(start, stop) : Slice.range(start, stop, step);
        return Slice.of(start, stop, step);
    }

    /** The positions selected on an axis of {@code length}, in order (Python's {@code range(*slice.indices(n))}). */
    public long[] positions(long length) {
        if (isIndex) {
            long i = start < 0 ? start + length : start;
            if (i < 0 || i >= length) throw new IndexOutOfBoundsException("index " + start + " for length " + length);
            return new long[]{i};
        }
        long lo, hi;
        if (step > 0) {
            lo = start == null ? 0 : clip(start, length, 0, length);
            hi = stop == null ? length : clip(stop, length, 0, length);
        } else {
            lo = start == null ? length - 1 : clip(start, length, -1, length - 1);
            hi = stop == null ? -1 : clip(stop, length, -1, length - 1);
        }
        List<Long> out = new ArrayList<>();
        for (long p = lo; step > 0 ? p < hi : p > hi; p += step) out.add(p);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long clip(long v, long length, long min, long max) {
        long w = v < 0 ? v + length : v;
        return Math.max(min, Math.min(max, w));
    }

    @Override
    public String toString() {
        if (isIndex) return Long.toString(start);
        return (start == null ? "" : start) + ":" + (stop == null ? "" : stop) + (step == 1 ? "" : ":" + step);
    }
}
