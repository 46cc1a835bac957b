package io.chunkwise.cluster;

import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Per-job and per-task overhead of the cluster against the local scheduler; runs only with
 * {@code -Dchunkwise.bench=true} and prints its figures.
 */
class ClusterOverheadBench {
    @Test
    void overhead() {
        assumeTrue(Boolean.getBoolean("chunkwise.bench"), "a benchmark: run with -Dchunkwise.bench=true");
        int chunks = Integer.getInteger("chunkwise.bench.chunks", 10_000);
        try (Chunkwise local = Chunkwise.builder().threads(2).build();
             Chunkwise cluster = Chunkwise.builder().threads(2).cluster(ClusterSpec.embedded(2)).build()) {
            for (Chunkwise cw : new Chunkwise[]{local, cluster}) {
                String name = cw == local ? "local" : "cluster of 2";
                for (int rep = 0; rep < 3; rep++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 50; i++) cw.arange(DType.INT64, 10, 3).sum().compute();
                    long t1 = System.nanoTime();
                    double small = (t1 - t0) / 50e6;
                    double[] data = new double[200 * 50];
                    for (int i = 0; i < 10; i++) cw.fromArray(data, new long[]{data.length}, new int[]{50}).add(1).sum().compute();
                    long t1b = System.nanoTime();
                    System.out.printf("%s: fromArray(200 chunks).add(1).sum() %.2f ms%n", name, (t1b - t1) / 10e6);
                    t1 = System.nanoTime();
                    double s = cw.ones(DType.FLOAT64, new long[]{chunks * 100L}, new int[]{100}).sum().compute().getDouble();
                    long t2 = System.nanoTime();
                    System.out.printf("%s: small job %.2f ms; ones(%d chunks).sum() = %.0f in %.1f ms (%.1f us a chunk)%n", name,
                            small, chunks, s, (t2 - t1) / 1e6, (t2 - t1) / 1e3 / chunks);
                }
            }
        }
    }
}
