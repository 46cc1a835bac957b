package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.cpu.ExprProgram.Kind;
import io.chunkwise.cpu.ExprProgram.Step;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.UnaryOp;

import java.util.ArrayList;
import java.util.List;

import static io.chunkwise.cpu.TileEvaluator.TILE;

/**
 * Runs an {@link ExprProgram} that is a float64 or float32 chain ({@link ChainProgram}: each op reads the one before
 * and at most one input or constant, e.g. x * x + 10) where its inputs are dense and its output dense or in runs of
 * stride 1: as one pass of vectors ({@link Loops#chain}), which reads and writes memory as a plain loop does, where
 * the tiles of {@link TileEvaluator} alternate bursts of reads and writes and reach about half of that on such an
 * expression. What the vector loop leaves (a tail, or all of it with loops that have no chains) runs op by op with
 * the tiles' loops, so a value does not depend on which way it was computed.
 */
final class ChainEvaluator {
    private final Step[] steps;
    final ChainProgram chain;
    /** double[] or float[]: the chain's dtype as arrays hold it. */
    final Class<?> chainArray;
    private final int[] chainSteps;    // the program step of each operation of the chain
    private final UnaryOp[] unaryOp;   // per operation of the chain: its op where it is unary, else null
    private final BinaryOp[] binaryOp; // per operation: its op where it is binary, else null

    private ChainEvaluator(Step[] steps, int[] chainSteps) {
        this.steps = steps;
        this.chainSteps = chainSteps;
        this.chain = chainProgram(steps, chainSteps);
        this.chainArray = HostBlock.arrayClass(steps[0].dtype());
        int m = chainSteps.length;
        unaryOp = new UnaryOp[m];
        binaryOp = new BinaryOp[m];
        for (int k = 0; k < m; k++) {
            Expr e = steps[chainSteps[k]].expr();
            if (e instanceof Expr.Unary u) unaryOp[k] = u.op();
            else binaryOp[k] = ((Expr.Binary) e).op();
        }
    }

