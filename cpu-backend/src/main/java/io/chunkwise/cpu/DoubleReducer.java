package io.chunkwise.cpu;

import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;

import java.util.Arrays;

/** Doubles: floating input, and any input of MEAN, VAR and STD. */
final class DoubleReducer extends Reducer {
    private final double[] tile;
    private final PairwiseCascade cascade;
    private final double[] value, mean, m2;
    private final long[] count, index;
    private final double[] blockSum, blockSquares;

    /** For up to {@code maxLanes} outputs at once and blocks of up to {@code tileSize} elements. */
    DoubleReducer(Loops loops, ReduceOp op, int maxLanes, int tileSize) {
        super(loops, op);
        tile = new double[tileSize];
        cascade = op == ReduceOp.SUM ? new PairwiseCascade(maxLanes) : null;
        value = new double[maxLanes];
        index = new long[maxLanes];
        boolean moments = op.isMoment();
        mean = moments ? new double[maxLanes] : null;
        m2 = moments ? new double[maxLanes] : null;
        count = moments ? new long[maxLanes] : null;
        blockSum = op == ReduceOp.SUM || moments ? new double[maxLanes] : null;
        blockSquares = moments ? new double[maxLanes] : null;
    }

    @Override void reset(int lanes) {
        this.lanes = lanes;
        double identity = switch (op) {
            case PROD -> 1;
            case MIN -> Double.POSITIVE_INFINITY;
            case MAX -> Double.NEGATIVE_INFINITY;
            default -> 0;
        };
        Arrays.fill(value, 0, lanes, identity);
        Arrays.fill(index, 0, lanes, -1);
        if (op.isMoment()) {
            Arrays.fill(mean, 0, lanes, 0);
            Arrays.fill(m2, 0, lanes, 0);
            Arrays.fill(count, 0, lanes, 0);
        }
        if (cascade != null) cascade.clear(lanes);
    }

    @Override void load(Object src, int off, int stride, int tileOff, int n) {
        TileIO.loadDouble(src, off, stride, tile, tileOff, n);
    }

    /** Positions {@code [from, from + n)} of {@code values} into the tile. */
    void fill(Loops.Values values, int from, int n) {
        values.fill(from, n, tile);
    }

    @Override void acceptLine(Object src, int off, int n, long first) {
        double[] a = src == null ? tile : (double[]) src;
        int end = off + n;
        switch (op) {
            case SUM -> cascade.push(0, loops.sum(a, off, n));
            case PROD -> { double p = value[0]; for (int i = off; i < end; i++) p *= a[i]; value[0] = p; }
            case MIN -> value[0] = loops.min(a, off, n, value[0]);
            case MAX -> value[0] = loops.max(a, off, n, value[0]);
            case MEAN, VAR, STD -> {
                // two passes over the block (it is in cache), then Chan's update
                double blockMean = loops.sum(a, off, n) / n;
                addMoments(0, n, blockMean, loops.sumOfSquares(a, off, n, blockMean));
            }
            case ARGMIN, ARGMAX -> {
                boolean max = op == ReduceOp.ARGMAX;
                double best = value[0];
                long at = index[0];
                for (int i = off; i < end && !(at >= 0 && Double.isNaN(best)); i++) {
                    if (at < 0 || beats(a[i], best, max)) {
                        best = a[i];
                        at = first + (i - off);
                    }
                }
                value[0] = best;
                index[0] = at;
            }
        }
    }

    @Override void acceptRows(int rows, long first) {
        double[] t = tile;
        int w = lanes;
        switch (op) {
            case SUM -> {
                columnSums(rows);
                for (int j = 0; j < w; j++) cascade.push(j, blockSum[j]);
            }
            case PROD -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] *= t[k * w + j]; }
            case MIN -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.min(value[j], t[k * w + j]); }
            case MAX -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.max(value[j], t[k * w + j]); }
            case MEAN, VAR, STD -> {
                columnSums(rows);
                for (int j = 0; j < w; j++) blockSum[j] /= rows; // now the block means
                Arrays.fill(blockSquares, 0, w, 0);
                for (int k = 0; k < rows; k++) {
                    for (int j = 0; j < w; j++) {
                        double d = t[k * w + j] - blockSum[j];
                        blockSquares[j] += d * d;
                    }
                }
                for (int j = 0; j < w; j++) addMoments(j, rows, blockSum[j], blockSquares[j]);
            }
            case ARGMIN, ARGMAX -> {
                boolean max = op == ReduceOp.ARGMAX;
                for (int k = 0; k < rows; k++) {
                    for (int j = 0; j < w; j++) {
                        double x = t[k * w + j];
                        if (index[j] < 0 || beats(x, value[j], max)) {
                            value[j] = x;
                            index[j] = first + k;
                        }
                    }
                }
            }
        }
    }

    /** blockSum[j] = the sum of lane j over the block's rows (in row order). */
    private void columnSums(int rows) {
        int w = lanes;
        Arrays.fill(blockSum, 0, w, 0);
        for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) blockSum[j] += tile[k * w + j];
    }

    private void addMoments(int j, long n, double blockMean, double q) {
        PartialMerge.addMoments(count, mean, m2, j, n, blockMean, q);
    }

    /** Whether {@code x} replaces the earlier {@code best}: strictly better, or the first NaN. */
    static boolean beats(double x, double best, boolean max) {
        if (Double.isNaN(best)) return false;
        if (Double.isNaN(x)) return true;
        return max ? x > best : x < best;
    }

    @Override void store(Partial out, int p, int j) {
        switch (op) {
            case SUM -> ((HostBlock) out.parts()[0]).doubles()[p] = cascade.total(j);
            case PROD, MIN, MAX -> ((HostBlock) out.parts()[0]).doubles()[p] = value[j];
            case MEAN, VAR, STD -> {
                ((HostBlock) out.parts()[0]).longs()[p] = count[j];
                ((HostBlock) out.parts()[1]).doubles()[p] = mean[j];
                ((HostBlock) out.parts()[2]).doubles()[p] = m2[j];
            }
            case ARGMIN, ARGMAX -> {
                ((HostBlock) out.parts()[0]).doubles()[p] = index[j] < 0 ? Double.NaN : value[j];
                ((HostBlock) out.parts()[1]).longs()[p] = index[j];
            }
        }
    }
}
