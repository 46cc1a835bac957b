package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.DType;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Every GPU of the node behind one backend, so that one scheduler uses them all. <b>Placement:</b> an operation runs
 * on the device that holds the most bytes of its inputs, so that a pipeline stays where its chunks are; one without
 * inputs on a device (an upload, a generator, inputs on the host) goes to the device with the fewest bytes in use,
 * ties taken in turn, so that chunks spread by load. An input held by another device travels through host memory
 * (its device downloads it; the chosen one uploads it for the call). A GEMM that updates C runs where C is. Results
 * do not depend on the placement: every device runs the same kernels. Closing closes every device's backend.
 */
final class MultiGpuBackend implements Backend {
    /** One device: its backend, which blocks it holds, and its load in bytes. */
    record Device(Backend backend, Predicate<Block> holds, LongSupplier bytesInUse) {
        static Device of(GpuBackend gpu) { return new Device(gpu, gpu::holds, gpu::deviceBytesInUse); }
    }

    private final List<Device> devices;
    private final AtomicInteger turn = new AtomicInteger();

    MultiGpuBackend(List<Device> devices) {
        if (devices.isEmpty()) throw new IllegalArgumentException("no devices");
        this.devices = List.copyOf(devices);
    }

    @Override
    public String name() {
        List<String> names = new ArrayList<>();
        for (Device d : devices) names.add(d.backend().name());
        return "gpu on " + devices.size() + " devices: " + String.join(", ", names);
    }

    @Override public BackendKind kind() { return BackendKind.GPU; }

    int deviceCount() { return devices.size(); }

    /** The device holding {@code b} (a part of a partial counts), or null for a block on the host. */
    private Device owner(Block b) {
        if (b instanceof Partial p) {
            for (Block part : p.parts()) {
                Device d = owner(part);
                if (d != null) return d;
            }
            return null;
        }
        for (Device d : devices) if (d.holds().test(b)) return d;
        return null;
    }

    /** Where an operation on {@code inputs} runs (see the class comment). */
    Device place(Block... inputs) {
        long[] held = new long[devices.size()];
        for (Block b : inputs) addHeld(b, held);
        int best = -1;
        for (int i = 0; i < held.length; i++) if (held[i] > 0 && (best < 0 || held[i] > held[best])) best = i;
        if (best >= 0) return devices.get(best);
        int start = Math.floorMod(turn.getAndIncrement(), devices.size());
        Device least = null;
        long leastBytes = Long.MAX_VALUE;
        for (int k = 0; k < devices.size(); k++) {
            Device d = devices.get((start + k) % devices.size());
            long bytes = d.bytesInUse().getAsLong();
            if (bytes < leastBytes) {
                least = d;
                leastBytes = bytes;
            }
        }
        return least;
    }

    private void addHeld(Block b, long[] held) {
        if (b == null) return;
        if (b instanceof Partial p) {
            for (Block part : p.parts()) addHeld(part, held);
            return;
        }
        for (int i = 0; i < devices.size(); i++) {
            if (devices.get(i).holds().test(b)) {
                held[i] += Math.max(1, b.bytes());
                return;
            }
        }
    }

    /** {@code b} as device {@code on} can take it: itself, or a host copy of a block another device holds. */
    private Block local(Device on, Block b) {
        if (b == null) return null;
        if (b instanceof Partial p) {
            Block[] parts = new Block[p.parts().length];
            boolean moved = false;
            for (int i = 0; i < parts.length; i++) {
                parts[i] = local(on, p.parts()[i]);
                moved |= parts[i] != p.parts()[i];
            }
            return moved ? new Partial(parts) : p;
        }
        Device o = owner(b);
        return o == null || o == on ? b : o.backend().toHost(b);
    }

    private Block[] local(Device on, Block[] blocks) {
        Block[] out = new Block[blocks.length];
        for (int i = 0; i < blocks.length; i++) out[i] = local(on, blocks[i]);
        return out;
    }

    @Override
    public Block fromHost(HostBlock block) { return place().backend().fromHost(block); }

    @Override
    public HostBlock toHost(Block block) {
        Device o = owner(block);
        return (o == null ? devices.get(0) : o).backend().toHost(block);
    }

    @Override
    public void release(Block block) {
        if (block instanceof Partial p) {
            for (Block part : p.parts()) release(part);
            return;
        }
        Device o = owner(block);
        if (o != null) o.backend().release(block);
    }

    @Override
    public Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region) {
        Device d = place(inputs);
        return d.backend().elementwise(expr, local(d, inputs), inputStrides, region);
    }

    @Override
    public void elementwiseInto(Expr expr, Block[] inputs, int[][] inputStrides, Region region, HostBlock dst,
                                int dstOffset, int[] dstStrides) {
        Device d = place(inputs);
        d.backend().elementwiseInto(expr, local(d, inputs), inputStrides, region, dst, dstOffset, dstStrides);
    }

    @Override
    public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
        Device d = place(input);
        return d.backend().reducePartial(op, local(d, input), axes, argAxisOffset);
    }

    @Override
    public Block reducePartialOf(ReduceOp op, Expr expr, Block[] inputs, int[][] inputStrides, Region region,
                                 boolean[] axes, long argAxisOffset) {
        Device d = place(inputs);
        return d.backend().reducePartialOf(op, expr, local(d, inputs), inputStrides, region, axes, argAxisOffset);
    }

    @Override
    public boolean streamsReduction(ReduceOp op, Expr expr, Region region, boolean[] axes) {
        return devices.get(0).backend().streamsReduction(op, expr, region, axes);
    }

    @Override
    public Block reduceCombine(ReduceOp op, List<Block> partials) {
        Device d = place(partials.toArray(Block[]::new));
        return d.backend().reduceCombine(op, List.of(local(d, partials.toArray(Block[]::new))));
    }

    @Override
    public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) {
        Device d = place(partial);
        return d.backend().reduceFinish(op, local(d, partial), dtype, shape);
    }

    @Override
    public Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
        Device d = c != null && owner(c) != null ? owner(c) : place(a, b, c); // C is updated in place
        return d.backend().gemm(transA, transB, alpha, local(d, a), local(d, b), beta, c == null ? null : local(d, c));
    }

    @Override
    public void matmulInto(Block[] a, Block[] b, HostBlock dst, int dstOffset, int[] dstStrides) {
        Block[] all = new Block[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Device d = place(all);
        d.backend().matmulInto(local(d, a), local(d, b), dst, dstOffset, dstStrides);
    }

    @Override
    public int gemmTile() { return devices.get(0).backend().gemmTile(); }

    @Override
    public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) {
        Device d = place(sources);
        return d.backend().assemble(dtype, shape, local(d, sources), pieces);
    }

    @Override
    public Block scan(ReduceOp op, Block input, int axis) {
        Device d = place(input);
        return d.backend().scan(op, local(d, input), axis);
    }

    @Override
    public Block histogram(Block input, int bins, double lo, double hi, int[] shape) {
        Device d = place(input);
        return d.backend().histogram(local(d, input), bins, lo, hi, shape);
    }

    /** The devices' delegated calls, summed by kind. */
    @Override
    public Map<String, Long> delegatedCalls() {
        Map<String, Long> out = new TreeMap<>();
        for (Device d : devices) d.backend().delegatedCalls().forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }

    @Override
    public String delegateName() { return devices.get(0).backend().delegateName(); }

    /** Closes every device's backend; the first failure is thrown after all are closed, the others suppressed. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (Device d : devices) {
            try {
                d.backend().close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (failure == null) failure = r;
                else failure.addSuppressed(r);
            }
        }
        if (failure != null) throw failure;
    }
}
