package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SPI-level checks of {@link GpuBackend} against {@link ReferenceBackend}, on a real GPU. Where there is none each
 * test is skipped with the provider's reason (in the surefire XML report). Run only these with {@code -Dgroups=gpu}.
 */
@Tag("gpu")
class GpuBackendConformanceTest {
    private static final int[] SIZES = {1, 7, 65, 1023, 4097};

    private GpuBackend gpu;
    private final ReferenceBackend ref = new ReferenceBackend();
    private final List<Block> owned = new ArrayList<>();

    @BeforeEach
    void open() {
        Optional<String> reason = new GpuBackendProvider().unavailableReason();
        assumeTrue(reason.isEmpty(), "GPU backend unavailable: " + reason.orElse(""));
        gpu = GpuBackendProvider.createFirstDevice(1);
    }

    @AfterEach
    void close() {
        if (gpu == null) return;
        owned.forEach(gpu::release);
        gpu.close(); // throws when a block leaked
    }

    private <B extends Block> B own(B b) {
        owned.add(b);
        return b;
    }

    // ---- round trip ----

    @Test
    void roundTripKeepsEveryDtypeBitForBit() {
        for (DType t : DType.values()) {
            for (int[] shape : new int[][]{{0}, {1}, {4097}, {3, 0}, {17, 33}, {}}) {
                HostBlock h = randomBlock(t, shape, new Random(shape.length * 31L + t.ordinal()));
                Block d = own(gpu.fromHost(h));
                assertTrue(d instanceof DeviceBlock, "fromHost gives a device block");
                HostBlock back = gpu.toHost(d);
                assertEquals(java.util.Arrays.toString(h.shape()), java.util.Arrays.toString(back.shape()));
                assertTrue(java.util.Objects.deepEquals(h.data(), back.data()), t + " " + Shapes.str(shape));
            }
        }
        assertEquals(0, gpu.fallbackCount());
    }

    // ---- elementwise ----

