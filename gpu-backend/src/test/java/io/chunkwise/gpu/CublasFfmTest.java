package io.chunkwise.gpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The FFM binding of cuBLAS against a stand-in library built here with the C compiler ({@code fake_cublas.c}: the
 * same symbols, computing on the host), found the way the real one is (the search path, libcublasLt first), then
 * row-major products compared with Java's. Checks the symbols, argument order and types without a GPU. Skipped,
 * with the reason, without Java 22 or a C compiler.
 */
class CublasFfmTest {
    @TempDir
    static Path dir;
    private static Path lib13;

    @BeforeAll
    static void buildFakeCublas() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "the FFM binding of cuBLAS needs Java 22 or newer; this is Java " + Runtime.version().feature());
        Path src = dir.resolve("fake_cublas.c");
        try (InputStream in = CublasFfmTest.class.getResourceAsStream("fake_cublas.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path lt = dir.resolve("lt.c");
        Files.writeString(lt, "int fake_cublaslt_marker(void) { return 42; }\n");
        Path libDir = Files.createDirectories(dir.resolve("wheel/nvidia/cu13/lib"));
        cc(List.of("-shared", "-fPIC", "-Wl,-soname,libcublasLt.so.13", "-o", libDir.resolve("libcublasLt.so.13").toString(), lt.toString()));
        cc(List.of("-shared", "-fPIC", "-DCUBLAS_FAKE_VERSION=130100", "-Wl,-soname,libcublas.so.13", "-o", libDir.resolve("libcublas.so.13").toString(),
                src.toString(), "-L" + libDir, "-l:libcublasLt.so.13"));
        lib13 = libDir.resolve("libcublas.so.13");
    }

    private static void cc(List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("cc"));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) to build the stand-in cuBLAS: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "cc did not finish");
        assertEquals(0, p.exitValue(), "cc failed: " + out);
    }

    @Test
    void theWheelsFolderIsFoundAndTheFfmBindingIsChosenAndDescribed() throws Throwable {
        CudaLibraries libs = new CudaLibraries(new CudaLibraries.Environment(
                Map.of("PYTHONPATH", dir.resolve("wheel").toString()), dir.resolve("home"), dir.resolve("root"), "x86_64", "x86_64"));
        assertEquals(List.of(lib13), libs.find("libcublas.so.13"));
        Cublas.Result r = Cublas.open(13000, Runtime.version().feature(), libs, a -> Cublas.ffm(a.library(), Cublas.lt(a.library(), a.major()), a.where()));
        try (CublasBinding blas = r.binding()) {
            assertTrue(blas != null, r.problem());
            assertEquals("cuBLAS 13.1.0 (libcublas.so.13 at " + lib13.getParent() + ", FFM)", blas.describe());
        }
    }

    @Test
    void rowMajorDgemmAndSgemmGiveJavasProductsForEveryTransposition() throws Throwable {
        try (CublasBinding blas = Cublas.ffm(lib13, Cublas.lt(lib13, 13), "test")) {
            blas.setStream(0);
            Random rnd = new Random(3);
            for (boolean f64 : new boolean[]{true, false}) {
                for (boolean ta : new boolean[]{false, true}) {
                    for (boolean tb : new boolean[]{false, true}) {
                        int m = 3, n = 5, k = 4, w = f64 ? 8 : 4;
                        double[] a = ints(rnd, m * k), b = ints(rnd, k * n), c = ints(rnd, m * n);
                        ByteBuffer da = buffer(a, f64), db = buffer(b, f64), dc = buffer(c, f64);
                        int lda = ta ? m : k, ldb = tb ? k : n;
                        CublasBinding.rowMajorGemm(blas, f64, ta, tb, m, n, k, 2.0, address(da), lda, address(db), ldb, 0.5, address(dc), n);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int q = 0; q < k; q++) s += (ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
                                double want = 2 * s + 0.5 * c[i * n + j];
                                double got = f64 ? dc.getDouble((i * n + j) * w) : dc.getFloat((i * n + j) * w);
                                assertEquals(want, got, (f64 ? "D" : "S") + "GEMM transA " + ta + " transB " + tb + " at " + i + "," + j);
                            }
                        }
                    }
                }
            }
            CudaCallException e = assertThrows(CudaCallException.class, () -> blas.dgemm(5, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1));
            assertEquals("cublasDgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE", e.getMessage());
        }
    }

    @Test
    void aClosedHandleRefusesCalls() throws Throwable {
        CublasBinding blas = Cublas.ffm(lib13, Cublas.lt(lib13, 13), "test");
        blas.close();
        blas.close();
        assertThrows(IllegalStateException.class, () -> blas.setStream(0));
    }

    private static double[] ints(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(19) - 9;
        return v;
    }

    private static ByteBuffer buffer(double[] v, boolean f64) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * (f64 ? 8 : 4)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < v.length; i++) {
            if (f64) b.putDouble(i * 8, v[i]);
            else b.putFloat(i * 4, (float) v[i]);
        }
        return b;
    }

    /** A direct buffer's address (java.nio is opened to the tests by the build's JVM flags). */
    private static long address(ByteBuffer b) throws ReflectiveOperationException {
        Field f = Buffer.class.getDeclaredField("address");
        f.setAccessible(true);
        return f.getLong(b);
    }
}
