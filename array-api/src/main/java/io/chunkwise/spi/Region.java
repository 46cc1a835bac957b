package io.chunkwise.spi;

/** Where an output chunk lies in its array: its shape, its global offset, and the array's global shape. */
public record Region(int[] shape, long[] offset, long[] globalShape) {
    /** Row-major strides of the global array, to turn a global index into a flat one. */
    public long[] globalStrides() {
        return io.chunkwise.Shapes.strides(globalShape);
    }
}
