package io.chunkwise;

import io.chunkwise.spi.HostBlock;

import java.util.Arrays;

/**
 * A dense, row-major array on the caller's JVM: what {@link ChunkedArray#compute()} returns. Immutable, except
 * that {@link ChunkedArray#computeInto} replaces all of its values.
 */
public final class NDArray {
    private final long[] shape;
    private final HostBlock block;

    private NDArray(long[] shape, HostBlock block) {
        this.shape = shape;
        this.block = block;
    }

    /**
     * Wraps a block without copying; the block must not be changed afterwards.
     *
     * @param block the values, row-major
     * @param shape the array's shape, of the block's size
     * @return the array
     */
    public static NDArray wrap(HostBlock block, long[] shape) {
        if (Shapes.size(shape) != block.size()) {
            throw new ShapeMismatchException("shape " + Shapes.str(shape) + " does not hold " + block.size() + " elements");
        }
        return new NDArray(shape.clone(), block);
    }

    /**
     * A FLOAT64 array of a copy of {@code data}.
     *
     * @param data the values, row-major
     * @param shape the array's shape, of {@code data.length} elements
     * @return the array
     */
    public static NDArray of(double[] data, long... shape) { return copyOf(DType.FLOAT64, data, shape); }

    /**
     * A FLOAT32 array of a copy of {@code data}.
     *
     * @param data the values, row-major
     * @param shape the array's shape, of {@code data.length} elements
     * @return the array
     */
    public static NDArray of(float[] data, long... shape) { return copyOf(DType.FLOAT32, data, shape); }

    /**
     * An INT64 array of a copy of {@code data}.
     *
     * @param data the values, row-major
     * @param shape the array's shape, of {@code data.length} elements
     * @return the array
     */
    public static NDArray of(long[] data, long... shape) { return copyOf(DType.INT64, data, shape); }

    /**
     * An INT32 array of a copy of {@code data}.
     *
     * @param data the values, row-major
     * @param shape the array's shape, of {@code data.length} elements
     * @return the array
     */
    public static NDArray of(int[] data, long... shape) { return copyOf(DType.INT32, data, shape); }

    /**
     * A BOOL array.
     *
     * @param data the values, row-major, as 0 (false) or non-zero (true) bytes
     * @param shape the array's shape, of {@code data.length} elements
     * @return the array
     */
    public static NDArray ofBools(byte[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] != 0 ? 1 : 0);
        return make(DType.BOOL, b, shape);
    }

    private static NDArray copyOf(DType dtype, Object data, long[] shape) {
        Object copy = java.lang.reflect.Array.newInstance(data.getClass().getComponentType(), java.lang.reflect.Array.getLength(data));
        System.arraycopy(data, 0, copy, 0, java.lang.reflect.Array.getLength(data));
        return make(dtype, copy, shape);
    }

    private static NDArray make(DType dtype, Object data, long[] shape) {
        Shapes.checkShape(shape);
        long n = Shapes.size(shape);
        int len = java.lang.reflect.Array.getLength(data);
        if (n != len) {
            throw new ShapeMismatchException("data of " + len + " elements does not fit shape " + Shapes.str(shape)
                    + " (" + n + " elements)");
        }
        int[] flat = {len};
        return new NDArray(shape.clone(), new HostBlock(dtype, flat, data));
    }

    /** {@return the shape (a copy)} */
    public long[] shape() { return shape.clone(); }

    /** {@return the element type} */
    public DType dtype() { return block.dtype(); }

    /** {@return the number of dimensions} */
    public int ndim() { return shape.length; }

    /** {@return the number of elements} */
    public long size() { return block.size(); }

    /** {@return the values as a flat block (not a copy; do not modify)} */
    public HostBlock block() { return block; }

    /**
     * One element as a double.
     *
     * @param index one index per axis; negative counts from the end
     * @return the element
     * @throws IndexOutOfRangeException for an index out of bounds, or a wrong number of them
     */
    public double getDouble(long... index) { return block.getDouble(flatIndex(index)); }

    /**
     * One element as a long (floats truncated toward zero).
     *
     * @param index one index per axis; negative counts from the end
     * @return the element
     * @throws IndexOutOfRangeException for an index out of bounds, or a wrong number of them
     */
    public long getLong(long... index) { return block.getLong(flatIndex(index)); }

    private int flatIndex(long[] index) {
        if (index.length != shape.length) {
            throw new IndexOutOfRangeException("array is " + shape.length + "-dimensional, but " + index.length
                    + " indices were given");
        }
        long flat = 0;
        for (int a = 0; a < shape.length; a++) {
            long i = index[a] < 0 ? index[a] + shape[a] : index[a];
            if (i < 0 || i >= shape[a]) {
                throw new IndexOutOfRangeException("index " + index[a] + " is out of bounds for axis " + a + " with size " + shape[a]);
            }
            flat = flat * shape[a] + i;
        }
        return (int) flat;
    }

    /** {@return a row-major copy of the values as doubles} */
    public double[] toDoubleArray() {
        if (block.dtype() == DType.FLOAT64) return block.doubles().clone();
        double[] out = new double[block.size()];
        for (int i = 0; i < out.length; i++) out[i] = block.getDouble(i);
        return out;
    }

    /** {@return a row-major copy of the values as floats (rounded)} */
    public float[] toFloatArray() {
        if (block.dtype() == DType.FLOAT32) return block.floats().clone();
        float[] out = new float[block.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) block.getDouble(i);
        return out;
    }

    /** {@return a row-major copy of the values as longs (floats truncated toward zero)} */
    public long[] toLongArray() {
        if (block.dtype() == DType.INT64) return block.longs().clone();
        long[] out = new long[block.size()];
        for (int i = 0; i < out.length; i++) out[i] = block.getLong(i);
        return out;
    }

    @Override
    public String toString() {
        int n = (int) Math.min(size(), 8);
        StringBuilder b = new StringBuilder("NDArray(").append(dtype().numpyName()).append(", ").append(Shapes.str(shape)).append(", [");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? ", " : "");
            switch (dtype()) {
                case BOOL -> b.append(block.getLong(i) != 0 ? "True" : "False");
                case INT32, INT64 -> b.append(block.getLong(i));
                default -> b.append(block.getDouble(i));
            }
        }
        return b.append(size() > n ? ", ...])" : "])").toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NDArray other) || !Arrays.equals(shape, other.shape) || dtype() != other.dtype()) return false;
        return java.util.Objects.deepEquals(block.data(), other.block.data());
    }

    @Override
    public int hashCode() { return Arrays.hashCode(shape) * 31 + dtype().hashCode(); }
}
