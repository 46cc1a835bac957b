package io.chunkwise.bench.suite;

import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.cpu.OpenBlas;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-block limit: the blocked product ours computes, written by hand with nothing but OpenBLAS. The operands are
 * cut into the case's chunks (row-major block arrays, as our persisted chunks are), and {@code threads} Java threads
 * take output blocks in turn, each summing its k products with one single-threaded GEMM per product straight into its
 * place in the result, as ours does, with no graph, scheduler or allocation. What separates ours from this peer is
 * the library's own cost; what separates this peer from {@link OpenBlasPeer} is GEMM on blocks instead of one call.
 * Needs OpenBLAS's in-place binding (Java 22+).
 */
final class OpenBlasBlocksPeer implements MatmulPeer {
    @Override
    public String system() { return "openblas-blocks"; }

    @Override
    public boolean chunked() { return true; }

    @Override
    public Run start(MatmulCase c, MatmulInputs in, int threads) {
        int n = c.n(), chunk = c.chunk(), g = (n + chunk - 1) / chunk;
        boolean f64 = c.dtype() == DType.FLOAT64;
        Object[] a = blocks(f64 ? in.a().toDoubleArray() : in.a().toFloatArray(), n, chunk, g, f64);
        Object[] b = blocks(f64 ? in.b().toDoubleArray() : in.b().toFloatArray(), n, chunk, g, f64);
        Object result = f64 ? new double[n * n] : new float[n * n];
        return new Run() {
            @Override
            public double time() throws Exception {
                AtomicInteger next = new AtomicInteger();
                Runnable work = () -> {
                    for (int t; (t = next.getAndIncrement()) < g * g; ) {
                        int i = t / g, j = t % g;
                        int m = size(n, chunk, i), w = size(n, chunk, j), offset = i * chunk * n + j * chunk;
                        for (int k = 0; k < g; k++) {
                            int depth = size(n, chunk, k);
                            if (f64) OpenBlas.dgemmInto(m, w, depth, (double[]) a[i * g + k], (double[]) b[k * g + j], k == 0 ? 0 : 1, (double[]) result, offset, n);
                            else OpenBlas.sgemmInto(m, w, depth, (float[]) a[i * g + k], (float[]) b[k * g + j], k == 0 ? 0 : 1, (float[]) result, offset, n);
                        }
                    }
                };
                Thread[] others = new Thread[threads - 1];
                long t0 = System.nanoTime();
                for (int q = 0; q < others.length; q++) (others[q] = new Thread(work, "openblas-blocks-" + q)).start();
                work.run();
                for (Thread other : others) other.join();
                return (System.nanoTime() - t0) / 1e9;
            }

            @Override
            public NDArray product() {
                return f64 ? NDArray.of((double[]) result, n, n) : NDArray.of((float[]) result, n, n);
            }
        };
    }

    /** Rows (or columns) of block {@code i} of a grid of {@code chunk} over {@code n}. */
    private static int size(int n, int chunk, int i) { return Math.min(chunk, n - i * chunk); }

    /** The row-major blocks of an n x n row-major matrix, block (i, j) at {@code i * g + j}. */
    private static Object[] blocks(Object whole, int n, int chunk, int g, boolean f64) {
        Object[] out = new Object[g * g];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                int rows = size(n, chunk, i), cols = size(n, chunk, j);
                Object block = f64 ? new double[rows * cols] : new float[rows * cols];
                for (int r = 0; r < rows; r++) System.arraycopy(whole, (i * chunk + r) * n + j * chunk, block, r * cols, cols);
                out[i * g + j] = block;
            }
        }
        return out;
    }
}
