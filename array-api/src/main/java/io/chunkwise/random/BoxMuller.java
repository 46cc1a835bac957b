package io.chunkwise.random;

/**
 * The normal transform of {@link Philox}: Box-Muller {@code z = sqrt(-2 ln(v)) * cos(2 pi u2)} with its own
 * logarithm and cosine, each written once as a fixed sequence of IEEE 754 double additions, multiplications,
 * divisions and square roots plus exact integer steps. Java never contracts {@code a * b + c} into a fused
 * multiply-add, so any implementation that performs the same operations in the same order gets the same bits:
 * this scalar code (the definition, used by the reference backend), the CPU backend's Vector API loops
 * ({@code cpu-backend}'s {@code VectorRandomLoops}, which mirror it operation for operation) and the CUDA kernels
 * (compiled with explicit round-to-nearest intrinsics). {@link StrictMath} cannot be vectorised and the Vector
 * API's own {@code LOG} and {@code COS} differ from it by an ulp here and there, hence these definitions.
 *
 * <h2>Logarithm</h2>
 * {@link #log} is the general path of fdlibm's {@code __ieee754_log} (the algorithm of {@link StrictMath#log}):
 * split {@code v = 2^k * x} with {@code x} in [sqrt(2)/2, sqrt(2)), {@code f = x - 1}, {@code s = f / (2 + f)},
 * the Lg1..Lg7 polynomial in {@code s^2}, and one of fdlibm's two final combinations chosen by the top mantissa
 * bits. It leaves out fdlibm's shortcut for {@code |f| < 2^-20} (it only saves time) and its special cases (zero,
 * negative, subnormal, infinite, NaN inputs, none of which occur here): on every other input it is bit-identical
 * to {@link StrictMath#log}, and within the shortcut's range it differs by at most 1 ulp (both are within 1 ulp of
 * ln).
 *
 * <h2>Cosine</h2>
 * {@link #cosTwoPi} takes the 53-bit integer {@code m} of {@code u2 = m * 2^-53} and reduces exactly in
 * {@code u}-space: {@code 4 u2 = q + r} with {@code q = round(4 u2)} (ties up) and {@code r} in [-1/2, 1/2], both
 * exact integer arithmetic on {@code m}. Then {@code x = r * pi/2} (one rounding, plus the tail
 * {@code y = r * (pi/2 - double(pi/2))}), and fdlibm's {@code __kernel_cos(x, y)} or {@code __kernel_sin(x, y, 1)}
 * (the polynomials of {@link StrictMath#cos} on [-pi/4, pi/4], written without branches) by {@code q mod 4}:
 * {@code cos, -sin, -cos, sin}. There is no argument reduction error of the kind {@code cos(2 * PI * u2)} has, so
 * this is closer to {@code cos(2 pi u2)} than {@code StrictMath.cos(2 * Math.PI * u2)} is near the zeros.
 *
 * <h2>Accuracy</h2>
 * Against a 120-bit reference (mpmath) on 1.3 * 10^6 random inputs, the largest errors were: {@link #log} 0.82 ulp
 * of ln, {@link #cosTwoPi} 1.49 ulp of {@code cos(2 pi u2)}, and the normal value {@code z} 2.80 ulp of
 * {@code sqrt(-2 ln(1 - u1)) cos(2 pi u2)}. {@code BoxMullerTest} checks on 4 * 10^6 fresh inputs each that
 * {@link #log} is within 1 ulp of {@link StrictMath#log} (and equal to it on all but a few inputs near 1) and
 * {@link #cosTwoPi} within 2.5 ulp of StrictMath's cos corrected for the rounding of {@code 2 * PI * u2}. The
 * normal value is always finite, never NaN, and {@code |z| <= sqrt(-2 ln(2^-53)) ~= 8.5718}.
 */
public final class BoxMuller {

