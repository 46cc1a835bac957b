package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;

import java.util.Arrays;
import java.util.List;

/**
 * The partials of {@link Reductions} combined, in chunk order, and finished into a result block of the reduction's
 * dtype. Sums, products, minima and maxima merge position by position; moments by Chan et al.'s formula
 * ({@link #addMoments}); arg partials keep the earlier index on ties, as a scan in order would.
 */
final class PartialMerge {
    private PartialMerge() {}

    static Partial combine(ReduceOp op, List<Block> partials) {
        if (partials.isEmpty()) throw new IllegalArgumentException("no partials to combine for " + op.numpyName());
        Partial first = asPartial(partials.get(0));
        Block[] parts = new Block[first.parts().length];
        for (int i = 0; i < parts.length; i++) parts[i] = copy(host(first.parts()[i]));
        Partial acc = new Partial(parts);
        int n = host(parts[0]).size();
        for (Block b : partials.subList(1, partials.size())) {
            Partial next = asPartial(b);
            if (!Arrays.equals(next.shape(), acc.shape()) || next.parts().length != parts.length) {
                throw new IllegalArgumentException("partials of " + op.numpyName() + " differ in shape: "
                        + Shapes.str(acc.shape()) + " and " + Shapes.str(next.shape()));
            }
            merge(op, acc, next, n);
        }
        return acc;
    }

    /** Folds {@code b} into {@code a} (which comes first in chunk order), position by position. */
    private static void merge(ReduceOp op, Partial a, Partial b, int n) {
        Object av = host(a.parts()[0]).data(), bv = host(b.parts()[0]).data();
        if (op.isMoment()) {
            long[] na = host(a.parts()[0]).longs(), nb = host(b.parts()[0]).longs();
            double[] ma = host(a.parts()[1]).doubles(), mb = host(b.parts()[1]).doubles();
            double[] qa = host(a.parts()[2]).doubles(), qb = host(b.parts()[2]).doubles();
            for (int i = 0; i < n; i++) addMoments(na, ma, qa, i, nb[i], mb[i], qb[i]);
            return;
        }
        if (op.isArg()) {
            long[] ia = host(a.parts()[1]).longs(), ib = host(b.parts()[1]).longs();
            boolean max = op == ReduceOp.ARGMAX;
            if (av instanceof double[] x) {
                double[] y = (double[]) bv;
                for (int i = 0; i < n; i++) {
                    if (ib[i] < 0 || (ia[i] >= 0 && !DoubleReducer.beats(y[i], x[i], max))) continue;
                    x[i] = y[i];
                    ia[i] = ib[i];
                }
            } else {
                long[] x = (long[]) av, y = (long[]) bv;
                for (int i = 0; i < n; i++) {
                    if (ib[i] < 0 || (ia[i] >= 0 && !(max ? y[i] > x[i] : y[i] < x[i]))) continue;
                    x[i] = y[i];
                    ia[i] = ib[i];
                }
            }
            return;
        }
        if (av instanceof double[] x) {
            double[] y = (double[]) bv;
            switch (op) {
                case SUM -> { for (int i = 0; i < n; i++) x[i] += y[i]; }
                case PROD -> { for (int i = 0; i < n; i++) x[i] *= y[i]; }
                case MIN -> { for (int i = 0; i < n; i++) x[i] = Math.min(x[i], y[i]); }
                case MAX -> { for (int i = 0; i < n; i++) x[i] = Math.max(x[i], y[i]); }
                default -> throw new AssertionError(op);
            }
        } else {
            long[] x = (long[]) av, y = (long[]) bv;
            switch (op) {
                case SUM -> { for (int i = 0; i < n; i++) x[i] += y[i]; }
                case PROD -> { for (int i = 0; i < n; i++) x[i] *= y[i]; }
                case MIN -> { for (int i = 0; i < n; i++) x[i] = Math.min(x[i], y[i]); }
                case MAX -> { for (int i = 0; i < n; i++) x[i] = Math.max(x[i], y[i]); }
                default -> throw new AssertionError(op);
            }
        }
    }

