package io.chunkwise.testing;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.Slice;
import io.chunkwise.testing.NumpyTypes.Binary;
import io.chunkwise.testing.NumpyTypes.Unary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static io.chunkwise.testing.ConformanceSuite.apply;
import static io.chunkwise.testing.ConformanceSuite.eps;
import static io.chunkwise.testing.ConformanceSuite.maxAbs;

/**
 * A random pipeline for {@link ChunkingProperties}: 4 to 9 steps over one or two random sources of float64, float32,
 * int64 or int32, each step one of: rechunk (regular or ragged), slice (steps, negative steps, {@code Slice.at}),
 * transpose, reshape, a broadcasting binary op (add, sub, mul, maximum, minimum, comparisons) with a scalar, another
 * value or a view of the same value on other grids, concatenate (with another value, with itself on two other grids,
 * or two slices of it that differ in their stop), sum along an axis, and a unary op (neg, abs, exp of small values,
 * sqrt of abs, sin, cos, tanh).
 *
 * <p>It is drawn on the {@link Dense} model alone, so a seed draws the same pipeline whatever the library does. Every
 * value carries its model, its dtype and a bound {@code err} on how far the library's float rounding may take it
 * from the model (the model rounds once per step; the bound adds each step's rounding and propagates the inputs'
 * bounds). A step is drawn again where it would overflow, compare values closer than their bounds, or widen the
 * bound beyond 1e-4 of the values, so that every check can fail. The library's arrays are built by replaying the
 * steps ({@link #build}).
 */
final class Pipeline {
    /** How the library builds a value from the values before it. */
    interface Build {
        ChunkedArray on(Chunkwise cw, List<ChunkedArray> before);
    }

    /** One value: its step as text, how to build it, its model and dtype, and |library - model| <= err everywhere. */
    record Val(String text, Build build, Dense dense, DType dtype, double err) {}

    private static final DType[] SOURCE_TYPES = {DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32};
    private static final Binary[] BINARY = {Binary.ADD, Binary.SUB, Binary.MUL, Binary.MAXIMUM, Binary.MINIMUM,
            Binary.GT, Binary.GE, Binary.LT, Binary.LE, Binary.EQ, Binary.NE};
    private static final Unary[] UNARY = {Unary.NEG, Unary.ABS, Unary.EXP, Unary.SQRT, Unary.SIN, Unary.COS, Unary.TANH};

    private final RandomCases rc;
    private final List<Val> vals = new ArrayList<>();
    /** A value between the sources and the result, checked too. */
    private int intermediate;

    private Pipeline(RandomCases rc) { this.rc = rc; }

    static Pipeline draw(RandomCases rc) {
        Pipeline p = new Pipeline(rc);
        long[] shape = p.shape();
        p.source(shape);
        long[] other = rc.broadcastable(shape);
        if (rc.chance(0.5)) p.source(rc.chance(0.6) && other.length > 0 ? other : p.shape());
        int sources = p.vals.size(), steps = rc.between(4, 9);
        if (sources == 2 && broadcasts(shape, p.vals.get(1).dense().shape()) && p.binary(rc.pick(BINARY), new int[]{0, 1})) steps--;
        for (; steps > 0; ) if (p.step()) steps--;
        p.intermediate = rc.between(sources, Math.max(sources, p.vals.size() - 2));
        return p;
    }

    List<Val> values() { return vals; }

    int intermediate() { return intermediate; }

