package io.chunkwise.spi;

import io.chunkwise.DType;

/**
 * The table of two-operand elementwise ops, declared as {@link UnaryOp} declares its rows (see there for what is
 * generated from them and who reads them). Both operands have the same dtype when the op runs: the array layer
 * promotes and casts them first ({@link #operandType}).
 *
 * <p>Columns: the NumPy name; the dtype {@link Rule}; whether a float32 result computed in double needs no rounding;
 * the code forms of the elements {@code a, b} ({@link OpForms}). Predicates ({@link Rule#PREDICATE}) give a
 * {@code boolean} in Java and a {@code VectorMask} in the Vector API.
 */
public enum BinaryOp {
    ADD("add", Rule.ARITHMETIC, false, new OpForms("a + b", "a + b", "a.add(b)", "a.add(b)", "a + b")),
    SUB("subtract", Rule.ARITHMETIC, false, new OpForms("a - b", "a - b", "a.sub(b)", "a.sub(b)", "a - b")),
    MUL("multiply", Rule.ARITHMETIC, false, new OpForms("a * b", "a * b", "a.mul(b)", "a.mul(b)", "a * b")),
    DIV("true_divide", Rule.FLOAT, false, new OpForms("a / b", null, "a.div(b)", null, "a / b")),
    /** Integers: repeated squaring, wrapping; a negative exponent is an error (as NumPy). */
    POW("power", Rule.ARITHMETIC, false, new OpForms("Scalars.pow(a, b)", "Scalars.pow(a, b)", null, null, "pow(a, b)")),
    /** The remainder with the sign of the divisor, as {@code numpy.remainder} (integer division by zero gives 0). */
    MOD("remainder", Rule.ARITHMETIC, false, new OpForms("Scalars.remainder(a, b)", "Scalars.remainder(a, b)", null, null,
            "cw_remainder(a, b)")),
    /** Division rounded toward negative infinity, as {@code numpy.floor_divide} (integer division by zero gives 0). */
    FLOOR_DIVIDE("floor_divide", Rule.ARITHMETIC, false, new OpForms("Scalars.floorDivide(a, b)", "Scalars.floorDivide(a, b)",
            null, null, "cw_floor_divide(a, b)")),
    ARCTAN2("arctan2", Rule.FLOAT, false, new OpForms("Math.atan2(a, b)", null, null, null, "atan2(a, b)")),
    HYPOT("hypot", Rule.FLOAT, false, new OpForms("Math.hypot(a, b)", null, null, null, "hypot(a, b)")),
    MAXIMUM("maximum", Rule.SAME, true, new OpForms("Math.max(a, b)", "Math.max(a, b)", "a.max(b)", "a.max(b)", "cw_maximum(a, b)")),
    MINIMUM("minimum", Rule.SAME, true, new OpForms("Math.min(a, b)", "Math.min(a, b)", "a.min(b)", "a.min(b)", "cw_minimum(a, b)")),
    GT("greater", Rule.PREDICATE, true, new OpForms("a > b", "a > b", "a.compare(VectorOperators.GT, b)", "a.compare(VectorOperators.GT, b)", "a > b")),
    GE("greater_equal", Rule.PREDICATE, true, new OpForms("a >= b", "a >= b", "a.compare(VectorOperators.GE, b)", "a.compare(VectorOperators.GE, b)", "a >= b")),
    LT("less", Rule.PREDICATE, true, new OpForms("a < b", "a < b", "a.compare(VectorOperators.LT, b)", "a.compare(VectorOperators.LT, b)", "a < b")),
    LE("less_equal", Rule.PREDICATE, true, new OpForms("a <= b", "a <= b", "a.compare(VectorOperators.LE, b)", "a.compare(VectorOperators.LE, b)", "a <= b")),
    EQ("equal", Rule.PREDICATE, true, new OpForms("a == b", "a == b", "a.compare(VectorOperators.EQ, b)", "a.compare(VectorOperators.EQ, b)", "a == b")),
    NE("not_equal", Rule.PREDICATE, true, new OpForms("a != b", "a != b", "a.compare(VectorOperators.NE, b)", "a.compare(VectorOperators.NE, b)", "a != b")),
    /** Non-zero (NaN included) is true, for these three. */
    LOGICAL_AND("logical_and", Rule.PREDICATE, true, new OpForms("a != 0 && b != 0", "a != 0 && b != 0", null, null, "a != 0 && b != 0")),
    LOGICAL_OR("logical_or", Rule.PREDICATE, true, new OpForms("a != 0 || b != 0", "a != 0 || b != 0", null, null, "a != 0 || b != 0")),
    LOGICAL_XOR("logical_xor", Rule.PREDICATE, true, new OpForms("(a != 0) != (b != 0)", "(a != 0) != (b != 0)", null, null,
            "(a != 0) != (b != 0)"));

    /** How the operand and result dtypes follow from the promoted dtype of the inputs. */
    public enum Rule {
        /** BOOL computes as INT64 (bool arithmetic, as the project defines it); other dtypes are kept. */
        ARITHMETIC,
        /** Floating dtypes are kept; integers and BOOL compute in FLOAT64 (true division). */
        FLOAT,
        /** Every dtype is kept, BOOL included. */
        SAME,
        /** Every dtype is kept for the operands; the result is BOOL. */
        PREDICATE
    }

    private final String numpyName;
    private final Rule rule;
    private final boolean exact;
    private final OpForms forms;

    BinaryOp(String numpyName, Rule rule, boolean exact, OpForms forms) {
        this.numpyName = numpyName;
        this.rule = rule;
        this.exact = exact;
        this.forms = forms;
    }

    public String numpyName() { return numpyName; }

    public Rule rule() { return rule; }

    /** Whether the result is BOOL from a Java {@code boolean} (comparisons and the logical ops). */
    public boolean isPredicate() { return rule == Rule.PREDICATE; }

    /** Whether a FLOAT32 result computed in double is always a float32 value (no rounding needed). */
    public boolean exact() { return exact; }

    /** The dtype both operands are cast to, for inputs whose promoted dtype is {@code common}. */
    public DType operandType(DType common) {
        return switch (rule) {
            case ARITHMETIC -> common == DType.BOOL ? DType.INT64 : common;
            case FLOAT -> common.isFloating() ? common : DType.FLOAT64;
            case SAME, PREDICATE -> common;
        };
    }

    /** The result dtype for operands of {@code operand} (an {@link #operandType}). */
    public DType resultType(DType operand) { return isPredicate() ? DType.BOOL : operand; }

    /** The op's code: Java, Vector API and CUDA expressions. */
    public OpForms forms() { return forms; }
}
