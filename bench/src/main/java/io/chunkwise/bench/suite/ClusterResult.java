package io.chunkwise.bench.suite;

/**
 * One row of the cluster section: a workload measured on one system.
 *
 * @param workload matmul ({@code x.matmul(y)}, n x n float64), fused_sum ({@code (x*x+10).sum()} over n float64
 *                 persisted; fused_sum_drawn: x drawn in the graph on every run),
 *                 tiny ({@code ones(n, chunks of 10).sum()}: the cost per task) or transfer (reading one chunk
 *                 envelope of n bytes from another member process)
 * @param system   chunkwise (local when members is 1, else an embedded cluster), distributed (dask.distributed, a
 *                 LocalCluster of members worker processes) or hazelcast (the transfer rows)
 * @param n        matrix size, elements or bytes
 * @param chunk    chunk edge or elements per chunk (bytes per chunk for transfer)
 * @param members  processes (or embedded members) that computed; 1 for the local scheduler
 * @param unit     GFLOP/s, s, us/task or GB/s
 * @param median   the figure at the median sample; min and max the lowest and highest figures
 * @param samples  timed runs (reads for transfer)
 */
public record ClusterResult(String workload, String system, long n, long chunk, int members, String unit,
                            Double median, Double min, Double max, int samples, String status, String detail) {
    public static final String OK = CaseResult.OK;
    public static final String FAILED = CaseResult.FAILED;
    public static final String GFLOPS = "GFLOP/s";
    public static final String SECONDS = "s";
    public static final String US_PER_TASK = ElementwiseResult.US_PER_TASK;
    public static final String GBS = ElementwiseResult.GBS;

    public boolean ok() {
        return OK.equals(status);
    }

    /**
     * A ratio of the section, taken round by round from runs timed side by side (median and spread over the rounds),
     * with the target for it.
     *
     * @param workload as in the rows
     * @param quantity what the ratio is, e.g. "cluster / local time"
     * @param target   e.g. "<= 1.3", or "-" for none
     * @param verdict  met, missed, or "-" (no target, or no figure)
     */
    public record Ratio(String workload, String quantity, Double median, Double min, Double max, int rounds,
                        String target, String verdict) {}
}
