package io.chunkwise.gpu;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.JITOptions;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

/**
 * The kernels of one device context that are generated at run time: fused elementwise kernels
 * ({@link FusedKernelSource}, cached by the expression's shape, whatever its constants and sizes) and strided copies
 * ({@link StridedCopySource}, by element width and rank). Each is compiled by NVRTC (opened on first use) for the
 * device's own compute capability with contraction off and loaded as a module of its own. A kernel that does not
 * compile or load is remembered with its reason, and its calls go to the CPU. The backend's context must be current
 * when {@link #function} or {@link #launch} is called; {@link #close} unloads the modules.
 */
final class GeneratedKernels implements AutoCloseable {
    /** A generated kernel's source: its entry's name and its CUDA C text (which includes {@link #headers()}). */
    record Program(String name, String source) {}

    /** A compiled kernel, or why there is none. */
    record Compiled(CUfunction function, String name, String problem) {}

    private final Supplier<Nvrtc.Result> opener;
    private final int computeCapability;
    private volatile Nvrtc.Result nvrtc;
    private String target; // the virtual architecture compiled for, set once NVRTC is open
    private final Map<String, Compiled> cache = new ConcurrentHashMap<>();
    private final List<CUmodule> modules = new ArrayList<>();

    /** @param computeCapability the device's, e.g. 90 */
    GeneratedKernels(Supplier<Nvrtc.Result> opener, int computeCapability) {
        this.opener = opener;
        this.computeCapability = computeCapability;
    }

    /**
     * The virtual architecture to compile for: the device's own where NVRTC knows it, else the newest NVRTC knows below
     * it (the driver JIT-compiles that PTX for the device); null where NVRTC knows none at or below it.
     */
    static String arch(int computeCapability, int[] supported) {
        if (supported == null || supported.length == 0) return "compute_" + computeCapability;
        int best = -1;
        for (int a : supported) if (a <= computeCapability && a > best) best = a;
        return best < 0 ? null : "compute_" + best;
    }

    /** NVRTC's options: the device's architecture, IEEE arithmetic without contraction (the CPU backend's bits). */
    static List<String> options(String arch) {
        return List.of("--gpu-architecture=" + arch, "--fmad=false", "--ftz=false", "--prec-div=true", "--prec-sqrt=true",
                "-std=c++17");
    }

    /** The headers the kernels include, as NVRTC takes them: name, text, name, text. */
    static List<String> headers() {
        List<String> out = new ArrayList<>();
        for (String h : FusedKernelSource.HEADERS) {
            out.add(h);
            out.add(FusedKernelSource.resource(h));
        }
        return out;
    }

    private static final Map<String, String> TEMPLATES = new ConcurrentHashMap<>();

    /** A template of the cuda-kernels jar without its comment lines (which name the placeholders). */
    static String template(String file) {
        return TEMPLATES.computeIfAbsent(file, f -> {
            StringBuilder b = new StringBuilder();
            for (String line : FusedKernelSource.resource(f).split("\n", -1)) if (!line.startsWith("//")) b.append(line).append('\n');
            return b.toString().strip() + "\n";
        });
    }

    /** Why no fused kernel can run here (NVRTC does not load), or null; opens NVRTC on the first call. */
    String problem() {
        Nvrtc.Result r = nvrtc;
        if (r == null) {
            synchronized (this) {
                if (nvrtc == null) nvrtc = withArch(open());
                r = nvrtc;
            }
        }
        return r.problem();
    }

    private Nvrtc.Result open() {
        try {
            return opener.get();
        } catch (RuntimeException | LinkageError e) {
            return new Nvrtc.Result(null, "NVRTC could not be opened: " + GpuBackendProvider.describe(e));
        }
    }

    /** {@code r}, or no binding where NVRTC cannot compile for this device; sets {@link #target}. */
    private Nvrtc.Result withArch(Nvrtc.Result r) {
        if (r.binding() == null) return r;
        int[] supported;
        try {
            supported = r.binding().supportedArchs();
        } catch (RuntimeException e) {
            supported = null; // older NVRTC: try the device's own
        }
        target = arch(computeCapability, supported);
        if (target != null) return r;
        return new Nvrtc.Result(null, r.binding().describe() + " compiles for " + java.util.Arrays.toString(supported)
                + " only, and the GPU has compute capability " + computeCapability / 10 + "." + computeCapability % 10);
    }

