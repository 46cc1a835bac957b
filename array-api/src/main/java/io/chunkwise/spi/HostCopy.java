package io.chunkwise.spi;

import java.util.List;

/** Strided copies between Java arrays of one element type: the host side of {@link Backend#assemble}. */
public final class HostCopy {
    private HostCopy() {}

    public static HostBlock assemble(io.chunkwise.DType dtype, int[] shape, HostBlock[] sources, List<Piece> pieces) {
        HostBlock out = HostBlock.allocate(dtype, shape);
        for (Piece p : pieces) {
            copy(sources[p.source()].data(), p.srcOffset(), p.srcStrides(), out.data(), p.dstOffset(), p.dstStrides(), p.counts());
        }
        return out;
    }

    /** Copies {@code counts} elements (per axis) with the given element strides; the inner axis is a run. */
    public static void copy(Object src, int srcOff, int[] srcStrides, Object dst, int dstOff, int[] dstStrides, int[] counts) {
        int nd = counts.length;
        for (int c : counts) if (c == 0) return;
        // trailing axes laid out contiguously in both arrays are one longer run (e.g. whole rows: one arraycopy)
        int merged = nd;
        while (merged > 1 && srcStrides[merged - 2] == counts[merged - 1] * srcStrides[merged - 1]
                && dstStrides[merged - 2] == counts[merged - 1] * dstStrides[merged - 1]) merged--;
        if (merged < nd) {
            int[] c = java.util.Arrays.copyOf(counts, merged);
            for (int a = merged; a < nd; a++) c[merged - 1] *= counts[a];
            int[] ss = java.util.Arrays.copyOf(srcStrides, merged), ds = java.util.Arrays.copyOf(dstStrides, merged);
            ss[merged - 1] = srcStrides[nd - 1];
            ds[merged - 1] = dstStrides[nd - 1];
            counts = c;
            srcStrides = ss;
            dstStrides = ds;
            nd = merged;
        }
        if (nd == 0) {
            System.arraycopy(src, srcOff, dst, dstOff, 1);
            return;
        }
        int inner = counts[nd - 1], si = srcStrides[nd - 1], di = dstStrides[nd - 1];
        int[] idx = new int[nd];
        int s = srcOff, d = dstOff;
        while (true) {
            run(src, s, si, dst, d, di, inner);
            int a = nd - 2;
            while (a >= 0) {
                idx[a]++;
                s += srcStrides[a];
                d += dstStrides[a];
                if (idx[a] < counts[a]) break;
                s -= srcStrides[a] * counts[a];
                d -= dstStrides[a] * counts[a];
                idx[a] = 0;
                a--;
            }
            if (a < 0) return;
        }
    }

    private static void run(Object src, int s, int si, Object dst, int d, int di, int n) {
        if (si == 1 && di == 1) {
            System.arraycopy(src, s, dst, d, n);
            return;
        }
        switch (src) {
            case double[] x -> { double[] y = (double[]) dst; for (int i = 0; i < n; i++) y[d + i * di] = x[s + i * si]; }
            case float[] x -> { float[] y = (float[]) dst; for (int i = 0; i < n; i++) y[d + i * di] = x[s + i * si]; }
            case long[] x -> { long[] y = (long[]) dst; for (int i = 0; i < n; i++) y[d + i * di] = x[s + i * si]; }
            case int[] x -> { int[] y = (int[]) dst; for (int i = 0; i < n; i++) y[d + i * di] = x[s + i * si]; }
            case byte[] x -> { byte[] y = (byte[]) dst; for (int i = 0; i < n; i++) y[d + i * di] = x[s + i * si]; }
            default -> throw new IllegalArgumentException("not a block array: " + src.getClass());
        }
    }
}
