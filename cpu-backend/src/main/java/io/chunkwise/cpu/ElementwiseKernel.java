package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.random.Philox;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a fused {@link Expr} over one output chunk tile by tile, numexpr-style: the chunk is cut into tiles
 * of {@link #TILE} positions, and for each tile every node of the expression fills a tile buffer from its
 * children's buffers. Buffers stay in L1, the op switch runs once per node and tile, and the loops inside
 * ({@link TileOps}) are plain primitive loops. Floating nodes compute in {@code double[]} tiles, integer and
 * boolean nodes in {@code long[]} tiles.
 *
 * <p>The expression is compiled to a post-order program first: equal sub-expressions are computed once, and
 * buffers are reused as soon as their last reader has run. A kernel object holds no state between calls; each
 * call allocates its own tiles, so calls from several threads never share a buffer.
 */
final class ElementwiseKernel {
    /** Positions per tile: 8 KiB per buffer, so a handful of live buffers fit in L1. */
    static final int TILE = 1024;

    private enum Kind { INPUT, CONST, ARANGE, RANDOM, UNARY, BINARY, WHERE, CAST }

    /** One program step; {@code a}, {@code b}, {@code c} are the steps of its operands (or -1). */
    private record Step(Kind kind, Expr expr, DType dtype, int a, int b, int c) {
        boolean floating() { return dtype.isFloating(); }
    }

    private final Step[] steps;
    private final int[] slot;          // tile buffer of each step, in the double or the long pool
    private final int doubleSlots;
    private final int longSlots;
    private final boolean needsGlobalIndex;

    private ElementwiseKernel(List<Step> steps, int[] uses) {
        this.steps = steps.toArray(new Step[0]);
        this.slot = new int[this.steps.length];
        ArrayDeque<Integer> freeDouble = new ArrayDeque<>();
        ArrayDeque<Integer> freeLong = new ArrayDeque<>();
        int nd = 0, nl = 0;
        boolean global = false;
        int[] remaining = uses.clone();
        // constants are filled once per call, so each keeps a buffer of its own
        for (int s = 0; s < this.steps.length; s++) {
            if (this.steps[s].kind == Kind.CONST) slot[s] = this.steps[s].floating() ? nd++ : nl++;
        }
        for (int s = 0; s < this.steps.length; s++) {
            Step step = this.steps[s];
            global |= step.kind == Kind.ARANGE || step.kind == Kind.RANDOM;
            if (step.kind == Kind.CONST) continue;
            if (step.floating()) slot[s] = freeDouble.isEmpty() ? nd++ : freeDouble.pop();
            else slot[s] = freeLong.isEmpty() ? nl++ : freeLong.pop();
            // a buffer is free once its last reader has run
            for (int operand : new int[]{step.a, step.b, step.c}) {
                if (operand < 0 || --remaining[operand] != 0 || this.steps[operand].kind == Kind.CONST) continue;
                (this.steps[operand].floating() ? freeDouble : freeLong).push(slot[operand]);
            }
        }
        this.doubleSlots = nd;
        this.longSlots = nl;
        this.needsGlobalIndex = global;
    }

    static ElementwiseKernel compile(Expr expr) {
        List<Step> steps = new ArrayList<>();
        Map<Expr, Integer> seen = new HashMap<>();
        List<Integer> uses = new ArrayList<>();
        add(expr, steps, seen, uses);
        return new ElementwiseKernel(steps, uses.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int add(Expr e, List<Step> steps, Map<Expr, Integer> seen, List<Integer> uses) {
        Integer known = seen.get(e);
        if (known != null) { // one more reader of a shared sub-expression
            uses.set(known, uses.get(known) + 1);
            return known;
        }
        Step step = switch (e) {
            case Expr.Input in -> new Step(Kind.INPUT, e, in.dtype(), -1, -1, -1);
            case Expr.Const c -> new Step(Kind.CONST, e, c.dtype(), -1, -1, -1);
            case Expr.Arange r -> new Step(Kind.ARANGE, e, r.dtype(), -1, -1, -1);
            case Expr.Random r -> {
                if (!r.dtype().isFloating()) throw new IllegalArgumentException("random values are floating, not " + r.dtype());
                yield new Step(Kind.RANDOM, e, r.dtype(), -1, -1, -1);
            }
            case Expr.Unary u -> {
                require(u.x().dtype() == u.dtype(), e, "the operand's dtype");
                yield new Step(Kind.UNARY, e, u.dtype(), add(u.x(), steps, seen, uses), -1, -1);
            }
            case Expr.Binary b -> {
                require(b.a().dtype() == b.b().dtype(), e, "operands of one dtype");
                require(b.dtype() == (b.op().isComparison() ? DType.BOOL : b.a().dtype()), e,
                        "the operands' dtype (BOOL for comparisons)");
                int x = add(b.a(), steps, seen, uses);
                int y = add(b.b(), steps, seen, uses);
                yield new Step(Kind.BINARY, e, b.dtype(), x, y, -1);
            }
            case Expr.Where w -> {
                require(w.a().dtype() == w.dtype() && w.b().dtype() == w.dtype(), e, "both branches of the result's dtype");
                int c = add(w.cond(), steps, seen, uses);
                int x = add(w.a(), steps, seen, uses);
                int y = add(w.b(), steps, seen, uses);
                yield new Step(Kind.WHERE, e, w.dtype(), c, x, y);
            }
            case Expr.Cast c -> new Step(Kind.CAST, e, c.dtype(), add(c.x(), steps, seen, uses), -1, -1);
        };
        steps.add(step);
        uses.add(1);
        seen.put(e, steps.size() - 1);
        return steps.size() - 1;
    }

    private static void require(boolean ok, Expr e, String what) {
        if (!ok) throw new IllegalArgumentException(Expr.show(e) + " (" + e.dtype() + ") needs " + what);
    }

    /** Evaluates the program over {@code region}; {@code inputs[i]} is read through {@code inputStrides[i]}. */
    HostBlock run(HostBlock[] inputs, int[][] inputStrides, Region region, DType outType) {
        int[] shape = region.shape();
        HostBlock out = HostBlock.allocate(outType, shape);
        int n = out.size();
        if (n == 0) return out;
        checkInputs(inputs, inputStrides, shape.length);

        long[] globalStrides = null;
        long globalBase = 0;
        if (needsGlobalIndex) {
            globalStrides = region.globalStrides();
            for (int a = 0; a < shape.length; a++) globalBase += region.offset()[a] * globalStrides[a];
        }
        LoopSpace space = new LoopSpace(shape, inputStrides, globalStrides, globalBase);
        LoopSpace.Runs runs = space.new Runs(TILE);
        Object[] data = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) data[i] = inputs[i].data();

        double[][] dbuf = new double[doubleSlots][TILE];
        long[][] lbuf = new long[longSlots][TILE];
        float[] floatScratch = null;     // float32 random values before widening
        double[] doubleScratch = null;   // integer arange values before the cast
        for (int s = 0; s < steps.length; s++) {
            Step step = steps[s];
            if (step.kind == Kind.CONST) fillConst((Expr.Const) step.expr, dbuf, lbuf, slot[s]);
            if (step.kind == Kind.RANDOM && step.dtype == DType.FLOAT32) floatScratch = new float[TILE];
            if (step.kind == Kind.ARANGE && !step.floating()) doubleScratch = new double[TILE];
        }

        int root = steps.length - 1;
        Object outData = out.data();
        for (int start = 0; start < n; start += TILE) {
            int len = Math.min(TILE, n - start);
            runs.split(start, len);
            for (int s = 0; s < steps.length; s++) {
                Step step = steps[s];
                switch (step.kind) {
                    case CONST -> { }
                    case INPUT -> loadInput(((Expr.Input) step.expr).index(), step.floating(), space, runs, data,
                            start, len, dbuf, lbuf, slot[s]);
                    case ARANGE -> {
                        if (step.floating()) arange((Expr.Arange) step.expr, space, runs, len, dbuf[slot[s]], null);
                        else arange((Expr.Arange) step.expr, space, runs, len, doubleScratch, lbuf[slot[s]]);
                    }
                    case RANDOM -> random((Expr.Random) step.expr, space, runs, dbuf[slot[s]], floatScratch);
                    case UNARY -> unary(step, s, len, dbuf, lbuf);
                    case BINARY -> binary(step, s, len, dbuf, lbuf);
                    case WHERE -> where(step, s, len, dbuf, lbuf);
                    case CAST -> cast(step, s, len, dbuf, lbuf);
                }
            }
            if (steps[root].floating()) TileIO.storeDouble(dbuf[slot[root]], 0, outData, start, len);
            else TileIO.storeLong(lbuf[slot[root]], 0, outData, start, len);
        }
        return out;
    }

    private void checkInputs(HostBlock[] inputs, int[][] inputStrides, int ndim) {
        if (inputStrides.length != inputs.length) {
            throw new IllegalArgumentException(inputs.length + " inputs but " + inputStrides.length + " stride arrays");
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputStrides[i].length != ndim) {
                throw new IllegalArgumentException("input " + i + " has " + inputStrides[i].length
                        + " strides for a " + ndim + "-d region");
            }
        }
        for (Step step : steps) {
            if (step.kind != Kind.INPUT) continue;
            int i = ((Expr.Input) step.expr).index();
            if (i < 0 || i >= inputs.length) {
                throw new IllegalArgumentException("expression reads input " + i + " of " + inputs.length);
            }
            if (inputs[i].dtype() != step.dtype) {
                throw new IllegalArgumentException("input " + i + " is " + inputs[i].dtype() + " but the expression reads it as "
                        + step.dtype);
            }
        }
    }

    private static void fillConst(Expr.Const c, double[][] dbuf, long[][] lbuf, int slot) {
        double v = c.value();
        switch (c.dtype()) {
            case FLOAT64 -> Arrays.fill(dbuf[slot], v);
            case FLOAT32 -> Arrays.fill(dbuf[slot], (float) v);
            case INT64 -> Arrays.fill(lbuf[slot], (long) v);
            case INT32 -> Arrays.fill(lbuf[slot], (int) (long) v);
            case BOOL -> Arrays.fill(lbuf[slot], v != 0 ? 1 : 0);
        }
    }

    private static void loadInput(int input, boolean floating, LoopSpace space, LoopSpace.Runs runs, Object[] data,
                                  int start, int len, double[][] dbuf, long[][] lbuf, int slot) {
        Object src = data[input];
        if (space.dense(input)) { // one contiguous read
            if (floating) TileIO.loadDouble(src, start, 1, dbuf[slot], 0, len);
            else TileIO.loadLong(src, start, 1, lbuf[slot], 0, len);
            return;
        }
        int stride = space.innerStride(input);
        int[] offsets = runs.offset[input];
        for (int r = 0; r < runs.count; r++) {
            if (floating) TileIO.loadDouble(src, offsets[r], stride, dbuf[slot], runs.pos[r], runs.len[r]);
            else TileIO.loadLong(src, offsets[r], stride, lbuf[slot], runs.pos[r], runs.len[r]);
        }
    }

    /** {@code start + step * i} computed in double, then stored as the dtype stores it (as a cast would). */
    private static void arange(Expr.Arange r, LoopSpace space, LoopSpace.Runs runs, int len, double[] values,
                               long[] integers) {
        long gStep = space.innerGlobalStride();
        double start = r.start(), step = r.step();
        for (int k = 0; k < runs.count; k++) {
            int p = runs.pos[k], n = runs.len[k];
            long g = runs.global[k];
            for (int i = 0; i < n; i++) values[p + i] = start + step * (double) (g + i * gStep);
        }
        if (integers != null) TileOps.cast(values, r.dtype(), integers, len);
        else if (r.dtype() == DType.FLOAT32) TileOps.roundToFloat(values, len);
    }

    /** Philox values over runs of consecutive global indices (element by element where a run is not consecutive). */
    private static void random(Expr.Random r, LoopSpace space, LoopSpace.Runs runs, double[] d, float[] floats) {
        long gStep = space.innerGlobalStride();
        boolean f32 = r.dtype() == DType.FLOAT32;
        for (int k = 0; k < runs.count; k++) {
            int p = runs.pos[k], n = runs.len[k];
            long g = runs.global[k];
            if (gStep == 1) {
                if (f32) {
                    fill(r, floats, p, n, g);
                    for (int i = 0; i < n; i++) d[p + i] = floats[p + i];
                } else {
                    fill(r, d, p, n, g);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (f32) {
                        fill(r, floats, p + i, 1, g + i * gStep);
                        d[p + i] = floats[p + i];
                    } else {
                        fill(r, d, p + i, 1, g + i * gStep);
                    }
                }
            }
        }
    }

    private static void fill(Expr.Random r, double[] out, int off, int n, long first) {
        if (r.normal()) Philox.fillNormal(out, off, n, r.seed(), first, r.a(), r.b());
        else Philox.fillUniform(out, off, n, r.seed(), first, r.a(), r.b());
    }

    private static void fill(Expr.Random r, float[] out, int off, int n, long first) {
        if (r.normal()) Philox.fillNormal(out, off, n, r.seed(), first, r.a(), r.b());
        else Philox.fillUniform(out, off, n, r.seed(), first, r.a(), r.b());
    }

    private void unary(Step step, int s, int n, double[][] dbuf, long[][] lbuf) {
        Expr.Unary u = (Expr.Unary) step.expr;
        if (step.floating()) {
            TileOps.unary(u.op(), dbuf[slot[step.a]], dbuf[slot[s]], n);
            if (step.dtype == DType.FLOAT32 && TileOps.inexact(u.op())) TileOps.roundToFloat(dbuf[slot[s]], n);
        } else {
            TileOps.unary(u.op(), lbuf[slot[step.a]], lbuf[slot[s]], n);
            TileOps.narrow(step.dtype, lbuf[slot[s]], n);
        }
    }

    private void binary(Step step, int s, int n, double[][] dbuf, long[][] lbuf) {
        BinaryOp op = ((Expr.Binary) step.expr).op();
        DType operands = steps[step.a].dtype;
        boolean floating = operands.isFloating();
        if (op.isComparison()) {
            if (floating) TileOps.compare(op, dbuf[slot[step.a]], dbuf[slot[step.b]], lbuf[slot[s]], n);
            else TileOps.compare(op, lbuf[slot[step.a]], lbuf[slot[step.b]], lbuf[slot[s]], n);
        } else if (floating) {
            double[] out = dbuf[slot[s]];
            TileOps.arithmetic(op, dbuf[slot[step.a]], dbuf[slot[step.b]], out, n);
            if (operands == DType.FLOAT32 && TileOps.inexact(op)) TileOps.roundToFloat(out, n);
        } else {
            long[] out = lbuf[slot[s]];
            TileOps.arithmetic(op, lbuf[slot[step.a]], lbuf[slot[step.b]], out, n);
            TileOps.narrow(operands, out, n);
        }
    }

    private void where(Step step, int s, int n, double[][] dbuf, long[][] lbuf) {
        boolean condFloating = steps[step.a].floating();
        if (step.floating()) {
            double[] a = dbuf[slot[step.b]], b = dbuf[slot[step.c]], out = dbuf[slot[s]];
            if (condFloating) TileOps.where(dbuf[slot[step.a]], a, b, out, n);
            else TileOps.where(lbuf[slot[step.a]], a, b, out, n);
        } else {
            long[] a = lbuf[slot[step.b]], b = lbuf[slot[step.c]], out = lbuf[slot[s]];
            if (condFloating) TileOps.where(dbuf[slot[step.a]], a, b, out, n);
            else TileOps.where(lbuf[slot[step.a]], a, b, out, n);
        }
    }

    private void cast(Step step, int s, int n, double[][] dbuf, long[][] lbuf) {
        boolean fromFloating = steps[step.a].floating();
        if (step.floating()) {
            if (fromFloating) TileOps.cast(dbuf[slot[step.a]], step.dtype, dbuf[slot[s]], n);
            else TileOps.cast(lbuf[slot[step.a]], step.dtype, dbuf[slot[s]], n);
        } else {
            if (fromFloating) TileOps.cast(dbuf[slot[step.a]], step.dtype, lbuf[slot[s]], n);
            else TileOps.cast(lbuf[slot[step.a]], step.dtype, lbuf[slot[s]], n);
        }
    }

    /** Number of program steps after common sub-expressions are merged (for tests and explain output). */
    int stepCount() { return steps.length; }

    @Override
    public String toString() {
        return "ElementwiseKernel[" + steps.length + " steps, " + doubleSlots + " double and " + longSlots
                + " long tiles of " + TILE + "]";
    }
}
