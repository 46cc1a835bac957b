package io.chunkwise.spi;

/** Elementwise one-operand ops; operand and result have the same dtype (the array layer casts first). */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, SIN, COS, TANH;

    /** Ops that need a floating operand (the array layer casts integers to FLOAT64 first, as NumPy does). */
    public boolean needsFloat() { return this != NEG && this != ABS; }

    public String numpyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
