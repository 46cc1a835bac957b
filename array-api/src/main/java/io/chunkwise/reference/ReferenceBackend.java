package io.chunkwise.reference;

import io.chunkwise.BackendKind;
import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.random.Philox;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.HostCopy;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.Scalars;

import java.util.List;

/**
 * The plain-Java backend that defines the semantics: one element at a time, obviously correct, slow. Every other
 * backend is checked against it. Floating values are computed in double and rounded to the node's dtype after
 * every op; integer and boolean values in long, wrapped to the node's dtype after every op.
 */
public final class ReferenceBackend implements Backend {
    @Override public String name() { return "reference"; }

    @Override public BackendKind kind() { return BackendKind.CPU; }

    @Override public Block fromHost(HostBlock block) { return block; }

    @Override public HostBlock toHost(Block block) { return (HostBlock) block; }

    @Override
    public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) {
        HostBlock[] h = new HostBlock[sources.length];
        for (int i = 0; i < h.length; i++) h[i] = toHost(sources[i]);
        return HostCopy.assemble(dtype, shape, h, pieces);
    }

    // ---- elementwise ----

    /** Where the evaluation stands: input offsets and the element's global flat index. */
    private static final class Cursor {
        HostBlock[] in;
        int[] off;
        long flat;
    }

    @Override
    public Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region) {
        int[] shape = region.shape();
        int nd = shape.length;
        HostBlock out = HostBlock.allocate(expr.dtype(), shape);
        Cursor c = new Cursor();
        c.in = new HostBlock[inputs.length];
        for (int i = 0; i < inputs.length; i++) c.in[i] = toHost(inputs[i]);
        c.off = new int[inputs.length];
        long[] gs = region.globalStrides();
        int n = out.size();
        int[] idx = new int[nd];
        for (int e = 0; e < n; e++) {
            long flat = 0;
            for (int a = 0; a < nd; a++) flat += (region.offset()[a] + idx[a]) * gs[a];
            c.flat = flat;
            for (int i = 0; i < inputs.length; i++) {
                int o = 0;
                for (int a = 0; a < nd; a++) o += idx[a] * inputStrides[i][a];
                c.off[i] = o;
            }
            store(out, e, expr, c);
            for (int a = nd - 1; a >= 0 && ++idx[a] == shape[a]; a--) idx[a] = 0;
        }
        return out;
    }

    private static void store(HostBlock out, int i, Expr e, Cursor c) {
        switch (out.dtype()) {
            case FLOAT64 -> out.doubles()[i] = evalD(e, c);
            case FLOAT32 -> out.floats()[i] = (float) evalD(e, c);
            case INT64 -> out.longs()[i] = evalL(e, c);
            case INT32 -> out.ints()[i] = (int) evalL(e, c);
            case BOOL -> out.bools()[i] = (byte) evalL(e, c);
        }
    }

    static double round(DType t, double v) { return t == DType.FLOAT32 ? (float) v : v; }

    static long wrap(DType t, long v) {
        return switch (t) {
            case INT32 -> (int) v;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** Value of a floating node. */
    private static double evalD(Expr e, Cursor c) {
        DType t = e.dtype();
        return switch (e) {
            case Expr.Input in -> c.in[in.index()].getDouble(c.off[in.index()]);
            case Expr.Const k -> round(t, k.value());
            case Expr.Arange r -> round(t, r.start() + r.step() * c.flat);
            case Expr.Random r -> random(r, c.flat);
            case Expr.Unary u -> round(t, unary(u, evalD(u.x(), c)));
            case Expr.Binary b -> round(t, arith(b.op(), evalD(b.a(), c), evalD(b.b(), c)));
            case Expr.Where w -> evalL(w.cond(), c) != 0 ? evalD(w.a(), c) : evalD(w.b(), c);
            case Expr.Cast k -> round(t, k.x().dtype().isFloating() ? evalD(k.x(), c) : (double) evalL(k.x(), c));
        };
    }

    private static double random(Expr.Random r, long flat) {
        if (r.dtype() == DType.FLOAT32) {
            float[] one = new float[1];
            if (r.normal()) Philox.fillNormal(one, 0, 1, r.seed(), flat, r.a(), r.b());
            else Philox.fillUniform(one, 0, 1, r.seed(), flat, r.a(), r.b());
            return one[0];
        }
        double[] one = new double[1];
        if (r.normal()) Philox.fillNormal(one, 0, 1, r.seed(), flat, r.a(), r.b());
        else Philox.fillUniform(one, 0, 1, r.seed(), flat, r.a(), r.b());
        return one[0];
    }

    private static double unary(Expr.Unary u, double x) {
        return switch (u.op()) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Double.isNaN(x) ? x : Math.signum(x) + 0.0; // + 0.0: signum(-0.0) is -0.0, NumPy's sign gives 0.0
            case SQUARE -> x * x;
            case SQRT -> Math.sqrt(x);
            case EXP -> Math.exp(x);
            case EXPM1 -> Math.expm1(x);
            case LOG -> Math.log(x);
            case LOG1P -> Math.log1p(x);
            case LOG2 -> Scalars.log2(x);
            case LOG10 -> Math.log10(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TAN -> Math.tan(x);
            case ARCSIN -> Math.asin(x);
            case ARCCOS -> Math.acos(x);
            case ARCTAN -> Math.atan(x);
            case SINH -> Math.sinh(x);
            case COSH -> Math.cosh(x);
            case TANH -> Math.tanh(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case TRUNC -> x >= 0 ? Math.floor(x) : -Math.floor(-x);
            case RINT -> Math.rint(x);
            case ISNAN, ISINF, ISFINITE, LOGICAL_NOT -> throw new IllegalArgumentException(u.op() + " gives a bool");
        };
    }

    private static double arith(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Scalars.pow(a, b);
            case MOD -> Scalars.remainder(a, b);
            case FLOOR_DIVIDE -> Scalars.floorDivide(a, b);
            case ARCTAN2 -> Math.atan2(a, b);
            case HYPOT -> Math.hypot(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            default -> throw new IllegalArgumentException(op + " is not arithmetic");
        };
    }

    /** Value of an integer or boolean node. */
    private static long evalL(Expr e, Cursor c) {
        DType t = e.dtype();
        return switch (e) {
            case Expr.Input in -> c.in[in.index()].getLong(c.off[in.index()]);
            case Expr.Const k -> castFromDouble(t, k.value());
            case Expr.Arange r -> castFromDouble(t, r.start() + r.step() * c.flat);
            case Expr.Random r -> throw new IllegalArgumentException("random values are floating");
            case Expr.Unary u -> u.op().isPredicate() ? predicate(u, c) : switch (u.op()) {
                case NEG -> wrap(t, -evalL(u.x(), c));
                case ABS -> wrap(t, Math.abs(evalL(u.x(), c)));
                case SIGN -> wrap(t, Long.signum(evalL(u.x(), c)));
                case FLOOR, CEIL, TRUNC -> evalL(u.x(), c);   // an integer is its own floor
                case SQUARE -> { long x = evalL(u.x(), c); yield wrap(t, x * x); }
                default -> throw new IllegalArgumentException(u.op() + " needs a floating operand");
            };
            case Expr.Binary b -> b.op().isPredicate() ? compare(b, c) : wrap(t, arith(b.op(), evalL(b.a(), c), evalL(b.b(), c)));
            case Expr.Where w -> evalL(w.cond(), c) != 0 ? evalL(w.a(), c) : evalL(w.b(), c);
            case Expr.Cast k -> k.x().dtype().isFloating() ? castFromDouble(t, evalD(k.x(), c)) : wrap(t, evalL(k.x(), c));
        };
    }

    /**
     * NumPy's unsafe float-to-integer cast on x86: truncation toward zero, the target's smallest value for NaN,
     * infinities and values out of its range ({@link Scalars#toInt64}); to bool: non-zero (NaN is true).
     */
    static long castFromDouble(DType t, double v) {
        return switch (t) {
            case BOOL -> v != 0 || Double.isNaN(v) ? 1 : 0;
            case INT32 -> Scalars.toInt32(v);
            default -> Scalars.toInt64(v);
        };
    }

    private static long compare(Expr.Binary b, Cursor c) {
        boolean r;
        if (b.a().dtype().isFloating()) {
            double x = evalD(b.a(), c), y = evalD(b.b(), c);
            r = switch (b.op()) {
                case GT -> x > y; case GE -> x >= y; case LT -> x < y; case LE -> x <= y;
                case EQ -> x == y; case NE -> x != y;
                case LOGICAL_AND -> x != 0 && y != 0; case LOGICAL_OR -> x != 0 || y != 0; case LOGICAL_XOR -> (x != 0) ^ (y != 0);
                default -> throw new IllegalArgumentException(b.op().toString());
            };
        } else {
            long x = evalL(b.a(), c), y = evalL(b.b(), c);
            r = switch (b.op()) {
                case GT -> x > y; case GE -> x >= y; case LT -> x < y; case LE -> x <= y;
                case EQ -> x == y; case NE -> x != y;
                case LOGICAL_AND -> x != 0 && y != 0; case LOGICAL_OR -> x != 0 || y != 0; case LOGICAL_XOR -> (x != 0) ^ (y != 0);
                default -> throw new IllegalArgumentException(b.op().toString());
            };
        }
        return r ? 1 : 0;
    }

    private static long predicate(Expr.Unary u, Cursor c) {
        boolean r;
        if (u.x().dtype().isFloating()) {
            double x = evalD(u.x(), c);
            r = switch (u.op()) {
                case ISNAN -> Double.isNaN(x);
                case ISINF -> Double.isInfinite(x);
                case ISFINITE -> !Double.isNaN(x) && !Double.isInfinite(x);
                case LOGICAL_NOT -> x == 0;
                default -> throw new IllegalArgumentException(u.op().toString());
            };
        } else {
            long x = evalL(u.x(), c);
            r = switch (u.op()) {
                case ISNAN, ISINF -> false;
                case ISFINITE -> true;
                case LOGICAL_NOT -> x == 0;
                default -> throw new IllegalArgumentException(u.op().toString());
            };
        }
        return r ? 1 : 0;
    }

    private static long arith(BinaryOp op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case POW -> Scalars.pow(a, b);
            case MOD -> Scalars.remainder(a, b);
            case FLOOR_DIVIDE -> Scalars.floorDivide(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            default -> throw new IllegalArgumentException(op + " is not defined on integers here (the array layer casts first)");
        };
    }

    // ---- reductions ----
    // Partials: SUM/PROD (value as FLOAT64 or INT64), MIN/MAX (value, input dtype), moments (count, mean, M2 as
    // FLOAT64), ARGMIN/ARGMAX (value in the input dtype, global index INT64).

    @Override
    public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
        HostBlock in = toHost(input);
        int[] shape = in.shape();
        int nd = shape.length;
        int[] keep = shape.clone();
        for (int a = 0; a < nd; a++) if (axes[a]) keep[a] = 1;
        int[] ks = Shapes.strides(keep);
        int m = Shapes.size(keep);
        int argAxis = -1;
        for (int a = 0; a < nd; a++) if (axes[a] && op.isArg()) argAxis = a;
        boolean floating = in.dtype().isFloating();
        DType acc = floating ? DType.FLOAT64 : DType.INT64;
        HostBlock v = HostBlock.allocate(switch (op) {
            case SUM, PROD -> acc;
            case MIN, MAX, ARGMIN, ARGMAX -> in.dtype();
            default -> DType.FLOAT64;
        }, keep);
        HostBlock count = HostBlock.allocate(DType.FLOAT64, keep);
        HostBlock second = HostBlock.allocate(op.isArg() ? DType.INT64 : DType.FLOAT64, keep);
        double[] comp = new double[m];   // Neumaier compensation for float sums
        boolean[] started = new boolean[m];
        for (int j = 0; j < m; j++) {
            if (op == ReduceOp.PROD) setNum(v, j, 1, 1);
        }
        int n = in.size();
        int[] idx = new int[nd];
        for (int e = 0; e < n; e++) {
            int j = 0;
            for (int a = 0; a < nd; a++) if (!axes[a]) j += idx[a] * ks[a];
            switch (op) {
                case SUM -> {
                    if (floating) {
                        double s = v.doubles()[j], x = in.getDouble(e), t = s + x;
                        if (Double.isFinite(t)) comp[j] += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
                        v.doubles()[j] = t;
                    } else v.longs()[j] += in.getLong(e);
                }
                case PROD -> {
                    if (floating) v.doubles()[j] *= in.getDouble(e);
                    else v.longs()[j] *= in.getLong(e);
                }
                case MIN, MAX -> {
                    if (!started[j] || better(op == ReduceOp.MAX, in, e, v, j, false)) copyElement(in, e, v, j);
                    started[j] = true;
                }
                case ARGMIN, ARGMAX -> {
                    if (!started[j] || better(op == ReduceOp.ARGMAX, in, e, v, j, true)) {
                        copyElement(in, e, v, j);
                        second.longs()[j] = argAxisOffset + idx[argAxis];
                    }
                    started[j] = true;
                }
                case MEAN, VAR, STD -> {
                    // first pass: count and compensated sum (the mean and M2 follow below)
                    count.doubles()[j]++;
                    double s = v.doubles()[j], x = in.getDouble(e), t = s + x;
                    if (Double.isFinite(t)) comp[j] += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
                    v.doubles()[j] = t;
                }
            }
            for (int a = nd - 1; a >= 0 && ++idx[a] == shape[a]; a--) idx[a] = 0;
        }
        if (op == ReduceOp.SUM && floating) {
            for (int j = 0; j < m; j++) if (Double.isFinite(v.doubles()[j])) v.doubles()[j] += comp[j];
        }
        if (op.isMoment()) {
            // two passes: the mean from a compensated sum, then M2 around it (inf gives an inf mean and NaN M2)
            for (int j = 0; j < m; j++) {
                double k = count.doubles()[j];
                v.doubles()[j] = k == 0 ? 0 : (v.doubles()[j] + (Double.isFinite(v.doubles()[j]) ? comp[j] : 0)) / k;
            }
            idx = new int[nd];
            for (int e = 0; e < n; e++) {
                int j = 0;
                for (int a = 0; a < nd; a++) if (!axes[a]) j += idx[a] * ks[a];
                double d = in.getDouble(e) - v.doubles()[j];
                second.doubles()[j] += d * d;
                for (int a = nd - 1; a >= 0 && ++idx[a] == shape[a]; a--) idx[a] = 0;
            }
        }
        if (op.isMoment()) return new Partial(count, v, second);
        if (op.isArg()) return new Partial(v, second);
        return new Partial(v);
    }

    /**
     * Whether element {@code e} of {@code in} beats the value held at {@code j}: larger (or smaller), NaN beating
     * everything; for the arg reductions a tie or a later NaN does not beat (first occurrence wins).
     */
    private static boolean better(boolean max, HostBlock in, int e, HostBlock held, int j, boolean strictFirst) {
        if (in.dtype().isFloating()) {
            double x = in.getDouble(e), y = held.getDouble(j);
            if (Double.isNaN(y)) return false;
            if (Double.isNaN(x)) return true;
            return max ? x > y : x < y;
        }
        long x = in.getLong(e), y = held.getLong(j);
        return max ? x > y : x < y;
    }

    private static void copyElement(HostBlock from, int i, HostBlock to, int j) {
        System.arraycopy(from.data(), i, to.data(), j, 1);
    }

    private static void setNum(HostBlock b, int j, double d, long l) {
        if (b.dtype() == DType.FLOAT64) b.doubles()[j] = d;
        else b.longs()[j] = l;
    }

    @Override
    public Block reduceCombine(ReduceOp op, List<Block> partials) {
        Partial acc = copy((Partial) partials.get(0));
        for (int p = 1; p < partials.size(); p++) {
            Partial next = (Partial) partials.get(p);
            HostBlock v = (HostBlock) acc.parts()[0];
            int m = v.size();
            for (int j = 0; j < m; j++) {
                switch (op) {
                    case SUM -> {
                        HostBlock w = (HostBlock) next.parts()[0];
                        if (v.dtype() == DType.FLOAT64) v.doubles()[j] += w.doubles()[j];
                        else v.longs()[j] += w.longs()[j];
                    }
                    case PROD -> {
                        HostBlock w = (HostBlock) next.parts()[0];
                        if (v.dtype() == DType.FLOAT64) v.doubles()[j] *= w.doubles()[j];
                        else v.longs()[j] *= w.longs()[j];
                    }
                    case MIN, MAX -> {
                        HostBlock w = (HostBlock) next.parts()[0];
                        if (better(op == ReduceOp.MAX, w, j, v, j, false)) copyElement(w, j, v, j);
                    }
                    case ARGMIN, ARGMAX -> {
                        HostBlock w = (HostBlock) next.parts()[0];
                        if (better(op == ReduceOp.ARGMAX, w, j, v, j, true)) {
                            copyElement(w, j, v, j);
                            ((HostBlock) acc.parts()[1]).longs()[j] = ((HostBlock) next.parts()[1]).longs()[j];
                        }
                    }
                    case MEAN, VAR, STD -> {
                        double[] n1 = ((HostBlock) acc.parts()[0]).doubles(), m1 = ((HostBlock) acc.parts()[1]).doubles(),
                                q1 = ((HostBlock) acc.parts()[2]).doubles();
                        double[] n2 = ((HostBlock) next.parts()[0]).doubles(), m2 = ((HostBlock) next.parts()[1]).doubles(),
                                q2 = ((HostBlock) next.parts()[2]).doubles();
                        combineMoments(n1, m1, q1, n2, m2, q2, j);
                    }
                }
            }
        }
        return acc;
    }

    /**
     * Chan et al.'s pairwise update of (count, mean, M2) at {@code j}; a non-finite mean combines by weights (so
     * inf stays inf and inf with -inf gives NaN) and makes M2 NaN, as NumPy's two-pass variance would.
     */
    public static void combineMoments(double[] n1, double[] m1, double[] q1, double[] n2, double[] m2, double[] q2, int j) {
        if (n2[j] == 0) return;
        if (n1[j] == 0) {
            n1[j] = n2[j];
            m1[j] = m2[j];
            q1[j] = q2[j];
            return;
        }
        double n = n1[j] + n2[j];
        if (!Double.isFinite(m1[j]) || !Double.isFinite(m2[j])) {
            m1[j] = m1[j] * (n1[j] / n) + m2[j] * (n2[j] / n);
            q1[j] = Double.NaN;
        } else {
            double d = m2[j] - m1[j];
            m1[j] += d * n2[j] / n;
            q1[j] += q2[j] + d * d * n1[j] * n2[j] / n;
        }
        n1[j] = n;
    }

    private static Partial copy(Partial p) {
        Block[] parts = new Block[p.parts().length];
        for (int i = 0; i < parts.length; i++) {
            HostBlock h = (HostBlock) p.parts()[i];
            HostBlock c = HostBlock.allocate(h.dtype(), h.shape());
            System.arraycopy(h.data(), 0, c.data(), 0, h.size());
            parts[i] = c;
        }
        return new Partial(parts);
    }

    @Override
    public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) {
        Block[] parts = ((Partial) partial).parts();
        HostBlock out = HostBlock.allocate(dtype, shape);
        int m = out.size();
        for (int j = 0; j < m; j++) {
            switch (op) {
                case SUM, PROD, MIN, MAX -> {
                    HostBlock v = (HostBlock) parts[0];
                    if (v.dtype().isFloating()) setD(out, j, v.getDouble(j));
                    else setL(out, j, v.getLong(j));
                }
                case ARGMIN, ARGMAX -> setL(out, j, ((HostBlock) parts[1]).longs()[j]);
                case MEAN, VAR, STD -> {
                    double n = ((HostBlock) parts[0]).doubles()[j];
                    double mean = ((HostBlock) parts[1]).doubles()[j], q = ((HostBlock) parts[2]).doubles()[j];
                    double r = n == 0 ? Double.NaN : op == ReduceOp.MEAN ? mean : op == ReduceOp.VAR ? q / n : Math.sqrt(q / n);
                    setD(out, j, r);
                }
            }
        }
        return out;
    }

    private static void setD(HostBlock b, int j, double v) {
        switch (b.dtype()) {
            case FLOAT64 -> b.doubles()[j] = v;
            case FLOAT32 -> b.floats()[j] = (float) v;
            default -> setL(b, j, castFromDouble(b.dtype(), v));
        }
    }

    private static void setL(HostBlock b, int j, long v) {
        switch (b.dtype()) {
            case INT64 -> b.longs()[j] = v;
            case INT32 -> b.ints()[j] = (int) v;
            case BOOL -> b.bools()[j] = (byte) (v != 0 ? 1 : 0);
            case FLOAT64 -> b.doubles()[j] = v;
            case FLOAT32 -> b.floats()[j] = v;
        }
    }

    // ---- gemm ----

    @Override
    public Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
        HostBlock x = toHost(a), y = toHost(b);
        int m = x.shape()[transA ? 1 : 0], k = x.shape()[transA ? 0 : 1], n = y.shape()[transB ? 0 : 1];
        int ka = x.shape()[1], kb = y.shape()[1];
        HostBlock out = c == null ? HostBlock.allocate(x.dtype(), new int[]{m, n}) : toHost(c);
        double keep = c == null ? 0 : beta;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int o = i * n + j;
                if (x.dtype().isFloating()) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += x.getDouble(transA ? p * ka + i : i * ka + p) * y.getDouble(transB ? j * kb + p : p * kb + j);
                    }
                    setD(out, o, alpha * s + (keep == 0 ? 0 : keep * out.getDouble(o)));
                } else {
                    long s = 0;
                    for (int p = 0; p < k; p++) {
                        s += x.getLong(transA ? p * ka + i : i * ka + p) * y.getLong(transB ? j * kb + p : p * kb + j);
                    }
                    setL(out, o, (long) alpha * s + (keep == 0 ? 0 : (long) keep * out.getLong(o)));
                }
            }
        }
        return out;
    }
}
