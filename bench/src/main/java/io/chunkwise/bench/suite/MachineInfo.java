package io.chunkwise.bench.suite;

import io.chunkwise.cpu.OpenBlas;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;
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
     * processor ({@code openblas_get_corename}); or why there is none.
     */
    public static Map<String, String> openBlas() {
        Map<String, String> out = new LinkedHashMap<>();
        if (!OpenBlas.available()) {
            out.put("problem", OpenBlas.problem());
            return out;
        }
        out.put("config", call("openblas_get_config"));
        out.put("corename", call("openblas_get_corename"));
        return out;
    }

    /** One line: config and kernel, or the problem. */
    public static String openBlasLine() {
        Map<String, String> b = openBlas();
        if (b.containsKey("problem")) return "not available (" + b.get("problem") + ")";
        return b.get("config") + ", kernel " + b.get("corename");
    }

    /**
     * A {@code const char *f(void)} of the loaded OpenBLAS (the JavaCPP binding lacks these), called through the FFM
     * API by reflection: it is final from JDK 22 on, and the project compiles for 21. On 21 the answer is "unknown".
     */
    private static String call(String function) {
        try {
            Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            Object lookup = lookupClass.getMethod("loaderLookup").invoke(null);
            Optional<?> symbol = (Optional<?>) lookupClass.getMethod("find", String.class).invoke(lookup, function);
            if (symbol.isEmpty()) return "unknown (no " + function + ")";
            Object address = Class.forName("java.lang.foreign.ValueLayout").getField("ADDRESS").get(null);
            Object descriptor = descriptorClass.getMethod("of", layoutClass, layoutClass.arrayType())
                    .invoke(null, address, Array.newInstance(layoutClass, 0));
            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            MethodHandle h = (MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                    optionClass.arrayType()).invoke(linker, symbol.get(), descriptor, Array.newInstance(optionClass, 0));
            Object text = h.invoke();
            Object readable = segmentClass.getMethod("reinterpret", long.class).invoke(text, 4096L);
            return ((String) segmentClass.getMethod("getString", long.class).invoke(readable, 0L)).strip();
        } catch (Throwable e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
    }
}
