package io.chunkwise.gpu;

import io.chunkwise.Backends;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the GPU-only tests of generated kernels share: the first device's backend (skipped with the provider's reason
 * where there is no GPU, and with NVRTC's where it does not load), the CPU backend whose bits they must give, and the
 * device blocks a test made, released before the backend closes (which throws on a leak).
 */
abstract class GeneratedKernelDeviceTest {
    GpuBackend gpu;
    Backend cpu;
    final List<Block> owned = new ArrayList<>();

    @BeforeEach
    void open() {
        Optional<String> reason = new GpuBackendProvider().unavailableReason();
        assumeTrue(reason.isEmpty(), "GPU backend unavailable: " + reason.orElse(""));
        gpu = GpuBackendProvider.createFirstDevice(1);   // one device, also on a node of several
        Optional<String> nvrtc = gpu.fusedUnavailableReason();
        assumeTrue(nvrtc.isEmpty(), "no generated kernels here: " + nvrtc.orElse(""));
        cpu = GpuBackendProvider.cpuDelegate(Backends.providers()).create(1);
    }

    @AfterEach
    void close() throws Exception {
        if (gpu != null) {
            owned.forEach(gpu::release);
            gpu.close();
        }
        if (cpu != null) cpu.close();
    }
}
