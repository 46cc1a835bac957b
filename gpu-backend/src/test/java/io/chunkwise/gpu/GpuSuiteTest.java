package io.chunkwise.gpu;

import io.chunkwise.testing.ConformanceSuite;
import io.chunkwise.testing.Contexts;
import io.chunkwise.testing.TestContext;
import org.junit.jupiter.api.Tag;

import java.util.List;

/**
 * The project's conformance suite (every operation of the public contract, the chunking properties and random
 * pipelines) run end to end on the GPU backend. Where no GPU is usable every test is skipped with the provider's
 * reason, as the suite's {@code open} assumes the context usable.
 */
@Tag("gpu")
class GpuSuiteTest extends ConformanceSuite {
    @Override
    protected List<TestContext> contexts() {
        return Contexts.providers().stream().filter(c -> c.name().startsWith("GPU")).toList();
    }
}
