package io.chunkwise;

import java.util.Arrays;

/**
 * A chunk grid: the chunk sizes along each axis (ragged allowed), normalised once. An axis of length 0 has one
 * chunk of size 0; every other chunk size is positive. A chunk holds at most {@code Integer.MAX_VALUE} elements.
 */
public final class Chunks {
    /**
     * Most chunks in one array: a task takes a few hundred bytes to plan and schedule, so more would be a graph of
     * tens of gigabytes (10 million chunks plan and run in a 4 GiB heap). Checked before anything is allocated.
     */
    public static final long MAX_CHUNKS = 100_000_000;
    private final long[][] sizes;
    private final long[][] offsets;
    private volatile byte[] fingerprint;

    private Chunks(long[][] sizes) {
        checkCount(sizes.length, a -> sizes[a].length, () -> describe(sizes));
        this.sizes = sizes;
        this.offsets = new long[sizes.length][];
        for (int a = 0; a < sizes.length; a++) {
            long[] off = new long[sizes[a].length + 1];
            for (int i = 0; i < sizes[a].length; i++) off[i + 1] = off[i] + sizes[a][i];
            offsets[a] = off;
        }
        double elements = 1, count = 1;   // doubles: a product of long sizes must not overflow before the check
        for (long[] s : sizes) {
            elements *= Arrays.stream(s).max().orElse(0);
            count *= s.length;
        }
        if (elements > Integer.MAX_VALUE) {
            throw new ChunkingException("chunks of " + describe(sizes) + " would hold up to " + (long) elements
                    + " elements each; a chunk holds at most " + Integer.MAX_VALUE);
        }
        for (int a = 0; a < sizes.length; a++) {
            if (offsets[a][sizes[a].length] < 0) throw new ChunkingException("chunk sizes on axis " + a + " overflow a long");
        }
    }

    /**
     * Chunks of {@code chunkShape} from the origin, the last along each axis possibly smaller.
     *
     * @param shape the array's shape
     * @param chunkShape the chunks' shape, one positive size per axis
     * @return the grid
     * @throws ChunkingException when the ranks differ or a size is not positive
     */
    public static Chunks regular(long[] shape, int[] chunkShape) {
        Shapes.checkShape(shape);
        if (chunkShape == null || chunkShape.length != shape.length) {
            throw new ChunkingException("chunk shape " + (chunkShape == null ? "null" : Arrays.toString(chunkShape))
                    + " has " + (chunkShape == null ? 0 : chunkShape.length) + " axes but the array shape "
                    + Arrays.toString(shape) + " has " + shape.length);
        }
        for (int a = 0; a < shape.length; a++) {
            if (chunkShape[a] <= 0) {
                throw new ChunkingException("chunk size " + chunkShape[a] + " on axis " + a + " of chunk shape "
                        + Arrays.toString(chunkShape) + " must be positive");
            }
        }
        // the chunk count before any per-chunk array is made
        checkCount(shape.length, a -> count(shape[a], chunkShape[a]),
                () -> "shape " + Arrays.toString(shape) + " in chunks of " + Arrays.toString(chunkShape));
        long[][] sizes = new long[shape.length][];
        for (int a = 0; a < shape.length; a++) sizes[a] = split(shape[a], chunkShape[a]);
        return new Chunks(sizes);
    }

    /**
     * Explicit chunk sizes per axis.
     *
     * @param sizesPerAxis the sizes along each axis, e.g. {@code {{1, 3}, {2, 2, 2}}} for a 4x6 array; positive, but
     *                     for the single chunk of size 0 of an axis of length 0
     * @return the grid
     * @throws ChunkingException for an axis without chunks or a size that is not positive
     */
    public static Chunks explicit(long[][] sizesPerAxis) {
        if (sizesPerAxis == null) throw new ChunkingException("chunk sizes are null");
        long[][] sizes = new long[sizesPerAxis.length][];
        for (int a = 0; a < sizesPerAxis.length; a++) {
            long[] s = sizesPerAxis[a];
            if (s == null || s.length == 0) {
                throw new ChunkingException("axis " + a + " has no chunks; an axis of length 0 has one chunk of size 0");
            }
            for (long v : s) {
                if (v < 0 || (v == 0 && s.length > 1)) {
                    throw new ChunkingException("chunk sizes " + Arrays.toString(s) + " on axis " + a
                            + " must be positive (only an axis of length 0 has a single chunk of size 0)");
                }
            }
            sizes[a] = s.clone();
        }
        return new Chunks(sizes);
    }

