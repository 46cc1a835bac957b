package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused kernels on a real GPU, compiled by NVRTC: random expressions of every dtype and op over random layouts
 * (those of {@link FusedKernelHostTest}) give the CPU backend's bits, exact ones bit for bit and a math-library op
 * at the root within 2 ulps (CUDA's math library against Java's), all on the device, one kernel per shape; and
 * assemble's generated strided copies (those of {@link StridedCopyHostTest}) give its bits. Skipped
 * with the provider's reason where there is no GPU, and with NVRTC's where it does not load.
 */
@Tag("gpu")
class GpuFusedKernelTest extends GeneratedKernelDeviceTest {
    @Test
    void randomExpressionsGiveTheCpuBackendsBitsOnTheDevice() {
        RandomFusedCases exact = new RandomFusedCases(20261205L, false), math = new RandomFusedCases(7L, true);
        List<RandomFusedCases.Case> cases = new ArrayList<>();
        for (String op : RandomFusedCases.allOpDtypes(false)) cases.add(exact.covering(op));
        for (int c = 0; c < 300; c++) cases.add(exact.next());
        int exactCases = cases.size();
        for (String op : RandomFusedCases.allOpDtypes(true)) cases.add(math.covering(op));
        for (int c = 0; c < 100; c++) cases.add(math.next());
        List<String> bad = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            boolean isExact = c < exactCases;
            RandomFusedCases.Case k = cases.get(c);
            HostBlock want;
            try {
                want = cpu.toHost(cpu.elementwise(k.expr(), k.inputs(), k.strides(), k.region()));
            } catch (InvalidArgumentException refused) { // a negative integer exponent: the device refuses it too
                try {
                    owned.add(gpu.elementwise(k.expr(), k.inputs(), k.strides(), k.region()));
                    if (bad.size() < 10) bad.add(Expr.show(k.expr(), 300) + ": the CPU refused it, the device did not");
                } catch (InvalidArgumentException expected) {
                    // as the CPU
                }
                continue;
            }
            Block got = gpu.elementwise(k.expr(), k.inputs(), k.strides(), k.region());
            owned.add(got);
            String diff = FusedKernelHostTest.compare(want, gpu.toHost(got), isExact ? 0 : 2);
            if (diff != null && bad.size() < 10) bad.add(Expr.show(k.expr(), 300) + ": " + diff);
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    @Test
    void assembleCopiesOnTheDeviceAsTheCpuBackendDoes() {
        java.util.Random rnd = new java.util.Random(11);
        for (int c = 0; c < 200; c++) {
            StridedCopyHostTest.Case k = StridedCopyHostTest.randomCase(rnd);
            HostBlock want = io.chunkwise.spi.HostCopy.assemble(k.dtype(), k.shape(), k.sources(), k.pieces());
            Block got = gpu.assemble(k.dtype(), k.shape(), k.sources(), k.pieces());
            owned.add(got);
            assertEquals(null, FusedKernelHostTest.compare(want, gpu.toHost(got), 0), "case " + c);
        }
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    @Test
    void oneKernelPerShapeWhateverTheConstantsAndSizes() {
        Expr.Input x = new Expr.Input(0, DType.FLOAT32);
        for (int n : new int[]{1, 7, 4097, 100_000}) {
            for (double c : new double[]{10, -0.5, Double.NaN}) {
                Expr e = new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, x, DType.FLOAT32), new Expr.Const(c, DType.FLOAT32), DType.FLOAT32);
                HostBlock in = HostBlock.allocate(DType.FLOAT32, new int[]{n});
                for (int i = 0; i < n; i++) in.floats()[i] = i * 0.37f - 5;
                Region r = new Region(new int[]{n}, new long[]{0}, new long[]{n});
                HostBlock want = cpu.toHost(cpu.elementwise(e, new Block[]{in}, new int[][]{{1}}, r));
                Block got = gpu.elementwise(e, new Block[]{in}, new int[][]{{1}}, r);
                owned.add(got);
                assertEquals(null, FusedKernelHostTest.compare(want, gpu.toHost(got), 0), "n " + n + ", c " + c);
            }
        }
        assertEquals(1, gpu.fusedKernelCount());
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }
}
