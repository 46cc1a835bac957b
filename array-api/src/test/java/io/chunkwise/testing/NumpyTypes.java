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
        ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, GT, GE, LT, LE, EQ, NE;

        public boolean isComparison() { return ordinal() >= GT.ordinal(); }
    }

    public enum Unary { NEG, ABS, EXP, LOG, SQRT, SIN, COS, TANH }

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
        if (op == Binary.DIV) return floating ? common : DType.FLOAT64;
        if (common == DType.BOOL && (op == Binary.ADD || op == Binary.SUB || op == Binary.MUL || op == Binary.POW)) {
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

    /** neg and abs keep the dtype; the others compute integers and bools in float64. */
    public static DType unary(Unary op, DType a) {
        if (op == Unary.NEG || op == Unary.ABS) return a;
        return a == DType.FLOAT32 || a == DType.FLOAT64 ? a : DType.FLOAT64;
    }

    /** sum and prod: floats keep their dtype, integers and bools accumulate in int64. */
    public static DType sumProd(DType a) { return a == DType.FLOAT32 || a == DType.FLOAT64 ? a : DType.INT64; }

    /** mean, var and std: floats keep their dtype, integers and bools give float64. */
    public static DType moment(DType a) { return a == DType.FLOAT32 || a == DType.FLOAT64 ? a : DType.FLOAT64; }

    public static boolean isFloating(DType t) { return t == DType.FLOAT32 || t == DType.FLOAT64; }
}