    /** Chunks along an axis of {@code length} in chunks of {@code chunk} (one for an empty axis). */
    private static long count(long length, long chunk) {
        return length == 0 ? 1 : length / chunk + (length % chunk == 0 ? 0 : 1);
    }

    /** Refuses a grid of more than {@link #MAX_CHUNKS} chunks, naming the count; {@code perAxis} gives each axis's count. */
    private static void checkCount(int ndim, java.util.function.IntToLongFunction perAxis, java.util.function.Supplier<String> what) {
        double count = 1;   // a double: the product of the axes' counts must not overflow before the check
        for (int a = 0; a < ndim; a++) count *= perAxis.applyAsLong(a);
        if (count > MAX_CHUNKS) {
            throw new ChunkingException(what.get() + " makes " + String.format(java.util.Locale.ROOT, "%.0f", count)
                    + " chunks; at most " + MAX_CHUNKS + " chunks per array: use larger chunks");
        }
    }

    static long[] split(long length, long chunk) {
        if (length == 0) return new long[]{0};
        long count = count(length, chunk);
        if (count > MAX_CHUNKS) {
            throw new ChunkingException("an axis of length " + length + " in chunks of " + chunk + " would have " + count
                    + " chunks; at most " + MAX_CHUNKS + " chunks per array: use larger chunks");
        }
        int n = (int) count;
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = Math.min(chunk, length - i * chunk);
        return out;
    }

    /** {@return the number of axes} */
    public int ndim() { return sizes.length; }

    /** {@return the shape of the array the grid covers (a new array)} */
    public long[] shape() {
        long[] s = new long[sizes.length];
        for (int a = 0; a < s.length; a++) s[a] = offsets[a][sizes[a].length];
        return s;
    }

    /**
     * The chunk sizes along one axis.
     *
     * @param axis the axis, from 0
     * @return the sizes, in order (a copy)
     */
    public long[] sizes(int axis) { return sizes[axis].clone(); }

    /** {@return the number of chunks along each axis} */
    public int[] grid() {
        int[] g = new int[sizes.length];
        for (int a = 0; a < g.length; a++) g[a] = sizes[a].length;
        return g;
    }

    /**
     * The number of chunks along one axis.
     *
     * @param axis the axis, from 0
     * @return its number of chunks
     */
    public int numChunks(int axis) { return sizes[axis].length; }

    /** {@return the number of chunks in the grid} */
    public long chunkCount() {
        long n = 1;
        for (long[] s : sizes) n *= s.length;
        return n;
    }

    /**
     * The size of one chunk along one axis.
     *
     * @param axis the axis, from 0
     * @param chunk the chunk's index along it
     * @return its size
     */
    public long size(int axis, int chunk) { return sizes[axis][chunk]; }

    /**
     * Where a chunk starts along an axis.
     *
     * @param axis the axis, from 0
     * @param chunk the chunk's index along it; {@code numChunks(axis)} gives the axis's length
     * @return the global offset of its first element
     */
    public long offset(int axis, int chunk) { return offsets[axis][chunk]; }

    /**
     * The shape of one chunk.
     *
     * @param index the chunk's index in the grid
     * @return its shape
     */
    public int[] chunkShape(int[] index) {
        int[] s = new int[index.length];
        for (int a = 0; a < s.length; a++) s[a] = (int) sizes[a][index[a]];
        return s;
    }

    /**
     * Where one chunk starts.
     *
     * @param index the chunk's index in the grid
     * @return the global index of its first element
     */
    public long[] chunkOffset(int[] index) {
        long[] o = new long[index.length];
        for (int a = 0; a < o.length; a++) o[a] = offsets[a][index[a]];
        return o;
    }

