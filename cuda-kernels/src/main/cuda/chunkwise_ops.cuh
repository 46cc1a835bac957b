// The prebuilt kernels (STYLE lesson 7): every op is declared once, in the op table (array-api's io.chunkwise.spi
// enums), and each .cu file expands the generated lists for every dtype of CHUNKWISE_FLOAT_TYPES. A kernel is named
// chunkwise_<op>_<dtype> (STYLE lesson 8); the GPU backend finds the kernels it can use by reading the `.entry` names
// of the PTX, so a row of the op table with a CUDA form is all a new op needs on this side.
#pragma once
#include "chunkwise_device.cuh"

// X(dtype name, C type)
#define CHUNKWISE_FLOAT_TYPES(X, ...) \
    X(float64, double, __VA_ARGS__)   \
    X(float32, float, __VA_ARGS__)

// The op lists, CHUNKWISE_BINARY_OPS, CHUNKWISE_UNARY_OPS and CHUNKWISE_REDUCE_OPS: generated from the op table
// (io.chunkwise.spi) by src/codegen/GenerateOpTable.java during the build.
#include "chunkwise_op_table.cuh"

// Launch geometry shared with the Java side (GpuBackend): a grid-stride loop of 256-thread blocks.
#define CHUNKWISE_BLOCK 256
