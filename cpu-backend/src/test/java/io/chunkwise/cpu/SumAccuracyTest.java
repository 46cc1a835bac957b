package io.chunkwise.cpu;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.reference.CompensatedSum;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Float64 sums of 10^7 random values through the whole stack (graph, scheduler, CPU partials and combines) against
 * a compensated sum: within 1e-12, bit-identical on 1 and 2 threads. Uniform values on [0, 1) are measured against
 * the sum itself; normal ones, whose sum cancels, against the sum of their magnitudes (NumPy's and our pairwise
 * sums are far closer than either bound).
 */
class SumAccuracyTest {
    private static final int N = 10_000_000;

    @Test
    void uniformSumIsWithin1e12OfTheCompensatedSum() {
        check(false);
    }

    @Test
    void normalSumIsWithin1e12OfTheSumOfMagnitudes() {
        check(true);
    }

    private static void check(boolean normal) {
        long[] shape = {N};
        int[][] chunkings = {{1_000_000}, {999_983}, {N}};
        double[] values = null;
        double reference = 0, magnitude = 0;
        for (int[] chunk : chunkings) {
            double first = Double.NaN;
            for (int threads : new int[]{1, 2}) {
                try (Chunkwise cw = Chunkwise.builder().threads(threads).backend(new CpuBackend(threads)).build()) {
                    ChunkedArray x = normal ? cw.random(17).normal(0, 1, shape, chunk) : cw.random(17).uniform(0, 1, shape, chunk);
                    x = x.persist();
                    if (values == null) {
                        values = x.compute().block().doubles();
                        double[] c = CompensatedSum.of(values);
                        reference = c[0];
                        magnitude = c[1];
                    }
                    double got = x.sum().compute().getDouble();
                    String what = (normal ? "normal" : "uniform") + " sum, chunks of " + chunk[0] + ", " + threads + " threads";
                    double err = Math.abs(got - reference);
                    double bound = 1e-12 * (normal ? magnitude : Math.abs(reference));
                    assertTrue(err <= bound, what + ": " + got + " vs compensated " + reference + ", error " + err + " > " + bound);
                    if (threads == 1) first = got;
                    else assertEquals(first, got, 0.0, what + ": the same bits as on 1 thread");
                }
            }
        }
    }
}
