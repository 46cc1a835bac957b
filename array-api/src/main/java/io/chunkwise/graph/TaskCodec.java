package io.chunkwise.graph;

import io.chunkwise.DType;
import io.chunkwise.WireFormatException;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;

import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of tasks, so that another JVM can decode and run them (no Java serialization): every
 * {@link TaskOp} and {@link Expr}, a {@link Task} with its input keys, and a whole {@link TaskGraph}. Each op and
 * expression starts with a tag byte; enums travel by name. Decoding checks every tag, length and position, and
 * throws {@link WireFormatException} for anything malformed or truncated.
 */
public final class TaskCodec {
    /** Deepest expression accepted when decoding (a fused kernel is far shallower). */
    static final int MAX_EXPR_DEPTH = 4096;

    private TaskCodec() {}

    // ---- expressions ----

    public static byte[] encode(Expr e) {
        Wire.Out out = new Wire.Out();
        write(out, e);
        return out.toByteArray();
    }

    public static Expr decodeExpr(byte[] bytes) {
        Wire.In in = new Wire.In(bytes);
        Expr e = readExpr(in, 0);
        in.end();
        return e;
    }

    static void write(Wire.Out out, Expr e) {
        switch (e) {
            case Expr.Input i -> out.u8(1).i32(i.index()).str(i.dtype().name());
            case Expr.Const c -> out.u8(2).f64(c.value()).str(c.dtype().name());
            case Expr.Arange r -> out.u8(3).f64(r.start()).f64(r.step()).str(r.dtype().name());
            case Expr.Random r -> out.u8(4).i64(r.seed()).bool(r.normal()).f64(r.a()).f64(r.b()).str(r.dtype().name());
            case Expr.Unary u -> {
                out.u8(5).str(u.op().name()).str(u.dtype().name());
                write(out, u.x());
            }
            case Expr.Binary b -> {
                out.u8(6).str(b.op().name()).str(b.dtype().name());
                write(out, b.a());
                write(out, b.b());
            }
            case Expr.Where w -> {
                out.u8(7).str(w.dtype().name());
                write(out, w.cond());
                write(out, w.a());
                write(out, w.b());
            }
            case Expr.Cast c -> {
                out.u8(8).str(c.dtype().name());
                write(out, c.x());
            }
        }
    }

    static Expr readExpr(Wire.In in, int depth) {
        if (depth > MAX_EXPR_DEPTH) throw new WireFormatException("expression nested deeper than " + MAX_EXPR_DEPTH);
        int tag = in.u8();
        return switch (tag) {
            case 1 -> {
                int index = in.i32();
                if (index < 0) throw new WireFormatException("negative input index " + index);
                yield new Expr.Input(index, in.constant(DType.class));
            }
            case 2 -> new Expr.Const(in.f64(), in.constant(DType.class));
            case 3 -> new Expr.Arange(in.f64(), in.f64(), in.constant(DType.class));
            case 4 -> new Expr.Random(in.i64(), in.bool(), in.f64(), in.f64(), in.constant(DType.class));
            case 5 -> {
                UnaryOp op = in.constant(UnaryOp.class);
                DType t = in.constant(DType.class);
                yield new Expr.Unary(op, readExpr(in, depth + 1), t);
            }
            case 6 -> {
                BinaryOp op = in.constant(BinaryOp.class);
                DType t = in.constant(DType.class);
                Expr a = readExpr(in, depth + 1);
                yield new Expr.Binary(op, a, readExpr(in, depth + 1), t);
            }
            case 7 -> {
                DType t = in.constant(DType.class);
                Expr c = readExpr(in, depth + 1), a = readExpr(in, depth + 1);
                yield new Expr.Where(c, a, readExpr(in, depth + 1), t);
            }
            case 8 -> {
                DType t = in.constant(DType.class);
                yield new Expr.Cast(readExpr(in, depth + 1), t);
            }
            default -> throw new WireFormatException("unknown expression tag " + tag);
        };
    }

    // ---- task ops ----

    public static byte[] encode(TaskOp op) {
        Wire.Out out = new Wire.Out();
        write(out, op);
        return out.toByteArray();
    }

    public static TaskOp decodeOp(byte[] bytes) {
        Wire.In in = new Wire.In(bytes);
        TaskOp op = readOp(in);
        in.end();
        return op;
    }