    /**
     * The chunk along an axis that holds a position.
     *
     * @param axis the axis, from 0
     * @param pos a global position along it, {@code 0 <= pos < length}
     * @return the index of the chunk that holds it
     */
    public int chunkAt(int axis, long pos) {
        int i = Arrays.binarySearch(offsets[axis], pos);
        if (i >= 0) return Math.min(i, sizes[axis].length - 1);
        return -i - 2;
    }

    /**
     * Whether two grids are chunked alike along an axis each.
     *
     * @param axis an axis of this grid
     * @param other the other grid
     * @param otherAxis an axis of the other grid
     * @return whether the chunk sizes along them are equal
     */
    public boolean sameAlong(int axis, Chunks other, int otherAxis) {
        return Arrays.equals(sizes[axis], other.sizes[otherAxis]);
    }

    /**
     * This grid with the chunks of one axis replaced.
     *
     * @param axis the axis, from 0
     * @param newSizes its new chunk sizes
     * @return the new grid
     */
    public Chunks withAxis(int axis, long[] newSizes) {
        long[][] s = sizes.clone();
        s[axis] = newSizes.clone();
        return new Chunks(s);
    }

    long[][] sizesView() { return sizes; }

    /**
     * A SHA-256 digest of every chunk size of every axis (with the axis count and each axis's chunk count), so that
     * two grids that differ anywhere differ here; computed once per grid, as a graph of a million chunks names
     * several layers with one grid.
     *
     * @return the digest's 32 bytes (a copy)
     */
    public byte[] fingerprint() {
        byte[] f = fingerprint;
        if (f == null) {
            java.security.MessageDigest sha = io.chunkwise.graph.Digest.sha256();
            int longs = 1;
            for (long[] axis : sizes) longs += 1 + axis.length;
            // as large as the grid needs, up to 8 KiB: graphs make grids all the time, most of a few chunks
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * Math.min(longs, 1024));
            b.putLong(sizes.length);
            for (long[] axis : sizes) {
                b.putLong(axis.length);
                for (long s : axis) {
                    if (!b.hasRemaining()) {
                        sha.update(b.array(), 0, b.position());
                        b.clear();
                    }
                    b.putLong(s);
                }
                if (b.remaining() < 16) {
                    sha.update(b.array(), 0, b.position());
                    b.clear();
                }
            }
            sha.update(b.array(), 0, b.position());
            fingerprint = f = sha.digest();
        }
        return f.clone();
    }

    /**
     * {@return chunk {@code index}'s position in the row-major order of the grid (the order of {@link #forEachIndex})}
     *
     * @param index a chunk index of this grid
     */
    public int flatIndex(int[] index) {
        int f = 0;
        for (int a = 0; a < sizes.length; a++) f = f * sizes[a].length + index[a];
        return f;
    }

    /**
     * Visits every chunk index in row-major order.
     *
     * @param action called with each index (a new array each time)
     */
    public void forEachIndex(java.util.function.Consumer<int[]> action) {
        Shapes.forEachIndex(grid(), action);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunks c && Arrays.deepEquals(sizes, c.sizes);
    }

    @Override
    public int hashCode() { return Arrays.deepHashCode(sizes); }

    @Override
    public String toString() { return describe(sizes); }

    static String describe(long[][] sizes) {
        StringBuilder b = new StringBuilder("(");
        for (int a = 0; a < sizes.length; a++) {
            if (a > 0) b.append(", ");
            long[] s = sizes[a];
            boolean regular = s.length > 1 && Arrays.stream(s, 0, s.length - 1).allMatch(v -> v == s[0]) && s[s.length - 1] <= s[0];
            if (s.length <= 4) b.append(Arrays.toString(s));
            else if (regular) b.append(s[0]).append("x").append(s.length);
            else b.append("[").append(s[0]).append(", ").append(s[1]).append(", ... ").append(s.length).append(" chunks]");
        }
        return b.append(sizes.length == 1 ? ",)" : ")").toString();
    }
}
