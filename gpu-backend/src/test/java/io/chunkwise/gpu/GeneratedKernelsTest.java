package io.chunkwise.gpu;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the generated-kernel cache decides before any CUDA call: whether NVRTC can serve this device, opened once. */
class GeneratedKernelsTest {
    private record FakeNvrtc(int[] archs) implements NvrtcBinding {
        @Override public String describe() { return "NVRTC 12.4 (fake)"; }
        @Override public String compile(String source, String name, List<String> headers, List<String> options) { return ""; }
        @Override public int[] supportedArchs() { return archs; }
    }

    @Test
    void nvrtcIsOpenedOnceAndServesTheDeviceOrSaysWhyNot() {
        AtomicInteger opened = new AtomicInteger();
        GeneratedKernels ok = new GeneratedKernels(() -> {
            opened.incrementAndGet();
            return new Nvrtc.Result(new FakeNvrtc(new int[]{75, 80, 90}), null);
        }, 90);
        assertEquals("NVRTC not opened yet", ok.describe());
        assertNull(ok.problem());
        assertNull(ok.problem());
        assertEquals(1, opened.get());
        assertEquals("NVRTC 12.4 (fake)", ok.describe());

        GeneratedKernels tooNew = new GeneratedKernels(() -> new Nvrtc.Result(new FakeNvrtc(new int[]{75, 80, 90, 100}), null), 70);
        assertEquals("NVRTC 12.4 (fake) compiles for [75, 80, 90, 100] only, and the GPU has compute capability 7.0", tooNew.problem());

        GeneratedKernels absent = new GeneratedKernels(() -> new Nvrtc.Result(null, "NVRTC could not be loaded: none"), 90);
        assertEquals("NVRTC could not be loaded: none", absent.problem());

        GeneratedKernels broken = new GeneratedKernels(() -> { throw new IllegalStateException("driver gone"); }, 90);
        assertTrue(broken.problem().startsWith("NVRTC could not be opened: "), broken.problem());
        assertTrue(broken.problem().contains("driver gone"), broken.problem());
    }

    @Test
    void templatesLoseTheirCommentLinesOnly() {
        String copy = GeneratedKernels.template(StridedCopySource.TEMPLATE);
        assertTrue(copy.startsWith("extern \"C\" __global__"), copy);
        assertTrue(copy.contains("@INDEX@") && !copy.contains("//"), copy);
    }
}
