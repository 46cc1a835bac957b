package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.Arrays;
import java.util.List;

/**
 * The counts of numpy.histogram (equal bins over {@code [lo, hi]}) of each chunk of the input: an INT64 array of
 * shape {@code (number of input chunks, bins)} whose row {@code i}, one chunk, counts input chunk {@code i} (chunks
 * in row-major grid order). Summed over axis 0 it is the histogram of the whole array, exactly.
 */
public final class HistogramNode extends Node {
    private final int bins;
    private final double lo;
    private final double hi;

    public HistogramNode(Node input, int bins, double lo, double hi) {
        super("histogram", d -> d.add(bins).add(lo).add(hi), DType.INT64, outChunks(input.chunks(), bins), List.of(input));
        this.bins = bins;
        this.lo = lo;
        this.hi = hi;
    }

    private static Chunks outChunks(Chunks in, int bins) {
        long[] rows = new long[Math.toIntExact(in.chunkCount())];
        Arrays.fill(rows, 1);
        return Chunks.explicit(new long[][]{rows, {bins}});
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Chunks in = inputs().get(0).chunks();
        int[] inIdx = new int[in.ndim()];
        long rest = index[0];
        for (int a = in.ndim() - 1; a >= 0; a--) {
            int n = in.numChunks(a);
            inIdx[a] = (int) (rest % n);
            rest /= n;
        }
        return b.add(ownKey(index), List.of(b.key(inputs().get(0), inIdx)),
                new TaskOp.Histogram(bins, lo, hi, b.intern(new int[]{1, bins})));
    }

    @Override public Node withInputs(List<Node> inputs) { return new HistogramNode(inputs.get(0), bins, lo, hi); }

    @Override public String describe() { return "histogram counts per chunk, " + bins + " bins over [" + lo + ", " + hi + "]"; }
}
