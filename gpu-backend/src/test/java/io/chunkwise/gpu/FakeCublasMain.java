package io.chunkwise.gpu;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Run in a JVM of its own by {@link CublasBindingTest} (a stand-in libcublas must never meet the real one in a
 * process): finds cuBLAS in {@code args[0]} (as a Python wheel folder, through PYTHONPATH) for a driver of CUDA
 * version {@code args[1]}, binds it as the backend does, runs row-major DGEMMs and SGEMMs of every transposition
 * against Java's products and prints {@code OK <description> | <attempts that failed>}. Throws on any difference.
 */
public final class FakeCublasMain {
    private FakeCublasMain() {}

    public static void main(String[] args) throws Exception {
        Path wheels = Path.of(args[0]);
        int driver = Integer.parseInt(args[1]);
        CudaLibraries libs = new CudaLibraries(new CudaLibraries.Environment(Map.of("PYTHONPATH", wheels.toString()),
                wheels.resolve("no-home"), wheels.resolve("no-root"), "x86_64", "x86_64"));
        Cublas.Result r = Cublas.open(driver, Runtime.version().feature(), libs, Cublas::openReal);
        if (r.binding() == null) throw new AssertionError("no binding: " + r.problem());
        try (CublasBinding blas = r.binding()) {
            blas.setStream(null);
            Random rnd = new Random(3);
            for (boolean f64 : new boolean[]{true, false}) {
                for (boolean ta : new boolean[]{false, true}) {
                    for (boolean tb : new boolean[]{false, true}) {
                        int m = 3, n = 5, k = 4, w = f64 ? 8 : 4;
                        double[] a = ints(rnd, m * k), b = ints(rnd, k * n), c = ints(rnd, m * n);
                        ByteBuffer da = buffer(a, f64), db = buffer(b, f64), dc = buffer(c, f64);
                        CublasBinding.rowMajorGemm(blas, f64, ta, tb, m, n, k, 2.0, address(da), ta ? m : k, address(db), tb ? k : n,
                                0.5, address(dc), n);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int q = 0; q < k; q++) s += (ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
                                double want = 2 * s + 0.5 * c[i * n + j];
                                double got = f64 ? dc.getDouble((i * n + j) * w) : dc.getFloat((i * n + j) * w);
                                if (got != want) {
                                    throw new AssertionError((f64 ? "D" : "S") + "GEMM transA " + ta + " transB " + tb + " at (" + i + ", "
                                            + j + "): " + got + ", not " + want + " through " + blas.describe());
                                }
                            }
                        }
                    }
                }
            }
            try {
                blas.dgemm(5, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1);
                throw new AssertionError("an invalid operation code was accepted");
            } catch (CudaCallException e) {
                if (!e.getMessage().endsWith("failed: CUBLAS_STATUS_INVALID_VALUE")) throw new AssertionError("status: " + e.getMessage());
            }
            System.out.println("OK " + blas.describe() + " | " + String.join(" | ", r.tried()));
        }
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

    /** A direct buffer's address, the stand-in's "device" memory (java.nio opened by the parent's flags). */
    private static long address(ByteBuffer b) throws ReflectiveOperationException {
        Field f = Buffer.class.getDeclaredField("address");
        f.setAccessible(true);
        return f.getLong(b);
    }
}
