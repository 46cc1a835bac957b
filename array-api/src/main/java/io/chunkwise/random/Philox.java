package io.chunkwise.random;

import java.util.Objects;

/**
 * Counter-based random numbers: the Philox4x32-10 bijection of Salmon et al. (the Random123
 * library) and the chunking-independent element generator built on it.
 *
 * <h2>Chunking independence</h2>
 * A random array is a pure function of its seed and of each element's <em>global flat
 * index</em> {@code i} (row-major position in the whole array, {@code 0 <= i < 2^63}). Element
 * {@code i} is computed from one Philox call on its own counter, with no state carried between
 * elements, so the value never depends on how the array is split into chunks, in which order
 * chunks are computed, or on which thread or node.
 *
 * <h2>Counter and key</h2>
 * For element {@code i} of an array with seed {@code s} (both 64-bit; {@code lo32} / {@code hi32}
 * are the low / high 32 bits):
 * <pre>{@code
 *   counter = (c0, c1, c2, c3) = (lo32(i), hi32(i), 0, 0)
 *   key     = (k0, k1)         = (lo32(s), hi32(s))
 *   (x0, x1, x2, x3) = philox4x32_10(counter, key)
 * }</pre>
 * {@link #philox4x32_10} is bit-for-bit the Random123 {@code philox4x32} with 10 rounds: round
 * multipliers {@code 0xD2511F53} (applied to c0) and {@code 0xCD9E8D57} (applied to c2), key
 * (Weyl) increments {@code 0x9E3779B9} and {@code 0xBB67AE85}, the key bumped before each of
 * rounds 2..10.
 *
 * <h2>Uniform</h2>
 * Treating words as unsigned, form the 64-bit value {@code (x0 << 32) | x1} and keep its top 53
 * bits, i.e. all of {@code x0} and the top 21 bits of {@code x1} (the low 11 bits of {@code x1},
 * and {@code x2}, {@code x3}, are unused):
 * <pre>{@code
 *   u = (((x0 << 32) | x1) >>> 11) * 2^-53        // u in {0, 2^-53, ..., 1 - 2^-53}
 * }</pre>
 * {@link #uniform01} returns {@code u}. The bulk {@code fillUniform} returns
 * {@code lo + (hi - lo) * u} (for {@code lo < hi}), computed in double; rounding can make that
 * equal {@code hi}, in which case {@code Math.nextDown(hi)} is returned instead, so results lie in
 * {@code [lo, hi)}. The float overload rounds the double result to float and applies the same rule
 * against {@code (float) hi}.
 *
 * <h2>Normal</h2>
 * Box-Muller, one normal per element: {@code u1} is derived from {@code (x0, x1)} and {@code u2}
 * from {@code (x2, x3)}, each exactly as {@code u} above ({@code u2 = m2 * 2^-53}), and
 * <pre>{@code
 *   z = sqrt(-2 * log(1 - u1)) * cosTwoPi(m2)          // ~ sqrt(-2 ln(1 - u1)) * cos(2 pi u2)
 * }</pre>
 * where {@code 1 - u1} is exact and {@code log} and {@code cosTwoPi} are the functions of
 * {@link BoxMuller}: fixed sequences of IEEE double operations (fdlibm's log and its sin/cos kernels after an
 * exact reduction of {@code 4 u2}), within 1.5 ulp of ln and cos, so that scalar, Vector API and CUDA code give
 * bit-identical values on every JVM and platform. The second Box-Muller output ({@code sin} in place of
 * {@code cos}) is discarded, so that each element consumes exactly its own counter. Because
 * {@code 1 - u1 >= 2^-53} the logarithm is finite and {@code |z| <= sqrt(106 ln 2) ~= 8.5718}: never NaN or
 * infinite. {@code fillNormal} returns {@code mean + std * z} (a multiply, then an add; the float overload rounds
 * that to float).
 *
 * <p>All methods are static and thread-safe; the bulk fills allocate nothing per element.
 */
public final class Philox {

    /** Random123's Philox4x32 round multipliers and Weyl key increments (for vectorised copies of the rounds). */
    public static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private static final long MASK32 = 0xffffffffL;

    private Philox() {}

