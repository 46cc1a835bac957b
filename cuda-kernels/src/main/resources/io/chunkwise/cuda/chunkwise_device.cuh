// Device helpers shared by the prebuilt kernels (src/main/cuda/*.cu) and by NVRTC programs made from
// fused_elementwise.cu.template. No #include: NVRTC has no system headers, and everything here is built in.
#pragma once

__device__ __forceinline__ bool cw_signbit(double x) { return __double_as_longlong(x) < 0; }
__device__ __forceinline__ bool cw_signbit(float x) { return __float_as_int(x) < 0; }

// maximum/minimum as the reference backend computes them (Java's Math.max/min): NaN in either operand gives NaN,
// and +0.0 is larger than -0.0.
template <typename T> __device__ __forceinline__ T cw_maximum(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return cw_signbit(a) ? b : a;
    return a > b ? a : b;
}
template <typename T> __device__ __forceinline__ T cw_minimum(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return cw_signbit(b) ? b : a;
    return a < b ? a : b;
}

// ---------------------------------------------------------------------------------------------------------------
// Philox4x32-10 and the element generator of io.chunkwise.random.Philox, word for word:
//   counter = (lo32(i), hi32(i), 0, 0), key = (lo32(seed), hi32(seed))
//   uniform u = top 53 bits of (x0 << 32 | x1) * 2^-53
//   normal  z = sqrt(-2 * log(1 - u1)) * cosTwoPi(m2), u1 from (x0, x1), u2 = m2 * 2^-53 from (x2, x3), with the
//           log and cosTwoPi of io.chunkwise.random.BoxMuller (cw_bm_log, cw_bm_cos_two_pi below)
// Arithmetic uses explicit round-to-nearest intrinsics so that nvcc cannot contract a*b+c into an FMA, in the same
// order as the Java code: both streams are then bit-identical to the Java ones.
// ---------------------------------------------------------------------------------------------------------------
struct cw_philox_out { unsigned int x0, x1, x2, x3; };

__device__ __forceinline__ cw_philox_out cw_philox4x32_10(unsigned int c0, unsigned int c1, unsigned int c2,
                                                          unsigned int c3, unsigned int k0, unsigned int k1) {
#pragma unroll
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        unsigned int hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0;
        unsigned int n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    cw_philox_out r = {c0, c1, c2, c3};
    return r;
}

__device__ __forceinline__ cw_philox_out cw_philox_element(unsigned long long seed, unsigned long long index) {
    return cw_philox4x32_10((unsigned int) index, (unsigned int) (index >> 32), 0u, 0u,
                            (unsigned int) seed, (unsigned int) (seed >> 32));
}

/** Top 53 bits of the unsigned 64-bit value (hi << 32 | lo), scaled to [0, 1): exact, no rounding. */
__device__ __forceinline__ double cw_unit(unsigned int hi, unsigned int lo) {
    unsigned long long bits = ((unsigned long long) hi << 32) | lo;
    return (double) (bits >> 11) * 0x1.0p-53;
}

/** Java's Math.nextDown. */
__device__ __forceinline__ double cw_next_down(double x) {
    if (x != x || x == __longlong_as_double(0xfff0000000000000LL)) return x;
    if (x == 0.0) return -__longlong_as_double(1LL);
    long long b = __double_as_longlong(x);
    return __longlong_as_double(b + (x > 0.0 ? -1LL : 1LL));
}

__device__ __forceinline__ float cw_next_down(float x) {
    if (x != x || x == __int_as_float((int) 0xff800000u)) return x;
    if (x == 0.0f) return -__int_as_float(1);
    int b = __float_as_int(x);
    return __int_as_float(b + (x > 0.0f ? -1 : 1));
}

/** Element {@code index} of uniform [lo, hi) for {@code seed}, as Philox.fillUniform computes it. */
template <typename T> __device__ __forceinline__ T cw_uniform(unsigned long long seed, unsigned long long index,
                                                              double lo, double hi) {
    cw_philox_out x = cw_philox_element(seed, index);
    T v = (T) __dadd_rn(lo, __dmul_rn(__dsub_rn(hi, lo), cw_unit(x.x0, x.x1)));
    T h = (T) hi;
    return v < h ? v : cw_next_down(h);
}

