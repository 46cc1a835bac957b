package io.chunkwise.gpu;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the CUDA libraries that the backend loads by path (cuBLAS, NVRTC) are looked for, in this order:
 * <ol>
 *   <li>the folders of {@code LD_LIBRARY_PATH}, in their order;</li>
 *   <li>{@code CUDA_HOME}, then {@code CUDA_PATH}: their {@code lib64}, {@code lib} and {@code targets/<arch>-linux/lib};</li>
 *   <li>the standard toolkit folder {@code /usr/local/cuda}, then the versioned {@code /usr/local/cuda-X.Y}, newest
 *       first (the same three subfolders);</li>
 *   <li>{@code $CONDA_PREFIX/lib}, where conda's CUDA packages put them;</li>
 *   <li>the folders of NVIDIA's Python wheels, {@code site-packages/nvidia/*}{@code /lib} ({@code nvidia/cublas/lib}
 *       of the CUDA 12 wheels, {@code nvidia/cu13/lib} of the CUDA 13 ones), in the site-packages of
 *       {@code VIRTUAL_ENV}, {@code CONDA_PREFIX}, the folders of {@code PYTHONPATH}, the user's {@code ~/.local} and
 *       the system's Python installations;</li>
 *   <li>the system's library folders ({@code /usr/lib/<arch>-linux-gnu}, {@code /usr/lib64}, ...), where distribution
 *       packages put them.</li>
 * </ol>
 * A folder is listed once, at its first place. The file system and the environment are injected (an
 * {@link Environment}), so that the order is tested on fake folders.
 */
final class CudaLibraries {
    /**
     * What the search reads: the environment variables, the user's home, the root that absolute standard folders
     * are resolved against ({@code /} on a real machine, a temporary folder in tests) and the CUDA name of the
     * processor architecture ({@code x86_64}, {@code sbsa}).
     */
    record Environment(Map<String, String> variables, Path home, Path root, String cudaArch, String gnuArch) {
        /** This process's environment. */
        static Environment system() {
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            boolean arm = arch.equals("aarch64") || arch.equals("arm64");
            return new Environment(System.getenv(), Path.of(System.getProperty("user.home", "/")), Path.of("/"),
                    arm ? "sbsa" : "x86_64", arm ? "aarch64" : "x86_64");
        }

        String get(String name) {
            String v = variables.get(name);
            return v == null || v.isBlank() ? null : v.strip();
        }
    }

    private final Environment env;

    CudaLibraries(Environment env) {
        this.env = env;
    }

    /** The folders looked in, in order, each once; folders that do not exist are left out. */
    List<Path> searchPath() {
        Set<Path> out = new LinkedHashSet<>();
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isBlank()) out.add(Path.of(d.strip()));
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(var);
            if (home != null) toolkit(Path.of(home), out);
        }
        Path local = env.root().resolve("usr/local");
        toolkit(local.resolve("cuda"), out);
        for (Path versioned : children(local, "cuda-*")) toolkit(versioned, out);
        String conda = env.get("CONDA_PREFIX");
        if (conda != null) out.add(Path.of(conda).resolve("lib")); // conda's own CUDA packages (libcublas, cuda-nvrtc)
        for (Path site : sitePackages()) out.addAll(children(site.resolve("nvidia"), "*").stream().map(p -> p.resolve("lib")).toList());
        Path r = env.root();
        for (String d : List.of("usr/lib/" + env.gnuArch() + "-linux-gnu", "usr/lib64", "lib/" + env.gnuArch() + "-linux-gnu", "lib64", "usr/lib")) {
            out.add(r.resolve(d));
        }
        List<Path> existing = new ArrayList<>();
        for (Path p : out) if (Files.isDirectory(p)) existing.add(p.normalize());
        return List.copyOf(new LinkedHashSet<>(existing));
    }

    /** The files {@code soname} (e.g. {@code libcublas.so.13}) in the search path, in its order. */
    List<Path> find(String soname) {
        List<Path> out = new ArrayList<>();
        for (Path dir : searchPath()) {
            Path f = dir.resolve(soname);
            if (Files.isRegularFile(f)) out.add(f); // follows symbolic links (libcublas.so.13 -> libcublas.so.13.1.0.3)
        }
        return out;
    }

    private void toolkit(Path home, Set<Path> out) {
        out.add(home.resolve("lib64"));
        out.add(home.resolve("lib"));
        out.add(home.resolve("targets").resolve(env.cudaArch() + "-linux").resolve("lib"));
    }

    /** site-packages (and Debian's dist-packages) folders of the Python installations, most specific first. */
    private List<Path> sitePackages() {
        List<Path> out = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = env.get(var);
            if (prefix != null) pythonLibs(Path.of(prefix).resolve("lib"), out);
        }
        String pythonPath = env.get("PYTHONPATH");
        if (pythonPath != null) for (String d : pythonPath.split(":")) if (!d.isBlank()) out.add(Path.of(d.strip()));
        if (env.home() != null) pythonLibs(env.home().resolve(".local/lib"), out);
        Path r = env.root();
        pythonLibs(r.resolve("usr/local/lib"), out);
        pythonLibs(r.resolve("usr/lib"), out);
        out.add(r.resolve("usr/lib/python3/dist-packages"));
        return out;
    }

    /** {@code lib/python3.*}{@code /site-packages} and {@code dist-packages}, newest Python first. */
    private static void pythonLibs(Path lib, List<Path> out) {
        for (Path py : children(lib, "python3*")) {
            out.add(py.resolve("site-packages"));
            out.add(py.resolve("dist-packages"));
        }
    }

    /**
     * The subfolders of {@code dir} matching {@code glob}, newest version first: names compared by their numbers
     * ({@code cuda-13.0} before {@code cuda-12.9}, {@code python3.12} before {@code python3.9}), then by name.
     */
    static List<Path> children(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
            for (Path p : s) if (Files.isDirectory(p)) out.add(p);
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing((Path p) -> versionKey(p.getFileName().toString()), CudaLibraries::compareVersions).reversed()
                .thenComparing(p -> p.getFileName().toString()));
        return out;
    }

    private static int[] versionKey(String name) {
        String[] parts = name.replaceAll("[^0-9]+", " ").trim().split(" ");
        if (parts.length == 1 && parts[0].isEmpty()) return new int[0];
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                v[i] = Integer.MAX_VALUE;
            }
        }
        return v;
    }

    private static int compareVersions(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i] != b[i]) return Integer.compare(a[i], b[i]);
        return Integer.compare(a.length, b.length);
    }
}
