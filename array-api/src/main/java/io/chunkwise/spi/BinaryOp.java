package io.chunkwise.spi;

import io.chunkwise.DType;

/**
 * The table of two-operand elementwise ops, declared as {@link UnaryOp} declares its rows (see there for what is
 * generated from them and who reads them). Both operands have the same dtype when the op runs: the array layer
 * promotes and casts them first ({@link #operandType}).
 *
 * <p>Columns: the NumPy name; the dtype {@link Rule}; whether a float32 result computed in double needs no rounding;
 * the element's expression in Java for {@code double a, b} and for {@code long a, b} (null: integers are cast to
 * float64 first); in the Vector API for {@code DoubleVector a, b} and {@code LongVector a, b} (null: the scalar loop
 * runs); in CUDA C for floating {@code a, b} (null: no device kernel). Predicates ({@link Rule#PREDICATE}) give a
 * {@code boolean} in Java and a {@code VectorMask} in the Vector API.
 */
public enum BinaryOp {
    ADD("add", Rule.ARITHMETIC, false, "a + b", "a + b", "a.add(b)", "a.add(b)", "a + b"),
    SUB("subtract", Rule.ARITHMETIC, false, "a - b", "a - b", "a.sub(b)", "a.sub(b)", "a - b"),
    MUL("multiply", Rule.ARITHMETIC, false, "a * b", "a * b", "a.mul(b)", "a.mul(b)", "a * b"),
    DIV("true_divide", Rule.FLOAT, false, "a / b", null, "a.div(b)", null, "a / b"),
    /** Integers: repeated squaring, wrapping; a negative exponent is an error (as NumPy). */
    POW("power", Rule.ARITHMETIC, false, "Scalars.pow(a, b)", "Scalars.pow(a, b)", null, null, "pow(a, b)"),
    /** The remainder with the sign of the divisor, as {@code numpy.remainder} (integer division by zero gives 0). */
    MOD("remainder", Rule.ARITHMETIC, false, "Scalars.remainder(a, b)", "Scalars.remainder(a, b)", null, null,
            "cw_remainder(a, b)"),
    /** Division rounded toward negative infinity, as {@code numpy.floor_divide} (integer division by zero gives 0). */
    FLOOR_DIVIDE("floor_divide", Rule.ARITHMETIC, false, "Scalars.floorDivide(a, b)", "Scalars.floorDivide(a, b)",
            null, null, "cw_floor_divide(a, b)"),
    ARCTAN2("arctan2", Rule.FLOAT, false, "Math.atan2(a, b)", null, null, null, "atan2(a, b)"),
    HYPOT("hypot", Rule.FLOAT, false, "Math.hypot(a, b)", null, null, null, "hypot(a, b)"),
    MAXIMUM("maximum", Rule.SAME, true, "Math.max(a, b)", "Math.max(a, b)", "a.max(b)", "a.max(b)", "cw_maximum(a, b)"),
    MINIMUM("minimum", Rule.SAME, true, "Math.min(a, b)", "Math.min(a, b)", "a.min(b)", "a.min(b)", "cw_minimum(a, b)"),
    GT("greater", Rule.PREDICATE, true, "a > b", "a > b", "a.compare(VectorOperators.GT, b)", "a.compare(VectorOperators.GT, b)", "a > b"),
    GE("greater_equal", Rule.PREDICATE, true, "a >= b", "a >= b", "a.compare(VectorOperators.GE, b)", "a.compare(VectorOperators.GE, b)", "a >= b"),
    LT("less", Rule.PREDICATE, true, "a < b", "a < b", "a.compare(VectorOperators.LT, b)", "a.compare(VectorOperators.LT, b)", "a < b"),
    LE("less_equal", Rule.PREDICATE, true, "a <= b", "a <= b", "a.compare(VectorOperators.LE, b)", "a.compare(VectorOperators.LE, b)", "a <= b"),
    EQ("equal", Rule.PREDICATE, true, "a == b", "a == b", "a.compare(VectorOperators.EQ, b)", "a.compare(VectorOperators.EQ, b)", "a == b"),
    NE("not_equal", Rule.PREDICATE, true, "a != b", "a != b", "a.compare(VectorOperators.NE, b)", "a.compare(VectorOperators.NE, b)", "a != b"),
    /** Non-zero (NaN included) is true, for these three. */
    LOGICAL_AND("logical_and", Rule.PREDICATE, true, "a != 0 && b != 0", "a != 0 && b != 0", null, null, "a != 0 && b != 0"),
    LOGICAL_OR("logical_or", Rule.PREDICATE, true, "a != 0 || b != 0", "a != 0 || b != 0", null, null, "a != 0 || b != 0"),
    LOGICAL_XOR("logical_xor", Rule.PREDICATE, true, "(a != 0) != (b != 0)", "(a != 0) != (b != 0)", null, null,
            "(a != 0) != (b != 0)");

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
    private final String javaDouble, javaLong, vectorDouble, vectorLong, cuda;

    BinaryOp(String numpyName, Rule rule, boolean exact, String javaDouble, String javaLong, String vectorDouble,
             String vectorLong, String cuda) {
        this.numpyName = numpyName;
        this.rule = rule;
        this.exact = exact;
        this.javaDouble = javaDouble;
        this.javaLong = javaLong;
        this.vectorDouble = vectorDouble;
        this.vectorLong = vectorLong;
        this.cuda = cuda;
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

    /** The element's Java expression of {@code double a, b}. */
    public String javaDouble() { return javaDouble; }

    /** The element's Java expression of {@code long a, b}, or null where integers are cast to FLOAT64 first. */
    public String javaLong() { return javaLong; }

    /** The Vector API expression of {@code DoubleVector a, b}, or null. */
    public String vectorDouble() { return vectorDouble; }

    /** The Vector API expression of {@code LongVector a, b}, or null. */
    public String vectorLong() { return vectorLong; }

    /** The CUDA C expression of floating {@code a, b}, or null. */
    public String cuda() { return cuda; }
}
