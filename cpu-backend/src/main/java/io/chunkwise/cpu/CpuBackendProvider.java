package io.chunkwise.cpu;

import io.chunkwise.BackendKind;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;

import java.util.Optional;

/** Offers {@link CpuBackend} to {@link java.util.ServiceLoader}; usable on every JVM, preferred over the reference. */
public final class CpuBackendProvider implements BackendProvider {
    @Override public BackendKind kind() { return BackendKind.CPU; }

    @Override public int priority() { return 10; }

    @Override public Optional<String> unavailableReason() { return Optional.empty(); }

    @Override public Backend create(int threads) { return new CpuBackend(threads); }
}
