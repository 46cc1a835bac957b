package io.chunkwise.gpu;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

/**
 * The prebuilt kernels of cuda-kernels, loaded into the current context: every {@code .entry chunkwise_...} of every
 * PTX module the jar lists. The backend asks by name ({@code chunkwise_<op>_<dtype>}), so the op table of
 * cuda-kernels is the only list of what exists. Launch geometry lives here (STYLE lesson 8).
 */
final class Kernels implements AutoCloseable {
    /** Threads per block; CHUNKWISE_BLOCK of chunkwise_ops.cuh (the reductions' shared memory is sized by it). */
    static final int BLOCK = 256;
    /** Blocks of a grid-stride elementwise launch at most. */
    static final int MAX_GRID = 8192;
    /** Blocks of the first pass of a reduction at most; the second pass folds these partials in one block. */
    static final int MAX_REDUCE_GRID = 1024;

    private static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);

    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new TreeMap<>();
    private volatile Supplier<? extends CUstream> stream = () -> null;

    /** Reads the entry names of a PTX text. */
    static List<String> entries(String ptx) {
        List<String> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    static String readPtx(String module) {
        String path = KernelBuild.RESOURCE_DIR + module + ".ptx";
        try (InputStream in = Kernels.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("PTX resource " + path + " missing from the cuda-kernels jar");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads every module of {@code build}; the backend's context must be current. Each module's fatbin (SASS for
     * sm_80/sm_90 and the PTX) where the jar has one, so those GPUs need no JIT; the PTX text (JIT-compiled) where it
     * has none or the driver refuses the fatbin.
     */
    Kernels(KernelBuild build) {
        try {
            for (String name : build.modules()) {
                String ptx = readPtx(name);
                CUmodule module = load(name, ptx);
                modules.add(module);
                for (String entry : entries(ptx)) {
                    CUfunction f = new CUfunction();
                    CudaCallException.check(cuModuleGetFunction(f, module, entry), "cuModuleGetFunction(" + entry + ")");
                    functions.put(entry, f);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static CUmodule load(String name, String ptx) {
        CUmodule module = new CUmodule();
        byte[] fatbin = readResource(name + ".fatbin");
        if (fatbin != null) {
            int r = cuModuleLoadData(module, fatbin);
            if (r == jcuda.driver.CUresult.CUDA_SUCCESS) return module;
            org.slf4j.LoggerFactory.getLogger(Kernels.class).info("cuModuleLoadData({}.fatbin) returned {}: loading its PTX instead",
                    name, jcuda.driver.CUresult.stringFor(r));
        }
        byte[] text = ptx.getBytes(StandardCharsets.US_ASCII);
        byte[] zeroTerminated = java.util.Arrays.copyOf(text, text.length + 1);
        CudaCallException.check(cuModuleLoadData(module, zeroTerminated), "cuModuleLoadData(" + name + ".ptx)");
        return module;
    }

    /** A resource of the cuda-kernels jar, or null. */
    static byte[] readResource(String file) {
        try (InputStream in = Kernels.class.getResourceAsStream(KernelBuild.RESOURCE_DIR + file)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Set<String> names() { return Collections.unmodifiableSet(functions.keySet()); }

    boolean has(String name) { return functions.containsKey(name); }

    static int grid(long n) { return (int) Math.max(1, Math.min(Math.ceilDiv(n, BLOCK), MAX_GRID)); }

    /** The grid of a reduction's first pass: a function of n alone, so that the summation order is too. */
    static int reduceGrid(long n) { return (int) Math.max(1, Math.min(Math.ceilDiv(n, BLOCK), MAX_REDUCE_GRID)); }

    /** Launches go to the stream {@code s} gives on the calling thread (until then: the legacy default stream). */
    void launchOn(Supplier<? extends CUstream> s) { this.stream = s; }

    /** Launches {@code name} on {@code grid} blocks of {@link #BLOCK} threads on the calling thread's stream. */
    void launch(String name, int grid, Pointer... args) {
        CUfunction f = functions.get(name);
        if (f == null) throw new IllegalArgumentException("no kernel " + name + " in the cuda-kernels PTX");
        CudaCallException.check(cuLaunchKernel(f, grid, 1, 1, BLOCK, 1, 1, 0, stream.get(), Pointer.to(args), null),
                "cuLaunchKernel(" + name + ", grid " + grid + ")");
    }

    @Override
    public void close() {
        for (CUmodule m : modules) cuModuleUnload(m);
        modules.clear();
        functions.clear();
    }
}
