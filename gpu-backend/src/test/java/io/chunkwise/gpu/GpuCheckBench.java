package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.ReduceOp;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static jcuda.driver.JCudaDriver.cuCtxGetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;

/**
 * The GPU check's performance table (issue 14, point 6), on the GPU backend against what the device itself can do:
 * <ul>
 *   <li>chunked DGEMM and SGEMM ({@code A.matmul(B)} on device-resident chunks) against one cuBLAS call on the whole
 *       matrices (the backend's own {@code gemm} on two whole-matrix blocks), target 0.9 x;</li>
 *   <li>the fused {@code x * x + 10} against a device-to-device copy of the same bytes (both read n and write n),
 *       target 0.8 x;</li>
 *   <li>{@code x.sum()} against the read bandwidth: the faster of the copy's bytes moved per second and one SUM
 *       kernel over the whole array in one block, target 0.8 x;</li>
 *   <li>each of these on the CPU backend of the same machine (ServiceLoader's best CPU backend), as the GPU's speed-up.</li>
 * </ul>
 * Inputs are persisted on the device first, so only the operation is timed (best of the repetitions, after a
 * synchronisation of the device). Without a usable GPU it says so and exits 0.
 *
 * <p>{@code GpuCheckBench [--quick]}: sizes n = 2^27 elements and 8192^2 matrices (about a minute on an H100 with
 * the CPU runs), or 2^22 and 1024^2.
 */
public final class GpuCheckBench {
    private final boolean quick;
    private final int reps;
    private final List<String[]> rows = new ArrayList<>();

    private GpuCheckBench(boolean quick) {
        this.quick = quick;
        this.reps = quick ? 2 : 3;
    }

    public static void main(String[] args) {
        boolean quick = List.of(args).contains("--quick");
        Optional<String> reason = new GpuBackendProvider().unavailableReason();
        if (reason.isPresent()) {
            System.out.println("bench: no usable GPU here, nothing to measure: " + reason.get());
            return;
        }
        new GpuCheckBench(quick).run();
    }

    private void run() {
        long n = quick ? 1L << 22 : 1L << 27;
        int chunk = quick ? 1 << 20 : 1 << 24;
        int edge = quick ? 1024 : 8192, tile = edge / 2;
        int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
        long budget = 64L << 30;
        try (GpuBackend raw = GpuBackendProvider.createFirstDevice(1);
             Chunkwise gpu = Chunkwise.builder().backend(BackendKind.GPU).threads(threads).persistBudget(budget).build();
             Chunkwise cpu = Chunkwise.builder().backend(BackendKind.CPU).threads(Runtime.getRuntime().availableProcessors())
                     .persistBudget(budget).build()) {
            System.out.println("bench: " + raw.name() + "; CPU backend " + cpu.backend().name() + " (" + blas() + "), "
                    + Runtime.getRuntime().availableProcessors() + " cores; best of " + reps);
            CUcontext ctx = new CUcontext();
            Block probe = raw.fromHost(HostBlock.allocate(DType.FLOAT64, new int[]{1}));
            cuCtxGetCurrent(ctx);
            raw.release(probe);
            Runnable sync = () -> { cuCtxSetCurrent(ctx); cuCtxSynchronize(); };

            for (DType t : List.of(DType.FLOAT64, DType.FLOAT32)) gemm(raw, gpu, cpu, t, edge, tile, sync);
            bandwidth(raw, gpu, cpu, n, chunk, sync);
            if (!gpu.backend().delegatedCalls().isEmpty()) {
                System.out.println("bench: GPU backend calls that ran on the host: " + gpu.backend().delegatedCalls());
            }
        }
        print();
    }

    private void gemm(GpuBackend raw, Chunkwise gpu, Chunkwise cpu, DType t, int edge, int tile, Runnable sync) {
        double flops = 2.0 * edge * edge * edge;
        String name = (t == DType.FLOAT64 ? "DGEMM " : "SGEMM ") + edge + "^2, chunks " + tile + "^2";
        Optional<String> noBlas = raw.cublasUnavailableReason();
        if (noBlas.isPresent()) { // GEMM would run on the host, at a fraction of a GFLOP/s: nothing to measure
            rows.add(new String[]{name, "not measured", noBlas.get(), "-", ">= 0.9 x MISSED", "-"});
            System.out.println("bench: " + name + ": not measured, " + noBlas.get());
            return;
        }
        // one cuBLAS call on the whole matrices
        HostBlock ha = HostBlock.allocate(t, new int[]{edge, edge}), hb = HostBlock.allocate(t, new int[]{edge, edge});
        fill(ha, 1);
        fill(hb, 2);
        Block a = raw.fromHost(ha), b = raw.fromHost(hb);
        double one = best(() -> raw.release(raw.gemm(false, false, 1, a, b, 0, null)), sync);
        raw.release(a);
        raw.release(b);

        long[] shape = {edge, edge};
        int[] chunks = {tile, tile};
        ChunkedArray ga = gpu.random(1).uniform(t, -1, 1, shape, chunks).persist();
        ChunkedArray gb = gpu.random(2).uniform(t, -1, 1, shape, chunks).persist();
        sync.run();
        double chunked = best(() -> ga.matmul(gb).persist(), sync);
        ChunkedArray ca = cpu.random(1).uniform(t, -1, 1, shape, chunks).persist();
        ChunkedArray cb = cpu.random(2).uniform(t, -1, 1, shape, chunks).persist();
        double onCpu = best(() -> ca.matmul(cb).persist(), () -> { });
        row(name, rate(flops / chunked, "FLOP/s"), "1 cuBLAS call " + rate(flops / one, "FLOP/s"), one / chunked, 0.9,
                onCpu / chunked);
    }

