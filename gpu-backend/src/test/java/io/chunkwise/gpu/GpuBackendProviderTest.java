package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.Backends;
import io.chunkwise.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs everywhere: the provider answers, without throwing or hanging, whether or not there is a GPU. */
class GpuBackendProviderTest {
    @Test
    void isFoundThroughServiceLoaderAsTheGpuKindWithPriority10() {
        BackendProvider p = Backends.providers().stream().filter(x -> x instanceof GpuBackendProvider).findFirst()
                .orElseThrow(() -> new AssertionError("GpuBackendProvider not listed in META-INF/services"));
        assertEquals(BackendKind.GPU, p.kind());
        assertEquals(10, p.priority());
    }

    @Test
    void answersQuicklyWithoutThrowingAndCachesTheAnswer() {
        GpuBackendProvider p = new GpuBackendProvider();
        Optional<String> first = assertTimeoutPreemptively(Duration.ofSeconds(60), p::unavailableReason);
        assertSame(first, new GpuBackendProvider().unavailableReason(), "the answer is probed once per JVM");
        first.ifPresent(reason -> {
            assertFalse(reason.isBlank());
            assertFalse(reason.contains("\n"), "one line: " + reason);
            assertTrue(reason.startsWith("no CUDA driver: ") || reason.startsWith("no CUDA device found")
                            || reason.startsWith("the CUDA driver") || reason.startsWith("cuda-kernels ")
                            || reason.startsWith("CUDA ") || reason.startsWith("cuDevice") || reason.startsWith("cuDriver")
                            || reason.startsWith("interrupted"),
                    "unexpected reason: " + reason);
        });
    }

    @Test
    void aMissingLibraryIsNamedOnOneLine() {
        String jcuda = "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
                + "\tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2285)\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /some/dir/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open "
                + "shared object file: No such file or directory\n\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)\n";
        assertEquals("libcuda.so.1: cannot open shared object file: No such file or directory",
                GpuBackendProvider.describe(new UnsatisfiedLinkError(jcuda)));
        assertEquals("IllegalStateException: first line", GpuBackendProvider.describe(new IllegalStateException("first line\nsecond")));
    }

    @Test
    void withoutAGpuCreatingItThrowsTheReasonAndAutoFallsBackToTheCpu() {
        Optional<String> reason = new GpuBackendProvider().unavailableReason();
        if (reason.isEmpty()) return; // a usable GPU: GpuBackendConformanceTest and GpuConformanceTest cover it
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> new GpuBackendProvider().create(1));
        assertTrue(e.getMessage().contains(reason.get()), e.getMessage());
        BackendUnavailableException viaKind = assertThrows(BackendUnavailableException.class, () -> Backends.create(BackendKind.GPU, 1));
        assertTrue(viaKind.getMessage().contains(reason.get()), viaKind.getMessage());
        try (var auto = Backends.create(BackendKind.AUTO, 1)) {
            assertEquals(BackendKind.CPU, auto.kind());
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void theDevicesPropertyPicksOrdinalsOrEveryDevice() {
        assertEquals(List.of(0, 1, 2), GpuBackendProvider.chosenDevices(null, 3));
        assertEquals(List.of(0, 1, 2), GpuBackendProvider.chosenDevices(" ", 3));
        assertEquals(List.of(2, 0), GpuBackendProvider.chosenDevices("2, 0,2", 3));
        var e = assertThrows(IllegalArgumentException.class, () -> GpuBackendProvider.chosenDevices("1,3", 3));
        assertEquals(GpuBackendProvider.DEVICES_PROPERTY + " names device 3, but this node has 3 (ordinals 0 to 2)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GpuBackendProvider.chosenDevices("first", 3));
    }
}
