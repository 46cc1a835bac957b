package io.chunkwise.cpu;

import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;

import java.util.Arrays;

/** Longs: integer and boolean input of SUM, PROD, MIN, MAX, ARGMIN and ARGMAX (sums and products wrap). */
final class LongReducer extends Reducer {
    private final long[] tile;
    private final long[] value, index;

    LongReducer(Loops loops, ReduceOp op, int maxLanes, int tileSize) {
        super(loops, op);
        if (op.isMoment()) throw new IllegalArgumentException(op + " reduces in double");
        tile = new long[tileSize];
        value = new long[maxLanes];
        index = new long[maxLanes];
    }

    @Override void reset(int lanes) {
        this.lanes = lanes;
        long identity = switch (op) {
            case PROD -> 1;
            case MIN -> Long.MAX_VALUE;
            case MAX -> Long.MIN_VALUE;
            default -> 0;
        };
        Arrays.fill(value, 0, lanes, identity);
        Arrays.fill(index, 0, lanes, -1);
    }

    @Override void load(Object src, int off, int stride, int tileOff, int n) {
        TileIO.loadLong(src, off, stride, tile, tileOff, n);
    }

    @Override void acceptLine(Object src, int off, int n, long first) {
        long[] a = src == null ? tile : (long[]) src;
        int end = off + n;
        long v = value[0];
        switch (op) {
            case SUM -> v += loops.sum(a, off, n);
            case PROD -> { for (int i = off; i < end; i++) v *= a[i]; }
            case MIN -> v = loops.min(a, off, n, v);
            case MAX -> v = loops.max(a, off, n, v);
            case ARGMIN, ARGMAX -> {
                boolean max = op == ReduceOp.ARGMAX;
                long at = index[0];
                for (int i = off; i < end; i++) {
                    if (at < 0 || (max ? a[i] > v : a[i] < v)) {
                        v = a[i];
                        at = first + (i - off);
                    }
                }
                index[0] = at;
            }
            default -> throw new AssertionError(op);
        }
        value[0] = v;
    }

    @Override void acceptRows(int rows, long first) {
        long[] t = tile;
        int w = lanes;
        switch (op) {
            case SUM -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] += t[k * w + j]; }
            case PROD -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] *= t[k * w + j]; }
            case MIN -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.min(value[j], t[k * w + j]); }
            case MAX -> { for (int k = 0; k < rows; k++) for (int j = 0; j < w; j++) value[j] = Math.max(value[j], t[k * w + j]); }
            case ARGMIN, ARGMAX -> {
                boolean max = op == ReduceOp.ARGMAX;
                for (int k = 0; k < rows; k++) {
                    for (int j = 0; j < w; j++) {
                        long x = t[k * w + j];
                        if (index[j] < 0 || (max ? x > value[j] : x < value[j])) {
                            value[j] = x;
                            index[j] = first + k;
                        }
                    }
                }
            }
            default -> throw new AssertionError(op);
        }
    }

    @Override void store(Partial out, int p, int j) {
        ((HostBlock) out.parts()[0]).longs()[p] = value[j];
        if (op.isArg()) ((HostBlock) out.parts()[1]).longs()[p] = index[j];
    }
}