    private void bandwidth(GpuBackend raw, Chunkwise gpu, Chunkwise cpu, long n, int chunk, Runnable sync) {
        int len = (int) Math.min(n, Integer.MAX_VALUE - 8);
        long bytes = (long) len * 8;
        // a device-to-device copy of the same bytes: reads n and writes n, as x * x + 10 does (buffers of its own, so
        // that it depends on the driver API alone)
        sync.run(); // makes the context current on this thread
        CUdeviceptr from = new CUdeviceptr(), to = new CUdeviceptr();
        CudaCallException.check(cuMemAlloc(from, bytes), "cuMemAlloc");
        CudaCallException.check(cuMemAlloc(to, bytes), "cuMemAlloc");
        CudaCallException.check(cuMemsetD8(from, (byte) 0, bytes), "cuMemsetD8");
        double copy = best(() -> CudaCallException.check(cuMemcpyDtoD(to, from, bytes), "cuMemcpyDtoD"), sync);
        cuMemFree(from);
        cuMemFree(to);
        // reading: the faster of the copy's rate and one SUM kernel over the whole array (a read and nothing else)
        Block src = raw.fromHost(HostBlock.allocate(DType.FLOAT64, new int[]{len}));
        double oneSum = best(() -> raw.release(raw.reducePartial(ReduceOp.SUM, src, new boolean[]{true}, 0)), sync);
        raw.release(src);
        double copyRate = 2.0 * bytes / copy, readRate = Math.max(copyRate, bytes / oneSum);

        long[] shape = {len};
        int[] chunks = {chunk};
        ChunkedArray gx = gpu.random(3).uniform(DType.FLOAT64, -1, 1, shape, chunks).persist();
        ChunkedArray cx = cpu.random(3).uniform(DType.FLOAT64, -1, 1, shape, chunks).persist();
        sync.run();
        double fused = best(() -> gx.mul(gx).add(10).persist(), sync);
        double fusedCpu = best(() -> cx.mul(cx).add(10).persist(), () -> { });
        row("x*x+10 float64, 2^" + log2(len) + " elements", rate(2.0 * bytes / fused, "B/s"),
                "D2D copy " + rate(copyRate, "B/s"), copy / fused, 0.8, fusedCpu / fused);

        double sum = best(() -> gx.sum().compute(), sync);
        double sumCpu = best(() -> cx.sum().compute(), () -> { });
        row("sum float64, 2^" + log2(len) + " elements", rate(bytes / sum, "B/s"),
                "read " + rate(readRate, "B/s") + " (copy or 1 sum kernel)", bytes / sum / readRate, 0.8, sumCpu / sum);
    }

    /** Whether the CPU backend's GEMM has OpenBLAS (cpu-backend is on the class path at run time only). */
    private static String blas() {
        try {
            Object problem = Class.forName("io.chunkwise.cpu.OpenBlas").getMethod("problem").invoke(null);
            return problem == null ? "OpenBLAS" : "no OpenBLAS: " + problem;
        } catch (ReflectiveOperationException | LinkageError e) {
            return "OpenBLAS unknown: " + e;
        }
    }

    private static void fill(HostBlock h, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < h.size(); i++) {
            if (h.dtype() == DType.FLOAT64) h.doubles()[i] = r.nextDouble(-1, 1);
            else h.floats()[i] = (float) r.nextDouble(-1, 1);
        }
    }

    /** The best time in seconds of {@link #reps} runs after one warm-up, each followed by {@code sync}. */
    private double best(Runnable op, Runnable sync) {
        op.run();
        sync.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            sync.run();
            best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
        }
        return best;
    }

    private static int log2(long n) { return 63 - Long.numberOfLeadingZeros(n); }

    private static String rate(double v, String unit) {
        String[] p = {"", "K", "M", "G", "T", "P"};
        int i = 0;
        while (v >= 1000 && i < p.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s%s", v, p[i], unit);
    }

    /** Adds a row to the table, and prints it at once (so that a run cut short still shows what it measured). */
    private void row(String name, String ours, String baseline, double ratio, double target, double speedup) {
        String[] r = {name, ours, baseline, String.format(Locale.ROOT, "%.2f x", ratio),
                String.format(Locale.ROOT, ">= %.1f x %s", target, ratio >= target ? "met" : "MISSED"),
                String.format(Locale.ROOT, "%.1f x", speedup)};
        rows.add(r);
        System.out.println("bench: " + String.join(" | ", r));
    }

    private void print() {
        String[] head = {"case", "chunked on the GPU", "baseline on the same GPU", "ratio", "target", "GPU vs CPU backend"};
        int[] w = new int[head.length];
        for (int i = 0; i < w.length; i++) w[i] = head[i].length();
        for (String[] r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        for (String[] r : prepend(head, rows)) {
            sb.append('|');
            for (int i = 0; i < w.length; i++) sb.append(' ').append(String.format("%-" + w[i] + "s", r[i])).append(" |");
            sb.append('\n');
            if (r == head) {
                sb.append('|');
                for (int width : w) sb.append("-".repeat(width + 2)).append('|');
                sb.append('\n');
            }
        }
        System.out.print(sb);
    }

    private static List<String[]> prepend(String[] head, List<String[]> rows) {
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(rows);
        return all;
    }
}