    @Test
    void everyUnaryOpMatchesTheReference() {
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            for (UnaryOp op : UnaryOp.values()) {
                if (op.isPredicate()) continue; // BOOL results: no prebuilt kernel
                for (int n : SIZES) {
                    HostBlock x = withSpecials(randomBlock(t, new int[]{n}, new Random(n)));
                    Expr e = new Expr.Unary(op, new Expr.Input(0, t), t);
                    Block[] in = {own(gpu.fromHost(x))};
                    compare(e, in, new Block[]{x}, new int[][]{{1}}, region(n), tolerance(op.exact() || op.forms().vectorDouble() != null, t));
                }
            }
        }
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    @Test
    void everyArithmeticBinaryOpMatchesTheReference() {
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            for (BinaryOp op : BinaryOp.values()) {
                if (op.isPredicate()) continue;
                for (int n : SIZES) {
                    HostBlock a = withSpecials(randomBlock(t, new int[]{n}, new Random(n)));
                    HostBlock b = randomBlock(t, new int[]{n}, new Random(n + 1000));
                    Expr e = new Expr.Binary(op, new Expr.Input(0, t), new Expr.Input(1, t), t);
                    Block[] in = {own(gpu.fromHost(a)), own(gpu.fromHost(b))};
                    compare(e, in, new Block[]{a, b}, new int[][]{{1}, {1}}, region(n), tolerance(op.exact() || op.forms().vectorDouble() != null, t));
                }
            }
        }
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    @Test
    void twoDimensionalAndHostInputsRunOnTheDevice() {
        int[] shape = {33, 65};
        HostBlock a = randomBlock(DType.FLOAT64, shape, new Random(1)), b = randomBlock(DType.FLOAT64, shape, new Random(2));
        Expr e = new Expr.Binary(BinaryOp.MUL, new Expr.Input(0, DType.FLOAT64), new Expr.Input(1, DType.FLOAT64), DType.FLOAT64);
        int[][] strides = {{65, 1}, {65, 1}};
        Region r = new Region(shape, new long[]{33, 0}, new long[]{99, 65});
        compare(e, new Block[]{a, b}, new Block[]{a, b}, strides, r, Tol.EXACT); // host blocks go up for the call
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    @Test
    void generatorsMatchTheReference() {
        long[] global = {10, 300};
        Region rows = new Region(new int[]{4, 300}, new long[]{3, 0}, global);
        Region tile = new Region(new int[]{4, 100}, new long[]{3, 100}, global);
        Region line = new Region(new int[]{4097}, new long[]{12345}, new long[]{100_000});
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            for (Region r : new Region[]{rows, tile, line}) {
                compare(new Expr.Const(0.1, t), new Block[0], new Block[0], new int[0][], r, Tol.EXACT);
                compare(new Expr.Arange(-2.5, 0.1, t), new Block[0], new Block[0], new int[0][], r, Tol.EXACT);
                // uniform: integer Philox and exactly rounded arithmetic, so bit-identical
                compare(new Expr.Random(42, false, -3, 5, t), new Block[0], new Block[0], new int[0][], r, Tol.EXACT);
                compare(new Expr.Random(0x123456789abcdefL, false, 0, 1, t), new Block[0], new Block[0], new int[0][], r, Tol.EXACT);
                // normal: BoxMuller's log and cosTwoPi, the same IEEE operations in the same order, so bit-identical
                compare(new Expr.Random(7, true, 1, 2, t), new Block[0], new Block[0], new int[0][], r, Tol.EXACT);
            }
        }
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    @Test
    void fusedExpressionsRunOnTheDeviceAndTheRestFallsBackCounted() {
        int n = 1000;
        HostBlock x = randomBlock(DType.FLOAT64, new int[]{n}, new Random(3));
        Expr fused = new Expr.Binary(BinaryOp.ADD, new Expr.Input(0, DType.FLOAT64), new Expr.Const(10, DType.FLOAT64), DType.FLOAT64);
        compare(fused, new Block[]{own(gpu.fromHost(x))}, new Block[]{x}, new int[][]{{1}}, region(n), Tol.EXACT);
        Region blocky = new Region(new int[]{2, 2, 5}, new long[]{0, 0, 0}, new long[]{4, 4, 10});
        compare(new Expr.Random(1, false, 0, 1, DType.FLOAT64), new Block[0], new Block[0], new int[0][], blocky, Tol.EXACT);
        Optional<String> noFused = gpu.fusedUnavailableReason();
        assertEquals(noFused.isPresent() ? 2 : 0, gpu.fallbackCount(), "counted: " + gpu.fallbackCounts() + "; " + noFused.orElse(""));
        // integer power: computed where every exponent is >= 0, refused with the CPU backend's error otherwise
        HostBlock i = HostBlock.allocate(DType.INT64, new int[]{n});
        for (int k = 0; k < n; k++) ((long[]) i.data())[k] = k % 7;
        Expr.Input in = new Expr.Input(0, DType.INT64);
        Block p = own(gpu.elementwise(new Expr.Binary(BinaryOp.POW, in, in, DType.INT64), new Block[]{i}, new int[][]{{1}}, region(n)));
        for (int k = 0; k < n; k++) assertEquals(io.chunkwise.spi.Scalars.pow(k % 7, k % 7), ((long[]) gpu.toHost(p).data())[k]);
        ((long[]) i.data())[n - 1] = -2;
        long before = gpu.deviceBytesInUse();
        io.chunkwise.InvalidArgumentException e = assertThrows(io.chunkwise.InvalidArgumentException.class,
                () -> gpu.elementwise(new Expr.Binary(BinaryOp.POW, in, in, DType.INT64), new Block[]{i}, new int[][]{{1}}, region(n)));
        assertTrue(e.getMessage().contains("Integers to negative integer powers are not allowed (exponent -2)"), e.getMessage());
        assertEquals(before, gpu.deviceBytesInUse(), "a refused power leaves no block behind");
        assertEquals(noFused.isPresent() ? 4 : 0, gpu.fallbackCount(), "counted: " + gpu.fallbackCounts());
    }

    // ---- reductions ----

    @Test
    void sumIsDeterministicAndMatchesTheReference() {
        for (int n : new int[]{1, 255, 256, 257, 100_000, 1 << 20}) {
            HostBlock x = randomBlock(DType.FLOAT64, new int[]{n}, new Random(n));
            Block d = own(gpu.fromHost(x));
            boolean[] all = {true};
            Partial p1 = own((Partial) gpu.reducePartial(ReduceOp.SUM, d, all, 0));
            Partial p2 = own((Partial) gpu.reducePartial(ReduceOp.SUM, d, all, 0));
            double s1 = gpu.toHost(p1.parts()[0]).doubles()[0], s2 = gpu.toHost(p2.parts()[0]).doubles()[0];
            assertEquals(Double.doubleToLongBits(s1), Double.doubleToLongBits(s2), "same sum twice, n=" + n);
            double expected = ((HostBlock) ((Partial) ref.reducePartial(ReduceOp.SUM, x, all, 0)).parts()[0]).doubles()[0];
            assertTrue(Tol.of(1e-12, 1e-12 * Math.sqrt(n)).close(s1, expected), "n=" + n + ": " + s1 + " vs " + expected);
        }
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
        // the rest of the reduction falls back (counted) and still gives the right answer
        HostBlock x = randomBlock(DType.FLOAT64, new int[]{3000}, new Random(5));
        Block a = own(gpu.fromHost(x));
        Block pa = own(gpu.reducePartial(ReduceOp.SUM, a, new boolean[]{true}, 0));
        Block pb = own(gpu.reducePartial(ReduceOp.SUM, a, new boolean[]{true}, 0));
        Block combined = own(gpu.reduceCombine(ReduceOp.SUM, List.of(pa, pb)));
        HostBlock total = gpu.toHost(own(gpu.reduceFinish(ReduceOp.SUM, combined, DType.FLOAT64, new int[0])));
        double expected = 2 * ((HostBlock) ((Partial) ref.reducePartial(ReduceOp.SUM, x, new boolean[]{true}, 0)).parts()[0]).doubles()[0];
        assertTrue(Tol.of(1e-12, 1e-9).close(total.doubles()[0], expected), total.doubles()[0] + " vs " + expected);
        assertEquals(2, gpu.fallbackCount(), "combine and finish counted: " + gpu.fallbackCounts());
    }

    // ---- gemm ----

    @Test
    void gemmMatchesTheReferenceForEveryTransposeAndBothFloatDtypes() {
        assumeTrue(gpu.cublasUnavailableReason().isEmpty(), "GEMM runs on the host here: " + gpu.cublasUnavailableReason().orElse(""));
        int[][] mkn = {{1, 1, 1}, {7, 9, 65}, {64, 63, 65}, {130, 257, 33}};
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            for (int[] s : mkn) {
                int m = s[0], k = s[1], n = s[2];
                for (int flags = 0; flags < 4; flags++) {
                    boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                    HostBlock a = randomBlock(t, ta ? new int[]{k, m} : new int[]{m, k}, new Random(flags + 10L * m));
                    HostBlock b = randomBlock(t, tb ? new int[]{n, k} : new int[]{k, n}, new Random(flags + 20L * n));
                    HostBlock c0 = randomBlock(t, new int[]{m, n}, new Random(99));
                    Tol tol = t == DType.FLOAT64 ? Tol.of(1e-12, 1e-13 * k) : Tol.of(1e-5, 2e-6 * k);
                    String what = t + " " + m + "x" + k + "x" + n + (ta ? " A^T" : "") + (tb ? " B^T" : "");

                    Block da = own(gpu.fromHost(a)), db = own(gpu.fromHost(b));
                    HostBlock fresh = gpu.toHost(own(gpu.gemm(ta, tb, 1.5, da, db, 0.0, null)));
                    assertClose((HostBlock) ref.gemm(ta, tb, 1.5, a, b, 0.0, null), fresh, tol, what + ", new C");

                    Block dc = own(gpu.fromHost(c0));
                    Block same = gpu.gemm(ta, tb, -0.5, da, db, 0.25, dc);
                    assertTrue(same == dc, "C is updated in place");
                    HostBlock c1 = copy(c0);
                    assertClose((HostBlock) ref.gemm(ta, tb, -0.5, a, b, 0.25, c1), gpu.toHost(dc), tol, what + ", C += ");
                }
            }
        }
        assertEquals(0, gpu.fallbackCount(), "fell back: " + gpu.fallbackCounts());
    }

