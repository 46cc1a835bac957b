package io.chunkwise.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import static io.chunkwise.cpu.ChainProgram.*;

/** {@link ChainProgram}s with the Java Vector API, for {@link VectorLoops#chain}. */
final class VectorChain {
    private static final VectorSpecies<Double> DS = VectorLoops.DS;
    private static final int L = DS.length();

    private VectorChain() {}

    /**
     * Positions {@code [from, end)} of the chain, {@code end = from + loopBound(to - from)}: input {@code i}'s
     * value at position {@code p} is {@code in[i][p]}, the result goes to {@code dst[dstOffset + p]}. Returns
     * {@code end}; the tail is left to the caller.
     */
    static int run(ChainProgram c, double[][] in, int from, int to, double[] dst, int dstOffset) {
        int end = from + DS.loopBound(to - from);
        return switch (c.length()) {
            case 1 -> one(c, in, from, end, dst, dstOffset);
            case 2 -> two(c, in, from, end, dst, dstOffset);
            default -> any(c, in, from, end, dst, dstOffset);
        };
    }

    /**
     * Chains of one and two operations, their metadata in locals so that the loop reads no program arrays (what
     * x * x + 10 runs): a chain of two runs at copy speed this way, about 20% slower through {@link #any}.
     */
    private static int one(ChainProgram c, double[][] in, int from, int end, double[] dst, int dstOffset) {
        int op0 = c.op[0], ak0 = c.aKind[0], bk0 = c.bKind[0];
        double[] aa0 = array(in, ak0, c.aInput[0]), ba0 = array(in, bk0, c.bInput[0]);
        DoubleVector ac0 = DoubleVector.broadcast(DS, c.aConst[0]), bc0 = DoubleVector.broadcast(DS, c.bConst[0]);
        DoubleVector zero = DoubleVector.zero(DS);
        for (int p = from; p < end; p += L) {
            DoubleVector a = operand(ak0, aa0, p, ac0, zero, zero);
            apply(op0, a, operand(bk0, ba0, p, bc0, zero, a)).intoArray(dst, dstOffset + p);
        }
        return end;
    }

    private static int two(ChainProgram c, double[][] in, int from, int end, double[] dst, int dstOffset) {
        int op0 = c.op[0], ak0 = c.aKind[0], bk0 = c.bKind[0];
        int op1 = c.op[1], ak1 = c.aKind[1], bk1 = c.bKind[1];
        double[] aa0 = array(in, ak0, c.aInput[0]), ba0 = array(in, bk0, c.bInput[0]);
        double[] aa1 = array(in, ak1, c.aInput[1]), ba1 = array(in, bk1, c.bInput[1]);
        DoubleVector ac0 = DoubleVector.broadcast(DS, c.aConst[0]), bc0 = DoubleVector.broadcast(DS, c.bConst[0]);
        DoubleVector ac1 = DoubleVector.broadcast(DS, c.aConst[1]), bc1 = DoubleVector.broadcast(DS, c.bConst[1]);
        DoubleVector zero = DoubleVector.zero(DS);
        for (int p = from; p < end; p += L) {
            DoubleVector a = operand(ak0, aa0, p, ac0, zero, zero);
            DoubleVector acc = apply(op0, a, operand(bk0, ba0, p, bc0, zero, a));
            a = operand(ak1, aa1, p, ac1, acc, acc);
            apply(op1, a, operand(bk1, ba1, p, bc1, acc, a)).intoArray(dst, dstOffset + p);
        }
        return end;
    }

    private static int any(ChainProgram c, double[][] in, int from, int end, double[] dst, int dstOffset) {
        int m = c.length();
        int[] op = c.op, ak = c.aKind, bk = c.bKind, ai = c.aInput, bi = c.bInput;
        double[] ac = c.aConst, bc = c.bConst;
        DoubleVector zero = DoubleVector.zero(DS);
        for (int p = from; p < end; p += L) {
            DoubleVector acc = zero;
            for (int k = 0; k < m; k++) {
                DoubleVector a = switch (ak[k]) {
                    case ACC -> acc;
                    case INPUT -> DoubleVector.fromArray(DS, in[ai[k]], p);
                    default -> DoubleVector.broadcast(DS, ac[k]);
                };
                DoubleVector b = switch (bk[k]) {
                    case ACC -> acc;
                    case INPUT -> DoubleVector.fromArray(DS, in[bi[k]], p);
                    case CONST -> DoubleVector.broadcast(DS, bc[k]);
                    default -> a;
                };
                acc = apply(op[k], a, b);
            }
            acc.intoArray(dst, dstOffset + p);
        }
        return end;
    }

    private static double[] array(double[][] in, int kind, int input) { return kind == INPUT ? in[input] : null; }

    /**
     * An operand's vector at {@code p}: the accumulator, an input's values, a constant, or (NONE) {@code none}.
     * Here and in {@link #apply}, tests in order of frequency rather than a switch: the kinds and ops are the same
     * for every vector of a loop, and as ifs the loop of x*x+10 ran 20 % faster in cache (3.3 against 4.0 ms per
     * 10^7 values; a hand-written loop: 1.9).
     */
    private static DoubleVector operand(int kind, double[] array, int p, DoubleVector constant, DoubleVector acc,
                                        DoubleVector none) {
        if (kind == INPUT) return DoubleVector.fromArray(DS, array, p);
        if (kind == ACC) return acc;
        if (kind == CONST) return constant;
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
