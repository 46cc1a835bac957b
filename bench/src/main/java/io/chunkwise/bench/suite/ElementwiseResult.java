package io.chunkwise.bench.suite;

/**
 * One row of the second section: a memory-bound or scheduling workload measured on one system.
 *
 * @param system     chunkwise, java (the plain-Java limit the workload is held against), numpy or dask
 * @param workload   mul_add ({@code x.mul(x).add(10)} into a new array), mul_add_into (the same by
 *                   {@code computeInto} into an array allocated beforehand), sum ({@code x.sum()}), random (standard
 *                   normal generation), tiny ({@code ones(n, chunk).sum()}: scheduling cost per task)
 * @param n          elements
 * @param chunk      elements per chunk (n for an unchunked system)
 * @param unit       GB/s (bytes read + written per second; higher is better) or us/task (lower is better)
 * @param median     the figure at the median time; min and max are the figures at the slowest and fastest runs
 *                   (for us/task min is the fastest)
 * @param vsJava     speed relative to the java row of the same workload (above 1: faster); null without one
 * @param vsBestPeer speed relative to the fastest of numpy and dask on the same workload (above 1: faster)
 */
public record ElementwiseResult(String system, String workload, long n, long chunk, int threads, String unit,
                                Double median, Double min, Double max, Double vsJava, Double vsBestPeer,
                                String status, String detail) {
    public static final String GBS = "GB/s";
    public static final String US_PER_TASK = "us/task";

    public boolean ok() {
        return CaseResult.OK.equals(status);
    }

    /** Higher figures are better (throughput), or lower (time per task). */
    public boolean higherIsBetter() {
        return !US_PER_TASK.equals(unit);
    }

    /** A throughput for ratios: the median figure, or its inverse for a time. */
    Double speed() {
        if (median == null) return null;
        return higherIsBetter() ? median : 1.0 / median;
    }

    ElementwiseResult compared(Double java, Double bestPeer) {
        return new ElementwiseResult(system, workload, n, chunk, threads, unit, median, min, max, java, bestPeer, status, detail);
    }
}
