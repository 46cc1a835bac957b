package io.chunkwise.gpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The search order for cuBLAS and NVRTC, on fake folders (no GPU, no CUDA needed). */
class CudaLibrariesTest {
    @TempDir
    Path root;

    private Path lib(String dir, String... files) throws IOException {
        Path d = root.resolve(dir);
        Files.createDirectories(d);
        for (String f : files) Files.writeString(d.resolve(f), "fake");
        return d;
    }

    private CudaLibraries search(Map<String, String> vars) {
        return new CudaLibraries(new CudaLibraries.Environment(vars, root.resolve("home/u"), root, "x86_64", "x86_64"));
    }

    @Test
    void looksInLdLibraryPathThenCudaHomeThenTheToolkitThenPythonWheelsThenTheSystem() throws IOException {
        Path ld1 = lib("opt/a", "libcublas.so.12");
        Path ld2 = lib("opt/b");
        Path home = lib("opt/cuda-home/lib64", "libcublas.so.13");
        Path homeTargets = lib("opt/cuda-home/targets/x86_64-linux/lib", "libnvrtc.so.13");
        Path std = lib("usr/local/cuda/lib64", "libcublas.so.13", "libcublasLt.so.13");
        Path v12 = lib("usr/local/cuda-12.9/targets/x86_64-linux/lib", "libcublas.so.12");
        Path v13 = lib("usr/local/cuda-13.0/lib64", "libcublas.so.13");
        Path venv13 = lib("venv/lib/python3.12/site-packages/nvidia/cu13/lib", "libcublas.so.13");
        Path venv12 = lib("venv/lib/python3.12/site-packages/nvidia/cublas/lib", "libcublas.so.12");
        Path user = lib("home/u/.local/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib", "libnvrtc.so.12");
        Path dist = lib("usr/lib/python3/dist-packages/nvidia/cublas/lib", "libcublas.so.12");
        Path system = lib("usr/lib/x86_64-linux-gnu", "libcuda.so.1");
        lib("usr/lib/python3/dist-packages/nvidia/nolib"); // a wheel folder without lib/ is no candidate

        Map<String, String> vars = new HashMap<>();
        vars.put("LD_LIBRARY_PATH", ld1 + "::" + ld2 + ":" + root.resolve("missing"));
        vars.put("CUDA_HOME", root.resolve("opt/cuda-home").toString());
        vars.put("VIRTUAL_ENV", root.resolve("venv").toString());
        CudaLibraries s = search(vars);

        assertEquals(List.of(ld1, ld2, home, homeTargets, std, v13, v12, venv13, venv12, user, dist, system, root.resolve("usr/lib")), s.searchPath());
        assertEquals(List.of(home.resolve("libcublas.so.13"), std.resolve("libcublas.so.13"), v13.resolve("libcublas.so.13"),
                venv13.resolve("libcublas.so.13")), s.find("libcublas.so.13"));
        assertEquals(List.of(ld1.resolve("libcublas.so.12"), v12.resolve("libcublas.so.12"), venv12.resolve("libcublas.so.12"),
                dist.resolve("libcublas.so.12")), s.find("libcublas.so.12"));
        assertEquals(List.of(user.resolve("libnvrtc.so.12")), s.find("libnvrtc.so.12"));
    }

    @Test
    void aFolderIsListedOnceAtItsFirstPlaceAndNothingIsInventedWithoutEnvironment() throws IOException {
        Path std = lib("usr/local/cuda/lib64", "libcublas.so.13");
        CudaLibraries s = search(Map.of("LD_LIBRARY_PATH", std.toString(), "CUDA_HOME", root.resolve("usr/local/cuda").toString()));
        assertEquals(List.of(std), s.searchPath());
        assertEquals(List.of(std.resolve("libcublas.so.13")), s.find("libcublas.so.13"));
        assertTrue(search(Map.of()).find("libcublas.so.12").isEmpty());
    }

    @Test
    void condaPythonPathAndSymbolicLinksCount() throws IOException {
        Path real = lib("conda/lib/python3.10/site-packages/nvidia/cublas/lib", "libcublas.so.12.9.1.4");
        Files.createSymbolicLink(real.resolve("libcublas.so.12"), real.resolve("libcublas.so.12.9.1.4"));
        Path condaLib = lib("conda/lib", "libcublas.so.13");
        Path pp = lib("pp/nvidia/cu13/lib", "libcublas.so.13");
        CudaLibraries s = search(Map.of("CONDA_PREFIX", root.resolve("conda").toString(), "PYTHONPATH", root.resolve("pp").toString()));
        assertEquals(List.of(real.resolve("libcublas.so.12")), s.find("libcublas.so.12"));
        assertEquals(List.of(condaLib.resolve("libcublas.so.13"), pp.resolve("libcublas.so.13")), s.find("libcublas.so.13"),
                "conda's own lib folder comes before the wheels");
    }

    @Test
    void versionedFoldersAreNewestFirst() throws IOException {
        lib("x/cuda-12.9");
        lib("x/cuda-13.0");
        lib("x/cuda-12.10");
        lib("x/cuda-9.2");
        assertEquals(List.of("cuda-13.0", "cuda-12.10", "cuda-12.9", "cuda-9.2"),
                CudaLibraries.children(root.resolve("x"), "cuda-*").stream().map(p -> p.getFileName().toString()).toList());
    }
}
