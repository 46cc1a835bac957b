package io.chunkwise.cpu;

import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.SharedWork;
import io.chunkwise.spi.UnaryOp;

/**
 * The inner loops of the CPU kernels, one family per kind of kernel, each declared for {@code double[]} (every
 * floating dtype) and for {@code long[]} (every integer dtype and BOOL) ranges given as array, offset and
 * length. {@link ScalarLoops} is plain Java (the fallback and the reference); {@link VectorLoops} overrides the hot
 * loops with the Java Vector API. {@link Vectorization#loops()} picks one per JVM. The implementations that the two
 * types share are written once, in templates under {@code src/codegen}, and generated per type by the build
 * ({@link TypedScalarLoops}, {@link TypedVectorLoops}).
 *
 * <p>Both give bit-identical results: elementwise ops are exact or element by element the same function, min and
 * max do not depend on the order, and order-sensitive float sums follow one fixed order defined here, whatever the
 * vector width: {@link #sum} is pairwise, halving ranges at multiples of {@link #LANES} down to leaves of at most
 * {@link #LEAF} elements; a leaf accumulates element {@code i} into logical lane {@code i % LANES} (the last
 * {@code n % LANES} elements into lanes {@code 0, 1, ...}), and its lanes are folded in halves ({@code s[j] +=
 * s[j + 8]}, then {@code + 4}, {@code + 2}, {@code + 1}). Only {@link #addLanes} and {@link #addSquaredLanes}, the loops
 * over whole rows of lanes, differ between implementations.
 *
 * <p>Output ranges never overlap input ranges unless they are the same range (in place).
 */
abstract class Loops {
    /** Logical lanes of an order-sensitive sum: 4 vectors of 4 doubles (256-bit) in {@link VectorLoops}. */
    static final int LANES = 16;
    /** Most elements a pairwise leaf sums in lanes (each lane then adds up at most 64 elements). */
    static final int LEAF = 1024;
    /**
     * Leaves a piece of a large sum's shared work ({@link SharedWork}): up to 64 K values, some tens of microseconds,
     * so that a worker that helps finds pieces until the end, and claiming one costs nothing next to it.
     */
    static final int LEAVES_PER_PIECE = 64;

    /** What runs the loops, for logs and {@code toString}. */
    abstract String describe();

    // ---------------------------------------------------------------- elementwise, floating

    abstract void unary(UnaryOp op, double[] x, int xo, double[] out, int oo, int n);

    /** Arithmetic (not comparisons): {@code out = a op b}. */
    abstract void binary(BinaryOp op, double[] a, int ao, double[] b, int bo, double[] out, int oo, int n);

    /** {@code out = a op b} for a scalar {@code b}. */
    abstract void binary(BinaryOp op, double[] a, int ao, double b, double[] out, int oo, int n);

    /** {@code out = a op b} for a scalar {@code a}. */
    abstract void binary(BinaryOp op, double a, double[] b, int bo, double[] out, int oo, int n);

    /** Predicates (comparisons, logical ops) to 0/1; any comparison with NaN is false except NE. */
    abstract void compare(BinaryOp op, double[] a, int ao, double[] b, int bo, long[] out, int oo, int n);

    /** Unary predicates (isnan, logical_not, ...) to 0/1. */
    abstract void predicate(UnaryOp op, double[] x, int xo, long[] out, int oo, int n);

    /** {@code out = cond != 0 ? a : b}. */
    abstract void where(long[] cond, int co, double[] a, int ao, double[] b, int bo, double[] out, int oo, int n);

    // ---------------------------------------------------------------- elementwise, integer and boolean

    abstract void unary(UnaryOp op, long[] x, int xo, long[] out, int oo, int n);

    /** Arithmetic with two's-complement wraparound. */
    abstract void binary(BinaryOp op, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n);

    abstract void binary(BinaryOp op, long[] a, int ao, long b, long[] out, int oo, int n);

    abstract void binary(BinaryOp op, long a, long[] b, int bo, long[] out, int oo, int n);

    abstract void compare(BinaryOp op, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n);

    abstract void predicate(UnaryOp op, long[] x, int xo, long[] out, int oo, int n);

    abstract void where(long[] cond, int co, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n);

    // ---------------------------------------------------------------- reductions

    /** {@code init} and {@code a[off .. off+n)} folded with {@link Math#min} (NaN wins; -0 below +0). */
    abstract double min(double[] a, int off, int n, double init);

    abstract double max(double[] a, int off, int n, double init);

    /** Wrapping sum. */
    abstract long sum(long[] a, int off, int n);

    abstract long min(long[] a, int off, int n, long init);

    abstract long max(long[] a, int off, int n, long init);

