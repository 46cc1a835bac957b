package io.chunkwise.bench.suite;

import io.chunkwise.cpu.OpenBlas;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the results depend on: the processor, the JDK and the OpenBLAS build and kernel in use. */
public final class MachineInfo {
    private MachineInfo() {}

    /** The processor's model name from /proc/cpuinfo, or the architecture where there is none. */
    public static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (Exception e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    public static String jdk() {
        return Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
    }

    /**
     * OpenBLAS's own description of the library the CPU backend loaded, e.g.
     * {@code OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64}, with the kernel it picked for this
     * processor ({@code openblas_get_corename}) and how arrays reach it ({@link OpenBlas#bindingName()}); or why there
     * is none.
     */
    public static Map<String, String> openBlas() {
        Map<String, String> out = new LinkedHashMap<>();
        if (!OpenBlas.available()) {
            out.put("problem", OpenBlas.problem());
            return out;
        }
        out.put("config", OpenBlas.config());
        out.put("corename", OpenBlas.coreName());
        out.put("binding", OpenBlas.bindingName());
        return out;
    }

    /** One line: config and kernel, or the problem. */
    public static String openBlasLine() {
        Map<String, String> b = openBlas();
        if (b.containsKey("problem")) return "not available (" + b.get("problem") + ")";
        return b.get("config") + ", kernel " + b.get("corename") + "; arrays: " + b.get("binding");
    }
}
