package io.chunkwise.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.random.Philox;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;
import io.chunkwise.testing.Contexts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The random-value loops, plain and Vector API, against {@link Philox}'s bulk fills (the definition), bit for bit:
 * uniform and normal, FLOAT64 and FLOAT32, over lengths that straddle the lane width, from starts that cross the
 * 2^32 carry of the counter or lie near 2^63, with index steps of 1 and more (a column of a chunk).
 */
class RandomLoopsTest {
    private static final int[] SIZES = {0, 1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 512, 1025};

    static LongStream seeds() {
        return Arrays.stream(Contexts.seeds());
    }

    private static List<RandomLoops> available() {
        Loops vector = Vectorization.vector();
        return vector == null ? List.of(RandomLoops.SCALAR) : List.of(RandomLoops.SCALAR, vector.random());
    }

    @Test
    void theVectorLoopsAreInUseWhereTheVectorApiIs() {
        Loops vector = Vectorization.vector();
        assumeTrue(vector != null, "the Vector API is not in use here (start the JVM with "
                + "--add-modules=jdk.incubator.vector and C2), so only the plain loops are checked");
        assertTrue(vector.random() instanceof VectorRandomLoops, vector.random().describe());
        assertTrue(Vectorization.scalar().random() == RandomLoops.SCALAR);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void valuesEqualPhiloxBitForBit(long testSeed) {
        Random rnd = new Random(testSeed);
        long[] firsts = {0, (1L << 32) - 5, (1L << 40) + 3, Long.MAX_VALUE - 20_000, rnd.nextLong(1L << 62)};
        long[] steps = {1, 9, 1 + rnd.nextInt(100_000)};
        List<Expr.Random> exprs = new ArrayList<>();
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            long seed = rnd.nextLong();
            exprs.add(new Expr.Random(seed, true, rnd.nextGaussian(), 0.5 + rnd.nextDouble(), t));
            exprs.add(new Expr.Random(seed, false, -2 - rnd.nextDouble(), 3 + rnd.nextDouble(), t));
        }
        exprs.add(new Expr.Random(0, true, 0, 1, DType.FLOAT64));
        exprs.add(new Expr.Random(-1, false, 0, 1, DType.FLOAT64));
        for (Expr.Random r : exprs) {
            for (long first : firsts) {
                for (long step : steps) {
                    for (int n : SIZES) {
                        if (first > Long.MAX_VALUE - (long) n * step) continue;
                        double[] want = expected(r, first, step, n);
                        for (RandomLoops loops : available()) {
                            double[] got = new double[n + 5];
                            Arrays.fill(got, -99);
                            loops.fill(r, first, step, got, 3, n);
                            String what = loops.describe() + ", " + r + ", from " + first + " step " + step + ", n " + n;
                            for (int k = 0; k < n; k++) {
                                int kk = k;
                                assertEquals(Double.doubleToRawLongBits(want[k]), Double.doubleToRawLongBits(got[3 + k]),
                                        () -> what + " at " + kk + ": " + want[kk] + " vs " + got[3 + kk]);
                            }
                            for (int k : new int[]{0, 1, 2, n + 3, n + 4}) assertEquals(-99, got[k], what + ": wrote at " + k);
                        }
                    }
                }
            }
        }
    }

    /**
     * Whole chunks through the backends: the reference backend (Philox's scalar definition), the CPU backend on the
     * plain loops and on the Vector API loops, bit for bit, over regions whose rows are runs of the global array
     * (stride 1), columns (a large index step) and a region past 2^32.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void backendsAgreeBitForBit(long testSeed) {
        Random rnd = new Random(testSeed);
        List<Backend> backends = new ArrayList<>(List.of(new ReferenceBackend(), new CpuBackend(2, Vectorization.scalar())));
        if (Vectorization.vector() != null) backends.add(new CpuBackend(2, Vectorization.vector()));
        List<Region> regions = List.of(
                new Region(new int[]{7, 9, 13}, new long[]{1, 2, 3}, new long[]{9, 20, 30}),
                new Region(new int[]{300, 1}, new long[]{5, 700}, new long[]{400, 1000}),
                new Region(new int[]{4097}, new long[]{(1L << 32) - 2000}, new long[]{1L << 33}),
                new Region(new int[]{2, 1031}, new long[]{1, 1 << 20}, new long[]{3, 1L << 40}));
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            long seed = rnd.nextLong();
            for (Expr e : List.of(new Expr.Random(seed, true, rnd.nextGaussian(), 2 * rnd.nextDouble(), t),
                    new Expr.Random(seed, false, -rnd.nextDouble(), rnd.nextDouble() + 1, t))) {
                for (Region region : regions) {
                    HostBlock want = (HostBlock) backends.get(0).elementwise(e, new Block[0], new int[0][], region);
                    for (Backend b : backends.subList(1, backends.size())) {
                        HostBlock got = (HostBlock) b.elementwise(e, new Block[0], new int[0][], region);
                        assertEquals(want.dtype(), got.dtype());
                        assertTrue(Arrays.equals(want.shape(), got.shape()));
                        for (int i = 0; i < want.size(); i++) {
                            int ii = i;
                            assertEquals(Double.doubleToRawLongBits(want.getDouble(i)), Double.doubleToRawLongBits(got.getDouble(i)),
                                    () -> b + ", " + e + " over " + Shapes.str(region.shape()) + " at " + ii + ": "
                                            + want.getDouble(ii) + " vs " + got.getDouble(ii));
                        }
                    }
                }
            }
        }
    }

    /** An interval so narrow that lo + span * u rounds up to hi: replaced by the value below hi in the dtype. */
    @Test
    void uniformNeverReturnsHi() {
        for (RandomLoops loops : available()) {
            for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                double lo = 1, hi = t == DType.FLOAT64 ? Math.nextUp(1.0) : 1 + 0x1p-21;
                Expr.Random r = new Expr.Random(3, false, lo, hi, t);
                double[] got = new double[4099];
                loops.fill(r, 17, 1, got, 0, got.length);
                double top = t == DType.FLOAT64 ? hi : (float) hi;
                double below = t == DType.FLOAT64 ? Math.nextDown(hi) : Math.nextDown((float) hi);
                int clamped = 0;
                for (double v : got) {
                    assertTrue(v >= lo && v < top, loops.describe() + " " + t + ": " + v);
                    if (v == below) clamped++;
                }
                assertTrue(clamped > 0, loops.describe() + " " + t + ": no value next to hi");
                assertEquals(Arrays.toString(expected(r, 17, 1, got.length)), Arrays.toString(got));
            }
        }
    }

    /** Element by element from Philox's single-element fills, as the dtype stores them (float widened). */
    private static double[] expected(Expr.Random r, long first, long step, int n) {
        double[] out = new double[n];
        boolean f32 = r.dtype() == DType.FLOAT32;
        double[] d = new double[1];
        float[] f = new float[1];
        for (int k = 0; k < n; k++) {
            long index = first + k * step;
            if (f32) {
                if (r.normal()) Philox.fillNormal(f, 0, 1, r.seed(), index, r.a(), r.b());
                else Philox.fillUniform(f, 0, 1, r.seed(), index, r.a(), r.b());
                out[k] = f[0];
            } else {
                if (r.normal()) Philox.fillNormal(d, 0, 1, r.seed(), index, r.a(), r.b());
                else Philox.fillUniform(d, 0, 1, r.seed(), index, r.a(), r.b());
                out[k] = d[0];
            }
        }
        return out;
    }
}
