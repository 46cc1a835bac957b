package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Block;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A dense row-major chunk in device memory, owned by the {@link DeviceMemoryPool} of one {@link GpuBackend}.
 * {@link #close()} (or {@link GpuBackend#release}) gives the memory back to the pool, once; a closed block refuses
 * to be read. An empty block holds no memory.
 */
public final class DeviceBlock implements Block, AutoCloseable {
    private final DType dtype;
    private final int[] shape;
    private final int size;
    private final DeviceMemoryPool<DevicePointer> pool;
    private final DeviceMemoryPool.Buffer<DevicePointer> buffer;
    private final AtomicBoolean released = new AtomicBoolean();

    private DeviceBlock(DType dtype, int[] shape, DeviceMemoryPool<DevicePointer> pool) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.size = Shapes.size(shape);
        this.pool = pool;
        this.buffer = size == 0 ? null : pool.allocate((long) size * dtype.byteSize());
    }

    /** An uninitialised block from the pool. */
    static DeviceBlock allocate(DType dtype, int[] shape, DeviceMemoryPool<DevicePointer> pool) {
        return new DeviceBlock(dtype, shape, pool);
    }

    @Override public DType dtype() { return dtype; }

    @Override public int[] shape() { return shape.clone(); }

    /** Number of elements. */
    public int size() { return size; }

    @Override public long bytes() { return (long) size * dtype.byteSize(); }

    /** The device address; the block must not be closed. Null for an empty block. */
    DevicePointer pointer() {
        if (released.get()) throw new IllegalStateException("DeviceBlock[" + dtype + " " + Shapes.str(shape) + "] was released");
        return buffer == null ? null : buffer.pointer();
    }

    boolean isReleased() { return released.get(); }

    /** Gives the memory back to the pool (idempotent). */
    @Override
    public void close() {
        if (released.compareAndSet(false, true) && buffer != null) pool.free(buffer);
    }

    @Override
    public String toString() {
        return "DeviceBlock[" + dtype + " " + Shapes.str(shape) + (released.get() ? ", released" : "") + "]";
    }
}
