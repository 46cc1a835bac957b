package io.chunkwise;

import java.util.Arrays;
import java.util.function.Consumer;

/** Shape arithmetic shared by the API layer, the graph and the backends. */
public final class Shapes {
    private Shapes() {}

    /**
     * Checks that a shape is one.
     *
     * @param shape the shape
     * @throws ShapeMismatchException when it is null or has a negative dimension
     */
    public static void checkShape(long[] shape) {
        if (shape == null) throw new ShapeMismatchException("shape is null");
        for (long s : shape) {
            if (s < 0) throw new ShapeMismatchException("negative dimension in shape " + Arrays.toString(shape));
        }
    }

    /**
     * The number of elements of a shape.
     *
     * @param shape the shape
     * @return the product of its dimensions (1 for {@code ()})
     * @throws ShapeMismatchException when that is more than a long counts (possible only with no zero axis)
     */
    public static long size(long[] shape) {
        for (long s : shape) if (s == 0) return 0;
        long n = 1;
        for (long s : shape) {
            if (n > Long.MAX_VALUE / s) throw new ShapeMismatchException("shape " + str(shape) + " has more elements than a long counts");
            n *= s;
        }
        return n;
    }

    /**
     * The number of elements of a chunk's shape.
     *
     * @param shape the shape
     * @return the product of its dimensions
     * @throws ArithmeticException when that exceeds an int
     */
    public static int size(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return Math.toIntExact(n);
    }

    /**
     * The row-major element strides of a chunk's shape.
     *
     * @param shape the shape
     * @return how many elements each axis's index steps over
     */
    public static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            st[a] = s;
            s *= shape[a];
        }
        return st;
    }

    /**
     * The row-major element strides of a shape.
     *
     * @param shape the shape
     * @return how many elements each axis's index steps over
     */
    public static long[] strides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            st[a] = s;
            s *= shape[a];
        }
        return st;
    }

    /**
     * NumPy's string of a shape.
     *
     * @param shape the shape
     * @return e.g. {@code (3, 4)}, {@code (5,)}, {@code ()}
     */
    public static String str(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append(", ");
            b.append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /**
     * NumPy's string of a chunk's shape.
     *
     * @param shape the shape
     * @return e.g. {@code (3, 4)}, {@code (5,)}, {@code ()}
     */
    public static String str(int[] shape) {
        return str(Arrays.stream(shape).asLongStream().toArray());
    }

    /**
     * NumPy broadcasting of two shapes (right-aligned; 1 stretches).
     *
     * @param a one shape
     * @param b the other
     * @return the shape of the result
     * @throws ShapeMismatchException when they do not broadcast together
     */
    public static long[] broadcast(long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long x = i < n - a.length ? 1 : a[i - (n - a.length)];
            long y = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new ShapeMismatchException("operands could not be broadcast together with shapes "
                        + str(a) + " " + str(b));
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /**
     * Normalises an axis.
     *
     * @param axis an axis in {@code [-ndim, ndim)}
     * @param ndim the number of dimensions
     * @return the axis in {@code [0, ndim)}
     * @throws AxisOutOfRangeException for an axis out of that range
     */
    public static int axis(int axis, int ndim) {
        if (axis < -ndim || axis >= ndim) {
            throw new AxisOutOfRangeException("axis " + axis + " is out of bounds for array of dimension " + ndim);
        }
        return axis < 0 ? axis + ndim : axis;
    }

    /**
     * Normalises a list of axes.
     *
     * @param axes axes in {@code [-ndim, ndim)}; none (or null) means all
     * @param ndim the number of dimensions
     * @return the axes in {@code [0, ndim)}, sorted
     * @throws AxisOutOfRangeException for an axis out of range, or one given twice
     */
    public static int[] axes(int[] axes, int ndim) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[ndim];
            for (int i = 0; i < ndim; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[ndim];
        for (int ax : axes) {
            int a = axis(ax, ndim);
            if (seen[a]) throw new AxisOutOfRangeException("duplicate value in axes " + Arrays.toString(axes));
            seen[a] = true;
        }
        int[] out = new int[axes.length];
        int k = 0;
        for (int a = 0; a < ndim; a++) if (seen[a]) out[k++] = a;
        return out;
    }

    /**
     * Visits every index of a grid in row-major order (one visit, with an empty index, for a 0-d grid).
     *
     * @param grid the size of each axis
     * @param action called with each index (a new array each time)
     */
    public static void forEachIndex(int[] grid, Consumer<int[]> action) {
        for (int g : grid) if (g == 0) return;
        int[] idx = new int[grid.length];
        while (true) {
            action.accept(idx.clone());
            int a = grid.length - 1;
            while (a >= 0 && ++idx[a] == grid[a]) idx[a--] = 0;
            if (a < 0) return;
        }
    }
}
