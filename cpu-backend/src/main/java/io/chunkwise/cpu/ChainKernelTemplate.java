package io.chunkwise.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import java.util.Arrays;

import static io.chunkwise.cpu.ChainProgram.ABS;
import static io.chunkwise.cpu.ChainProgram.ACC;
import static io.chunkwise.cpu.ChainProgram.ADD;
import static io.chunkwise.cpu.ChainProgram.CONST;
import static io.chunkwise.cpu.ChainProgram.DIV;
import static io.chunkwise.cpu.ChainProgram.INPUT;
import static io.chunkwise.cpu.ChainProgram.MAX;
import static io.chunkwise.cpu.ChainProgram.MIN;
import static io.chunkwise.cpu.ChainProgram.MUL;
import static io.chunkwise.cpu.ChainProgram.NEG;
import static io.chunkwise.cpu.ChainProgram.SUB;

/**
 * The template of {@link ChainKernel}'s classes: never used under its own name. {@link ChainKernel#of} defines a
 * hidden copy of this class per chain shape, with the shape as its class data; the static finals below hold it, the
 * JIT takes them as constants, and every test on an op or an operand kind folds to the one branch the shape takes.
 * Chains of up to {@link ChainKernel#MAX_OPS} ops, unrolled: the ops past the shape's length fold away too.
 *
 * <p>The class must stay self-contained (no lambdas, nested classes or enum switches, which would need classes of
 * their own under this name): only this one class is copied.
 */
final class ChainKernelTemplate extends ChainKernel {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_256;
    private static final int[] SHAPE = shapeData();
    private static final int M = SHAPE[0];
    private static final int OP0 = SHAPE[1], AK0 = SHAPE[2], BK0 = SHAPE[3];
    private static final int OP1 = SHAPE[4], AK1 = SHAPE[5], BK1 = SHAPE[6];
    private static final int OP2 = SHAPE[7], AK2 = SHAPE[8], BK2 = SHAPE[9];
    private static final int OP3 = SHAPE[10], AK3 = SHAPE[11], BK3 = SHAPE[12];

    // per op: its operands' input indices and constants, padded to MAX_OPS (the expression's; the shape is the class's)
    private final int[] aInput, bInput;
    private final double[] aConst, bConst;

    ChainKernelTemplate(ChainProgram p) {
        aInput = Arrays.copyOf(p.aInput, MAX_OPS);
        bInput = Arrays.copyOf(p.bInput, MAX_OPS);
        aConst = Arrays.copyOf(p.aConst, MAX_OPS);
        bConst = Arrays.copyOf(p.bConst, MAX_OPS);
    }

    private static int[] shapeData() {
        try {
            return MethodHandles.classData(MethodHandles.lookup(), ConstantDescs.DEFAULT_NAME, int[].class);
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    void leafSums(double[][] in, int[] off, int[] len, int from, int to, double[] sums) {
        // each op's input arrays, once (an operand not an input: null)
        double[] a0 = array(AK0, in, aInput[0]), b0 = array(BK0, in, bInput[0]);
        double[] a1 = array(AK1, in, aInput[1]), b1 = array(BK1, in, bInput[1]);
        double[] a2 = array(AK2, in, aInput[2]), b2 = array(BK2, in, bInput[2]);
        double[] a3 = array(AK3, in, aInput[3]), b3 = array(BK3, in, bInput[3]);
        for (int k = from; k < to; k++) {
            // sixteen values a row, into four vectors of four lanes: the registers of VectorLoops.leafSum, added and
            // folded in its order ((s0 + s2) + (s1 + s3), then lanes (0 + 2) + (1 + 3))
            DoubleVector s0 = DoubleVector.broadcast(S, -0.0), s1 = s0, s2 = s0, s3 = s0;
            for (int p = off[k], end = p + len[k]; p < end; p += Loops.LANES) {
                s0 = s0.add(value(a0, b0, a1, b1, a2, b2, a3, b3, p));
                s1 = s1.add(value(a0, b0, a1, b1, a2, b2, a3, b3, p + 4));
                s2 = s2.add(value(a0, b0, a1, b1, a2, b2, a3, b3, p + 8));
                s3 = s3.add(value(a0, b0, a1, b1, a2, b2, a3, b3, p + 12));
            }
            DoubleVector s = s0.add(s2).add(s1.add(s3));
            sums[k] = (s.lane(0) + s.lane(2)) + (s.lane(1) + s.lane(3));
        }
    }

    private static double[] array(int kind, double[][] in, int input) { return kind == INPUT ? in[input] : null; }

    /** The chain's values at positions {@code [p, p + 4)}: {@code aK} and {@code bK} are op K's input arrays. */
    private DoubleVector value(double[] a0, double[] b0, double[] a1, double[] b1, double[] a2, double[] b2,
                               double[] a3, double[] b3, int p) {
        DoubleVector a = operand(AK0, a0, aConst[0], p, null, null);
        DoubleVector acc = apply(OP0, a, operand(BK0, b0, bConst[0], p, null, a));
        if (M == 1) return acc;
        a = operand(AK1, a1, aConst[1], p, acc, null);
        acc = apply(OP1, a, operand(BK1, b1, bConst[1], p, acc, a));
        if (M == 2) return acc;
        a = operand(AK2, a2, aConst[2], p, acc, null);
        acc = apply(OP2, a, operand(BK2, b2, bConst[2], p, acc, a));
        if (M == 3) return acc;
        a = operand(AK3, a3, aConst[3], p, acc, null);
        return apply(OP3, a, operand(BK3, b3, bConst[3], p, acc, a));
    }

    /**
     * An operand at {@code p}: an input's values, the accumulator, a constant, or (NONE: a unary op, or the second
     * operand reading the first one's input) {@code none}.
     */
    private static DoubleVector operand(int kind, double[] array, double constant, int p, DoubleVector acc,
                                        DoubleVector none) {
        if (kind == INPUT) return DoubleVector.fromArray(S, array, p);
        if (kind == ACC) return acc;
        if (kind == CONST) return DoubleVector.broadcast(S, constant);
        return none;
    }

    private static DoubleVector apply(int op, DoubleVector a, DoubleVector b) {
        if (op == ADD) return a.add(b);
        if (op == MUL) return a.mul(b);
        if (op == SUB) return a.sub(b);
        if (op == DIV) return a.div(b);
        if (op == MAX) return a.max(b);
        if (op == MIN) return a.min(b);
        if (op == NEG) return a.neg();
        if (op == ABS) return a.abs();
        return a.sqrt();
    }
}
