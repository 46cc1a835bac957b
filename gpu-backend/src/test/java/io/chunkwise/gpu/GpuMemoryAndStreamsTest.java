package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Spilling, streams and several devices on a real GPU; where none is usable each test is skipped with the provider's
 * reason (the bookkeeping itself is tested without a GPU: DeviceResidencyTest, ThreadStreamsTest, PinnedStagingTest,
 * MultiGpuBackendTest).
 */
@Tag("gpu")
class GpuMemoryAndStreamsTest {
    static final int N = 1 << 18; // 2 MiB of float64

    static void assumeGpu() {
        Optional<String> reason = new GpuBackendProvider().unavailableReason();
        assumeTrue(reason.isEmpty(), "GPU backend unavailable: " + reason.orElse(""));
    }

    /** The first device's backend with a budget of {@code bytes} (read when a backend is created). */
    static GpuBackend withBudget(long bytes) {
        System.setProperty(DeviceMemoryBudget.BYTES_PROPERTY, Long.toString(bytes));
        try {
            return GpuBackendProvider.createFirstDevice(2);
        } finally {
            System.clearProperty(DeviceMemoryBudget.BYTES_PROPERTY);
        }
    }

    static HostBlock values(int seed) {
        double[] v = new double[N];
        for (int i = 0; i < N; i++) v[i] = seed * 1e6 + i;
        return new HostBlock(DType.FLOAT64, new int[]{N}, v);
    }

    static Region region() { return new Region(new int[]{N}, new long[]{0}, new long[]{N}); }

    @Test
    void chunksBeyondTheBudgetAreSpilledAndComeBackUnchanged() {
        assumeGpu();
        try (GpuBackend gpu = withBudget(8L << 20)) {
            assertEquals(8L << 20, gpu.deviceMemoryBudget());
            List<Block> blocks = new ArrayList<>();
            for (int s = 0; s < 10; s++) blocks.add(gpu.fromHost(values(s))); // 20 MiB into 8
            assertTrue(gpu.spillCount() >= 6, "spilled: " + gpu.spillCount());
            assertTrue(gpu.deviceBytesInUse() <= 8L << 20, "in use: " + gpu.deviceBytesInUse());
            Expr.Input x = new Expr.Input(0, DType.FLOAT64);
            for (int s = 0; s < 10; s++) {
                Block twice = gpu.elementwise(new Expr.Binary(BinaryOp.ADD, x, x, DType.FLOAT64), new Block[]{blocks.get(s)},
                        new int[][]{{1}}, region());
                double[] want = values(s).doubles();
                for (int i = 0; i < N; i++) want[i] *= 2;
                assertArrayEquals(want, gpu.toHost(twice).doubles(), "chunk " + s);
                assertArrayEquals(values(s).doubles(), gpu.toHost(blocks.get(s)).doubles(), "chunk " + s + " itself");
                gpu.release(twice);
            }
            var e = assertThrows(MemoryBudgetExceededException.class,
                    () -> gpu.fromHost(HostBlock.allocate(DType.FLOAT64, new int[]{4 * N + 1}))); // 8 MiB and 8 bytes
            assertTrue(e.getMessage().contains("budget of " + (8L << 20) + " bytes"), e.getMessage());
            blocks.forEach(gpu::release);
        }
    }

    @Test
    void threadsOnTheirOwnStreamsGetWhatOneThreadGets() throws Exception {
        assumeGpu();
        try (GpuBackend gpu = GpuBackendProvider.createFirstDevice(4)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                Block shared = gpu.fromHost(values(7)); // written on this thread's stream, read on the others'
                List<Future<double[]>> sums = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    int seed = t;
                    sums.add(pool.submit(() -> {
                        Block mine = gpu.fromHost(values(seed));
                        Expr.Input a = new Expr.Input(0, DType.FLOAT64), b = new Expr.Input(1, DType.FLOAT64);
                        Block y = gpu.elementwise(new Expr.Binary(BinaryOp.ADD, a, b, DType.FLOAT64), new Block[]{mine, shared},
                                new int[][]{{1}, {1}}, region());
                        gpu.release(mine); // freed while the kernel may still read it: reuse waits on the device
                        Block p = gpu.reducePartial(ReduceOp.SUM, y, new boolean[]{true}, 0);
                        double[] r = {gpu.toHost(((Partial) p).parts()[0]).doubles()[0], gpu.toHost(y).doubles()[N - 1]};
                        gpu.release(p);
                        gpu.release(y);
                        return r;
                    }));
                }
                for (int t = 0; t < 16; t++) {
                    double last = t * 1e6 + 7e6 + 2.0 * (N - 1);
                    assertEquals(last, sums.get(t).get()[1], "thread task " + t);
                    double sum = 0;
                    for (int i = 0; i < N; i++) sum += t * 1e6 + 7e6 + 2.0 * i;
                    assertEquals(sum, sums.get(t).get()[0], "thread task " + t + " (integers: exact in any order)");
                }
                gpu.release(shared);
            } finally {
                pool.shutdown();
            }
            assertEquals(0, gpu.deviceBytesInUse());
        }
    }

    @Test
    void severalDevicesGiveWhatOneGives() {
        assumeGpu();
        List<Integer> devices = GpuBackendProvider.usableDevices();
        assumeTrue(devices.size() > 1, "one usable GPU here: several devices are not tested");
        try (Backend all = GpuBackendProvider.open(devices, 2)) {
            assertTrue(all instanceof MultiGpuBackend, all.name());
            List<Block> blocks = new ArrayList<>();
            for (int s = 0; s < 2 * devices.size(); s++) blocks.add(all.fromHost(values(s)));
            Expr.Input a = new Expr.Input(0, DType.FLOAT64), b = new Expr.Input(1, DType.FLOAT64);
            for (int s = 0; s + 1 < blocks.size(); s++) {
                Block y = all.elementwise(new Expr.Binary(BinaryOp.SUB, a, b, DType.FLOAT64),
                        new Block[]{blocks.get(s + 1), blocks.get(s)}, new int[][]{{1}, {1}}, region());
                double[] got = all.toHost(y).doubles();
                for (int i = 0; i < N; i += 997) assertEquals(1e6, got[i], "blocks " + s + " and " + (s + 1));
                all.release(y);
            }
            blocks.forEach(all::release);
        }
    }
}
