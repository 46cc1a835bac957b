package io.chunkwise.gpu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of the CUDA libraries Chunkwise can use load here, and from where, for {@code ./chunkwise info}:
 * {@code libcuda.so.1} (the driver, JCuda's only need), {@code libcublas.so.13} and {@code .so.12}, {@code
 * libnvrtc.so.13} and {@code .so.12}. Each is tried at the places {@link CudaLibraries} lists, then by name through
 * the system loader; a load is checked by opening and closing the library (Java 22+, through FFM), else only found.
 */
final class NativeLibraries {
    static final List<String> NAMES = List.of("libcuda.so.1", "libcublas.so.13", "libcublas.so.12", "libnvrtc.so.13", "libnvrtc.so.12");

    /** Tries to open a library (a path, or a bare name for the system loader); null when it loads, else why not. */
    interface Loader {
        String tryLoad(String pathOrName);
    }

    private NativeLibraries() {}

    /** One line per library of {@link #NAMES}. */
    static List<String> report(CudaLibraries libraries) {
        return report(libraries, loader());
    }

    static List<String> report(CudaLibraries libraries, Loader loader) {
        List<String> out = new ArrayList<>();
        for (String name : NAMES) out.add(name + ": " + status(name, libraries.find(name), loader));
        return out;
    }

    /** "loads from DIR", "loads (found by the system loader)", "does not load: DIR: WHY", or "not found (...)". */
    static String status(String name, List<Path> found, Loader loader) {
        List<String> failures = new ArrayList<>();
        for (Path p : found) {
            if (loader == null) return "found at " + p.getParent() + " (whether it loads is checked on Java 22 or newer)";
            String why = loader.tryLoad(p.toString());
            if (why == null) return "loads from " + p.getParent();
            failures.add(p.getParent() + ": " + why);
        }
        if (loader != null) {
            String why = loader.tryLoad(name);
            if (why == null) return "loads (found by the system loader)";
            if (!found.isEmpty()) return "does not load: " + String.join("; ", failures);
            return "not found (neither in the library folders searched nor by the system loader)";
        }
        return "not found";
    }

    /** The FFM loader on Java 22+, else null. */
    static Loader loader() {
        if (Runtime.version().feature() < 22) return null;
        try {
            return (Loader) Class.forName("io.chunkwise.gpu.FfmLibraryLoader").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }
}
