package io.chunkwise.spi;

/**
 * Elementwise two-operand ops; both operands have the same dtype (the array layer promotes and casts first).
 * Arithmetic ops return that dtype, comparisons return BOOL.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, GT, GE, LT, LE, EQ, NE;

    public boolean isComparison() { return ordinal() >= GT.ordinal(); }

    public String numpyName() {
        return switch (this) {
            case ADD -> "add"; case SUB -> "subtract"; case MUL -> "multiply"; case DIV -> "true_divide";
            case POW -> "power"; case MAXIMUM -> "maximum"; case MINIMUM -> "minimum";
            case GT -> "greater"; case GE -> "greater_equal"; case LT -> "less"; case LE -> "less_equal";
            case EQ -> "equal"; case NE -> "not_equal";
        };
    }
}
