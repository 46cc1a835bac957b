package io.chunkwise.reference;

import io.chunkwise.BackendKind;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;

import java.util.Optional;

/** Offers the reference backend as the CPU backend of last resort (priority 0). */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override public BackendKind kind() { return BackendKind.CPU; }

    @Override public int priority() { return 0; }

    @Override public Optional<String> unavailableReason() { return Optional.empty(); }

    @Override public Backend create(int threads) { return new ReferenceBackend(); }
}
