package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.Scalars;
import io.chunkwise.spi.UnaryOp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The CUDA C source of one fused elementwise kernel for an {@link Expr}: cuda-kernels' template
 * ({@code fused_elementwise.cu.template}) with one statement per node, each op written with the CUDA form of its row
 * of the op table ({@link UnaryOp}, {@link BinaryOp}). The bits are the CPU backend's: floating nodes compute in
 * double and a FLOAT32 node is rounded to float after every op the table does not mark exact; integer and bool nodes
 * compute in wrapping 64-bit ({@code cw_i64} of {@code chunkwise_fused.cuh}) and INT32/BOOL results are narrowed
 * after each op; constants are cast as the CPU backend casts them. The kernel must be compiled with {@code --fmad=false}
 * (no contraction of {@code a * b + c}).
 *
 * <p>Constants, generator parameters, axis lengths and strides are kernel parameters, so the source, and
 * {@link Kernel#key}, depend only on the expression's shape: its ops, dtypes, operand kinds, which inputs it reads,
 * and the rank of the launch space ({@link FusedGeometry}).
 */
final class FusedKernelSource {
    static final String TEMPLATE = "fused_elementwise.cu.template";
    /** The headers the kernels include, resources of cuda-kernels beside the template. */
    static final List<String> HEADERS = List.of("chunkwise_device.cuh", "chunkwise_fused.cuh", "chunkwise_reduce.cuh");

    private FusedKernelSource() {}

    /**
     * A kernel: its cache key, name and source, the inputs it reads (by index, in the order of its pointer
     * parameters), whether it reads the global flat index (arange, random), whether it reports refused data through
     * an error word ({@link #reportsErrors}), and its parameters as declared.
     */
    record Kernel(String key, String name, String source, List<Integer> inputs, boolean global, boolean errors, List<String> params) {
        GeneratedKernels.Program program() { return new GeneratedKernels.Program(name, source); }
    }

    /** Why {@code expr} has no fused kernel (an op the generator cannot write with the CPU backend's bits), or null. */
    static String unsupported(Expr expr) {
        List<String> why = new ArrayList<>(1);
        postOrder(expr, e -> {
            if (!why.isEmpty()) return;
            String w = switch (e) {
                case Expr.Unary u -> u.op().forms().cuda() == null ? u.op().numpyName() + " has no CUDA form"
                        : !u.x().dtype().isFloating() && u.op().forms().javaLong() == null
                                ? u.op().numpyName() + " of " + u.x().dtype().numpyName() + " (integers are cast first)" : null;
                case Expr.Binary b -> b.op().forms().cuda() == null ? b.op().numpyName() + " has no CUDA form"
                        : b.a().dtype() != b.b().dtype() ? "operands of two dtypes"
                        : !b.a().dtype().isFloating() && b.op().forms().javaLong() == null
                                ? b.op().numpyName() + " of " + b.a().dtype().numpyName() + " (integers are cast first)" : null;
                case Expr.Random r -> r.dtype().isFloating() ? null : "random values of " + r.dtype().numpyName();
                default -> null;
            };
            if (w != null) why.add(w);
        });
        return why.isEmpty() ? null : why.get(0);
    }

    /** The kernel of {@code expr} over a launch space of {@code rank} axes; {@link #unsupported} must be null. */
    static Kernel generate(Expr expr, int rank) {
        String key = key(expr, rank);
        String name = "chunkwise_fused_" + hash(key) + "_" + expr.dtype().numpyName();
        List<Integer> inputs = inputs(expr);
        boolean global = readsGlobalIndex(expr);

        List<String> params = new ArrayList<>();
        for (int i : inputs) params.add("const " + storage(dtypeOfInput(expr, i)) + "* __restrict__ in" + i);
        params.add(storage(expr.dtype()) + "* __restrict__ out");
        boolean errors = reportsErrors(expr);
        if (errors) params.add("long long* __restrict__ err");
        params.add("long long n");
        for (int k = 0; k < rank; k++) params.add("long long d" + k);
        for (int i : inputs) for (int k = 0; k < rank; k++) params.add("long long s" + i + "_" + k);
        if (global) {
            params.add("long long gbase");
            for (int k = 0; k < rank; k++) params.add("long long g" + k);
        }

        StringBuilder body = new StringBuilder();
        // the position of element i in each input (and the array), innermost axis first; none for constants alone
        if (!inputs.isEmpty() || global) {
            body.append("        long long r = i");
            for (int i : inputs) body.append(", o").append(i).append(" = 0");
            if (global) body.append(", g = gbase");
            body.append(";\n");
            for (int k = rank - 1; k >= 0; k--) {
                body.append("        { long long c = ").append(k == 0 ? "r" : "r % d" + k).append(";");
                if (k > 0) body.append(" r /= d").append(k).append(";");
                for (int i : inputs) body.append(" o").append(i).append(" += c * s").append(i).append('_').append(k).append(';');
                if (global) body.append(" g += c * g").append(k).append(';');
                body.append(" }\n");
            }
        }
        for (int i : inputs) {
            DType t = dtypeOfInput(expr, i);
            body.append("        const ").append(type(t)).append(" x").append(i).append(" = ")
                    .append(t.isFloating() ? "(double) in" + i + "[o" + i + "]" : "cw_i64((long long) in" + i + "[o" + i + "])")
                    .append(";\n");
        }
        Emitter em = new Emitter(body, params);
        String root = em.emit(expr);
        body.append("        out[i] = ").append(store(expr.dtype(), root)).append(';');

        String source = template()
                .replace("@NAME@", name)
                .replace("@PARAMS@", String.join(", ", params))
                .replace("@BODY@", body.toString());
        return new Kernel(key, name, source, inputs, global, errors, List.copyOf(params));
    }

    /**
     * The raw 64-bit words of the kernel's scalar parameters after {@code out}, in its order: {@code n}, the axis
     * lengths, each input's strides, the global index's base and strides (where read), then the constants' and
     * generators' values (doubles as their raw bits) in the expression's post order.
     */
    static long[] scalarArgs(FusedGeometry geometry, Expr expr) {
        List<Long> out = new ArrayList<>();
        out.add(geometry.size());
        for (long d : geometry.dims()) out.add(d);
        for (long[] s : geometry.strides()) for (long v : s) out.add(v);
        if (readsGlobalIndex(expr)) {
            out.add(geometry.globalBase());
            for (long g : geometry.global()) out.add(g);
        }
        postOrder(expr, e -> {
            switch (e) {
                case Expr.Const c -> out.add(constBits(c));
                case Expr.Arange a -> {
                    out.add(Double.doubleToRawLongBits(a.start()));
                    out.add(Double.doubleToRawLongBits(a.step()));
                }
                case Expr.Random r -> {
                    out.add(r.seed());
                    out.add(Double.doubleToRawLongBits(r.a()));
                    out.add(Double.doubleToRawLongBits(r.b()));
                }
                default -> { }
            }
        });
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** A constant as the CPU backend holds it: FLOAT32 rounded, integers cast as NumPy casts on x86, BOOL 0 or 1. */
    static long constBits(Expr.Const c) {
        double v = c.value();
        return switch (c.dtype()) {
            case FLOAT64 -> Double.doubleToRawLongBits(v);
            case FLOAT32 -> Double.doubleToRawLongBits((float) v);
            case INT64 -> Scalars.toInt64(v);
            case INT32 -> Scalars.toInt32(v);
            case BOOL -> v != 0 ? 1 : 0;
        };
    }

    /** The shape of the expression and the launch rank, in words: what decides the kernel, and nothing else. */
    static String key(Expr expr, int rank) {
        return shape(expr) + " rank " + rank;
    }

    private static String shape(Expr e) {
        String t = e.dtype().numpyName();
        return switch (e) {
            case Expr.Input in -> "in" + in.index() + ":" + t;
            case Expr.Const c -> "const:" + t;
            case Expr.Arange a -> "arange:" + t;
            case Expr.Random r -> (r.normal() ? "normal:" : "uniform:") + t;
            case Expr.Unary u -> u.op().name() + ":" + t + "(" + shape(u.x()) + ")";
            case Expr.Binary b -> b.op().name() + ":" + t + "(" + shape(b.a()) + ", " + shape(b.b()) + ")";
            case Expr.Where w -> "where:" + t + "(" + shape(w.cond()) + ", " + shape(w.a()) + ", " + shape(w.b()) + ")";
            case Expr.Cast c -> "cast:" + t + "(" + shape(c.x()) + ")";
        };
    }

    /** Writes one statement per node, operands first; each node's value is a local {@code v<k>}. */
    private static final class Emitter {
        private final StringBuilder body;
        private final List<String> params;
        private int next;

        Emitter(StringBuilder body, List<String> params) {
            this.body = body;
            this.params = params;
        }

        /** Emits {@code e} and its operands; returns the C expression of its value. */
        String emit(Expr e) {
            DType t = e.dtype();
            String value = switch (e) {
                case Expr.Input in -> "x" + in.index();
                case Expr.Const c -> {
                    String p = param(t.isFloating() ? "double" : "long long");
                    yield t.isFloating() ? p : "cw_i64(" + p + ")";
                }
                case Expr.Arange a -> {
                    String start = param("double"), step = param("double");
                    yield fromDouble(t, start + " + " + step + " * (double) g");
                }
                case Expr.Random r -> {
                    String seed = param("long long"), a = param("double"), b = param("double");
                    String fn = (r.normal() ? "cw_normal<" : "cw_uniform<") + (t == DType.FLOAT32 ? "float" : "double") + ">";
                    yield "(double) " + fn + "((unsigned long long) " + seed + ", (unsigned long long) g, " + a + ", " + b + ")";
                }
                case Expr.Unary u -> {
                    String x = emit(u.x());
                    String scope = "const " + type(u.x().dtype()) + " x = " + x + ";";
                    yield op(t, scope, u.op().forms().cuda(), u.op().isPredicate(), u.op().exact());
                }
                case Expr.Binary b -> {
                    String a = emit(b.a()), c = emit(b.b());
                    String type = type(b.a().dtype());
                    String scope = "const " + type + " a = " + a + "; const " + type + " b = " + c + ";";
                    if (integerPower(b)) scope += " if (b.v < 0) *err = b.v;"; // the CPU backend refuses it (Scalars.pow)
                    yield op(t, scope, b.op().forms().cuda(), b.op().isPredicate(), b.op().exact());
                }
                case Expr.Where w -> {
                    String c = emit(w.cond()), a = emit(w.a()), b = emit(w.b());
                    yield "(" + (w.cond().dtype().isFloating() ? c + " != 0.0" : c + ".v != 0") + ") ? " + a + " : " + b;
                }
                case Expr.Cast c -> cast(emit(c.x()), c.x().dtype(), t);
            };
            if (e instanceof Expr.Input) return value;
            String v = "v" + next++;
            body.append("        const ").append(type(t)).append(' ').append(v).append(" = ").append(value).append(";\n");
            return v;
        }

        /** An op's value: its CUDA form in a lambda-like block that binds the operands, then rounded or narrowed. */
        private String op(DType t, String scope, String form, boolean predicate, boolean exact) {
            String r = "op" + next++;
            body.append("        ").append(type(t)).append(' ').append(r).append(";\n");
            body.append("        { ").append(scope).append(' ').append(r).append(" = ")
                    .append(predicate ? "cw_i64((" + form + ") ? 1LL : 0LL)" : "(" + form + ")").append("; }\n");
            if (predicate) return r;
            return switch (t) {
                case FLOAT32 -> exact ? r : "cw_round_float(" + r + ")";
                case INT32 -> "cw_narrow_int32(" + r + ")";
                case BOOL -> "cw_narrow_bool(" + r + ")";
                default -> r;
            };
        }

        private String param(String ctype) {
            String p = "p" + next++;
            params.add(ctype + " " + p);
            return p;
        }
    }

    /** A cast as cpu-backend's TileOps casts: float32 rounds once, integers from floats as NumPy on x86. */
    private static String cast(String x, DType from, DType to) {
        if (from.isFloating()) return fromDouble(to, x);
        return switch (to) {
            case FLOAT64 -> "(double) " + x + ".v";
            case FLOAT32 -> "(double) (float) " + x + ".v"; // a long rounds to float directly, not through double
            case INT64 -> x;
            case INT32 -> "cw_narrow_int32(" + x + ")";
            case BOOL -> "cw_narrow_bool(" + x + ")";
        };
    }

    /** A double value as a node of dtype {@code to} holds it. */
    private static String fromDouble(DType to, String x) {
        return switch (to) {
            case FLOAT64 -> "(" + x + ")";
            case FLOAT32 -> "cw_round_float(" + x + ")";
            case INT64 -> "cw_to_int64(" + x + ")";
            case INT32 -> "cw_to_int32(" + x + ")";
            case BOOL -> "cw_i64((" + x + ") != 0.0 ? 1LL : 0LL)";
        };
    }

    /** The C type of a node's value. */
    private static String type(DType t) { return t.isFloating() ? "double" : "cw_i64"; }

    /** The C element type of a block. */
    static String storage(DType t) {
        return switch (t) {
            case FLOAT64 -> "double";
            case FLOAT32 -> "float";
            case INT64 -> "long long";
            case INT32 -> "int";
            case BOOL -> "unsigned char";
        };
    }

    private static String store(DType t, String v) {
        return switch (t) {
            case FLOAT64 -> v;
            case FLOAT32 -> "(float) " + v;
            case INT64 -> v + ".v";
            case INT32 -> "(int) " + v + ".v";
            case BOOL -> "(unsigned char) " + v + ".v";
        };
    }

    /** Visits the nodes of {@code e}, operands before the node, left to right. */
    static void postOrder(Expr e, Consumer<Expr> visit) {
        switch (e) {
            case Expr.Unary u -> postOrder(u.x(), visit);
            case Expr.Binary b -> {
                postOrder(b.a(), visit);
                postOrder(b.b(), visit);
            }
            case Expr.Where w -> {
                postOrder(w.cond(), visit);
                postOrder(w.a(), visit);
                postOrder(w.b(), visit);
            }
            case Expr.Cast c -> postOrder(c.x(), visit);
            default -> { }
        }
        visit.accept(e);
    }

    /**
     * Whether the kernel has an error word, {@code long long* err} after {@code out}, zero before the launch: an integer
     * power writes a negative exponent there, which the CPU backend refuses with an error (a kernel cannot throw).
     */
    static boolean reportsErrors(Expr expr) {
        boolean[] found = {false};
        postOrder(expr, e -> found[0] |= e instanceof Expr.Binary b && integerPower(b));
        return found[0];
    }

    private static boolean integerPower(Expr.Binary b) {
        return b.op() == BinaryOp.POW && !b.a().dtype().isFloating();
    }

    /** The input indices {@code expr} reads, ascending. */
    static List<Integer> inputs(Expr expr) {
        TreeSet<Integer> out = new TreeSet<>();
        postOrder(expr, e -> { if (e instanceof Expr.Input in) out.add(in.index()); });
        return List.copyOf(out);
    }

    static boolean readsGlobalIndex(Expr expr) {
        boolean[] found = {false};
        postOrder(expr, e -> found[0] |= e instanceof Expr.Arange || e instanceof Expr.Random);
        return found[0];
    }

    private static DType dtypeOfInput(Expr expr, int index) {
        DType[] t = {null};
        postOrder(expr, e -> { if (e instanceof Expr.Input in && in.index() == index) t[0] = in.dtype(); });
        return t[0];
    }

    private static String hash(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The template from the cuda-kernels jar, without its comment lines (which name the placeholders). */
    static String template() { return GeneratedKernels.template(TEMPLATE); }

    /** A text resource of the cuda-kernels jar (the template, a header). */
    static String resource(String file) {
        byte[] b = Kernels.readResource(file);
        if (b == null) throw new IllegalStateException(KernelBuild.RESOURCE_DIR + file + " missing from the cuda-kernels jar");
        return new String(b, StandardCharsets.US_ASCII);
    }
}
