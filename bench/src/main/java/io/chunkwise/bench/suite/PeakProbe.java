package io.chunkwise.bench.suite;

import io.chunkwise.DType;
import io.chunkwise.cpu.OpenBlas;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * A quick measure of this machine's floating-point peak: each of {@code threads} Java threads calls OpenBLAS GEMM
 * (one BLAS thread each, as the CPU backend runs it) on its own small {@code n x n} matrices that stay in cache, over
 * and over for a fraction of a second, all at once; the peak is the sum over the threads of {@code 2 n^3} over their
 * fastest call. That is what OpenBLAS's kernel reaches without memory traffic, close to the FMA peak, and it takes
 * under a second per dtype. The suite reports {@code max(this, the fastest timed run of the run)}.
 */
public final class PeakProbe {
    /** The size the probe multiplies: its three matrices fit in the L2 or L3 cache of current CPUs. */
    public static final int N = 256;

    private PeakProbe() {}

    /** GFLOP/s; NaN when OpenBLAS is not available. */
    public static double measure(DType dtype, int threads, long millis) {
        if (!OpenBlas.available()) return Double.NaN;
        int before = OpenBlas.threads();
        OpenBlas.setThreads(1);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            double[] best = new double[threads];
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().name("chunkwise-peak-" + t).start(() -> best[id] = fastestCall(dtype, start, millis)));
            }
            for (Thread w : workers) w.join();
            double sum = 0;
            for (double b : best) sum += 2.0 * N * N * N / b / 1e9;
            return sum;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        } finally {
            OpenBlas.setThreads(before);
        }
    }

    private static double fastestCall(DType dtype, CyclicBarrier start, long millis) {
        int n = N;
        double[] da = null, db = null, dc = null;
        float[] fa = null, fb = null, fc = null;
        if (dtype == DType.FLOAT64) {
            da = filled(n * n, 0.5);
            db = filled(n * n, 0.25);
            dc = new double[n * n];
        } else {
            fa = new float[n * n];
            fb = new float[n * n];
            fc = new float[n * n];
            java.util.Arrays.fill(fa, 0.5f);
            java.util.Arrays.fill(fb, 0.25f);
        }
        try {
            start.await();
        } catch (Exception e) {
            return Double.POSITIVE_INFINITY;
        }
        double best = Double.POSITIVE_INFINITY;
        long end = System.nanoTime() + millis * 1_000_000L;
        do {
            long t0 = System.nanoTime();
            if (da != null) OpenBlas.dgemm(n, n, n, da, db, dc);
            else OpenBlas.sgemm(n, n, n, fa, fb, fc);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        } while (System.nanoTime() < end);
        return best;
    }

    private static double[] filled(int size, double v) {
        double[] a = new double[size];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
