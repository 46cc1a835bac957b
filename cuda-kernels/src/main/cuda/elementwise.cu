// Dense elementwise kernels: out[i] = op(a[i], b[i]) or op(x[i]) for 0 <= i < n, expanded from chunkwise_ops.cuh.
#include "chunkwise_ops.cuh"

#define CW_BINARY_KERNEL(dt, T, op, expr)                                                                          \
    extern "C" __global__ void __launch_bounds__(CHUNKWISE_BLOCK)                                                  \
    chunkwise_##op##_##dt(const T* __restrict__ pa, const T* __restrict__ pb, T* __restrict__ out, long long n) { \
        for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;                               \
             i += (long long) blockDim.x * gridDim.x) {                                                            \
            T a = pa[i], b = pb[i];                                                                                \
            out[i] = (expr);                                                                                       \
        }                                                                                                          \
    }
#define CW_BINARY(op, expr) CHUNKWISE_FLOAT_TYPES(CW_BINARY_KERNEL, op, expr)
CHUNKWISE_BINARY_OPS(CW_BINARY)

#define CW_UNARY_KERNEL(dt, T, op, expr)                                                                           \
    extern "C" __global__ void __launch_bounds__(CHUNKWISE_BLOCK)                                                  \
    chunkwise_##op##_##dt(const T* __restrict__ px, T* __restrict__ out, long long n) {                           \
        for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;                               \
             i += (long long) blockDim.x * gridDim.x) {                                                            \
            T x = px[i];                                                                                           \
            out[i] = (expr);                                                                                       \
        }                                                                                                          \
    }
#define CW_UNARY(op, expr) CHUNKWISE_FLOAT_TYPES(CW_UNARY_KERNEL, op, expr)
CHUNKWISE_UNARY_OPS(CW_UNARY)
