package io.chunkwise.cluster;

import io.chunkwise.testing.ConformanceSuite;
import io.chunkwise.testing.Contexts;
import io.chunkwise.testing.TestContext;
import org.junit.jupiter.api.AfterAll;

import java.util.List;

/** The whole conformance suite, unchanged, on 3 embedded Hazelcast members (one cluster for the class). */
class ClusterConformanceTest extends ConformanceSuite {
    @Override
    protected List<TestContext> contexts() { return Contexts.extra(); }

    @AfterAll
    void stopMembers() { ClusterTestContexts.closeShared(); }
}
