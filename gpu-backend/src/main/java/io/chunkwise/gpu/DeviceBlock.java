package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Block;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A dense row-major chunk in device memory, owned by the {@link DeviceResidency} of one {@link GpuBackend}, which
 * may spill it to host memory while no operation uses it. {@link #close()} (or {@link GpuBackend#release}) gives the
 * memory back, once; a closed block refuses to be read. An empty block holds no memory.
 */
public final class DeviceBlock implements Block, AutoCloseable {
    private final DType dtype;
    private final int[] shape;
    private final int size;
    private final DeviceResidency<DevicePointer, ?, ?>.Chunk memory;
    private final AtomicBoolean released = new AtomicBoolean();

    private DeviceBlock(DType dtype, int[] shape, DeviceResidency<DevicePointer, ?, ?> residency) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        this.memory = size == 0 ? null : residency.allocate((long) size * dtype.byteSize());
    }

    /** An uninitialised block, pinned for the calling thread's operation. */
    static DeviceBlock allocate(DType dtype, int[] shape, DeviceResidency<DevicePointer, ?, ?> residency) {
        return new DeviceBlock(dtype, shape, residency);
    }

    @Override public DType dtype() { return dtype; }

    @Override public int[] shape() { return shape.clone(); }

    /** Number of elements. */
    public int size() { return size; }

    @Override public long bytes() { return (long) size * dtype.byteSize(); }

    /**
     * The device address, for the calling thread's current operation (uploaded again first where the block was
     * spilled; kept on the device until the thread's next operation). The block must not be closed. Null when empty.
     */
    DevicePointer pointer() {
        if (released.get()) throw new IllegalStateException("DeviceBlock[" + dtype + " " + Shapes.str(shape) + "] was released");
        return memory == null ? null : memory.pointer();
    }

    boolean isReleased() { return released.get(); }

    /** Whether the block's memory comes from {@code residency} (an empty block's comes from none). */
    boolean belongsTo(DeviceResidency<?, ?, ?> residency) { return memory != null && memory.residency() == residency; }

    /** Whether the block's memory is on the host now, spilled for room on the device. */
    boolean isSpilled() { return memory != null && memory.isSpilled(); }

    /** Gives the memory back (idempotent). */
    @Override
    public void close() {
        if (released.compareAndSet(false, true) && memory != null) memory.free();
    }

    @Override
    public String toString() {
        return "DeviceBlock[" + dtype + " " + Shapes.str(shape) + (released.get() ? ", released" : "") + "]";
    }
}
