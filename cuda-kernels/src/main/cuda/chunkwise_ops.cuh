// THE table of the prebuilt kernels (STYLE lesson 7): every op is declared once here, and each .cu file expands it
// for every dtype of CHUNKWISE_FLOAT_TYPES. A kernel is named chunkwise_<op>_<dtype> (STYLE lesson 8); the GPU
// backend finds the kernels it can use by reading the `.entry` names of the PTX, so adding a line here is all a new
// op needs on this side.
#pragma once
#include "chunkwise_device.cuh"

// X(dtype name, C type)
#define CHUNKWISE_FLOAT_TYPES(X, ...) \
    X(float64, double, __VA_ARGS__)   \
    X(float32, float, __VA_ARGS__)

// X(op, expression of a and b): io.chunkwise.spi.BinaryOp, lower case.
#define CHUNKWISE_BINARY_OPS(X)     \
    X(add, a + b)                   \
    X(sub, a - b)                   \
    X(mul, a * b)                   \
    X(div, a / b)                   \
    X(pow, pow(a, b))               \
    X(maximum, cw_maximum(a, b))    \
    X(minimum, cw_minimum(a, b))

// X(op, expression of x): io.chunkwise.spi.UnaryOp, lower case.
#define CHUNKWISE_UNARY_OPS(X)      \
    X(neg, -x)                      \
    X(abs, fabs(x))                 \
    X(exp, exp(x))                  \
    X(log, log(x))                  \
    X(sqrt, sqrt(x))                \
    X(sin, sin(x))                  \
    X(cos, cos(x))                  \
    X(tanh, tanh(x))

// X(op, combine of a and b, identity): io.chunkwise.spi.ReduceOp, lower case; only ops with an identity.
#define CHUNKWISE_REDUCE_OPS(X)     \
    X(sum, a + b, 0)

// Launch geometry shared with the Java side (GpuBackend): a grid-stride loop of 256-thread blocks.
#define CHUNKWISE_BLOCK 256
