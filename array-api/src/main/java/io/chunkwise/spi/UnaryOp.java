package io.chunkwise.spi;

import io.chunkwise.DType;
import io.chunkwise.DTypeException;

/**
 * The table of one-operand elementwise ops: each row declares an op once, with everything the rest of the project
 * knows of it. The CPU loops (cpu-backend's {@code GenerateLoops}) and the CUDA op header (cuda-kernels'
 * {@code GenerateOps}) are generated from these rows during the build; the array layer takes its dtype rules from
 * {@link #operandType} and {@link #resultType}; the CPU kernel asks {@link #exact()} whether a float32 result must be
 * rounded. Only the two oracles (the {@code ReferenceBackend} and the tests' dense reference) are written by hand, on
 * purpose. Adding a ufunc: a row here, those two oracles, and a {@code ChunkedArray} method.
 *
 * <p>Columns: the NumPy name; the dtype {@link Rule}; whether the float64 result of a float32 operand is always a
 * float32 value (so no rounding is needed); the code forms of the element {@code x} ({@link OpForms}: Java, Vector
 * API, CUDA C). Predicates ({@link Rule#PREDICATE}) give a {@code boolean} in Java and a {@code VectorMask} in the
 * Vector API.
 */
public enum UnaryOp {
    NEG("negative", Rule.NUMBER, true, new OpForms("-x", "-x", "x.neg()", "x.neg()", "-x")),
    ABS("absolute", Rule.ANY, true, new OpForms("Math.abs(x)", "Math.abs(x)", "x.abs()", "x.abs()", "fabs(x)")),
    SIGN("sign", Rule.NUMBER, true, new OpForms("x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : x", "Long.signum(x)", null, null,
            "x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x")),
    SQUARE("square", Rule.BOOL_AS_INT, false, new OpForms("x * x", "x * x", "x.mul(x)", "x.mul(x)", "x * x")),
    SQRT("sqrt", Rule.FLOAT, false, new OpForms("Math.sqrt(x)", null, "x.sqrt()", null, "sqrt(x)")),
    EXP("exp", Rule.FLOAT, false, new OpForms("Math.exp(x)", null, null, null, "exp(x)")),
    EXPM1("expm1", Rule.FLOAT, false, new OpForms("Math.expm1(x)", null, null, null, "expm1(x)")),
    LOG("log", Rule.FLOAT, false, new OpForms("Math.log(x)", null, null, null, "log(x)")),
    LOG1P("log1p", Rule.FLOAT, false, new OpForms("Math.log1p(x)", null, null, null, "log1p(x)")),
    LOG2("log2", Rule.FLOAT, false, new OpForms("Scalars.log2(x)", null, null, null, "log2(x)")),
    LOG10("log10", Rule.FLOAT, false, new OpForms("Math.log10(x)", null, null, null, "log10(x)")),
    SIN("sin", Rule.FLOAT, false, new OpForms("Math.sin(x)", null, null, null, "sin(x)")),
    COS("cos", Rule.FLOAT, false, new OpForms("Math.cos(x)", null, null, null, "cos(x)")),
    TAN("tan", Rule.FLOAT, false, new OpForms("Math.tan(x)", null, null, null, "tan(x)")),
    ARCSIN("arcsin", Rule.FLOAT, false, new OpForms("Math.asin(x)", null, null, null, "asin(x)")),
    ARCCOS("arccos", Rule.FLOAT, false, new OpForms("Math.acos(x)", null, null, null, "acos(x)")),
    ARCTAN("arctan", Rule.FLOAT, false, new OpForms("Math.atan(x)", null, null, null, "atan(x)")),
    SINH("sinh", Rule.FLOAT, false, new OpForms("Math.sinh(x)", null, null, null, "sinh(x)")),
    COSH("cosh", Rule.FLOAT, false, new OpForms("Math.cosh(x)", null, null, null, "cosh(x)")),
    TANH("tanh", Rule.FLOAT, false, new OpForms("Math.tanh(x)", null, null, null, "tanh(x)")),
    /** Integers and booleans are their own floor (NumPy 2.3 on keeps their dtype), likewise for ceil and trunc. */
    FLOOR("floor", Rule.ANY, true, new OpForms("Math.floor(x)", "x", null, null, "floor(x)")),
    CEIL("ceil", Rule.ANY, true, new OpForms("Math.ceil(x)", "x", null, null, "ceil(x)")),
    TRUNC("trunc", Rule.ANY, true, new OpForms("x < 0 ? Math.ceil(x) : Math.floor(x)", "x", null, null, "trunc(x)")),
    /** Rounds half to even, as NumPy's rint and round. */
    RINT("rint", Rule.FLOAT, true, new OpForms("Math.rint(x)", null, null, null, "rint(x)")),
    ISNAN("isnan", Rule.PREDICATE, true, new OpForms("x != x", "false", "x.test(VectorOperators.IS_NAN)", null, "isnan(x)")),
    ISINF("isinf", Rule.PREDICATE, true, new OpForms("Math.abs(x) == Double.POSITIVE_INFINITY", "false",
            "x.test(VectorOperators.IS_INFINITE)", null, "isinf(x)")),
    ISFINITE("isfinite", Rule.PREDICATE, true, new OpForms("Double.isFinite(x)", "true", "x.test(VectorOperators.IS_FINITE)", null,
            "isfinite(x)")),
    /** Non-zero (NaN included) is true, as NumPy's logical_not. */
    LOGICAL_NOT("logical_not", Rule.PREDICATE, true, new OpForms("x == 0", "x == 0", null, null, "x == 0"));

