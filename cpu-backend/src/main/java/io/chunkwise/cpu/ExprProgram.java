package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.Scalars;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Expr} compiled to a post-order program: one {@link Step} per distinct sub-expression (equal
 * sub-expressions are computed once), each naming the steps of its operands, the root last, with the number of
 * steps that read each step's values. {@link TileEvaluator} runs it tile by tile, {@link ChainEvaluator} in one pass
 * of vectors where it is a chain; both are built from it once per expression.
 */
final class ExprProgram {
    enum Kind { INPUT, CONST, ARANGE, RANDOM, UNARY, BINARY, WHERE, CAST }

    /** One program step; {@code a}, {@code b}, {@code c} are the steps of its operands (or -1). */
    record Step(Kind kind, Expr expr, DType dtype, int a, int b, int c) {
        boolean floating() { return dtype.isFloating(); }

        /** A constant as a floating tile holds it (FLOAT32 rounded). */
        double doubleValue() {
            double v = ((Expr.Const) expr).value();
            return dtype == DType.FLOAT32 ? (float) v : v;
        }

        /** A constant as an integer tile holds it (cast as {@link TileOps#cast} casts, BOOL 0 or 1). */
        long longValue() {
            double v = ((Expr.Const) expr).value();
            return switch (dtype) {
                case INT32 -> Scalars.toInt32(v);
                case BOOL -> v != 0 ? 1 : 0;
                default -> Scalars.toInt64(v);
            };
        }
    }

    /** The steps in post order: operands before their readers, the root last. */
    final Step[] steps;
    /** How many steps read each step's values (the root's: 1, its caller). */
    final int[] uses;

    private ExprProgram(Step[] steps, int[] uses) {
        this.steps = steps;
        this.uses = uses;
    }

    /** The program of {@code expr}; throws where operand dtypes do not match what a step needs. */
    static ExprProgram compile(Expr expr) {
        List<Step> steps = new ArrayList<>();
        Map<Expr, Integer> seen = new HashMap<>();
        List<Integer> uses = new ArrayList<>();
        add(expr, steps, seen, uses);
        return new ExprProgram(steps.toArray(new Step[0]), uses.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int add(Expr e, List<Step> steps, Map<Expr, Integer> seen, List<Integer> uses) {
        Integer known = seen.get(e);
        if (known != null) { // one more reader of a shared sub-expression
            uses.set(known, uses.get(known) + 1);
            return known;
        }
        Step step = switch (e) {
            case Expr.Input in -> new Step(Kind.INPUT, e, in.dtype(), -1, -1, -1);
            case Expr.Const c -> new Step(Kind.CONST, e, c.dtype(), -1, -1, -1);
            case Expr.Arange r -> new Step(Kind.ARANGE, e, r.dtype(), -1, -1, -1);
            case Expr.Random r -> {
                if (!r.dtype().isFloating()) throw new IllegalArgumentException("random values are floating, not " + r.dtype());
                yield new Step(Kind.RANDOM, e, r.dtype(), -1, -1, -1);
            }
            case Expr.Unary u -> {
                require(u.dtype() == u.op().resultType(u.x().dtype()), e, "the operand's dtype (BOOL for predicates)");
                yield new Step(Kind.UNARY, e, u.dtype(), add(u.x(), steps, seen, uses), -1, -1);
            }
            case Expr.Binary b -> {
                require(b.a().dtype() == b.b().dtype(), e, "operands of one dtype");
                require(b.dtype() == b.op().resultType(b.a().dtype()), e, "the operands' dtype (BOOL for predicates)");
                int x = add(b.a(), steps, seen, uses);
                int y = add(b.b(), steps, seen, uses);
                yield new Step(Kind.BINARY, e, b.dtype(), x, y, -1);
            }
            case Expr.Where w -> {
                require(w.a().dtype() == w.dtype() && w.b().dtype() == w.dtype(), e, "both branches of the result's dtype");
                int c = add(w.cond(), steps, seen, uses);
                int x = add(w.a(), steps, seen, uses);
                int y = add(w.b(), steps, seen, uses);
                yield new Step(Kind.WHERE, e, w.dtype(), c, x, y);
            }
            case Expr.Cast c -> new Step(Kind.CAST, e, c.dtype(), add(c.x(), steps, seen, uses), -1, -1);
        };
        steps.add(step);
        uses.add(1);
        seen.put(e, steps.size() - 1);
        return steps.size() - 1;
    }

    private static void require(boolean ok, Expr e, String what) {
        if (!ok) throw new IllegalArgumentException(Expr.show(e) + " (" + e.dtype() + ") needs " + what);
    }

    /** The last step, whose values are the expression's. */
    Step root() { return steps[steps.length - 1]; }
}
