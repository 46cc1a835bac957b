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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Both cuBLAS bindings against stand-in libraries built here with the C compiler ({@code fake_cublas.c}: the symbols
 * the backend calls, computing on the host), each case in a JVM of its own ({@link FakeCublasMain}) so that a
 * stand-in never meets a real cuBLAS: found as a Python wheel, bound as on a real machine, products compared with
 * Java's. Checks symbols, versions, argument order and types, and the choice between JCublas and FFM, without a GPU.
 * Skipped, with the reason, without a C compiler (and the FFM cases without Java 22).
 */
class CublasBindingTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void source() throws IOException {
        try (InputStream in = CublasBindingTest.class.getResourceAsStream("fake_cublas.c")) {
            Files.write(dir.resolve("fake_cublas.c"), in.readAllBytes());
        }
        Files.writeString(dir.resolve("lt.c"), "int fake_cublaslt_marker(void) { return 42; }\n");
    }

    /**
     * A wheel folder holding a stand-in {@code libcublas.so.<major>} and its libcublasLt, with the real library's
     * soname and symbol version {@code libcublas.so.<major>} (which JCublas's natives require for 12). With
     * {@code renamedThirteen}, a stand-in CUDA 13 cuBLAS under the names of 12 (symbolic links, as a user might make).
     */
    private static Path wheel(String name, int major, boolean renamedThirteen) throws Exception {
        int real = renamedThirteen ? 13 : major;
        Path wheelLib = Files.createDirectories(dir.resolve(name).resolve("nvidia").resolve(major == 13 ? "cu13" : "cublas").resolve("lib"));
        Path lib = renamedThirteen ? Files.createDirectories(dir.resolve(name + "-elsewhere")) : wheelLib;
        String lt = "libcublasLt.so." + real, so = "libcublas.so." + real;
        cc("-shared", "-fPIC", "-Wl,-soname," + lt, "-o", lib.resolve(lt).toString(), dir.resolve("lt.c").toString());
        Path script = dir.resolve(name + ".map");
        Files.writeString(script, so + " { global: cublas*; local: *; };\n");
        cc("-shared", "-fPIC", "-DCUBLAS_FAKE_VERSION=" + real + "0100", "-Wl,-soname," + so, "-Wl,--version-script=" + script,
                "-o", lib.resolve(so).toString(), dir.resolve("fake_cublas.c").toString(), "-L" + lib, "-l:" + lt);
        if (renamedThirteen) {
            Files.createSymbolicLink(wheelLib.resolve("libcublasLt.so." + major), lib.resolve(lt));
            Files.createSymbolicLink(wheelLib.resolve("libcublas.so." + major), lib.resolve(so));
        }
        return dir.resolve(name);
    }

    private static void cc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("cc"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) to build a stand-in cuBLAS: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cc did not finish");
        assertEquals(0, p.exitValue(), "cc failed: " + out);
    }

    /** Runs {@link FakeCublasMain} in a new JVM; its output. */
    private static String child(Path wheels, int driver) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                FakeCublasMain.class.getName(), wheels.toString(), Integer.toString(driver)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), "the child JVM failed:\n" + out);
        return out.lines().filter(l -> l.startsWith("OK ")).findFirst().orElseThrow(() -> new AssertionError("no OK line in:\n" + out));
    }

    @Test
    void cublas13OnACuda13DriverIsBoundThroughFfm() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the FFM binding needs Java 22 or newer; this is Java " + Runtime.version().feature());
        Path w = wheel("w13", 13, false);
        String ok = child(w, 13000);
        assertTrue(ok.startsWith("OK cuBLAS 13.1.0 (libcublas.so.13 at " + w.resolve("nvidia/cu13/lib") + ", FFM) | "), ok);
    }

    @Test
    void cublas12IsBoundThroughJCublasAfterLoadingTheCopyFoundByPath() throws Exception {
        Path w = wheel("w12", 12, false);
        String ok = child(w, 12040);
        assertTrue(ok.startsWith("OK cuBLAS 12.1.0 (libcublas.so.12 at " + w.resolve("nvidia/cublas/lib") + ", JCublas) | "), ok);
    }

    @Test
    void whereJCublasCannotLoadCublas12IsBoundThroughFfm() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the FFM binding needs Java 22 or newer; this is Java " + Runtime.version().feature());
        // a CUDA 13 cuBLAS linked to the name of 12: JCublas's natives refuse it, the FFM binding takes it
        Path w = wheel("w12renamed", 12, true);
        String ok = child(w, 13000);
        assertTrue(ok.startsWith("OK cuBLAS 13.1.0 (libcublas.so.12 at " + w.resolve("nvidia/cublas/lib") + ", FFM) | libcublas.so.12 at "
                + w.resolve("nvidia/cublas/lib") + " via JCUBLAS: "), ok);
        assertTrue(ok.contains("libcublas.so.12: cannot open shared object file"), ok);
    }
}
