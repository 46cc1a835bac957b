package io.chunkwise.bench.suite;

import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.random.Philox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Decides whether a computed product {@code C = A @ B} may be reported: recomputes a sample of its entries in double
 * (compensated sums) from the inputs and measures the <em>relative residual</em>
 * <pre>{@code
 *   max over sampled (i, j) of  |C[i,j] - sum_k A[i,k] B[k,j]|  /  sum_k |A[i,k] B[k,j]|
 * }</pre>
 * which is the componentwise backward-error scale of a dot product, so it does not blow up where an entry happens
 * to be near zero. The product is accepted when the residual is at most {@link #tolerance} for its dtype.
 */
public final class MatmulValidator {
    /** Entries recomputed per product (fewer when the product is smaller). */
    public static final int SAMPLES = 64;

    /** A matrix whose entries the validator can read one at a time, as doubles. */
    public interface Matrix {
        long rows();

        long cols();

        double get(long i, long j);

        /** A 2-D {@link NDArray} as a matrix. */
        static Matrix of(NDArray a) {
            long[] s = a.shape();
            if (s.length != 2) throw new IllegalArgumentException("a matrix is 2-D, not of shape " + Arrays.toString(s));
            return new Matrix() {
                @Override public long rows() { return s[0]; }

                @Override public long cols() { return s[1]; }

                @Override public double get(long i, long j) { return a.getDouble(i, j); }
            };
        }
    }

    /**
     * The {@code rows x cols} standard normal matrix that {@code cw.random(seed).normal(dtype, 0, 1, ...)} defines,
     * regenerated entry by entry from {@link Philox#normal01} (float32 values rounded as the generator rounds them).
     */
    public record RandomNormal(long seed, long rows, long cols, DType dtype) implements Matrix {
        @Override
        public double get(long i, long j) {
            double z = Philox.normal01(seed, i * cols + j);
            return dtype == DType.FLOAT32 ? (float) z : z;
        }
    }

    /** The outcome of one check; {@code detail} says where the worst entry was and what was expected there. */
    public record Verdict(boolean ok, double residual, double tolerance, String detail) {}

    private MatmulValidator() {}

    /** 1e-8 for float64, 1e-3 for float32. */
    public static double tolerance(DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> 1e-8;
            case FLOAT32 -> 1e-3;
            default -> throw new IllegalArgumentException("the matmul benchmark runs float64 and float32, not "
                    + dtype.numpyName());
        };
    }

    /** Checks {@code product} against {@code a @ b} on {@link #SAMPLES} entries chosen from {@code sampleSeed}. */
    public static Verdict check(NDArray product, Matrix a, Matrix b, DType dtype, long sampleSeed) {
        double tol = tolerance(dtype);
        long m = a.rows(), k = a.cols(), n = b.cols();
        if (b.rows() != k) {
            throw new IllegalArgumentException("inputs do not multiply: " + m + "x" + k + " @ " + b.rows() + "x" + n);
        }
        long[] shape = product.shape();
        if (!Arrays.equals(shape, new long[]{m, n})) {
            return new Verdict(false, Double.POSITIVE_INFINITY, tol, "the product has shape " + Arrays.toString(shape)
                    + ", expected [" + m + ", " + n + "]");
        }
        if (product.dtype() != dtype) {
            return new Verdict(false, Double.POSITIVE_INFINITY, tol, "the product is " + product.dtype().numpyName()
                    + ", expected " + dtype.numpyName());
        }
        double worst = 0;
        String where = null;
        for (long[] p : positions(m, n, SAMPLES, sampleSeed)) {
            long i = p[0], j = p[1];
            double sum = 0, comp = 0, scale = 0;
            for (long q = 0; q < k; q++) {
                double t = a.get(i, q) * b.get(q, j);
                double s = sum + t; // Neumaier: keeps the reference exact to about one rounding
                comp += Math.abs(sum) >= Math.abs(t) ? (sum - s) + t : (t - s) + sum;
                sum = s;
                scale += Math.abs(t);
            }
            double expected = sum + comp;
            double got = product.getDouble(i, j);
            double diff = Math.abs(got - expected);
            double r = scale == 0 ? diff : diff / scale;
            if (where == null || Double.isNaN(r) || r > worst) {
                worst = r;
                where = String.format(Locale.ROOT, "[%d, %d] is %.17g, expected %.17g", i, j, got, expected);
            }
            if (Double.isNaN(r)) break; // nothing is worse
        }
        if (where == null) where = "none (the product is empty)";
        boolean ok = worst <= tol; // false for NaN
        return new Verdict(ok, worst, tol, String.format(Locale.ROOT, "residual %.3g (allowed %.0e); worst entry %s",
                worst, tol, where));
    }

    /**
     * Up to {@code count} distinct positions of an {@code rows x cols} matrix: the four corners, then positions drawn
     * from {@code seed}. The same arguments give the same positions.
     */
    public static List<long[]> positions(long rows, long cols, int count, long seed) {
        Set<List<Long>> chosen = new LinkedHashSet<>();
        if (rows == 0 || cols == 0) return List.of();
        long total = rows * cols;
        int want = (int) Math.min(count, total);
        for (long[] c : new long[][]{{0, 0}, {0, cols - 1}, {rows - 1, 0}, {rows - 1, cols - 1}}) {
            if (chosen.size() < want) chosen.add(List.of(c[0], c[1]));
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        while (chosen.size() < want) chosen.add(List.of(rnd.nextLong(rows), rnd.nextLong(cols)));
        List<long[]> out = new ArrayList<>(chosen.size());
        for (List<Long> p : chosen) out.add(new long[]{p.get(0), p.get(1)});
        return out;
    }
}
