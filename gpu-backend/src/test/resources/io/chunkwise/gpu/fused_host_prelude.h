// Host build of the generated fused kernels (FusedKernelHostTest), as cuda-kernels' device_math_check.cu builds the
// device math: CUDA's qualifiers defined away, the intrinsics as the IEEE operations they stand for, the math
// functions of <cmath>; compiled with -ffp-contract=off, as the kernels are compiled with --fmad=false. A kernel
// runs as one thread of one block, so its grid-stride loop visits every element in order.
#pragma once
#include <cmath>
#include <cstring>
using namespace std; // the float overloads of the math functions, as CUDA's device library has them
#define __device__
#define __forceinline__ inline
#define __global__
#define __launch_bounds__(n)
struct cw_dim3 { unsigned int x, y, z; };
static const cw_dim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
static inline long long __double_as_longlong(double x) { long long r; memcpy(&r, &x, 8); return r; }
static inline double __longlong_as_double(long long x) { double r; memcpy(&r, &x, 8); return r; }
static inline int __float_as_int(float x) { int r; memcpy(&r, &x, 4); return r; }
static inline float __int_as_float(int x) { float r; memcpy(&r, &x, 4); return r; }
static inline unsigned int __umulhi(unsigned int a, unsigned int b) {
    return (unsigned int) (((unsigned long long) a * b) >> 32);
}
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsqrt_rn(double a) { return sqrt(a); }
static inline double __ll2double_rn(long long a) { return (double) a; }