    /**
     * {@code lanes[j] += a[off + r * LANES + j]} for every row {@code r < m / LANES}, in row order ({@code m} is a
     * multiple of LANES).
     */
    abstract void addLanes(double[] a, int off, int m, double[] lanes);

    /** As {@link #addLanes} with {@code (a[k] - mean) * (a[k] - mean)} (a multiply, then an add: no FMA). */
    abstract void addSquaredLanes(double[] a, int off, int m, double mean, double[] lanes);

    // ---------------------------------------------------------------- random numbers

    /** The random-value loops that go with these loops (vectorised or plain): {@link RandomLoops}. */
    abstract RandomLoops random();

    // ---------------------------------------------------------------- sums

    /**
     * The pairwise sum of {@code a[off .. off+n)} in the order of the class comment; -0.0 when n is 0. Above one leaf
     * the leaves are summed by {@link #leafSums}, one call over all of them ({@link LeafSums}): a loop of its own that
     * the JIT compiles on its own. Summed one call per leaf, the leaf's vector code was inlined into the pairwise
     * recursion and now and then compiled there without the Vector API's intrinsics (x.sum() 5 times slower in about
     * one JVM of six; RESULTS.md).
     */
    final double sum(double[] a, int off, int n) {
        if (n <= LEAF) return leafSum(a, off, n, Double.NaN, false, new double[LANES]);
        return new LeafSums(new Values() {
            @Override public void fill(int from, int count, double[] out) { System.arraycopy(a, off + from, out, 0, count); }

            @Override public boolean sumsLeaves() { return true; }

            @Override public void leafSums(int[] offs, int[] lens, int from, int to, double[] sums) {
                Loops.this.leafSums(a, off, offs, lens, from, to, sums);
            }
        }, n).sum(this);
    }

    /** {@code sums[k]} = {@link #leafSum} of {@code a[base + offs[k] .. + lens[k])} for {@code from <= k < to}. */
    void leafSums(double[] a, int base, int[] offs, int[] lens, int from, int to, double[] sums) {
        double[] lanes = new double[LANES];
        for (int k = from; k < to; k++) sums[k] = leafSum(a, base + offs[k], lens[k], Double.NaN, false, lanes);
    }

    /** The pairwise sum of {@code (a[k] - mean)^2} over {@code a[off .. off+n)}, in the same order. */
    final double sumOfSquares(double[] a, int off, int n, double mean) {
        return sum(a, off, n, mean, true, new double[LANES]);
    }

    /** Values computed on demand: positions {@code [from, from + n)} of a range written to {@code out[0 .. n)}. */
    interface Values {
        void fill(int from, int n, double[] out);

        /**
         * Whether {@link #leafSums} sums leaves where their values are computed: then {@link #sum(Values, int)} takes
         * the sums of its leaves of whole rows of lanes from it, rather than filling windows and summing those.
         */
        default boolean sumsLeaves() { return false; }

        /**
         * {@code sums[k]} = the sum of positions {@code [off[k], off[k] + len[k])} in the order of {@link #leafSum}
         * for {@code from <= k < to}, each {@code len[k]} a multiple of {@link #LANES} and at most {@link #LEAF};
         * only where {@link #sumsLeaves}. Called from several threads at once on different leaves.
         */
        default void leafSums(int[] off, int[] len, int from, int to, double[] sums) {
            throw new UnsupportedOperationException("these values are not summed by leaf");
        }
    }

    /**
     * The pairwise sum of positions {@code [0, n)} of {@code values}, in the order of {@link #sum(double[], int, int)}
     * (bit for bit the sum of the same values in an array). The values are computed a window of
     * {@link Window#SIZE} positions at a time, as the leaves reach it, so they are never all held at once; or, where
     * the values sum their own leaves ({@link Values#sumsLeaves}), the recursion runs twice: once to list its leaves,
     * whose sums the values then compute (idle workers of the computation helping: {@link SharedWork}), once to add
     * those up.
     */
    final double sum(Values values, int n) {
        if (values.sumsLeaves()) return new LeafSums(values, n).sum(this);
        return sum(null, 0, n, Double.NaN, false, new double[LANES], new Window(values, n));
    }

    private double sum(double[] a, int off, int n, double mean, boolean squares, double[] lanes) {
        return sum(a, off, n, mean, squares, lanes, null);
    }

    /** The pairwise recursion; with a {@code window}, leaves are read from it ({@code a} is unused). */
    private double sum(double[] a, int off, int n, double mean, boolean squares, double[] lanes, Window window) {
        if (n > LEAF) {
            int half = n / 2 / LANES * LANES;
            double left = sum(a, off, half, mean, squares, lanes, window);
            return left + sum(a, off + half, n - half, mean, squares, lanes, window);
        }
        if (window != null) {
            off = window.at(off, n);
            a = window.buffer;
        }
        return leafSum(a, off, n, mean, squares, lanes);
    }

