package io.chunkwise.io;

import io.chunkwise.Chunks;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.Shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Arrays, shapes and chunkings for the file format tests: random values (with NaN, infinities, -0.0 and integer
 * extremes), a pattern that the Python side of the interop tests computes too, and random regular or ragged grids.
 */
final class SampleArrays {
    private SampleArrays() {}

    /** Shapes every round trip covers before its random ones: 0-d, size-0 axes first, last and in between, 1 to 4 axes. */
    static final long[][] EDGE_SHAPES = {{}, {0}, {1}, {0, 3}, {4, 0}, {3, 0, 2}, {7}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}};

    /** A random shape of 0 to 4 axes; about one shape in five has an axis of length 0. */
    static long[] randomShape(Random r) {
        int nd = r.nextInt(5);
        long[] shape = new long[nd];
        for (int a = 0; a < nd; a++) shape[a] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(nd <= 2 ? 9 : 5);
        return shape;
    }

    /** A regular chunk shape for {@code shape}, sometimes larger than an axis. */
    static int[] randomChunkShape(Random r, long[] shape) {
        int[] c = new int[shape.length];
        for (int a = 0; a < shape.length; a++) c[a] = 1 + r.nextInt((int) Math.max(shape[a], 1) + 1);
        return c;
    }

    /** A ragged grid: each axis cut at random places. */
    static Chunks randomRaggedChunks(Random r, long[] shape) {
        long[][] sizes = new long[shape.length][];
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] == 0) {
                sizes[a] = new long[]{0};
                continue;
            }
            List<Long> parts = new ArrayList<>();
            long left = shape[a];
            while (left > 0) {
                long p = 1 + r.nextInt((int) left);
                parts.add(p);
                left -= p;
            }
            sizes[a] = parts.stream().mapToLong(Long::longValue).toArray();
        }
        return Chunks.explicit(sizes);
    }

    /** Random values of {@code dtype}, including the special values of each type. */
    static NDArray random(Random r, DType dtype, long[] shape) {
        int n = Math.toIntExact(Shapes.size(shape));
        return switch (dtype) {
            case FLOAT64 -> {
                double[] d = new double[n];
                double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE};
                for (int i = 0; i < n; i++) d[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : r.nextGaussian() * 1e3;
                yield NDArray.of(d, shape);
            }
            case FLOAT32 -> {
                float[] d = new float[n];
                float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE};
                for (int i = 0; i < n; i++) d[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextGaussian() * 1e3);
                yield NDArray.of(d, shape);
            }
            case INT64 -> {
                long[] d = new long[n];
                long[] special = {Long.MIN_VALUE, Long.MAX_VALUE, -1, 0};
                for (int i = 0; i < n; i++) d[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : r.nextLong();
                yield NDArray.of(d, shape);
            }
            case INT32 -> {
                int[] d = new int[n];
                int[] special = {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0};
                for (int i = 0; i < n; i++) d[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : r.nextInt();
                yield NDArray.of(d, shape);
            }
            case BOOL -> {
                byte[] d = new byte[n];
                for (int i = 0; i < n; i++) d[i] = (byte) r.nextInt(2);
                yield NDArray.ofBools(d, shape);
            }
        };
    }

    /**
     * Element {@code i} (in C order) of the interop pattern; the Python scripts compute the same values with NumPy:
     * float {@code i * 0.5 - 3.25}, int64 {@code i * 3000000007 - 10}, int32 {@code i * 7 - 100}, bool {@code i % 3 == 0}.
     */
    static NDArray pattern(DType dtype, long[] shape) {
        int n = Math.toIntExact(Shapes.size(shape));
        return switch (dtype) {
            case FLOAT64 -> {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) d[i] = i * 0.5 - 3.25;
                yield NDArray.of(d, shape);
            }
            case FLOAT32 -> {
                float[] d = new float[n];
                for (int i = 0; i < n; i++) d[i] = (float) (i * 0.5 - 3.25);
                yield NDArray.of(d, shape);
            }
            case INT64 -> {
                long[] d = new long[n];
                for (int i = 0; i < n; i++) d[i] = i * 3_000_000_007L - 10;
                yield NDArray.of(d, shape);
            }
            case INT32 -> {
                int[] d = new int[n];
                for (int i = 0; i < n; i++) d[i] = i * 7 - 100;
                yield NDArray.of(d, shape);
            }
            case BOOL -> {
                byte[] d = new byte[n];
                for (int i = 0; i < n; i++) d[i] = (byte) (i % 3 == 0 ? 1 : 0);
                yield NDArray.ofBools(d, shape);
            }
        };
    }

    /** The same pattern as a Python function {@code pattern(dtype_name, shape)}, for the interop scripts. */
    static final String PYTHON_PATTERN = """
            import numpy as np
            def pattern(dt, shape):
                i = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64)
                if dt in ('float64', 'float32'):
                    v = (i * 0.5 - 3.25).astype(dt)
                elif dt == 'int64':
                    v = i * 3000000007 - 10
                elif dt == 'int32':
                    v = (i * 7 - 100).astype(np.int32)
                elif dt == 'bool':
                    v = i % 3 == 0
                else:
                    raise ValueError(dt)
                return v.reshape(tuple(shape))
            """;
}
