package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.ShapeMismatchException;
import io.chunkwise.Shapes;
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
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
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
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

/**
 * The CUDA backend. On the device: upload/download; from the prebuilt PTX of cuda-kernels, a single unary or binary
 * op over dense float64/float32 inputs, fill/arange/uniform/normal and (where the generated one cannot run) the SUM
 * partial of a whole float64 chunk; every other elementwise expression the generator covers as one fused kernel per chunk, every
 * assemble piece as a strided copy, and every reduction's partials, combines and finishes
 * ({@link ReductionKernelSource}, {@link ReductionPiecesSource}), all generated at run time and compiled by NVRTC
 * ({@link GeneratedKernels}: one kernel per shape, with the CPU backend's bits); GEMM through cuBLAS ({@link Cublas}:
 * JCublas or the FFM binding, cuBLAS 12 or 13). Everything else (scans, histograms; fused expressions, copies and
 * reductions where NVRTC does not load) is
 * delegated to the best CPU backend found through {@code ServiceLoader} (never the reference backend, the tests'
 * oracle), on downloaded copies: chunks it computes are uploaded, reduction partials stay on the host (a combine on
 * the device uploads them). Each such call is logged once per kind at INFO and counted ({@link #fallbackCounts()},
 * {@link #delegatedCalls()}), so that explain() and benchmarks report what did not run on the GPU.
 *
 * <p>Each calling thread issues its kernels and copies on its own stream ({@link ThreadStreams}), so that the
 * scheduler's threads overlap copies with compute; cuBLAS runs on one stream of its own, ordered after the
 * caller's by events. Each chunk records the streams that used it, so that a later user on another stream, a reuse
 * of its memory ({@link DeviceMemoryPool}) or a spill to host memory ({@link DeviceResidency}) waits for their work
 * on the device. Chunks held on the device stay within a budget ({@link DeviceMemoryBudget}). Safe to call from
 * several threads.
 */
