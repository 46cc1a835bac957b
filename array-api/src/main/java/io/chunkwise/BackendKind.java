package io.chunkwise;

/** Which kind of backend a {@link Chunkwise} context runs its chunk kernels on. */
public enum BackendKind {
    /** A GPU when one is usable, else the CPU. */
    AUTO,
    /** The CPU: the {@code cpu-backend} artifact's SIMD and BLAS backend, else the slow reference backend. */
    CPU,
    /** A CUDA GPU (the {@code gpu-backend} artifact). */
    GPU
}