    static HostBlock finish(ReduceOp op, Block block, DType dtype, int[] shape) {
        Partial p = asPartial(block);
        int n = host(p.parts()[0]).size();
        if (Shapes.size(shape) != n) {
            throw new IllegalArgumentException("cannot lay out a partial of " + n + " elements " + Shapes.str(p.shape())
                    + " in shape " + Shapes.str(shape));
        }
        Object values;
        if (op.isMoment()) {
            long[] count = host(p.parts()[0]).longs();
            double[] mean = host(p.parts()[1]).doubles(), m2 = host(p.parts()[2]).doubles();
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                // an empty reduction gives NaN, as NumPy's mean and var of nothing do
                v[i] = switch (op) {
                    case MEAN -> count[i] == 0 ? Double.NaN : mean[i];
                    case VAR -> m2[i] / count[i];
                    default -> Math.sqrt(m2[i] / count[i]);
                };
            }
            values = v;
        } else if (op.isArg()) {
            values = host(p.parts()[1]).longs();
        } else {
            values = host(p.parts()[0]).data();
        }
        return convert(values, dtype, shape);
    }

    /** A block of {@code dtype} from a double[] or long[] of values, cast as {@link TileOps} casts. */
    private static HostBlock convert(Object values, DType dtype, int[] shape) {
        HostBlock out = HostBlock.allocate(dtype, shape);
        int n = out.size();
        if (values instanceof double[] d) {
            if (dtype.isFloating()) TileIO.storeDouble(d, 0, out.data(), 0, n);
            else {
                long[] l = new long[n];
                TileOps.cast(d, 0, dtype, l, 0, n);
                TileIO.storeLong(l, 0, out.data(), 0, n);
            }
        } else {
            long[] l = (long[]) values;
            if (dtype.isFloating()) {
                double[] d = new double[n];
                TileOps.cast(l, 0, dtype, d, 0, n);
                TileIO.storeDouble(d, 0, out.data(), 0, n);
            } else {
                long[] narrowed = new long[n];
                TileOps.cast(l, 0, dtype, narrowed, 0, n);
                TileIO.storeLong(narrowed, 0, out.data(), 0, n);
            }
        }
        return out;
    }

    private static Partial asPartial(Block b) {
        if (b instanceof Partial p) return p;
        throw new IllegalArgumentException("expected a reduction partial of the cpu backend, got " + b);
    }

    private static HostBlock host(Block b) {
        if (b instanceof HostBlock h) return h;
        throw new IllegalArgumentException("expected a host block in a cpu partial, got " + b);
    }

    private static HostBlock copy(HostBlock b) {
        Object data = HostBlock.newArray(b.dtype(), b.size());
        System.arraycopy(b.data(), 0, data, 0, b.size());
        return new HostBlock(b.dtype(), b.shape(), data);
    }

    /**
     * Folds a group of {@code n} elements with mean {@code mean} and M2 {@code m2} into {@code (counts, means, m2s)}
     * at {@code j}, after Chan et al. A non-finite mean combines by weights (inf stays inf, inf with -inf gives NaN)
     * and makes M2 NaN, as NumPy's two-pass mean and variance do; the reference backend does the same.
     */
    static void addMoments(long[] counts, double[] means, double[] m2s, int j, long n, double mean, double m2) {
        if (n == 0) return;
        long before = counts[j];
        if (before == 0) {
            counts[j] = n;
            means[j] = mean;
            m2s[j] = m2;
            return;
        }
        long total = before + n;
        double share = (double) n / total;
        if (!Double.isFinite(means[j]) || !Double.isFinite(mean)) {
            means[j] = means[j] * ((double) before / total) + mean * share;
            m2s[j] = Double.NaN;
        } else {
            double delta = mean - means[j];
            means[j] += delta * share;
            m2s[j] += m2 + delta * delta * before * share;
        }
        counts[j] = total;
    }
}
