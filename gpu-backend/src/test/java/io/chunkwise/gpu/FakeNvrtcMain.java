package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Run in a JVM of its own by {@link NvrtcBindingTest} (a stand-in libnvrtc must never meet the real one in a
 * process): finds NVRTC in {@code args[0]} (as a Python wheel folder, through PYTHONPATH) for a driver of CUDA
 * version {@code args[1]}, binds it as the backend does, compiles a fused kernel as {@link GeneratedKernels} does and a
 * program that fails, and prints {@code OK <description>}. Throws where the stand-in did not get what was passed.
 */
public final class FakeNvrtcMain {
    private FakeNvrtcMain() {}

    public static void main(String[] args) {
        Path wheels = Path.of(args[0]);
        int driver = Integer.parseInt(args[1]);
        CudaLibraries libs = new CudaLibraries(new CudaLibraries.Environment(Map.of("PYTHONPATH", wheels.toString()),
                wheels.resolve("no-home"), wheels.resolve("no-root"), "x86_64", "x86_64"));
        Nvrtc.Result r = Nvrtc.open(Nvrtc.plan(driver, Runtime.version().feature(), libs), Nvrtc::openReal);
        if (r.binding() == null) throw new AssertionError("no binding: " + r.problem());
        NvrtcBinding nvrtc = r.binding();

        Expr.Input x = new Expr.Input(0, DType.FLOAT64);
        FusedKernelSource.Kernel k = FusedKernelSource.generate(new Expr.Binary(BinaryOp.MUL, x, x, DType.FLOAT64), 1);
        String ptx = nvrtc.compile(k.source(), k.name() + ".cu", GeneratedKernels.headers(), GeneratedKernels.options("compute_90"));
        StringBuilder want = new StringBuilder("// program " + k.name() + ".cu\n");
        for (String h : FusedKernelSource.HEADERS) want.append("// header ").append(h).append('\n');
        for (String o : GeneratedKernels.options("compute_90")) want.append("// option ").append(o).append('\n');
        want.append(k.source());
        if (!ptx.equals(want.toString())) throw new AssertionError("the stand-in got something else:\n" + ptx);
        try {
            nvrtc.compile("#error no\n", "bad.cu", List.of(), List.of("--fmad=false"));
            throw new AssertionError("a failing program compiled");
        } catch (NvrtcBinding.NvrtcException e) {
            if (!e.getMessage().equals("nvrtcCompileProgram(bad.cu) failed: NVRTC_ERROR_COMPILATION\nfake.cu(1): error: #error directive")) {
                throw new AssertionError("message: " + e.getMessage());
            }
        }
        if (!java.util.Arrays.equals(new int[]{75, 80, 90}, nvrtc.supportedArchs())) {
            throw new AssertionError("archs: " + java.util.Arrays.toString(nvrtc.supportedArchs()));
        }
        System.out.println("OK " + nvrtc.describe());
    }
}
