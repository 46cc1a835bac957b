package io.chunkwise.spi;

import io.chunkwise.DType;

/**
 * A fused elementwise expression evaluated over one output chunk, in one pass. Leaves are input blocks
 * (pre-aligned, broadcast through strides), constants, or generators of the element's global position (arange,
 * counter-based random numbers), so that creation, arithmetic and casts fuse into a single kernel.
 * Operands of {@link Binary} always have equal dtypes: promotion happens in the array layer.
 */
public sealed interface Expr {
    DType dtype();

    /** Input block {@code index} of the kernel call. */
    record Input(int index, DType dtype) implements Expr {}

    record Const(double value, DType dtype) implements Expr {}

    /** {@code start + step * i} where {@code i} is the element's global flat (row-major) index. */
    record Arange(double start, double step, DType dtype) implements Expr {}

    /** Philox4x32-10 keyed by (seed, global flat index): uniform in [a, b) or normal(mean a, std b). */
    record Random(long seed, boolean normal, double a, double b, DType dtype) implements Expr {}

    record Unary(UnaryOp op, Expr x, DType dtype) implements Expr {}

    record Binary(BinaryOp op, Expr a, Expr b, DType dtype) implements Expr {}

    /** {@code cond != 0 ? a : b}. */
    record Where(Expr cond, Expr a, Expr b, DType dtype) implements Expr {}

    /** NumPy's unsafe cast ({@code astype}): floats to integers truncate toward zero, anything non-zero is true. */
    record Cast(Expr x, DType dtype) implements Expr {}

    /** A readable form, e.g. {@code add(mul(in0, in0), 10.0)}. */
    static String show(Expr e) {
        return switch (e) {
            case Input i -> "in" + i.index();
            case Const c -> c.dtype().isFloating() ? Double.toString(c.value()) : Long.toString((long) c.value());
            case Arange r -> "arange(" + r.start() + ", step " + r.step() + ")";
            case Random r -> (r.normal() ? "normal(" : "uniform(") + r.a() + ", " + r.b() + ", seed " + r.seed() + ")";
            case Unary u -> u.op().numpyName() + "(" + show(u.x()) + ")";
            case Binary b -> b.op().numpyName() + "(" + show(b.a()) + ", " + show(b.b()) + ")";
            case Where w -> "where(" + show(w.cond()) + ", " + show(w.a()) + ", " + show(w.b()) + ")";
            case Cast c -> c.dtype().numpyName() + "(" + show(c.x()) + ")";
        };
    }

    /** {@link #show(Expr)} cut after {@code maxChars} characters, with the op count: messages stay short whatever the kernel. */
    static String show(Expr e, int maxChars) {
        String s = show(e);
        return s.length() <= maxChars ? s : s.substring(0, maxChars) + "... (" + opCount(e) + " ops)";
    }

    /** Number of operation nodes (inputs and constants excluded): how many ops a fused kernel does per element. */
    static int opCount(Expr e) {
        return switch (e) {
            case Input i -> 0;
            case Const c -> 0;
            case Arange r -> 1;
            case Random r -> 1;
            case Unary u -> 1 + opCount(u.x());
            case Binary b -> 1 + opCount(b.a()) + opCount(b.b());
            case Where w -> 1 + opCount(w.cond()) + opCount(w.a()) + opCount(w.b());
            case Cast c -> 1 + opCount(c.x());
        };
    }
}
