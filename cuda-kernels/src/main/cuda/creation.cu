// Creation kernels, one per dtype of chunkwise_ops.cuh: fill, arange and Philox4x32-10 uniform/normal. Generators
// take the chunk's place in the array as (inner, outerStride, first): see cw_global_index.
#include "chunkwise_ops.cuh"

#define CW_GRID_STRIDE(i, n) \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); i += (long long) blockDim.x * gridDim.x)

#define CW_CREATION_KERNELS(dt, T, unused)                                                                         \
    extern "C" __global__ void __launch_bounds__(CHUNKWISE_BLOCK)                                                  \
    chunkwise_fill_##dt(T* __restrict__ out, long long n, double value) {                                         \
        T v = (T) value;                                                                                           \
        CW_GRID_STRIDE(i, n) out[i] = v;                                                                           \
    }                                                                                                              \
    /* start + step * global index, computed in double (no FMA) and rounded to T once */                          \
    extern "C" __global__ void __launch_bounds__(CHUNKWISE_BLOCK)                                                  \
    chunkwise_arange_##dt(T* __restrict__ out, long long n, long long inner, long long outerStride,              \
                          long long first, double start, double step) {                                           \
        CW_GRID_STRIDE(i, n) {                                                                                     \
            double g = (double) (long long) cw_global_index(i, inner, outerStride, first);                         \
            out[i] = (T) __dadd_rn(start, __dmul_rn(step, g));                                                     \
        }                                                                                                          \
    }                                                                                                              \
    extern "C" __global__ void __launch_bounds__(CHUNKWISE_BLOCK)                                                  \
    chunkwise_uniform_##dt(T* __restrict__ out, long long n, long long inner, long long outerStride,             \
                           long long first, unsigned long long seed, double lo, double hi) {                      \
        CW_GRID_STRIDE(i, n) out[i] = cw_uniform<T>(seed, cw_global_index(i, inner, outerStride, first), lo, hi);  \
    }                                                                                                              \
    extern "C" __global__ void __launch_bounds__(CHUNKWISE_BLOCK)                                                  \
    chunkwise_normal_##dt(T* __restrict__ out, long long n, long long inner, long long outerStride,              \
                          long long first, unsigned long long seed, double mean, double std) {                    \
        CW_GRID_STRIDE(i, n) out[i] = cw_normal<T>(seed, cw_global_index(i, inner, outerStride, first), mean, std);\
    }

CHUNKWISE_FLOAT_TYPES(CW_CREATION_KERNELS, 0)
