package io.chunkwise;

/** Which kind of backend a {@link Chunkwise} context runs its chunk kernels on. */
public enum BackendKind {
    /** A GPU when one is usable, else the CPU. */
    AUTO,
    CPU,
    GPU
}
