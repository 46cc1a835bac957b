package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.random.BoxMuller;
import io.chunkwise.spi.Expr;

/**
 * Random values of the CPU kernels, element for element those of {@link io.chunkwise.random.Philox}'s bulk fills:
 * Philox4x32-10 on the element's global index, then the uniform scaling or the {@link BoxMuller} normal transform.
 * These are the plain Java loops; {@code VectorRandomLoops} computes the same values with the Vector API, bit for
 * bit (the transform is a fixed sequence of IEEE operations, see {@link BoxMuller}). {@link Loops#random()} gives
 * the implementation that goes with the loops in use.
 */
class RandomLoops {
    static final RandomLoops SCALAR = new RandomLoops();

    static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    static final long MASK32 = 0xffffffffL;

    String describe() {
        return "plain Java";
    }

    /**
     * Elements {@code first + k * step} ({@code 0 <= k < n}) of the stream of {@code r} into
     * {@code out[off .. off+n)}, as its dtype stores them (FLOAT32 values rounded to float, held as doubles).
     */
    final void fill(Expr.Random r, long first, long step, double[] out, int off, int n) {
        if (n <= 0) return;
        boolean f32 = r.dtype() == DType.FLOAT32;
        if (r.normal()) {
            normal(r.seed(), first, step, r.a(), r.b(), out, off, n);
            if (f32) TileOps.roundToFloat(out, off, n);
            return;
        }
        double hi = r.b();
        uniform(r.seed(), first, step, r.a(), hi, !f32, out, off, n);
        if (f32) {
            float top = (float) hi, below = Math.nextDown(top);
            for (int k = off; k < off + n; k++) {
                float v = (float) out[k];
                out[k] = v < top ? v : below;
            }
        }
    }

    /**
     * {@code lo + (hi - lo) * u} for the elements' unit values {@code u}, a result of {@code hi} or more replaced by
     * {@code Math.nextDown(hi)} where {@code clamp}.
     */
    void uniform(long seed, long first, long step, double lo, double hi, boolean clamp, double[] out, int off, int n) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        double span = hi - lo, top = Math.nextDown(hi);
        long[] w = new long[2];
        for (int k = 0; k < n; k++) {
            words(first + k * step, k0, k1, w);
            double v = lo + span * ((w[0] >>> 11) * 0x1.0p-53);
            out[off + k] = clamp && !(v < hi) ? top : v;
        }
    }

    /** {@code mean + std * z} for the elements' standard normal values {@code z}. */
    void normal(long seed, long first, long step, double mean, double std, double[] out, int off, int n) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        long[] w = new long[2];
        for (int k = 0; k < n; k++) {
            words(first + k * step, k0, k1, w);
            double z = BoxMuller.standardNormal(w[0], w[1]);
            out[off + k] = mean + std * z;
        }
    }

    /**
     * The Philox4x32-10 output of counter {@code (lo32(index), hi32(index), 0, 0)} under key {@code (k0, k1)}:
     * {@code w[0] = x0 << 32 | x1} and {@code w[1] = x2 << 32 | x3}.
     */
    static void words(long index, int k0, int k1, long[] w) {
        int c0 = (int) index, c1 = (int) (index >>> 32), c2 = 0, c3 = 0;
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & MASK32) * (c0 & MASK32);
            long p1 = (M1 & MASK32) * (c2 & MASK32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c0 = n0;
            c1 = (int) p1;
            c2 = n2;
            c3 = (int) p0;
        }
        w[0] = (c0 & MASK32) << 32 | (c1 & MASK32);
        w[1] = (c2 & MASK32) << 32 | (c3 & MASK32);
    }
}
