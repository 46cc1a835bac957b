package io.chunkwise.bench.suite;

/**
 * One row of the results. A case whose product failed validation has status {@link #FAILED} and no performance
 * figures (null): the suite does not report the speed of a wrong answer.
 *
 * @param system            what was measured: "chunkwise", or a peer (openblas, nd4j, numpy, dask)
 * @param dtype             NumPy name of the element type
 * @param chunk             the chunk size; a peer that does not chunk gets n (the whole matrix)
 * @param backend           the backend's name ("cpu" for the peers)
 * @param members           processes that computed (1 for the local scheduler)
 * @param gflopsMedian      2 n^3 / median time, in 10^9 per second
 * @param ratioToBestPeer   gflopsMedian over the best peer's on the same dtype and n (the fastest peer gets 1); null
 *                          without a validated peer
 * @param efficiency        gflopsMedian over the measured peak of this machine for the dtype ({@link PeakProbe})
 * @param peakGflops        that peak
 * @param residual          the validator's relative residual (NaN when the product held a NaN)
 */
public record CaseResult(String system, String dtype, int n, int chunk, String backend, int members, int threads,
                         Double gflopsMedian, Double gflopsMin, Double gflopsMax, Double ratioToBestPeer,
                         Double efficiency, Double peakGflops, double residual, String status, Double secondsMedian,
                         int reps, String detail) {
    public static final String OK = "ok";
    public static final String FAILED = "FAILED";

    public boolean ok() {
        return OK.equals(status);
    }

    public boolean peer() {
        return !MatmulSuite.SYSTEM.equals(system);
    }

    /** This row with the comparison figures filled in. */
    public CaseResult compared(Double ratio, Double efficiency, Double peak) {
        return new CaseResult(system, dtype, n, chunk, backend, members, threads, gflopsMedian, gflopsMin, gflopsMax,
                ratio, efficiency, peak, residual, status, secondsMedian, reps, detail);
    }
}
