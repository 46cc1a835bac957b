package io.chunkwise.spi;

import io.chunkwise.BackendKind;

import java.util.Optional;

/**
 * Found through {@link java.util.ServiceLoader}: a backend module lists its provider in
 * {@code META-INF/services/io.chunkwise.spi.BackendProvider}.
 */
public interface BackendProvider {
    BackendKind kind();

    /** Among usable providers of a kind the highest priority wins (the reference backend is 0). */
    int priority();

    /** Empty when usable here, otherwise why not (e.g. "no CUDA driver"). */
    Optional<String> unavailableReason();

    Backend create(int threads);

    /**
     * What this provider found on the machine, a line each, for {@code ./chunkwise info} (the GPU provider: which
     * CUDA libraries load, the driver version, the device's compute capability). Never throws; empty by default.
     */
    default java.util.List<String> details() { return java.util.List.of(); }

    /** How many devices its backend drives here (the GPU provider: the GPUs that passed its probe); 1 for a CPU. */
    default int devices() { return 1; }
}