    /** The chain evaluator of {@code program}, or null where the program is not a chain. */
    static ChainEvaluator of(ExprProgram program) {
        int[] ops = chainSteps(program.steps);
        return ops == null ? null : new ChainEvaluator(program.steps, ops);
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
            if (st.dtype() != steps[0].dtype() || (st.dtype() != DType.FLOAT64 && st.dtype() != DType.FLOAT32)) return null;
            switch (st.kind()) {
                case INPUT, CONST -> { }
                case UNARY -> {
                    if (ChainProgram.code(((Expr.Unary) st.expr()).op()) < 0 || steps[st.a()].kind() == Kind.CONST) return null;
                    ops.add(s);
                }
                case BINARY -> {
                    if (ChainProgram.code(((Expr.Binary) st.expr()).op()) < 0) return null;
                    if (steps[st.a()].kind() == Kind.CONST && steps[st.b()].kind() == Kind.CONST) return null;
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
            for (int operand : new int[]{st.a(), st.b()}) {
                if (operand < 0) continue;
                if (operand == prev) readsPrev = true;
                else if (steps[operand].kind() != Kind.INPUT && steps[operand].kind() != Kind.CONST) return null;
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
            op[k] = st.kind() == Kind.UNARY ? ChainProgram.code(((Expr.Unary) st.expr()).op()) : ChainProgram.code(((Expr.Binary) st.expr()).op());
            int[] kind = {ChainProgram.NONE, ChainProgram.NONE}, input = new int[2];
            double[] value = new double[2];
            int[] operands = {st.a(), st.b()};
            for (int j = 0; j < 2; j++) {
                int o = operands[j];
                if (o < 0) continue;
                if (o == prev) {
                    kind[j] = ChainProgram.ACC;
                } else if (steps[o].kind() == Kind.INPUT) {
                    kind[j] = ChainProgram.INPUT;
                    input[j] = ((Expr.Input) steps[o].expr()).index();
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

    /** Whether every input the chain reads is an array of its type laid out densely over the space (read in place). */
    boolean inputsDense(LoopSpace space, Object[] data) {
        for (Step step : steps) {
            if (step.kind() != Kind.INPUT) continue;
            int i = ((Expr.Input) step.expr()).index();
            if (!chainArray.isInstance(data[i]) || !space.dense(i)) return false;
        }
        return true;
    }

    /**
     * The values of the chain over {@code n} positions of dense inputs ({@link #inputsDense}), computed on demand
     * ({@link ElementwiseKernel#values}); float64 chains only. Where the loops compile the chain for its shape
     * ({@link Loops#chainKernel}), a sum takes its leaves from the kernel, which adds the values as it computes them.
     */
    Loops.Values values(Loops loops, Object[] data, int n) {
        double[][] in = (double[][]) chainInputs(data);
        double[] tile = new double[Math.max(1, Math.min(TILE, n))];
        Loops.Values values = (from, len, out) -> {
            if (from > 0) Cancellation.check();
            chainRange(loops, in, from, from + len, out, -from, tile);
        };
        ChainKernel kernel = kernel(loops);
        if (kernel == null) return values;
        return new Loops.Values() {
            @Override public void fill(int from, int len, double[] out) { values.fill(from, len, out); }

            @Override public boolean sumsLeaves() { return true; }

            @Override public void leafSums(int[] off, int[] len, int from, int to, double[] sums) {
                for (int k = from; k < to; k += LEAVES_PER_CHECK) {
                    if (k > from) Cancellation.check();
                    kernel.leafSums(in, off, len, k, Math.min(to, k + LEAVES_PER_CHECK), sums);
                }
            }
        };
    }

    /** Leaves summed between two cancellation checks: 16 leaves (up to 128 KiB of values), as many as a window holds. */
    private static final int LEAVES_PER_CHECK = 16;

    /** The loops a kernel was asked of, and what they gave (null for none): one request per evaluator and loops. */
    private record KernelOf(Loops loops, ChainKernel kernel) {}

    private volatile KernelOf kernelOf;

    private ChainKernel kernel(Loops loops) {
        KernelOf k = kernelOf;
        if (k == null || k.loops != loops) kernelOf = k = new KernelOf(loops, loops.chainKernel(chain));
        return k.kernel;
    }

    /**
     * The chain over all {@code n} positions: dense inputs of its type, the output dense or in runs of stride 1 (a
     * chunk of a larger result), a batch of {@link TileEvaluator#BATCH} tiles' worth of positions per call of {@link #chainRange}.
     */
    void run(Loops loops, LoopSpace space, Object[] data, Object dst, int dstOffset, boolean denseOut,
                          int outOperand, int n) {
        Object in = chainInputs(data);
        double[] tile = new double[Math.min(TILE, n)];
        int batch = TileEvaluator.BATCH * TILE;
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
     * tile with the same loops as {@link TileEvaluator}, float32 position by position in float arithmetic, so a value
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
                boolean last = k == chainSteps.length - 1;
                double[] out = last ? dst : tile;
                int oo = last ? dstOffset + p : 0;
                int ak = chain.aKind[k], bk = chain.bKind[k];
                double[] a = ak == ChainProgram.ACC ? tile : ak == ChainProgram.INPUT ? in[chain.aInput[k]] : null;
                int ao = ak == ChainProgram.ACC ? 0 : p;
                if (unaryOp[k] != null) {
                    loops.unary(unaryOp[k], a, ao, out, oo, len);
                    continue;
                }
                double[] b = bk == ChainProgram.ACC ? tile : bk == ChainProgram.INPUT ? in[chain.bInput[k]] : null;
                int bo = bk == ChainProgram.ACC ? 0 : p;
                if (ak == ChainProgram.CONST) loops.binary(binaryOp[k], chain.aConst[k], b, bo, out, oo, len);
                else if (bk == ChainProgram.CONST) loops.binary(binaryOp[k], a, ao, chain.bConst[k], out, oo, len);
                else loops.binary(binaryOp[k], a, ao, b, bo, out, oo, len);
            }
        }
    }
}