// io.chunkwise.random.BoxMuller's constants (fdlibm's e_log.c, k_sin.c, k_cos.c) and functions, operation for operation
#define CW_BM_LN2_HI 0x1.62e42feep-1
#define CW_BM_LN2_LO 0x1.a39ef35793c76p-33
#define CW_BM_LG1 0x1.5555555555593p-1
#define CW_BM_LG2 0x1.999999997fa04p-2
#define CW_BM_LG3 0x1.2492494229359p-2
#define CW_BM_LG4 0x1.c71c51d8e78afp-3
#define CW_BM_LG5 0x1.7466496cb03dep-3
#define CW_BM_LG6 0x1.39a09d078c69fp-3
#define CW_BM_LG7 0x1.2f112df3e5244p-3
#define CW_BM_S1 (-0x1.5555555555549p-3)
#define CW_BM_S2 0x1.111111110f8a6p-7
#define CW_BM_S3 (-0x1.a01a019c161d5p-13)
#define CW_BM_S4 0x1.71de357b1fe7dp-19
#define CW_BM_S5 (-0x1.ae5e68a2b9cebp-26)
#define CW_BM_S6 0x1.5d93a5acfd57cp-33
#define CW_BM_C1 0x1.555555555554cp-5
#define CW_BM_C2 (-0x1.6c16c16c15177p-10)
#define CW_BM_C3 0x1.a01a019cb159p-16
#define CW_BM_C4 (-0x1.27e4f809c52adp-22)
#define CW_BM_C5 0x1.1ee9ebdb4b1c4p-29
#define CW_BM_C6 (-0x1.8fae9be8838d4p-37)
#define CW_BM_PIO2_51 0x1.921fb54442d18p-51
#define CW_BM_PIO2_LO_51 (6.123233995736766036e-17 * 0x1.0p-51)

/** BoxMuller.log: fdlibm's log without its |f| < 2^-20 shortcut and special cases, for positive normal v. */
__device__ __forceinline__ double cw_bm_log(double v) {
    long long bits = __double_as_longlong(v);
    long long hx = (long long) ((unsigned long long) bits >> 32);
    long long k = (hx >> 20) - 1023;
    hx &= 0x000fffffLL;
    long long i = (hx + 0x95f64LL) & 0x100000LL;
    double x = __longlong_as_double(((hx | (i ^ 0x3ff00000LL)) << 32) | (bits & 0xffffffffLL));
    k += i >> 20;
    double f = __dsub_rn(x, 1.0);
    double s = __ddiv_rn(f, __dadd_rn(2.0, f));
    double dk = __ll2double_rn(k);
    double z = __dmul_rn(s, s);
    double w = __dmul_rn(z, z);
    double t1 = __dmul_rn(w, __dadd_rn(CW_BM_LG2, __dmul_rn(w, __dadd_rn(CW_BM_LG4, __dmul_rn(w, CW_BM_LG6)))));
    double t2 = __dmul_rn(z, __dadd_rn(CW_BM_LG1, __dmul_rn(w, __dadd_rn(CW_BM_LG3,
                __dmul_rn(w, __dadd_rn(CW_BM_LG5, __dmul_rn(w, CW_BM_LG7)))))));
    double r = __dadd_rn(t2, t1);
    if (((hx - 0x6147aLL) | (0x6b851LL - hx)) > 0) {
        double hfsq = __dmul_rn(__dmul_rn(0.5, f), f);
        return __dsub_rn(__dmul_rn(dk, CW_BM_LN2_HI),
                __dsub_rn(__dsub_rn(hfsq, __dadd_rn(__dmul_rn(s, __dadd_rn(hfsq, r)), __dmul_rn(dk, CW_BM_LN2_LO))), f));
    }
    return __dsub_rn(__dmul_rn(dk, CW_BM_LN2_HI),
            __dsub_rn(__dsub_rn(__dmul_rn(s, __dsub_rn(f, r)), __dmul_rn(dk, CW_BM_LN2_LO)), f));
}

