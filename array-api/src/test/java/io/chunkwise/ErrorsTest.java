package io.chunkwise;

import io.chunkwise.testing.ArrayAssert;
import io.chunkwise.testing.Contexts;
import io.chunkwise.testing.Dense;
import io.chunkwise.testing.TestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every error path of the contract: the exception type, a message that names the problem (shapes, axes, chunks,
 * the budget), and afterwards a context whose other arrays still compute correctly.
 */
class ErrorsTest {

    static Stream<Arguments> contexts() { return Contexts.only(Contexts.all()); }

    /** An array made before the failures, and its expected values: computed again after each failure. */
    private record Witness(ChunkedArray array, Dense expected) {}

    private static Witness witness(Chunkwise cw) {
        double[] v = {1, -2, 3.5, 4, 5, -6, 7, 8, 9.25, 10, 11, 12};
        ChunkedArray x = cw.fromArray(v, new long[]{3, 4}, new int[]{2, 3});
        Dense d = Dense.of(v, 3, 4);
        return new Witness(x.mul(x).add(1).sum(0), d.mul(d).add(Dense.scalar(1)).sum(0));
    }

    private static void stillWorks(Chunkwise cw, Witness w, String after) {
        ArrayAssert.assertArrayClose(w.array(), w.expected(), DType.FLOAT64, "after " + after + ", an array built before");
        ArrayAssert.assertArrayClose(cw.arange(DType.INT32, 7, 3).mul(2.0).sum(), Dense.scalar(42), DType.FLOAT64,
                "after " + after + ", a new array");
    }

    /**
     * Asserts {@code body} throws {@code type} (or a subclass) whose message contains every one of {@code names}
     * (case-insensitive), then that the context still works.
     */
    private static <T extends Throwable> T expect(Chunkwise cw, Witness w, Class<T> type, String what, Executable body, String... names) {
        T e = assertThrows(type, body, what);
        String msg = String.valueOf(e.getMessage());
        for (String n : names) {
            assertTrue(msg.toLowerCase(Locale.ROOT).contains(n.toLowerCase(Locale.ROOT)),
                    what + ": the message should name '" + n + "': " + msg);
        }
        stillWorks(cw, w, what);
        return e;
    }

