package io.chunkwise;

import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The choice of a backend among fake providers: AUTO is never stopped by a GPU that fails to open. */
class BackendsTest {
    private record Fake(BackendKind kind, Optional<String> unavailableReason, RuntimeException failure, Backend backend)
            implements BackendProvider {
        @Override public int priority() { return 10; }

        @Override
        public Backend create(int threads) {
            if (failure != null) throw failure;
            return backend;
        }
    }

    private final Backend cpu = new ReferenceBackend();
    private final BackendProvider cpuProvider = new Fake(BackendKind.CPU, Optional.empty(), null, cpu);

    @Test
    void underAutoAGpuWhoseCreateFailsIsPassedOverForTheCpu() {
        BackendProvider gpu = new Fake(BackendKind.GPU, Optional.empty(),
                new BackendUnavailableException("could not set up CUDA device 0: cuModuleLoadData failed: CUDA_ERROR_NO_BINARY_FOR_GPU"), null);
        assertSame(cpu, Backends.create(BackendKind.AUTO, 1, List.of(gpu, cpuProvider)));
    }

    @Test
    void askedForByKindTheGpusFailureIsThrown() {
        BackendProvider gpu = new Fake(BackendKind.GPU, Optional.empty(), new BackendUnavailableException("cuModuleLoadData failed"), null);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.create(BackendKind.GPU, 1, List.of(gpu, cpuProvider)));
        assertEquals("cuModuleLoadData failed", e.getMessage());
    }

    @Test
    void withNothingElseUsableAutoSaysWhyTheGpuFailed() {
        BackendProvider gpu = new Fake(BackendKind.GPU, Optional.empty(), new IllegalStateException("self-test\nsecond line"), null);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.create(BackendKind.AUTO, 1, List.of(gpu)));
        assertTrue(e.getMessage().contains("Fake: creating it failed: self-test"), e.getMessage());
        assertTrue(!e.getMessage().contains("second line"), e.getMessage());
    }

    @Test
    void explainsLastLineNamesTheBackendAndWhatItDelegated() {
        assertEquals("backend: reference", Chunkwise.backendLine(new ReferenceBackend()));
        Backend gpu = backend("gpu cuda:0 (fake)", "cpu", new java.util.TreeMap<>(Map.of("assemble", 3L, "reduceCombine", 2L)));
        assertEquals("backend: gpu cuda:0 (fake); calls delegated to cpu so far: 5 (assemble x3, reduceCombine x2)", Chunkwise.backendLine(gpu));
        assertEquals("backend: g; calls delegated to cpu so far: 0", Chunkwise.backendLine(backend("g", "cpu", Map.of())));
    }

    /** A backend that only has a name, a delegate and delegated calls. */
    private static Backend backend(String name, String delegate, Map<String, Long> calls) {
        return (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> name;
                    case "delegateName" -> delegate;
                    case "delegatedCalls" -> calls;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
