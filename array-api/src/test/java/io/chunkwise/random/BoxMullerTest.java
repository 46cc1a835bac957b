package io.chunkwise.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The normal transform's own log and cosine against {@link StrictMath} on fresh random inputs, and the
 * distribution of the normal values. The ulp bounds are the ones the class comment of {@link BoxMuller} states.
 */
class BoxMullerTest {
    private static final int N = 4_000_000;

    /** log(v) for the values v = 1 - u1 takes (multiples of 2^-53 in [2^-53, 1]), spread over all binades. */
    @Test
    void logIsWithinOneUlpOfStrictMath() {
        SplittableRandom rnd = new SplittableRandom(0x5eedL);
        int differ = 0;
        double worst = 0;
        for (int t = 0; t < N; t++) {
            long m = t % 4 == 0 ? 1 + rnd.nextLong(1L << 53) : (1L << 53) - (rnd.nextLong(1L << 53) >>> rnd.nextInt(53));
            double v = Math.max(1, m) * 0x1.0p-53;
            double want = StrictMath.log(v), got = BoxMuller.log(v);
            if (got != want) {
                differ++;
                worst = Math.max(worst, Math.abs(got - want) / Math.ulp(want));
            }
        }
        double w = worst;
        assertTrue(worst <= 1, () -> "max error " + w + " ulp");
        assertTrue(differ < N / 10_000, "differs from StrictMath.log on " + differ + " of " + N);
        // both ends of the domain, and near 1 where fdlibm takes its shortcut
        assertEquals(0.0, BoxMuller.log(1.0));
        assertEquals(StrictMath.log(0x1.0p-53), BoxMuller.log(0x1.0p-53));
        for (int j = 1; j < 5000; j++) {
            double v = 1 - j * 0x1.0p-53;
            double want = StrictMath.log(v), got = BoxMuller.log(v);
            assertTrue(Math.abs(got - want) <= Math.ulp(want), () -> "log(" + v + ") " + got + " vs " + want);
        }
    }

    /**
     * cos(2 pi u) against StrictMath's cos and sin of the rounded argument a = 2pi * u, corrected to first order by
     * the exact error of that rounding (from an FMA and the tail of 2pi): a reference far closer to cos(2 pi u)
     * than StrictMath.cos(a) itself near the zeros of the cosine, but itself off by up to about an ulp: the bound
     * here is 2.5 ulp, where against a 120-bit reference (mpmath, 1.3 * 10^6 inputs) the error was at most 1.49 ulp.
     */
    @Test
    void cosTwoPiIsWithinTwoAndAHalfUlpOfTheReference() {
        SplittableRandom rnd = new SplittableRandom(0xc05L);
        double twoPi = 2 * Math.PI, twoPiLo = 2.4492935982947064e-16; // 2 pi - double(2 pi)
        double worst = 0;
        long worstM = -1;
        for (int t = 0; t < N; t++) {
            long m = t < 64 ? (t / 8) * (1L << 50) + (t % 8) - 4 & ((1L << 53) - 1) : rnd.nextLong(1L << 53);
            double u = m * 0x1.0p-53;
            double a = twoPi * u;
            double e = Math.fma(twoPi, u, -a) + twoPiLo * u;
            double ref = StrictMath.cos(a) - StrictMath.sin(a) * e;
            double got = BoxMuller.cosTwoPi(m);
            double err = Math.abs(got - ref) / Math.ulp(ref);
            if (err > worst) {
                worst = err;
                worstM = m;
            }
        }
        double w = worst;
        long wm = worstM;
        assertTrue(worst <= 2.5, () -> "max error " + w + " ulp at m = " + wm);
        // the exact points: cos(0) = 1, cos(pi/2) = 0, cos(pi) = -1, cos(3pi/2) = 0
        assertEquals(1.0, BoxMuller.cosTwoPi(0));
        assertEquals(0.0, Math.abs(BoxMuller.cosTwoPi(1L << 51)));
        assertEquals(-1.0, BoxMuller.cosTwoPi(1L << 52));
        assertEquals(0.0, Math.abs(BoxMuller.cosTwoPi(3L << 51)));
    }