    private static Chunkwise open(TestContext ctx) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + ": " + ctx.unavailableReason().orElse(""));
        return ctx.open();
    }

    private static ChunkedArray ones(Chunkwise cw, long... shape) {
        int[] cs = new int[shape.length];
        for (int i = 0; i < cs.length; i++) cs[i] = (int) Math.max(1, Math.min(2, shape[i]));
        return cw.ones(DType.FLOAT64, shape, cs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void shapeMismatches(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = ones(cw, 3, 4), b = ones(cw, 5), m = ones(cw, 5, 2);
            List<Executable> checks = new ArrayList<>();
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "(3, 4) + (5,)", () -> a.add(b).compute(), "(3, 4)", "(5,)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "(5,) > (3, 4)", () -> b.gt(a).compute(), "(3, 4)", "(5,)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "where with (3, 4), (5,)",
                    () -> ChunkedArray.where(a.gt(0), a, b).compute(), "(3, 4)", "(5,)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "(3, 4) @ (5, 2)", () -> a.matmul(m).compute(), "(3, 4)", "(5, 2)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "(3, 4) @ (5,)", () -> a.matmul(b).compute(), "(3, 4)", "(5,)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "3-D matmul",
                    () -> ones(cw, 2, 2, 2).matmul(ones(cw, 2, 2)).compute(), "(2, 2, 2)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "reshape (3, 4) to (5, 3)", () -> a.reshape(5, 3).compute(), "(5, 3)", "12"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "reshape (3, 4) to (5, -1)", () -> a.reshape(5, -1).compute(), "(5, -1)", "12"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "reshape with two -1", () -> a.reshape(-1, -1).compute(), "(-1, -1)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "concatenate (3, 4) and (5, 2) on axis 0",
                    () -> ChunkedArray.concatenate(0, a, m).compute(), "4", "2"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "concatenate (3, 4) and (5,)",
                    () -> ChunkedArray.concatenate(0, a, b).compute(), "dimension"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "concatenate 0-d arrays",
                    () -> ChunkedArray.concatenate(0, a.sum(), a.sum()).compute(), "zero-dimensional"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "stack (3, 4) and (5, 2)",
                    () -> ChunkedArray.stack(0, a, m).compute(), "(3, 4)", "(5, 2)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "fromArray of 5 values as (2, 3)",
                    () -> cw.fromArray(new double[5], new long[]{2, 3}, new int[]{1, 1}).compute(), "5", "(2, 3)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "negative dimension",
                    () -> cw.zeros(DType.FLOAT64, new long[]{2, -3}, new int[]{1, 1}).compute(), "-3"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "min over an empty axis",
                    () -> ones(cw, 3, 0).min(1).compute(), "zero-size", "(3, 0)"));
            checks.add(() -> expect(cw, w, ShapeMismatchException.class, c + "argmax over an empty axis",
                    () -> ones(cw, 0, 3).argmax(0).compute(), "(0, 3)"));
            assertAll(c + "shape mismatches", checks.stream());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void badChunks(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = ones(cw, 4, 6);
            assertAll(c + "bad chunks",
                    () -> expect(cw, w, ChunkingException.class, c + "chunk size 0", () -> Chunks.regular(new long[]{4, 6}, new int[]{0, 2}), "0", "axis 0"),
                    () -> expect(cw, w, ChunkingException.class, c + "negative chunk size",
                            () -> cw.zeros(DType.FLOAT64, new long[]{4, 6}, new int[]{2, -2}).compute(), "-2"),
                    () -> expect(cw, w, ChunkingException.class, c + "chunk shape of the wrong length",
                            () -> cw.zeros(DType.FLOAT64, new long[]{4, 6}, new int[]{2}).compute(), "[2]", "[4, 6]"),
                    () -> expect(cw, w, ChunkingException.class, c + "explicit chunks adding up to 3 for an axis of 4",
                            () -> cw.fromArray(new double[4], new long[]{4}, Chunks.explicit(new long[][]{{1, 2}})).compute(), "(3,)", "(4,)"),
                    () -> expect(cw, w, ChunkingException.class, c + "explicit chunk of size 0",
                            () -> Chunks.explicit(new long[][]{{2, 0, 2}}), "[2, 0, 2]"),
                    () -> expect(cw, w, ChunkingException.class, c + "explicit axis without chunks",
                            () -> Chunks.explicit(new long[][]{{2}, {}}), "axis 1"),
                    () -> expect(cw, w, ChunkingException.class, c + "rechunk with the wrong number of axes",
                            () -> a.rechunk(2).compute(), "[2]", "(4, 6)"),
                    () -> expect(cw, w, ChunkingException.class, c + "rechunk to a grid of another shape",
                            () -> a.rechunk(Chunks.regular(new long[]{4, 5}, new int[]{2, 2})).compute(), "(4, 5)", "(4, 6)"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void axesOutOfRange(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = ones(cw, 3, 4);
            assertAll(c + "axes out of range",
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "sum(2) of 2-D", () -> a.sum(2).compute(), "2", "dimension 2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "mean(-3) of 2-D", () -> a.mean(-3).compute(), "-3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "sum(0, 0)", () -> a.sum(0, 0).compute(), "duplicate"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "argmax(5)", () -> a.argmax(5).compute(), "5"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "argmin(-3)", () -> a.argmin(-3).compute(), "-3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "sum(0) of 0-d", () -> a.sum().sum(0).compute(), "0"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "transpose(0, 0)", () -> a.transpose(0, 0).compute(), "repeated"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "transpose(0)", () -> a.transpose(0).compute(), "[0]"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "transpose(0, 2)", () -> a.transpose(0, 2).compute(), "2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "concatenate on axis 2", () -> ChunkedArray.concatenate(2, a, a).compute(), "2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "stack on axis 3", () -> ChunkedArray.stack(3, a, a).compute(), "3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "stack on axis -4", () -> ChunkedArray.stack(-4, a, a).compute(), "-4"));
        }
    }

    /** NaN-skipping reductions, scans, histogram and tensordot: NumPy's errors, as the library's exceptions. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void reductionScanHistogramAndTensordotErrors(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = ones(cw, 3, 4), b = ones(cw, 4, 5);
            ChunkedArray f32 = a.astype(DType.FLOAT32);
            assertAll(c + "reductions, scans, histogram, tensordot",
                    () -> expect(cw, w, ShapeMismatchException.class, c + "nanmin over an empty axis",
                            () -> ones(cw, 3, 0).nanmin(1).compute(), "zero-size", "nanmin", "(3, 0)"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "nanmax of an empty array",
                            () -> ones(cw, 0, 2).nanmax().compute(), "zero-size", "nanmax", "(0, 2)"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "int nanmin over an empty axis",
                            () -> ones(cw, 0).astype(DType.INT32).nanmin(0).compute(), "zero-size", "nanmin"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "nanmean(2) of 2-D", () -> a.nanmean(2).compute(), "2", "dimension 2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "nanvar(0, -2)", () -> a.nanvar(0, -2).compute(), "duplicate"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "any(-3) of 2-D", () -> a.any(-3).compute(), "-3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "all(2) of 2-D", () -> a.all(2).compute(), "2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "cumsum(2) of 2-D", () -> a.cumsum(2).compute(), "2", "dimension 2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "cumprod(-3) of 2-D", () -> a.cumprod(-3).compute(), "-3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "cumsum(0) of 0-d", () -> a.sum().cumsum(0).compute(), "0", "dimension 0"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "histogram with 0 bins", () -> a.histogram(0, 0, 1).compute(), "bins", "0"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "histogram with -2 bins", () -> a.histogram(-2, 0, 1).compute(), "bins", "-2"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "histogram over [1, 0]", () -> a.histogram(3, 1, 0).compute(), "max must be larger than min", "[1.0, 0.0]"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "histogram over [0, inf]",
                            () -> a.histogram(3, 0, Double.POSITIVE_INFINITY).compute(), "not finite", "Infinity"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "histogram over [nan, 1]", () -> a.histogram(3, Double.NaN, 1).compute(), "not finite", "NaN"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "histogram over [-1e308, 1e308]",
                            () -> a.histogram(3, -1e308, 1e308).compute(), "range", "wider"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "histogram of 100 bins over [1, 1 + 1e-15]",
                            () -> a.histogram(100, 1, 1 + 1e-15).compute(), "too many bins", "100"),
                    // float32 data has float32 edges, as in NumPy: bins that float64 still tells apart collapse
                    () -> expect(cw, w, InvalidArgumentException.class, c + "float32 histogram of 10000 bins over [1, 1.0001]",
                            () -> f32.histogram(10000, 1, 1.0001).compute(), "too many bins", "10000", "float32"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "tensordot with 1 axis of a and 2 of b",
                            () -> a.tensordot(b, new int[]{1}, new int[]{0, 1}).compute(), "[1]", "[0, 1]"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "tensordot over axes of lengths 3 and 4",
                            () -> a.tensordot(b, new int[]{0}, new int[]{0}).compute(), "shape-mismatch", "(3, 4)", "(4, 5)"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "tensordot with a repeated axis",
                            () -> a.tensordot(ones(cw, 4, 4), new int[]{1, -1}, new int[]{0, 1}).compute(), "repeated", "[1, -1]"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "tensordot with axis 2 of a 2-D b",
                            () -> a.tensordot(b, new int[]{1}, new int[]{2}).compute(), "2", "dimension 2"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "tensordot with null", () -> a.tensordot(null, new int[0], new int[0]), "tensordot"));
            // the float64 histogram that the float32 one refuses is fine
            ArrayAssert.assertArrayClose(a.histogram(10000, 1, 1.0001).sum(), Dense.scalar(12), DType.INT64, c + "float64 histogram of 10000 bins over [1, 1.0001]");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void manipulationAndSelectionRoutines(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = ones(cw, 3, 4), v = ones(cw, 3), s = a.sum();
            assertAll(c + "flip, swapaxes, expandDims, squeeze, broadcastTo, take, extract",
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "flip(2) of 2-D", () -> a.flip(2).compute(), "2", "dimension 2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "flip(-3) of 2-D", () -> a.flip(-3).compute(), "-3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "flip(0) of 0-d", () -> s.flip(0).compute(), "0", "dimension 0"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "swapaxes(0, 2) of 2-D", () -> a.swapaxes(0, 2).compute(), "2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "swapaxes(-3, 0) of 2-D", () -> a.swapaxes(-3, 0).compute(), "-3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "expandDims(3) of 2-D", () -> a.expandDims(3).compute(), "3", "dimension 3"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "expandDims(-4) of 2-D", () -> a.expandDims(-4).compute(), "-4"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "squeeze(1) of (3, 4)", () -> a.squeeze(1).compute(), "axis 1", "(3, 4)", "4"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "squeeze(0, -1) of (1, 3, 4)",
                            () -> a.expandDims(0).squeeze(0, -1).compute(), "axis 2", "(1, 3, 4)"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "squeeze(2) of 2-D", () -> a.squeeze(2).compute(), "2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "squeeze(0, 0)", () -> a.expandDims(0).squeeze(0, 0).compute(), "duplicate"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "broadcastTo (3, 4) -> (4, 4)", () -> a.broadcastTo(4, 4).compute(),
                            "(3, 4)", "(4, 4)", "axis 0"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "broadcastTo (3,) -> (3, 2)", () -> v.broadcastTo(3, 2).compute(),
                            "(3,)", "(3, 2)"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "broadcastTo (3, 4) -> (4,)", () -> a.broadcastTo(4).compute(),
                            "(3, 4)", "(4,)", "fewer dimensions"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "broadcastTo (3,) -> (-1, 3)", () -> v.broadcastTo(-1, 3).compute(),
                            "(-1, 3)", "non-negative"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "broadcastTo(null)", () -> v.broadcastTo((long[]) null).compute(), "shape"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "take index 3 on an axis of 3",
                            () -> a.take(new long[]{0, 3}, 0).compute(), "index 3", "axis 0", "size 3"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "take index -5 on an axis of 4",
                            () -> a.take(new long[]{-5}, -1).compute(), "index -5", "axis 1", "size 4"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "take along axis 2 of 2-D", () -> a.take(new long[]{0}, 2).compute(), "2"),
                    () -> expect(cw, w, AxisOutOfRangeException.class, c + "take of a 0-d array", () -> s.take(new long[]{0}, 0).compute(), "0"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "take(null, 0)", () -> a.take(null, 0).compute(), "indices"),
                    () -> expect(cw, w, ShapeMismatchException.class, c + "extract with a condition of (3,) for (3, 4)",
                            () -> a.extract(v.gt(0.0)).compute(), "(3,)", "(3, 4)", "size"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "extract(null)", () -> a.extract(null).compute(), "condition"),
                    () -> {
                        // extract counts the condition when called; one that changes before compute() fails the task
                        java.util.concurrent.atomic.AtomicBoolean changed = new java.util.concurrent.atomic.AtomicBoolean();
                        ChunkedArray cond = a.mapBlocks((block, index) -> changed.get()
                                ? NDArray.of(new double[(int) block.size()], block.shape()) : block);
                        ChunkedArray picked = a.extract(cond);
                        changed.set(true);
                        expect(cw, w, TaskFailedException.class, c + "extract with a condition that changed", picked::compute,
                                "extract", "selects 0 values", "same values each time");
                    });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void indicesOutOfRange(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = ones(cw, 5, 3);
            NDArray r = a.compute();
            assertAll(c + "indices out of range",
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "at(5) on an axis of 5", () -> a.slice(Slice.at(5)).compute(), "5", "size 5"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "at(-6) on an axis of 5", () -> a.slice(Slice.at(-6)).compute(), "-6"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "at(3) on axis 1 of size 3",
                            () -> a.slice(Slice.all(), Slice.at(3)).compute(), "3", "axis 1"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "three indices for 2-D",
                            () -> a.slice(Slice.all(), Slice.all(), Slice.all()).compute(), "2-dimensional", "3"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "slice step 0", () -> Slice.range(0, 5, 0), "step"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "NDArray.getDouble(5, 0)", () -> r.getDouble(5, 0), "5", "axis 0"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "NDArray.getDouble(0, -4)", () -> r.getDouble(0, -4), "-4", "axis 1"),
                    () -> expect(cw, w, IndexOutOfRangeException.class, c + "NDArray.getDouble(1)", () -> r.getDouble(1), "2-dimensional"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void dtypeErrors(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray flags = ones(cw, 3).gt(0);
            assertAll(c + "dtype errors",
                    () -> expect(cw, w, DTypeException.class, c + "DType.parse(\"float16\")", () -> DType.parse("float16"), "float16", "float64"),
                    () -> expect(cw, w, DTypeException.class, c + "DType.parse(null)", () -> DType.parse(null), "null"),
                    () -> expect(cw, w, DTypeException.class, c + "neg of bool", () -> flags.neg().compute(), "negative", "bool", "logicalNot"),
                    () -> expect(cw, w, DTypeException.class, c + "sign of bool", () -> flags.sign().compute(), "sign", "bool"),
                    () -> expect(cw, w, DTypeException.class, c + "random ints", () -> cw.random(1).normal(DType.INT32, 0, 1, new long[]{3}, new int[]{3}), "int32"),
                    () -> expect(cw, w, DTypeException.class, c + "astype(null)", () -> flags.astype(null), "dtype"));
        }
    }

    /** The contract: bad input throws an unchecked exception of the library's own hierarchy. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void badArgumentsThrowTheLibrarysExceptions(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            assertAll(c + "bad arguments",
                    () -> expect(cw, w, ChunkwiseException.class, c + "uniform(1, 0)", () -> cw.random(1).uniform(1, 0, new long[]{3}, new int[]{3}), "lo", "1.0", "0.0"),
                    () -> expect(cw, w, ChunkwiseException.class, c + "normal with std -1", () -> cw.random(1).normal(0, -1, new long[]{3}, new int[]{3}), "std", "-1"),
                    // NumPy: OverflowError "high - low range exceeds valid bounds"
                    () -> expect(cw, w, InvalidArgumentException.class, c + "uniform(-1e308, 1e308): hi - lo overflows",
                            () -> cw.random(1).uniform(-1e308, 1e308, new long[]{3}, new int[]{3}), "uniform", "range exceeds valid bounds", "Infinity"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "uniform(0, inf)",
                            () -> cw.random(1).uniform(0, Double.POSITIVE_INFINITY, new long[]{3}, new int[]{3}), "uniform", "hi=Infinity"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "float32 uniform(-inf, 0)",
                            () -> cw.random(1).uniform(DType.FLOAT32, Double.NEGATIVE_INFINITY, 0, new long[]{3}, new int[]{3}), "uniform", "lo=-Infinity"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "uniform(nan, 1)",
                            () -> cw.random(1).uniform(Double.NaN, 1, new long[]{3}, new int[]{3}), "uniform", "lo=NaN"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "uniform(0, nan)",
                            () -> cw.random(1).uniform(0, Double.NaN, new long[]{3}, new int[]{3}), "uniform", "hi=NaN"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "concatenate with a null part",
                            () -> ChunkedArray.concatenate(0, ones(cw, 3), ones(cw, 2), null), "part 2 of concatenate is null"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "stack with a null first part",
                            () -> ChunkedArray.stack(0, null, ones(cw, 3)), "part 0 of stack is null"),
                    () -> expect(cw, w, InvalidArgumentException.class, c + "stack with a null part",
                            () -> ChunkedArray.stack(0, ones(cw, 3), null), "part 1 of stack is null"),
                    () -> expect(cw, w, ChunkwiseException.class, c + "mapBlocks(null)", () -> ones(cw, 3).mapBlocks((BlockFunction) null), "mapBlocks"),
                    () -> expect(cw, w, ChunkwiseException.class, c + "mapBlocks(unknown name)", () -> ones(cw, 3).mapBlocks("nobody.Knows"), "mapBlocks", "nobody.Knows", "registerBlockFunction"),
                    () -> expect(cw, w, ChunkwiseException.class, c + "threads(0)", () -> Chunkwise.builder().threads(0), "threads", "0"),
                    () -> expect(cw, w, ChunkwiseException.class, c + "memoryBudget(0)", () -> Chunkwise.builder().memoryBudget(0), "budget", "0"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void memoryBudget(TestContext ctx) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + ": " + ctx.unavailableReason().orElse(""));
        try (Chunkwise cw = ctx.open(b -> b.memoryBudget(4000))) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            // 1000 float64 in one chunk: 8000 bytes, twice the budget
            expect(cw, w, MemoryBudgetExceededException.class, c + "a chunk of 8000 bytes over a budget of 4000",
                    () -> cw.ones(DType.FLOAT64, new long[]{1000}, new int[]{1000}).add(1).sum().compute(), "4000", "budget");
            // an elementwise output chunk is written into the result in place: it holds no block of its own
            ArrayAssert.checkNDArray(cw.ones(DType.FLOAT64, new long[]{1000}, new int[]{1000}).add(1).compute(),
                    Dense.full(2, 1000), DType.FLOAT64, ArrayAssert.Tol.EXACT, c + "x + 1 written in place within a budget of 4000: ");
            expect(cw, w, MemoryBudgetExceededException.class, c + "again, from a persist()",
                    () -> cw.ones(DType.FLOAT64, new long[]{1000}, new int[]{1000}).persist(), "4000");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void mapBlocksFailures(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = cw.fromArray(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new long[]{10}, new int[]{4});
            ChunkwiseException wrong = expect(cw, w, ChunkwiseException.class, c + "mapBlocks returning a block of 3 values for blocks of 4",
                    () -> a.mapBlocks((b, i) -> NDArray.of(new double[]{1, 2, 3}, 3)).compute(), "(3,)", "(4,)");
            assertTrue(wrong instanceof ShapeMismatchException || wrong instanceof TaskFailedException,
                    c + "a block of the wrong shape is a ShapeMismatchException or a TaskFailedException, not " + wrong.getClass().getName());

            TaskFailedException boom = expect(cw, w, TaskFailedException.class, c + "mapBlocks whose function throws",
                    () -> a.mapBlocks((b, i) -> {
                        if (i[0] == 1) throw new IllegalStateException("boom in block " + i[0]);
                        return b;
                    }).compute(), "boom in block 1");
            Throwable root = boom;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            assertTrue(root instanceof IllegalStateException, c + "the cause chain ends in the user's exception, not " + root);

            // the library's own exception thrown by the function: still a TaskFailedException naming the task key
            ChunkedArray m = a.mapBlocks((b, i) -> {
                if (i[0] == 1) throw new InvalidArgumentException("bad block " + i[0]);
                return b;
            });
            TaskFailedException named = expect(cw, w, TaskFailedException.class, c + "mapBlocks whose function throws a library exception",
                    m::compute, "('" + m.node().name() + "', 1)", "map_blocks", "bad block 1");
            assertTrue(named.getCause() instanceof InvalidArgumentException, c + "the user's exception is the cause: " + named.getCause());

            // a failing mapBlocks in one array leaves a good mapBlocks on the same input working
            ArrayAssert.assertArrayClose(a.mapBlocks((b, i) -> b), Dense.of(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10),
                    DType.FLOAT64, c + "a good mapBlocks after failing ones");
        }
    }

    /**
     * A chunk consumer or a progress listener that throws fails the computation, and every block is given back; the
     * listener's exception is reported as the listener's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void consumerAndListenerFailures(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            Witness w = witness(cw);
            String c = ctx.name() + ": ";
            ChunkedArray a = cw.fromArray(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new long[]{10}, new int[]{4}).mul(2);
            expect(cw, w, ChunkwiseException.class, c + "forEachChunk whose consumer throws", () -> cw.forEachChunk(a, (index, offset, block) -> {
                if (index[0] == 1) throw new IllegalStateException("consumer fails at chunk 1");
            }), "consumer fails at chunk 1");
            ComputeListener failing = new ComputeListener() {
                @Override public void taskDone(int done, int total, long bytes, long nanos, String backend) {
                    throw new IllegalStateException("listener fails");
                }
            };
            ComputeListener failsAtStart = new ComputeListener() {
                @Override public void started(int totalTasks) { throw new IllegalStateException("listener fails at start"); }
            };
            listenerFailure(cw, w, c + "compute whose listener throws", () -> a.sum().compute(failing));
            listenerFailure(cw, w, c + "persist whose listener throws", () -> a.persist(failing));
            listenerFailure(cw, w, c + "compute whose listener throws when started", () -> a.compute(failsAtStart));
        }
    }

    /** The listener's failure, not a task's: a ChunkwiseException saying so, with the listener's exception as its cause. */
    private static void listenerFailure(Chunkwise cw, Witness w, String what, Executable body) {
        ChunkwiseException e = expect(cw, w, ChunkwiseException.class, what, body, "compute listener failed", "listener fails");
        assertTrue(!(e instanceof TaskFailedException) && e.getCause() instanceof IllegalStateException,
                what + ": not a failed task, and the listener's exception is the cause: " + e + ", cause " + e.getCause());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void contextErrors(TestContext ctx) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + ": " + ctx.unavailableReason().orElse(""));
        try (Chunkwise one = ctx.open(); Chunkwise two = ctx.open()) {
            Witness w = witness(one);
            String c = ctx.name() + ": ";
            expect(one, w, ChunkwiseException.class, c + "arrays of two contexts", () -> ones(one, 3).add(ones(two, 3)).compute(), "context");
        }
        Chunkwise closed = ctx.open();
        ChunkedArray x = ones(closed, 3);
        closed.close();
        closed.close();   // idempotent
        ChunkwiseException e = assertThrows(ChunkwiseException.class, x::compute, ctx.name() + ": compute on a closed context");
        assertTrue(e.getMessage().contains("closed"), ctx.name() + ": the message says the context is closed: " + e.getMessage());
    }

    @Test
    void everyContextIsListed() {
        List<TestContext> all = Contexts.all();
        if (all.isEmpty()) fail("no test contexts (is -D" + Contexts.FILTER + " too narrow?)");
    }
}
