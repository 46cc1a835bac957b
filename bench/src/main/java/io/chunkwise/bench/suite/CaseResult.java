package io.chunkwise.bench.suite;

/**
 * One row of the results. A case whose product failed validation has status {@link #FAILED} and no performance
 * figures (null): the suite does not report the speed of a wrong answer.
 *
 * @param system            what was measured ("chunkwise", later the peers)
 * @param dtype             NumPy name of the element type
 * @param backend           the backend's name
 * @param members           processes that computed (1 for the local scheduler)
 * @param gflopsMedian      2 n^3 / median time, in 10^9 per second
 * @param ratioToBestPeer   gflopsMedian over the best peer's on the same case; null without peers
 * @param residual          the validator's relative residual (NaN when the product held a NaN)
 */
public record CaseResult(String system, String dtype, int n, int chunk, String backend, int members, int threads,
                         Double gflopsMedian, Double gflopsMin, Double gflopsMax, Double ratioToBestPeer,
                         double residual, String status, Double secondsMedian, int reps, String detail) {
    public static final String OK = "ok";
    public static final String FAILED = "FAILED";

    public boolean ok() {
        return OK.equals(status);
    }
}