    // ---- memory ----

    @Test
    void releasedBlocksAreReusedAndLeaksAreReportedAtClose() {
        HostBlock x = randomBlock(DType.FLOAT32, new int[]{1000}, new Random(1));
        Block a = gpu.fromHost(x);
        long inUse = gpu.deviceBytesInUse();
        gpu.release(a);
        assertEquals(inUse - 4096, gpu.deviceBytesInUse());
        assertEquals(4096, gpu.deviceBytesCached());
        Block b = own(gpu.fromHost(x));
        assertEquals(0, gpu.deviceBytesCached(), "the freed buffer was reused");
        assertThrows(IllegalStateException.class, () -> ((DeviceBlock) a).pointer(), "a released block refuses reads");

        GpuBackend other = GpuBackendProvider.createFirstDevice(1);
        Block leaked = other.fromHost(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, other::close);
        assertTrue(e.getMessage().contains("1 live buffers (4096 bytes)"), e.getMessage());
        other.release(leaked);
        assertEquals(1000, gpu.toHost(b).size());
    }

    // ---- helpers ----

    record Tol(double rtol, double atol) {
        static final Tol EXACT = new Tol(0, 0);

        static Tol of(double rtol, double atol) { return new Tol(rtol, atol); }

        boolean close(double actual, double expected) {
            if (Double.isNaN(expected)) return Double.isNaN(actual);
            if (Double.isInfinite(expected) || rtol == 0 && atol == 0) {
                return Double.doubleToLongBits(actual) == Double.doubleToLongBits(expected);
            }
            return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }
    }

