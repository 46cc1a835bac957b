package io.chunkwise.gpu;

import io.chunkwise.spi.Region;

import java.util.Arrays;

/**
 * The iteration space of one fused kernel launch after launch hygiene (STYLE lesson 8): axes of length 1 dropped and
 * neighbouring axes merged wherever every input (and the global flat index, when a generator reads it) steps
 * uniformly across them, so that a dense chunk is one axis and the kernel does one division per remaining axis.
 * Positions keep the row-major order of the chunk, which the output is written in.
 *
 * @param dims       the merged axis lengths, at least one axis
 * @param strides    {@code strides[i][k]}: element stride of the {@code i}-th input passed along merged axis {@code k}
 * @param globalBase the global flat index of the chunk's first element
 * @param global     the global flat index's stride along each merged axis
 */
record FusedGeometry(long[] dims, long[][] strides, long globalBase, long[] global) {
    int rank() { return dims.length; }

    long size() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    /**
     * The space of {@code region} for inputs with {@code inputStrides} (per input, per axis of the region); the global
     * index is merged too when {@code withGlobal}.
     */
    static FusedGeometry of(Region region, int[][] inputStrides, boolean withGlobal) {
        int[] shape = region.shape();
        long[] gStrides = region.globalStrides();
        long base = 0;
        for (int a = 0; a < shape.length; a++) base += region.offset()[a] * gStrides[a];
        int ops = inputStrides.length;
        long[] len = new long[Math.max(shape.length, 1)];
        long[][] st = new long[ops][len.length];
        long[] gst = new long[len.length];
        int m = 0;
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] == 1) continue;
            if (m > 0 && mergeable(m - 1, a, shape, inputStrides, st, withGlobal ? gStrides : null, gst)) {
                len[m - 1] *= shape[a]; // the merged axis now steps by axis a's strides
                for (int i = 0; i < ops; i++) st[i][m - 1] = inputStrides[i][a];
                gst[m - 1] = gStrides[a];
                continue;
            }
            len[m] = shape[a];
            for (int i = 0; i < ops; i++) st[i][m] = inputStrides[i][a];
            gst[m] = gStrides[a];
            m++;
        }
        if (m == 0) { // one element
            len[0] = 1;
            m = 1;
        }
        long[][] outStrides = new long[ops][];
        for (int i = 0; i < ops; i++) outStrides[i] = Arrays.copyOf(st[i], m);
        return new FusedGeometry(Arrays.copyOf(len, m), outStrides, base, withGlobal ? Arrays.copyOf(gst, m) : new long[m]);
    }

    /** Whether axis {@code a} continues merged axis {@code k}: every operand steps by the same stride across both. */
    private static boolean mergeable(int k, int a, int[] shape, int[][] inputStrides, long[][] st, long[] global, long[] gst) {
        for (int i = 0; i < inputStrides.length; i++) {
            if (st[i][k] != (long) shape[a] * inputStrides[i][a]) return false;
        }
        return global == null || gst[k] == shape[a] * global[a];
    }
}
