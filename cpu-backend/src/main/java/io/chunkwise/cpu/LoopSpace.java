package io.chunkwise.cpu;

import java.util.Arrays;

/**
 * The iteration space of one kernel call after launch hygiene: axes of length 1 dropped and neighbouring axes
 * merged wherever every operand (and, when asked, the global flat index) steps uniformly across them, so that a
 * contiguous chunk becomes one long axis and most calls run as 1-D loops.
 *
 * <p>Positions are visited in row-major order of the original shape, which merging preserves. A range of
 * positions splits into <em>runs</em> along the innermost merged axis; within a run operand {@code i} advances
 * by {@link #innerStride(int)} and the global index by {@link #innerGlobalStride()}.
 */
final class LoopSpace {
    private final int[] shape;
    private final int[][] strides;   // [operand][axis]
    private final long[] globalStrides;
    private final long globalBase;
    private final boolean[] dense;   // operand laid out row-major over this space: position p is at offset p

    /**
     * @param shape         the output shape
     * @param strides       element strides per operand and axis (0 where broadcast)
     * @param globalStrides global flat-index strides per axis, or null when no generator needs them
     * @param globalBase    global flat index of position 0
     */
    LoopSpace(int[] shape, int[][] strides, long[] globalStrides, long globalBase) {
        int nd = shape.length;
        int ops = strides.length;
        int[] len = new int[Math.max(nd, 1)];
        int[][] st = new int[ops][Math.max(nd, 1)];
        long[] gst = new long[Math.max(nd, 1)];
        int m = 0;
        for (int a = 0; a < nd; a++) {
            if (shape[a] == 1) continue;
            if (m > 0 && mergeable(m - 1, a, shape, strides, st, globalStrides, gst)) {
                // the group so far steps by (shape[a] * stride[a]); it now steps by stride[a]
                len[m - 1] *= shape[a];
                for (int i = 0; i < ops; i++) st[i][m - 1] = strides[i][a];
                if (globalStrides != null) gst[m - 1] = globalStrides[a];
                continue;
            }
            len[m] = shape[a];
            for (int i = 0; i < ops; i++) st[i][m] = strides[i][a];
            if (globalStrides != null) gst[m] = globalStrides[a];
            m++;
        }
        if (m == 0) { // a single element (or a 0-d block)
            len[0] = 1;
            gst[0] = 1;
            m = 1;
        }
        this.shape = Arrays.copyOf(len, m);
        this.strides = new int[ops][];
        for (int i = 0; i < ops; i++) this.strides[i] = Arrays.copyOf(st[i], m);
        this.globalStrides = Arrays.copyOf(gst, m);
        this.globalBase = globalBase;
        this.dense = new boolean[ops];
        int[] rowMajor = io.chunkwise.Shapes.strides(this.shape);
        for (int i = 0; i < ops; i++) {
            boolean d = true;
            for (int a = 0; a < m; a++) d &= this.shape[a] == 1 || this.strides[i][a] == rowMajor[a];
            dense[i] = d;
        }
    }

    private static boolean mergeable(int group, int a, int[] shape, int[][] strides, int[][] groupStrides,
                                     long[] globalStrides, long[] groupGlobalStrides) {
        for (int i = 0; i < strides.length; i++) {
            if ((long) groupStrides[i][group] != (long) strides[i][a] * shape[a]) return false;
        }
        return globalStrides == null || groupGlobalStrides[group] == globalStrides[a] * shape[a];
    }

    int ndim() { return shape.length; }

    int innerLength() { return shape[shape.length - 1]; }

    /** Number of positions. */
    int size() { return io.chunkwise.Shapes.size(shape); }

    int innerStride(int operand) { return strides[operand][shape.length - 1]; }

    long innerGlobalStride() { return globalStrides[shape.length - 1]; }

    /** Whether operand {@code i} holds position {@code p} at offset {@code p} (a single contiguous read). */
    boolean dense(int operand) { return dense[operand]; }

    /** The runs of a range of positions, reusable from one tile to the next (one instance per thread). */
    final class Runs {
        int count;
        final int[] pos;        // start of each run within the range
        final int[] len;
        final int[][] offset;   // [operand][run]: element offset of the run's first position
        final long[] global;    // [run]: global flat index of the run's first position
        private final int[] idx = new int[shape.length];

        Runs(int maxLength) {
            int max = maxLength + 2; // a range may start and end mid-run
            pos = new int[max];
            len = new int[max];
            offset = new int[strides.length][max];
            global = new long[max];
        }

        /** Splits positions {@code [start, start + length)} into runs along the inner axis. */
        void split(long start, int length) {
            count = 0;
            if (length == 0) return;
            int nd = shape.length;
            long rest = start;
            for (int a = nd - 1; a >= 0; a--) {
                idx[a] = (int) (rest % shape[a]);
                rest /= shape[a];
            }
            count = 0;
            int p = 0;
            while (p < length) {
                int run = Math.min(shape[nd - 1] - idx[nd - 1], length - p);
                pos[count] = p;
                len[count] = run;
                for (int i = 0; i < strides.length; i++) {
                    int off = 0;
                    for (int a = 0; a < nd; a++) off += idx[a] * strides[i][a];
                    offset[i][count] = off;
                }
                long g = globalBase;
                for (int a = 0; a < nd; a++) g += idx[a] * globalStrides[a];
                global[count] = g;
                count++;
                p += run;
                idx[nd - 1] += run;
                for (int a = nd - 1; a > 0 && idx[a] == shape[a]; a--) {
                    idx[a] = 0;
                    idx[a - 1]++;
                }
            }
        }
    }
}
