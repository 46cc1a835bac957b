package io.chunkwise.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The hot loops with the Java Vector API ({@code jdk.incubator.vector}) at the JVM's preferred width: elementwise
 * arithmetic, the transcendental functions, comparisons, where, and the reductions. Loaded only through
 * {@link Vectorization}, which checks first that the module is readable.
 *
 * <p>Every loop runs to {@code loopBound} in whole vectors, then finishes with a scalar tail computing the same
 * function ({@link ScalarLoops}), except the transcendental functions: their vector versions may differ from
 * {@link Math}'s by an ulp, so their tail is a masked vector operation and an element's value never depends on
 * where a tile or chunk boundary falls. Each vector operator is a constant at its use (C2 intrinsifies only
 * those); hence one loop per op rather than a loop taking the op.
 *
 * <p>The loops that doubles and longs share (elementwise, min and max) are generated into {@link TypedVectorLoops}
 * from one template ({@code src/codegen}), with the species; here are the rest.
 */
final class VectorLoops extends TypedVectorLoops {
    VectorLoops() {
        if (L < 2 || LS.length() != L || RLS.length() != RL || LANES % RL != 0) {
            throw new IllegalStateException("unsupported vector shape: " + DS + ", " + LS);
        }
    }

    @Override String describe() {
        return "Vector API, " + DS.vectorBitSize() + "-bit (" + L + " x 64-bit lanes; reductions " + RS.vectorBitSize() + "-bit)";
    }

    // ---------------------------------------------------------------- random numbers

    @Override
    RandomLoops random() {
        return VectorRandomLoops.INSTANCE;
    }

    // ---------------------------------------------------------------- reductions

    // the integer sum does not depend on the order: four accumulators, then across lanes (as min and max)

    @Override
    long sum(long[] a, int off, int n) {
        int i = 0, bound = n - n % (4 * RL);
        long s = 0;
        if (bound > 0) {
            LongVector s0 = LongVector.zero(RLS), s1 = s0, s2 = s0, s3 = s0;
            for (; i < bound; i += 4 * RL) {
                int k = off + i;
                s0 = s0.add(rlv(a, k));
                s1 = s1.add(rlv(a, k + RL));
                s2 = s2.add(rlv(a, k + 2 * RL));
                s3 = s3.add(rlv(a, k + 3 * RL));
            }
            s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        }
        return s + super.sum(a, off + i, n - i);
    }

    /**
     * Logical lane {@code j} is lane {@code j % RL} of accumulator {@code j / RL}: with 4 lanes (256-bit) four
     * accumulators in registers, otherwise the lanes stay in the array, one vector of them at a time.
     */
    @Override
    void addLanes(double[] a, int off, int m, double[] lanes) {
        if (RL == 4) {
            DoubleVector s0 = rv(lanes, 0), s1 = rv(lanes, 4), s2 = rv(lanes, 8), s3 = rv(lanes, 12);
            for (int r = 0; r < m; r += LANES) {
                int k = off + r;
                s0 = s0.add(rv(a, k));
                s1 = s1.add(rv(a, k + 4));
                s2 = s2.add(rv(a, k + 8));
                s3 = s3.add(rv(a, k + 12));
            }
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, 4);
            s2.intoArray(lanes, 8);
            s3.intoArray(lanes, 12);
        } else {
            for (int r = 0; r < m; r += LANES) {
                for (int j = 0; j < LANES; j += RL) rv(lanes, j).add(rv(a, off + r + j)).intoArray(lanes, j);
            }
        }
    }

    /**
     * A leaf of whole rows of lanes summed in registers: the 16 logical lanes are 4 vectors of 4 and the fold in
     * halves is {@code (s0 + s2) + (s1 + s3)}, then lanes {@code (0 + 2) + (1 + 3)}, the order of
     * {@link Loops#leafSum}; without the round trip through the lanes array a sum runs at memory speed.
     */
    @Override
    double leafSum(double[] a, int off, int n, double mean, boolean squares, double[] lanes) {
        if (squares || RL != 4 || n % LANES != 0) return super.leafSum(a, off, n, mean, squares, lanes);
        return rowsSum(a, off, n);
    }

    /** The sum of {@code n} (whole rows of lanes) values in 4 registers of 4 lanes, folded in {@link Loops#leafSum}'s order. */
    private static double rowsSum(double[] a, int off, int n) {
        DoubleVector s0 = DoubleVector.broadcast(RS, -0.0), s1 = s0, s2 = s0, s3 = s0;
        for (int r = 0; r < n; r += LANES) {
            int k = off + r;
            s0 = s0.add(rv(a, k));
            s1 = s1.add(rv(a, k + 4));
            s2 = s2.add(rv(a, k + 8));
            s3 = s3.add(rv(a, k + 12));
        }
        DoubleVector s = s0.add(s2).add(s1.add(s3));
        return (s.lane(0) + s.lane(2)) + (s.lane(1) + s.lane(3));
    }

    /** {@link #leafSum}'s vector body over many leaves in one loop (see {@link Loops#sum(double[], int, int)} for why). */
    @Override
    void leafSums(double[] a, int base, int[] offs, int[] lens, int from, int to, double[] sums) {
        if (RL != 4) {
            super.leafSums(a, base, offs, lens, from, to, sums);
            return;
        }
        for (int k = from; k < to; k++) {
            int n = lens[k], off = base + offs[k];
            sums[k] = n % LANES == 0 ? rowsSum(a, off, n) : super.leafSum(a, off, n, Double.NaN, false, new double[LANES]);
        }
    }

    @Override
    void addSquaredLanes(double[] a, int off, int m, double mean, double[] lanes) {
        if (RL == 4) {
            DoubleVector s0 = rv(lanes, 0), s1 = rv(lanes, 4), s2 = rv(lanes, 8), s3 = rv(lanes, 12);
            for (int r = 0; r < m; r += LANES) {
                int k = off + r;
                DoubleVector d0 = rv(a, k).sub(mean), d1 = rv(a, k + 4).sub(mean);
                DoubleVector d2 = rv(a, k + 8).sub(mean), d3 = rv(a, k + 12).sub(mean);
                s0 = s0.add(d0.mul(d0));
                s1 = s1.add(d1.mul(d1));
                s2 = s2.add(d2.mul(d2));
                s3 = s3.add(d3.mul(d3));
            }
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, 4);
            s2.intoArray(lanes, 8);
            s3.intoArray(lanes, 12);
        } else {
            for (int r = 0; r < m; r += LANES) {
                for (int j = 0; j < LANES; j += RL) {
                    DoubleVector d = rv(a, off + r + j).sub(mean);
                    rv(lanes, j).add(d.mul(d)).intoArray(lanes, j);
                }
            }
        }
    }

    // ---------------------------------------------------------------- fused chains

    @Override
    int chain(ChainProgram program, double[][] inputs, int from, int to, double[] dst, int dstOffset) {
        return VectorChain.run(program, inputs, from, to, dst, dstOffset);
    }

    @Override
    int chain(ChainProgram program, float[][] inputs, int from, int to, float[] dst, int dstOffset) {
        return VectorChain.run(program, inputs, from, to, dst, dstOffset);
    }

    /**
     * Kernels sum in the lanes of {@link #leafSum} (four vectors of four lanes), in two vectors of eight where the CPU
     * has them: fewer instructions a value, which showed where memory is fast (x*x+10 summed at 0.85 of a plain read
     * loop in four vectors, 1.0 in two; RESULTS.md).
     */
    @Override
    ChainKernel chainKernel(ChainProgram program) {
        return RL == 4 ? ChainKernel.of(program, L >= 8 ? 8 : 4) : null;
    }
}
