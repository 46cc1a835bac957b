package io.chunkwise;

import java.util.Arrays;
import java.util.Locale;

/** Element types, with NumPy's promotion rules restricted to these five. */
public enum DType {
    /** Booleans, one byte each (NumPy's {@code bool}). */
    BOOL(1, "bool"),
    /** 32-bit signed integers. */
    INT32(4, "int32"),
    /** 64-bit signed integers. */
    INT64(8, "int64"),
    /** IEEE 754 single precision. */
    FLOAT32(4, "float32"),
    /** IEEE 754 double precision. */
    FLOAT64(8, "float64");

    private final int byteSize;
    private final String numpyName;

    DType(int byteSize, String numpyName) {
        this.byteSize = byteSize;
        this.numpyName = numpyName;
    }

    /** {@return the bytes of one element} */
    public int byteSize() { return byteSize; }

    /** {@return NumPy's name of the type, e.g. {@code "float64"}} */
    public String numpyName() { return numpyName; }

    /** {@return whether this is FLOAT32 or FLOAT64} */
    public boolean isFloating() { return this == FLOAT32 || this == FLOAT64; }

    /** {@return whether this is INT32 or INT64} */
    public boolean isInteger() { return this == INT32 || this == INT64; }

    /**
     * NumPy's result type of a binary operation between arrays of these types: the smallest type that holds both
     * (INT32 with FLOAT32 gives FLOAT64, as in NumPy, since float32 cannot hold every int32).
     *
     * @param a one operand's type
     * @param b the other's
     * @return the result's type
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a == BOOL) return b;
        if (b == BOOL) return a;
        if (a.isInteger() && b.isInteger()) return INT64;
        if (a.isFloating() && b.isFloating()) return FLOAT64;
        return FLOAT64; // float32 holds neither int32 nor int64 exactly
    }

    /**
     * The type of {@code array OP scalar} for a Java {@code double} scalar: like a Python float in NumPy (NEP 50),
     * a floating array keeps its type and an integer or boolean array becomes FLOAT64.
     *
     * @param array the array's type
     * @return the result's type
     */
    public static DType promoteWithScalar(DType array) {
        return array.isFloating() ? array : FLOAT64;
    }

    /**
     * Parses a NumPy-style name ({@code float64}, {@code f8}, {@code <i4}, {@code bool}, ...) or an enum name.
     *
     * @param name the name, in any case
     * @return the type it names
     * @throws DTypeException for a name of no type here, listing the accepted ones
     */
    public static DType parse(String name) {
        if (name == null) throw new DTypeException("dtype name is null; accepted: " + accepted());
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.length() > 1 && (n.charAt(0) == '<' || n.charAt(0) == '=' || n.charAt(0) == '|')) n = n.substring(1);
        switch (n) {
            case "bool", "?", "b1": return BOOL;
            case "int32", "i4": return INT32;
            case "int64", "i8": return INT64;
            case "float32", "f4": return FLOAT32;
            case "float64", "f8", "double": return FLOAT64;
            default: throw new DTypeException("unknown dtype '" + name + "'; accepted: " + accepted());
        }
    }

    private static String accepted() {
        return Arrays.toString(Arrays.stream(values()).map(DType::numpyName).toArray());
    }
}
