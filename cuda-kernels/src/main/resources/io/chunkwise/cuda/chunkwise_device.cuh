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
//   normal  z = sqrt(-2 * log1p(-u1)) * cos(2 pi u2), u1 from (x0, x1), u2 from (x2, x3)
// Arithmetic uses explicit round-to-nearest intrinsics so that nvcc cannot contract a*b+c into an FMA: the uniform
// stream is then bit-identical to the Java one. The normal stream uses CUDA's log1p/cos (within 2 ulp), not
// fdlibm, so it matches the Java values to a few ulp, not bit for bit.
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

/** Element {@code index} of normal(mean, std) for {@code seed}, as Philox.fillNormal computes it (see above). */
template <typename T> __device__ __forceinline__ T cw_normal(unsigned long long seed, unsigned long long index,
                                                             double mean, double std) {
    cw_philox_out x = cw_philox_element(seed, index);
    double u1 = cw_unit(x.x0, x.x1);
    double u2 = cw_unit(x.x2, x.x3);
    double z = __dmul_rn(sqrt(-2.0 * log1p(-u1)), cos(__dmul_rn(6.283185307179586, u2)));
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