    /** Mean, variance, fourth moment and tail fractions of 10^6 normals, and the bound on |z|. */
    @Test
    void normalsLookNormal() {
        int n = 1_000_000;
        double[] z = new double[n];
        Philox.fillNormal(z, 0, n, 2026, 1L << 33, 0, 1);
        double sum = 0, sq = 0, fourth = 0;
        int beyond1 = 0, beyond2 = 0, beyond3 = 0, negative = 0;
        for (double v : z) {
            assertTrue(Double.isFinite(v) && Math.abs(v) <= 8.5719, () -> "bad normal " + v);
            sum += v;
            sq += v * v;
            fourth += v * v * v * v;
            double a = Math.abs(v);
            if (a > 1) beyond1++;
            if (a > 2) beyond2++;
            if (a > 3) beyond3++;
            if (v < 0) negative++;
        }
        // standard errors for n = 1e6: mean 1e-3, E z^2 1.4e-3, E z^4 ~1e-2; bounds about 5 sigma
        assertEquals(0, sum / n, 5e-3);
        assertEquals(1, sq / n, 7e-3);
        assertEquals(3, fourth / n, 5e-2);
        // P(|z| > 1) = 0.317311, P(|z| > 2) = 0.045500, P(|z| > 3) = 0.002700, P(z < 0) = 1/2
        assertEquals(0.317311, (double) beyond1 / n, 2.5e-3);
        assertEquals(0.045500, (double) beyond2 / n, 1.1e-3);
        assertEquals(0.002700, (double) beyond3 / n, 2.6e-4);
        assertEquals(0.5, (double) negative / n, 2.5e-3);
    }

    /** The extreme words: u1 = 0 gives z = 0; u1 = 1 - 2^-53 gives the largest |z|. */
    @Test
    void extremesAreFinite() {
        assertEquals(0.0, Math.abs(BoxMuller.standardNormal(0, 0)));
        double max = BoxMuller.standardNormal(-1L, 0);
        assertEquals(Math.sqrt(-2 * StrictMath.log(0x1.0p-53)), max, 1e-15);
        assertTrue(max <= 8.5719);
        assertEquals(-max, BoxMuller.standardNormal(-1L, 1L << 63), 1e-15);
    }

    /** The transform as Philox documents it: u1 from words 0 and 1, u2 from words 2 and 3. */
    @Test
    void philoxNormalIsTheTransformOfItsWords() {
        int[] x = new int[4];
        SplittableRandom rnd = new SplittableRandom(11);
        for (int t = 0; t < 1000; t++) {
            long seed = rnd.nextLong(), index = rnd.nextLong(Long.MAX_VALUE);
            Philox.philox4x32_10((int) index, (int) (index >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), x);
            long w01 = (x[0] & 0xffffffffL) << 32 | (x[1] & 0xffffffffL);
            long w23 = (x[2] & 0xffffffffL) << 32 | (x[3] & 0xffffffffL);
            double u1 = (w01 >>> 11) * 0x1.0p-53;
            double want = Math.sqrt(-2.0 * BoxMuller.log(1 - u1)) * BoxMuller.cosTwoPi(w23 >>> 11);
            assertEquals(want, Philox.normal01(seed, index));
            // and close to the textbook formula in StrictMath, whose rounded argument 2 * PI * u2 is off by up to
            // about 4e-16, so its values are off by that much times |sqrt(-2 ln(1 - u1))| <= 8.6
            double textbook = Math.sqrt(-2 * StrictMath.log1p(-u1)) * StrictMath.cos(2 * Math.PI * ((w23 >>> 11) * 0x1.0p-53));
            assertEquals(textbook, want, 1e-14);
        }
    }
}
