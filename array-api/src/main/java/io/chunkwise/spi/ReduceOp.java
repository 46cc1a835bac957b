package io.chunkwise.spi;

import io.chunkwise.DType;

/**
 * The table of reductions along axes. Each is computed as per-chunk partials, combined pairwise in a fixed order,
 * then finished; MEAN, VAR and STD share one partial (count, mean, M2; combined with Chan et al.'s formula).
 *
 * <p>Columns: the NumPy name; the dtype {@link Rule}; the identity (the result over no elements; null where the
 * reduction has none and refuses empty input); the CUDA C expression combining two partial values {@code a, b}
 * (null: no device kernel; cuda-kernels' {@code GenerateOps} writes the others into the op header).
 */
public enum ReduceOp {
    SUM("sum", Rule.SUM, 0.0, "a + b"),
    PROD("prod", Rule.SUM, 1.0, null),
    MIN("min", Rule.SAME, null, null),
    MAX("max", Rule.SAME, null, null),
    MEAN("mean", Rule.MOMENT, Double.NaN, null),
    VAR("var", Rule.MOMENT, Double.NaN, null),
    STD("std", Rule.MOMENT, Double.NaN, null),
    ARGMIN("argmin", Rule.INDEX, null, null),
    ARGMAX("argmax", Rule.INDEX, null, null);

    /** How the dtype the reduction reads and its result dtype follow from the input's dtype. */
    public enum Rule {
        /** Floating dtypes are kept; integers and BOOL accumulate in INT64. */
        SUM,
        /** Every dtype is kept. */
        SAME,
        /** Floating dtypes are kept; integers and BOOL compute in FLOAT64. */
        MOMENT,
        /** Any input; the result is an INT64 index. */
        INDEX
    }

    private final String numpyName;
    private final Rule rule;
    private final Double identity;
    private final String cudaCombine;

    ReduceOp(String numpyName, Rule rule, Double identity, String cudaCombine) {
        this.numpyName = numpyName;
        this.rule = rule;
        this.identity = identity;
        this.cudaCombine = cudaCombine;
    }

    public String numpyName() { return numpyName; }

    public Rule rule() { return rule; }

    public boolean isArg() { return rule == Rule.INDEX; }

    public boolean isMoment() { return rule == Rule.MOMENT; }

    /** MIN, MAX and the arg reductions have no identity, so they refuse empty input. */
    public boolean hasIdentity() { return identity != null; }

    /** The result over no elements (NaN for the moments, as NumPy's mean of nothing), or null. */
    public Double identity() { return identity; }

    /** The dtype the reduction reads for an input of {@code input} (the array layer casts to it first). */
    public DType operandType(DType input) {
        return switch (rule) {
            case SUM -> input.isFloating() ? input : DType.INT64;
            case MOMENT -> input.isFloating() ? input : DType.FLOAT64;
            case SAME, INDEX -> input;
        };
    }

    /** The result dtype for an operand of {@code operand} (an {@link #operandType}). */
    public DType resultType(DType operand) { return rule == Rule.INDEX ? DType.INT64 : operand; }

    /** The CUDA C expression combining partial values {@code a, b}, or null. */
    public String cudaCombine() { return cudaCombine; }
}
