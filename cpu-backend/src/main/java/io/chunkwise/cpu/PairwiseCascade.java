package io.chunkwise.cpu;

import java.util.Arrays;

/** Pairwise addition of a stream of block sums, per lane: a binary counter of partial sums per power of two. */
final class PairwiseCascade {
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
