package io.chunkwise.bench.suite;

import io.chunkwise.NDArray;
import io.chunkwise.cpu.OpenBlas;
import io.chunkwise.nd4j.Nd4jArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ND4J's {@code mmul} in this JVM, on C-ordered INDArrays made from the operands before timing; each timed product
 * allocates its result, as ours does. In the benchmark's class path ND4J runs on the same JavaCPP OpenBLAS library
 * as the CPU backend (Maven picks one version of it), so OpenBLAS's thread count is set around each product as for
 * {@link OpenBlasPeer} and put back afterwards. ND4J's own thread pool is set to one thread ({@link #load}): with
 * more, its threads spin against OpenBLAS's on the same cores and a product takes milliseconds longer.
 */
final class Nd4jPeer implements MatmulPeer {
    @Override
    public String system() { return "nd4j"; }

    @Override
    public Run start(MatmulCase c, MatmulInputs in, int threads) {
        INDArray a = Nd4jArrays.toINDArray(in.a()), b = Nd4jArrays.toINDArray(in.b());
        return new Run() {
            private INDArray last;

            @Override
            public double time() {
                Nd4jPeer.close(last); // the previous product's native memory, outside the timing
                last = null;
                return OpenBlas.withThreads(threads, () -> {
                    long t0 = System.nanoTime();
                    last = a.mmul(b);
                    return (System.nanoTime() - t0) / 1e9;
                });
            }

            @Override
            public long settleMillis() {
                return threads > 1 ? OPENBLAS_SETTLE_MILLIS : 0;
            }

            @Override
            public NDArray product() {
                return Nd4jArrays.fromINDArray(last);
            }

            @Override
            public void close() {
                Nd4jPeer.close(last);
                Nd4jPeer.close(a);
                Nd4jPeer.close(b);
            }
        };
    }

    /** Frees the native memory now rather than at the next garbage collection. */
    private static void close(INDArray x) {
        if (x != null && x.closeable()) x.close();
    }

    /**
     * Loads ND4J's native backend (the first use takes a few seconds) and returns its version, or throws with the
     * reason it cannot run here. Puts OpenBLAS's thread count back, which ND4J's start-up changes.
     */
    static String load() {
        int before = OpenBlas.threads();
        try {
            // ND4J's own op threads (OpenMP) would spin against the BLAS threads on the same cores: its mmul is the
            // BLAS call, so its own pool gets one thread (as OMP_NUM_THREADS=1 would)
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(1);
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(1);
            INDArray probe = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 2, 2);
            double v = probe.mmul(probe).getDouble(0, 0);
            if (v != 2.0) throw new IllegalStateException("ND4J computes [[1,1],[1,1]] @ itself as " + v + " at [0,0]");
            close(probe);
            return versionFromPom();
        } finally {
            OpenBlas.setThreads(before);
        }
    }

    private static String versionFromPom() {
        try (var s = Nd4jPeer.class.getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (s == null) return "unknown version";
            var p = new java.util.Properties();
            p.load(s);
            return p.getProperty("version", "unknown version");
        } catch (java.io.IOException e) {
            return "unknown version";
        }
    }
}
