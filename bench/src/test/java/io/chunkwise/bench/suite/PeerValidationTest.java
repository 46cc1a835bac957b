package io.chunkwise.bench.suite;

import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peers are timed on our operands and validated like ours: a wrong product is refused, whoever computed it. */
class PeerValidationTest {
    private static final int N = 40;

    private static Chunkwise context() {
        return Chunkwise.builder().backend(new ReferenceBackend()).threads(2).build();
    }

    /** A in plain double loops times B, rounded to the dtype. */
    private static NDArray multiply(NDArray a, NDArray b, DType t) {
        int n = (int) a.shape()[0];
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += a.getDouble(i, k) * b.getDouble(k, j);
                c[i * n + j] = s;
            }
        }
        if (t == DType.FLOAT64) return NDArray.of(c, n, n);
        float[] f = new float[c.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) c[i];
        return NDArray.of(f, n, n);
    }

    private static NDArray product32(double[] v, int n) {
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
        return NDArray.of(f, n, n);
    }

    /** A fake peer: the right product, or a wrong one. */
    private record FakePeer(String system, boolean wrong) implements MatmulPeer {
        @Override
        public Run start(MatmulCase c, MatmulInputs in, int threads) {
            return new Run() {
                private int runs;

                @Override
                public double time() {
                    return 0.001 * ++runs;
                }

                @Override
                public NDArray product() {
                    NDArray p = multiply(in.a(), in.b(), c.dtype());
                    if (!wrong) return p;
                    double[] v = p.toDoubleArray();
                    v[0] += 1.0; // entry (0, 0), always among the sampled ones, off by about 4% of its scale
                    return c.dtype() == DType.FLOAT64 ? NDArray.of(v, c.n(), c.n()) : product32(v, c.n());
                }
            };
        }
    }

    @Test
    void aPeersWrongProductIsRefusedAndLeftOutOfTheComparison() {
        try (Chunkwise cw = context(); MatmulInputs in = new MatmulInputs(cw, DType.FLOAT64, N, 42)) {
            MatmulSuite suite = new MatmulSuite(cw, 1, 3, 42, 1, 2);
            MatmulCase c = new MatmulCase(DType.FLOAT64, N, N);
            List<String> steps = new ArrayList<>();
            CaseResult wrong = suite.runPeer(new FakePeer("numpy", true), c, in, steps::add);
            assertEquals(suite.stepsPerCase(), steps.size());
            assertEquals(CaseResult.FAILED, wrong.status(), wrong.toString());
            assertEquals("numpy", wrong.system());
            assertTrue(wrong.detail().startsWith("wrong product: residual"), wrong.detail());
            assertTrue(wrong.residual() > 1e-8, wrong.toString());
            assertNull(wrong.gflopsMedian());
            assertNull(wrong.gflopsMin());
            assertNull(wrong.gflopsMax());

            CaseResult right = suite.runPeer(new FakePeer("openblas", false), c, in, s -> {});
            assertTrue(right.ok(), right.detail());
            assertEquals(N, right.chunk(), "a peer that does not chunk runs on the whole matrix");
            assertEquals("cpu", right.backend());
            CaseResult ours = suite.run(new MatmulCase(DType.FLOAT64, N, 16), s -> {});
            assertTrue(ours.ok(), ours.detail());

            List<CaseResult> rows = List.of(ours, right, wrong);
            List<CaseResult> compared = Comparison.compare(rows, Comparison.peaks(rows, Map.of("float64", 1000.0)));
            // the fastest validated peer is the reference; the refused one is not a candidate and gets no ratio
            assertEquals(1.0, compared.get(1).ratioToBestPeer(), 1e-12);
            assertEquals(ours.gflopsMedian() / right.gflopsMedian(), compared.get(0).ratioToBestPeer(), 1e-12);
            assertNull(compared.get(2).ratioToBestPeer());
            assertNull(compared.get(2).efficiency());
        }
    }

    @Test
    void aFloat32PeerIsHeldToTheFloat32Tolerance() {
        try (Chunkwise cw = context(); MatmulInputs in = new MatmulInputs(cw, DType.FLOAT32, N, 7)) {
            MatmulSuite suite = new MatmulSuite(cw, 0, 2, 7, 1, 2);
            MatmulCase c = new MatmulCase(DType.FLOAT32, N, 20);
            assertTrue(suite.runPeer(new FakePeer("dask", false), c, in, s -> {}).ok());
            CaseResult wrong = suite.runPeer(new FakePeer("dask", true), c, in, s -> {});
            assertEquals(CaseResult.FAILED, wrong.status(), wrong.toString());
        }
    }

    @Test
    void aPeerThatThrowsIsAFailedRowWithTheReason() {
        MatmulPeer broken = new MatmulPeer() {
            @Override public String system() { return "nd4j"; }

            @Override
            public Run start(MatmulCase c, MatmulInputs in, int threads) {
                throw new UnsatisfiedLinkError("no jnind4jcpu in java.library.path");
            }
        };
        try (Chunkwise cw = context(); MatmulInputs in = new MatmulInputs(cw, DType.FLOAT64, N, 1)) {
            MatmulSuite suite = new MatmulSuite(cw, 1, 2, 1, 1, 2);
            List<String> steps = new ArrayList<>();
            CaseResult r = suite.runPeer(broken, new MatmulCase(DType.FLOAT64, N, N), in, steps::add);
            assertEquals(CaseResult.FAILED, r.status());
            assertTrue(r.detail().contains("UnsatisfiedLinkError: no jnind4jcpu"), r.detail());
            assertEquals(suite.stepsPerCase(), steps.size(), "the progress bar still moves on");
        }
    }

    @Test
    void aGroupIsTimedInterleavedAndReportedInOrder() {
        List<String> order = new ArrayList<>();
        MatmulPeer recording = new MatmulPeer() {
            @Override public String system() { return "numpy"; }

            @Override
            public Run start(MatmulCase c, MatmulInputs in, int threads) {
                return new Run() {
                    @Override public double time() {
                        order.add("numpy");
                        return 0.5; // above Interleaved.HOT_BELOW_SECONDS: no untimed run before each timed one
                    }

                    @Override public NDArray product() { return multiply(in.a(), in.b(), c.dtype()); }
                };
            }
        };
        try (Chunkwise cw = context(); MatmulInputs in = new MatmulInputs(cw, DType.FLOAT64, N, 3)) {
            MatmulSuite suite = new MatmulSuite(cw, 1, 3, 3, 1, 2);
            List<String> steps = new ArrayList<>();
            List<CaseResult> rows = suite.runGroup(List.of(new MatmulCase(DType.FLOAT64, N, 20)),
                    List.of(new MatmulSuite.PeerCase(recording, new MatmulCase(DType.FLOAT64, N, N)),
                            new MatmulSuite.PeerCase(new FakePeer("dask", true), new MatmulCase(DType.FLOAT64, N, 20))),
                    in, s -> {
                        steps.add(s);
                        if (s.startsWith("numpy") || s.startsWith("dask")) return;
                        if (s.contains(" run ") || s.contains(" warmup ")) order.add("ours");
                    });
            assertEquals(List.of("chunkwise", "numpy", "dask"), rows.stream().map(CaseResult::system).toList());
            assertTrue(rows.get(0).ok() && rows.get(1).ok(), rows.toString());
            assertEquals(CaseResult.FAILED, rows.get(2).status());
            assertEquals(3 * suite.stepsPerCase(), steps.size());
            // warm-ups first, then rounds with the order reversed each time: ours numpy | numpy ours | ours numpy
            assertEquals(List.of("ours", "numpy", "ours", "numpy", "numpy", "ours", "ours", "numpy"), order);
        }
    }

    @Test
    void theOperandsAreTheOnesOurCasesMultiply() {
        try (Chunkwise cw = context(); MatmulInputs in = new MatmulInputs(cw, DType.FLOAT32, 9, 5)) {
            MatmulValidator.Matrix a = in.referenceA(), b = in.referenceB();
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j < 9; j++) {
                    assertEquals(a.get(i, j), in.a().getDouble(i, j), 0.0);
                    assertEquals(b.get(i, j), in.b().getDouble(i, j), 0.0);
                }
            }
            assertEquals(DType.FLOAT32, in.a().dtype());
        }
    }
}
