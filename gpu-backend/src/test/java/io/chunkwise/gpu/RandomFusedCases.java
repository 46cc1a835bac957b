package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random elementwise calls for the fused kernel tests: well-typed expressions over every dtype built from the op
 * table (as the array layer builds them: operands of an op's operand dtype, predicates to BOOL), with inputs of
 * random layouts (permuted, padded, broadcast axes), chunks of random shapes and places in their array, and values
 * rich in edge cases (NaN, +-0, infinities, subnormals, the integer extremes, zero and -1 divisors).
 */
final class RandomFusedCases {
    /** Ops computed by a math library, not fixed by IEEE 754: the host's libm and Java may differ in the last bits. */
    static final Set<UnaryOp> MATH_LIBRARY_UNARY = EnumSet.of(UnaryOp.EXP, UnaryOp.EXPM1, UnaryOp.LOG, UnaryOp.LOG1P,
            UnaryOp.LOG2, UnaryOp.LOG10, UnaryOp.SIN, UnaryOp.COS, UnaryOp.TAN, UnaryOp.ARCSIN, UnaryOp.ARCCOS,
            UnaryOp.ARCTAN, UnaryOp.SINH, UnaryOp.COSH, UnaryOp.TANH);
    static final Set<BinaryOp> MATH_LIBRARY_BINARY = EnumSet.of(BinaryOp.POW, BinaryOp.ARCTAN2, BinaryOp.HYPOT);
    static final DType[] DTYPES = DType.values();

    /** One call: the expression, its inputs, their strides and the chunk's region. */
    record Case(Expr expr, HostBlock[] inputs, int[][] strides, Region region) {}

    private final Random rnd;
    /** Whether ops of the math library may appear (then only at the root, over an exact sub-expression). */
    private final boolean mathLibrary;
    private final List<DType> inputTypes = new ArrayList<>();
    final Set<UnaryOp> unaryUsed = EnumSet.noneOf(UnaryOp.class);
    final Set<BinaryOp> binaryUsed = EnumSet.noneOf(BinaryOp.class);
    /** Each op with the dtype of its operands, e.g. {@code ABS int32}. */
    final Set<String> opDtypes = new java.util.TreeSet<>();

    RandomFusedCases(long seed, boolean mathLibrary) {
        this.rnd = new Random(seed);
        this.mathLibrary = mathLibrary;
    }

    Case next() {
        inputTypes.clear();
        DType want = DTYPES[rnd.nextInt(DTYPES.length)];
        return over(mathLibrary ? mathRoot(want) : expr(want, 1 + rnd.nextInt(4)));
    }

    /** A case whose root is {@code opDtype} (an entry of {@link #allOpDtypes}) over random operands of that dtype. */
    Case covering(String opDtype) {
        inputTypes.clear();
        String[] p = opDtype.split(" ");
        DType d = java.util.Arrays.stream(DTYPES).filter(t -> t.numpyName().equals(p[1])).findFirst().orElseThrow();
        int depth = mathLibrary ? rnd.nextInt(2) : rnd.nextInt(3);
        Expr e;
        if (java.util.Arrays.stream(UnaryOp.values()).anyMatch(o -> o.name().equals(p[0]))) {
            UnaryOp op = UnaryOp.valueOf(p[0]);
            used(op, d);
            e = new Expr.Unary(op, expr(d, depth), op.isPredicate() ? DType.BOOL : d);
        } else {
            BinaryOp op = BinaryOp.valueOf(p[0]);
            used(op, d);
            e = new Expr.Binary(op, expr(d, depth), exponentOr(op, d, expr(d, depth)), op.isPredicate() ? DType.BOOL : d);
        }
        return over(e);
    }

    /** {@code e} over a chunk of random shape and place, with inputs of random layouts. */
    private Case over(Expr e) {
        int rank = rnd.nextInt(5);
        int[] shape = new int[rank];
        long[] offset = new long[rank], global = new long[rank];
        for (int a = 0; a < rank; a++) {
            shape[a] = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 1 : 6);
            offset[a] = rnd.nextInt(4);
            global[a] = offset[a] + shape[a] + rnd.nextInt(3);
        }
        HostBlock[] inputs = new HostBlock[inputTypes.size()];
        int[][] strides = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            strides[i] = layout(shape);
            long extent = 1;
            for (int a = 0; a < rank; a++) extent += (long) (shape[a] - 1) * strides[i][a];
            inputs[i] = values(inputTypes.get(i), (int) extent);
        }
        return new Case(e, inputs, strides, new Region(shape, offset, global));
    }

    /** A transcendental op at the root, over exact operands. */
    private Expr mathRoot(DType want) {
        DType t = want.isFloating() ? want : DType.FLOAT64;
        if (rnd.nextBoolean()) {
            List<UnaryOp> ops = new ArrayList<>(MATH_LIBRARY_UNARY);
            UnaryOp op = ops.get(rnd.nextInt(ops.size()));
            used(op, t);
            return new Expr.Unary(op, expr(t, rnd.nextInt(3)), t);
        }
        List<BinaryOp> ops = new ArrayList<>(MATH_LIBRARY_BINARY);
        BinaryOp op = ops.get(rnd.nextInt(ops.size()));
        used(op, t);
        return new Expr.Binary(op, expr(t, rnd.nextInt(3)), expr(t, rnd.nextInt(3)), t);
    }

    /** An exact expression of dtype {@code want} (no math-library op) of about {@code depth} levels. */
    private Expr expr(DType want, int depth) {
        if (depth <= 0) return leaf(want);
        for (int attempt = 0; attempt < 20; attempt++) {
            switch (rnd.nextInt(6)) {
                case 0, 1 -> {
                    UnaryOp op = UnaryOp.values()[rnd.nextInt(UnaryOp.values().length)];
                    if (MATH_LIBRARY_UNARY.contains(op) || op.forms().cuda() == null) continue;
                    if (op.isPredicate()) {
                        if (want != DType.BOOL) continue;
                        DType d = DTYPES[rnd.nextInt(DTYPES.length)];
                        used(op, d);
                        return new Expr.Unary(op, expr(d, depth - 1), DType.BOOL);
                    }
                    if (!defined(() -> op.operandType(want)) || op.operandType(want) != want) continue;
                    if (!want.isFloating() && op.forms().javaLong() == null) continue;
                    used(op, want);
                    return new Expr.Unary(op, expr(want, depth - 1), want);
                }
                case 2, 3 -> {
                    BinaryOp op = BinaryOp.values()[rnd.nextInt(BinaryOp.values().length)];
                    if (mathLibraryOp(op, want) || op.forms().cuda() == null) continue;
                    if (op.isPredicate()) {
                        if (want != DType.BOOL) continue;
                        DType d = DTYPES[rnd.nextInt(DTYPES.length)];
                        used(op, d);
                        return new Expr.Binary(op, expr(d, depth - 1), expr(d, depth - 1), DType.BOOL);
                    }
                    if (op.operandType(want) != want) continue;
                    if (!want.isFloating() && op.forms().javaLong() == null) continue;
                    used(op, want);
                    return new Expr.Binary(op, expr(want, depth - 1), exponentOr(op, want, expr(want, depth - 1)), want);
                }
                case 4 -> {
                    DType c = DTYPES[rnd.nextInt(DTYPES.length)];
                    return new Expr.Where(expr(c, depth - 1), expr(want, depth - 1), expr(want, depth - 1), want);
                }
                default -> {
                    DType from = DTYPES[rnd.nextInt(DTYPES.length)];
                    return new Expr.Cast(expr(from, depth - 1), want);
                }
            }
        }
        return leaf(want);
    }

    private void used(Enum<?> op, DType operands) {
        if (op instanceof UnaryOp u) unaryUsed.add(u);
        else binaryUsed.add((BinaryOp) op);
        opDtypes.add(op.name() + " " + operands.numpyName());
    }

    /**
     * Every op with every operand dtype it is defined for on the device, as the generator picks them: math-library
     * ops on floats (when {@code mathLibrary}), exact ops on every dtype their rule keeps (integers where the table
     * has an integer form; integer power apart), predicates on every dtype.
     */
    static Set<String> allOpDtypes(boolean mathLibrary) {
        Set<String> out = new java.util.TreeSet<>();
        for (DType d : DTYPES) {
            for (UnaryOp op : UnaryOp.values()) {
                if (op.forms().cuda() == null || MATH_LIBRARY_UNARY.contains(op) != mathLibrary) continue;
                boolean ok = mathLibrary ? d.isFloating() : op.isPredicate() || (defined(() -> op.operandType(d)) && op.operandType(d) == d
                        && (d.isFloating() || op.forms().javaLong() != null));
                if (ok) out.add(op.name() + " " + d.numpyName());
            }
            for (BinaryOp op : BinaryOp.values()) {
                if (op.forms().cuda() == null || mathLibraryOp(op, d) != mathLibrary) continue;
                boolean ok = mathLibrary ? d.isFloating() : op.isPredicate() || (op.operandType(d) == d
                        && (d.isFloating() || op.forms().javaLong() != null));
                if (ok) out.add(op.name() + " " + d.numpyName());
            }
        }
        return out;
    }

    /**
     * The second operand {@code b}; for an integer power, half the time {@code maximum(b, 0)}, so that its values are
     * computed (a negative exponent anywhere makes the CPU backend refuse the whole chunk).
     */
    private Expr exponentOr(BinaryOp op, DType t, Expr b) {
        if (op != BinaryOp.POW || t.isFloating() || rnd.nextBoolean()) return b;
        return new Expr.Binary(BinaryOp.MAXIMUM, b, new Expr.Const(0, t), t);
    }

    /** Whether {@code op} over {@code t} is a math library's: integer power is exact (repeated squaring). */
    static boolean mathLibraryOp(BinaryOp op, DType t) {
        return MATH_LIBRARY_BINARY.contains(op) && !(op == BinaryOp.POW && !t.isFloating());
    }

    private static boolean defined(java.util.function.Supplier<DType> rule) {
        try {
            rule.get();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Expr leaf(DType t) {
        int k = rnd.nextInt(10);
        if (k < 5) { // an input: a new one, or one already read (x * x)
            for (int i = 0; i < inputTypes.size(); i++) if (inputTypes.get(i) == t && rnd.nextBoolean()) return new Expr.Input(i, t);
            inputTypes.add(t);
            return new Expr.Input(inputTypes.size() - 1, t);
        }
        if (k < 8) return new Expr.Const(t.isFloating() ? doubleValue() : (double) longValue(t), t);
        if (k < 9 || !t.isFloating()) return new Expr.Arange(rnd.nextInt(21) - 10 + (rnd.nextBoolean() ? 0.5 : 0), rnd.nextInt(7) - 3 + 0.25 * rnd.nextInt(4), t);
        double a = rnd.nextInt(5) - 2, b = a + 1 + rnd.nextInt(3);
        return new Expr.Random(rnd.nextLong(), rnd.nextBoolean(), a, b, t);
    }

    /** Strides of one input over {@code shape}: its axes in a random order, padded, some broadcast (stride 0). */
    private int[] layout(int[] shape) {
        int rank = shape.length;
        int[] strides = new int[rank];
        Integer[] order = new Integer[rank];
        for (int a = 0; a < rank; a++) order[a] = a;
        boolean dense = rnd.nextInt(3) == 0;
        if (!dense) java.util.Collections.shuffle(java.util.Arrays.asList(order), rnd);
        int step = 1;
        for (int k = rank - 1; k >= 0; k--) {
            int a = order[k];
            if (!dense && rnd.nextInt(5) == 0) {
                strides[a] = 0;
                continue;
            }
            strides[a] = step;
            step *= shape[a] + (dense ? 0 : rnd.nextInt(2));
        }
        return strides;
    }

    private static final double[] SPECIAL = {Double.NaN, 0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            1, -1, 0.5, -0.5, 1.5, -2.5, 3, -7, 1e308, -1e308, 4.9e-324, -2.2e-310, 0x1p63, -0x1p63, 0x1p31, 2147483647.5,
            -2147483648.5, 1e20, 0.1, 3.4028235677973366e38, 1e-45};

    private double doubleValue() {
        return switch (rnd.nextInt(4)) {
            case 0 -> SPECIAL[rnd.nextInt(SPECIAL.length)];
            case 1 -> rnd.nextInt(21) - 10;
            case 2 -> rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4);
            default -> Double.longBitsToDouble(rnd.nextLong());
        };
    }

    private long longValue(DType t) {
        if (t == DType.BOOL) return rnd.nextInt(2);
        long v = switch (rnd.nextInt(4)) {
            case 0 -> new long[]{0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, 2, -2}[rnd.nextInt(9)];
            case 1, 2 -> rnd.nextInt(21) - 10;
            default -> rnd.nextLong();
        };
        return t == DType.INT32 ? (int) v : v;
    }

    private HostBlock values(DType t, int n) {
        HostBlock b = HostBlock.allocate(t, new int[]{n});
        for (int i = 0; i < n; i++) {
            switch (t) {
                case FLOAT64 -> b.doubles()[i] = doubleValue();
                case FLOAT32 -> b.floats()[i] = (float) doubleValue();
                case INT64 -> ((long[]) b.data())[i] = longValue(t);
                case INT32 -> ((int[]) b.data())[i] = (int) longValue(t);
                case BOOL -> ((byte[]) b.data())[i] = (byte) longValue(t);
            }
        }
        return b;
    }
}
