package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.random.Philox;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.Scalars;
import io.chunkwise.spi.UnaryOp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a fused {@link Expr} over one output chunk tile by tile, numexpr-style: the chunk is cut into tiles
 * of {@link #TILE} positions, and for each tile every node of the expression fills a tile buffer from its
 * children's buffers. Buffers stay in L1, the op switch runs once per node and tile, and the loops inside are
 * the {@link Loops} families (Vector API or plain) and the casts of {@link TileOps}. Floating nodes compute in
 * {@code double[]} tiles, integer and boolean nodes in {@code long[]} tiles. Memory is touched once: dense inputs
 * of a tile type are read in place, the last op writes into the output block, and an operand that is a constant
 * is passed to the loop as a scalar.
 *
 * <p>A float64 or float32 expression that is a chain ({@link ChainProgram}: each op reads the one before and at most
 * one input or constant, e.g. x * x + 10) skips the tiles where its inputs are dense and its output dense or in runs of
 * stride 1: it runs as one pass of vectors ({@link Loops#chain}), which reads and writes memory as a plain loop does;
 * tiles alternate bursts of reads and writes and reach about half of that on such an expression.
 *
 * <p>The expression is compiled to a post-order program first: equal sub-expressions are computed once, and
 * buffers are reused as soon as their last reader has run. A kernel object holds no state between calls (so the
 * backend caches one per expression); each call allocates its own tiles, at most one chunk long, so calls from
 * several threads never share a buffer.
 */
final class ElementwiseKernel {
    /**
     * Positions per tile: 4 KiB per buffer, so a handful of live buffers fit in L1. On x * x + 10 over 10^7 doubles
     * from memory (AVX-512, one thread) 256 and 512 did best, 1024 was about 15% slower and 4096 about 40% (reads
     * and writes of memory alternate in longer bursts); on two threads 256 to 2048 were within the noise. Below 512
     * the dispatch per tile starts to show.
     */
    static final int TILE = 512;

    private enum Kind { INPUT, CONST, ARANGE, RANDOM, UNARY, BINARY, WHERE, CAST }

    /** One program step; {@code a}, {@code b}, {@code c} are the steps of its operands (or -1). */
    private record Step(Kind kind, Expr expr, DType dtype, int a, int b, int c) {
        boolean floating() { return dtype.isFloating(); }

        /** A constant as a floating tile holds it (FLOAT32 rounded). */
        double doubleValue() {
            double v = ((Expr.Const) expr).value();
            return dtype == DType.FLOAT32 ? (float) v : v;
        }

        /** A constant as an integer tile holds it (cast as {@link TileOps#cast} casts, BOOL 0 or 1). */
        long longValue() {
            double v = ((Expr.Const) expr).value();
            return switch (dtype) {
                case INT32 -> Scalars.toInt32(v);
                case BOOL -> v != 0 ? 1 : 0;
                default -> Scalars.toInt64(v);
            };
        }
    }

    // what each step does per tile, decided once here so that the tile loop dispatches on an int
    private static final int CONST = 0, INPUT = 1, ARANGE = 2, RANDOM = 3, UNARY_D = 4, UNARY_L = 5, VV_D = 6,
            VS_D = 7, SV_D = 8, VV_L = 9, VS_L = 10, SV_L = 11, COMPARE_D = 12, COMPARE_L = 13, WHERE = 14, CAST = 15,
            PREDICATE_D = 16, PREDICATE_L = 17;

    private final Step[] steps;
    private final int[] code;          // one of the constants above per step
    private final int[] opA, opB;      // operand steps
    private final UnaryOp[] unaryOp;
    private final BinaryOp[] binaryOp;
    private final double[] scalarD;    // the constant operand of VS_D / SV_D
    private final long[] scalarL;      // the constant operand of VS_L / SV_L
    private final boolean[] roundsToFloat; // a FLOAT32 result of an inexact op, rounded after the op
    private final DType[] narrows;     // INT32 or BOOL results brought back into range after the op, else null
    private final int[] slot;          // tile buffer of each step, in the double or the long pool
    private final int doubleSlots;
    private final int longSlots;
    private final boolean needsGlobalIndex;
    /** The expression as a float64 or float32 chain run in one pass of vectors, or null ({@link ChainProgram}). */
    private final ChainProgram chain;
    private final Class<?> chainArray; // double[] or float[]: the chain's dtype as arrays hold it
    private final int[] chainSteps;    // the program step of each operation of the chain

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

        int n = this.steps.length;
        code = new int[n];
        opA = new int[n];
        opB = new int[n];
        unaryOp = new UnaryOp[n];
        binaryOp = new BinaryOp[n];
        scalarD = new double[n];
        scalarL = new long[n];
        roundsToFloat = new boolean[n];
        narrows = new DType[n];
        for (int s = 0; s < n; s++) {
            Step step = this.steps[s];
            opA[s] = step.a;
            opB[s] = step.b;
            boolean narrow = step.dtype == DType.INT32 || step.dtype == DType.BOOL;
            switch (step.kind) {
                case CONST -> code[s] = CONST;
                case INPUT -> code[s] = INPUT;
                case ARANGE -> code[s] = ARANGE;
                case RANDOM -> code[s] = RANDOM;
                case WHERE -> code[s] = WHERE;
                case CAST -> code[s] = CAST;
                case UNARY -> {
                    UnaryOp op = ((Expr.Unary) step.expr).op();
                    unaryOp[s] = op;
                    if (op.isPredicate()) {
                        code[s] = this.steps[step.a].floating() ? PREDICATE_D : PREDICATE_L;
                    } else {
                        code[s] = step.floating() ? UNARY_D : UNARY_L;
                        roundsToFloat[s] = step.dtype == DType.FLOAT32 && !op.exact();
                        if (narrow) narrows[s] = step.dtype;
                    }
                }
                case BINARY -> {
                    BinaryOp op = ((Expr.Binary) step.expr).op();
                    binaryOp[s] = op;
                    Step a = this.steps[step.a], b = this.steps[step.b];
                    boolean constA = a.kind == Kind.CONST, constB = b.kind == Kind.CONST;
                    boolean floating = a.floating();
                    if (op.isPredicate()) {
                        code[s] = floating ? COMPARE_D : COMPARE_L;
                    } else if (constB && !constA) {
                        code[s] = floating ? VS_D : VS_L;
                        scalarD[s] = floating ? b.doubleValue() : 0;
                        scalarL[s] = floating ? 0 : b.longValue();
                    } else if (constA && !constB) {
                        code[s] = floating ? SV_D : SV_L;
                        scalarD[s] = floating ? a.doubleValue() : 0;
                        scalarL[s] = floating ? 0 : a.longValue();
                    } else {
                        code[s] = floating ? VV_D : VV_L;
                    }
                    if (!op.isPredicate()) {
                        roundsToFloat[s] = a.dtype == DType.FLOAT32 && !op.exact();
                        if (narrow) narrows[s] = a.dtype;
                    }
                }
            }
        }
        this.chainSteps = chainSteps(this.steps);
        this.chain = chainSteps == null ? null : chainProgram(this.steps, chainSteps);
        this.chainArray = chainSteps == null ? null : HostBlock.arrayClass(this.steps[0].dtype);
    }

    /**
     * The op steps of a chain, in order, or null where the program is not one: every step FLOAT64, or every FLOAT32, the
     * ops those of {@link ChainProgram}, each op after the first reading the one before it and otherwise only
     * inputs or constants, no op's result read by any later op but the next, the last op the root.
     */
    private static int[] chainSteps(Step[] steps) {
        List<Integer> ops = new ArrayList<>();
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (st.dtype != steps[0].dtype || (st.dtype != DType.FLOAT64 && st.dtype != DType.FLOAT32)) return null;
            switch (st.kind) {
                case INPUT, CONST -> { }
                case UNARY -> {
                    if (ChainProgram.code(((Expr.Unary) st.expr).op()) < 0 || steps[st.a].kind == Kind.CONST) return null;
                    ops.add(s);
                }
                case BINARY -> {
                    if (ChainProgram.code(((Expr.Binary) st.expr).op()) < 0) return null;
                    if (steps[st.a].kind == Kind.CONST && steps[st.b].kind == Kind.CONST) return null;
                    ops.add(s);
                }
                default -> { return null; }
            }
        }
        if (ops.isEmpty() || ops.get(ops.size() - 1) != steps.length - 1) return null;
        for (int k = 0; k < ops.size(); k++) {
            Step st = steps[ops.get(k)];
            int prev = k == 0 ? -1 : ops.get(k - 1);
            boolean readsPrev = false;
            for (int operand : new int[]{st.a, st.b}) {
                if (operand < 0) continue;
                if (operand == prev) readsPrev = true;
                else if (steps[operand].kind != Kind.INPUT && steps[operand].kind != Kind.CONST) return null;
            }
            if (k > 0 && !readsPrev) return null;
        }
        return ops.stream().mapToInt(Integer::intValue).toArray();
    }

    private static ChainProgram chainProgram(Step[] steps, int[] ops) {
        int m = ops.length;
        int[] op = new int[m], ak = new int[m], bk = new int[m], ai = new int[m], bi = new int[m];
        double[] ac = new double[m], bc = new double[m];
        for (int k = 0; k < m; k++) {
            Step st = steps[ops[k]];
            int prev = k == 0 ? -1 : ops[k - 1];
            op[k] = st.kind == Kind.UNARY ? ChainProgram.code(((Expr.Unary) st.expr).op()) : ChainProgram.code(((Expr.Binary) st.expr).op());
            int[] kind = {ChainProgram.NONE, ChainProgram.NONE}, input = new int[2];
            double[] value = new double[2];
            int[] operands = {st.a, st.b};
            for (int j = 0; j < 2; j++) {
                int o = operands[j];
                if (o < 0) continue;
                if (o == prev) {
                    kind[j] = ChainProgram.ACC;
                } else if (steps[o].kind == Kind.INPUT) {
                    kind[j] = ChainProgram.INPUT;
                    input[j] = ((Expr.Input) steps[o].expr).index();
                } else {
                    kind[j] = ChainProgram.CONST;
                    value[j] = steps[o].doubleValue();
                }
            }
            ak[k] = kind[0];
            ai[k] = input[0];
            ac[k] = value[0];
            bk[k] = kind[1];
            bi[k] = input[1];
            bc[k] = value[1];
        }
        return new ChainProgram(op, ak, ai, ac, bk, bi, bc);
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
                require(u.dtype() == u.op().resultType(u.x().dtype()), e, "the operand's dtype (BOOL for predicates)");
                yield new Step(Kind.UNARY, e, u.dtype(), add(u.x(), steps, seen, uses), -1, -1);
            }
            case Expr.Binary b -> {
                require(b.a().dtype() == b.b().dtype(), e, "operands of one dtype");
                require(b.dtype() == b.op().resultType(b.a().dtype()), e, "the operands' dtype (BOOL for predicates)");
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

    /**
     * Evaluates the program over {@code region} with {@code loops} into a new block; {@code inputs[i]} is read
     * through {@code inputStrides[i]}.
     */
    HostBlock run(Loops loops, HostBlock[] inputs, int[][] inputStrides, Region region, DType outType) {
        HostBlock out = HostBlock.allocate(outType, region.shape());
        if (out.size() > 0) into(loops, inputs, inputStrides, region, out.data(), 0, Shapes.strides(region.shape()));
        return out;
    }

    /**
     * Evaluates the program over {@code region} into {@code dst} (an array of the expression's dtype), position
     * {@code p} of the region at {@code dstOffset} plus its index dotted with {@code dstStrides}: a chunk written
     * in place into a larger result. Dense inputs already of a tile type (FLOAT64 as {@code double[]}, INT64 as
     * {@code long[]}) are read in place, and where the destination is dense and of a tile type the last op writes
     * straight into it: x * x + 10 over float64 reads x once and writes the output once, with a tile in between.
     */
    void into(Loops loops, HostBlock[] inputs, int[][] inputStrides, Region region, Object dst, int dstOffset,
              int[] dstStrides) {
        int[] shape = region.shape();
        int n = Shapes.size(shape);
        if (n == 0) return;
        checkInputs(inputs, inputStrides, shape.length);
        if (dst.getClass() != HostBlock.arrayClass(steps[steps.length - 1].dtype) || dstStrides.length != shape.length) {
            throw new IllegalArgumentException("the destination must be a " + HostBlock.arrayClass(steps[steps.length - 1].dtype)
                    .getSimpleName() + " with " + shape.length + " strides, got " + dst.getClass().getSimpleName()
                    + " with " + dstStrides.length);
        }
        LoopSpace space = space(inputStrides, region, dstStrides);
        int outOperand = inputs.length;
        Object[] data = data(inputs);
        boolean denseOut = space.dense(outOperand);
        if (chain != null && !needsGlobalIndex && chainArray.isInstance(dst) && inputsDense(space, data)
                && (denseOut || space.innerStride(outOperand) == 1)) {
            runChain(loops, space, data, dst, dstOffset, denseOut, outOperand, n);
            return;
        }
        // the tiles in a method of their own: its profile, which the JIT compiles by, is that of tiled calls only
        Call call = tileCall(loops, space, data, tileArray(dst, steps[steps.length - 1].floating()), denseOut, outOperand, n);
        for (int start = 0; start < n; start += BATCH * TILE) {
            if (start > 0) Cancellation.check();   // a cancelled computation stops between batches of tiles
            tiles(call, dst, dstOffset, start, Math.min(n, start + BATCH * TILE));
        }
    }

    /**
     * The values of a floating expression over {@code region}, computed on demand range by range into the caller's
     * buffer as doubles ({@link Loops.Values}; FLOAT32 values rounded to float), for a consumer that reads each
     * value once (a fused reduction): the chunk is never held. A value is the one {@link #into} writes for its
     * position.
     */
    Loops.Values values(Loops loops, HostBlock[] inputs, int[][] inputStrides, Region region) {
        if (!steps[steps.length - 1].dtype.isFloating()) {
            throw new IllegalArgumentException("values on demand are floating, not " + steps[steps.length - 1].dtype);
        }
        int[] shape = region.shape();
        int n = Shapes.size(shape);
        checkInputs(inputs, inputStrides, shape.length);
        // the destination is dense: position p at buffer[p - from]
        LoopSpace space = space(inputStrides, region, Shapes.strides(shape));
        Object[] data = data(inputs);
        if (chain != null && chainArray == double[].class && !needsGlobalIndex && inputsDense(space, data)) {
            Object in = chainInputs(data);
            double[] tile = new double[Math.max(1, Math.min(TILE, n))];
            return (from, len, out) -> {
                if (from > 0) Cancellation.check();
                chainRange(loops, in, from, from + len, out, -from, tile);
            };
        }
        Call call = tileCall(loops, space, data, true, true, inputs.length, Math.max(1, n));
        return (from, len, out) -> {
            if (from > 0) Cancellation.check();
            tiles(call, out, -from, from, from + len);
        };
    }

    /** The loop space of an evaluation: the inputs, then the destination as one more operand (its strides last). */
    private LoopSpace space(int[][] inputStrides, Region region, int[] dstStrides) {
        int[] shape = region.shape();
        long[] globalStrides = null;
        long globalBase = 0;
        if (needsGlobalIndex) {
            globalStrides = region.globalStrides();
            for (int a = 0; a < shape.length; a++) globalBase += region.offset()[a] * globalStrides[a];
        }
        int[][] strides = Arrays.copyOf(inputStrides, inputStrides.length + 1);
        strides[inputStrides.length] = dstStrides;
        return new LoopSpace(shape, strides, globalStrides, globalBase);
    }

    private static Object[] data(HostBlock[] inputs) {
        Object[] data = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) data[i] = inputs[i].data();
        return data;
    }

    /** The state of a tiled evaluation ({@link #tiles}): tile buffers, constants filled in, which inputs are read in place. */
    private Call tileCall(Loops loops, LoopSpace space, Object[] data, boolean dstIsTileType, boolean denseOut,
                          int outOperand, int n) {
        int tile = Math.min(TILE, n);
        int root = steps.length - 1;
        Kind rootKind = steps[root].kind;
        boolean direct = denseOut && rootKind != Kind.INPUT && rootKind != Kind.CONST && dstIsTileType;

        // where each step's values are in the current tile: arr[s] from off[s] (a double[] or a long[])
        Object[] arr = new Object[steps.length];
        int[] off = new int[steps.length];
        boolean[] inPlace = new boolean[steps.length];
        boolean needRuns = needsGlobalIndex || !denseOut;
        double[][] dbuf = new double[doubleSlots][];
        long[][] lbuf = new long[longSlots][];
        double[] doubleScratch = null;   // integer arange values before the cast
        for (int s = 0; s < steps.length; s++) {
            Step step = steps[s];
            if (step.kind == Kind.INPUT) {
                int i = ((Expr.Input) step.expr).index();
                inPlace[s] = space.dense(i) && tileArray(data[i], step.floating());
                needRuns |= !inPlace[s];
                if (inPlace[s]) continue;
            }
            if (step.kind == Kind.ARANGE && !step.floating()) doubleScratch = new double[tile];
            if (s == root && direct) continue;
            if (step.floating()) {
                if (dbuf[slot[s]] == null) dbuf[slot[s]] = new double[tile];
                arr[s] = dbuf[slot[s]];
            } else {
                if (lbuf[slot[s]] == null) lbuf[slot[s]] = new long[tile];
                arr[s] = lbuf[slot[s]];
            }
            if (step.kind == Kind.CONST) fillConst(step, arr[s]);
        }
        LoopSpace.Runs runs = needRuns ? space.new Runs(tile) : null;
        return new Call(loops, space, runs, data, inPlace, arr, off, doubleScratch, direct, denseOut, outOperand);
    }

    /** Whether every input the chain reads is an array of its type laid out densely over the space (read in place). */
    private boolean inputsDense(LoopSpace space, Object[] data) {
        for (Step step : steps) {
            if (step.kind != Kind.INPUT) continue;
            int i = ((Expr.Input) step.expr).index();
            if (!chainArray.isInstance(data[i]) || !space.dense(i)) return false;
        }
        return true;
    }

    /**
     * The chain over all {@code n} positions: dense inputs of its type, the output dense or in runs of stride 1 (a
     * chunk of a larger result), a batch of {@link #BATCH} tiles' worth of positions per call of {@link #chainRange}.
     */
    private void runChain(Loops loops, LoopSpace space, Object[] data, Object dst, int dstOffset, boolean denseOut,
                          int outOperand, int n) {
        Object in = chainInputs(data);
        double[] tile = new double[Math.min(TILE, n)];
        int batch = BATCH * TILE;
        LoopSpace.Runs runs = denseOut ? null : space.new Runs(batch);
        for (int from = 0; from < n; from += batch) {
            if (from > 0) Cancellation.check();
            int len = Math.min(batch, n - from);
            if (denseOut) {
                chainRange(loops, in, from, from + len, dst, dstOffset, tile);
                continue;
            }
            runs.split(from, len);
            int[] at = runs.offset[outOperand];
            for (int r = 0; r < runs.count; r++) {
                int p = from + runs.pos[r];
                chainRange(loops, in, p, p + runs.len[r], dst, dstOffset + at[r] - p, tile);
            }
        }
    }

    /** The inputs as the chain reads them: a {@code double[][]} or {@code float[][]} (null for an input not read). */
    private Object chainInputs(Object[] data) {
        if (chainArray == float[].class) {
            float[][] in = new float[data.length][];
            for (int i = 0; i < data.length; i++) in[i] = data[i] instanceof float[] a ? a : null;
            return in;
        }
        double[][] in = new double[data.length][];
        for (int i = 0; i < data.length; i++) in[i] = data[i] instanceof double[] a ? a : null;
        return in;
    }

    /**
     * Positions {@code [from, to)} of the chain into {@code dst[dstOffset + p]}: whole vectors in one pass
     * ({@link Loops#chain}), the rest (or all of it, with loops that have no chains) op by op, float64 through a
     * tile with the same loops as {@link #evaluate}, float32 position by position in float arithmetic, so a value
     * does not depend on which way it was computed.
     */
    private void chainRange(Loops loops, Object in, int from, int to, Object dst, int dstOffset, double[] tile) {
        if (dst instanceof float[] f) {
            float[][] fin = (float[][]) in;
            int done = loops.chain(chain, fin, from, to, f, dstOffset);
            for (int p = done; p < to; p++) f[dstOffset + p] = chain.valueAt(fin, p);
            return;
        }
        chainRange(loops, (double[][]) in, from, to, (double[]) dst, dstOffset, tile);
    }

    private void chainRange(Loops loops, double[][] in, int from, int to, double[] dst, int dstOffset, double[] tile) {
        int done = loops.chain(chain, in, from, to, dst, dstOffset);
        for (int p = done; p < to; p += tile.length) {
            int len = Math.min(tile.length, to - p);
            for (int k = 0; k < chainSteps.length; k++) {
                int s = chainSteps[k];
                boolean last = k == chainSteps.length - 1;
                double[] out = last ? dst : tile;
                int oo = last ? dstOffset + p : 0;
                int ak = chain.aKind[k], bk = chain.bKind[k];
                double[] a = ak == ChainProgram.ACC ? tile : ak == ChainProgram.INPUT ? in[chain.aInput[k]] : null;
                int ao = ak == ChainProgram.ACC ? 0 : p;
                if (steps[s].kind == Kind.UNARY) {
                    loops.unary(unaryOp[s], a, ao, out, oo, len);
                    continue;
                }
                double[] b = bk == ChainProgram.ACC ? tile : bk == ChainProgram.INPUT ? in[chain.bInput[k]] : null;
                int bo = bk == ChainProgram.ACC ? 0 : p;
                if (ak == ChainProgram.CONST) loops.binary(binaryOp[s], chain.aConst[k], b, bo, out, oo, len);
                else if (bk == ChainProgram.CONST) loops.binary(binaryOp[s], a, ao, chain.bConst[k], out, oo, len);
                else loops.binary(binaryOp[s], a, ao, b, bo, out, oo, len);
            }
        }
    }

    /** Tiles per call of {@link #tiles}. */
    private static final int BATCH = 16;

    /** The state of one evaluation that its tiles share. */
    private record Call(Loops loops, LoopSpace space, LoopSpace.Runs runs, Object[] data, boolean[] inPlace,
                        Object[] arr, int[] off, double[] doubleScratch, boolean direct, boolean denseOut,
                        int outOperand) {}

    /**
     * The tiles of positions {@code [from, to)}. A method called every {@link #BATCH} tiles, not a loop over the
     * whole chunk in {@link #into}: {@code into} runs once per chunk, so the JIT would compile its loop late (only
     * after hundreds of chunks, running it in the first-tier compiler's code until then); this one is hot after a
     * few chunks.
     */
    private void tiles(Call c, Object dst, int dstOffset, int from, int to) {
        int root = steps.length - 1;
        Object[] arr = c.arr;
        int[] off = c.off;
        for (int start = from; start < to; start += TILE) {
            int len = Math.min(TILE, to - start);
            if (c.runs != null) c.runs.split(start, len);
            if (c.direct) {
                arr[root] = dst;
                off[root] = dstOffset + start;
            }
            evaluate(c.loops, c.space, c.runs, c.data, c.inPlace, arr, off, start, len, c.doubleScratch);
            if (c.direct) continue;
            if (c.denseOut) {
                store(steps[root].floating(), arr[root], off[root], dst, dstOffset + start, 1, len);
            } else {
                int stride = c.space.innerStride(c.outOperand);
                int[] at = c.runs.offset[c.outOperand];
                for (int r = 0; r < c.runs.count; r++) {
                    store(steps[root].floating(), arr[root], off[root] + c.runs.pos[r], dst, dstOffset + at[r], stride, c.runs.len[r]);
                }
            }
        }
    }

    /**
     * One tile: every step in order. A method of its own, called once per tile, so that the JIT compiles it fully
     * after a few calls' worth of tiles rather than only through on-stack replacement of the caller's loop.
     */
    private void evaluate(Loops loops, LoopSpace space, LoopSpace.Runs runs, Object[] data, boolean[] inPlace,
                          Object[] arr, int[] off, int start, int len, double[] doubleScratch) {
        for (int s = 0; s < code.length; s++) {
            int a = opA[s], b = opB[s];
            switch (code[s]) {
                case CONST -> { }
                case INPUT -> {
                    int i = ((Expr.Input) steps[s].expr).index();
                    if (inPlace[s]) {
                        arr[s] = data[i];
                        off[s] = start;
                    } else {
                        gather(data[i], steps[s].floating(), space.innerStride(i), runs, runs.offset[i], arr[s]);
                    }
                }
                case ARANGE -> arange((Expr.Arange) steps[s].expr, space, runs, len, arr[s], off[s],
                        steps[s].floating() ? null : doubleScratch); // the scratch is for integer aranges only
                case RANDOM -> random(loops, (Expr.Random) steps[s].expr, space, runs, (double[]) arr[s], off[s]);
                case UNARY_D -> loops.unary(unaryOp[s], (double[]) arr[a], off[a], (double[]) arr[s], off[s], len);
                case UNARY_L -> loops.unary(unaryOp[s], (long[]) arr[a], off[a], (long[]) arr[s], off[s], len);
                case PREDICATE_D -> loops.predicate(unaryOp[s], (double[]) arr[a], off[a], (long[]) arr[s], off[s], len);
                case PREDICATE_L -> loops.predicate(unaryOp[s], (long[]) arr[a], off[a], (long[]) arr[s], off[s], len);
                case VV_D -> loops.binary(binaryOp[s], (double[]) arr[a], off[a], (double[]) arr[b], off[b], (double[]) arr[s], off[s], len);
                case VS_D -> loops.binary(binaryOp[s], (double[]) arr[a], off[a], scalarD[s], (double[]) arr[s], off[s], len);
                case SV_D -> loops.binary(binaryOp[s], scalarD[s], (double[]) arr[b], off[b], (double[]) arr[s], off[s], len);
                case VV_L -> loops.binary(binaryOp[s], (long[]) arr[a], off[a], (long[]) arr[b], off[b], (long[]) arr[s], off[s], len);
                case VS_L -> loops.binary(binaryOp[s], (long[]) arr[a], off[a], scalarL[s], (long[]) arr[s], off[s], len);
                case SV_L -> loops.binary(binaryOp[s], scalarL[s], (long[]) arr[b], off[b], (long[]) arr[s], off[s], len);
                case COMPARE_D -> loops.compare(binaryOp[s], (double[]) arr[a], off[a], (double[]) arr[b], off[b], (long[]) arr[s], off[s], len);
                case COMPARE_L -> loops.compare(binaryOp[s], (long[]) arr[a], off[a], (long[]) arr[b], off[b], (long[]) arr[s], off[s], len);
                case WHERE -> where(loops, steps[s], s, len, arr, off);
                case CAST -> cast(steps[s], s, len, arr, off);
                default -> throw new AssertionError(code[s]);
            }
            if (roundsToFloat[s]) TileOps.roundToFloat((double[]) arr[s], off[s], len);
            if (narrows[s] != null) TileOps.narrow(narrows[s], (long[]) arr[s], off[s], len);
        }
    }

    private static void store(boolean floating, Object src, int srcOff, Object dst, int dstOff, int stride, int n) {
        if (floating) TileIO.storeDouble((double[]) src, srcOff, dst, dstOff, stride, n);
        else TileIO.storeLong((long[]) src, srcOff, dst, dstOff, stride, n);
    }

    /** Whether {@code array} is the tile type of a floating ({@code double[]}) or integer ({@code long[]}) step. */
    private static boolean tileArray(Object array, boolean floating) {
        return floating ? array instanceof double[] : array instanceof long[];
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

    private static void fillConst(Step step, Object tile) {
        if (tile instanceof double[] d) Arrays.fill(d, step.doubleValue());
        else Arrays.fill((long[]) tile, step.longValue());
    }

    /** Gathers one input's runs of the current tile into its tile buffer. */
    private static void gather(Object src, boolean floating, int stride, LoopSpace.Runs runs, int[] offsets, Object tile) {
        for (int r = 0; r < runs.count; r++) {
            if (floating) TileIO.loadDouble(src, offsets[r], stride, (double[]) tile, runs.pos[r], runs.len[r]);
            else TileIO.loadLong(src, offsets[r], stride, (long[]) tile, runs.pos[r], runs.len[r]);
        }
    }

    /** {@code start + step * i} computed in double, then stored as the dtype stores it (as a cast would). */
    private static void arange(Expr.Arange r, LoopSpace space, LoopSpace.Runs runs, int len, Object target, int at,
                               double[] scratch) {
        long gStep = space.innerGlobalStride();
        double start = r.start(), step = r.step();
        double[] values = scratch != null ? scratch : (double[]) target;
        int base = scratch != null ? 0 : at;
        for (int k = 0; k < runs.count; k++) {
            int p = base + runs.pos[k], n = runs.len[k];
            long g = runs.global[k];
            for (int i = 0; i < n; i++) values[p + i] = start + step * (double) (g + i * gStep);
        }
        if (scratch != null) TileOps.cast(scratch, 0, r.dtype(), (long[]) target, at, len);
        else if (r.dtype() == DType.FLOAT32) TileOps.roundToFloat(values, at, len);
    }

    /**
     * Philox values over the runs of a tile, bit for bit those of {@link Philox#fillUniform} and
     * {@link Philox#fillNormal}: {@link RandomLoops} (vectorised where the loops are) generates each run straight
     * into the tile, Philox words and transform fused. {@code w01} and {@code w23} are no longer used.
     */
    private static void random(Loops loops, Expr.Random r, LoopSpace space, LoopSpace.Runs runs, double[] d, int at) {
        long gStep = space.innerGlobalStride();
        RandomLoops random = loops.random();
        for (int k = 0; k < runs.count; k++) random.fill(r, runs.global[k], gStep, d, at + runs.pos[k], runs.len[k]);
    }

    private void where(Loops loops, Step step, int s, int n, Object[] arr, int[] off) {
        int c = step.a, a = step.b, b = step.c;
        boolean condFloating = steps[c].floating();
        if (step.floating()) {
            double[] x = (double[]) arr[a], y = (double[]) arr[b], out = (double[]) arr[s];
            if (condFloating) TileOps.where((double[]) arr[c], off[c], x, off[a], y, off[b], out, off[s], n);
            else loops.where((long[]) arr[c], off[c], x, off[a], y, off[b], out, off[s], n);
        } else {
            long[] x = (long[]) arr[a], y = (long[]) arr[b], out = (long[]) arr[s];
            if (condFloating) TileOps.where((double[]) arr[c], off[c], x, off[a], y, off[b], out, off[s], n);
            else loops.where((long[]) arr[c], off[c], x, off[a], y, off[b], out, off[s], n);
        }
    }

    private void cast(Step step, int s, int n, Object[] arr, int[] off) {
        int a = step.a;
        boolean fromFloating = steps[a].floating();
        if (step.floating()) {
            if (fromFloating) TileOps.cast((double[]) arr[a], off[a], step.dtype, (double[]) arr[s], off[s], n);
            else TileOps.cast((long[]) arr[a], off[a], step.dtype, (double[]) arr[s], off[s], n);
        } else {
            if (fromFloating) TileOps.cast((double[]) arr[a], off[a], step.dtype, (long[]) arr[s], off[s], n);
            else TileOps.cast((long[]) arr[a], off[a], step.dtype, (long[]) arr[s], off[s], n);
        }
    }

    /** Number of program steps after common sub-expressions are merged (for tests and explain output). */
    int stepCount() { return steps.length; }

    /** Whether the expression runs as a one-pass chain where its operands are dense ({@link ChainProgram}). */
    boolean chained() { return chain != null; }

    @Override
    public String toString() {
        return "ElementwiseKernel[" + steps.length + " steps, " + doubleSlots + " double and " + longSlots
                + " long tiles of " + TILE + "]";
    }
}
