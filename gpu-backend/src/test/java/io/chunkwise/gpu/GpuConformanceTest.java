package io.chunkwise.gpu;

import io.chunkwise.testing.ConformanceSuite;
import io.chunkwise.testing.Contexts;
import io.chunkwise.testing.TestContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The project's conformance suite (every operation of the public contract against the dense oracle, the chunking
 * properties and random pipelines) run end to end on the GPU backend, as {@code CpuConformanceTest} runs it on the
 * CPU backend. Where no GPU is usable every test is skipped with the provider's reason (the suite's {@code open}
 * assumes the context usable), so a machine with a GPU runs the whole public contract and one without says why not.
 * (The SPI-level checks of the backend against the reference backend are {@link GpuBackendConformanceTest}.)
 */
@Tag("gpu")
class GpuConformanceTest extends ConformanceSuite {
    @Override
    protected List<TestContext> contexts() {
        return Contexts.providers().stream().filter(GpuConformanceTest::isGpu).toList();
    }

    private static boolean isGpu(TestContext c) {
        return c.name().contains(GpuBackendProvider.class.getSimpleName());
    }

    /** The suite runs on one context, the GPU provider's, whether or not it is usable here (never on none). */
    @Test
    void theGpuProviderIsTheOneContext() {
        assertEquals(1, contexts().size(), "contexts: " + Contexts.providers());
    }
}
