package io.chunkwise.cpu;

import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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
 */
final class VectorLoops extends ScalarLoops {
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    /** Lanes per vector (equal for doubles and longs). */
    static final int L = DS.length();
    /**
     * The species of the reductions, which only read: at most 256 bits. Summing 10^7 doubles from memory, 256-bit
     * loads kept up with a scalar loop with 8 accumulators while 512-bit loads were 20% slower (an AMD EPYC with
     * AVX-512); in cache both are twice as fast as scalar code.
     */
    static final VectorSpecies<Double> RS = DS.vectorBitSize() > 256 ? DoubleVector.SPECIES_256 : DS;
    static final VectorSpecies<Long> RLS = LS.vectorBitSize() > 256 ? LongVector.SPECIES_256 : LS;
    /** Lanes per reduction vector. */
    static final int RL = RS.length();

    VectorLoops() {
        if (L < 2 || LS.length() != L || RLS.length() != RL || LANES % RL != 0) {
            throw new IllegalStateException("unsupported vector shape: " + DS + ", " + LS);
        }
    }

    @Override String describe() {
        return "Vector API, " + DS.vectorBitSize() + "-bit (" + L + " x 64-bit lanes; reductions " + RS.vectorBitSize() + "-bit)";
    }

    private static DoubleVector dv(double[] a, int off) { return DoubleVector.fromArray(DS, a, off); }

    private static LongVector lv(long[] a, int off) { return LongVector.fromArray(LS, a, off); }

    private static DoubleVector rv(double[] a, int off) { return DoubleVector.fromArray(RS, a, off); }

    private static LongVector rlv(long[] a, int off) { return LongVector.fromArray(RLS, a, off); }

    // ---------------------------------------------------------------- floating

    @Override
    void unary(UnaryOp op, double[] x, int xo, double[] out, int oo, int n) {
        int i = 0, bound = DS.loopBound(n);
        switch (op) {
            case NEG -> { for (; i < bound; i += L) dv(x, xo + i).neg().intoArray(out, oo + i); }
            case ABS -> { for (; i < bound; i += L) dv(x, xo + i).abs().intoArray(out, oo + i); }
            case SQRT -> { for (; i < bound; i += L) dv(x, xo + i).sqrt().intoArray(out, oo + i); }
            case EXP -> {
                for (; i < bound; i += L) dv(x, xo + i).lanewise(VectorOperators.EXP).intoArray(out, oo + i);
                if (i < n) masked(x, xo + i, n - i).lanewise(VectorOperators.EXP).intoArray(out, oo + i, tail(n - i));
                return;
            }
            case LOG -> {
                for (; i < bound; i += L) dv(x, xo + i).lanewise(VectorOperators.LOG).intoArray(out, oo + i);
                if (i < n) masked(x, xo + i, n - i).lanewise(VectorOperators.LOG).intoArray(out, oo + i, tail(n - i));
                return;
            }
            case SIN -> {
                for (; i < bound; i += L) dv(x, xo + i).lanewise(VectorOperators.SIN).intoArray(out, oo + i);
                if (i < n) masked(x, xo + i, n - i).lanewise(VectorOperators.SIN).intoArray(out, oo + i, tail(n - i));
                return;
            }
            case COS -> {
                for (; i < bound; i += L) dv(x, xo + i).lanewise(VectorOperators.COS).intoArray(out, oo + i);
                if (i < n) masked(x, xo + i, n - i).lanewise(VectorOperators.COS).intoArray(out, oo + i, tail(n - i));
                return;
            }
            case TANH -> {
                for (; i < bound; i += L) dv(x, xo + i).lanewise(VectorOperators.TANH).intoArray(out, oo + i);
                if (i < n) masked(x, xo + i, n - i).lanewise(VectorOperators.TANH).intoArray(out, oo + i, tail(n - i));
                return;
            }
        }
        if (i < n) super.unary(op, x, xo + i, out, oo + i, n - i);
    }

    /** The first {@code n < L} lanes. */
    private static VectorMask<Double> tail(int n) { return DS.indexInRange(0, n); }

    /** {@code x[off .. off+n)} in the first {@code n < L} lanes, zeros after. */
    private static DoubleVector masked(double[] x, int off, int n) { return DoubleVector.fromArray(DS, x, off, tail(n)); }