    /** Correctly rounded ops are exact; transcendental ones get a few ulp of the dtype. */
    /** Exact where the op table defines the bits (exact ops and IEEE arithmetic, those with a vector form). */
    private static Tol tolerance(boolean bitsDefined, DType t) {
        if (bitsDefined) return Tol.EXACT;
        return t == DType.FLOAT64 ? new Tol(1e-14, 1e-300) : new Tol(4e-6, 1e-37);
    }

    private void compare(Expr e, Block[] gpuInputs, Block[] hostInputs, int[][] strides, Region r, Tol tol) {
        HostBlock expected = (HostBlock) ref.elementwise(e, hostInputs, strides, r);
        HostBlock actual = gpu.toHost(own(gpu.elementwise(e, gpuInputs, strides, r)));
        assertClose(expected, actual, tol, Expr.show(e) + " " + e.dtype() + " over " + Shapes.str(r.shape()));
    }

    private static void assertClose(HostBlock expected, HostBlock actual, Tol tol, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what);
        assertEquals(Shapes.str(expected.shape()), Shapes.str(actual.shape()), what);
        StringBuilder bad = new StringBuilder();
        int count = 0;
        for (int i = 0; i < expected.size(); i++) {
            double x = expected.getDouble(i), y = actual.getDouble(i);
            if (!tol.close(y, x)) {
                if (count++ < 5) bad.append("\n  [").append(i).append("] expected ").append(x).append(", got ").append(y);
            }
        }
        if (count > 0) fail(what + ": " + count + " of " + expected.size() + " elements differ beyond " + tol + bad);
    }

    private static Region region(int n) {
        return new Region(new int[]{n}, new long[]{0}, new long[]{n});
    }

    private static HostBlock copy(HostBlock h) {
        HostBlock c = HostBlock.allocate(h.dtype(), h.shape());
        System.arraycopy(h.data(), 0, c.data(), 0, h.size());
        return c;
    }

    private static HostBlock randomBlock(DType t, int[] shape, Random rnd) {
        HostBlock h = HostBlock.allocate(t, shape);
        for (int i = 0; i < h.size(); i++) {
            double v = rnd.nextDouble() * 4 - 2;
            switch (t) {
                case FLOAT64 -> h.doubles()[i] = v;
                case FLOAT32 -> h.floats()[i] = (float) v;
                case INT64 -> h.longs()[i] = rnd.nextLong();
                case INT32 -> h.ints()[i] = rnd.nextInt();
                case BOOL -> h.bools()[i] = (byte) (rnd.nextBoolean() ? 1 : 0);
            }
        }
        return h;
    }

    /** The first elements become NaN, infinities, signed zeros, tiny and huge values. */
    private static HostBlock withSpecials(HostBlock h) {
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1e-310, -1e300, 700, 1};
        for (int i = 0; i < Math.min(specials.length, h.size()); i++) {
            if (h.dtype() == DType.FLOAT64) h.doubles()[i] = specials[i];
            else h.floats()[i] = (float) specials[i];
        }
        return h;
    }
}
