package io.chunkwise.gpu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a cuBLAS this machine can run and binds it. A plan ({@link #plan}) lists the attempts in order from the
 * driver's CUDA version, the Java version and the libraries found ({@link CudaLibraries}):
 * <ul>
 *   <li>{@code libcublas.so.13} (needs a CUDA 13 driver) through FFM (needs Java 22), for each copy found;</li>
 *   <li>{@code libcublas.so.12} (needs a CUDA 12 or newer driver) through JCublas, after loading the first copy
 *       found by path; then through FFM on each copy;</li>
 *   <li>where no {@code libcublas.so.12} file was found: JCublas on whatever the system loader finds by itself.</li>
 * </ul>
 * The first attempt that creates a handle wins; where none does, the reason lists every attempt and why it failed.
 */
final class Cublas {
    private Cublas() {}

    enum Via { FFM, JCUBLAS }

    /** One way to try: a library file (null: the system loader's own search) and a binding. */
    record Attempt(int major, Path library, Via via) {
        String soname() { return "libcublas.so." + major; }

        String where() {
            return soname() + (library == null ? " from the system loader" : " at " + library.getParent());
        }

        @Override public String toString() { return where() + " via " + via; }
    }

    /** Opens one attempt (injected, so that the choice is tested without a GPU). */
    interface Opener {
        CublasBinding open(Attempt attempt) throws Throwable;
    }

    /** The binding, or why there is none (each attempt and its failure). */
    record Result(CublasBinding binding, String problem, List<String> tried) {}

    /**
     * The attempts, in order, for a driver of {@code driverVersion} ({@code cuDriverGetVersion}'s 1000 * major + 10 *
     * minor) on Java {@code javaFeature}.
     */
    static List<Attempt> plan(int driverVersion, int javaFeature, CudaLibraries libraries) {
        List<Attempt> out = new ArrayList<>();
        boolean ffm = javaFeature >= 22;
        if (driverVersion >= 13000 && ffm) {
            for (Path p : libraries.find("libcublas.so.13")) out.add(new Attempt(13, p, Via.FFM));
        }
        if (driverVersion >= 12000) {
            List<Path> twelve = libraries.find("libcublas.so.12");
            if (!twelve.isEmpty()) out.add(new Attempt(12, twelve.get(0), Via.JCUBLAS));
            if (ffm) for (Path p : twelve) out.add(new Attempt(12, p, Via.FFM));
            if (twelve.isEmpty()) out.add(new Attempt(12, null, Via.JCUBLAS));
        }
        return out;
    }

    /** Tries the attempts in order; the first handle wins. */
    static Result open(List<Attempt> plan, Opener opener) {
        List<String> tried = new ArrayList<>();
        for (Attempt a : plan) {
            try {
                return new Result(opener.open(a), null, List.copyOf(tried));
            } catch (Throwable e) {
                tried.add(a + ": " + GpuBackendProvider.describe(e));
            }
        }
        String problem = tried.isEmpty() ? "no cuBLAS to try" : "cuBLAS could not be loaded: " + String.join("; ", tried);
        return new Result(null, problem, List.copyOf(tried));
    }

    /**
     * Finds and binds cuBLAS on the current context: {@link #open(List, Opener)} of the {@link #plan}, the problem
     * completed with what the driver or the Java version rules out.
     */
    static Result open(int driverVersion, int javaFeature, CudaLibraries libraries, Opener opener) {
        if (driverVersion < 12000) {
            return new Result(null, "the CUDA driver supports CUDA " + KernelBuild.version(driverVersion)
                    + ", and cuBLAS 12 needs a CUDA 12 driver (525 or newer)", List.of());
        }
        Result r = open(plan(driverVersion, javaFeature, libraries), opener);
        if (r.binding() != null) return r;
        List<Path> thirteen = libraries.find("libcublas.so.13");
        if (!thirteen.isEmpty() && javaFeature < 22) {
            return new Result(null, r.problem() + "; libcublas.so.13 at " + thirteen.get(0).getParent() + " is bound through the "
                    + "Foreign Function API of Java 22 or newer, and this is Java " + javaFeature, r.tried());
        }
        if (!thirteen.isEmpty() && driverVersion < 13000) {
            return new Result(null, r.problem() + "; libcublas.so.13 at " + thirteen.get(0).getParent() + " needs a CUDA 13 driver"
                    + " (580 or newer), and this one supports CUDA " + KernelBuild.version(driverVersion), r.tried());
        }
        return r;
    }

    /** {@link #open(int, int, CudaLibraries, Opener)} on this machine. */
    static Result open(int driverVersion) {
        return open(driverVersion, Runtime.version().feature(), new CudaLibraries(CudaLibraries.Environment.system()), Cublas::openReal);
    }

    /** Opens an attempt for real: the libraries loaded, a handle created on the current context. */
    static CublasBinding openReal(Attempt a) throws Throwable {
        Path lt = lt(a.library(), a.major());
        return switch (a.via()) {
            case JCUBLAS -> {
                if (a.library() != null) { // JCublas's natives then find libcublas.so.12 among the loaded libraries
                    if (lt != null) System.load(lt.toAbsolutePath().toString());
                    System.load(a.library().toAbsolutePath().toString());
                }
                yield new JCublasBinding(a.where());
            }
            case FFM -> ffm(a.library(), lt, a.where());
        };
    }

    /** The libcublasLt beside {@code library}, or null. */
    static Path lt(Path library, int major) {
        if (library == null) return null;
        Path lt = library.resolveSibling("libcublasLt.so." + major);
        return Files.isRegularFile(lt) ? lt : null;
    }

    /** The FFM binding of {@code library} (Java 22+; the class is compiled for 22 and loaded only here). */
    static CublasBinding ffm(Path library, Path lt, String where) throws Throwable {
        if (Runtime.version().feature() < 22) throw new UnsupportedOperationException("the FFM binding needs Java 22 or newer");
        try {
            return (CublasBinding) Class.forName("io.chunkwise.gpu.CublasFfm")
                    .getDeclaredConstructor(Path.class, Path.class, String.class).newInstance(library, lt, where);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** cuBLAS's version number (e.g. 130100) as {@code 13.1.0}. */
    static String version(int v) {
        return v / 10000 + "." + v / 100 % 100 + "." + v % 100;
    }
}