public final class GpuBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(GpuBackend.class);

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final String deviceName;
    private final ThreadStreams<DeviceStream, jcuda.driver.CUevent> streams;
    private final DeviceStream blasStream;
    private final PinnedStaging<Pointer, jcuda.driver.CUevent, DeviceStream> staging;
    private final DeviceMemoryPool<DevicePointer, DeviceStream> devicePool;
    /** Where blocks get their memory (named as the pool it wraps, which it spills for). */
    private final DeviceResidency<DevicePointer, byte[][], DeviceStream> pool;
    private final Kernels kernels;
    private final GeneratedKernels fused;
    private final Backend host;
    private final Map<String, LongAdder> fallbacks = new ConcurrentHashMap<>();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private final Object blasLock = new Object();
    private final CublasBinding blas;
    private final String blasProblem;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long budget;

    /**
     * Opens device {@code ordinal}: retains its primary context, loads the PTX modules and binds cuBLAS. What does
     * not run on the device is delegated to {@code host} (a CPU backend), which this backend closes.
     */
    public GpuBackend(int ordinal, Backend host) {
        this.ordinal = ordinal;
        this.host = java.util.Objects.requireNonNull(host, "host backend");
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
        streams = new ThreadStreams<>("cuda:" + ordinal + " streams", new CudaStreamDriver(context));
        // chunks up to 64 MiB go through pinned buffers, 512 MiB of which stay pooled; larger ones copy from the heap
        staging = new PinnedStaging<>("cuda:" + ordinal + " staging buffers", new CudaPinnedDriver(context), 64L << 20, 512L << 20);
        try {
            current();
            long[] free = {0}, total = {0};
            CudaCallException.check(cuMemGetInfo(free, total), "cuMemGetInfo");
            budget = DeviceMemoryBudget.fromSystemProperties(free[0], total[0]);
            devicePool = new DeviceMemoryPool<>("cuda:" + ordinal + " memory pool", new DeviceMemoryPool.Allocator<>() {
                @Override
                public DevicePointer allocate(long bytes) {
                    CudaCallException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent"); // not current(): mid-operation
                    DevicePointer p = new DevicePointer();
                    int r = cuMemAlloc(p, bytes);
                    if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) return null;
                    CudaCallException.check(r, "cuMemAlloc(" + bytes + " bytes)");
                    return p;
                }

                @Override
                public void free(DevicePointer pointer) {
                    cuCtxSetCurrent(context);
                    int r = cuMemFree(pointer);
                    if (r != CUresult.CUDA_SUCCESS) LOG.debug("cuMemFree: {}", CUresult.stringFor(r));
                }
            }, streams, budget);
            pool = new DeviceResidency<>(devicePool, streams, new HostSpillCopies());
            blasStream = streams.newStream();
            kernels = new Kernels(build);
            fused = new GeneratedKernels(() -> Nvrtc.open(driverVersion()), computeCapability());
        } catch (RuntimeException e) {
            staging.close();
            streams.close();
            cuDevicePrimaryCtxRelease(device);
            throw new BackendUnavailableException("could not set up CUDA device " + ordinal + " (" + deviceName + "): "
                    + e.getMessage(), e);
        }
        Cublas.Result cublas;
        try {
            int[] driver = {0};
            CudaCallException.check(cuDriverGetVersion(driver), "cuDriverGetVersion");
            current();
            cublas = Cublas.open(driver[0]);
            if (cublas.binding() != null) onBlasStream(cublas.binding());
        } catch (RuntimeException | LinkageError e) {
            cublas = new Cublas.Result(null, "cuBLAS could not be loaded: " + GpuBackendProvider.describe(e), List.of());
        }
        blas = cublas.binding();
        blasProblem = cublas.problem();
        kernels.launchOn(streams::current);
        if (blas == null) LOG.warn("{}: GEMM is delegated to {}: {}", name(), host.name(), blasProblem);
        LOG.debug("{}: {} kernels from PTX of nvcc {}; {}", name(), kernels.names().size(), build.cudaRelease(),
                blas == null ? blasProblem : blas.describe());
    }

    /** Puts {@code binding}'s handle on cuBLAS's own stream, or destroys it and throws. */
    private void onBlasStream(CublasBinding binding) {
        try {
            binding.setStream(blasStream);
        } catch (RuntimeException | LinkageError e) {
            binding.close();
            throw e;
        }
    }

    @Override public String name() { return "gpu cuda:" + ordinal + " (" + deviceName + ")"; }

    @Override public BackendKind kind() { return BackendKind.GPU; }

    /** The device's name, as the driver reports it. */
    public String deviceName() { return deviceName; }

    /**
     * How many calls were delegated to the CPU backend, by kind (e.g. {@code "assemble"}, {@code "gemm: dtype int64"}).
     */
    public Map<String, Long> fallbackCounts() {
        Map<String, Long> out = new TreeMap<>();
        fallbacks.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** {@link #fallbackCounts()}: the SPI's view, for explain() and the benchmarks. */
    @Override
    public Map<String, Long> delegatedCalls() { return fallbackCounts(); }

    @Override
    public String delegateName() { return host.name(); }

    /** The total of {@link #fallbackCounts()}. */
    public long fallbackCount() {
        return fallbacks.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Bytes of device memory held by live blocks (in size classes). */
    public long deviceBytesInUse() { return devicePool.stats().liveBytes(); }

    /** Bytes of device memory cached by the pool for reuse. */
    public long deviceBytesCached() { return devicePool.stats().cachedBytes(); }

    /** The device memory this backend may hold for chunks ({@link DeviceMemoryBudget}). */
    public long deviceMemoryBudget() { return budget; }

    /** Chunks spilled to host memory so far, to make room on the device. */
    public long spillCount() { return pool.stats().spills(); }

    /** Whether {@code b} is a block in this device's memory (an empty device block is in none). */
    boolean holds(Block b) { return b instanceof DeviceBlock d && d.belongsTo(pool); }

    /**
     * Why GEMM cannot use cuBLAS here (no libcublas.so.13 or .so.12 that loads), or empty; GEMM then runs on the
     * CPU backend, counted as a fallback.
     */
    public Optional<String> cublasUnavailableReason() {
        checkOpen();
        return Optional.ofNullable(blasProblem);
    }

    /** The cuBLAS in use, in words, or empty. */
    public Optional<String> cublasDescription() {
        return Optional.ofNullable(blas).map(CublasBinding::describe);
    }

    Set<String> kernelNames() { return kernels.names(); }

    /** NVRTC, which compiles the fused kernels, in words (or why it does not load), once a fused kernel was needed. */
    public String nvrtcDescription() { return fused.describe(); }

    /** Why fused expressions cannot run on this device (NVRTC does not load), or empty; opens NVRTC if need be. */
    public Optional<String> fusedUnavailableReason() {
        checkOpen();
        return Optional.ofNullable(fused.problem());
    }

    /** How many fused kernels were compiled (or failed to compile) so far: one per expression shape. */
    public int fusedKernelCount() { return fused.size(); }

    private int driverVersion() {
        int[] v = {0};
        CudaCallException.check(cuDriverGetVersion(v), "cuDriverGetVersion");
        return v[0];
    }

    /** The device's compute capability as NVRTC names it, e.g. {@code 90}. */
    private int computeCapability() {
        int[] major = {0}, minor = {0};
        CudaCallException.check(cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
                "cuDeviceGetAttribute");
        CudaCallException.check(cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
                "cuDeviceGetAttribute");
        return major[0] * 10 + minor[0];
    }

    // ---- residency ----

    @Override
    public Block fromHost(HostBlock block) {
        checkOpen();
        current();
        return upload(block);
    }

    /** {@code block} copied into a new device block on the calling thread's stream, within the current operation. */
    private DeviceBlock upload(HostBlock block) {
        DeviceBlock d = DeviceBlock.allocate(block.dtype(), block.shape(), pool);
        try {
            if (d.size() > 0) copyIn(block, d);
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

    /** Copies {@code d} into {@code into} after the work that wrote it, through a pinned buffer where it can; done on return. */
    private void download(DeviceBlock d, HostBlock into) {
        if (d.size() == 0) return;
        DevicePointer p = d.pointer(); // orders this thread's stream after the block's writers
        DeviceStream s = streams.current();
        long bytes = d.bytes();
        var b = staging.take(bytes);
        try {
            Pointer to = b == null ? hostPointer(into) : b.host();
            CudaCallException.check(cuMemcpyDtoHAsync(to, p, bytes, s), "cuMemcpyDtoHAsync(" + bytes + " bytes)");
            CudaCallException.check(cuStreamSynchronize(s), "cuStreamSynchronize");
            if (b != null) StagedCopy.drain(b.host().getByteBuffer(0, bytes), into);
        } finally {
            if (b != null) staging.giveBack(b, s);
        }
    }

    /**
     * Copies {@code from} into {@code d} on the calling thread's stream: through a pinned buffer, so that the call
     * returns while the copy runs, or (a large chunk) from the heap, which returns once the driver has staged it.
     */
    private void copyIn(HostBlock from, DeviceBlock d) {
        DevicePointer p = d.pointer();
        DeviceStream s = streams.current();
        long bytes = d.bytes();
        var b = staging.take(bytes);
        try {
            if (b != null) StagedCopy.fill(b.host().getByteBuffer(0, bytes), from);
            CudaCallException.check(cuMemcpyHtoDAsync(p, b == null ? hostPointer(from) : b.host(), bytes, s),
                    "cuMemcpyHtoDAsync(" + bytes + " bytes)");
        } finally {
            if (b != null) staging.giveBack(b, s); // reused once this copy is done
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
                DeviceBlock d = upload(h); // not fromHost: that would begin a new operation and unpin this one's blocks
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
        boolean prebuilt = elementwiseUnsupported(expr, inputs, inputStrides, shape, region) == null;
        if (!prebuilt || preferFused(expr, inputs)) {
            String why = fusedUnsupported(expr, inputs);
            if (why == null) {
                Block out = elementwiseFused(expr, inputs, inputStrides, region);
                if (out != null) return out;
                why = "a fused kernel that did not compile";
            }
            if (!prebuilt) {
                return fallback("elementwise: " + why, Expr.show(expr, 200),
                        () -> host.elementwise(expr, download(inputs), inputStrides, region));
            }
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
            temps.forEach(DeviceBlock::close); // safe at once: the pool reuses them only after this stream's kernel
        }
    }

    /**
     * Where the expression does not run on the device, the CPU backend writes it into {@code dst} itself (no upload
     * and download of the chunk); otherwise the SPI's default (computed here, then copied).
     */
    @Override
    public void elementwiseInto(Expr expr, Block[] inputs, int[][] inputStrides, Region region, HostBlock dst,
                                int dstOffset, int[] dstStrides) {
        checkOpen();
        String why = Shapes.size(region.shape()) == 0 ? null : deviceUnsupported(expr, inputs, inputStrides, region);
        if (why == null) {
            Backend.super.elementwiseInto(expr, inputs, inputStrides, region, dst, dstOffset, dstStrides);
            return;
        }
        count("elementwise: " + why, Expr.show(expr));
        host.elementwiseInto(expr, download(inputs), inputStrides, region, dst, dstOffset, dstStrides);
    }

    /**
     * Where neither the expression nor the reduction runs on the device, the CPU backend computes the partial as it
     * computes the values (its partial stays on the host, where combine and finish run); otherwise the SPI's default,
     * so that the partial has the bits {@link #reducePartial} of the values would give (a device sum's where that
     * runs on the device).
     */
    @Override
    public Block reducePartialOf(ReduceOp op, Expr expr, Block[] inputs, int[][] inputStrides, Region region,
                                 boolean[] axes, long argAxisOffset) {
        checkOpen();
        int n = Shapes.size(region.shape());
        String why = n == 0 || reduceUnsupported(op, expr.dtype(), axes, n) == null ? null
                : deviceUnsupported(expr, inputs, inputStrides, region);
        if (why == null) return Backend.super.reducePartialOf(op, expr, inputs, inputStrides, region, axes, argAxisOffset);
        count("reducePartialOf: " + why, op.numpyName() + " of " + Expr.show(expr));
        return host.reducePartialOf(op, expr, download(inputs), inputStrides, region, axes, argAxisOffset);
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
            default -> "a fused expression";
        };
    }

    /**
     * Whether a float32 op that a prebuilt kernel could run goes to a fused kernel instead: the prebuilt ones compute
     * exp, sin, pow, ... in float (a few ulps from the CPU backend), a fused kernel in double rounded once, as the
     * CPU backend does.
     */
    private boolean preferFused(Expr expr, Block[] inputs) {
        return expr.dtype() == DType.FLOAT32 && (expr instanceof Expr.Unary || expr instanceof Expr.Binary)
                && fusedUnsupported(expr, inputs) == null;
    }

    /** Why {@code expr} runs on neither a prebuilt kernel nor a fused one, or null. */
    private String deviceUnsupported(Expr expr, Block[] inputs, int[][] strides, Region region) {
        return elementwiseUnsupported(expr, inputs, strides, region.shape(), region) == null ? null : fusedUnsupported(expr, inputs);
    }

    /**
     * Why {@code expr} has no fused kernel here, or null: an op the generator leaves to the CPU, an input that is
     * not a chunk block of its node's dtype, or no NVRTC (logged once with the reason). A kernel that then fails to
     * compile is found out at its first call ({@link #elementwiseFused}).
     */
    private String fusedUnsupported(Expr expr, Block[] inputs) {
        String why = FusedKernelSource.unsupported(expr);
        if (why != null) return why;
        for (int i : FusedKernelSource.inputs(expr)) {
            Block b = inputs[i];
            if (!(b instanceof DeviceBlock || b instanceof HostBlock)) return "an input that is a " + b.getClass().getSimpleName();
        }
        String[] mismatch = {null};
        FusedKernelSource.postOrder(expr, e -> {
            if (e instanceof Expr.Input in && inputs[in.index()].dtype() != in.dtype()) {
                mismatch[0] = "an input of dtype " + inputs[in.index()].dtype().numpyName() + " read as " + in.dtype().numpyName();
            }
        });
        if (mismatch[0] != null) return mismatch[0];
        String nvrtc = fused.problem();
        if (nvrtc != null) {
            if (logged.add("nvrtc")) LOG.warn("{}: fused expressions and copies are delegated to {}: {}", name(), host.name(), nvrtc);
            return "no NVRTC";
        }
        return null;
    }

    /**
     * {@code expr} as one fused kernel (compiled on its shape's first call): inputs read in place through their
     * strides, uploaded first where they are on the host. Null where the kernel does not compile or load (logged).
     */
    private Block elementwiseFused(Expr expr, Block[] inputs, int[][] inputStrides, Region region) {
        List<Integer> used = FusedKernelSource.inputs(expr);
        int[][] strides = new int[used.size()][];
        for (int j = 0; j < strides.length; j++) strides[j] = inputStrides[used.get(j)];
        FusedGeometry g = FusedGeometry.of(region, strides, FusedKernelSource.readsGlobalIndex(expr));
        current();
        GeneratedKernels.Compiled k = fused.function(FusedKernelSource.key(expr, g.rank()), () -> FusedKernelSource.generate(expr, g.rank()).program());
        if (k.problem() != null) {
            if (logged.add("fused compile")) LOG.warn("{}: {}", name(), k.problem());
            else LOG.debug("{}: {}", name(), k.problem());
            return null;
        }
        long[] scalars = FusedKernelSource.scalarArgs(g, expr);
        List<DeviceBlock> temps = new ArrayList<>();
        DeviceBlock out = DeviceBlock.allocate(expr.dtype(), region.shape(), pool);
        try {
            boolean errors = FusedKernelSource.reportsErrors(expr);
            DeviceBlock err = null;
            if (errors) {
                err = DeviceBlock.allocate(DType.INT64, new int[]{1}, pool);
                temps.add(err);
                CudaCallException.check(cuMemsetD8Async(err.pointer(), (byte) 0, 8, streams.current()), "cuMemsetD8Async(8 bytes)");
            }
            Pointer[] args = new Pointer[used.size() + (errors ? 2 : 1) + scalars.length];
            int a = 0;
            for (int i : used) args[a++] = ptr(onDevice(inputs[i], temps));
            args[a++] = ptr(out);
            if (errors) args[a++] = ptr(err);
            for (long w : scalars) args[a++] = arg(w);
            GeneratedKernels.launch(k.function(), k.name(), g.size(), streams.current(), args);
            if (errors) { // refused data raise the CPU backend's error (InvalidArgumentException)
                long[] word = new long[1];   // a pageable copy on this thread's stream: it returns when the word is here
                CudaCallException.check(cuMemcpyDtoHAsync(Pointer.to(word), err.pointer(), 8, streams.current()), "cuMemcpyDtoHAsync(8 bytes)");
                CudaCallException.check(cuStreamSynchronize(streams.current()), "cuStreamSynchronize");
                if (word[0] < 0) io.chunkwise.spi.Scalars.pow(0, word[0]);
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            temps.forEach(DeviceBlock::close); // the pool reuses them only after this stream's kernel
        }
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

    private static List<Pointer> ptrs(DeviceBlock[] blocks) {
        List<Pointer> out = new ArrayList<>(blocks.length);
        for (DeviceBlock b : blocks) out.add(ptr(b));
        return out;
    }

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

    /**
     * Why the partial of {@code op} over {@code n} values of {@code dtype} does not run on the device, or null: it
     * runs as a generated kernel ({@link ReductionKernelSource}) where NVRTC loads, else only a whole float64 chunk's
     * SUM does (the prebuilt kernel).
     */
    private String reduceUnsupported(ReduceOp op, DType dtype, boolean[] axes, int n) {
        String nvrtc = fused.problem();
        if (nvrtc == null || wholeSum(op, dtype, axes, n)) return null;
        if (logged.add("nvrtc")) LOG.warn("{}: fused expressions and copies are delegated to {}: {}", name(), host.name(), nvrtc);
        return "no NVRTC";
    }

    /** Whether the prebuilt kernel can run this partial: a whole non-empty float64 chunk's SUM. */
    private static boolean wholeSum(ReduceOp op, DType dtype, boolean[] axes, int n) {
        boolean all = true;
        for (boolean a : axes) all &= a;
        return op == ReduceOp.SUM && dtype == DType.FLOAT64 && all && n > 0;
    }

    /** Whether the CPU backend refuses these arguments (it then throws, with its message). */
    private static boolean invalidPartial(ReduceOp op, Block input, boolean[] axes) {
        if (axes.length != input.shape().length) return true;
        int reduced = 0;
        for (boolean a : axes) if (a) reduced++;
        return op.isArg() && reduced != 1;
    }

    /**
     * The partial of a chunk on the device: a generated kernel, one thread per output, in the CPU backend's order
     * (its bits); where NVRTC does not load or the kernel does not compile, the prebuilt sum of a whole float64
     * chunk (not the CPU's order), else the CPU backend (the partial then stays on the host).
     */
    @Override
    public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
        checkOpen();
        if (invalidPartial(op, input, axes)) return host.reducePartial(op, download(input), axes, argAxisOffset);
        int n = Shapes.size(input.shape());
        String why = !(input instanceof DeviceBlock || input instanceof HostBlock) ? "a " + input.getClass().getSimpleName()
                : reduceUnsupported(op, input.dtype(), axes, n);
        Block out = null;
        if (why == null && fused.problem() == null) out = generatedPartial(op, input, axes, argAxisOffset);
        // the prebuilt sum where the generated kernel cannot run: the device self-test's sum does not need NVRTC
        if (why == null && out == null && wholeSum(op, input.dtype(), axes, n)) out = prebuiltSum(input, axes, n);
        if (out != null) return out;
        if (why == null) why = "a reduction kernel that did not compile";
        count("reducePartial: " + why, op.numpyName()); // the partial stays on the host, where combine and finish run
        return host.reducePartial(op, download(input), axes, argAxisOffset);
    }

    private Block prebuiltSum(Block input, boolean[] axes, int n) {
        current();
        List<DeviceBlock> temps = new ArrayList<>();
        int grid = Kernels.reduceGrid(n);
        int[] keep = new int[axes.length];
        Arrays.fill(keep, 1);
        DeviceBlock out = null;
        try {
            DeviceBlock partials = DeviceBlock.allocate(DType.FLOAT64, new int[]{grid}, pool);
            temps.add(partials);
            out = DeviceBlock.allocate(DType.FLOAT64, keep, pool);
            DeviceBlock in = onDevice(input, temps);
            kernels.launch("chunkwise_sum_float64", grid, ptr(in), ptr(partials), arg((long) n));
            kernels.launch("chunkwise_sum_float64", 1, ptr(partials), ptr(out), arg((long) grid));
            return new Partial(out);
        } catch (RuntimeException e) {
            if (out != null) out.close();
            throw e;
        } finally {
            temps.forEach(DeviceBlock::close);
        }
    }

    /**
     * Lines at least this long, over fewer outputs than {@link #FEW_OUTPUTS}, are reduced in pieces
     * ({@link ReductionPiecesSource}): one thread per output would leave the GPU nearly idle.
     */
    static final long LONG_LINE = 4096, FEW_OUTPUTS = 4096;

    /** The generated partial kernels' result, or null where one does not compile (logged). */
    private Block generatedPartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
        DType t = input.dtype();
        ReductionGeometry g = ReductionGeometry.of(op, t, input.shape(), axes);
        int kr = g.kept().rank(), lr = g.line().rank();
        boolean inPieces = ReductionPiecesSource.splits(op, t) && g.lineLength() >= LONG_LINE && g.outputs() < FEW_OUTPUTS;
        current();
        GeneratedKernels.Compiled one = null, pieces = null, fold = null;
        if (g.outputs() > 0 && inPieces) {
            pieces = compiled(ReductionPiecesSource.key(op, t, kr, lr, true), () -> ReductionPiecesSource.pieces(op, t, kr, lr).program());
            fold = compiled(ReductionPiecesSource.key(op, t, kr, lr, false), () -> ReductionPiecesSource.fold(op, t, kr, lr).program());
            if (pieces == null || fold == null) return null;
        } else if (g.outputs() > 0) {
            one = compiled(ReductionKernelSource.partialKey(op, t, kr, lr), () -> ReductionKernelSource.partial(op, t, kr, lr).program());
            if (one == null) return null;
        }
        List<DType> types = ReductionKernelSource.parts(op, ReductionKernelSource.floating(op, t));
        GeneratedKernels.Compiled whole = one, split = pieces, folding = fold;
        return newPartial(types, g.keptShape(), (parts, temps) -> {
            if (whole != null) {
                List<Pointer> args = ReductionLaunch.partial(ptr(onDevice(input, temps)), ptrs(parts),
                        ReductionKernelSource.partialArgs(g, argAxisOffset), GpuBackend::arg);
                GeneratedKernels.launch(whole.function(), whole.name(), g.outputs(), streams.current(), args.toArray(Pointer[]::new));
            } else if (split != null) {
                long count = ReductionPiecesSource.pieces(op, t, g);
                DeviceBlock[] held = new DeviceBlock[parts.length];
                for (int p = 0; p < held.length; p++) {
                    held[p] = DeviceBlock.allocate(types.get(p), new int[]{Math.toIntExact(g.outputs() * count)}, pool);
                    temps.add(held[p]);
                }
                List<Pointer> args = ReductionLaunch.pieces(ptr(onDevice(input, temps)), ptrs(held),
                        ReductionPiecesSource.args(g, argAxisOffset, count, true), GpuBackend::arg);
                GeneratedKernels.launch(split.function(), split.name(), g.outputs() * count, streams.current(), args.toArray(Pointer[]::new));
                args = ReductionLaunch.fold(ptrs(held), ptrs(parts), ReductionPiecesSource.args(g, argAxisOffset, count, false), GpuBackend::arg);
                GeneratedKernels.launch(folding.function(), folding.name(), g.outputs(), streams.current(), args.toArray(Pointer[]::new));
            }
        });
    }

    /** Fills a partial's parts on this thread's stream, given the temporary blocks it may add to. */
    private interface PartsWriter {
        void write(DeviceBlock[] parts, List<DeviceBlock> temps);
    }

    /**
     * A partial of parts of {@code types} and {@code shape}, which {@code writer} fills; its parts are closed when it
     * fails, and its temporaries in any case (the pool reuses them only after this stream's kernels).
     */
    private Partial newPartial(List<DType> types, int[] shape, PartsWriter writer) {
        List<DeviceBlock> temps = new ArrayList<>();
        DeviceBlock[] parts = new DeviceBlock[types.size()];
        try {
            for (int p = 0; p < parts.length; p++) parts[p] = DeviceBlock.allocate(types.get(p), shape, pool);
            writer.write(parts, temps);
            return new Partial(parts);
        } catch (RuntimeException e) {
            for (DeviceBlock b : parts) if (b != null) b.close();
            throw e;
        } finally {
            temps.forEach(DeviceBlock::close);
        }
    }

    /** A generated kernel, compiled on first use; null where it does not compile or load (logged). */
    private GeneratedKernels.Compiled compiled(String key, Supplier<GeneratedKernels.Program> source) {
        GeneratedKernels.Compiled k = fused.function(key, source);
        if (k.problem() == null) return k;
        if (logged.add("reduction compile")) LOG.warn("{}: {}", name(), k.problem());
        else LOG.debug("{}: {}", name(), k.problem());
        return null;
    }

    /**
     * Why partials cannot be combined or finished on the device, or null: where they are not partials of the
     * layout the kernels read (the CPU backend then combines them, or refuses them with its message), or no NVRTC.
     */
    private String partialsUnsupported(ReduceOp op, List<Block> partials) {
        if (partials.isEmpty()) return "no partials";
        List<DType> types = null;
        int[] shape = null;
        for (Block b : partials) {
            if (!(b instanceof Partial p)) return "a " + b.getClass().getSimpleName();
            if (types == null) {
                boolean floating = op.isMoment() || p.parts()[0].dtype() == DType.FLOAT64;
                types = ReductionKernelSource.parts(op, floating);
                shape = p.shape();
            }
            if (p.parts().length != types.size()) return "a partial of " + p.parts().length + " parts";
            for (int i = 0; i < types.size(); i++) {
                Block part = p.parts()[i];
                if (!(part instanceof DeviceBlock || part instanceof HostBlock)) return "a part that is a " + part.getClass().getSimpleName();
                if (part.dtype() != types.get(i) || !Arrays.equals(part.shape(), shape)) return "partials of other layouts";
            }
        }
        String nvrtc = fused.problem();
        return nvrtc == null ? null : "no NVRTC";
    }

    /** The partials folded in order on the device, one thread per position (PartialMerge's order: its bits). */
    @Override
    public Block reduceCombine(ReduceOp op, List<Block> partials) {
        checkOpen();
        String why = partialsUnsupported(op, partials);
        Block out = why == null ? generatedCombine(op, partials) : null;
        if (out != null) return out;
        count(why == null ? "reduceCombine: a reduction kernel that did not compile" : "reduceCombine: " + why, op.numpyName());
        List<Block> onHost = new ArrayList<>(partials.size());
        for (Block p : partials) onHost.add(download(p));
        return host.reduceCombine(op, onHost);
    }

    private Block generatedCombine(ReduceOp op, List<Block> partials) {
        Partial first = (Partial) partials.get(0);
        boolean floating = op.isMoment() || first.parts()[0].dtype() == DType.FLOAT64;
        List<DType> types = ReductionKernelSource.parts(op, floating);
        int n = Shapes.size(first.shape());
        current();
        GeneratedKernels.Compiled k = null;
        if (n > 0) {
            k = compiled(ReductionKernelSource.combineKey(op, floating), () -> ReductionKernelSource.combine(op, floating).program());
            if (k == null) return null;
        }
        GeneratedKernels.Compiled kernel = k;
        return newPartial(types, first.shape(), (parts, temps) -> {
            if (kernel != null) {
                List<Pointer> tables = new ArrayList<>();
                for (int p = 0; p < parts.length; p++) {
                    long[] table = new long[partials.size()]; // the device addresses of every partial's part p, in order
                    for (int j = 0; j < table.length; j++) table[j] = onDevice(((Partial) partials.get(j)).parts()[p], temps).pointer().address();
                    tables.add(ptr(onDevice(new HostBlock(DType.INT64, new int[]{table.length}, table), temps)));
                }
                List<Pointer> args = ReductionLaunch.combine(tables, ptrs(parts), n, partials.size(), GpuBackend::arg);
                GeneratedKernels.launch(kernel.function(), kernel.name(), n, streams.current(), args.toArray(Pointer[]::new));
            }
        });
    }

    /** The result values on the device (PartialMerge.finish's casts: its bits). */
    @Override
    public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) {
        checkOpen();
        String why = partialsUnsupported(op, List.of(partial));
        if (why == null && Shapes.size(shape) != Shapes.size(partial.shape())) why = "a shape of another size"; // refused there
        Block out = why == null ? generatedFinish(op, (Partial) partial, dtype, shape) : null;
        if (out != null) return out;
        return fallback(why == null ? "reduceFinish: a reduction kernel that did not compile" : "reduceFinish: " + why, op.numpyName(),
                () -> host.reduceFinish(op, download(partial), dtype, shape));
    }

    private Block generatedFinish(ReduceOp op, Partial partial, DType dtype, int[] shape) {
        boolean floating = op.isMoment() || partial.parts()[0].dtype() == DType.FLOAT64;
        int n = Shapes.size(shape);
        current();
        GeneratedKernels.Compiled k = null;
        if (n > 0) {
            k = compiled(ReductionKernelSource.finishKey(op, floating, dtype), () -> ReductionKernelSource.finish(op, floating, dtype).program());
            if (k == null) return null;
        }
        List<DeviceBlock> temps = new ArrayList<>();
        DeviceBlock out = DeviceBlock.allocate(dtype, shape, pool);
        try {
            if (k != null) {
                List<Pointer> parts = new ArrayList<>();
                for (Block b : partial.parts()) parts.add(ptr(onDevice(b, temps)));
                List<Pointer> args = ReductionLaunch.finish(parts, ptr(out), n, GpuBackend::arg);
                GeneratedKernels.launch(k.function(), k.name(), n, streams.current(), args.toArray(Pointer[]::new));
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            temps.forEach(DeviceBlock::close);
        }
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
                : blasProblem != null ? "no cuBLAS" : null;
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
            long pa = da.pointer().address(), pb = db.pointer().address(), pc = dc.pointer().address();
            DeviceStream mine = streams.current(); // the pointers ordered it after the operands' writers
            synchronized (blasLock) { // one handle, on its own stream: GEMMs share its workspace, so they run in turn
                checkOpen();
                streams.orderAfter(blasStream, List.of(mine));
                CublasBinding.rowMajorGemm(blas, t == DType.FLOAT64, transA, transB, m, n, k, alpha, pa, as[1], pb, bs[1], keep, pc, n);
                streams.orderAfter(mine, List.of(blasStream)); // what follows on this stream (frees too) sees C
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

    /**
     * The GEMM edge from which cuBLAS runs near its full rate on A100/H100-class GPUs (smaller GEMMs leave SMs idle
     * and pay a launch each); not yet measured here: {@code bench/gpu-check.sh} reports chunked vs whole GEMMs.
     */
    static final int CUBLAS_GEMM_TILE = 4096;

    /** {@link #CUBLAS_GEMM_TILE} with cuBLAS, so that the planner groups small chunks into large GEMMs. */
    @Override
    public int gemmTile() { return gemmTile(blasProblem == null, host); }

    /** Without cuBLAS the CPU backend runs GEMM, so its tile counts. */
    static int gemmTile(boolean cublas, Backend host) { return cublas ? CUBLAS_GEMM_TILE : host.gemmTile(); }

    /** Without cuBLAS the CPU backend writes the product into {@code dst} itself; otherwise the SPI's default. */
    @Override
    public void matmulInto(Block[] a, Block[] b, HostBlock dst, int dstOffset, int[] dstStrides) {
        checkOpen();
        if (blasProblem == null) {
            Backend.super.matmulInto(a, b, dst, dstOffset, dstStrides);
            return;
        }
        count("gemm: no cuBLAS", "matmul of " + a.length + " block pairs");
        host.matmulInto(download(a), download(b), dst, dstOffset, dstStrides);
    }

    private Block gemmOnHost(String label, boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
        count(label, (transA ? "A^T" : "A") + " @ " + (transB ? "B^T" : "B"));
        HostBlock hc = c == null ? null : toHost(c);
        HostBlock r = host.toHost(host.gemm(transA, transB, alpha, toHost(a), toHost(b), beta, hc));
        if (c == null) return fromHost(r);
        if (c instanceof DeviceBlock d) {
            current();
            if (d.size() > 0) copyIn(r, d);
        }
        return c;
    }

    // ---- assemble ----

    /**
     * Every piece as a generated strided copy on the device ({@link StridedCopySource}, one kernel per element width
     * and merged rank), in order, so that a later piece overwrites an earlier one as on the host; the output is
     * zeroed first unless the pieces hold as many elements as it. Without NVRTC, or for a kernel that does not
     * compile, on the CPU backend (counted as {@code "assemble"}).
     */
    @Override
    public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) {
        checkOpen();
        String why = assembleUnsupported(dtype, sources);
        List<GeneratedKernels.Compiled> copies = new ArrayList<>(pieces.size());
        if (why == null) {
            current();
            for (Piece p : pieces) {
                FusedGeometry g = StridedCopySource.geometry(p);
                GeneratedKernels.Compiled k = fused.function(StridedCopySource.name(dtype.byteSize(), g.rank()),
                        () -> StridedCopySource.generate(dtype.byteSize(), g.rank()));
                if (k.problem() != null) {
                    if (logged.add("copy compile")) LOG.warn("{}: {}", name(), k.problem());
                    else LOG.debug("{}: {}", name(), k.problem());
                    why = "a copy kernel that did not compile";
                    break;
                }
                copies.add(k);
            }
        }
        if (why != null) {
            return fallback(why.equals("no NVRTC") ? "assemble" : "assemble: " + why, Shapes.str(shape),
                    () -> host.assemble(dtype, shape, download(sources), pieces));
        }
        List<DeviceBlock> temps = new ArrayList<>();
        DeviceBlock out = DeviceBlock.allocate(dtype, shape, pool);
        try {
            long covered = 0;
            for (Piece p : pieces) covered += p.elements();
            if (covered < out.size() && out.size() > 0) {
                CudaCallException.check(cuMemsetD8Async(out.pointer(), (byte) 0, out.bytes(), streams.current()), "cuMemsetD8Async(" + out.bytes() + " bytes)");
            }
            DeviceBlock[] on = new DeviceBlock[sources.length];
            for (int i = 0; i < pieces.size(); i++) {
                Piece p = pieces.get(i);
                if (p.elements() == 0) continue;
                if (on[p.source()] == null) on[p.source()] = onDevice(sources[p.source()], temps);
                FusedGeometry g = StridedCopySource.geometry(p);
                long[] scalars = StridedCopySource.scalarArgs(p, g);
                Pointer[] args = new Pointer[2 + scalars.length];
                args[0] = ptr(on[p.source()]);
                args[1] = ptr(out);
                for (int a = 0; a < scalars.length; a++) args[2 + a] = arg(scalars[a]);
                GeneratedKernels.launch(copies.get(i).function(), copies.get(i).name(), g.size(), streams.current(), args);
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            temps.forEach(DeviceBlock::close);
        }
    }

    /** Why assemble runs on the CPU backend, or null: a source that is not a chunk block of the dtype, or no NVRTC. */
    private String assembleUnsupported(DType dtype, Block[] sources) {
        for (Block b : sources) {
            if (!(b instanceof DeviceBlock || b instanceof HostBlock)) return "a source that is a " + b.getClass().getSimpleName();
            if (b.dtype() != dtype) return "a " + b.dtype().numpyName() + " source of a " + dtype.numpyName() + " array";
        }
        String nvrtc = fused.problem();
        if (nvrtc != null) {
            if (logged.add("nvrtc")) LOG.warn("{}: fused expressions and copies are delegated to {}: {}", name(), host.name(), nvrtc);
            return "no NVRTC";
        }
        return null;
    }

    // ---- scans and histograms: on the CPU backend ----

    @Override
    public Block scan(ReduceOp op, Block input, int axis) {
        checkOpen();
        return fallback("scan", op.numpyName(), () -> host.scan(op, download(input), axis));
    }

    @Override
    public Block histogram(Block input, int bins, double lo, double hi, int[] shape) {
        checkOpen();
        return fallback("histogram", bins + " bins", () -> host.histogram(download(input), bins, lo, hi, shape));
    }

    // ---- fallback ----

    /** Runs {@code onHost} (the CPU backend on host copies), counts it under {@code label}, uploads the result. */
    private Block fallback(String label, String example, Supplier<Block> onHost) {
        count(label, example);
        return upload(onHost.get());
    }

    private void count(String label, String example) {
        fallbacks.computeIfAbsent(label, k -> new LongAdder()).increment();
        if (logged.add(label)) {
            LOG.info("{}: delegated to {}, counted as fallback \"{}\"; first case: {}", name(), host.name(), label, example);
        }
    }

    private Block upload(Block b) {
        return upload(b, h -> fromHost(h), this::release);
    }

    /**
     * {@code b} with its host blocks uploaded by {@code up}, parts of a partial included; when an upload fails, the
     * parts already uploaded are given back through {@code release} before the failure is thrown.
     */
    static Block upload(Block b, java.util.function.Function<HostBlock, Block> up, java.util.function.Consumer<Block> release) {
        return switch (b) {
            case HostBlock h -> up.apply(h);
            case Partial p -> {
                Block[] parts = new Block[p.parts().length];
                try {
                    for (int i = 0; i < parts.length; i++) parts[i] = upload(p.parts()[i], up, release);
                } catch (RuntimeException | Error e) {
                    for (Block done : parts) {
                        if (done == null) break;
                        try {
                            release.accept(done);
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                    }
                    throw e;
                }
                yield new Partial(parts);
            }
            default -> b;
        };
    }

    private Block download(Block b) {
        return switch (b) {
            case DeviceBlock d -> toHost(d);
            case Partial p -> { // a partial already on the host is itself (the CPU backend may hand it back)
                Block[] parts = new Block[p.parts().length];
                boolean moved = false;
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = download(p.parts()[i]);
                    moved |= parts[i] != p.parts()[i];
                }
                yield moved ? new Partial(parts) : p;
            }
            default -> b;
        };
    }

    private Block[] download(Block[] blocks) {
        Block[] out = new Block[blocks.length];
        for (int i = 0; i < blocks.length; i++) out[i] = download(blocks[i]);
        return out;
    }

    // ---- self-test ----

    /**
     * A few calls with exactly known results, each of which must run on the device: a round trip, the ADD kernel,
     * the SUM partial, a DGEMM and an SGEMM through cuBLAS. Null when all give the expected bits, else what went
     * wrong (the provider then reports the GPU unusable, and AUTO takes the CPU).
     */
    String selfTest() {
        checkOpen();
        long before = fallbackCount();
        List<Block> owned = new ArrayList<>();
        try {
            int n = 64;
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = i + 1;
            Block d = fromHost(new HostBlock(DType.FLOAT64, new int[]{n}, x));
            owned.add(d);
            if (!Arrays.equals(x, toHost(d).doubles())) return "a round trip through device memory changed the values";
            Expr.Input in = new Expr.Input(0, DType.FLOAT64);
            Block y = elementwise(new Expr.Binary(io.chunkwise.spi.BinaryOp.ADD, in, in, DType.FLOAT64), new Block[]{d},
                    new int[][]{{1}}, new Region(new int[]{n}, new long[]{0}, new long[]{n}));
            owned.add(y);
            double[] twice = toHost(y).doubles();
            for (int i = 0; i < n; i++) if (twice[i] != 2 * x[i]) return "the ADD kernel gave " + twice[i] + " for " + x[i] + " + " + x[i];
            Block sum = reducePartial(ReduceOp.SUM, y, new boolean[]{true}, 0);
            owned.add(sum);
            double total = toHost(((Partial) sum).parts()[0]).doubles()[0];
            if (total != n * (n + 1.0)) return "the SUM kernel gave " + total + ", not " + n * (n + 1.0);
            for (DType t : List.of(DType.FLOAT64, DType.FLOAT32)) {
                int e = 8; // A (8 x 8) = 1..64 row-major; A @ A^T is exact in both dtypes
                HostBlock a = HostBlock.allocate(t, new int[]{e, e});
                for (int i = 0; i < e * e; i++) {
                    if (t == DType.FLOAT64) a.doubles()[i] = x[i];
                    else a.floats()[i] = (float) x[i];
                }
                Block c = gemm(false, true, 1.0, a, a, 0.0, null);
                owned.add(c);
                HostBlock hc = toHost(c);
                for (int i = 0; i < e; i++) {
                    for (int j = 0; j < e; j++) {
                        double want = 0;
                        for (int q = 0; q < e; q++) want += x[i * e + q] * x[j * e + q];
                        double got = t == DType.FLOAT64 ? hc.doubles()[i * e + j] : hc.floats()[i * e + j];
                        if (got != want) return "cuBLAS " + (t == DType.FLOAT64 ? "DGEMM" : "SGEMM") + " gave " + got + " at (" + i + ", " + j + "), not " + want;
                    }
                }
            }
            if (fallbackCount() != before) return "part of the self-test did not run on the device: " + fallbackCounts();
            return null;
        } catch (RuntimeException | LinkageError e) {
            return "the device self-test failed: " + GpuBackendProvider.describe(e);
        } finally {
            for (Block b : owned) {
                try {
                    release(b);
                } catch (RuntimeException ignored) {
                    // the failure above is what matters
                }
            }
        }
    }

    // ---- lifecycle ----

    /**
     * Begins a device operation on the calling thread: makes the context current and lets the chunks of the thread's
     * previous operation be spilled again ({@link DeviceResidency#beginOperation()}).
     */
    private void current() {
        CudaCallException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        if (pool != null) pool.beginOperation(); // null while the constructor runs
    }

    private void checkOpen() {
        if (closed.get()) throw new IllegalStateException(name() + " is closed");
        String lost = CudaCallException.contextLost();
        if (lost != null) {
            throw new IllegalStateException(name() + " cannot run more work: an earlier CUDA error left the device's context"
                    + " unusable (" + lost + "); start a new JVM, or use the CPU backend");
        }
    }

    /**
     * Frees the pool's memory and releases the context. Throws {@link IllegalStateException} (after cleaning up) when
     * blocks were never released, naming their number and bytes.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        cuCtxSetCurrent(context);
        int idle = cuCtxSynchronize(); // the streams' work is done before they and the memory go
        if (idle != CUresult.CUDA_SUCCESS) LOG.debug("cuCtxSynchronize: {}", CUresult.stringFor(idle));
        synchronized (blasLock) {
            if (blas != null) {
                try {
                    blas.close();
                } catch (RuntimeException | LinkageError e) {
                    LOG.debug("cublasDestroy", e);
                }
            }
        }
        kernels.close();
        fused.close();
        IllegalStateException leak = null;
        for (AutoCloseable memory : List.<AutoCloseable>of(devicePool, pool, staging)) { // the pool's leak message names it
            try {
                memory.close();
            } catch (Exception e) {
                if (leak == null) leak = e instanceof IllegalStateException s ? s : new IllegalStateException(e);
                else leak.addSuppressed(e);
            }
        }
        streams.close();
        cuDevicePrimaryCtxRelease(device);
        try {
            host.close();
        } catch (Exception e) {
            LOG.debug("closing {}", host.name(), e);
        }
        if (leak != null) throw leak;
    }
}
