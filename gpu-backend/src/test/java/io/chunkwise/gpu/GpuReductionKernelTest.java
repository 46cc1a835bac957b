package io.chunkwise.gpu;

import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generated reduction kernels on a real GPU, compiled by NVRTC: the cases of {@link ReductionKernelHostTest}
 * (every op and dtype, random shapes and axis sets) give the CPU backend's partials, combines and finishes bit for
 * bit, all on the device; a combine takes partials the CPU backend made too. Skipped with the provider's reason
 * where there is no GPU, and with NVRTC's where it does not load.
 */
@Tag("gpu")
class GpuReductionKernelTest extends GeneratedKernelDeviceTest {
    @Test
    void reductionsGiveTheCpuBackendsBitsOnTheDevice() {
        List<String> bad = new ArrayList<>();
        List<RandomReductionCases.Case> cases = new RandomReductionCases(20261206L).all(2);
        for (int c = 0; c < cases.size(); c++) {
            RandomReductionCases.Case k = cases.get(c);
            String where = "case " + c + " " + k.op() + " of " + k.dtype().numpyName() + " " + Arrays.toString(k.shape())
                    + " over " + Arrays.toString(k.axes()) + ": ";
            List<Block> want = new ArrayList<>(), got = new ArrayList<>();
            for (HostBlock in : k.inputs()) {
                want.add(cpu.reducePartial(k.op(), in, k.axes(), k.argOffset()));
                got.add(own(gpu.reducePartial(k.op(), in, k.axes(), k.argOffset())));
                diff(where + "partial ", want.getLast(), got.getLast(), bad);
            }
            Block wantCombined = cpu.reduceCombine(k.op(), want), gotCombined = own(gpu.reduceCombine(k.op(), got));
            diff(where + "combine ", wantCombined, gotCombined, bad);
            HostBlock wantResult = cpu.toHost(cpu.reduceFinish(k.op(), wantCombined, k.result(), k.finishShape()));
            String d = FusedKernelHostTest.compare(wantResult, gpu.toHost(own(gpu.reduceFinish(k.op(), gotCombined, k.result(), k.finishShape()))), 0);
            if (d != null && bad.size() < 10) bad.add(where + "finish: " + d);
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    @Test
    void partialsOfTheCpuBackendCombineOnTheDevice() {
        List<RandomReductionCases.Case> cases = new RandomReductionCases(3).all(2);
        for (ReduceOp op : ReduceOp.values()) {
            RandomReductionCases.Case k = cases.stream().filter(c -> c.op() == op && c.inputs().size() > 1).findFirst().orElseThrow();
            List<Block> want = new ArrayList<>(), mixed = new ArrayList<>();
            for (int j = 0; j < k.inputs().size(); j++) {
                HostBlock in = k.inputs().get(j);
                want.add(cpu.reducePartial(k.op(), in, k.axes(), k.argOffset()));
                mixed.add(j % 2 == 0 ? want.getLast() : own(gpu.reducePartial(k.op(), in, k.axes(), k.argOffset())));
            }
            List<String> bad = new ArrayList<>();
            diff(op + " ", cpu.reduceCombine(k.op(), want), own(gpu.reduceCombine(k.op(), mixed)), bad);
            assertTrue(bad.isEmpty(), String.join("\n", bad));
        }
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    private void diff(String where, Block want, Block got, List<String> bad) {
        Block[] w = ((Partial) want).parts(), g = ((Partial) got).parts();
        for (int p = 0; p < w.length; p++) {
            String d = FusedKernelHostTest.compare(cpu.toHost(w[p]), gpu.toHost(g[p]), 0);
            if (d != null && bad.size() < 10) bad.add(where + "part " + p + ": " + d);
        }
    }

    private Block own(Block b) {
        owned.add(b);
        return b;
    }
}
