package io.chunkwise;

import io.chunkwise.reference.ReferenceBackendProvider;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;
import io.chunkwise.spi.SetupWarnings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends through {@link ServiceLoader} and picks one for a {@link BackendKind}. */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {}

    /**
     * The backend providers on the class path.
     *
     * @return every provider {@link ServiceLoader} finds, highest priority first
     */
    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(all::add);
        all.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return all;
    }

    /**
     * A backend of {@code kind}: the usable provider of highest priority ({@link BackendKind#AUTO}: a GPU's, else
     * the CPU's). Warns once when that is the reference backend, which is much slower than {@code cpu-backend}'s.
     *
     * @param kind the kind of backend
     * @param threads the threads the backend's kernels may use
     * @return a new backend; the caller closes it
     * @throws BackendUnavailableException when no provider of that kind is usable, with each one's reason
     */
    public static Backend create(BackendKind kind, int threads) {
        List<String> why = new ArrayList<>();
        for (BackendKind k : kind == BackendKind.AUTO ? List.of(BackendKind.GPU, BackendKind.CPU) : List.of(kind)) {
            for (BackendProvider p : providers()) {
                if (p.kind() != k) continue;
                var reason = p.unavailableReason();
                if (reason.isEmpty()) {
                    if (p instanceof ReferenceBackendProvider) warnReference();
                    return p.create(threads);
                }
                why.add(p.getClass().getSimpleName() + ": " + reason.get());
            }
            if (kind == BackendKind.AUTO && k == BackendKind.GPU && !why.isEmpty()) {
                LOG.info("no usable GPU backend, using the CPU ({})", String.join("; ", why));
            }
        }
        throw new BackendUnavailableException("no usable " + kind + " backend"
                + (why.isEmpty() ? " on the class path" + (kind == BackendKind.GPU ? " (add io.chunkwise:gpu-backend)" : "")
                : ": " + String.join("; ", why)));
    }

    /** The reference backend is the tests' oracle, about 10 times slower than the CPU backend: never chosen silently. */
    private static void warnReference() {
        SetupWarnings.warnOnce("chunkwise.reference-backend", LOG, "Chunkwise runs on its reference backend, a plain and "
                + "much slower one (the tests' oracle), because no CPU backend is on the class path: add the dependency "
                + "io.chunkwise:cpu-backend (the version of io.chunkwise:array-api) for SIMD loops and BLAS.");
    }
}
