package io.chunkwise.testing;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seeded generators of random test inputs: shapes from 0-d to 4-d with size-0 and size-1 axes, regular and ragged
 * chunkings, and data for every dtype (never all zeros, with negative values, NaN and infinities on request).
 * Everything drawn from one seed, so a failure repeats with {@code -Dchunkwise.test.seeds=SEED}.
 */
public final class RandomCases {
    public static final DType[] DTYPES = {DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32, DType.BOOL};
    public static final DType[] NUMERIC = {DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32};

    private final long seed;
    private final Random rnd;

    public RandomCases(long seed) {
        this.seed = seed;
        this.rnd = new Random(seed);
    }

    public long seed() { return seed; }

    public Random random() { return rnd; }

    /** Uniform in {@code [lo, hi]}. */
    public int between(int lo, int hi) { return lo + rnd.nextInt(hi - lo + 1); }

    public boolean chance(double p) { return rnd.nextDouble() < p; }

    @SafeVarargs
    public final <T> T pick(T... options) { return options[rnd.nextInt(options.length)]; }

    public <T> T pick(List<T> options) { return options.get(rnd.nextInt(options.size())); }

    public DType dtype() { return pick(DTYPES); }

    // ---- shapes ----

    /** A random shape of {@code minNd..maxNd} axes, small enough for fast tests (at most a few thousand elements). */
    public long[] shape(int minNd, int maxNd) {
        int nd = between(minNd, maxNd);
        int maxLen = switch (nd) {
            case 0, 1 -> 50;
            case 2 -> 24;
            case 3 -> 10;
            default -> 6;
        };
        return shape(nd, maxLen, true);
    }

    /** {@code nd} axes, each 1..maxLen, some of length 1 and (with {@code zeros}) rarely 0. */
    public long[] shape(int nd, int maxLen, boolean zeros) {
        long[] s = new long[nd];
        for (int a = 0; a < nd; a++) {
            double u = rnd.nextDouble();
            s[a] = zeros && u < 0.07 ? 0 : u < 0.22 ? 1 : between(1, maxLen);
        }
        return s;
    }

    /** A shape without size-0 axes. */
    public long[] nonEmptyShape(int minNd, int maxNd) {
        long[] s = shape(minNd, maxNd);
        for (int a = 0; a < s.length; a++) if (s[a] == 0) s[a] = between(1, 5);
        return s;
    }

    /** A regular chunk shape for {@code shape}: each axis 1..length (a length-0 axis takes any positive size). */
    public int[] chunkShape(long[] shape) {
        int[] c = new int[shape.length];
        for (int a = 0; a < c.length; a++) c[a] = (int) (shape[a] <= 1 ? between(1, 3) : between(1, (int) shape[a]));
        return c;
    }

