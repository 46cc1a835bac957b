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
}
