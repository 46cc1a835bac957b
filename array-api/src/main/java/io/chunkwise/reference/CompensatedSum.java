package io.chunkwise.reference;

/** Neumaier's compensated sum: exact to about one rounding, the yardstick for checking fast float sums. */
public final class CompensatedSum {
    private CompensatedSum() {}

    /** {sum, sum of |x|} of {@code a}, the sum compensated (the second value scales a relative error). */
    public static double[] of(double[] a) {
        double sum = 0, comp = 0, abs = 0;
        for (double v : a) {
            double t = sum + v;
            comp += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
            abs += Math.abs(v);
        }
        return new double[]{sum + comp, abs};
    }
}
