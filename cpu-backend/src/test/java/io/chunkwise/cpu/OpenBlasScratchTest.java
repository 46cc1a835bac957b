package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.HostBlock;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GEMMs whose operands reach {@link OpenBlas#SCRATCH_BYTES}, which go through the kept native buffers: transposes,
 * accumulation into C and a second call on the same (already grown) buffers, checked entry by entry on samples
 * against a direct dot product in double.
 */
class OpenBlasScratchTest {
    private static final int SAMPLES = 64;

    @Test
    void largeOperandsThroughTheKeptBuffers() {
        assumeTrue(OpenBlas.available(), () -> "OpenBLAS not loaded: " + OpenBlas.problem());
        Random rnd = new Random(11);
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            int big = (int) (OpenBlas.SCRATCH_BYTES / t.byteSize());   // elements of the large operand
            int k = 1024, m = big / k, n = 48;
            for (boolean transA : new boolean[]{false, true}) {
                HostBlock a = random(t, transA ? new int[]{k, m} : new int[]{m, k}, rnd);
                HostBlock b = random(t, new int[]{k, n}, rnd);
                HostBlock c = random(t, new int[]{m, n}, rnd);
                HostBlock c0 = copy(c);
                double alpha = 0.5, beta = 2;
                OpenBlas.gemm(transA, false, alpha, a, b, beta, c, m, n, k);
                for (int s = 0; s < SAMPLES; s++) {
                    int i = rnd.nextInt(m), j = rnd.nextInt(n);
                    double dot = 0, scale = 0;
                    for (int p = 0; p < k; p++) {
                        double x = transA ? a.getDouble(p * m + i) : a.getDouble(i * k + p), y = b.getDouble(p * n + j);
                        dot += x * y;
                        scale += Math.abs(x * y);
                    }
                    double want = alpha * dot + beta * c0.getDouble(i * n + j);
                    double err = Math.abs(c.getDouble(i * n + j) - want) / (alpha * scale + Math.abs(beta * c0.getDouble(i * n + j)));
                    double tol = t == DType.FLOAT64 ? 1e-13 : 1e-5;
                    int fi = i, fj = j;
                    assertTrue(err <= tol, () -> t + (transA ? " A^T" : "") + " C[" + fi + "," + fj + "] relative error " + err);
                }
            }
        }
    }

    private static HostBlock random(DType t, int[] shape, Random rnd) {
        HostBlock h = HostBlock.allocate(t, shape);
        if (t == DType.FLOAT64) for (int i = 0; i < h.size(); i++) h.doubles()[i] = rnd.nextGaussian();
        else for (int i = 0; i < h.size(); i++) h.floats()[i] = (float) rnd.nextGaussian();
        return h;
    }

    private static HostBlock copy(HostBlock h) {
        Object data = h.dtype() == DType.FLOAT64 ? h.doubles().clone() : h.floats().clone();
        return new HostBlock(h.dtype(), h.shape(), data);
    }
}
