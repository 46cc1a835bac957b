package io.chunkwise.gpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Both NVRTC bindings against stand-in libraries built here with the C compiler ({@code fake_nvrtc.c}), each case in
 * a JVM of its own ({@link FakeNvrtcMain}): found as a Python wheel with its libnvrtc-builtins, bound as on a real
 * machine, a fused kernel's source, headers and options passed through, a failing program's log read back. Also the
 * order of attempts. Skipped, with the reason, without a C compiler (and the FFM case without Java 22).
 */
class NvrtcBindingTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void source() throws IOException {
        try (InputStream in = NvrtcBindingTest.class.getResourceAsStream("fake_nvrtc.c")) {
            Files.write(dir.resolve("fake_nvrtc.c"), in.readAllBytes());
        }
        Files.writeString(dir.resolve("builtins.c"), "int fake_nvrtc_builtins_marker(void) { return 42; }\n");
    }

    /** A wheel folder holding a stand-in {@code libnvrtc.so.<major>} (soname and symbol version as the real one's) and its builtins. */
    private static Path wheel(String name, int major) throws Exception {
        Path lib = Files.createDirectories(dir.resolve(name).resolve("nvidia").resolve(major == 13 ? "cu13" : "cuda_nvrtc").resolve("lib"));
        String builtins = "libnvrtc-builtins.so." + major + ".4", so = "libnvrtc.so." + major;
        cc("-shared", "-fPIC", "-Wl,-soname," + builtins, "-o", lib.resolve(builtins).toString(), dir.resolve("builtins.c").toString());
        Path script = dir.resolve(name + ".map");
        Files.writeString(script, so + " { global: nvrtc*; local: *; };\n");
        cc("-shared", "-fPIC", "-DNVRTC_FAKE_MAJOR=" + major, "-DNVRTC_FAKE_BUILTINS=\"" + builtins + "\"", "-Wl,-soname," + so,
                "-Wl,--version-script=" + script, "-o", lib.resolve(so).toString(), dir.resolve("fake_nvrtc.c").toString(), "-ldl");
        return dir.resolve(name);
    }

    private static void cc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("cc"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) to build a stand-in NVRTC: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cc did not finish");
        assertEquals(0, p.exitValue(), "cc failed: " + out);
    }

    private static String child(Path wheels, int driver) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), FakeNvrtcMain.class.getName(), wheels.toString(), Integer.toString(driver))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), "the child JVM failed:\n" + out);
        return out.lines().filter(l -> l.startsWith("OK ")).findFirst().orElseThrow(() -> new AssertionError("no OK line in:\n" + out));
    }

    @Test
    void nvrtc13OnACuda13DriverIsBoundThroughFfm() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the FFM binding needs Java 22 or newer; this is Java " + Runtime.version().feature());
        Path w = wheel("w13", 13);
        assertEquals("OK NVRTC 13.4 (libnvrtc.so.13 at " + w.resolve("nvidia/cu13/lib") + ", FFM)", child(w, 13000));
    }

    @Test
    void nvrtc12IsBoundThroughJNvrtcAfterLoadingTheCopyFoundByPath() throws Exception {
        Path w = wheel("w12", 12);
        assertEquals("OK NVRTC 12.4 (libnvrtc.so.12 at " + w.resolve("nvidia/cuda_nvrtc/lib") + ", JNvrtc)", child(w, 12040));
    }

    @Test
    void kernelsAreCompiledForTheDevicesArchitectureOrTheNewestBelowIt() {
        int[] nvrtc12 = {50, 52, 60, 70, 75, 80, 86, 89, 90};
        assertEquals("compute_90", GeneratedKernels.arch(90, nvrtc12));
        assertEquals("compute_90", GeneratedKernels.arch(120, nvrtc12)); // a newer GPU JIT-compiles compute_90 PTX
        assertEquals("compute_80", GeneratedKernels.arch(80, nvrtc12));
        assertNull(GeneratedKernels.arch(70, new int[]{75, 80, 90, 100, 120})); // NVRTC 13 dropped Volta
        assertEquals("compute_86", GeneratedKernels.arch(86, null));
    }

    @Test
    void theAttemptsFollowTheDriverAndTheJavaVersion() throws Exception {
        Path w = wheel("both", 13);
        wheel("both", 12);
        CudaLibraries libs = new CudaLibraries(new CudaLibraries.Environment(java.util.Map.of("PYTHONPATH", w.toString()),
                w.resolve("no-home"), w.resolve("no-root"), "x86_64", "x86_64"));
        Path l13 = w.resolve("nvidia/cu13/lib/libnvrtc.so.13"), l12 = w.resolve("nvidia/cuda_nvrtc/lib/libnvrtc.so.12");
        assertEquals(List.of(new Nvrtc.Attempt(13, l13, Nvrtc.Via.FFM), new Nvrtc.Attempt(12, l12, Nvrtc.Via.JNVRTC),
                new Nvrtc.Attempt(12, l12, Nvrtc.Via.FFM)), Nvrtc.plan(13000, 22, libs));
        assertEquals(List.of(new Nvrtc.Attempt(12, l12, Nvrtc.Via.JNVRTC)), Nvrtc.plan(12080, 21, libs));
        assertEquals(List.of(), Nvrtc.plan(11080, 25, libs));
        assertEquals(w.resolve("nvidia/cu13/lib/libnvrtc-builtins.so.13.4"), Nvrtc.builtins(l13, 13));
        Nvrtc.Result none = Nvrtc.open(List.of(), a -> { throw new AssertionError(); });
        assertNull(none.binding());
        Nvrtc.Result failed = Nvrtc.open(List.of(new Nvrtc.Attempt(12, null, Nvrtc.Via.JNVRTC)), a -> { throw new UnsatisfiedLinkError("nope"); });
        assertTrue(failed.problem().startsWith("NVRTC could not be loaded: libnvrtc.so.12 from the system loader via JNVRTC: "), failed.problem());
        Nvrtc.Result java21 = Nvrtc.open(13000, 21, libs, a -> { throw new UnsatisfiedLinkError("no " + a.library()); });
        assertTrue(java21.problem().endsWith("; libnvrtc.so.13 at " + l13.getParent() + " is bound through the Foreign Function API"
                + " of Java 22 or newer, and this is Java 21"), java21.problem());
    }
}
