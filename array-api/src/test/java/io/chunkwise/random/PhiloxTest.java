package io.chunkwise.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PhiloxTest {

    private static final int N = 1_000_000;

    // Known-answer vectors for philox4x32 with 10 rounds, from Random123 (examples/kat_vectors):
    // counter c0..c3, key k0 k1, expected x0..x3.
    @Test
    void matchesRandom123KnownAnswers() {
        assertKat(new int[] {0, 0, 0, 0}, 0, 0,
                new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
        assertKat(new int[] {-1, -1, -1, -1}, -1, -1,
                new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
        assertKat(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, 0xa4093822, 0x299f31d0,
                new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    private static void assertKat(int[] c, int k0, int k1, int[] expected) {
        int[] out = new int[4];
        Philox.philox4x32_10(c[0], c[1], c[2], c[3], k0, k1, out);
        assertArrayEquals(expected, out);
    }

    @Test
    void uniformIsDerivedFromTopBitsOfFirstTwoWords() {
        // index 0, seed 0 is counter 0 / key 0 above: u = top 53 bits of 0x6627e8d5_e169c58d
        assertEquals((0x6627e8d5e169c58dL >>> 11) * 0x1.0p-53, Philox.uniform01(0, 0));
    }

    @Test
    void uniformMomentsAndRange() {
        double[] u = new double[N];
        Philox.fillUniform(u, 0, N, 42, 0, 0, 1);
        for (double v : u) {
            assertTrue(v >= 0 && v < 1, () -> "out of [0,1): " + v);
        }
        // standard errors for n = 1e6: mean ~2.9e-4, variance ~7.5e-5; bounds are about 5 sigma
        assertEquals(0.5, mean(u), 1.5e-3);
        assertEquals(1.0 / 12, variance(u), 4e-4);
    }

    @Test
    void normalMomentsAndFiniteness() {
        double[] z = new double[N];
        Philox.fillNormal(z, 0, N, 42, 0, 0, 1);
        for (double v : z) {
            assertTrue(Double.isFinite(v) && Math.abs(v) < 8.6, () -> "bad normal: " + v);
        }
        // standard errors: mean 1e-3, variance ~1.4e-3
        assertEquals(0, mean(z), 5e-3);
        assertEquals(1, variance(z), 7e-3);
    }

    @Test
    void bulkFillEqualsPerElementAtAnyStart() {
        // starts include the lo32 -> hi32 carry of the counter and indices near 2^63
        long[] starts = {0, 1, 12_345, 0xFFFF_FFF0L, 1L << 40, Long.MAX_VALUE - 64};
        long seed = 0x1234_5678_9abc_def0L;
        for (long first : starts) {
            int off = 3, len = 40;
            double[] u = filled(off + len + 2);
            double[] z = filled(off + len + 2);
            float[] uf = new float[len];
            float[] zf = new float[len];
            Philox.fillUniform(u, off, len, seed, first, -2, 5);
            Philox.fillNormal(z, off, len, seed, first, 1, 3);
            Philox.fillUniform(uf, 0, len, seed, first, -2, 5);
            Philox.fillNormal(zf, 0, len, seed, first, 1, 3);
            for (int k = 0; k < len; k++) {
                double eu = -2 + 7 * Philox.uniform01(seed, first + k);
                double ez = 1 + 3 * Philox.normal01(seed, first + k);
                assertEquals(eu, u[off + k]);
                assertEquals(ez, z[off + k]);
                assertEquals((float) eu, uf[k]);
                assertEquals((float) ez, zf[k]);
            }
            // nothing written outside [off, off + len)
            assertEquals(-99, u[off - 1]);
            assertEquals(-99, u[off + len]);
        }
    }

    @Test
    void splittingARunIntoChunksChangesNothing() {
        double[] whole = new double[1000];
        Philox.fillNormal(whole, 0, 1000, 7, 500, 0, 1);
        double[] chunked = new double[1000];
        Philox.fillNormal(chunked, 0, 333, 7, 500, 0, 1);
        Philox.fillNormal(chunked, 333, 667, 7, 833, 0, 1);
        assertArrayEquals(whole, chunked);
    }

    @Test
    void differentSeedsDiffer() {
        // second pair differs only in hi32(seed), i.e. in key word k1
        long[][] pairs = {{1, 2}, {0, 1L << 32}};
        for (long[] p : pairs) {
            double[] a = new double[1000];
            double[] b = new double[1000];
            Philox.fillUniform(a, 0, 1000, p[0], 0, 0, 1);
            Philox.fillUniform(b, 0, 1000, p[1], 0, 0, 1);
            for (int k = 0; k < a.length; k++) {
                assertTrue(a[k] != b[k], "seeds " + p[0] + ", " + p[1] + " agree at " + k);
            }
        }
    }

    @Test
    void floatUniformNeverReturnsHi() {
        // [1, 1 + 2^-21) holds only 4 floats, so many doubles round up to hi
        double lo = 1, hi = 1 + 0x1p-21;
        float[] f = new float[100_000];
        Philox.fillUniform(f, 0, f.length, 3, 0, lo, hi);
        int clamped = 0;
        for (float v : f) {
            assertTrue(v >= (float) lo && v < (float) hi, () -> "out of [lo,hi): " + v);
            if (v == Math.nextDown((float) hi)) {
                clamped++;
            }
        }
        assertTrue(clamped > 0);
    }

    private static double[] filled(int n) {
        double[] a = new double[n];
        Arrays.fill(a, -99);
        return a;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    private static double variance(double[] a) {
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return s / (a.length - 1);
    }
}
