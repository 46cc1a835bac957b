package io.chunkwise.nd4j;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.NDArray;
import io.chunkwise.ShapeMismatchException;
import io.chunkwise.Shapes;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.HostBlock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nd4jArraysTest {
    private static Chunkwise cw;

    @BeforeAll
    static void open() { cw = Chunkwise.builder().threads(3).backend(new ReferenceBackend()).build(); }

    @AfterAll
    static void close() { cw.close(); }

    // ---- helpers ----

    private static long[] randomShape(Random r, int maxRank, int maxDim) {
        long[] shape = new long[r.nextInt(maxRank + 1)];
        for (int a = 0; a < shape.length; a++) shape[a] = 1 + r.nextInt(maxDim);
        return shape;
    }

    /** Random values of {@code dtype}, spanning the type's range (full-range longs and ints, negative floats). */
    private static NDArray randomNDArray(Random r, DType dtype, long[] shape) {
        int n = (int) Shapes.size(shape);
        Object data = HostBlock.newArray(dtype, n);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT64 -> ((double[]) data)[i] = r.nextGaussian() * 1e3;
                case FLOAT32 -> ((float[]) data)[i] = (float) (r.nextGaussian() * 1e3);
                case INT64 -> ((long[]) data)[i] = r.nextLong();
                case INT32 -> ((int[]) data)[i] = r.nextInt();
                case BOOL -> ((byte[]) data)[i] = (byte) r.nextInt(2);
            }
        }
        return NDArray.wrap(new HostBlock(dtype, new int[]{n}, data), shape);
    }

    private static INDArray randomINDArray(Random r, DType dtype, long[] shape) {
        return Nd4jArrays.toINDArray(randomNDArray(r, dtype, shape));
    }

    /** Checks element by element through ND4J's own indexing (so through its strides, order and offset). */
    private static void assertSameValues(NDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertEquals(Nd4jArrays.toDataType(expected.dtype()), actual.dataType(), "type");
        long[] shape = expected.shape();
        long[] idx = new long[shape.length];
        for (long flat = 0; flat < expected.size(); flat++) {
            long rest = flat;
            for (int a = shape.length - 1; a >= 0; a--) {
                idx[a] = rest % shape[a];
                rest /= shape[a];
            }
            String where = "at " + Arrays.toString(idx);
            switch (expected.dtype()) {
                case FLOAT64, FLOAT32 -> assertEquals(expected.getDouble(idx), actual.getDouble(idx), where);
                case INT64, INT32 -> assertEquals(expected.getLong(idx), actual.getLong(idx), where);
                case BOOL -> assertEquals(expected.getLong(idx) != 0, actual.getDouble(idx) != 0, where);
            }
        }
    }

    // ---- round trips ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void ndarrayToIndarrayAndBack(DType dtype) {
        Random r = new Random(1000 + dtype.ordinal());
        for (int t = 0; t < 40; t++) {
            NDArray a = randomNDArray(r, dtype, randomShape(r, 4, 6));
            INDArray x = Nd4jArrays.toINDArray(a);
            assertEquals('c', x.ordering());
            assertSameValues(a, x);
            NDArray back = Nd4jArrays.fromINDArray(x);
            assertEquals(a, back, "round trip of " + a);
            assertNotSame(a.block().data(), back.block().data());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fortranOrderedIndarray(DType dtype) {
        Random r = new Random(2000 + dtype.ordinal());
        for (int t = 0; t < 20; t++) {
            long[] shape = randomShape(r, 4, 6);
            // at least two axes longer than 1 (with fewer, C and Fortran order are the same layout)
            if (Arrays.stream(shape).filter(d -> d > 1).count() < 2) shape = new long[]{2 + r.nextInt(4), 1, 2 + r.nextInt(4)};
            NDArray a = randomNDArray(r, dtype, shape);
            INDArray f = Nd4jArrays.toINDArray(a).dup('f');
            assertEquals('f', f.ordering());
            assertFalse(Nd4jArrays.isCContiguous(f), "a Fortran array of shape " + Arrays.toString(shape) + " is not C-contiguous");
            assertEquals(a, Nd4jArrays.fromINDArray(f));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void viewsWithAndWithoutGaps(DType dtype) {
        Random r = new Random(3000 + dtype.ordinal());
        for (int t = 0; t < 20; t++) {
            long[] shape = {3 + r.nextInt(4), 3 + r.nextInt(4), 2 + r.nextInt(4)};
            INDArray x = randomINDArray(r, dtype, shape);
            long row = 1 + r.nextInt((int) shape[0] - 1);

            // rows row.. of the first axis: contiguous in the buffer, at an offset (read without dup)
            INDArray rows = x.get(NDArrayIndex.interval(row, shape[0]), NDArrayIndex.all(), NDArrayIndex.all());
            assertTrue(rows.isView() && rows.offset() > 0 && Nd4jArrays.isCContiguous(rows));
            assertSameValues(Nd4jArrays.fromINDArray(rows.dup('c')), rows);
            assertEquals(Nd4jArrays.fromINDArray(rows.dup('c')), Nd4jArrays.fromINDArray(rows));
            // views of that view, contiguous and with gaps (ND4J 1.0.0-M2.1 returns an empty array when a view of a
            // view starts past index 0 of the first axis, so these keep index 0 there)
            INDArray inner = rows.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(1, shape[1]), NDArrayIndex.all());
            assertTrue(inner.isView() && inner.offset() > rows.offset() && Nd4jArrays.isCContiguous(inner));
            assertSameValues(Nd4jArrays.fromINDArray(inner), inner);
            INDArray innerGaps = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(1, shape[1]), NDArrayIndex.all());
            assertEquals(rows.size(0) == 1, Nd4jArrays.isCContiguous(innerGaps)); // one row left: no gap
            assertSameValues(Nd4jArrays.fromINDArray(innerGaps), innerGaps);

            // a range of the last axis, and a permutation: views with gaps (read through dup('c'))
            INDArray cols = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, shape[2]));
            assertTrue(cols.isView() && !Nd4jArrays.isCContiguous(cols));
            assertSameValues(Nd4jArrays.fromINDArray(cols), cols);
            INDArray perm = x.permute(2, 0, 1);
            assertFalse(Nd4jArrays.isCContiguous(perm));
            assertSameValues(Nd4jArrays.fromINDArray(perm), perm);
            // strided steps along the middle axis
            INDArray step = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, shape[1]), NDArrayIndex.all());
            assertSameValues(Nd4jArrays.fromINDArray(step), step);
        }
    }

    @Test
    void scalarsAndEmptyArrays() {
        for (DType dtype : DType.values()) {
            NDArray s = randomNDArray(new Random(7), dtype, new long[0]);
            INDArray xs = Nd4jArrays.toINDArray(s);
            assertEquals(0, xs.rank());
            assertEquals(s, Nd4jArrays.fromINDArray(xs));
            NDArray e = randomNDArray(new Random(7), dtype, new long[]{3, 0, 2});
            INDArray xe = Nd4jArrays.toINDArray(e);
            assertTrue(xe.isEmpty());
            assertArrayEquals(new long[]{3, 0, 2}, xe.shape());
            assertEquals(e, Nd4jArrays.fromINDArray(xe));
        }
        assertEquals(NDArray.of(new double[]{2.5}), Nd4jArrays.fromINDArray(Nd4j.scalar(2.5)));
        // ND4J's rank-0 empty array has no element, while a Chunkwise array of shape () has one
        assertThrows(ShapeMismatchException.class, () -> Nd4jArrays.fromINDArray(Nd4j.empty(DataType.DOUBLE)));
    }

    @Test
    void dtypeMapping() {
        for (DType d : DType.values()) assertEquals(d, Nd4jArrays.toDType(Nd4jArrays.toDataType(d)));
        INDArray half = Nd4j.ones(DataType.FLOAT16, 2, 2);
        DTypeException e = assertThrows(DTypeException.class, () -> Nd4jArrays.fromINDArray(half));
        assertTrue(e.getMessage().contains("HALF") && e.getMessage().contains("castTo"), e.getMessage());
        assertThrows(DTypeException.class, () -> Nd4jArrays.fromINDArray(Nd4j.ones(DataType.INT8, 3)));
        // ND4J's own BOOL results come through as 0/1
        INDArray x = Nd4j.createFromArray(-1.0, 0.5, 2.0, 0.0);
        assertEquals(NDArray.ofBools(new byte[]{0, 1, 1, 0}, 4), Nd4jArrays.fromINDArray(x.gt(0.1)));
    }

    @Test
    void copiesAreIndependent() {
        INDArray x = Nd4j.createFromArray(new double[][]{{1, 2}, {3, 4}});
        NDArray a = Nd4jArrays.fromINDArray(x);
        ChunkedArray c = Nd4jArrays.fromINDArray(cw, x, new int[]{1, 2});
        x.muli(10);
        assertEquals(NDArray.of(new double[]{1, 2, 3, 4}, 2, 2), a);
        assertEquals(a, c.compute());
        INDArray y = Nd4jArrays.toINDArray(a);
        y.addi(1);
        assertEquals(1.0, a.getDouble(0, 0));
    }

    // ---- chunked computations ----

    @Test
    void chunkedComputationOnAnIndarrayMatchesNd4j() {
        Random r = new Random(42);
        INDArray x = Nd4j.createFromArray(randomNDArray(r, DType.FLOAT64, new long[]{37, 23}).toDoubleArray()).reshape('c', 37, 23);
        INDArray xf = x.dup('f'); // handed in in Fortran order
        ChunkedArray cx = Nd4jArrays.fromINDArray(cw, xf, new int[]{10, 8});
        assertEquals(4 * 3, cx.chunks().chunkCount());

        // elementwise: tanh(x / 1000) * 3 + 1
        ChunkedArray cy = cx.div(1000).tanh().mul(3).add(1);
        INDArray expected = Transforms.tanh(x.div(1000)).mul(3).add(1);
        INDArray viaCompute = Nd4jArrays.toINDArray(cy.compute());
        INDArray viaChunks = Nd4jArrays.toINDArray(cy);
        assertTrue(expected.equalsWithEps(viaCompute, 1e-12), () -> "expected " + expected + " got " + viaCompute);
        assertEquals(viaCompute, viaChunks);

        // reductions along each axis, and in all
        assertTrue(x.sum(0).equalsWithEps(Nd4jArrays.toINDArray(cx.sum(0)), 1e-9));
        assertTrue(x.max(1).equalsWithEps(Nd4jArrays.toINDArray(cx.max(1)), 0));
        assertEquals(x.sumNumber().doubleValue(), Nd4jArrays.toINDArray(cx.sum()).getDouble(), 1e-9);

        // matmul against ND4J's BLAS gemm
        INDArray w = Nd4j.rand(DataType.DOUBLE, 23, 11).subi(0.5);
        ChunkedArray cw2 = Nd4jArrays.fromINDArray(cw, w, new int[]{8, 5});
        INDArray prod = Nd4jArrays.toINDArray(cx.matmul(cw2));
        assertTrue(x.mmul(w).equalsWithEps(prod, 1e-9), () -> "matmul differs: " + x.mmul(w).sub(prod).amaxNumber());

        // a comparison comes back as ND4J BOOL
        INDArray mask = Nd4jArrays.toINDArray(cx.gt(0));
        assertEquals(DataType.BOOL, mask.dataType());
        assertEquals(x.gt(0), mask);

        // and ND4J carries on with the result it was handed back
        assertEquals(expected.sumNumber().doubleValue(), viaChunks.sumNumber().doubleValue(), 1e-9);
    }

    @Test
    void chunkedIntegerComputationMatchesNd4j() {
        INDArray x = Nd4j.arange(0, 120).castTo(DataType.INT32).reshape('c', 4, 5, 6);
        INDArray view = x.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 5), NDArrayIndex.all()); // view with gaps
        ChunkedArray c = Nd4jArrays.fromINDArray(cw, view, new int[]{3, 2, 4});
        INDArray got = Nd4jArrays.toINDArray(c.mul(c).sub(7.0).astype(DType.INT32));
        INDArray expected = view.mul(view).sub(7);
        assertEquals(DataType.INT32, got.dataType());
        assertEquals(expected, got);
        INDArray sums = Nd4jArrays.toINDArray(c.astype(DType.INT64).sum(2));
        assertEquals(view.castTo(DataType.INT64).sum(2), sums);
    }

    /** toINDArray(ChunkedArray) writes chunk by chunk: check it against compute() over many shapes and chunkings. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void chunkwiseWriteMatchesCompute(DType dtype) {
        Random r = new Random(5000 + dtype.ordinal());
        for (int t = 0; t < 30; t++) {
            long[] shape = randomShape(r, 4, 7);
            int[] chunkShape = new int[shape.length];
            for (int a = 0; a < shape.length; a++) chunkShape[a] = 1 + r.nextInt((int) shape[a] + 1);
            NDArray a = randomNDArray(r, dtype, shape);
            ChunkedArray c = cw.fromNDArray(a, chunkShape);
            INDArray x = Nd4jArrays.toINDArray(c);
            assertSameValues(a, x);
            assertEquals(a, Nd4jArrays.fromINDArray(x));
        }
    }
}