    /** NVRTC in words, why it did not load, or that it was not needed yet. */
    String describe() {
        Nvrtc.Result r = nvrtc;
        return r == null ? "NVRTC not opened yet" : r.binding() != null ? r.binding().describe() : r.problem();
    }

    /**
     * The function of the kernel of {@code key}, generated by {@code source}, compiled and loaded on first use;
     * {@link #problem()} must be null.
     */
    Compiled function(String key, Supplier<Program> source) {
        return cache.computeIfAbsent(key, k -> compile(source.get()));
    }

    private Compiled compile(Program kernel) {
        String ptx;
        try {
            ptx = nvrtc.binding().compile(kernel.source(), kernel.name() + ".cu", headers(), options(target));
        } catch (RuntimeException e) {
            return new Compiled(null, kernel.name(), "NVRTC could not compile " + kernel.name() + ": " + e.getMessage());
        }
        byte[] text = ptx.getBytes(StandardCharsets.US_ASCII);
        CUmodule module = new CUmodule();
        int r = cuModuleLoadData(module, Arrays.copyOf(text, text.length + 1));
        String older = r == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION ? relabel(ptx, BASELINE_ISA) : null;
        if (older != null) { // an NVRTC newer than the driver: its ISA label, not its instructions, is what the driver refuses
            text = older.getBytes(StandardCharsets.US_ASCII);
            r = cuModuleLoadData(module, Arrays.copyOf(text, text.length + 1));
        }
        if (r != CUresult.CUDA_SUCCESS) {
            return new Compiled(null, kernel.name(), "cuModuleLoadData(" + kernel.name() + ") failed: " + CUresult.stringFor(r)
                    + jitLog(Arrays.copyOf(text, text.length + 1)));
        }
        CUfunction f = new CUfunction();
        r = cuModuleGetFunction(f, module, kernel.name());
        if (r != CUresult.CUDA_SUCCESS) {
            cuModuleUnload(module);
            return new Compiled(null, kernel.name(), "cuModuleGetFunction(" + kernel.name() + ") failed: " + CUresult.stringFor(r));
        }
        synchronized (modules) {
            modules.add(module);
        }
        return new Compiled(f, kernel.name(), null);
    }

    /** The PTX ISA every CUDA 12 driver loads, which cuda-kernels labels its own PTX with (build-ptx.sh). */
    static final String BASELINE_ISA = "8.0";

    /**
     * {@code ptx} labelled with ISA {@code isa} where its {@code .version} is newer, else null. The kernels use
     * nothing newer than what the prebuilt ones use (which build-ptx.sh labels so and ptxas checks); where they did,
     * the driver's JIT would refuse the instruction, and the kernel goes to the CPU with that reason.
     */
    static String relabel(String ptx, String isa) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$").matcher(ptx);
        if (!m.find()) return null;
        String[] want = isa.split("\\.");
        int have = Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2));
        if (have <= Integer.parseInt(want[0]) * 10 + Integer.parseInt(want[1])) return null;
        return ptx.substring(0, m.start()) + ".version " + isa + ptx.substring(m.end());
    }

    /**
     * The driver's JIT error log of a PTX image that did not load, asked for again with a log buffer (only on that
     * failure path, so a binding quirk there cannot break loading); empty where there is none.
     */
    private static String jitLog(byte[] image) {
        try {
            JITOptions jit = new JITOptions();
            jit.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[8192]);
            jit.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, 8192);
            CUmodule m = new CUmodule();
            if (cuModuleLoadDataJIT(m, Pointer.to(image), jit) == CUresult.CUDA_SUCCESS) {
                cuModuleUnload(m);
                return "";
            }
            String log = jit.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            return log == null || log.isBlank() ? "" : "\n" + log.strip();
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    /** Launches a compiled kernel over {@code n} elements on {@code stream} (the calling thread's). */
    static void launch(CUfunction f, String name, long n, jcuda.driver.CUstream stream, Pointer... args) {
        int grid = Kernels.grid(n);
        CudaCallException.check(cuLaunchKernel(f, grid, 1, 1, Kernels.BLOCK, 1, 1, 0, stream, Pointer.to(args), null),
                "cuLaunchKernel(" + name + ", grid " + grid + ")");
    }

    /** How many kernels are cached (compiled or failed). */
    int size() { return cache.size(); }

    @Override
    public void close() {
        synchronized (modules) {
            for (CUmodule m : modules) cuModuleUnload(m);
            modules.clear();
        }
        cache.clear();
    }
}
