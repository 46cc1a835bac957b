package io.chunkwise.cpu;

import static io.chunkwise.random.BoxMuller.C1;
import static io.chunkwise.random.BoxMuller.C2;
import static io.chunkwise.random.BoxMuller.C3;
import static io.chunkwise.random.BoxMuller.C4;
import static io.chunkwise.random.BoxMuller.C5;
import static io.chunkwise.random.BoxMuller.C6;
import static io.chunkwise.random.BoxMuller.LG1;
import static io.chunkwise.random.BoxMuller.LG2;
import static io.chunkwise.random.BoxMuller.LG3;
import static io.chunkwise.random.BoxMuller.LG4;
import static io.chunkwise.random.BoxMuller.LG5;
import static io.chunkwise.random.BoxMuller.LG6;
import static io.chunkwise.random.BoxMuller.LG7;
import static io.chunkwise.random.BoxMuller.LN2_HI;
import static io.chunkwise.random.BoxMuller.LN2_LO;
import static io.chunkwise.random.BoxMuller.PIO2_51;
import static io.chunkwise.random.BoxMuller.PIO2_LO_51;
import static io.chunkwise.random.BoxMuller.S1;
import static io.chunkwise.random.BoxMuller.S2;
import static io.chunkwise.random.BoxMuller.S3;
import static io.chunkwise.random.BoxMuller.S4;
import static io.chunkwise.random.BoxMuller.S5;
import static io.chunkwise.random.BoxMuller.S6;
import static io.chunkwise.random.Philox.M0;
import static io.chunkwise.random.Philox.M1;
import static io.chunkwise.random.Philox.W0;
import static io.chunkwise.random.Philox.W1;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.L2D;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.XOR;

import io.chunkwise.random.BoxMuller;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RandomLoops} with the Java Vector API: Philox4x32-10 on {@code L} counters at once (every 32-bit word held
 * zero-extended in a 64-bit lane, so that one 64-bit multiply gives the full 32 x 32-bit product whose halves a round
 * needs), then the uniform scaling or the {@link BoxMuller} transform, fused, straight into the output. The
 * transform repeats {@link BoxMuller}'s operations one for one (no fused multiply-adds, the same association, both
 * sides of each branch computed and one chosen), so the values are bit-identical to the scalar ones; the scalar
 * loops do the tail. Loaded only through {@link VectorLoops}.
 */
final class VectorRandomLoops extends RandomLoops {
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    static final int L = LS.length();
    private static final long MASK32 = 0xffffffffL;
    static final VectorRandomLoops INSTANCE = new VectorRandomLoops();

    private VectorRandomLoops() {
        if (DS.length() != L) throw new IllegalStateException("unsupported vector shape: " + DS + ", " + LS);
    }

    @Override
    String describe() {
        return "Vector API, " + L + " x 64-bit lanes";
    }

