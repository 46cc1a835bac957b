package io.chunkwise.testing;

import io.chunkwise.Backends;
import io.chunkwise.Chunkwise;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The parameter source of the conformance suite: the contexts every test runs in, times the seeds.
 *
 * <ul>
 *   <li>{@link #reference()}: the reference backend on 1 and on 3 scheduler threads;</li>
 *   <li>{@link #providers()}: every other {@link BackendProvider} found through {@link ServiceLoader} (a backend
 *       module's tests thus run the same suite on its backend just by having it on the class path);</li>
 *   <li>{@link #extra()}: contexts offered by {@link TestContextSource}s on the test class path (the cluster
 *       module's embedded cluster).</li>
 * </ul>
 * Every backend of these contexts is wrapped in a {@link LeakCheckingBackend}, so that each test fails when its
 * context closes with a block not released.
 * System properties: {@value #FILTER} (a regular expression; only contexts whose name it finds run),
 * {@value #SEEDS} (comma-separated seeds, e.g. to repeat a failure: {@code -Dchunkwise.test.seeds=2}).
 */
public final class Contexts {
    public static final String FILTER = "chunkwise.test.contexts";
    public static final String SEEDS = "chunkwise.test.seeds";
    private static final long[] DEFAULT_SEEDS = {1, 2, 3};

    private Contexts() {}

    /**
     * A context on a local scheduler with {@code threads} threads and a fresh backend from {@code backend}, wrapped
     * in a {@link LeakCheckingBackend}: closing the context fails if a block was not released.
     */
    public static TestContext local(String name, int threads, IntFunction<Backend> backend, Optional<String> unavailable,
                                    boolean largeTests) {
        return new TestContext() {
            @Override public String name() { return name; }

            @Override public Optional<String> unavailableReason() { return unavailable; }

            @Override public boolean runsLargeTests() { return largeTests; }

            @Override
            public Chunkwise open(UnaryOperator<Chunkwise.Builder> customize) {
                return customize.apply(Chunkwise.builder().threads(threads).backend(new LeakCheckingBackend(backend.apply(threads)))).build();
            }

            @Override public String toString() { return name; }
        };
    }

    public static List<TestContext> reference() {
        return List.of(
                local("reference backend, 1 thread", 1, t -> new ReferenceBackend(), Optional.empty(), false),
                local("reference backend, 3 threads", 3, t -> new ReferenceBackend(), Optional.empty(), true));
    }

    /** Every backend found through ServiceLoader except the reference one (already in {@link #reference()}). */
    public static List<TestContext> providers() {
        List<TestContext> out = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            if (p.getClass().getPackageName().equals(ReferenceBackend.class.getPackageName())) continue;
            String name = p.kind() + " backend " + p.getClass().getSimpleName() + ", 3 threads";
            out.add(local(name, 3, p::create, p.unavailableReason(), true));
        }
        return out;
    }

    /** Contexts from {@link TestContextSource}s on the class path. */
    public static List<TestContext> extra() {
        List<TestContext> out = new ArrayList<>();
        ServiceLoader.load(TestContextSource.class).forEach(s -> out.addAll(s.contexts()));
        return out;
    }

    /** All of the above, filtered by {@value #FILTER}. */
    public static List<TestContext> all() {
        List<TestContext> all = new ArrayList<>(reference());
        all.addAll(providers());
        all.addAll(extra());
        return filter(all);
    }

    public static List<TestContext> filter(List<TestContext> contexts) {
        String f = System.getProperty(FILTER, "").trim();
        if (f.isEmpty()) return contexts;
        Pattern p = Pattern.compile(f);
        return contexts.stream().filter(c -> p.matcher(c.name()).find()).toList();
    }

    public static long[] seeds() {
        String s = System.getProperty(SEEDS, "").trim();
        if (s.isEmpty()) return DEFAULT_SEEDS.clone();
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
    }

    /** (context, seed) for every context and seed. */
    public static Stream<Arguments> withSeeds(List<TestContext> contexts) {
        long[] seeds = seeds();
        return contexts.stream().flatMap(c -> Arrays.stream(seeds).mapToObj(s -> Arguments.of(Named.of(c.name(), c), s)));
    }

    /** (context) for the contexts that run the large tests ({@link TestContext#runsLargeTests()}). */
    public static Stream<Arguments> large(List<TestContext> contexts) {
        return only(contexts.stream().filter(TestContext::runsLargeTests).toList());
    }

    /** (context) alone, for tests that do not draw random cases. */
    public static Stream<Arguments> only(List<TestContext> contexts) {
        return contexts.stream().map(c -> Arguments.of(Named.of(c.name(), c)));
    }
}