    /**
     * One leaf of {@link #sum}: its elements (or squared deviations) into the logical lanes, folded in halves.
     * {@code lanes} is scratch. {@link VectorLoops} keeps the lanes of whole leaves in registers.
     */
    double leafSum(double[] a, int off, int n, double mean, boolean squares, double[] lanes) {
        java.util.Arrays.fill(lanes, -0.0); // the identity of + (keeps the sign of a sum of -0.0s)
        int m = n - n % LANES;
        if (squares) addSquaredLanes(a, off, m, mean, lanes);
        else addLanes(a, off, m, lanes);
        for (int j = 0; j < n - m; j++) {
            double x = a[off + m + j];
            if (squares) {
                double d = x - mean;
                lanes[j] += d * d;
            } else {
                lanes[j] += x;
            }
        }
        for (int w = LANES / 2; w > 0; w /= 2) {
            for (int j = 0; j < w; j++) lanes[j] += lanes[j + w];
        }
        return lanes[0];
    }

    /**
     * Values computed a window at a time (16 leaves, 128 KiB: the leaves' reads stay in the L2 cache); the pairwise
     * recursion visits its leaves in increasing order, so a window is computed once.
     */
    private static final class Window {
        static final int SIZE = 16 * LEAF;
        final Values values;
        final int total;
        final double[] buffer;
        int start, length;

        Window(Values values, int total) {
            this.values = values;
            this.total = total;
            this.buffer = new double[Math.min(SIZE, total)];
        }

        /** Where positions {@code [from, from + n)} are in {@link #buffer}, computing a new window when they are not there. */
        int at(int from, int n) {
            if (from < start || from + n > start + length) {
                start = from;
                length = Math.min(buffer.length, total - from);
                values.fill(start, length, buffer);
            }
            return from - start;
        }
    }

    /**
     * The pairwise sum of values that sum their own leaves ({@link Values#leafSums}), in two passes of the recursion
     * of {@link #sum(double[], int, int, double, boolean, double[], Window)} (the same halving, the same leaves; a
     * recursion of its own, so that the array sums' compiled code stays as it was): the first lists the leaves, the
     * values sum them in one call, the second adds the sums up in the recursion's order. A last leaf that is not
     * whole rows of lanes is filled and summed here.
     */
    private static final class LeafSums {
        final Values values;
        final int n;
        int[] off, len;
        double[] sums;
        int count;

        LeafSums(Values values, int n) {
            this.values = values;
            this.n = n;
            int leaves = n / (LEAF / 2) + 1;   // about: leaves hold about LEAF / 2 to LEAF values
            off = new int[leaves];
            len = new int[leaves];
        }

        double sum(Loops loops) {
            list(0, n);
            sums = new double[count];
            int whole = count > 0 && len[count - 1] % LANES != 0 ? count - 1 : count;
            // each leaf's sum to its own slot, whichever thread computes it: the same sums as one thread's
            SharedWork.forRange(whole, LEAVES_PER_PIECE, (from, to) -> values.leafSums(off, len, from, to, sums));
            if (whole < count) {
                double[] tail = new double[len[whole]];
                values.fill(off[whole], tail.length, tail);
                sums[whole] = loops.leafSum(tail, 0, tail.length, Double.NaN, false, new double[LANES]);
            }
            count = 0;
            return add(n);
        }

        /** The first pass: the leaves of {@code [from, from + n)}, in order. */
        private void list(int from, int n) {
            if (n > LEAF) {
                int half = n / 2 / LANES * LANES;
                list(from, half);
                list(from + half, n - half);
                return;
            }
            if (count == off.length) {
                off = java.util.Arrays.copyOf(off, 2 * count);
                len = java.util.Arrays.copyOf(len, 2 * count);
            }
            off[count] = from;
            len[count++] = n;
        }

        /** The second pass: the leaf sums of {@code n} positions added up as the recursion adds them. */
        private double add(int n) {
            if (n > LEAF) {
                int half = n / 2 / LANES * LANES;
                double left = add(half);
                return left + add(n - half);
            }
            return sums[count++];
        }
    }

    // ---------------------------------------------------------------- fused chains

    /**
     * Runs a chain ({@link ChainProgram}) over positions {@code [from, to)} in one pass where these loops can, from
     * {@code from} up to the returned position (the caller does the rest tile by tile); here none.
     */
    int chain(ChainProgram program, double[][] inputs, int from, int to, double[] dst, int dstOffset) { return from; }

    /** {@link #chain} of a float32 chain on float arrays. */
    int chain(ChainProgram program, float[][] inputs, int from, int to, float[] dst, int dstOffset) { return from; }

    /** The chain compiled for its shape ({@link ChainKernel}), or null where these loops have none (here none). */
    ChainKernel chainKernel(ChainProgram program) { return null; }
}
