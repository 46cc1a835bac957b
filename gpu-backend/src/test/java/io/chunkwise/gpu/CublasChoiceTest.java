package io.chunkwise.gpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which cuBLAS is tried, in which order, through which binding; decided from fake folders and versions, no GPU. */
class CublasChoiceTest {
    @TempDir
    Path root;

    private CudaLibraries libraries(String... files) throws IOException {
        for (String f : files) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "fake");
        }
        return new CudaLibraries(new CudaLibraries.Environment(Map.of(), root.resolve("home"), root, "x86_64", "x86_64"));
    }

    private static List<String> show(List<Cublas.Attempt> plan) {
        return plan.stream().map(a -> a.soname() + (a.library() == null ? " system" : " " + a.library().getParent().getFileName()) + " " + a.via()).toList();
    }

    @Test
    void aCuda13DriverOnJava22TakesCublas13ByFfmFirstThen12() throws IOException {
        CudaLibraries libs = libraries("usr/local/cuda/lib64/libcublas.so.13", "venv/nvidia/cublas/lib/libcublas.so.12",
                "usr/lib/python3/dist-packages/nvidia/cu13/lib/libcublas.so.13", "usr/lib/python3/dist-packages/nvidia/cublas/lib/libcublas.so.12");
        assertEquals(List.of("libcublas.so.13 lib64 FFM", "libcublas.so.13 lib FFM", "libcublas.so.12 lib JCUBLAS", "libcublas.so.12 lib FFM"),
                show(Cublas.plan(13000, 25, libs)));
    }

    @Test
    void aCuda12DriverNeverTriesCublas13() throws IOException {
        CudaLibraries libs = libraries("usr/local/cuda/lib64/libcublas.so.13", "usr/local/cuda-12.4/lib64/libcublas.so.12");
        assertEquals(List.of("libcublas.so.12 lib64 JCUBLAS", "libcublas.so.12 lib64 FFM"), show(Cublas.plan(12040, 22, libs)));
        Cublas.Result r = Cublas.open(12040, 22, libs, a -> { throw new UnsatisfiedLinkError("nope"); });
        assertNull(r.binding());
        assertTrue(r.problem().contains("libcublas.so.13 at " + root.resolve("usr/local/cuda/lib64") + " needs a CUDA 13 driver"), r.problem());
    }

    @Test
    void java21UsesJCublasOnlyAndSaysWhyCublas13IsNotUsed() throws IOException {
        CudaLibraries libs = libraries("usr/local/cuda/lib64/libcublas.so.13");
        assertEquals(List.of("libcublas.so.12 system JCUBLAS"), show(Cublas.plan(13000, 21, libs)));
        Cublas.Result r = Cublas.open(13000, 21, libs, a -> { throw new UnsatisfiedLinkError("libcublas.so.12: cannot open shared object file: No such file or directory"); });
        assertNull(r.binding());
        assertTrue(r.problem().startsWith("cuBLAS could not be loaded: libcublas.so.12 from the system loader via JCUBLAS: "
                + "libcublas.so.12: cannot open shared object file"), r.problem());
        assertTrue(r.problem().contains("Foreign Function API of Java 22 or newer, and this is Java 21"), r.problem());
    }

    @Test
    void noLibraryAtAllLeavesTheSystemLoaderToJCublas() throws IOException {
        assertEquals(List.of("libcublas.so.12 system JCUBLAS"), show(Cublas.plan(13000, 25, libraries())));
    }

    @Test
    void aDriverOlderThanCuda12HasNoCublas() throws IOException {
        Cublas.Result r = Cublas.open(11080, 25, libraries("usr/local/cuda/lib64/libcublas.so.12"), a -> { throw new AssertionError("not tried"); });
        assertNull(r.binding());
        assertEquals("the CUDA driver supports CUDA 11.8, and cuBLAS 12 needs a CUDA 12 driver (525 or newer)", r.problem());
    }

    @Test
    void theFirstAttemptThatOpensWinsAndEarlierFailuresAreKept() throws IOException {
        CudaLibraries libs = libraries("a/lib64/libcublas.so.13", "usr/local/cuda/lib64/libcublas.so.13", "usr/local/cuda/lib64/libcublas.so.12");
        List<Cublas.Attempt> seen = new ArrayList<>();
        CublasBinding fake = new FakeBinding();
        Cublas.Result r = Cublas.open(13000, 25, libs, a -> {
            seen.add(a);
            if (seen.size() == 1) throw new IllegalStateException("cublasCreate_v2 failed: CUBLAS_STATUS_NOT_INITIALIZED");
            return fake;
        });
        assertSame(fake, r.binding());
        assertNull(r.problem());
        assertEquals(2, seen.size());
        assertEquals(1, r.tried().size());
        assertTrue(r.tried().get(0).endsWith("via FFM: IllegalStateException: cublasCreate_v2 failed: CUBLAS_STATUS_NOT_INITIALIZED"), r.tried().get(0));
    }

    @Test
    void rowMajorProductsSwapTheOperandsForColumnMajorCublas() {
        FakeBinding f = new FakeBinding();
        CublasBinding.rowMajorGemm(f, true, true, false, 3, 5, 7, 2.0, 100, 3, 200, 5, 0.5, 300, 5);
        assertEquals("d opA=0 opB=1 m=5 n=3 k=7 alpha=2.0 a=200 lda=5 b=100 ldb=3 beta=0.5 c=300 ldc=5", f.last);
        CublasBinding.rowMajorGemm(f, false, false, true, 3, 5, 7, 1.0, 100, 7, 200, 7, 0.0, 300, 5);
        assertEquals("s opA=1 opB=0 m=5 n=3 k=7 alpha=1.0 a=200 lda=7 b=100 ldb=7 beta=0.0 c=300 ldc=5", f.last);
        assertEquals("CUBLAS_STATUS_ARCH_MISMATCH", CublasBinding.statusName(8));
    }

    static final class FakeBinding implements CublasBinding {
        String last;

        @Override public String describe() { return "fake"; }

        @Override public void setStream(DeviceStream stream) {}

        @Override
        public void dgemm(int opA, int opB, int m, int n, int k, double alpha, long a, int lda, long b, int ldb, double beta, long c, int ldc) {
            last = "d" + args(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }

        @Override
        public void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
            last = "s" + args(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }

        private static String args(int opA, int opB, int m, int n, int k, double alpha, long a, int lda, long b, int ldb, double beta, long c, int ldc) {
            return " opA=" + opA + " opB=" + opB + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " a=" + a + " lda=" + lda
                    + " b=" + b + " ldb=" + ldb + " beta=" + beta + " c=" + c + " ldc=" + ldc;
        }

        @Override public void close() {}
    }
}
