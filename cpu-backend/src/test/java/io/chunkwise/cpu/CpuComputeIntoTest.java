package io.chunkwise.cpu;

import io.chunkwise.testing.ComputeIntoSuite;
import io.chunkwise.testing.Contexts;
import io.chunkwise.testing.TestContext;

import java.util.List;

/** Results written in place on the CPU backend, whose kernels write each elementwise chunk straight into the result. */
class CpuComputeIntoTest extends ComputeIntoSuite {
    @Override
    protected List<TestContext> contexts() {
        return Contexts.providers();
    }
}
