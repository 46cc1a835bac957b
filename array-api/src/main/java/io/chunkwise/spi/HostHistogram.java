package io.chunkwise.spi;

/**
 * numpy.histogram with equal bins over a given range, as NumPy computes it ({@code numpy/lib/_histograms_impl.py}):
 * the edges are {@code np.linspace(lo, hi, bins + 1)} in the data's float type (float32 for float32 data, float64
 * otherwise); a value is kept when {@code lo <= x <= hi} (NaN never is), its bin estimated as
 * {@code (x - lo) / (hi - lo) * bins} and then corrected by one against the edges, the last bin closed on the right.
 */
public final class HostHistogram {
    private HostHistogram() {}

    /**
     * {@code np.linspace(lo, hi, bins + 1)}: {@code i * step + lo} with {@code step = (hi - lo) / bins} (or
     * {@code i / bins * (hi - lo) + lo} where the step underflows to 0), the last edge {@code hi}; each rounded to
     * float32 where {@code float32}.
     *
     * @param bins the number of bins, at least 1
     * @param lo the lower edge
     * @param hi the upper edge
     * @param float32 whether the edges are float32 (for float32 data)
     * @return the {@code bins + 1} edges
     */
    public static double[] edges(int bins, double lo, double hi, boolean float32) {
        double[] e = new double[bins + 1];
        for (int i = 0; i <= bins; i++) e[i] = edge(i, bins, lo, hi, float32);
        return e;
    }

    /**
     * Edge {@code i} of {@link #edges}, computed alone.
     *
     * @param i the edge, in {@code [0, bins]}
     * @param bins the number of bins, at least 1
     * @param lo the lower edge
     * @param hi the upper edge
     * @param float32 whether the edges are float32
     * @return the edge
     */
    public static double edge(int i, int bins, double lo, double hi, boolean float32) {
        double delta = hi - lo, step = delta / bins;
        double e = i == bins ? hi : (step == 0 ? i / (double) bins * delta : i * step) + lo;
        return float32 ? (float) e : e;
    }

    /**
     * Adds the counts of {@code in}'s values to {@code counts} (NumPy's equal-bin algorithm; bools count as 0 and 1,
     * integers as float64, float32 data against float32 edges).
     *
     * @param in the values
     * @param bins the number of bins, at least 1
     * @param lo the lower edge, finite
     * @param hi the upper edge, finite and above {@code lo}
     * @param counts {@code bins} counts, added to
     */
    public static void count(HostBlock in, int bins, double lo, double hi, long[] counts) {
        if (bins < 1 || counts.length != bins) throw new IllegalArgumentException(bins + " bins with " + counts.length + " counts");
        boolean f32 = in.dtype() == io.chunkwise.DType.FLOAT32;
        double[] edges = edges(bins, lo, hi, f32);
        double first = f32 ? (float) lo : lo, last = f32 ? (float) hi : hi;
        double denom = hi - lo;
        int n = in.size();
        for (int i = 0; i < n; i++) {
            double x = in.getDouble(i);
            if (!(x >= first && x <= last)) continue;
            double diff = f32 ? (float) (x - first) : x - first;   // NumPy subtracts in the data's float type
            double f = diff / denom * bins;
            int idx = f >= bins ? bins - 1 : (int) f;                 // the last edge belongs to the last bin
            if (idx > 0 && x < edges[idx]) idx--;
            if (idx < bins - 1 && x >= edges[idx + 1]) idx++;
            counts[idx]++;
        }
    }
}