    /** Ragged (or sometimes regular) chunk sizes along an axis of {@code length}. */
    public long[] raggedSizes(long length) {
        if (length == 0) return new long[]{0};
        List<Long> out = new ArrayList<>();
        long left = length;
        while (left > 0) {
            long s = chance(0.3) ? 1 : between(1, (int) Math.max(1, Math.min(left, 1 + length / 2)));
            s = Math.min(s, left);
            out.add(s);
            left -= s;
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** A random chunk grid for {@code shape}: regular half of the time, ragged otherwise. */
    public Chunks chunks(long[] shape) {
        if (chance(0.5)) return Chunks.regular(shape, chunkShape(shape));
        long[][] sizes = new long[shape.length][];
        for (int a = 0; a < shape.length; a++) sizes[a] = raggedSizes(shape[a]);
        return Chunks.explicit(sizes);
    }

    /**
     * Two chunk grids for {@code shape}: unrelated half of the time; otherwise twins that agree along every axis on
     * the number of chunks and on the first two sizes, and differ after them along the axes longer than 6 (shorter
     * axes get the same sizes in both), so that nothing which summarises a grid can tell the two apart.
     */
    public Chunks[] twoChunkings(long[] shape) {
        if (chance(0.5)) return new Chunks[]{chunks(shape), chunks(shape)};
        long[][] a = new long[shape.length][], b = new long[shape.length][];
        for (int ax = 0; ax < shape.length; ax++) {
            long n = shape[ax];
            if (n < 7) {
                a[ax] = raggedSizes(n);
                b[ax] = a[ax];
                continue;
            }
            long head = between(1, 2), next = between(1, 2), rest = n - head - next;
            int parts = between(3, (int) Math.min(6, rest));
            a[ax] = headThenParts(head, next, rest, parts);
            b[ax] = headThenParts(head, next, rest, parts);
        }
        return new Chunks[]{Chunks.explicit(a), Chunks.explicit(b)};
    }

    /** {@code head, next}, then {@code rest} cut into {@code parts} random positive sizes. */
    private long[] headThenParts(long head, long next, long rest, int parts) {
        java.util.TreeSet<Long> cuts = new java.util.TreeSet<>();
        while (cuts.size() < parts - 1) cuts.add((long) between(1, (int) rest - 1));
        long[] s = new long[parts + 2];
        s[0] = head;
        s[1] = next;
        long prev = 0;
        int i = 2;
        for (long c : cuts) {
            s[i++] = c - prev;
            prev = c;
        }
        s[i] = rest - prev;
        return s;
    }

    /**
     * A view of an array of {@code shape} that broadcasts against the array itself: all of it, reversed along an
     * axis, one position {@code k:k+1} of an axis, or axis 0 dropped at {@code k} ({@code Slice.at}).
     */
    public Sel[] broadcastView(long[] shape) {
        int nd = shape.length;
        int kind = nd == 0 ? 0 : between(0, 3);
        int ax = kind == 3 ? 0 : between(0, Math.max(0, nd - 1));
        if (kind >= 2 && shape[ax] == 0) kind = 1;
        if (kind == 0) return new Sel[0];
        long k = kind >= 2 ? between(0, (int) shape[ax] - 1) : 0;
        Sel[] s = new Sel[ax + 1];
        Arrays.fill(s, Sel.all());
        s[ax] = switch (kind) {
            case 1 -> Sel.range(null, null, -1);
            case 2 -> Sel.range(k, k + 1, 1);
            default -> Sel.index(k);
        };
        return s;
    }

    /**
     * An operand shape that broadcasts to {@code out}: some leading axes dropped, some axes set to 1.
     */
    public long[] broadcastable(long[] out) {
        int drop = chance(0.3) ? between(0, out.length) : 0;
        long[] s = Arrays.copyOfRange(out, drop, out.length);
        for (int a = 0; a < s.length; a++) if (chance(0.25)) s[a] = 1;
        return s;
    }

    /** A random subset of {@code 0..nd-1} in random order, each axis sometimes spelled negative; may be empty. */
    public int[] axes(int nd) {
        List<Integer> all = new ArrayList<>();
        for (int a = 0; a < nd; a++) if (chance(0.5)) all.add(chance(0.4) ? a - nd : a);
        Collections.shuffle(all, rnd);
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A random permutation of {@code 0..nd-1}, each axis sometimes spelled negative. */
    public int[] permutation(int nd) {
        List<Integer> p = new ArrayList<>();
        for (int a = 0; a < nd; a++) p.add(a);
        Collections.shuffle(p, rnd);
        return p.stream().mapToInt(a -> chance(0.3) ? a - nd : a).toArray();
    }

    /** A random shape of {@code size} elements (0 to 4 axes), with one axis -1 at times. */
    public long[] reshapeTarget(long size, boolean allowInfer) {
        int nd = size == 1 ? between(0, 3) : between(1, 4);
        long[] s = new long[nd];
        if (size == 0) {
            for (int a = 0; a < nd; a++) s[a] = between(1, 4);
            s[rnd.nextInt(nd)] = 0;
            return s;
        }
        long left = size;
        for (int a = 0; a < nd - 1; a++) {
            List<Long> divisors = new ArrayList<>();
            for (long d = 1; d <= left; d++) if (left % d == 0) divisors.add(d);
            s[a] = pick(divisors);
            left /= s[a];
        }
        if (nd > 0) s[nd - 1] = left;
        List<Long> list = new ArrayList<>();
        for (long v : s) list.add(v);
        Collections.shuffle(list, rnd);
        for (int a = 0; a < nd; a++) s[a] = list.get(a);
        if (allowInfer && nd > 0 && chance(0.4)) s[rnd.nextInt(nd)] = -1;
        return s;
    }

    /** Random basic indexing for {@code shape}: ranges with steps (negative too), open ends, and indices. */
    public Sel[] selection(long[] shape) {
        int n = between(0, shape.length);
        Sel[] out = new Sel[n];
        for (int a = 0; a < n; a++) {
            long len = shape[a];
            double u = rnd.nextDouble();
            if (len > 0 && u < 0.2) {
                long i = between(0, (int) len - 1);
                out[a] = Sel.index(chance(0.4) ? i - len : i);
            } else if (u < 0.3) {
                out[a] = Sel.all();
            } else {
                long step = chance(0.5) ? 1 : (chance(0.5) ? 1 : -1) * between(1, 4);
                Long start = chance(0.2) ? null : (long) between((int) -len - 2, (int) len + 2);
                Long stop = chance(0.2) ? null : (long) between((int) -len - 2, (int) len + 2);
                out[a] = Sel.range(start, stop, step);
            }
        }
        return out;
    }

    // ---- data ----

    /**
     * {@code n} values for {@code t}: floats mostly in [-10, 10) with some integers and zeros (and NaN, +inf, -inf
     * where {@code specials}), integers in [-100, 100], bools 0/1. Never all zeros; negative where {@code n >= 2}.
     */
    public double[] values(DType t, int n, boolean specials) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (t) {
                case FLOAT64, FLOAT32 -> floatValue(specials);
                case INT64, INT32 -> between(-100, 100);
                case BOOL -> rnd.nextBoolean() ? 1 : 0;
            };
            if (t == DType.FLOAT32) v[i] = (float) v[i];
        }
        if (n > 0 && Arrays.stream(v).allMatch(x -> x == 0)) v[rnd.nextInt(n)] = 1;
        if (t != DType.BOOL && n >= 2 && Arrays.stream(v).noneMatch(x -> x < 0)) {
            int i = rnd.nextInt(n);
            v[i] = -between(1, 9);
            if (Arrays.stream(v).noneMatch(x -> x > 0)) v[(i + 1) % n] = between(1, 9);
        }
        return v;
    }

    private double floatValue(boolean specials) {
        double u = rnd.nextDouble();
        if (specials) {
            if (u < 0.04) return Double.NaN;
            if (u < 0.06) return Double.POSITIVE_INFINITY;
            if (u < 0.08) return Double.NEGATIVE_INFINITY;
        }
        if (u < 0.12) return 0.0;
        if (u < 0.25) return between(-5, 5);
        if (u < 0.30) return (rnd.nextDouble() - 0.5) * 1e-3;
        return rnd.nextDouble() * 20 - 10;
    }

    /** Values for products that neither overflow nor underflow: magnitudes in [0.7, 1.4]; integers in {-1, 1} with at most 20 twos. */
    public double[] productValues(DType t, int n) {
        double[] v = new double[n];
        int twos = 0;
        for (int i = 0; i < n; i++) {
            if (NumpyTypes.isFloating(t)) {
                v[i] = (rnd.nextBoolean() ? 1 : -1) * Math.exp(rnd.nextDouble() * 0.7 - 0.35);
                if (t == DType.FLOAT32) v[i] = (float) v[i];
            } else if (t == DType.BOOL) {
                v[i] = chance(0.9) ? 1 : 0;
            } else if (twos < 20 && chance(0.1)) {
                v[i] = 2;
                twos++;
            } else {
                v[i] = rnd.nextBoolean() ? 1 : -1;
            }
        }
        return v;
    }

    // ---- arrays ----

    /** A chunked array with its oracle: the same values as a {@link Dense} and the dtype. */
    public record Case(ChunkedArray array, Dense dense, DType dtype) {
        @Override public String toString() { return dtype + " " + Arrays.toString(dense.shape()) + " chunks " + array.chunks(); }
    }

    /** A random array of {@code t} in {@code shape} with random chunks, made through a random creation call. */
    public Case array(Chunkwise cw, DType t, long[] shape, boolean specials) {
        return array(cw, t, shape, values(t, (int) Dense.size(shape), specials));
    }

    public Case array(Chunkwise cw, DType t, long[] shape, double[] values) {
        boolean ragged = chance(0.5);
        Chunks chunks = ragged ? chunks(shape) : null;
        int[] cs = ragged ? null : chunkShape(shape);
        return new Case(create(cw, t, shape, values, chunks, cs), Dense.of(values, shape), t);
    }

    /** The values as a chunked array of {@code t}, through {@code fromArray} (or {@code fromNDArray} for bools). */
    public static ChunkedArray create(Chunkwise cw, DType t, long[] shape, double[] v, Chunks chunks, int[] chunkShape) {
        int n = v.length;
        switch (t) {
            case FLOAT64 -> {
                return chunks != null ? cw.fromArray(v.clone(), shape, chunks) : cw.fromArray(v.clone(), shape, chunkShape);
            }
            case FLOAT32 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float) v[i];
                return chunks != null ? cw.fromArray(f, shape, chunks) : cw.fromArray(f, shape, chunkShape);
            }
            case INT64 -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) l[i] = (long) v[i];
                return chunks != null ? cw.fromArray(l, shape, chunks) : cw.fromArray(l, shape, chunkShape);
            }
            case INT32 -> {
                int[] k = new int[n];
                for (int i = 0; i < n; i++) k[i] = (int) v[i];
                return chunks != null ? cw.fromArray(k, shape, chunks) : cw.fromArray(k, shape, chunkShape);
            }
            default -> {
                byte[] b = new byte[n];
                for (int i = 0; i < n; i++) b[i] = (byte) (v[i] != 0 ? 1 : 0);
                NDArray nd = NDArray.ofBools(b, shape);
                return chunks != null ? cw.fromNDArray(nd, chunks) : cw.fromNDArray(nd, chunkShape);
            }
        }
    }
}
