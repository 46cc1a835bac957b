package io.chunkwise.gpu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds an NVRTC this machine can use and binds it, as {@link Cublas} does for cuBLAS. The attempts, in order:
 * <ul>
 *   <li>{@code libnvrtc.so.13} (its PTX needs a CUDA 13 driver) through FFM (Java 22+), for each copy found;</li>
 *   <li>{@code libnvrtc.so.12} through JCuda's JNvrtc, after loading the first copy found by path; then through FFM
 *       on each copy;</li>
 *   <li>where no {@code libnvrtc.so.12} file was found: JNvrtc on whatever the system loader finds by itself.</li>
 * </ul>
 * The first attempt that loads and answers {@code nvrtcVersion} wins; where none does, the reason lists every
 * attempt and why it failed.
 */
final class Nvrtc {
    private Nvrtc() {}

    enum Via { FFM, JNVRTC }

    /** One way to try: a library file (null: the system loader's own search) and a binding. */
    record Attempt(int major, Path library, Via via) {
        String where() {
            return "libnvrtc.so." + major + (library == null ? " from the system loader" : " at " + library.getParent());
        }

        @Override public String toString() { return where() + " via " + via; }
    }

    /** Opens one attempt (injected, so that the choice is tested without a GPU). */
    interface Opener {
        NvrtcBinding open(Attempt attempt) throws Throwable;
    }

    /** The binding, or why there is none. */
    record Result(NvrtcBinding binding, String problem) {}

    /** The attempts for a driver of {@code driverVersion} (1000 * major + 10 * minor) on Java {@code javaFeature}. */
    static List<Attempt> plan(int driverVersion, int javaFeature, CudaLibraries libraries) {
        List<Attempt> out = new ArrayList<>();
        boolean ffm = javaFeature >= 22;
        if (driverVersion >= 13000 && ffm) {
            for (Path p : libraries.find("libnvrtc.so.13")) out.add(new Attempt(13, p, Via.FFM));
        }
        if (driverVersion >= 12000) {
            List<Path> twelve = libraries.find("libnvrtc.so.12");
            if (!twelve.isEmpty()) out.add(new Attempt(12, twelve.get(0), Via.JNVRTC));
            if (ffm) for (Path p : twelve) out.add(new Attempt(12, p, Via.FFM));
            if (twelve.isEmpty()) out.add(new Attempt(12, null, Via.JNVRTC));
        }
        return out;
    }

    static Result open(List<Attempt> plan, Opener opener) {
        List<String> tried = new ArrayList<>();
        for (Attempt a : plan) {
            try {
                return new Result(opener.open(a), null);
            } catch (Throwable e) {
                tried.add(a + ": " + GpuBackendProvider.describe(e));
            }
        }
        return new Result(null, tried.isEmpty() ? "no NVRTC to try (the CUDA driver is older than 12.0)"
                : "NVRTC could not be loaded: " + String.join("; ", tried));
    }

    /** {@link #open(List, Opener)} of the {@link #plan} on this machine. */
    static Result open(int driverVersion) {
        return open(driverVersion, Runtime.version().feature(), new CudaLibraries(CudaLibraries.Environment.system()), Nvrtc::openReal);
    }

    /** {@link #open(List, Opener)} of the {@link #plan}, the problem completed with what the Java or driver version rules out. */
    static Result open(int driverVersion, int javaFeature, CudaLibraries libraries, Opener opener) {
        Result r = open(plan(driverVersion, javaFeature, libraries), opener);
        if (r.binding() != null) return r;
        List<Path> thirteen = libraries.find("libnvrtc.so.13");
        if (!thirteen.isEmpty() && javaFeature < 22) {
            return new Result(null, r.problem() + "; libnvrtc.so.13 at " + thirteen.get(0).getParent() + " is bound through the"
                    + " Foreign Function API of Java 22 or newer, and this is Java " + javaFeature);
        }
        if (!thirteen.isEmpty() && driverVersion < 13000) {
            return new Result(null, r.problem() + "; libnvrtc.so.13 at " + thirteen.get(0).getParent() + " writes PTX that"
                    + " needs a CUDA 13 driver (580 or newer), and this one supports CUDA " + KernelBuild.version(driverVersion));
        }
        return r;
    }

    static NvrtcBinding openReal(Attempt a) throws Throwable {
        Path builtins = builtins(a.library(), a.major());
        return switch (a.via()) {
            case JNVRTC -> {
                if (a.library() != null) { // JNvrtc's natives then find libnvrtc.so.12 among the loaded libraries
                    if (builtins != null) System.load(builtins.toAbsolutePath().toString());
                    System.load(a.library().toAbsolutePath().toString());
                }
                yield new JNvrtcBinding(a.where());
            }
            case FFM -> {
                if (Runtime.version().feature() < 22) throw new UnsupportedOperationException("the FFM binding needs Java 22 or newer");
                try {
                    yield (NvrtcBinding) Class.forName("io.chunkwise.gpu.NvrtcFfm")
                            .getDeclaredConstructor(Path.class, Path.class, String.class).newInstance(a.library(), builtins, a.where());
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        };
    }

    /** The {@code libnvrtc-builtins.so.<major>*} beside {@code library}, or null (NVRTC opens it by name). */
    static Path builtins(Path library, int major) {
        if (library == null || library.getParent() == null) return null;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(library.getParent(), "libnvrtc-builtins.so." + major + "*")) {
            for (Path p : s) if (Files.isRegularFile(p)) return p;
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
