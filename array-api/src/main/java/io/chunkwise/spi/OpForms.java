package io.chunkwise.spi;

/**
 * The code forms of one elementwise op of the op table ({@link UnaryOp}, {@link BinaryOp}): its element's expression
 * in Java for {@code double} and for {@code long} operands, in the Java Vector API for {@code DoubleVector} and
 * {@code LongVector} operands, and in CUDA C for floating operands. The operands are named {@code x} (unary) or
 * {@code a} and {@code b} (binary). A null form means none: integers are cast to float64 before the op (Java long),
 * no vector form gives the scalar form's bits (so the scalar loop runs), no device kernel (CUDA). The build
 * generates the CPU loops and the CUDA op lists from these strings.
 *
 * @param javaDouble the Java expression of {@code double} operands
 * @param javaLong the Java expression of {@code long} operands, or null
 * @param vectorDouble the Vector API expression of {@code DoubleVector} operands, or null
 * @param vectorLong the Vector API expression of {@code LongVector} operands, or null
 * @param cuda the CUDA C expression of floating operands, or null
 */
public record OpForms(String javaDouble, String javaLong, String vectorDouble, String vectorLong, String cuda) {}