    /**
     * Random123 Philox4x32 with 10 rounds: encrypts counter {@code (c0, c1, c2, c3)} under key
     * {@code (k0, k1)} and writes the four output words to {@code out[0..3]}.
     */
    public static void philox4x32_10(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        long[] w = new long[2];
        encrypt(c0, c1, c2, c3, k0, k1, w);
        out[0] = (int) (w[0] >>> 32);
        out[1] = (int) w[0];
        out[2] = (int) (w[1] >>> 32);
        out[3] = (int) w[1];
    }

    /**
     * The output words of element {@code index} of the stream for {@code seed} (counter {@code (lo32(index),
     * hi32(index), 0, 0)}, key {@code (lo32(seed), hi32(seed))}), packed as the transforms read them:
     * {@code w[0] = x0 << 32 | x1}, {@code w[1] = x2 << 32 | x3}.
     */
    public static void words(long seed, long index, long[] w) {
        encrypt((int) index, (int) (index >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), w);
    }

    /** The ten rounds; the output words packed two by two into {@code w}, as {@link #words} gives them. */
    private static void encrypt(int c0, int c1, int c2, int c3, int k0, int k1, long[] w) {
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

    /** Element {@code index} of the uniform [0, 1) stream for {@code seed}; see the class doc. */
    public static double uniform01(long seed, long index) {
        checkIndex(index);
        long[] w = new long[2]; // does not escape: HotSpot scalar-replaces it once inlined
        words(seed, index, w);
        return unit(w[0]);
    }

    /** Element {@code index} of the standard normal stream for {@code seed}; see the class doc. */
    public static double normal01(long seed, long index) {
        checkIndex(index);
        long[] w = new long[2];
        words(seed, index, w);
        return BoxMuller.standardNormal(w[0], w[1]);
    }

    /**
     * Writes elements {@code firstIndex .. firstIndex+len-1} of the uniform stream for
     * {@code seed}, scaled to [lo, hi), to {@code out[off .. off+len-1]}.
     */
    public static void fillUniform(double[] out, int off, int len, long seed, long firstIndex,
                                   double lo, double hi) {
        checkRun(out.length, off, len, firstIndex);
        long[] w = new long[2];
        double span = hi - lo;
        for (int k = 0; k < len; k++) {
            words(seed, firstIndex + k, w);
            double v = lo + span * unit(w[0]);
            out[off + k] = v < hi ? v : Math.nextDown(hi);
        }
    }

    /** Float version of {@link #fillUniform(double[], int, int, long, long, double, double)}. */
    public static void fillUniform(float[] out, int off, int len, long seed, long firstIndex,
                                   double lo, double hi) {
        checkRun(out.length, off, len, firstIndex);
        long[] w = new long[2];
        double span = hi - lo;
        float fhi = (float) hi;
        for (int k = 0; k < len; k++) {
            words(seed, firstIndex + k, w);
            float v = (float) (lo + span * unit(w[0]));
            out[off + k] = v < fhi ? v : Math.nextDown(fhi);
        }
    }

    /**
     * Writes elements {@code firstIndex .. firstIndex+len-1} of the normal stream for
     * {@code seed}, as {@code mean + std * z}, to {@code out[off .. off+len-1]}.
     */
    public static void fillNormal(double[] out, int off, int len, long seed, long firstIndex,
                                  double mean, double std) {
        checkRun(out.length, off, len, firstIndex);
        long[] w = new long[2];
        for (int k = 0; k < len; k++) {
            words(seed, firstIndex + k, w);
            out[off + k] = mean + std * BoxMuller.standardNormal(w[0], w[1]);
        }
    }

    /** Float version of {@link #fillNormal(double[], int, int, long, long, double, double)}. */
    public static void fillNormal(float[] out, int off, int len, long seed, long firstIndex,
                                  double mean, double std) {
        checkRun(out.length, off, len, firstIndex);
        long[] w = new long[2];
        for (int k = 0; k < len; k++) {
            words(seed, firstIndex + k, w);
            out[off + k] = (float) (mean + std * BoxMuller.standardNormal(w[0], w[1]));
        }
    }

    /** The top 53 bits of a packed word, scaled to [0, 1). */
    private static double unit(long word) {
        return (word >>> 11) * 0x1.0p-53;
    }

    private static void checkIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0: " + index);
        }
    }

    private static void checkRun(int length, int off, int len, long firstIndex) {
        Objects.checkFromIndexSize(off, len, length);
        if (firstIndex < 0 || firstIndex > Long.MAX_VALUE - len) {
            throw new IllegalArgumentException(
                    "indices must lie in [0, 2^63): first " + firstIndex + ", length " + len);
        }
    }
}
