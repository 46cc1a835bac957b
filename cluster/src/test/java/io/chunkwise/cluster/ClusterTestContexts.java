package io.chunkwise.cluster;

import io.chunkwise.BackendKind;
import io.chunkwise.Backends;
import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.testing.LeakCheckingBackend;
import io.chunkwise.testing.TestContext;
import io.chunkwise.testing.TestContextSource;

import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The cluster's context for the conformance suite: 3 embedded members with 2 task threads each, started once for the
 * JVM on first use and shared by every context opened on it ({@code ClusterSpec.running}); each context has its own
 * leak-checked CPU backend on the driver's side. {@link #closeShared()} shuts the members down.
 */
public final class ClusterTestContexts implements TestContextSource {
    static final int MEMBERS = 3, MEMBER_THREADS = 2;
    private static EmbeddedCluster shared;

    /** The shared cluster, started on first use. */
    static synchronized EmbeddedCluster shared() {
        if (shared == null) shared = EmbeddedCluster.start("chunkwise-test-" + UUID.randomUUID(), MEMBERS, MEMBER_THREADS);
        return shared;
    }

    static synchronized void closeShared() {
        if (shared != null) shared.close();
        shared = null;
    }

    @Override
    public List<TestContext> contexts() {
        return List.of(new TestContext() {
            @Override public String name() { return "cluster, " + MEMBERS + " embedded members"; }

            @Override
            public Chunkwise open(UnaryOperator<Chunkwise.Builder> customize) {
                String name = shared().name();
                Chunkwise.Builder b = Chunkwise.builder().threads(MEMBER_THREADS)
                        .backend(new LeakCheckingBackend(Backends.create(BackendKind.CPU, MEMBER_THREADS)));
                return customize.apply(b).cluster(ClusterSpec.running(name)).build();
            }

            @Override public String toString() { return name(); }
        });
    }
}
