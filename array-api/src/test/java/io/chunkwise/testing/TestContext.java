package io.chunkwise.testing;

import io.chunkwise.Chunkwise;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A named way to make a {@link Chunkwise} for the conformance suite: a backend and a scheduler (local threads, or a
 * cluster once the cluster module adds its own through {@link TestContextSource}). Each test opens a fresh context
 * and closes it.
 */
public interface TestContext {
    /** Shown in test names and every assertion message, e.g. "reference backend, 3 threads". */
    String name();

    /** Why this context cannot run here (no GPU, no native library), or empty; tests skip with this reason. */
    default Optional<String> unavailableReason() { return Optional.empty(); }

    /**
     * Whether the slow tests with large arrays (the memory budget) run here. A context that only repeats another
     * with a different thread count says false, so that each backend streams a large array once.
     */
    default boolean runsLargeTests() { return true; }

    /**
     * A new context. {@code customize} receives the configured builder (backend, threads, cluster) and may change
     * it further, e.g. {@code b -> b.memoryBudget(64 << 20)} or {@code b -> b.threads(1)}.
     */
    Chunkwise open(UnaryOperator<Chunkwise.Builder> customize);

    default Chunkwise open() { return open(b -> b); }
}