/** BoxMuller.cosTwoPi: cos(2 pi m 2^-53) for 0 <= m < 2^53, by an exact reduction of 4u and fdlibm's kernels. */
__device__ __forceinline__ double cw_bm_cos_two_pi(long long m) {
    long long q = (long long) ((unsigned long long) (m + (1LL << 50)) >> 51);
    double r51 = __ll2double_rn(m - (q << 51));
    double x = __dmul_rn(r51, CW_BM_PIO2_51);
    double y = __dmul_rn(r51, CW_BM_PIO2_LO_51);
    double z = __dmul_rn(x, x);
    // __kernel_cos(x, y)
    double rc = __dmul_rn(z, __dadd_rn(CW_BM_C1, __dmul_rn(z, __dadd_rn(CW_BM_C2, __dmul_rn(z, __dadd_rn(CW_BM_C3,
                __dmul_rn(z, __dadd_rn(CW_BM_C4, __dmul_rn(z, __dadd_rn(CW_BM_C5, __dmul_rn(z, CW_BM_C6)))))))))));
    long long ix = (long long) ((unsigned long long) __double_as_longlong(x) >> 32) & 0x7fffffffLL;
    double qx = ix < 0x3fd33333LL ? 0.0 : ix > 0x3fe90000LL ? 0.28125 : __longlong_as_double((ix - 0x00200000LL) << 32);
    double hz = __dsub_rn(__dmul_rn(0.5, z), qx);
    double a = __dsub_rn(1.0, qx);
    double c = __dsub_rn(a, __dsub_rn(hz, __dsub_rn(__dmul_rn(z, rc), __dmul_rn(x, y))));
    // __kernel_sin(x, y, 1)
    double v = __dmul_rn(z, x);
    double rs = __dadd_rn(CW_BM_S2, __dmul_rn(z, __dadd_rn(CW_BM_S3, __dmul_rn(z, __dadd_rn(CW_BM_S4,
                __dmul_rn(z, __dadd_rn(CW_BM_S5, __dmul_rn(z, CW_BM_S6))))))));
    double s = __dsub_rn(x, __dsub_rn(__dsub_rn(__dmul_rn(z, __dsub_rn(__dmul_rn(0.5, y), __dmul_rn(v, rs))), y),
                                      __dmul_rn(v, CW_BM_S1)));
    double res = (q & 1) != 0 ? s : c;
    return ((q + 1) & 2) != 0 ? -res : res;
}

/** Element {@code index} of normal(mean, std) for {@code seed}, as Philox.fillNormal computes it (see above). */
template <typename T> __device__ __forceinline__ T cw_normal(unsigned long long seed, unsigned long long index,
                                                             double mean, double std) {
    cw_philox_out x = cw_philox_element(seed, index);
    unsigned long long w01 = ((unsigned long long) x.x0 << 32) | x.x1;
    unsigned long long w23 = ((unsigned long long) x.x2 << 32) | x.x3;
    double v = __dmul_rn(__ll2double_rn((long long) ((1ULL << 53) - (w01 >> 11))), 0x1.0p-53);
    double z = __dmul_rn(__dsqrt_rn(__dmul_rn(-2.0, cw_bm_log(v))), cw_bm_cos_two_pi((long long) (w23 >> 11)));
    return (T) __dadd_rn(mean, __dmul_rn(std, z));
}

/**
 * The global flat index of element {@code i} of a chunk whose elements are runs of {@code inner} consecutive global
 * indices, run {@code r} starting at {@code first + r * outerStride} (a 1-D chunk, or an N-D chunk whose inner axes
 * span the whole array).
 */
__device__ __forceinline__ unsigned long long cw_global_index(long long i, long long inner, long long outerStride,
                                                              long long first) {
    return (unsigned long long) (first + (i / inner) * outerStride + (i % inner));
}

// numpy.remainder of floats (npy_divmod): fmod, moved by one divisor where its sign differs from the divisor's, a zero
// carrying the divisor's sign; fmod's NaN for a zero divisor. As io.chunkwise.spi.Scalars.remainder.
template <typename T> __device__ __forceinline__ T cw_remainder(T a, T b) {
    T mod = fmod(a, b);
    if (b == 0) return mod;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) mod += b;
    } else {
        mod = copysign((T) 0, b);
    }
    return mod;
}

// numpy.floor_divide of floats (npy_divmod), as io.chunkwise.spi.Scalars.floorDivide.
template <typename T> __device__ __forceinline__ T cw_floor_divide(T a, T b) {
    T mod = fmod(a, b);
    if (b == 0) return a / b;
    T div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
    if (div == 0) return copysign((T) 0, a / b);
    T fl = floor(div);
    return div - fl > (T) 0.5 ? fl + 1 : fl;
}

// float32: computed in double and rounded once, as the reference backend computes every float32 node (and the CPU
// backend's floor_divide). In float, (a - mod) / b rounds twice: 2 of 4564 pairs of the host check gave 1 ulp more.
__device__ __forceinline__ float cw_floor_divide(float a, float b) { return (float) cw_floor_divide<double>(a, b); }
__device__ __forceinline__ float cw_remainder(float a, float b) { return (float) cw_remainder<double>(a, b); }