    /** How an op's operand and result dtypes follow from the input's dtype. */
    public enum Rule {
        /** Any dtype, kept. */
        ANY,
        /** Any dtype but BOOL (NumPy refuses it: negative), kept. */
        NUMBER,
        /** BOOL computes as INT64 (NumPy's bool arithmetic, as the project defines it); other dtypes are kept. */
        BOOL_AS_INT,
        /** Floating dtypes are kept; integers and BOOL compute in FLOAT64. */
        FLOAT,
        /** Any dtype, kept for the operand; the result is BOOL. */
        PREDICATE
    }

    private final String numpyName;
    private final Rule rule;
    private final boolean exact;
    private final OpForms forms;

    UnaryOp(String numpyName, Rule rule, boolean exact, OpForms forms) {
        this.numpyName = numpyName;
        this.rule = rule;
        this.exact = exact;
        this.forms = forms;
    }

    public String numpyName() { return numpyName; }

    public Rule rule() { return rule; }

    /** Whether the result is BOOL from a Java {@code boolean} (a {@code VectorMask}) rather than the operand's value type. */
    public boolean isPredicate() { return rule == Rule.PREDICATE; }

    /** Whether a FLOAT32 operand's result computed in double is always a float32 value (no rounding needed). */
    public boolean exact() { return exact; }

    /** The dtype the op computes in for an input of {@code input}; refuses dtypes the op is not defined for. */
    public DType operandType(DType input) {
        return switch (rule) {
            case ANY, PREDICATE -> input;
            case NUMBER -> {
                if (input == DType.BOOL) {
                    throw new DTypeException(numpyName + " is not defined for bool arrays (NumPy refuses it too); "
                            + (this == NEG ? "use logicalNot for logical not" : "cast with astype first"));
                }
                yield input;
            }
            case BOOL_AS_INT -> input == DType.BOOL ? DType.INT64 : input;
            case FLOAT -> input.isFloating() ? input : DType.FLOAT64;
        };
    }

    /** The result dtype for an operand of {@code operand} (an {@link #operandType}). */
    public DType resultType(DType operand) { return isPredicate() ? DType.BOOL : operand; }

    /** The op's code: Java, Vector API and CUDA expressions. */
    public OpForms forms() { return forms; }
}
