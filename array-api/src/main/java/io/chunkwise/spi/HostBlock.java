package io.chunkwise.spi;

import io.chunkwise.DType;
import io.chunkwise.Shapes;

import java.util.Arrays;

/**
 * A dense row-major block in a Java array: {@code double[]} for FLOAT64, {@code float[]} FLOAT32, {@code long[]}
 * INT64, {@code int[]} INT32 and {@code byte[]} (0 or 1) for BOOL.
 */
public final class HostBlock implements Block {
    private final DType dtype;
    private final int[] shape;
    private final Object data;

    public HostBlock(DType dtype, int[] shape, Object data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        int n = Shapes.size(shape);
        if (java.lang.reflect.Array.getLength(data) != n || data.getClass() != arrayClass(dtype)) {
            throw new IllegalArgumentException("a " + dtype + " block of shape " + Arrays.toString(shape)
                    + " needs " + arrayClass(dtype).getSimpleName() + " of " + n + " elements");
        }
    }

    public static HostBlock allocate(DType dtype, int[] shape) {
        return new HostBlock(dtype, shape, newArray(dtype, Shapes.size(shape)));
    }

    public static Object newArray(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT64 -> new double[n];
            case FLOAT32 -> new float[n];
            case INT64 -> new long[n];
            case INT32 -> new int[n];
            case BOOL -> new byte[n];
        };
    }

    public static Class<?> arrayClass(DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> double[].class;
            case FLOAT32 -> float[].class;
            case INT64 -> long[].class;
            case INT32 -> int[].class;
            case BOOL -> byte[].class;
        };
    }

    @Override public DType dtype() { return dtype; }

    @Override public int[] shape() { return shape.clone(); }

    public int size() { return java.lang.reflect.Array.getLength(data); }

    @Override public long bytes() { return (long) size() * dtype.byteSize(); }

    /** The backing array (not a copy). */
    public Object data() { return data; }

    public double[] doubles() { return (double[]) data; }

    public float[] floats() { return (float[]) data; }

    public long[] longs() { return (long[]) data; }

    public int[] ints() { return (int[]) data; }

    public byte[] bools() { return (byte[]) data; }

    /** Element {@code i} (flat) as a double; slow path for tests and reference code. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT64 -> ((double[]) data)[i];
            case FLOAT32 -> ((float[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case BOOL -> ((byte[]) data)[i];
        };
    }

    /** Element {@code i} (flat) as a long (floats truncated toward zero); slow path. */
    public long getLong(int i) {
        return switch (dtype) {
            case FLOAT64 -> (long) ((double[]) data)[i];
            case FLOAT32 -> (long) ((float[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case BOOL -> ((byte[]) data)[i];
        };
    }

    @Override
    public String toString() {
        return "HostBlock[" + dtype + " " + Shapes.str(shape) + "]";
    }
}
