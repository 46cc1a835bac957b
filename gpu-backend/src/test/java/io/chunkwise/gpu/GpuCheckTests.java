package io.chunkwise.gpu;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs the GPU tests without Maven (the GPU check bundle has a Java runtime and the test jars, nothing else):
 * {@link GpuConformanceTest} (the public contract end to end), {@link GpuBackendConformanceTest} (the SPI against
 * the reference backend), {@link GpuFusedKernelTest} (the NVRTC-compiled fused kernels and copies against the CPU
 * backend), {@link GpuReductionKernelTest} (the generated reductions against the CPU backend) and
 * {@link GpuMemoryAndStreamsTest} (spilling, streams, several devices). Prints one line per failure and a summary; where every test was skipped, the reason.
 * Exit 0 when nothing failed, 1 otherwise.
 */
public final class GpuCheckTests {
    public static void main(String[] args) {
        List<Class<?>> classes = List.of(GpuConformanceTest.class, GpuBackendConformanceTest.class, GpuFusedKernelTest.class,
                GpuReductionKernelTest.class, GpuMemoryAndStreamsTest.class);
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (Class<?> c : classes) request.selectors(selectClass(c));
        LauncherDiscoveryRequest r = request.build();
        AtomicInteger passed = new AtomicInteger(), failed = new AtomicInteger(), skipped = new AtomicInteger();
        Map<String, Integer> reasons = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(r, new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) {
                    skipped.incrementAndGet();
                    reasons.merge(reason, 1, Integer::sum);
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                        failed.incrementAndGet();
                        failures.add(id.getDisplayName() + ": " + result.getThrowable().map(Throwable::toString).orElse("failed"));
                    }
                    return;
                }
                switch (result.getStatus()) {
                    case SUCCESSFUL -> passed.incrementAndGet();
                    case ABORTED -> {
                        skipped.incrementAndGet();
                        String why = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
                        reasons.merge(why.replaceFirst("^Assumption failed: ", ""), 1, Integer::sum);
                    }
                    case FAILED -> {
                        failed.incrementAndGet();
                        failures.add(id.getLegacyReportingName() + " [" + id.getUniqueId().replaceAll(".*\\[class:io\\.chunkwise\\.gpu\\.(\\w+)\\].*", "$1")
                                + "]: " + result.getThrowable().map(t -> firstLine(t.toString())).orElse("failed"));
                    }
                }
            }
        });
        for (String f : failures.subList(0, Math.min(failures.size(), 40))) System.out.println("  FAILED " + f);
        if (failures.size() > 40) System.out.println("  ... and " + (failures.size() - 40) + " more");
        int total = passed.get() + failed.get() + skipped.get();
        System.out.println("conformance: " + passed + " passed, " + failed + " failed, " + skipped + " skipped of " + total
                + " tests (" + String.join(", ", classes.stream().map(Class::getSimpleName).toList()) + ")");
        reasons.forEach((why, count) -> System.out.println("conformance: " + count + " skipped: " + why));
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    private static String firstLine(String s) {
        int eol = s.indexOf('\n');
        return eol < 0 ? s : s.substring(0, eol);
    }
}
