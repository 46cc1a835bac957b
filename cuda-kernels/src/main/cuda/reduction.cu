// Block-level tree reductions, expanded from CHUNKWISE_REDUCE_OPS for every dtype. Deterministic: thread t of block
// b folds elements b*256+t, b*256+t + 256*grid, ... in increasing order, then the block combines its 256 values in
// a fixed binary tree and writes partials[b]. The caller picks the grid from n alone and reduces the partials with
// a second launch of one block, so the result depends on n only, never on timing.
#include "chunkwise_ops.cuh"

#define CW_REDUCE_KERNEL(dt, T, op, combine, identity)                                                             \
    extern "C" __global__ void __launch_bounds__(CHUNKWISE_BLOCK)                                                  \
    chunkwise_##op##_##dt(const T* __restrict__ in, T* __restrict__ partials, long long n) {                      \
        __shared__ T shared[CHUNKWISE_BLOCK];                                                                      \
        T acc = (T) (identity);                                                                                    \
        for (long long i = blockIdx.x * (long long) CHUNKWISE_BLOCK + threadIdx.x; i < n;                          \
             i += (long long) CHUNKWISE_BLOCK * gridDim.x) {                                                       \
            T a = acc, b = in[i];                                                                                  \
            acc = (combine);                                                                                       \
        }                                                                                                          \
        shared[threadIdx.x] = acc;                                                                                 \
        __syncthreads();                                                                                           \
        for (int s = CHUNKWISE_BLOCK / 2; s > 0; s >>= 1) {                                                        \
            if (threadIdx.x < s) {                                                                                 \
                T a = shared[threadIdx.x], b = shared[threadIdx.x + s];                                            \
                shared[threadIdx.x] = (combine);                                                                   \
            }                                                                                                      \
            __syncthreads();                                                                                       \
        }                                                                                                          \
        if (threadIdx.x == 0) partials[blockIdx.x] = shared[0];                                                    \
    }
#define CW_REDUCE(op, combine, identity) CHUNKWISE_FLOAT_TYPES(CW_REDUCE_KERNEL, op, combine, identity)
CHUNKWISE_REDUCE_OPS(CW_REDUCE)
