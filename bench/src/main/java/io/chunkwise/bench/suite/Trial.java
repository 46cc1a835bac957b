package io.chunkwise.bench.suite;

/**
 * One system, ready to run one workload again and again: the suite times it one run at a time, interleaved with the
 * systems it is compared with, so that a burst of load on this shared machine falls on all of them alike.
 */
public interface Trial extends AutoCloseable {
    /** Runs once and returns the seconds the run took. */
    double time() throws Exception;

    /**
     * How long the next system's run should wait after one of this trial's runs: OpenBLAS's own worker threads (used
     * when it runs on more than one thread) spin for about 2^28 cycles after a call before they sleep, and would take
     * a core from whatever runs next. {@value #OPENBLAS_SETTLE_MILLIS} ms for such a trial, else 0.
     */
    default long settleMillis() { return 0; }

    /** 2^28 cycles at 2 GHz and more, and some margin. */
    long OPENBLAS_SETTLE_MILLIS = 150;

    /** Frees what the trial holds; nothing by default. */
    @Override
    default void close() throws Exception {}
}