    /** Every value, built in {@code cw}. */
    List<ChunkedArray> build(Chunkwise cw) {
        List<ChunkedArray> out = new ArrayList<>();
        for (Val v : vals) out.add(v.build().on(cw, out));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < vals.size(); i++) {
            Val v = vals.get(i);
            b.append("\n    v").append(i).append(" = ").append(v.text()).append("   -> ").append(v.dtype()).append(' ')
                    .append(Arrays.toString(v.dense().shape()));
        }
        return b.toString();
    }

    // ---- steps ----

    private void source(long[] shape) {
        DType t = rc.pick(SOURCE_TYPES);
        double[] values = rc.values(t, (int) Dense.size(shape), false);
        Chunks chunks = rc.chunks(shape);
        add("random " + t + " values in " + ChunkingProperties.java(chunks),
                (cw, e) -> RandomCases.create(cw, t, shape, values, chunks, null), Dense.of(values, shape).roundTo(t), t, 0);
    }

    /** 1 to 3 axes of 2 to 40, 16 or 8, one in ten of length 1; in about one pipeline of twelve, one of length 0. */
    private long[] shape() {
        long[] s = new long[rc.between(1, 3)];
        for (int a = 0; a < s.length; a++) s[a] = rc.chance(0.1) ? 1 : rc.between(2, s.length == 1 ? 40 : s.length == 2 ? 16 : 8);
        if (rc.chance(0.08)) s[rc.between(0, s.length - 1)] = 0;
        return s;
    }

    /** Draws a step on the last value or (20%) an earlier one; false where the step does not apply. */
    private boolean step() {
        int i = rc.chance(0.8) ? vals.size() - 1 : rc.random().nextInt(vals.size());
        int nd = vals.get(i).dense().ndim();
        return switch (rc.between(0, 9)) {
            case 0 -> rechunk(i);
            case 1 -> nd > 0 && slice(i);
            case 2 -> transpose(i);
            case 3 -> reshape(i);
            case 4, 5, 6 -> binary(i);
            case 7 -> nd > 0 && concatenate(i);
            case 8 -> (nd > 1 || nd == 1 && rc.chance(0.3)) && sum(i);
            default -> unary(i);
        };
    }

    private boolean rechunk(int i) {
        long[] shape = vals.get(i).dense().shape();
        if (rc.chance(0.4)) {
            int[] cs = rc.chunkShape(shape);
            view(i, ".rechunk(" + Arrays.toString(cs) + ")", a -> a.rechunk(cs), vals.get(i).dense());
        } else {
            regrid(i, rc.chunks(shape));
        }
        return true;
    }

    private int regrid(int i, Chunks g) {
        return view(i, ".rechunk(" + ChunkingProperties.java(g) + ")", a -> a.rechunk(g), vals.get(i).dense());
    }

    private int slice(int i, Sel[] sel) {
        if (sel.length == 0) return i;
        Slice[] s = ChunkingProperties.slices(sel);
        return view(i, ChunkingProperties.show(sel), a -> a.slice(s), vals.get(i).dense().slice(sel));
    }

    /** A random selection; one that empties the value is drawn again nine times in ten. */
    private boolean slice(int i) {
        Dense d = vals.get(i).dense();
        Sel[] sel = rc.selection(d.shape());
        if (sel.length == 0 || d.size() > 0 && d.slice(sel).size() == 0 && !rc.chance(0.1)) return false;
        slice(i, sel);
        return true;
    }

    private boolean transpose(int i) {
        int[] perm = rc.permutation(vals.get(i).dense().ndim());
        view(i, ".transpose(" + Arrays.toString(perm) + ")", a -> a.transpose(perm), vals.get(i).dense().transpose(perm));
        return true;
    }

    private boolean reshape(int i) {
        Dense d = vals.get(i).dense();
        long[] target = rc.reshapeTarget(d.size(), true);
        view(i, ".reshape(" + Arrays.toString(target) + ")", a -> a.reshape(target), d.reshape(target));
        return true;
    }

    /**
     * {@code op} with a scalar, with another value that broadcasts, or (also where no other value broadcasts)
     * between the value on one grid and a broadcasting view of it on another.
     */
    private boolean binary(int i) {
        Binary op = rc.pick(BINARY);
        Val a = vals.get(i);
        int form = rc.between(0, 3);
        if (form == 0) {
            double s = rc.pick(0.5, -1.5, 2.0, 3.0, Math.round(rc.random().nextDouble() * 80 - 40) / 8.0);
            // the scalar as an exact 0-d value, in NumPy's dtypes for an array and a Python float
            Val r = binaryModel(op, a, new Val(null, null, Dense.scalar(s), DType.FLOAT64, 0), NumpyTypes.scalarOperands(op, a.dtype()),
                    NumpyTypes.binaryScalar(op, a.dtype()));
            if (r == null) return false;
            add("v" + i + "." + name(op) + "(" + s + ")", (cw, e) -> apply(op, e.get(i), s), r.dense(), r.dtype(), r.err());
            return true;
        }
        List<Integer> others = new ArrayList<>();
        for (int j = 0; j < vals.size(); j++) if (j != i && broadcasts(a.dense().shape(), vals.get(j).dense().shape())) others.add(j);
        if (form == 1 && !others.isEmpty()) {
            int j = rc.pick(others);
            return binary(op, rc.chance(0.5) ? new int[]{i, j} : new int[]{j, i});
        }
        Sel[] view = rc.broadcastView(a.dense().shape());
        Chunks[] g = rc.twoChunkings(a.dense().shape());
        Dense p = a.dense().slice(view);
        if (binaryModel(op, a, new Val(null, null, p, a.dtype(), a.err()), null, null) == null) return false;
        int u1 = regrid(i, g[0]);
        int u2 = slice(regrid(i, g[1]), view);
        return binary(op, rc.chance(0.5) ? new int[]{u1, u2} : new int[]{u2, u1});
    }

    private boolean binary(Binary op, int[] ij) {
        Val r = binaryModel(op, vals.get(ij[0]), vals.get(ij[1]), null, null);
        if (r == null) return false;
        add("v" + ij[0] + "." + name(op) + "(v" + ij[1] + ")", (cw, e) -> apply(op, e.get(ij[0]), e.get(ij[1])), r.dense(), r.dtype(), r.err());
        return true;
    }

    /**
     * The model of {@code a op b} operating in {@code ot} with result {@code rt} (null: NumPy's rules for two
     * arrays), or null where the step should be drawn again.
     */
    private static Val binaryModel(Binary op, Val a, Val b, DType ot, DType rt) {
        if (ot == null) {
            ot = NumpyTypes.operands(op, NumpyTypes.common(a.dtype(), b.dtype()));
            rt = NumpyTypes.binary(op, a.dtype(), b.dtype());
        }
        Dense x = a.dense().roundTo(ot), y = b.dense().roundTo(ot);
        double ea = a.err(), eb = b.err();
        Dense raw = apply(op, x, y, ot);
        if (op.isComparison()) {
            // a comparison closer than the bounds could go either way; equal values compare exactly only when exact
            double gap = min(Dense.zip(x, y, (p, q) -> Math.abs(p - q)));
            return ea + eb == 0 || gap > 2 * (ea + eb) ? new Val(null, null, raw, rt, 0) : null;
        }
        double mx = maxAbs(x) + ea, my = maxAbs(y) + eb;
        double err = switch (op) {
            case ADD, SUB -> ea + eb + 2 * ulp(rt) * maxAbs(raw);
            case MUL -> ea * my + eb * mx + 2 * ulp(rt) * maxAbs(raw);
            default -> Math.max(ea, eb);                  // maximum, minimum
        };
        return checked(raw, rt, err);
    }

    /** {@code concatenate} with another value, with itself on two other grids, or of two slices of it that differ in their stop. */
    private boolean concatenate(int i) {
        Val a = vals.get(i);
        long[] shape = a.dense().shape();
        int nd = shape.length;
        int axis = rc.between(-nd, nd - 1), ax = axis < 0 ? axis + nd : axis;
        int form = rc.between(0, 2);
        int[] parts;
        if (form == 0) {
            List<Integer> others = new ArrayList<>();
            for (int j = 0; j < vals.size(); j++) if (j != i && sameBesides(shape, vals.get(j).dense().shape(), ax)) others.add(j);
            if (others.isEmpty()) return false;
            int j = rc.pick(others);
            parts = rc.chance(0.5) ? new int[]{i, j} : new int[]{j, i};
        } else if (form == 1) {
            Chunks[] g = rc.twoChunkings(shape);
            parts = new int[]{regrid(i, g[0]), regrid(i, g[1])};
        } else {
            // the same start and step, stops one or a few apart; on small regular chunks half of the time
            int[] cs = new int[nd];
            Arrays.fill(cs, rc.between(1, 3));
            int from = rc.chance(0.5) ? i : view(i, ".rechunk(" + Arrays.toString(cs) + ")", x -> x.rechunk(cs), a.dense());
            long len = shape[ax], step = rc.pick(1L, 1L, 2L, -1L, -3L);
            long start = rc.between(0, (int) len), stop = rc.between(-1, (int) len + 1), other = stop + rc.pick(-1, 1, 2, -3);
            parts = new int[]{slice(from, along(ax, Sel.range(start, stop, step))), slice(from, along(ax, Sel.range(start, other, step)))};
        }
        DType rt = NumpyTypes.common(vals.get(parts[0]).dtype(), vals.get(parts[1]).dtype());
        Dense d = Dense.concatenate(axis, vals.get(parts[0]).dense().roundTo(rt), vals.get(parts[1]).dense().roundTo(rt));
        double err = Math.max(vals.get(parts[0]).err(), vals.get(parts[1]).err());
        add("concatenate(" + axis + ", v" + parts[0] + ", v" + parts[1] + ")",
                (cw, e) -> ChunkedArray.concatenate(axis, e.get(parts[0]), e.get(parts[1])), d, rt, err);
        return true;
    }

    private boolean sum(int i) {
        Val a = vals.get(i);
        int nd = a.dense().ndim();
        int axis = rc.between(-nd, nd - 1);
        long n = a.dense().shape()[axis < 0 ? axis + nd : axis];
        DType rt = NumpyTypes.sumProd(a.dtype());
        Dense x = a.dense().roundTo(rt);
        // |sum of n rounded values - exact sum| <= (n - 1) u sum |x|, plus the inputs' own bounds
        double err = n * a.err() + (n + 2) * ulp(rt) * maxAbs(x.abs().sum(axis));
        Val r = checked(x.sum(axis), rt, err);
        if (r == null) return false;
        add("v" + i + ".sum(" + axis + ")", (cw, e) -> e.get(i).sum(axis), r.dense(), rt, r.err());
        return true;
    }

    private boolean unary(int i) {
        Unary op = rc.pick(UNARY);
        Val a = vals.get(i);
        double m = maxAbs(a.dense());
        if (op == Unary.NEG && a.dtype() == DType.BOOL || op == Unary.EXP && m > 10 || (op == Unary.SIN || op == Unary.COS) && m > 1000) {
            return false;
        }
        if (op == Unary.SQRT) a = vals.get(i = unary(i, Unary.ABS, a.dense().abs(), a.dtype(), a.err()));
        DType rt = NumpyTypes.unary(op, a.dtype());
        Dense x = a.dense().roundTo(rt), raw = apply(op, x);
        double e = a.err(), u = ulp(rt), mr = maxAbs(raw);
        double err = switch (op) {
            case NEG, ABS -> e;
            case SQRT -> spread(x, v -> Math.sqrt(Math.max(0, v)), e) + 2 * u * mr;
            case EXP -> spread(x, Math::exp, e) + 8 * u * mr;
            case TANH -> spread(x, Math::tanh, e) + 8 * u;
            // Lipschitz 1; the argument's reduction in the dtype may lose u |x|
            default -> e + 8 * u * Math.max(1, maxAbs(x));
        };
        Val r = checked(raw, rt, err);
        if (r == null) return false;
        unary(i, op, r.dense(), rt, r.err());
        return true;
    }

    private int unary(int i, Unary op, Dense d, DType t, double err) {
        return add(op.name().toLowerCase() + "(v" + i + ")", (cw, e) -> apply(op, e.get(i)), d, t, err);
    }

    // ---- helpers ----

    private int add(String text, Build b, Dense d, DType t, double err) {
        vals.add(new Val(text, b, d, t, err));
        return vals.size() - 1;
    }

    /** A view of value {@code i} (same dtype and bound): a rechunk, slice, transpose or reshape. */
    private int view(int i, String text, UnaryOperator<ChunkedArray> f, Dense d) {
        Val v = vals.get(i);
        return add("v" + i + text, (cw, e) -> f.apply(e.get(i)), d, v.dtype(), v.err());
    }

    /**
     * The value {@code raw} rounded to {@code t} with bound {@code err}, or null where it would overflow (integers
     * past 2^50, where doubles stop holding them exactly; floats near their range) or where the bound would be too
     * wide for the check to mean anything.
     */
    private static Val checked(Dense raw, DType t, double err) {
        double m = maxAbs(raw);
        boolean finite = Arrays.stream(raw.values()).allMatch(Double::isFinite);
        double limit = switch (t) {
            case FLOAT64 -> 1e200;
            case FLOAT32 -> 1e30;
            default -> 0x1p50;
        };
        if (!finite || m >= limit || err > 1e-4 * (1 + m)) return null;
        return new Val(null, null, raw.roundTo(t), t, err);
    }

    /** Unit roundoff of {@code t} (0 for integers and bool: exact). */
    private static double ulp(DType t) { return NumpyTypes.isFloating(t) ? eps(t) : 0; }

    /** max |f(x +- e) - f(x)| over the elements: the bound after a monotone {@code f}. */
    private static double spread(Dense x, DoubleUnaryOperator f, double e) {
        if (e == 0) return 0;
        return maxAbs(x.map(v -> Math.max(Math.abs(f.applyAsDouble(v + e) - f.applyAsDouble(v)),
                Math.abs(f.applyAsDouble(v - e) - f.applyAsDouble(v)))));
    }

    private static double min(Dense d) {
        double m = Double.POSITIVE_INFINITY;
        for (int k = 0; k < d.size(); k++) m = Math.min(m, d.at(k));
        return m;
    }

    private static boolean broadcasts(long[] a, long[] b) {
        try {
            Dense.broadcastShapes(a, b);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean sameBesides(long[] a, long[] b, int axis) {
        if (a.length != b.length) return false;
        for (int k = 0; k < a.length; k++) if (k != axis && a[k] != b[k]) return false;
        return true;
    }

    /** {@code :} on the axes before {@code axis}, then {@code s}. */
    private static Sel[] along(int axis, Sel s) {
        Sel[] out = new Sel[axis + 1];
        Arrays.fill(out, Sel.all());
        out[axis] = s;
        return out;
    }

    private static String name(Binary op) { return op.name().toLowerCase(); }
}