    // fdlibm e_log.c
    public static final double LN2_HI = 0x1.62e42feep-1;        // 6.93147180369123816490e-01
    public static final double LN2_LO = 0x1.a39ef35793c76p-33;  // 1.90821492927058770002e-10
    public static final double LG1 = 0x1.5555555555593p-1;      // 6.666666666666735130e-01
    public static final double LG2 = 0x1.999999997fa04p-2;      // 3.999999999940941908e-01
    public static final double LG3 = 0x1.2492494229359p-2;      // 2.857142874366239149e-01
    public static final double LG4 = 0x1.c71c51d8e78afp-3;      // 2.222219843214978396e-01
    public static final double LG5 = 0x1.7466496cb03dep-3;      // 1.818357216161805012e-01
    public static final double LG6 = 0x1.39a09d078c69fp-3;      // 1.531383769920937332e-01
    public static final double LG7 = 0x1.2f112df3e5244p-3;      // 1.479819860511658591e-01
    // fdlibm k_sin.c
    public static final double S1 = -0x1.5555555555549p-3;      // -1.66666666666666324348e-01
    public static final double S2 = 0x1.111111110f8a6p-7;       //  8.33333333332248946124e-03
    public static final double S3 = -0x1.a01a019c161d5p-13;     // -1.98412698298579493134e-04
    public static final double S4 = 0x1.71de357b1fe7dp-19;      //  2.75573137070700676789e-06
    public static final double S5 = -0x1.ae5e68a2b9cebp-26;     // -2.50507602534068634195e-08
    public static final double S6 = 0x1.5d93a5acfd57cp-33;      //  1.58969099521155010221e-10
    // fdlibm k_cos.c
    public static final double C1 = 0x1.555555555554cp-5;       //  4.16666666666666019037e-02
    public static final double C2 = -0x1.6c16c16c15177p-10;     // -1.38888888888741095749e-03
    public static final double C3 = 0x1.a01a019cb159p-16;       //  2.48015872894767294178e-05
    public static final double C4 = -0x1.27e4f809c52adp-22;     // -2.75573143513906633035e-07
    public static final double C5 = 0x1.1ee9ebdb4b1c4p-29;      //  2.08757232129817482790e-09
    public static final double C6 = -0x1.8fae9be8838d4p-37;     // -1.13596475577881948265e-11
    /** {@code double(pi/2) * 2^-51}: {@code x = r51 * PIO2_51} for the reduced argument {@code r = r51 * 2^-51}. */
    public static final double PIO2_51 = Math.PI / 2 * 0x1.0p-51;
    /** {@code (pi/2 - double(pi/2)) * 2^-51}, the tail of {@link #PIO2_51}. */
    public static final double PIO2_LO_51 = 6.123233995736766036e-17 * 0x1.0p-51;

    private static final long MASK32 = 0xffffffffL;

    private BoxMuller() {}

    /**
     * The standard normal value of one Philox block, from its words {@code w01 = x0 << 32 | x1} and
     * {@code w23 = x2 << 32 | x3}: {@code sqrt(-2 * log(v)) * cosTwoPi(m2)} with {@code v = 1 - u1} (exact,
     * in [2^-53, 1]) for {@code u1 = (w01 >>> 11) * 2^-53} and {@code m2 = w23 >>> 11}.
     */
    public static double standardNormal(long w01, long w23) {
        double v = (double) ((1L << 53) - (w01 >>> 11)) * 0x1.0p-53;
        return Math.sqrt(-2.0 * log(v)) * cosTwoPi(w23 >>> 11);
    }

    /**
     * The natural logarithm of a positive normal finite {@code v} (others are outside its domain and give
     * meaningless values), as described in the class comment.
     */
    public static double log(double v) {
        long bits = Double.doubleToRawLongBits(v);
        long hx = bits >>> 32;
        long k = (hx >>> 20) - 1023;
        hx &= 0x000fffff;
        long i = (hx + 0x95f64) & 0x100000;
        // x = v / 2^k in [sqrt(2)/2, sqrt(2))
        double x = Double.longBitsToDouble((hx | (i ^ 0x3ff00000)) << 32 | (bits & MASK32));
        k += i >>> 20;
        double f = x - 1.0;
        double s = f / (2.0 + f);
        double dk = (double) k;
        double z = s * s;
        double w = z * z;
        double t1 = w * (LG2 + w * (LG4 + w * LG6));
        double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        double r = t2 + t1;
        if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
            double hfsq = 0.5 * f * f;
            return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
        }
        return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    }

    /**
     * {@code cos(2 pi m 2^-53)} for {@code 0 <= m < 2^53}, as described in the class comment.
     */
    public static double cosTwoPi(long m) {
        long q = (m + (1L << 50)) >>> 51;          // round(4 u), 0..4
        double r51 = (double) (m - (q << 51));     // 4u - q = r51 * 2^-51, |r51| <= 2^50: exact
        double x = r51 * PIO2_51;
        double y = r51 * PIO2_LO_51;
        double z = x * x;
        double c = kernelCos(x, y, z);
        double s = kernelSin(x, y, z);
        double v = (q & 1) != 0 ? s : c;
        return ((q + 1) & 2) != 0 ? -v : v;         // q mod 4 = 0, 1, 2, 3: cos, -sin, -cos, sin
    }

    /** fdlibm's {@code __kernel_cos(x, y)} for |x| <= pi/4 with {@code z = x * x}, its branches as a choice of qx. */
    static double kernelCos(double x, double y, double z) {
        double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
        long ix = (Double.doubleToRawLongBits(x) >>> 32) & 0x7fffffff;
        // 0 below |x| = 0.3 (there fdlibm's 1 - (z/2 - (z r - x y)) is this with qx = 0), else about |x|/4
        double qx = ix < 0x3fd33333 ? 0.0 : ix > 0x3fe90000 ? 0.28125 : Double.longBitsToDouble((ix - 0x00200000) << 32);
        double hz = 0.5 * z - qx;
        double a = 1.0 - qx;
        return a - (hz - (z * r - x * y));
    }

    /** fdlibm's {@code __kernel_sin(x, y, 1)} for |x| <= pi/4 with {@code z = x * x}. */
    static double kernelSin(double x, double y, double z) {
        double v = z * x;
        double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
        return x - ((z * (0.5 * y - v * r) - y) - v * S1);
    }
}
