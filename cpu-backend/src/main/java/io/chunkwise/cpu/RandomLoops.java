package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.random.BoxMuller;
import io.chunkwise.random.Philox;
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
        double span = hi - lo, top = Math.nextDown(hi);
        long[] w = new long[2];
        for (int k = 0; k < n; k++) {
            Philox.words(seed, first + k * step, w);
            double v = lo + span * ((w[0] >>> 11) * 0x1.0p-53);
            out[off + k] = clamp && !(v < hi) ? top : v;
        }
    }

    /** {@code mean + std * z} for the elements' standard normal values {@code z}. */
    void normal(long seed, long first, long step, double mean, double std, double[] out, int off, int n) {
        long[] w = new long[2];
        for (int k = 0; k < n; k++) {
            Philox.words(seed, first + k * step, w);
            double z = BoxMuller.standardNormal(w[0], w[1]);
            out[off + k] = mean + std * z;
        }
    }
}
