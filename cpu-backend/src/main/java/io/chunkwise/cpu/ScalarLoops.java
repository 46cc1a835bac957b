package io.chunkwise.cpu;

/**
 * The loops in plain Java: the fallback where the Vector API is missing, and the reference that {@link VectorLoops}
 * must match. The elementwise loops and min and max, alike for both tile types, are generated into
 * {@link TypedScalarLoops} from one template ({@code src/codegen}); here are the rest. C2 unrolls and vectorises
 * these counted loops on its own where the operation allows (not the float sums: their order is fixed).
 */
class ScalarLoops extends TypedScalarLoops {
    @Override String describe() { return "scalar loops"; }

    // ---------------------------------------------------------------- reductions

    @Override
    long sum(long[] a, int off, int n) {
        long s = 0;
        for (int i = off; i < off + n; i++) s += a[i];
        return s;
    }

    @Override
    void addLanes(double[] a, int off, int m, double[] lanes) {
        for (int r = 0; r < m; r += LANES) {
            for (int j = 0; j < LANES; j++) lanes[j] += a[off + r + j];
        }
    }

    @Override
    void addSquaredLanes(double[] a, int off, int m, double mean, double[] lanes) {
        for (int r = 0; r < m; r += LANES) {
            for (int j = 0; j < LANES; j++) {
                double d = a[off + r + j] - mean;
                lanes[j] += d * d;
            }
        }
    }

    // ---------------------------------------------------------------- random numbers

    @Override
    RandomLoops random() {
        return RandomLoops.SCALAR;
    }
}
