package io.chunkwise.bench.suite;

import io.chunkwise.NDArray;

/**
 * Another library's matrix product, timed on the same operands as ours ({@link MatmulInputs}), one run at a time
 * interleaved with ours, and validated by the suite like ours. A peer that does not chunk runs once per dtype and
 * size, on the whole matrices.
 */
public interface MatmulPeer {
    /** The name of its rows: openblas, nd4j, numpy, dask. */
    String system();

    /** Whether the chunk size is a parameter of this peer (dask): then it runs once per chunk size of the grid. */
    default boolean chunked() { return false; }

    /** Gets ready to multiply {@code in.a() @ in.b()} with {@code threads} threads (outside any timing). */
    Run start(MatmulCase c, MatmulInputs in, int threads) throws Exception;

    /** A product ready to run: {@link #time()} computes it once, {@link #product()} is the last one computed. */
    interface Run extends Trial {
        NDArray product() throws Exception;
    }
}
