package io.chunkwise.spi;

import io.chunkwise.Shapes;

/**
 * NumPy's accumulate along one axis of a host block ({@code np.add.accumulate}, {@code np.multiply.accumulate}: the
 * kernels of cumsum and cumprod): each line from its first element on, {@code out[k] = out[k-1] op in[k]}, in the
 * block's own dtype (float32 rounds after every step, integers wrap), as NumPy does.
 */
public final class HostScans {
    private HostScans() {}

    /**
     * The inclusive scan of {@code in} along {@code axis}, in a new block of its dtype and shape.
     *
     * @param op SUM (cumsum) or PROD (cumprod)
     * @param in the block, of a numeric dtype
     * @param axis the axis, in {@code [0, ndim)}
     * @return the scanned block
     */
    public static HostBlock scan(ReduceOp op, HostBlock in, int axis) {
        if (op != ReduceOp.SUM && op != ReduceOp.PROD) throw new IllegalArgumentException("a scan is of sum or prod, not " + op);
        int[] shape = in.shape();
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("scan axis " + axis + " outside a block of shape " + Shapes.str(shape));
        }
        int len = shape[axis], inner = 1, outer = 1;
        for (int a = axis + 1; a < shape.length; a++) inner *= shape[a];
        for (int a = 0; a < axis; a++) outer *= shape[a];
        HostBlock out = HostBlock.allocate(in.dtype(), shape);
        if (out.size() == 0) return out;
        boolean sum = op == ReduceOp.SUM;
        int line = len * inner;
        switch (in.dtype()) {
            case FLOAT64 -> {
                double[] x = in.doubles(), y = out.doubles();
                for (int o = 0; o < outer; o++) {
                    int base = o * line;
                    System.arraycopy(x, base, y, base, inner);
                    for (int p = base + inner; p < base + line; p++) y[p] = sum ? y[p - inner] + x[p] : y[p - inner] * x[p];
                }
            }
            case FLOAT32 -> {
                float[] x = in.floats(), y = out.floats();
                for (int o = 0; o < outer; o++) {
                    int base = o * line;
                    System.arraycopy(x, base, y, base, inner);
                    for (int p = base + inner; p < base + line; p++) y[p] = sum ? y[p - inner] + x[p] : y[p - inner] * x[p];
                }
            }
            case INT64 -> {
                long[] x = in.longs(), y = out.longs();
                for (int o = 0; o < outer; o++) {
                    int base = o * line;
                    System.arraycopy(x, base, y, base, inner);
                    for (int p = base + inner; p < base + line; p++) y[p] = sum ? y[p - inner] + x[p] : y[p - inner] * x[p];
                }
            }
            case INT32, BOOL -> throw new IllegalArgumentException("no scan of " + in.dtype() + " blocks: the array layer scans integers and bools as int64");
        }
        return out;
    }
}
