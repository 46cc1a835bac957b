package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.DType;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Placement over several devices, on fake devices that compute with the reference backend (no GPU). */
class MultiGpuBackendTest {
    /** A block "on" fake device {@code device}. */
    record Held(FakeDevice device, HostBlock data) implements Block {
        @Override public DType dtype() { return data.dtype(); }

        @Override public int[] shape() { return data.shape(); }

        @Override public long bytes() { return data.bytes(); }
    }

    /** A device that refuses blocks of other devices, so that a missed move fails the test. */
    static final class FakeDevice implements Backend {
        final int id;
        final ReferenceBackend ref = new ReferenceBackend();
        final List<String> calls = new ArrayList<>();
        long bytesInUse;
        boolean closed;

        FakeDevice(int id) { this.id = id; }

        MultiGpuBackend.Device device() {
            return new MultiGpuBackend.Device(this, b -> b instanceof Held h && h.device() == this, () -> bytesInUse);
        }

        Block up(Block b) {
            if (b instanceof HostBlock h) {
                bytesInUse += h.bytes();
                return new Held(this, h);
            }
            return b;
        }

        Block in(Block b) {
            return switch (b) {
                case Held h when h.device() == this -> h.data();
                case Held h -> throw new AssertionError("device " + id + " got a block of device " + h.device().id);
                case Partial p -> {
                    Block[] parts = new Block[p.parts().length];
                    for (int i = 0; i < parts.length; i++) parts[i] = in(p.parts()[i]);
                    yield new Partial(parts);
                }
                default -> b;
            };
        }

        Block[] in(Block[] bs) {
            Block[] out = new Block[bs.length];
            for (int i = 0; i < bs.length; i++) out[i] = in(bs[i]);
            return out;
        }

        @Override public String name() { return "fake " + id; }

        @Override public BackendKind kind() { return BackendKind.GPU; }

        @Override public Block fromHost(HostBlock block) { calls.add("fromHost"); return up(block); }

        @Override public HostBlock toHost(Block block) { return (HostBlock) in(block); }

        @Override public void release(Block block) { calls.add("release"); bytesInUse -= block.bytes(); }

        @Override
        public Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region) {
            calls.add("elementwise");
            return up(ref.elementwise(expr, in(inputs), inputStrides, region));
        }

        @Override
        public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
            calls.add("reducePartial");
            return ref.reducePartial(op, in(input), axes, argAxisOffset);
        }

        @Override
        public Block reduceCombine(ReduceOp op, List<Block> partials) {
            calls.add("reduceCombine");
            return ref.reduceCombine(op, List.of(in(partials.toArray(Block[]::new))));
        }

        @Override
        public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) {
            return ref.reduceFinish(op, in(partial), dtype, shape);
        }

        @Override
        public Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
            calls.add("gemm");
            Block r = ref.gemm(transA, transB, alpha, in(a), in(b), beta, c == null ? null : in(c));
            return c instanceof Held ? c : up(r);
        }

        @Override
        public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) {
            calls.add("assemble");
            return up(ref.assemble(dtype, shape, in(sources), pieces));
        }

        @Override public Map<String, Long> delegatedCalls() { return Map.of("assemble", (long) id + 1); }

        @Override public void close() { closed = true; }
    }

    final FakeDevice d0 = new FakeDevice(0), d1 = new FakeDevice(1);
    final MultiGpuBackend multi = new MultiGpuBackend(List.of(d0.device(), d1.device()));

    static HostBlock vector(double... v) { return new HostBlock(DType.FLOAT64, new int[]{v.length}, v); }

    static Region region(int n) { return new Region(new int[]{n}, new long[]{0}, new long[]{n}); }

    @Test
    void uploadsSpreadByLoad() {
        Block a = multi.fromHost(vector(1, 2, 3, 4));
        Block b = multi.fromHost(vector(5, 6));
        Block c = multi.fromHost(vector(7));
        assertSame(d0, ((Held) a).device());
        assertSame(d1, ((Held) b).device(), "device 0 holds more");
        assertSame(d1, ((Held) c).device(), "device 1 still holds less");
        multi.release(a);
        assertEquals(List.of("fromHost", "release"), d0.calls);
        assertSame(d0, ((Held) multi.fromHost(vector(8))).device(), "device 0 freed its block");
    }

    @Test
    void anOperationRunsWhereMostOfItsInputsAreAndTheRestTravelThroughTheHost() {
        Block x = d1.fromHost(vector(10, 20, 30, 40)), y = d0.fromHost(vector(1, 2, 3, 4)), z = d1.fromHost(vector(5, 5, 5, 5));
        d1.bytesInUse += 1000; // load does not matter where inputs are on a device
        Expr sum3 = new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.ADD, new Expr.Input(0, DType.FLOAT64),
                new Expr.Input(1, DType.FLOAT64), DType.FLOAT64), new Expr.Input(2, DType.FLOAT64), DType.FLOAT64);
        Block sum = multi.elementwise(sum3, new Block[]{x, y, z}, new int[][]{{1}, {1}, {1}}, region(4));
        assertSame(d1, ((Held) sum).device(), "device 1 holds two of the three inputs");
        assertArrayEquals(new double[]{16, 27, 38, 49}, multi.toHost(sum).doubles(), "y came from device 0 through the host");
        Block small = x;

        Block more = d0.fromHost(vector(0, 0, 0, 0, 0, 0, 0, 0));
        Block r = multi.assemble(DType.FLOAT64, new int[]{4}, new Block[]{more, small},
                List.of(new Piece(1, 0, new int[]{1}, 0, new int[]{1}, new int[]{4})));
        assertSame(d0, ((Held) r).device(), "device 0 holds more of the sources");
        assertArrayEquals(new double[]{10, 20, 30, 40}, multi.toHost(r).doubles());
    }

    @Test
    void aGemmThatUpdatesCRunsWhereCIs() {
        HostBlock eye = new HostBlock(DType.FLOAT64, new int[]{2, 2}, new double[]{1, 0, 0, 1});
        Block a = d0.fromHost(eye), b = d0.fromHost(eye);
        Block c = d1.fromHost(new HostBlock(DType.FLOAT64, new int[]{2, 2}, new double[]{1, 1, 1, 1}));
        Block out = multi.gemm(false, false, 1, a, b, 1, c);
        assertSame(c, out);
        assertEquals(List.of("fromHost", "gemm"), d1.calls);
        assertArrayEquals(new double[]{2, 1, 1, 2}, multi.toHost(c).doubles());
    }

    @Test
    void partialsCombineOnTheDeviceHoldingThemAndCountsAndCloseCoverEveryDevice() {
        Block p0 = multi.reducePartial(ReduceOp.SUM, d0.fromHost(vector(1, 2)), new boolean[]{true}, 0);
        Block p1 = multi.reducePartial(ReduceOp.SUM, d1.fromHost(vector(3, 4)), new boolean[]{true}, 0);
        Block total = multi.reduceCombine(ReduceOp.SUM, List.of(p0, p1));
        assertEquals(10.0, multi.toHost(multi.reduceFinish(ReduceOp.SUM, total, DType.FLOAT64, new int[0])).doubles()[0]);
        assertEquals(Map.of("assemble", 3L), multi.delegatedCalls(), "summed over the devices");
        assertTrue(multi.name().startsWith("gpu on 2 devices: fake 0, fake 1"), multi.name());
        multi.close();
        assertTrue(d0.closed && d1.closed);
        assertThrows(IllegalArgumentException.class, () -> new MultiGpuBackend(List.of()));
    }
}
