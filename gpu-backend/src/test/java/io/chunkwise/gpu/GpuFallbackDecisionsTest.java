package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.DType;
import io.chunkwise.reference.ReferenceBackendProvider;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GPU backend's decisions that need no GPU: its CPU delegate, the compute capability, library lines, upload clean-up. */
class GpuFallbackDecisionsTest {
    private record Fake(BackendKind kind, int priority, Optional<String> unavailableReason) implements BackendProvider {
        @Override public Backend create(int threads) { throw new UnsupportedOperationException(); }
    }

    @Test
    void theDelegateIsTheBestUsableCpuBackendAndNeverTheReference() {
        BackendProvider gpu = new Fake(BackendKind.GPU, 10, Optional.empty());
        BackendProvider broken = new Fake(BackendKind.CPU, 20, Optional.of("no SIMD"));
        BackendProvider cpu = new Fake(BackendKind.CPU, 10, Optional.empty());
        BackendProvider reference = new ReferenceBackendProvider();
        assertSame(cpu, GpuBackendProvider.cpuDelegate(List.of(gpu, broken, cpu, reference)));
        assertNull(GpuBackendProvider.cpuDelegate(List.of(gpu, reference)));
    }

    @Test
    void theCpuBackendOfThisModulesClassPathIsTheDelegate() {
        BackendProvider p = GpuBackendProvider.cpuDelegate(io.chunkwise.Backends.providers());
        assertTrue(p != null && p.getClass().getName().equals("io.chunkwise.cpu.CpuBackendProvider"), "delegate: " + p);
    }

    @Test
    void aDeviceOlderThanTheKernelsTargetIsRefusedByName() {
        assertNull(GpuBackendProvider.computeCapabilityProblem(9, 0, "compute_75"));
        assertNull(GpuBackendProvider.computeCapabilityProblem(7, 5, "compute_75"));
        assertNull(GpuBackendProvider.computeCapabilityProblem(6, 0, "?"));
        assertEquals("the GPU has compute capability 7.0, and the kernels are built for 7.5 or newer (compute_75)",
                GpuBackendProvider.computeCapabilityProblem(7, 0, "compute_75"));
    }

    @Test
    void theDriverReleaseIsReadFromBothKernelModules() {
        assertEquals("580.95.05", GpuBackendProvider.driverRelease(
                "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  (dvs-builder@U16-I3-B03-4-3)\nGCC version:  gcc 12\n"));
        assertEquals("535.183.01", GpuBackendProvider.driverRelease("NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024\n"));
        assertNull(GpuBackendProvider.driverRelease("no driver here"));
    }

    @Test
    void eachLibraryLineSaysWhereItLoadsFromOrWhyNot() {
        Path a = Path.of("/x/a/libcublas.so.13"), b = Path.of("/x/b/libcublas.so.13");
        NativeLibraries.Loader onlyB = p -> p.equals(b.toString()) ? null : p + ": cannot open shared object file";
        assertEquals("loads from /x/b", NativeLibraries.status("libcublas.so.13", List.of(a, b), onlyB));
        assertEquals("does not load: /x/a: /x/a/libcublas.so.13: cannot open shared object file",
                NativeLibraries.status("libcublas.so.13", List.of(a), onlyB));
        assertEquals("not found (neither in the library folders searched nor by the system loader)",
                NativeLibraries.status("libcuda.so.1", List.of(), onlyB));
        assertEquals("loads (found by the system loader)", NativeLibraries.status("libcuda.so.1", List.of(), p -> null));
        assertEquals("found at /x/a (whether it loads is checked on Java 22 or newer)", NativeLibraries.status("libcublas.so.13", List.of(a), null));
        assertEquals("not found", NativeLibraries.status("libnvrtc.so.12", List.of(), null));
    }

    @Test
    void theInfoLinesNameEveryLibraryWithoutThrowing() {
        List<String> lines = new GpuBackendProvider().details();
        for (String name : NativeLibraries.NAMES) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(name + ": ")), name + " in " + lines);
        }
        lines.forEach(l -> assertTrue(!l.contains("\n"), "one line: " + l));
    }

    @Test
    void anErrorThatLosesTheContextIsRememberedOthersAreNot() {
        try {
            CudaCallException.resetContextLost();
            assertThrows(CudaCallException.class, () -> CudaCallException.check(jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc"));
            assertNull(CudaCallException.contextLost());
            CudaCallException e = assertThrows(CudaCallException.class,
                    () -> CudaCallException.check(jcuda.driver.CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, "cuMemcpyDtoH(8 bytes)"));
            assertEquals(700, e.code());
            assertEquals("cuMemcpyDtoH(8 bytes) failed: CUDA_ERROR_ILLEGAL_ADDRESS", CudaCallException.contextLost());
            assertThrows(CudaCallException.class, () -> CudaCallException.check(jcuda.driver.CUresult.CUDA_ERROR_LAUNCH_FAILED, "cuLaunchKernel"));
            assertEquals("cuMemcpyDtoH(8 bytes) failed: CUDA_ERROR_ILLEGAL_ADDRESS", CudaCallException.contextLost(), "the first one is kept");
        } finally {
            CudaCallException.resetContextLost();
        }
    }

    @Test
    void aFailedUploadOfAPartialGivesBackThePartsAlreadyUploaded() {
        HostBlock one = new HostBlock(DType.FLOAT64, new int[]{1}, new double[]{1});
        Partial p = new Partial(one, one, one);
        List<Block> uploaded = new ArrayList<>(), released = new ArrayList<>();
        int[] calls = {0};
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuBackend.upload(p, h -> {
            if (calls[0]++ == 2) throw new IllegalStateException("out of device memory");
            Block b = new HostBlock(DType.FLOAT64, new int[]{1}, new double[]{calls[0]});
            uploaded.add(b);
            return b;
        }, released::add));
        assertEquals("out of device memory", e.getMessage());
        assertEquals(uploaded, released, "both parts uploaded before the failure are given back");
        assertEquals(2, released.size());

        List<Block> none = new ArrayList<>();
        Block ok = GpuBackend.upload(new Partial(one, new Partial(one)), h -> h, none::add);
        assertTrue(ok instanceof Partial q && q.parts().length == 2 && q.parts()[1] instanceof Partial);
        assertTrue(none.isEmpty());
    }
}
