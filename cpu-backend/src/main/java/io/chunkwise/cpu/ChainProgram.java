package io.chunkwise.cpu;

import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.OpForms;
import io.chunkwise.spi.UnaryOp;

/**
 * A float64 or float32 expression that is a chain, such as {@code x * x + 10} or {@code sqrt((x - m) / s)}: each operation
 * takes the result of the one before (the accumulator) and, at most, one input or constant. Such an expression
 * runs in one pass of vectors ({@link Loops#chain}): a vector of each input is loaded, every operation applied in
 * registers and the result stored, so that reading the inputs and writing the output overlap as in a plain loop,
 * where the tile-by-tile evaluation of {@link ElementwiseKernel} reads a tile, then writes one (about half the
 * memory bandwidth on x * x + 10). Only operations whose vector and scalar results are bit for bit equal are
 * chained (the op table's value ops with a vector form: IEEE arithmetic, min, max, neg, abs, square, sqrt), so a
 * value never depends on where a vector boundary falls; their vector and scalar code is generated from the table.
 */
final class ChainProgram {
    static final int ACC = 0, INPUT = 1, CONST = 2, NONE = 3;
    /** Chain codes: {@code UNARY + ordinal} of a {@link UnaryOp}, {@code BINARY + ordinal} of a {@link BinaryOp}. */
    static final int UNARY = 0, BINARY = 64;

    /** Per operation: its code, and for each operand its kind, input index and constant value. */
    final int[] op;
    final int[] aKind, bKind, aInput, bInput;
    final double[] aConst, bConst;

    ChainProgram(int[] op, int[] aKind, int[] aInput, double[] aConst, int[] bKind, int[] bInput, double[] bConst) {
        this.op = op;
        this.aKind = aKind;
        this.aInput = aInput;
        this.aConst = aConst;
        this.bKind = bKind;
        this.bInput = bInput;
        this.bConst = bConst;
    }

    int length() { return op.length; }

    /**
     * The float32 chain's value at position {@code p}, op by op in float arithmetic (each op's bits those of the
     * double op rounded to float, as the tiles compute them): the positions a vector loop leaves.
     */
    float valueAt(float[][] in, int p) {
        float acc = 0;
        for (int k = 0; k < op.length; k++) {
            float a = aKind[k] == ACC ? acc : aKind[k] == INPUT ? in[aInput[k]][p] : (float) aConst[k];
            float b = bKind[k] == ACC ? acc : bKind[k] == INPUT ? in[bInput[k]][p] : bKind[k] == CONST ? (float) bConst[k] : a;
            acc = TypedScalarLoops.chainValue(op[k], a, b);
        }
        return acc;
    }

    /** The chain code of a binary op, or -1 where it is not chained (no vector form in the op table, or a predicate). */
    static int code(BinaryOp op) { return chained(op.forms(), op.isPredicate()) ? BINARY + op.ordinal() : -1; }

    /** The chain code of a unary op, or -1 where it is not chained. */
    static int code(UnaryOp op) { return chained(op.forms(), op.isPredicate()) ? UNARY + op.ordinal() : -1; }

    private static boolean chained(OpForms forms, boolean predicate) { return !predicate && forms.vectorDouble() != null; }
}
