package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.cpu.ExprProgram.Kind;
import io.chunkwise.cpu.ExprProgram.Step;
import io.chunkwise.random.Philox;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.UnaryOp;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Evaluates an {@link ExprProgram} over one output chunk tile by tile, numexpr-style: the chunk is cut into tiles
 * of {@link #TILE} positions, and for each tile every step of the program fills a tile buffer from its operands'
 * buffers. Buffers stay in L1, the op switch runs once per step and tile, and the loops inside are the
 * {@link Loops} families (Vector API or plain) and the casts of {@link TileOps}. Floating steps compute in
 * {@code double[]} tiles, integer and boolean steps in {@code long[]} tiles. Memory is touched once: dense inputs
 * of a tile type are read in place, the last op writes into the output block, and an operand that is a constant
 * is passed to the loop as a scalar. Buffers are reused as soon as their last reader has run.
 *
 * <p>The evaluator holds no state between calls; each call ({@link #tileCall}) allocates its own tiles, at most one
 * chunk long, so calls from several threads never share a buffer.
 */
final class TileEvaluator {
    /**
     * Positions per tile: 4 KiB per buffer, so a handful of live buffers fit in L1. On x * x + 10 over 10^7 doubles
     * from memory (AVX-512, one thread) 256 and 512 did best, 1024 was about 15% slower and 4096 about 40% (reads
     * and writes of memory alternate in longer bursts); on two threads 256 to 2048 were within the noise. Below 512
     * the dispatch per tile starts to show.
     */
    static final int TILE = 512;
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
    /** Whether a step reads global positions (arange, random): the tiles then need their runs. */
    final boolean needsGlobalIndex;

    TileEvaluator(ExprProgram program) {
        this.steps = program.steps;
        int[] uses = program.uses;
        this.slot = new int[this.steps.length];
        ArrayDeque<Integer> freeDouble = new ArrayDeque<>();
        ArrayDeque<Integer> freeLong = new ArrayDeque<>();
        int nd = 0, nl = 0;
        boolean global = false;
        int[] remaining = uses.clone();
        // constants are filled once per call, so each keeps a buffer of its own
        for (int s = 0; s < this.steps.length; s++) {
            if (this.steps[s].kind() == Kind.CONST) slot[s] = this.steps[s].floating() ? nd++ : nl++;
        }
        for (int s = 0; s < this.steps.length; s++) {
            Step step = this.steps[s];
            global |= step.kind() == Kind.ARANGE || step.kind() == Kind.RANDOM;
            if (step.kind() == Kind.CONST) continue;
            if (step.floating()) slot[s] = freeDouble.isEmpty() ? nd++ : freeDouble.pop();
            else slot[s] = freeLong.isEmpty() ? nl++ : freeLong.pop();
            // a buffer is free once its last reader has run
            for (int operand : new int[]{step.a(), step.b(), step.c()}) {
                if (operand < 0 || --remaining[operand] != 0 || this.steps[operand].kind() == Kind.CONST) continue;
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
            opA[s] = step.a();
            opB[s] = step.b();
            boolean narrow = step.dtype() == DType.INT32 || step.dtype() == DType.BOOL;
            switch (step.kind()) {
                case CONST -> code[s] = CONST;
                case INPUT -> code[s] = INPUT;
                case ARANGE -> code[s] = ARANGE;
                case RANDOM -> code[s] = RANDOM;
                case WHERE -> code[s] = WHERE;
                case CAST -> code[s] = CAST;
                case UNARY -> {
                    UnaryOp op = ((Expr.Unary) step.expr()).op();
                    unaryOp[s] = op;
                    if (op.isPredicate()) {
                        code[s] = this.steps[step.a()].floating() ? PREDICATE_D : PREDICATE_L;
                    } else {
                        code[s] = step.floating() ? UNARY_D : UNARY_L;
                        roundsToFloat[s] = step.dtype() == DType.FLOAT32 && !op.exact();
                        if (narrow) narrows[s] = step.dtype();
                    }
                }
                case BINARY -> {
                    BinaryOp op = ((Expr.Binary) step.expr()).op();
                    binaryOp[s] = op;
                    Step a = this.steps[step.a()], b = this.steps[step.b()];
                    boolean constA = a.kind() == Kind.CONST, constB = b.kind() == Kind.CONST;
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
                        roundsToFloat[s] = a.dtype() == DType.FLOAT32 && !op.exact();
                        if (narrow) narrows[s] = a.dtype();
                    }
                }
            }
        }
    }

    /** The state of a tiled evaluation ({@link #tiles}): tile buffers, constants filled in, which inputs are read in place. */
    Call tileCall(Loops loops, LoopSpace space, Object[] data, boolean dstIsTileType, boolean denseOut,
                          int outOperand, int n) {
        int tile = Math.min(TILE, n);
        int root = steps.length - 1;
        Kind rootKind = steps[root].kind();
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
            if (step.kind() == Kind.INPUT) {
                int i = ((Expr.Input) step.expr()).index();
                inPlace[s] = space.dense(i) && tileArray(data[i], step.floating());
                needRuns |= !inPlace[s];
                if (inPlace[s]) continue;
            }
            if (step.kind() == Kind.ARANGE && !step.floating()) doubleScratch = new double[tile];
            if (s == root && direct) continue;
            if (step.floating()) {
                if (dbuf[slot[s]] == null) dbuf[slot[s]] = new double[tile];
                arr[s] = dbuf[slot[s]];
            } else {
                if (lbuf[slot[s]] == null) lbuf[slot[s]] = new long[tile];
                arr[s] = lbuf[slot[s]];
            }
            if (step.kind() == Kind.CONST) fillConst(step, arr[s]);
        }
        LoopSpace.Runs runs = needRuns ? space.new Runs(tile) : null;
        return new Call(loops, space, runs, data, inPlace, arr, off, doubleScratch, direct, denseOut, outOperand);
    }

    /** Tiles per call of {@link #tiles}. */
    static final int BATCH = 16;

    /** The state of one evaluation that its tiles share. */
    record Call(Loops loops, LoopSpace space, LoopSpace.Runs runs, Object[] data, boolean[] inPlace,
                        Object[] arr, int[] off, double[] doubleScratch, boolean direct, boolean denseOut,
                        int outOperand) {}

    /**
     * The tiles of positions {@code [from, to)}. A method called every {@link #BATCH} tiles, not a loop over the
     * whole chunk in {@link ElementwiseKernel#into}: {@code into} runs once per chunk, so the JIT would compile its loop late (only
     * after hundreds of chunks, running it in the first-tier compiler's code until then); this one is hot after a
     * few chunks.
     */
    void tiles(Call c, Object dst, int dstOffset, int from, int to) {
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
                    int i = ((Expr.Input) steps[s].expr()).index();
                    if (inPlace[s]) {
                        arr[s] = data[i];
                        off[s] = start;
                    } else {
                        gather(data[i], steps[s].floating(), space.innerStride(i), runs, runs.offset[i], arr[s]);
                    }
                }
                case ARANGE -> arange((Expr.Arange) steps[s].expr(), space, runs, len, arr[s], off[s],
                        steps[s].floating() ? null : doubleScratch); // the scratch is for integer aranges only
                case RANDOM -> random(loops, (Expr.Random) steps[s].expr(), space, runs, (double[]) arr[s], off[s]);
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
    static boolean tileArray(Object array, boolean floating) {
        return floating ? array instanceof double[] : array instanceof long[];
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
        int c = step.a(), a = step.b(), b = step.c();
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
        int a = step.a();
        boolean fromFloating = steps[a].floating();
        if (step.floating()) {
            if (fromFloating) TileOps.cast((double[]) arr[a], off[a], step.dtype(), (double[]) arr[s], off[s], n);
            else TileOps.cast((long[]) arr[a], off[a], step.dtype(), (double[]) arr[s], off[s], n);
        } else {
            if (fromFloating) TileOps.cast((double[]) arr[a], off[a], step.dtype(), (long[]) arr[s], off[s], n);
            else TileOps.cast((long[]) arr[a], off[a], step.dtype(), (long[]) arr[s], off[s], n);
        }
    }

    @Override
    public String toString() {
        return doubleSlots + " double and " + longSlots + " long tiles of " + TILE;
    }
}
