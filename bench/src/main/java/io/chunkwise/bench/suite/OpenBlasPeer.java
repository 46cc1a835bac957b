package io.chunkwise.bench.suite;

import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.cpu.OpenBlas;

/**
 * The practical limit: one OpenBLAS {@code dgemm}/{@code sgemm} call on the whole row-major matrices, through the
 * binding the CPU backend uses (the same native library), into a result allocated beforehand. OpenBLAS's thread count
 * is process-wide: it is set to the case's thread count around each call and put back afterwards, outside the
 * timing (the CPU backend runs one BLAS thread per scheduler thread).
 */
final class OpenBlasPeer implements MatmulPeer {
    @Override
    public String system() { return "openblas"; }

    @Override
    public Run start(MatmulCase c, MatmulInputs in, int threads) {
        int n = c.n();
        boolean f64 = c.dtype() == DType.FLOAT64;
        double[] da = f64 ? in.a().toDoubleArray() : null, db = f64 ? in.b().toDoubleArray() : null;
        float[] fa = f64 ? null : in.a().toFloatArray(), fb = f64 ? null : in.b().toFloatArray();
        double[] dc = f64 ? new double[n * n] : null;
        float[] fc = f64 ? null : new float[n * n];
        return new Run() {
            @Override
            public double time() {
                return OpenBlas.withThreads(threads, () -> {
                    long t0 = System.nanoTime();
                    if (f64) OpenBlas.dgemm(n, n, n, da, db, dc);
                    else OpenBlas.sgemm(n, n, n, fa, fb, fc);
                    return (System.nanoTime() - t0) / 1e9;
                });
            }

            @Override
            public long settleMillis() {
                return threads > 1 ? OPENBLAS_SETTLE_MILLIS : 0;
            }

            @Override
            public NDArray product() {
                return f64 ? NDArray.of(dc, n, n) : NDArray.of(fc, n, n);
            }
        };
    }
}