    static void write(Wire.Out out, TaskOp op) {
        switch (op) {
            case TaskOp.Scattered s -> {
                out.u8(1);
                write(out, s.key());
                out.str(s.dtype().name()).ints(s.shape());
            }
            case TaskOp.Persisted p -> {
                out.u8(2);
                write(out, p.key());
                out.str(p.dtype().name()).ints(p.shape());
            }
            case TaskOp.Read r -> out.u8(3).str(r.format()).str(r.path()).i64(r.fileSize()).i64(r.modified())
                    .str(r.dtype().name()).longs(r.offset()).ints(r.shape());
            case TaskOp.Elementwise e -> {
                out.u8(4);
                writeElementwise(out, e);
            }
            case TaskOp.ReducePartial p -> {
                out.u8(5).str(p.op().name()).bools(p.axes()).i64(p.argAxisOffset()).str(p.dtype().name()).ints(p.shape())
                        .bool(p.producer() != null);
                if (p.producer() != null) writeElementwise(out, p.producer());
            }
            case TaskOp.ReduceCombine c -> out.u8(6).str(c.op().name()).ints(c.shape());
            case TaskOp.ReduceFinish f -> out.u8(7).str(f.op().name()).str(f.dtype().name()).ints(f.shape());
            case TaskOp.Matmul m -> out.u8(8).str(m.dtype().name()).ints(m.shape());
            case TaskOp.Assemble a -> {
                out.u8(9).str(a.dtype().name()).ints(a.shape()).i32(a.pieces().size());
                for (Piece p : a.pieces()) {
                    out.i32(p.source()).i32(p.srcOffset()).ints(p.srcStrides()).i32(p.dstOffset()).ints(p.dstStrides()).ints(p.counts());
                }
            }
            case TaskOp.MapBlocks m -> out.u8(10).str(m.function()).longs(m.blockIndex()).str(m.dtype().name()).ints(m.shape());
            case TaskOp.Scan s -> out.u8(12).str(s.op().name()).i32(s.axis()).str(s.dtype().name()).ints(s.shape());
            case TaskOp.Histogram h -> out.u8(13).i32(h.bins()).f64(h.lo()).f64(h.hi()).ints(h.shape());
            case TaskOp.Write w -> out.u8(11).str(w.format()).str(w.path()).str(w.token()).i64(w.fileSize()).i64(w.dataOffset())
                    .longs(w.fileShape()).str(w.dtype().name()).longs(w.offset()).ints(w.shape());
            case TaskOp.Extract e -> out.u8(14).str(e.dtype().name()).i32(e.count());
        }
    }

    private static void writeElementwise(Wire.Out out, TaskOp.Elementwise e) {
        write(out, e.expr());
        out.i32(e.inputStrides().length);
        for (int[] s : e.inputStrides()) out.ints(s);
        Region r = e.region();
        out.ints(r.shape()).longs(r.offset()).longs(r.globalShape());
    }

    private static TaskOp.Elementwise readElementwise(Wire.In in) {
        Expr expr = readExpr(in, 0);
        int[][] strides = new int[in.length(4, "input strides")][];
        for (int i = 0; i < strides.length; i++) strides[i] = in.ints();
        return new TaskOp.Elementwise(expr, strides, new Region(in.ints(), in.longs(), in.longs()));
    }

