package io.chunkwise.testing;

import java.util.List;

/**
 * Found through {@link java.util.ServiceLoader} on the test class path: a module adds contexts to the conformance
 * suite without changing it (the cluster module lists one in its test resources,
 * {@code META-INF/services/io.chunkwise.testing.TestContextSource}, offering e.g. "embedded cluster of 3 members").
 */
public interface TestContextSource {
    List<TestContext> contexts();
}
