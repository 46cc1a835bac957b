package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.ShapeMismatchException;
import io.chunkwise.Shapes;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

/**
 * The CUDA backend, first cut. On the device: upload/download, a single unary or binary op over dense float64/float32
 * inputs, fill/arange/uniform/normal, the SUM partial of a whole float64 chunk (the prebuilt PTX of cuda-kernels),
 * and GEMM through cuBLAS. Everything else runs the {@link ReferenceBackend} on downloaded copies and uploads the
 * result: each such fallback is logged once per kind at INFO and counted ({@link #fallbackCounts()}), so that
 * benchmarks can report what did not run on the GPU.
 *
 * <p>All work goes to the device's primary context and its legacy default stream, which orders it: a block given
 * back to the pool may be reused at once without a synchronisation. Safe to call from several threads.
 */
public final class GpuBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(GpuBackend.class);
    private static final String FUSED = "a fused expression (only one unary/binary op over inputs, or a generator, runs on the GPU yet)";

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final String deviceName;
    private final DeviceMemoryPool<CUdeviceptr> pool;
    private final Kernels kernels;
    private final ReferenceBackend reference = new ReferenceBackend();
    private final Map<String, LongAdder> fallbacks = new ConcurrentHashMap<>();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private final Object blasLock = new Object();
    private cublasHandle blas;
    private String blasProblem;
    private boolean blasTried;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Opens device {@code ordinal}: retains its primary context and loads the PTX modules. */
    public GpuBackend(int ordinal) {
        this.ordinal = ordinal;
        KernelBuild build = KernelBuild.load();
        if (build.problem() != null) throw new BackendUnavailableException(build.problem());
        CudaCallException.check(cuInit(0), "cuInit");
        CudaCallException.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        byte[] name = new byte[256];
        CudaCallException.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
        CudaCallException.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        try {
            current();
            pool = new DeviceMemoryPool<>("cuda:" + ordinal + " memory pool", new DeviceMemoryPool.Allocator<>() {
                @Override
                public CUdeviceptr allocate(long bytes) {
                    current();
                    CUdeviceptr p = new CUdeviceptr();
                    int r = cuMemAlloc(p, bytes);
                    if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) return null;
                    CudaCallException.check(r, "cuMemAlloc(" + bytes + " bytes)");
                    return p;
                }

                @Override
                public void free(CUdeviceptr pointer) {
                    cuCtxSetCurrent(context);
                    int r = cuMemFree(pointer);
                    if (r != CUresult.CUDA_SUCCESS) LOG.debug("cuMemFree: {}", CUresult.stringFor(r));
                }
            });
            kernels = new Kernels(build);
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw new BackendUnavailableException("could not set up CUDA device " + ordinal + " (" + deviceName + "): "
                    + e.getMessage(), e);
        }
        LOG.debug("{}: {} kernels from PTX of nvcc {}", name(), kernels.names().size(), build.cudaRelease());
    }

    @Override public String name() { return "gpu cuda:" + ordinal + " (" + deviceName + ")"; }

    @Override public BackendKind kind() { return BackendKind.GPU; }

    /** The device's name, as the driver reports it. */
    public String deviceName() { return deviceName; }

    /** How many calls ran on the host, by kind (e.g. {@code "assemble"}, {@code "gemm: dtype int64"}). */
    public Map<String, Long> fallbackCounts() {
        Map<String, Long> out = new TreeMap<>();
        fallbacks.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The total of {@link #fallbackCounts()}. */
    public long fallbackCount() {
        return fallbacks.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Bytes of device memory held by live blocks (in size classes). */
    public long deviceBytesInUse() { return pool.stats().liveBytes(); }

    /** Bytes of device memory cached by the pool for reuse. */
    public long deviceBytesCached() { return pool.stats().cachedBytes(); }

    /**
     * Why GEMM cannot use cuBLAS here (the JCublas natives need libcublas.so.12), or empty; GEMM then runs on the
     * host, counted as a fallback.
     */
    public Optional<String> cublasUnavailableReason() {
        checkOpen();
        return Optional.ofNullable(cublasProblem());
    }

    Set<String> kernelNames() { return kernels.names(); }

    // ---- residency ----

    @Override
    public Block fromHost(HostBlock block) {
        checkOpen();
        current();
        DeviceBlock d = DeviceBlock.allocate(block.dtype(), block.shape(), pool);
        try {
            if (d.size() > 0) {
                CudaCallException.check(cuMemcpyHtoD(d.pointer(), hostPointer(block), d.bytes()), "cuMemcpyHtoD(" + d.bytes() + " bytes)");
            }
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    @Override
    public HostBlock toHost(Block block) {
        return switch (block) {
            case HostBlock h -> h;
            case DeviceBlock d -> {
                checkOpen();
                current();
                HostBlock h = HostBlock.allocate(d.dtype(), d.shape());
                download(d, h);
                yield h;
            }
            default -> throw new IllegalArgumentException("no host form for " + block + " (a partial is finished first)");
        };
    }

    @Override
    public void release(Block block) {
        switch (block) {
            case DeviceBlock d -> d.close();
            case Partial p -> { for (Block b : p.parts()) release(b); }
            default -> { }
        }
    }

    private void download(DeviceBlock d, HostBlock into) {
        if (d.size() > 0) {
            CudaCallException.check(cuMemcpyDtoH(hostPointer(into), d.pointer(), d.bytes()), "cuMemcpyDtoH(" + d.bytes() + " bytes)");
        }
    }

    private static Pointer hostPointer(HostBlock h) {
        return switch (h.data()) {
            case double[] a -> Pointer.to(a);
            case float[] a -> Pointer.to(a);
            case long[] a -> Pointer.to(a);
            case int[] a -> Pointer.to(a);
            case byte[] a -> Pointer.to(a);
            default -> throw new IllegalArgumentException("not a block array: " + h.data().getClass());
        };
    }

    /** The block on this device: itself, or an upload added to {@code temps} (released by the caller). */
    private DeviceBlock onDevice(Block b, List<DeviceBlock> temps) {
        return switch (b) {
            case DeviceBlock d -> d;
            case HostBlock h -> {
                DeviceBlock d = (DeviceBlock) fromHost(h);
                temps.add(d);
                yield d;
            }
            default -> throw new IllegalArgumentException("not a chunk block: " + b);
        };
    }

    // ---- elementwise ----

    @Override
    public Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region) {
        checkOpen();
        int[] shape = region.shape();
        int n = Shapes.size(shape);
        if (n == 0) {
            current();
            return DeviceBlock.allocate(expr.dtype(), shape, pool);
        }
        String why = elementwiseUnsupported(expr, inputs, inputStrides, shape, region);
        if (why != null) {
            return fallback("elementwise: " + why, Expr.show(expr),
                    () -> reference.elementwise(expr, download(inputs), inputStrides, region));
        }
        current();
        DType t = expr.dtype();
        String dt = t.numpyName();
        List<DeviceBlock> temps = new ArrayList<>();
        DeviceBlock out = DeviceBlock.allocate(t, shape, pool);
        try {
            Pointer pn = arg((long) n);
            int grid = Kernels.grid(n);
            switch (expr) {
                case Expr.Unary u -> kernels.launch(kernel(u.op().name(), t), grid,
                        ptr(onDevice(inputs[((Expr.Input) u.x()).index()], temps)), ptr(out), pn);
                case Expr.Binary b -> kernels.launch(kernel(b.op().name(), t), grid,
                        ptr(onDevice(inputs[((Expr.Input) b.a()).index()], temps)),
                        ptr(onDevice(inputs[((Expr.Input) b.b()).index()], temps)), ptr(out), pn);
                case Expr.Const c -> kernels.launch("chunkwise_fill_" + dt, grid, ptr(out), pn, arg(c.value()));
                case Expr.Arange a -> {
                    Runs r = Runs.of(region);
                    kernels.launch("chunkwise_arange_" + dt, grid, ptr(out), pn, arg(r.inner()), arg(r.outerStride()),
                            arg(r.first()), arg(a.start()), arg(a.step()));
                }
                case Expr.Random a -> {
                    Runs r = Runs.of(region);
                    kernels.launch((a.normal() ? "chunkwise_normal_" : "chunkwise_uniform_") + dt, grid, ptr(out), pn,
                            arg(r.inner()), arg(r.outerStride()), arg(r.first()), arg(a.seed()), arg(a.a()), arg(a.b()));
                }
                default -> throw new IllegalStateException("unplanned " + Expr.show(expr));
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            temps.forEach(DeviceBlock::close); // safe at once: the default stream orders later reuse after the kernel
        }
    }

    /** Why {@code expr} cannot run on the prebuilt kernels, or null when it can. */
    private String elementwiseUnsupported(Expr expr, Block[] inputs, int[][] strides, int[] shape, Region region) {
        DType t = expr.dtype();
        if (!t.isFloating()) return "dtype " + t.numpyName() + " (the prebuilt kernels are float64/float32)";
        return switch (expr) {
            case Expr.Unary u when u.x() instanceof Expr.Input x -> {
                String k = kernel(u.op().name(), t);
                yield !kernels.has(k) ? "no kernel " + k : denseInput(x, inputs, strides, shape, t);
            }
            case Expr.Binary b when b.a() instanceof Expr.Input x && b.b() instanceof Expr.Input y -> {
                String k = kernel(b.op().name(), t);
                if (!kernels.has(k)) yield "no kernel " + k;
                String why = denseInput(x, inputs, strides, shape, t);
                yield why != null ? why : denseInput(y, inputs, strides, shape, t);
            }
            case Expr.Const c -> null;
            case Expr.Arange a -> Runs.of(region) == null ? "a generator over a chunk that is not evenly spaced runs of its array" : null;
            case Expr.Random r -> Runs.of(region) == null ? "a generator over a chunk that is not evenly spaced runs of its array" : null;
            default -> FUSED;
        };
    }

    private static String denseInput(Expr.Input x, Block[] inputs, int[][] strides, int[] shape, DType t) {
        Block b = inputs[x.index()];
        if (b.dtype() != t || x.dtype() != t) return "an input of dtype " + b.dtype().numpyName() + " under a " + t.numpyName() + " op";
        if (!(b instanceof DeviceBlock || b instanceof HostBlock)) return "an input that is a " + b.getClass().getSimpleName();
        if (Shapes.size(b.shape()) != Shapes.size(shape) || !dense(strides[x.index()], shape)) {
            return "a strided or broadcast input (only dense inputs run on the GPU yet)";
        }
        return null;
    }

    /** Whether strides are row-major for shape (axes of length 1 may have any stride). */
    static boolean dense(int[] strides, int[] shape) {
        int[] rowMajor = Shapes.strides(shape);
        for (int a = 0; a < shape.length; a++) if (shape[a] != 1 && strides[a] != rowMajor[a]) return false;
        return true;
    }

    static String kernel(String op, DType t) {
        return "chunkwise_" + op.toLowerCase(Locale.ROOT) + "_" + t.numpyName();
    }

    private static Pointer ptr(DeviceBlock d) { return Pointer.to(d.pointer()); }

    private static Pointer arg(long v) { return Pointer.to(new long[]{v}); }

    private static Pointer arg(double v) { return Pointer.to(new double[]{v}); }

    /**
     * A chunk's place in its array as runs of consecutive global flat indices: element {@code i} of the chunk has
     * global index {@code first + (i / inner) * outerStride + i % inner} (cw_global_index of chunkwise_device.cuh).
     */
    record Runs(long inner, long outerStride, long first) {
        /** Null when the chunk is not such runs (more than one partial outer axis). */
        static Runs of(Region region) {
            int[] s = region.shape();
            long[] g = region.globalShape(), gs = region.globalStrides(), off = region.offset();
            int nd = s.length;
            long first = 0;
            for (int a = 0; a < nd; a++) first += off[a] * gs[a];
            if (nd == 0) return new Runs(1, 1, first);
            int k = nd - 1;
            while (k > 0 && s[k] == g[k]) k--; // axes k.. are one run when the axes after k are whole
            long inner = 1;
            for (int a = k; a < nd; a++) inner *= s[a];
            long outerStride = inner;
            int outer = 0;
            for (int a = 0; a < k; a++) {
                if (s[a] > 1) {
                    outer++;
                    outerStride = gs[a];
                }
            }
            return outer <= 1 ? new Runs(inner, outerStride, first) : null;
        }
    }

    // ---- reductions ----

    @Override
    public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
        checkOpen();
        int n = Shapes.size(input.shape());
        boolean all = true;
        for (boolean a : axes) all &= a;
        String why = op != ReduceOp.SUM ? op.numpyName()
                : input.dtype() != DType.FLOAT64 ? "sum of " + input.dtype().numpyName()
                : !all ? "sum over some axes"
                : n == 0 ? "sum of an empty chunk"
                : !(input instanceof DeviceBlock || input instanceof HostBlock) ? "sum of a " + input.getClass().getSimpleName()
                : null;
        if (why != null) {
            return fallback("reducePartial: " + why, op.numpyName(),
                    () -> reference.reducePartial(op, download(input), axes, argAxisOffset));
        }
        current();
        List<DeviceBlock> temps = new ArrayList<>();
        int grid = Kernels.reduceGrid(n);
        int[] keep = new int[axes.length];
        Arrays.fill(keep, 1);
        DeviceBlock partials = DeviceBlock.allocate(DType.FLOAT64, new int[]{grid}, pool);
        DeviceBlock out = DeviceBlock.allocate(DType.FLOAT64, keep, pool);
        try {
            DeviceBlock in = onDevice(input, temps);
            kernels.launch("chunkwise_sum_float64", grid, ptr(in), ptr(partials), arg((long) n));
            kernels.launch("chunkwise_sum_float64", 1, ptr(partials), ptr(out), arg((long) grid));
            return new Partial(out);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            partials.close();
            temps.forEach(DeviceBlock::close);
        }
    }

    @Override
    public Block reduceCombine(ReduceOp op, List<Block> partials) {
        checkOpen();
        return fallback("reduceCombine", op.numpyName(), () -> {
            List<Block> host = new ArrayList<>(partials.size());
            for (Block p : partials) host.add(download(p));
            return reference.reduceCombine(op, host);
        });
    }

    @Override
    public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) {
        checkOpen();
        return fallback("reduceFinish", op.numpyName(), () -> reference.reduceFinish(op, download(partial), dtype, shape));
    }

    // ---- gemm ----

    @Override
    public Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
        checkOpen();
        int[] as = a.shape(), bs = b.shape();
        if (as.length != 2 || bs.length != 2) {
            throw new ShapeMismatchException("gemm needs 2-D blocks, got A " + Shapes.str(as) + " and B " + Shapes.str(bs));
        }
        DType t = a.dtype();
        if (b.dtype() != t || (c != null && c.dtype() != t)) {
            throw new DTypeException("gemm needs one dtype, got A " + t.numpyName() + ", B " + b.dtype().numpyName()
                    + (c == null ? "" : ", C " + c.dtype().numpyName()));
        }
        int m = transA ? as[1] : as[0], k = transA ? as[0] : as[1];
        int kb = transB ? bs[1] : bs[0], n = transB ? bs[0] : bs[1];
        if (k != kb || (c != null && !Arrays.equals(c.shape(), new int[]{m, n}))) {
            throw new ShapeMismatchException("gemm: op(A) of A " + Shapes.str(as) + (transA ? "^T" : "") + " is " + m + "x" + k
                    + ", op(B) of B " + Shapes.str(bs) + (transB ? "^T" : "") + " is " + kb + "x" + n
                    + (c == null ? "" : ", C is " + Shapes.str(c.shape())));
        }
        String why = !t.isFloating() ? "dtype " + t.numpyName()
                : m == 0 || n == 0 || k == 0 ? "an empty operand"
                : !(a instanceof DeviceBlock || a instanceof HostBlock) || !(b instanceof DeviceBlock || b instanceof HostBlock)
                        ? "an operand that is not a chunk block"
                : cublasProblem();
        if (why != null) return gemmOnHost("gemm: " + why, transA, transB, alpha, a, b, beta, c);

        current();
        List<DeviceBlock> temps = new ArrayList<>();
        DeviceBlock dc = null;
        boolean fresh = c == null;
        try {
            DeviceBlock da = onDevice(a, temps), db = onDevice(b, temps);
            dc = switch (c) {
                case null -> DeviceBlock.allocate(t, new int[]{m, n}, pool);
                case DeviceBlock d -> d;
                case HostBlock h -> onDevice(h, temps);
                default -> throw new IllegalArgumentException("C is not a chunk block: " + c);
            };
            double keep = fresh ? 0 : beta;
            // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands, keep the flags.
            int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
            int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
            synchronized (blasLock) {
                if (t == DType.FLOAT64) {
                    CudaCallException.checkCublas(JCublas2.cublasDgemm(blas, opB, opA, n, m, k, Pointer.to(new double[]{alpha}),
                            db.pointer(), bs[1], da.pointer(), as[1], Pointer.to(new double[]{keep}), dc.pointer(), n), "cublasDgemm");
                } else {
                    CudaCallException.checkCublas(JCublas2.cublasSgemm(blas, opB, opA, n, m, k, Pointer.to(new float[]{(float) alpha}),
                            db.pointer(), bs[1], da.pointer(), as[1], Pointer.to(new float[]{(float) keep}), dc.pointer(), n), "cublasSgemm");
                }
            }
            if (c instanceof HostBlock h) {
                download(dc, h);
                return h;
            }
            return dc;
        } catch (RuntimeException e) {
            if (fresh && dc != null) dc.close();
            throw e;
        } finally {
            temps.forEach(DeviceBlock::close);
        }
    }

    private Block gemmOnHost(String label, boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
        count(label, (transA ? "A^T" : "A") + " @ " + (transB ? "B^T" : "B"));
        HostBlock hc = c == null ? null : toHost(c);
        HostBlock r = (HostBlock) reference.gemm(transA, transB, alpha, toHost(a), toHost(b), beta, hc);
        if (c == null) return fromHost(r);
        if (c instanceof DeviceBlock d) {
            current();
            if (d.size() > 0) {
                CudaCallException.check(cuMemcpyHtoD(d.pointer(), hostPointer(r), d.bytes()), "cuMemcpyHtoD(" + d.bytes() + " bytes)");
            }
        }
        return c;
    }

    /** Null when cuBLAS is usable; creates the handle on first use. */
    private String cublasProblem() {
        synchronized (blasLock) {
            if (!blasTried) {
                blasTried = true;
                try {
                    current();
                    cublasHandle h = new cublasHandle();
                    CudaCallException.checkCublas(JCublas2.cublasCreate(h), "cublasCreate");
                    blas = h;
                } catch (Throwable e) { // UnsatisfiedLinkError where libcublas.so.12 is missing
                    blasProblem = "cuBLAS unavailable (" + GpuBackendProvider.describe(e) + ")";
                    LOG.warn("{}: GEMM runs on the host: {}", name(), blasProblem);
                }
            }
            return blasProblem;
        }
    }

    // ---- assemble ----

    @Override
    public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) {
        checkOpen();
        return fallback("assemble", Shapes.str(shape), () -> reference.assemble(dtype, shape, download(sources), pieces));
    }

    // ---- fallback ----

    /** Runs {@code onHost} (reference semantics on host copies), counts it under {@code label}, uploads the result. */
    private Block fallback(String label, String example, Supplier<Block> onHost) {
        count(label, example);
        return upload(onHost.get());
    }

    private void count(String label, String example) {
        fallbacks.computeIfAbsent(label, k -> new LongAdder()).increment();
        if (logged.add(label)) {
            LOG.info("{}: on the host (reference backend), counted as fallback \"{}\"; first case: {}", name(), label, example);
        }
    }

    private Block upload(Block b) {
        return switch (b) {
            case HostBlock h -> fromHost(h);
            case Partial p -> {
                Block[] parts = new Block[p.parts().length];
                for (int i = 0; i < parts.length; i++) parts[i] = upload(p.parts()[i]);
                yield new Partial(parts);
            }
            default -> b;
        };
    }

    private Block download(Block b) {
        return switch (b) {
            case DeviceBlock d -> toHost(d);
            case Partial p -> {
                Block[] parts = new Block[p.parts().length];
                for (int i = 0; i < parts.length; i++) parts[i] = download(p.parts()[i]);
                yield new Partial(parts);
            }
            default -> b;
        };
    }

    private Block[] download(Block[] blocks) {
        Block[] out = new Block[blocks.length];
        for (int i = 0; i < blocks.length; i++) out[i] = download(blocks[i]);
        return out;
    }

    // ---- lifecycle ----

    private void current() {
        CudaCallException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    private void checkOpen() {
        if (closed.get()) throw new IllegalStateException(name() + " is closed");
    }

    /**
     * Frees the pool's memory and releases the context. Throws {@link IllegalStateException} (after cleaning up) when
     * blocks were never released, naming their number and bytes.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        cuCtxSetCurrent(context);
        synchronized (blasLock) {
            if (blas != null) {
                try {
                    JCublas2.cublasDestroy(blas);
                } catch (Throwable e) {
                    LOG.debug("cublasDestroy", e);
                }
                blas = null;
            }
        }
        kernels.close();
        IllegalStateException leak = null;
        try {
            pool.close();
        } catch (IllegalStateException e) {
            leak = e;
        }
        cuDevicePrimaryCtxRelease(device);
        if (leak != null) throw leak;
    }
}
