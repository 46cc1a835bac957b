// Helpers of the fused elementwise kernels that gpu-backend generates from an expression (FusedKernelSource) and
// compiles with NVRTC: the value type of integer and bool nodes, and the casts, as cpu-backend computes them.
// No #include, as chunkwise_device.cuh: NVRTC has no system headers.
#pragma once

// Integer and bool nodes compute in 64 bits and wrap, as Java's long does in the CPU backend's long tiles; INT32 and
// BOOL results are narrowed after each op. A struct rather than long long because C++ leaves signed overflow
// undefined and compilers use that (x + 1 > x folds to true): + - * run here on unsigned words. The op table's CUDA
// forms apply to it unchanged: operators and comparisons below, and the functions the integer ops name (fabs,
// floor, ..., found by argument-dependent lookup, and preferred to any template as non-templates).
struct cw_i64 {
    long long v;
    __device__ __forceinline__ cw_i64() : v(0) {}
    __device__ __forceinline__ cw_i64(long long x) : v(x) {}
};

__device__ __forceinline__ cw_i64 cw_wrap(unsigned long long x) { return cw_i64((long long) x); }
__device__ __forceinline__ cw_i64 operator+(cw_i64 a, cw_i64 b) { return cw_wrap((unsigned long long) a.v + (unsigned long long) b.v); }
__device__ __forceinline__ cw_i64 operator-(cw_i64 a, cw_i64 b) { return cw_wrap((unsigned long long) a.v - (unsigned long long) b.v); }
__device__ __forceinline__ cw_i64 operator*(cw_i64 a, cw_i64 b) { return cw_wrap((unsigned long long) a.v * (unsigned long long) b.v); }
__device__ __forceinline__ cw_i64 operator-(cw_i64 a) { return cw_wrap(0ULL - (unsigned long long) a.v); }
__device__ __forceinline__ bool operator==(cw_i64 a, cw_i64 b) { return a.v == b.v; }
__device__ __forceinline__ bool operator!=(cw_i64 a, cw_i64 b) { return a.v != b.v; }
__device__ __forceinline__ bool operator<(cw_i64 a, cw_i64 b) { return a.v < b.v; }
__device__ __forceinline__ bool operator<=(cw_i64 a, cw_i64 b) { return a.v <= b.v; }
__device__ __forceinline__ bool operator>(cw_i64 a, cw_i64 b) { return a.v > b.v; }
__device__ __forceinline__ bool operator>=(cw_i64 a, cw_i64 b) { return a.v >= b.v; }

// The functions of the op table's CUDA forms, with the integer meaning of its Java long forms (Math.abs wraps,
// integers are their own floor, never NaN or infinite).
__device__ __forceinline__ cw_i64 fabs(cw_i64 x) { return x.v < 0 ? -x : x; }
__device__ __forceinline__ cw_i64 floor(cw_i64 x) { return x; }
__device__ __forceinline__ cw_i64 ceil(cw_i64 x) { return x; }
__device__ __forceinline__ cw_i64 trunc(cw_i64 x) { return x; }
__device__ __forceinline__ bool isnan(cw_i64) { return false; }
__device__ __forceinline__ bool isinf(cw_i64) { return false; }
__device__ __forceinline__ bool isfinite(cw_i64) { return true; }
__device__ __forceinline__ cw_i64 cw_maximum(cw_i64 a, cw_i64 b) { return a.v >= b.v ? a : b; }
__device__ __forceinline__ cw_i64 cw_minimum(cw_i64 a, cw_i64 b) { return a.v <= b.v ? a : b; }

// Scalars.pow of longs: repeated squaring, wrapping. A negative exponent, which the CPU backend refuses, gives 0 here;
// the kernel reports it through its error word (FusedKernelSource), and the backend raises the CPU's error.
__device__ __forceinline__ cw_i64 pow(cw_i64 base, cw_i64 exp) {
    if (exp.v < 0) return cw_i64(0);
    cw_i64 r(1);
    for (unsigned long long e = (unsigned long long) exp.v; e != 0; e >>= 1) {
        if (e & 1) r = r * base;
        base = base * base;
    }
    return r;
}

// io.chunkwise.spi.Scalars.remainder and floorDivide of longs: a zero divisor gives 0; -1 is apart because
// LLONG_MIN % -1 and LLONG_MIN / -1 trap (Java gives 0 and the wrapped LLONG_MIN).
__device__ __forceinline__ cw_i64 cw_remainder(cw_i64 a, cw_i64 b) {
    if (b.v == 0 || b.v == -1) return cw_i64(0);
    long long r = a.v % b.v;
    return cw_i64(r != 0 && ((r ^ b.v) < 0) ? r + b.v : r);
}
__device__ __forceinline__ cw_i64 cw_floor_divide(cw_i64 a, cw_i64 b) {
    if (b.v == 0) return cw_i64(0);
    if (b.v == -1) return -a;
    long long q = a.v / b.v;
    return cw_i64(a.v % b.v != 0 && ((a.v ^ b.v) < 0) ? q - 1 : q);
}

// INT32 wraps, BOOL is 0 or 1 (cpu-backend's TileOps.narrow).
__device__ __forceinline__ cw_i64 cw_narrow_int32(cw_i64 x) { return cw_i64((long long) (int) x.v); }
__device__ __forceinline__ cw_i64 cw_narrow_bool(cw_i64 x) { return cw_i64(x.v != 0 ? 1LL : 0LL); }

// Float to integer as NumPy on x86 (Scalars.toInt64, toInt32): truncation where the value fits, the smallest value
// of the type for NaN, infinities and everything out of range. The range test comes first: C's cast of those is
// undefined (the GPU saturates, x86 gives the smallest value).
__device__ __forceinline__ cw_i64 cw_to_int64(double v) {
    return cw_i64(v >= -0x1p63 && v < 0x1p63 ? (long long) v : (long long) (1ULL << 63));
}
__device__ __forceinline__ cw_i64 cw_to_int32(double v) {
    return cw_i64(v > -2147483649.0 && v < 2147483648.0 ? (long long) (int) v : -2147483648LL);
}

/** A float32 value computed in double, rounded once (the CPU backend's roundToFloat). */
__device__ __forceinline__ double cw_round_float(double x) { return (double) (float) x; }

/** A double from its raw bits: constants are kernel parameters, so NaN payloads and -0.0 travel exactly. */
__device__ __forceinline__ double cw_bits_double(long long bits) { return __longlong_as_double(bits); }