    static TaskOp readOp(Wire.In in) {
        int tag = in.u8();
        return switch (tag) {
            case 1 -> new TaskOp.Scattered(readKey(in), in.constant(DType.class), in.ints());
            case 2 -> new TaskOp.Persisted(readKey(in), in.constant(DType.class), in.ints());
            case 3 -> new TaskOp.Read(in.str(), in.str(), in.i64(), in.i64(), in.constant(DType.class), in.longs(), in.ints());
            case 4 -> readElementwise(in);
            case 5 -> {
                ReduceOp op = in.constant(ReduceOp.class);
                boolean[] axes = in.bools();
                long argOffset = in.i64();
                DType t = in.constant(DType.class);
                int[] shape = in.ints();
                yield new TaskOp.ReducePartial(op, axes, argOffset, t, shape, in.bool() ? readElementwise(in) : null);
            }
            case 6 -> new TaskOp.ReduceCombine(in.constant(ReduceOp.class), in.ints());
            case 7 -> new TaskOp.ReduceFinish(in.constant(ReduceOp.class), in.constant(DType.class), in.ints());
            case 8 -> new TaskOp.Matmul(in.constant(DType.class), in.ints());
            case 9 -> {
                DType t = in.constant(DType.class);
                int[] shape = in.ints();
                int n = in.length(4 * 6, "assemble pieces");
                List<Piece> pieces = new ArrayList<>(n);
                for (int i = 0; i < n; i++) pieces.add(new Piece(in.i32(), in.i32(), in.ints(), in.i32(), in.ints(), in.ints()));
                yield new TaskOp.Assemble(t, shape, pieces);
            }
            case 10 -> new TaskOp.MapBlocks(in.str(), in.longs(), in.constant(DType.class), in.ints());
            case 11 -> new TaskOp.Write(in.str(), in.str(), in.str(), in.i64(), in.i64(), in.longs(), in.constant(DType.class),
                    in.longs(), in.ints());
            case 12 -> new TaskOp.Scan(in.constant(ReduceOp.class), in.i32(), in.constant(DType.class), in.ints());
            case 13 -> new TaskOp.Histogram(in.i32(), in.f64(), in.f64(), in.ints());
            case 14 -> new TaskOp.Extract(in.constant(DType.class), in.i32());
            default -> throw new WireFormatException("unknown task op tag " + tag);
        };
    }

    // ---- keys, tasks, graphs ----

    static void write(Wire.Out out, ChunkKey k) { out.str(k.layer()).ints(k.index()); }

    static ChunkKey readKey(Wire.In in) { return new ChunkKey(in.str(), in.ints()); }

    /** One task with the keys it reads (for tasks sent one batch at a time). */
    public static byte[] encode(Task t) {
        Wire.Out out = new Wire.Out();
        write(out, t.key());
        out.i32(t.deps().size());
        for (ChunkKey d : t.deps()) write(out, d);
        write(out, t.op());
        return out.toByteArray();
    }

    public static Task decodeTask(byte[] bytes) {
        Wire.In in = new Wire.In(bytes);
        ChunkKey key = readKey(in);
        int n = in.length(8, "task inputs");
        List<ChunkKey> deps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) deps.add(readKey(in));
        Task t = new Task(key, List.copyOf(deps), readOp(in));
        in.end();
        return t;
    }

    /** A whole graph: its tasks in order, each with the positions of the tasks it reads, then the requested chunks. */
    public static byte[] encode(TaskGraph g) {
        Wire.Out out = new Wire.Out();
        out.i32(g.size());
        for (int i = 0; i < g.size(); i++) {
            write(out, g.task(i).key());
            out.ints(g.deps(i));
            write(out, g.task(i).op());
        }
        out.i32(g.outputCount());
        for (int o = 0; o < g.outputCount(); o++) out.ints(g.outputIndex(o)).i32(g.outputTask(o));
        return out.toByteArray();
    }

    public static TaskGraph decodeGraph(byte[] bytes) {
        Wire.In in = new Wire.In(bytes);
        int n = in.length(8, "tasks");
        Task[] tasks = new Task[n];
        int[][] deps = new int[n][];
        for (int i = 0; i < n; i++) {
            ChunkKey key = readKey(in);
            int[] d = in.ints();
            List<ChunkKey> keys = new ArrayList<>(d.length);
            for (int j : d) {
                if (j < 0 || j >= i) throw new WireFormatException("task " + i + " reads task " + j + ", which does not come before it");
                keys.add(tasks[j].key());
            }
            deps[i] = d;
            tasks[i] = new Task(key, List.copyOf(keys), readOp(in));
        }
        int outputs = in.length(8, "outputs");
        int[][] outputIndex = new int[outputs][];
        int[] outputTask = new int[outputs];
        for (int o = 0; o < outputs; o++) {
            outputIndex[o] = in.ints();
            outputTask[o] = in.i32();
            if (outputTask[o] < 0 || outputTask[o] >= n) throw new WireFormatException("output " + o + " is task " + outputTask[o] + " of " + n);
        }
        in.end();
        return new TaskGraph(tasks, deps, outputIndex, outputTask);
    }
}