    /** The round keys: {@code keys[r]} and {@code keys[10 + r]} are words k0 and k1 of round r, zero-extended. */
    private static long[] keys(long seed) {
        long[] keys = new long[20];
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int r = 0; r < 10; r++) {
            keys[r] = k0 & MASK32;
            keys[10 + r] = k1 & MASK32;
            k0 += W0;
            k1 += W1;
        }
        return keys;
    }

    @Override
    void uniform(long seed, long first, long step, double lo, double hi, boolean clamp, double[] out, int off, int n) {
        long[] keys = keys(seed);
        double span = hi - lo, top = Math.nextDown(hi);
        LongVector laneStep = LongVector.zero(LS).addIndex(1).mul(step);
        int k = 0, bound = LS.loopBound(n);
        for (; k < bound; k += L) {
            LongVector index = laneStep.add(first + k * step);
            LongVector c0 = index.and(MASK32), c1 = index.lanewise(LSHR, 32);
            LongVector c2 = LongVector.zero(LS), c3 = c2;
            for (int r = 0; r < 10; r++) {
                LongVector p0 = c0.mul(M0 & MASK32), p1 = c2.mul(M1 & MASK32);
                c0 = p1.lanewise(LSHR, 32).lanewise(XOR, c1).lanewise(XOR, keys[r]);
                c2 = p0.lanewise(LSHR, 32).lanewise(XOR, c3).lanewise(XOR, keys[10 + r]);
                c1 = p1.and(MASK32);
                c3 = p0.and(MASK32);
            }
            LongVector m1 = c0.lanewise(LSHL, 21).or(c1.lanewise(LSHR, 11)); // (x0 << 32 | x1) >>> 11
            DoubleVector u = ((DoubleVector) m1.convert(L2D, 0)).mul(0x1.0p-53);
            DoubleVector v = u.mul(span).add(lo);
            if (clamp) v = v.blend(top, v.compare(LT, hi).not());
            v.intoArray(out, off + k);
        }
        super.uniform(seed, first + k * step, step, lo, hi, clamp, out, off + k, n - k);
    }

    @Override
    void normal(long seed, long first, long step, double mean, double std, double[] out, int off, int n) {
        long[] keys = keys(seed);
        LongVector laneStep = LongVector.zero(LS).addIndex(1).mul(step);
        int k = 0, bound = LS.loopBound(n);
        for (; k < bound; k += L) {
            LongVector index = laneStep.add(first + k * step);
            LongVector c0 = index.and(MASK32), c1 = index.lanewise(LSHR, 32);
            LongVector c2 = LongVector.zero(LS), c3 = c2;
            for (int r = 0; r < 10; r++) {
                LongVector p0 = c0.mul(M0 & MASK32), p1 = c2.mul(M1 & MASK32);
                c0 = p1.lanewise(LSHR, 32).lanewise(XOR, c1).lanewise(XOR, keys[r]);
                c2 = p0.lanewise(LSHR, 32).lanewise(XOR, c3).lanewise(XOR, keys[10 + r]);
                c1 = p1.and(MASK32);
                c3 = p0.and(MASK32);
            }
            LongVector m1 = c0.lanewise(LSHL, 21).or(c1.lanewise(LSHR, 11));
            LongVector m2 = c2.lanewise(LSHL, 21).or(c3.lanewise(LSHR, 11));
            DoubleVector v = ((DoubleVector) LongVector.broadcast(LS, 1L << 53).sub(m1).convert(L2D, 0)).mul(0x1.0p-53);
            // the transform, written out here rather than called: C2 does not inline methods this large into a
            // hot loop, and a vector passed to a call that is not inlined is boxed
            // ---- BoxMuller.log(v), both final combinations computed and one chosen
            LongVector bits = v.viewAsIntegralLanes();
            LongVector hx = bits.lanewise(LSHR, 32);
            LongVector e = hx.lanewise(LSHR, 20).sub(1023);
            hx = hx.and(0x000fffff);
            LongVector i = hx.add(0x95f64).and(0x100000);
            DoubleVector x = hx.or(i.lanewise(XOR, 0x3ff00000)).lanewise(LSHL, 32).or(bits.and(MASK32)).viewAsFloatingLanes();
            e = e.add(i.lanewise(LSHR, 20));
            DoubleVector f = x.sub(1.0);
            DoubleVector s = f.div(f.add(2.0));
            DoubleVector dk = (DoubleVector) e.convert(L2D, 0);
            DoubleVector s2 = s.mul(s);
            DoubleVector s4 = s2.mul(s2);
            DoubleVector t1 = s4.mul(LG6).add(LG4).mul(s4).add(LG2).mul(s4);
            DoubleVector t2 = s4.mul(LG7).add(LG5).mul(s4).add(LG3).mul(s4).add(LG1).mul(s2);
            DoubleVector r = t2.add(t1);
            VectorMask<Double> big = hx.sub(0x6147a).or(LongVector.broadcast(LS, 0x6b851).sub(hx)).compare(GT, 0).cast(DS);
            DoubleVector hfsq = f.mul(0.5).mul(f);
            DoubleVector a = dk.mul(LN2_HI).sub(hfsq.sub(s.mul(hfsq.add(r)).add(dk.mul(LN2_LO))).sub(f));
            DoubleVector b = dk.mul(LN2_HI).sub(s.mul(f.sub(r)).sub(dk.mul(LN2_LO)).sub(f));
            DoubleVector ln = b.blend(a, big);
            // ---- BoxMuller.cosTwoPi(m2), both kernels computed and one chosen
            LongVector q = m2.add(1L << 50).lanewise(LSHR, 51);
            DoubleVector r51 = (DoubleVector) m2.sub(q.lanewise(LSHL, 51)).convert(L2D, 0);
            DoubleVector xc = r51.mul(PIO2_51);
            DoubleVector yc = r51.mul(PIO2_LO_51);
            DoubleVector zc = xc.mul(xc);
            // __kernel_cos
            DoubleVector rc = zc.mul(C6).add(C5).mul(zc).add(C4).mul(zc).add(C3).mul(zc).add(C2).mul(zc).add(C1).mul(zc);
            LongVector ix = xc.viewAsIntegralLanes().lanewise(LSHR, 32).and(0x7fffffff);
            DoubleVector qx = ix.sub(0x00200000).lanewise(LSHL, 32).viewAsFloatingLanes()
                    .blend(0.28125, ix.compare(GT, 0x3fe90000).cast(DS))
                    .blend(0.0, ix.compare(LT, 0x3fd33333).cast(DS));
            DoubleVector hz = zc.mul(0.5).sub(qx);
            DoubleVector ac = DoubleVector.broadcast(DS, 1.0).sub(qx);
            DoubleVector cc = ac.sub(hz.sub(zc.mul(rc).sub(xc.mul(yc))));
            // __kernel_sin
            DoubleVector vc = zc.mul(xc);
            DoubleVector rs = zc.mul(S6).add(S5).mul(zc).add(S4).mul(zc).add(S3).mul(zc).add(S2);
            DoubleVector sc = xc.sub(zc.mul(yc.mul(0.5).sub(vc.mul(rs))).sub(yc).sub(vc.mul(S1)));
            DoubleVector res = cc.blend(sc, q.and(1).compare(NE, 0).cast(DS));
            DoubleVector cos = res.blend(res.neg(), q.add(1).and(2).compare(NE, 0).cast(DS));
            DoubleVector z = ln.mul(-2.0).sqrt().mul(cos);
            z.mul(std).add(mean).intoArray(out, off + k);
        }
        super.normal(seed, first + k * step, step, mean, std, out, off + k, n - k);
    }
}