    @Override
    void binary(BinaryOp op, double[] a, int ao, double[] b, int bo, double[] out, int oo, int n) {
        int i = 0, bound = DS.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < bound; i += L) dv(a, ao + i).add(dv(b, bo + i)).intoArray(out, oo + i); }
            case SUB -> { for (; i < bound; i += L) dv(a, ao + i).sub(dv(b, bo + i)).intoArray(out, oo + i); }
            case MUL -> { for (; i < bound; i += L) dv(a, ao + i).mul(dv(b, bo + i)).intoArray(out, oo + i); }
            case DIV -> { for (; i < bound; i += L) dv(a, ao + i).div(dv(b, bo + i)).intoArray(out, oo + i); }
            case MAXIMUM -> { for (; i < bound; i += L) dv(a, ao + i).max(dv(b, bo + i)).intoArray(out, oo + i); }
            case MINIMUM -> { for (; i < bound; i += L) dv(a, ao + i).min(dv(b, bo + i)).intoArray(out, oo + i); }
            default -> { // not vectorised (or not valid: the scalar loops say why)
                super.binary(op, a, ao, b, bo, out, oo, n);
                return;
            }
        }
        if (i < n) super.binary(op, a, ao + i, b, bo + i, out, oo + i, n - i);
    }

    @Override
    void binary(BinaryOp op, double[] a, int ao, double b, double[] out, int oo, int n) {
        int i = 0, bound = DS.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < bound; i += L) dv(a, ao + i).add(b).intoArray(out, oo + i); }
            case SUB -> { for (; i < bound; i += L) dv(a, ao + i).sub(b).intoArray(out, oo + i); }
            case MUL -> { for (; i < bound; i += L) dv(a, ao + i).mul(b).intoArray(out, oo + i); }
            case DIV -> { for (; i < bound; i += L) dv(a, ao + i).div(b).intoArray(out, oo + i); }
            case MAXIMUM -> { for (; i < bound; i += L) dv(a, ao + i).max(b).intoArray(out, oo + i); }
            case MINIMUM -> { for (; i < bound; i += L) dv(a, ao + i).min(b).intoArray(out, oo + i); }
            default -> { // not vectorised (or not valid: the scalar loops say why)
                super.binary(op, a, ao, b, out, oo, n);
                return;
            }
        }
        if (i < n) super.binary(op, a, ao + i, b, out, oo + i, n - i);
    }

    @Override
    void binary(BinaryOp op, double a, double[] b, int bo, double[] out, int oo, int n) {
        int i = 0, bound = DS.loopBound(n);
        switch (op) {
            case SUB -> {
                DoubleVector va = DoubleVector.broadcast(DS, a);
                for (; i < bound; i += L) va.sub(dv(b, bo + i)).intoArray(out, oo + i);
            }
            case DIV -> {
                DoubleVector va = DoubleVector.broadcast(DS, a);
                for (; i < bound; i += L) va.div(dv(b, bo + i)).intoArray(out, oo + i);
            }
            case POW -> { // not vectorised (or not valid: the scalar loops say why)
                super.binary(op, a, b, bo, out, oo, n);
                return;
            }
            default -> { // the others commute exactly
                binary(op, b, bo, a, out, oo, n);
                return;
            }
        }
        if (i < n) super.binary(op, a, b, bo + i, out, oo + i, n - i);
    }

    @Override
    void compare(BinaryOp op, double[] a, int ao, double[] b, int bo, long[] out, int oo, int n) {
        int i = 0, bound = DS.loopBound(n);
        LongVector zero = LongVector.zero(LS), one = LongVector.broadcast(LS, 1);
        switch (op) {
            case GT -> { for (; i < bound; i += L) zero.blend(one, dv(a, ao + i).compare(VectorOperators.GT, dv(b, bo + i)).cast(LS)).intoArray(out, oo + i); }
            case GE -> { for (; i < bound; i += L) zero.blend(one, dv(a, ao + i).compare(VectorOperators.GE, dv(b, bo + i)).cast(LS)).intoArray(out, oo + i); }
            case LT -> { for (; i < bound; i += L) zero.blend(one, dv(a, ao + i).compare(VectorOperators.LT, dv(b, bo + i)).cast(LS)).intoArray(out, oo + i); }
            case LE -> { for (; i < bound; i += L) zero.blend(one, dv(a, ao + i).compare(VectorOperators.LE, dv(b, bo + i)).cast(LS)).intoArray(out, oo + i); }
            case EQ -> { for (; i < bound; i += L) zero.blend(one, dv(a, ao + i).compare(VectorOperators.EQ, dv(b, bo + i)).cast(LS)).intoArray(out, oo + i); }
            case NE -> { for (; i < bound; i += L) zero.blend(one, dv(a, ao + i).compare(VectorOperators.NE, dv(b, bo + i)).cast(LS)).intoArray(out, oo + i); }
            default -> { // not vectorised (or not valid: the scalar loops say why)
                super.compare(op, a, ao, b, bo, out, oo, n);
                return;
            }
        }
        if (i < n) super.compare(op, a, ao + i, b, bo + i, out, oo + i, n - i);
    }

    @Override
    void where(long[] cond, int co, double[] a, int ao, double[] b, int bo, double[] out, int oo, int n) {
        int i = 0, bound = DS.loopBound(n);
        for (; i < bound; i += L) {
            VectorMask<Double> take = lv(cond, co + i).compare(VectorOperators.NE, 0).cast(DS);
            dv(b, bo + i).blend(dv(a, ao + i), take).intoArray(out, oo + i);
        }
        if (i < n) super.where(cond, co + i, a, ao + i, b, bo + i, out, oo + i, n - i);
    }

    // ---------------------------------------------------------------- integer and boolean

    @Override
    void unary(UnaryOp op, long[] x, int xo, long[] out, int oo, int n) {
        int i = 0, bound = LS.loopBound(n);
        switch (op) {
            case NEG -> { for (; i < bound; i += L) lv(x, xo + i).neg().intoArray(out, oo + i); }
            case ABS -> { for (; i < bound; i += L) lv(x, xo + i).abs().intoArray(out, oo + i); }
            default -> { // not vectorised (or not valid: the scalar loops say why)
                super.unary(op, x, xo, out, oo, n);
                return;
            }
        }
        if (i < n) super.unary(op, x, xo + i, out, oo + i, n - i);
    }

    @Override
    void binary(BinaryOp op, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n) {
        int i = 0, bound = LS.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < bound; i += L) lv(a, ao + i).add(lv(b, bo + i)).intoArray(out, oo + i); }
            case SUB -> { for (; i < bound; i += L) lv(a, ao + i).sub(lv(b, bo + i)).intoArray(out, oo + i); }
            case MUL -> { for (; i < bound; i += L) lv(a, ao + i).mul(lv(b, bo + i)).intoArray(out, oo + i); }
            case MAXIMUM -> { for (; i < bound; i += L) lv(a, ao + i).max(lv(b, bo + i)).intoArray(out, oo + i); }
            case MINIMUM -> { for (; i < bound; i += L) lv(a, ao + i).min(lv(b, bo + i)).intoArray(out, oo + i); }
            default -> { // not vectorised (or not valid: the scalar loops say why)
                super.binary(op, a, ao, b, bo, out, oo, n);
                return;
            }
        }
        if (i < n) super.binary(op, a, ao + i, b, bo + i, out, oo + i, n - i);
    }

    @Override
    void binary(BinaryOp op, long[] a, int ao, long b, long[] out, int oo, int n) {
        int i = 0, bound = LS.loopBound(n);
        switch (op) {
            case ADD -> { for (; i < bound; i += L) lv(a, ao + i).add(b).intoArray(out, oo + i); }
            case SUB -> { for (; i < bound; i += L) lv(a, ao + i).sub(b).intoArray(out, oo + i); }
            case MUL -> { for (; i < bound; i += L) lv(a, ao + i).mul(b).intoArray(out, oo + i); }
            case MAXIMUM -> { for (; i < bound; i += L) lv(a, ao + i).max(b).intoArray(out, oo + i); }
            case MINIMUM -> { for (; i < bound; i += L) lv(a, ao + i).min(b).intoArray(out, oo + i); }
            default -> { // not vectorised (or not valid: the scalar loops say why)
                super.binary(op, a, ao, b, out, oo, n);
                return;
            }
        }
        if (i < n) super.binary(op, a, ao + i, b, out, oo + i, n - i);
    }

    @Override
    void binary(BinaryOp op, long a, long[] b, int bo, long[] out, int oo, int n) {
        int i = 0, bound = LS.loopBound(n);
        switch (op) {
            case SUB -> {
                LongVector va = LongVector.broadcast(LS, a);
                for (; i < bound; i += L) va.sub(lv(b, bo + i)).intoArray(out, oo + i);
            }
            case POW -> { // not vectorised (or not valid: the scalar loops say why)
                super.binary(op, a, b, bo, out, oo, n);
                return;
            }
            default -> {
                binary(op, b, bo, a, out, oo, n);
                return;
            }
        }
        if (i < n) super.binary(op, a, b, bo + i, out, oo + i, n - i);
    }

    @Override
    void compare(BinaryOp op, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n) {
        int i = 0, bound = LS.loopBound(n);
        LongVector zero = LongVector.zero(LS), one = LongVector.broadcast(LS, 1);
        switch (op) {
            case GT -> { for (; i < bound; i += L) zero.blend(one, lv(a, ao + i).compare(VectorOperators.GT, lv(b, bo + i))).intoArray(out, oo + i); }
            case GE -> { for (; i < bound; i += L) zero.blend(one, lv(a, ao + i).compare(VectorOperators.GE, lv(b, bo + i))).intoArray(out, oo + i); }
            case LT -> { for (; i < bound; i += L) zero.blend(one, lv(a, ao + i).compare(VectorOperators.LT, lv(b, bo + i))).intoArray(out, oo + i); }
            case LE -> { for (; i < bound; i += L) zero.blend(one, lv(a, ao + i).compare(VectorOperators.LE, lv(b, bo + i))).intoArray(out, oo + i); }
            case EQ -> { for (; i < bound; i += L) zero.blend(one, lv(a, ao + i).compare(VectorOperators.EQ, lv(b, bo + i))).intoArray(out, oo + i); }
            case NE -> { for (; i < bound; i += L) zero.blend(one, lv(a, ao + i).compare(VectorOperators.NE, lv(b, bo + i))).intoArray(out, oo + i); }
            default -> { // not vectorised (or not valid: the scalar loops say why)
                super.compare(op, a, ao, b, bo, out, oo, n);
                return;
            }
        }
        if (i < n) super.compare(op, a, ao + i, b, bo + i, out, oo + i, n - i);
    }

    @Override
    void where(long[] cond, int co, long[] a, int ao, long[] b, int bo, long[] out, int oo, int n) {
        int i = 0, bound = LS.loopBound(n);
        for (; i < bound; i += L) {
            VectorMask<Long> take = lv(cond, co + i).compare(VectorOperators.NE, 0);
            lv(b, bo + i).blend(lv(a, ao + i), take).intoArray(out, oo + i);
        }
        if (i < n) super.where(cond, co + i, a, ao + i, b, bo + i, out, oo + i, n - i);
    }

    // ---------------------------------------------------------------- random numbers

    @Override
    RandomLoops random() {
        return VectorRandomLoops.INSTANCE;
    }

    // ---------------------------------------------------------------- reductions

    // min, max and the integer sum do not depend on the order: four accumulators, then across lanes

    @Override
    double min(double[] a, int off, int n, double init) {
        int i = 0, bound = n - n % (4 * RL);
        double m = init;
        if (bound > 0) {
            DoubleVector m0 = DoubleVector.broadcast(RS, init), m1 = m0, m2 = m0, m3 = m0;
            for (; i < bound; i += 4 * RL) {
                int k = off + i;
                m0 = m0.min(rv(a, k));
                m1 = m1.min(rv(a, k + RL));
                m2 = m2.min(rv(a, k + 2 * RL));
                m3 = m3.min(rv(a, k + 3 * RL));
            }
            m = m0.min(m1).min(m2.min(m3)).reduceLanes(VectorOperators.MIN);
        }
        return super.min(a, off + i, n - i, m);
    }

    @Override
    double max(double[] a, int off, int n, double init) {
        int i = 0, bound = n - n % (4 * RL);
        double m = init;
        if (bound > 0) {
            DoubleVector m0 = DoubleVector.broadcast(RS, init), m1 = m0, m2 = m0, m3 = m0;
            for (; i < bound; i += 4 * RL) {
                int k = off + i;
                m0 = m0.max(rv(a, k));
                m1 = m1.max(rv(a, k + RL));
                m2 = m2.max(rv(a, k + 2 * RL));
                m3 = m3.max(rv(a, k + 3 * RL));
            }
            m = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
        }
        return super.max(a, off + i, n - i, m);
    }

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

    @Override
    long min(long[] a, int off, int n, long init) {
        int i = 0, bound = n - n % (4 * RL);
        long m = init;
        if (bound > 0) {
            LongVector m0 = LongVector.broadcast(RLS, init), m1 = m0, m2 = m0, m3 = m0;
            for (; i < bound; i += 4 * RL) {
                int k = off + i;
                m0 = m0.min(rlv(a, k));
                m1 = m1.min(rlv(a, k + RL));
                m2 = m2.min(rlv(a, k + 2 * RL));
                m3 = m3.min(rlv(a, k + 3 * RL));
            }
            m = m0.min(m1).min(m2.min(m3)).reduceLanes(VectorOperators.MIN);
        }
        return super.min(a, off + i, n - i, m);
    }

    @Override
    long max(long[] a, int off, int n, long init) {
        int i = 0, bound = n - n % (4 * RL);
        long m = init;
        if (bound > 0) {
            LongVector m0 = LongVector.broadcast(RLS, init), m1 = m0, m2 = m0, m3 = m0;
            for (; i < bound; i += 4 * RL) {
                int k = off + i;
                m0 = m0.max(rlv(a, k));
                m1 = m1.max(rlv(a, k + RL));
                m2 = m2.max(rlv(a, k + 2 * RL));
                m3 = m3.max(rlv(a, k + 3 * RL));
            }
            m = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
        }
        return super.max(a, off + i, n - i, m);
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
}
