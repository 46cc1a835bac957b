package io.chunkwise.bench.suite;

import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.bench.suite.MatmulValidator.Matrix;
import io.chunkwise.bench.suite.MatmulValidator.RandomNormal;
import io.chunkwise.bench.suite.MatmulValidator.Verdict;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatmulValidatorTest {
    private static final int M = 23, K = 31, N = 19;
    private static final RandomNormal A = new RandomNormal(7, M, K, DType.FLOAT64);
    private static final RandomNormal B = new RandomNormal(8, K, N, DType.FLOAT64);

    /** A @ B in plain double loops, optionally rounded to float per entry. */
    private static double[] product(Matrix a, Matrix b) {
        double[] c = new double[(int) (a.rows() * b.cols())];
        for (int i = 0; i < a.rows(); i++) {
            for (int j = 0; j < b.cols(); j++) {
                double s = 0;
                for (int k = 0; k < a.cols(); k++) s += a.get(i, k) * b.get(k, j);
                c[(int) (i * b.cols() + j)] = s;
            }
        }
        return c;
    }

    private static Verdict check(double[] c) {
        return MatmulValidator.check(NDArray.of(c, M, N), A, B, DType.FLOAT64, 1);
    }

    @Test
    void acceptsTheRightProduct() {
        Verdict v = check(product(A, B));
        assertTrue(v.ok(), v.detail());
        assertTrue(v.residual() < 1e-14, v.detail());
    }

    @Test
    void rejectsAProductWithOneWrongEntry() {
        double[] c = product(A, B);
        c[0] *= 1 + 1e-6; // entry (0, 0) is always among the samples
        Verdict v = check(c);
        assertFalse(v.ok(), v.detail());
        assertTrue(v.residual() > 1e-8, v.detail());
        assertTrue(v.detail().contains("[0, 0]"), v.detail());
    }

    @Test
    void rejectsAProductThatIsSlightlyOffEverywhere() {
        double[] c = product(A, B);
        for (int i = 0; i < c.length; i++) c[i] += 1e-6 * Math.abs(c[i]) + 1e-6;
        assertFalse(check(c).ok());
    }

    @Test
    void rejectsTheProductOfTheWrongOperands() {
        double[] c = product(A, new RandomNormal(9, K, N, DType.FLOAT64)); // B from another seed
        assertFalse(check(c).ok());
    }

    @Test
    void rejectsNaNWrongShapeAndWrongDtype() {
        double[] c = product(A, B);
        c[c.length - 1] = Double.NaN; // the last corner
        Verdict nan = check(c);
        assertFalse(nan.ok(), nan.detail());
        assertTrue(Double.isNaN(nan.residual()));
        assertFalse(MatmulValidator.check(NDArray.of(product(A, B), N, M), A, B, DType.FLOAT64, 1).ok());
        float[] f = new float[M * N];
        double[] d = product(A, B);
        for (int i = 0; i < f.length; i++) f[i] = (float) d[i];
        assertFalse(MatmulValidator.check(NDArray.of(f, M, N), A, B, DType.FLOAT64, 1).ok());
    }

    @Test
    void float32HasItsOwnTolerance() {
        RandomNormal a = new RandomNormal(7, M, K, DType.FLOAT32), b = new RandomNormal(8, K, N, DType.FLOAT32);
        double[] exact = product(a, b);
        float[] f = new float[exact.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) exact[i];
        Verdict ok = MatmulValidator.check(NDArray.of(f, M, N), a, b, DType.FLOAT32, 1);
        assertTrue(ok.ok(), ok.detail());
        for (int i = 0; i < f.length; i++) f[i] = (float) (exact[i] * 1.01);
        Verdict off = MatmulValidator.check(NDArray.of(f, M, N), a, b, DType.FLOAT32, 1);
        assertFalse(off.ok(), off.detail());
        assertEquals(1e-3, off.tolerance());
    }

    @Test
    void randomNormalIsWhatTheLibraryGenerates() {
        try (Chunkwise cw = Chunkwise.builder().backend(new ReferenceBackend()).threads(2).build()) {
            for (DType t : List.of(DType.FLOAT64, DType.FLOAT32)) {
                NDArray x = cw.random(5).normal(t, 0.0, 1.0, new long[]{9, 13}, new int[]{4, 5}).compute();
                RandomNormal r = new RandomNormal(5, 9, 13, t);
                for (int i = 0; i < 9; i++) {
                    for (int j = 0; j < 13; j++) assertEquals(r.get(i, j), x.getDouble(i, j), 0.0, t + " [" + i + ", " + j + "]");
                }
            }
        }
    }

    @Test
    void samplePositionsAreDistinctReproducibleAndIncludeTheCorners() {
        List<long[]> p = MatmulValidator.positions(100, 50, 64, 3);
        assertEquals(64, p.size());
        Set<List<Long>> seen = new HashSet<>();
        for (long[] q : p) {
            assertTrue(q[0] >= 0 && q[0] < 100 && q[1] >= 0 && q[1] < 50);
            seen.add(List.of(q[0], q[1]));
        }
        assertEquals(64, seen.size());
        for (List<Long> corner : List.of(List.of(0L, 0L), List.of(0L, 49L), List.of(99L, 0L), List.of(99L, 49L))) {
            assertTrue(seen.contains(corner), corner.toString());
        }
        List<long[]> again = MatmulValidator.positions(100, 50, 64, 3);
        for (int i = 0; i < p.size(); i++) assertEquals(List.of(p.get(i)[0], p.get(i)[1]), List.of(again.get(i)[0], again.get(i)[1]));
        assertEquals(6, MatmulValidator.positions(2, 3, 64, 3).size());
    }
}
