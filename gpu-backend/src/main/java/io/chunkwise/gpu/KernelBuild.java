package io.chunkwise.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * What the cuda-kernels jar holds, from its {@code io/chunkwise/cuda/build-info.properties} (written by
 * {@code build-ptx.sh}): whether nvcc built PTX, which release of it, and the PTX modules.
 */
record KernelBuild(boolean ptxBuilt, String cudaRelease, String ptxIsa, String ptxArch, List<String> modules, String driverMin) {
    static final String RESOURCE_DIR = "/io/chunkwise/cuda/";

    static KernelBuild load() {
        Properties p = new Properties();
        try (InputStream in = KernelBuild.class.getResourceAsStream(RESOURCE_DIR + "build-info.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean built = "present".equals(p.getProperty("nvcc"));
        String modules = p.getProperty("modules", "").trim();
        return new KernelBuild(built, p.getProperty("cuda.release", "?"), p.getProperty("ptx.isa", "?"),
                p.getProperty("ptx.arch", "?"), modules.isEmpty() ? List.of() : Arrays.asList(modules.split("\\s+")),
                p.getProperty("driver.min", p.getProperty("cuda.release", "?")));
    }

    /**
     * The lowest driver version (as {@code cuDriverGetVersion} reports it, 1000 * major + 10 * minor) that loads
     * the PTX: a driver JIT-compiles PTX of its own CUDA version's ISA or older only. build-ptx.sh labels the PTX
     * with ISA 8.0 and records {@code driver.min=12.0}; a jar without that line needs the nvcc release itself.
     */
    int requiredDriverVersion() {
        String[] mm = driverMin.split("\\.");
        try {
            return Integer.parseInt(mm[0]) * 1000 + (mm.length > 1 ? Integer.parseInt(mm[1]) * 10 : 0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Why the jar's kernels cannot be used, or null. */
    String problem() {
        if (!ptxBuilt) return "cuda-kernels was built without nvcc, so its jar holds no PTX (rebuild it where nvcc is on PATH)";
        if (modules.isEmpty()) return "cuda-kernels lists no PTX modules in build-info.properties";
        return null;
    }

    static String version(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }
}
