package io.chunkwise;

import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;
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

    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(all::add);
        all.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return all;
    }

    public static Backend create(BackendKind kind, int threads) {
        List<String> why = new ArrayList<>();
        for (BackendKind k : kind == BackendKind.AUTO ? List.of(BackendKind.GPU, BackendKind.CPU) : List.of(kind)) {
            for (BackendProvider p : providers()) {
                if (p.kind() != k) continue;
                var reason = p.unavailableReason();
                if (reason.isEmpty()) return p.create(threads);
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
}
