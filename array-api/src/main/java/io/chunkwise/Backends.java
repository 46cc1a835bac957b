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

    /** Why AUTO passed over the GPU, each reason logged once per JVM. */
    private static final java.util.Set<String> LOGGED_GPU_REASONS = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
        return create(kind, threads, providers());
    }

    /**
     * {@link #create(BackendKind, int)} among {@code providers} (highest priority first). Under AUTO a GPU provider
     * whose {@code create} fails is passed over like an unusable one: its failure is logged and the CPU taken.
     */
    static Backend create(BackendKind kind, int threads, List<BackendProvider> providers) {
        List<String> why = new ArrayList<>();
        for (BackendKind k : kind == BackendKind.AUTO ? List.of(BackendKind.GPU, BackendKind.CPU) : List.of(kind)) {
            for (BackendProvider p : providers) {
                if (p.kind() != k) continue;
                var reason = p.unavailableReason();
                if (reason.isEmpty()) {
                    if (p instanceof ReferenceBackendProvider) warnReference();
                    if (kind != BackendKind.AUTO || k != BackendKind.GPU) return p.create(threads);
                    try {
                        return p.create(threads);
                    } catch (RuntimeException | LinkageError e) {
                        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                        why.add(p.getClass().getSimpleName() + ": creating it failed: " + msg);
                        LOG.debug("creating {} failed", p.getClass().getSimpleName(), e);
                        continue;
                    }
                }
                why.add(p.getClass().getSimpleName() + ": " + reason.get());
            }
            if (kind == BackendKind.AUTO && k == BackendKind.GPU && !why.isEmpty()) {
                String reasons = String.join("; ", why);
                if (LOGGED_GPU_REASONS.add(reasons)) LOG.info("no usable GPU backend, using the CPU ({})", reasons);
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
