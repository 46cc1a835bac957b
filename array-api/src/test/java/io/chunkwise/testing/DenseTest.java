package io.chunkwise.testing;

import io.chunkwise.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The oracle checked against answers worked out with NumPy, so that the conformance suite tests the library, not Dense. */
class DenseTest {
    private static final Dense A = Dense.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3);   // np.arange(1, 7).reshape(2, 3)

    private static void same(double[] expected, long[] shape, Dense actual) {
        assertArrayEquals(shape, actual.shape(), "shape");
        assertArrayEquals(expected, actual.values(), 0.0, "values");
    }

    @Test
    void broadcasting() {
        same(new double[]{11, 22, 33, 14, 25, 36}, new long[]{2, 3}, A.add(Dense.of(new double[]{10, 20, 30}, 3)));
        same(new double[]{0, 1, 2, 2, 3, 4}, new long[]{2, 3}, A.sub(Dense.of(new double[]{1, 2}, 2, 1)));
        same(new double[]{2, 4, 6, 8, 10, 12}, new long[]{2, 3}, Dense.scalar(2).mul(A));
        same(new double[]{1, 0, 0, 1}, new long[]{2, 2}, Dense.of(new double[]{1, 2}, 2, 1).eq(Dense.of(new double[]{1, 2}, 2)));
    }

    @Test
    void numpySpecialValues() {
        assertEquals(1.0, Dense.cpow(1.0, Double.NaN));        // np.power(1.0, np.nan) == 1.0
        assertEquals(1.0, Dense.cpow(Double.NaN, 0.0));
        assertEquals(1.0, Dense.cpow(-1.0, Double.POSITIVE_INFINITY));
        same(new double[]{Double.NaN, 2}, new long[]{2}, Dense.of(new double[]{Double.NaN, 1}, 2).maximum(Dense.of(new double[]{3, 2}, 2)));
        same(new double[]{1, 0, 1, 1}, new long[]{4}, Dense.of(new double[]{Double.NaN, 0, -0.5, 2}, 4).roundTo(DType.BOOL));
        same(new double[]{-2, 2, 0}, new long[]{3}, Dense.of(new double[]{-2.9, 2.9, -0.5}, 3).roundTo(DType.INT32));
        same(new double[]{(float) 0.1}, new long[0], Dense.scalar(0.1).roundTo(DType.FLOAT32));
        same(new double[]{-2147483648.0}, new long[0], Dense.scalar(2147483648.0).roundTo(DType.INT32));
        // np.array([nan, inf, 3e9, -2.9, 2147483647.9]).astype(np.int32) on x86; to int64 3e9 fits
        double[] floats = {Double.NaN, Double.POSITIVE_INFINITY, 3e9, -2.9, 2147483647.9};
        same(new double[]{-0x1p31, -0x1p31, -0x1p31, -2, 2147483647}, new long[]{5}, Dense.of(floats, 5).astype(DType.FLOAT64, DType.INT32));
        same(new double[]{-0x1p63, -0x1p63, 3e9, -2, 2147483647}, new long[]{5}, Dense.of(floats, 5).astype(DType.FLOAT64, DType.INT64));
        same(new double[]{1, 0}, new long[]{2}, Dense.of(new double[]{3e9, 0}, 2).astype(DType.INT64, DType.BOOL));
    }

    @Test
    void reductions() {
        same(new double[]{5, 7, 9}, new long[]{3}, A.sum(0));
        same(new double[]{6, 15}, new long[]{2}, A.sum(-1));
        same(new double[]{21}, new long[0], A.sum());
        same(new double[]{720}, new long[0], A.prod(0, 1));
        same(new double[]{6, 120}, new long[]{2}, A.prod(1));
        same(new double[]{1, 4}, new long[]{2}, A.min(1));
        same(new double[]{2.5, 3.5, 4.5}, new long[]{3}, A.mean(0));
        same(new double[]{2.25, 2.25, 2.25}, new long[]{3}, A.var(0));
        same(new double[]{1.5, 1.5, 1.5}, new long[]{3}, A.std(0));
        same(new double[]{0}, new long[0], Dense.of(new double[0], 0).sum());
        same(new double[]{1}, new long[0], Dense.of(new double[0], 0).prod());
        same(new double[]{Double.NaN}, new long[0], Dense.of(new double[0], 0).mean());
        same(new double[]{Double.NaN}, new long[0], Dense.of(new double[]{1, Double.NaN, 3}, 3).max());
        same(new double[]{Double.NaN}, new long[0], Dense.of(new double[]{1, Double.POSITIVE_INFINITY}, 2).var());
        same(new double[]{Double.NaN}, new long[0], Dense.of(new double[]{Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}, 2).sum());
        // the sum is rounded once: 1e16 + 1 + 1 - 1e16 == 2
        same(new double[]{2}, new long[0], Dense.of(new double[]{1e16, 1, 1, -1e16}, 4).sum());
    }

    @Test
    void argReductions() {
        Dense t = Dense.of(new double[]{3, 1, 3, 0, 0, 2}, 2, 3);
        same(new double[]{0, 2}, new long[]{2}, t.argmax(1));         // first of the tied 3s
        same(new double[]{1, 0}, new long[]{2}, t.argmin(1));
        same(new double[]{0, 0, 0}, new long[]{3}, t.argmax(0));
        same(new double[]{1, 1, 1}, new long[]{3}, t.argmin(-2));
        Dense n = Dense.of(new double[]{1, Double.NaN, 5, Double.NaN}, 4);
        same(new double[]{1}, new long[0], n.argmax(0));               // np.argmax([1, nan, 5, nan]) == 1
        same(new double[]{1}, new long[0], n.argmin(0));
    }

    @Test
    void nanReductionsAnyAllScansHistogramAndTensordot() {
        double n = Double.NaN;
        Dense m = Dense.of(new double[]{1, n, 3, n, n, n}, 2, 3);   // np.array([[1, nan, 3], [nan, nan, nan]])
        same(new double[]{4, 0}, new long[]{2}, m.nansum(1));
        same(new double[]{2, n}, new long[]{2}, m.nanmean(1));
        same(new double[]{1, n, 3}, new long[]{3}, m.nanmin(0));
        same(new double[]{3, n}, new long[]{2}, m.nanmax(1));
        same(new double[]{1, n}, new long[]{2}, m.nanvar(1));
        same(new double[]{0, n, 0}, new long[]{3}, m.nanstd(0));
        same(new double[]{1, 0}, new long[]{2}, Dense.of(new double[]{0, n, 0, 0}, 2, 2).any(1));
        same(new double[]{0, 1}, new long[]{2}, Dense.of(new double[]{0, n, 1, -1}, 2, 2).all(1));
        same(new double[]{0, 0}, new long[]{2}, Dense.of(new double[0], 2, 0).any(1));
        same(new double[]{1, 1}, new long[]{2}, Dense.of(new double[0], 2, 0).all(1));
        same(new double[]{1, 2, 3, 5, 7, 9}, new long[]{2, 3}, A.cumsum(0, DType.FLOAT64));
        same(new double[]{1, 2, 6, 4, 20, 120}, new long[]{2, 3}, A.cumprod(-1, DType.FLOAT64));
        same(new double[]{1e8, 1e8, 1e8}, new long[]{3}, Dense.of(new double[]{1e8, 1, 1}, 3).cumsum(0, DType.FLOAT32));   // float32 steps
        // np.histogram([0, .1, ..., .7, 1, 1.1, nan], 3, (0.1, 0.7)); the last bin is closed
        Dense h = Dense.of(new double[]{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0, 1.1, n}, 11);
        same(new double[]{2, 2, 3}, new long[]{3}, h.histogram(3, 0.1, 0.7, false));
        same(new double[]{1, 3}, new long[]{2}, Dense.of(new double[]{2, 2, 1.5, 2.5, 2.6}, 5).histogram(2, 2, 2, false));   // range (2, 2): [1.5, 2.5]
        // float32 data has float32 edges: edge 7 of linspace(0, 1, 11) rounds below float32(0.7)'s bin boundary
        double f07 = (float) 0.7;
        same(new double[]{0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, new long[]{10}, Dense.of(new double[]{f07}, 1).histogram(10, 0, 1, true));
        same(new double[]{0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, new long[]{10}, Dense.of(new double[]{f07}, 1).histogram(10, 0, 1, false));
        Dense c = Dense.arange(24).reshape(2, 3, 4), d = Dense.arange(12).reshape(4, 3);
        same(new double[]{440, 1232}, new long[]{2}, c.tensordot(d, new int[]{2, 1}, new int[]{0, 1}));
        assertArrayEquals(new long[]{2, 3, 3}, c.tensordot(d, new int[]{-1}, new int[]{0}).shape());
        same(new double[]{3, 4, 6, 8}, new long[]{2, 2}, Dense.of(new double[]{1, 2}, 2).tensordot(Dense.of(new double[]{3, 4}, 2), new int[0], new int[0]));
    }

    @Test
    void matmul() {
        Dense b = Dense.of(new double[]{1, 0, 0, 1, 2, 3}, 3, 2);
        same(new double[]{7, 11, 16, 23}, new long[]{2, 2}, A.matmul(b));
        same(new double[]{14, 32}, new long[]{2}, A.matmul(Dense.of(new double[]{1, 2, 3}, 3)));
        same(new double[]{9, 12, 15}, new long[]{3}, Dense.of(new double[]{1, 2}, 2).matmul(A));
        same(new double[]{5}, new long[0], Dense.of(new double[]{1, 2}, 2).matmul(Dense.of(new double[]{1, 2}, 2)));
        same(new double[]{0, 0, 0, 0}, new long[]{2, 2}, Dense.of(new double[0], 2, 0).matmul(Dense.of(new double[0], 0, 2)));
    }

    @Test
    void manipulation() {
        same(new double[]{1, 4, 2, 5, 3, 6}, new long[]{3, 2}, A.transpose());
        Dense c = Dense.arange(24).reshape(2, 3, 4);
        Dense p = c.transpose(1, -1, 0);    // np.arange(24).reshape(2,3,4).transpose(1,2,0)
        assertArrayEquals(new long[]{3, 4, 2}, p.shape());
        assertEquals(13, p.get(0, 1, 1));
        assertEquals(22, p.get(2, 2, 1));
        same(new double[]{1, 2, 3, 4, 5, 6}, new long[]{3, 2}, A.reshape(-1, 2));
        same(new double[]{6, 4}, new long[]{2}, A.slice(Sel.range(null, null, -1), Sel.range(null, null, -2)).slice(Sel.index(0)));
        same(new double[]{3, 6}, new long[]{2}, A.slice(Sel.all(), Sel.index(-1)));
        same(new double[]{3, 2}, new long[]{2}, A.slice(Sel.index(0), Sel.range(5L, 0L, -1)));
        same(new double[]{1, 3, 4, 6}, new long[]{2, 2}, A.slice(Sel.all(), Sel.range(-100L, 100L, 2)));
        same(new double[]{}, new long[]{2, 0}, A.slice(Sel.all(), Sel.range(2L, 1L, 1)));
        same(new double[]{6}, new long[0], A.slice(Sel.index(-1), Sel.index(-1)));
        same(new double[]{1, 2, 3, 9, 4, 5, 6, 9}, new long[]{2, 4}, Dense.concatenate(1, A, Dense.full(9, 2, 1)));
        same(new double[]{1, 2, 3, 4, 5, 6, 0, 0, 0}, new long[]{3, 3}, Dense.concatenate(-2, A, Dense.full(0, 1, 3)));
        same(new double[]{1, 7, 2, 8}, new long[]{2, 2}, Dense.stack(-1, Dense.of(new double[]{1, 2}, 2), Dense.of(new double[]{7, 8}, 2)));
        same(new double[]{1, 2, 7, 8}, new long[]{2, 2}, Dense.stack(0, Dense.of(new double[]{1, 2}, 2), Dense.of(new double[]{7, 8}, 2)));
        same(new double[]{5, 1}, new long[]{2}, Dense.where(Dense.of(new double[]{1, 0}, 2), Dense.scalar(5), Dense.of(new double[]{0, 1}, 2)));
    }

    @Test
    void manipulationAndSelection() {
        same(new double[]{4, 5, 6, 1, 2, 3}, new long[]{2, 3}, A.flip(0));             // np.flip(A, 0)
        same(new double[]{3, 2, 1, 6, 5, 4}, new long[]{2, 3}, A.flip(-1));
        same(new double[]{1, 4, 2, 5, 3, 6}, new long[]{3, 2}, A.swapaxes(0, -1));      // np.swapaxes(A, 0, -1)
        same(A.values(), new long[]{2, 1, 3}, A.expandDims(1));                         // np.expand_dims(A, 1).shape
        same(A.values(), new long[]{2, 3, 1}, A.expandDims(-1));
        same(A.values(), new long[]{2, 3}, A.expandDims(0).expandDims(-1).squeeze());
        same(A.values(), new long[]{2, 3, 1}, A.expandDims(0).expandDims(-1).squeeze(0));
        same(new double[]{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}, new long[]{2, 2, 3}, A.broadcastTo(2, 2, 3));
        same(new double[]{1, 1, 2, 2}, new long[]{2, 2}, Dense.of(new double[]{1, 2}, 2, 1).broadcastTo(2, 2));
        same(A.values(), new long[]{6}, A.ravel());
        same(new double[]{3, 1, 3, 6, 4, 6}, new long[]{2, 3}, A.take(new long[]{2, 0, -1}, 1));   // np.take(A, [2, 0, -1], axis=1)
        same(new double[]{4, 5, 6, 4, 5, 6}, new long[]{2, 3}, A.take(new long[]{-1, 1}, 0));
        same(new double[0], new long[]{2, 0}, A.take(new long[0], 1));
        // np.extract(cond, A) with cond raveled: non-zero (NaN too) selects, in C order
        same(new double[]{1, 3, 6}, new long[]{3}, A.extract(Dense.of(new double[]{1, 0, Double.NaN, 0, 0, -2}, 3, 2)));
    }
}
