package io.chunkwise.testing;

import io.chunkwise.DType;

/**
 * NumPy's dtype rules for the five dtypes, written out independently of {@link DType#promote} so that the tests
 * check the library's promotion instead of repeating it. Where NumPy has no exact counterpart the project's
 * choice is noted (bool arithmetic gives int64; bool inputs of float ufuncs give float64, not float16).
 */
public final class NumpyTypes {
    private NumpyTypes() {}

    public enum Binary {
        ADD, SUB, MUL, DIV, POW, MOD, FLOOR_DIVIDE, ARCTAN2, HYPOT, MAXIMUM, MINIMUM,
        GT, GE, LT, LE, EQ, NE, LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR;

        /** Comparisons and the logical ops: BOOL results. */
        public boolean isComparison() { return ordinal() >= GT.ordinal(); }
    }

    public enum Unary {
        NEG, ABS, SIGN, SQUARE, EXP, EXPM1, LOG, LOG1P, LOG2, LOG10, SQRT, SIN, COS, TAN, ARCSIN, ARCCOS, ARCTAN,
        SINH, COSH, TANH, FLOOR, CEIL, TRUNC, RINT, ISNAN, ISINF, ISFINITE, LOGICAL_NOT;

        /** isnan, isinf, isfinite, logical_not: BOOL results, computed on the operand as it is. */
        public boolean isPredicate() { return ordinal() >= ISNAN.ordinal(); }
    }

    /** {@code np.result_type} of two arrays. */
    public static DType common(DType a, DType b) {
        if (a == b) return a;
        if (a == DType.BOOL) return b;
        if (b == DType.BOOL) return a;
        boolean fa = a == DType.FLOAT32 || a == DType.FLOAT64, fb = b == DType.FLOAT32 || b == DType.FLOAT64;
        if (!fa && !fb) return DType.INT64;       // int32 with int64
        return DType.FLOAT64;                      // float32 with float64, or any int with any float
    }

    /** The dtype the operands are converted to before the op. */
    public static DType operands(Binary op, DType common) {
        boolean floating = common == DType.FLOAT32 || common == DType.FLOAT64;
        if (op == Binary.DIV || op == Binary.ARCTAN2 || op == Binary.HYPOT) return floating ? common : DType.FLOAT64;
        if (common == DType.BOOL && (op == Binary.ADD || op == Binary.SUB || op == Binary.MUL || op == Binary.POW
                || op == Binary.MOD || op == Binary.FLOOR_DIVIDE)) {
            return DType.INT64;
        }
        return common;
    }

    /** Result dtype of {@code a OP b} for arrays. */
    public static DType binary(Binary op, DType a, DType b) {
        return op.isComparison() ? DType.BOOL : operands(op, common(a, b));
    }

    /** {@code a OP scalar} for a Python float scalar (NEP 50): a floating array keeps its dtype, others become float64. */
    public static DType scalarOperands(Binary op, DType a) {
        return a == DType.FLOAT32 || a == DType.FLOAT64 ? a : DType.FLOAT64;
    }

    public static DType binaryScalar(Binary op, DType a) {
        return op.isComparison() ? DType.BOOL : scalarOperands(op, a);
    }

    /**
     * The result dtype: neg, abs, sign, floor, ceil and trunc keep the dtype; square too, but bool becomes int64
     * (bool arithmetic); the predicates give bool; the others compute integers and bools in float64.
     */
    public static DType unary(Unary op, DType a) {
        if (op.isPredicate()) return DType.BOOL;
        return unaryOperand(op, a);
    }

    /** The dtype the operand is converted to before the op. */
    public static DType unaryOperand(Unary op, DType a) {
        if (op == Unary.NEG || op == Unary.ABS || op == Unary.SIGN || op.isPredicate()) return a;   // neg, sign: bool refused
        if (op == Unary.FLOOR || op == Unary.CEIL || op == Unary.TRUNC) return a;   // NumPy 2.3 on: integers are their own floor
        if (op == Unary.SQUARE) return a == DType.BOOL ? DType.INT64 : a;
        return a == DType.FLOAT32 || a == DType.FLOAT64 ? a : DType.FLOAT64;
    }

    /** sum and prod: floats keep their dtype, integers and bools accumulate in int64. */
    public static DType sumProd(DType a) { return a == DType.FLOAT32 || a == DType.FLOAT64 ? a : DType.INT64; }

    /** mean, var and std: floats keep their dtype, integers and bools give float64. */
    public static DType moment(DType a) { return a == DType.FLOAT32 || a == DType.FLOAT64 ? a : DType.FLOAT64; }

    public static boolean isFloating(DType t) { return t == DType.FLOAT32 || t == DType.FLOAT64; }
}
