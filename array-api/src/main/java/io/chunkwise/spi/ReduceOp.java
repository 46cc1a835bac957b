package io.chunkwise.spi;

/**
 * Reductions along axes. Each is computed as per-chunk partials, combined pairwise in a fixed order, then finished.
 * MEAN, VAR and STD share one partial (count, mean, M2; combined with Chan et al.'s formula).
 */
public enum ReduceOp {
    SUM, PROD, MIN, MAX, MEAN, VAR, STD, ARGMIN, ARGMAX;

    public boolean isArg() { return this == ARGMIN || this == ARGMAX; }

    public boolean isMoment() { return this == MEAN || this == VAR || this == STD; }

    /** MIN, MAX and the arg reductions have no identity, so they refuse empty input. */
    public boolean hasIdentity() { return this == SUM || this == PROD || isMoment(); }

    public String numpyName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
