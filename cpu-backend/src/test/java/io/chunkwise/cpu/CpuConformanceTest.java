package io.chunkwise.cpu;

import io.chunkwise.testing.ConformanceSuite;
import io.chunkwise.testing.Contexts;
import io.chunkwise.testing.TestContext;

import java.util.List;

/**
 * The project's conformance suite (every operation of the public contract against the dense oracle) run end to
 * end on the CPU backend: the backends ServiceLoader finds besides the reference one, here {@link CpuBackendProvider}.
 */
class CpuConformanceTest extends ConformanceSuite {
    @Override
    protected List<TestContext> contexts() {
        return Contexts.providers();
    }
}
