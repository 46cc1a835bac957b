package io.chunkwise.testing;

import io.chunkwise.BackendKind;
import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;

/**
 * A backend that fails its {@link #close()} when a block it handed out was not released. Every call of the wrapped
 * backend goes through unchanged (the destination-passing calls too, so that they keep their fast paths). Each
 * block a call returns is counted once more, and each {@link #release} counts it once less. A call may return a
 * block it was given (an elementwise expression that is one of its inputs, a combine of one partial): that is the
 * same block, not a new one (as {@code Backend}'s own defaults treat it), to be released once by whoever holds it
 * last; a GEMM into a given C returns C, which stays one block too. At close (the
 * context has released its persisted blocks by then) every count must be 0: the {@link AssertionError} lists the
 * blocks still held, and those released more often than handed out, with their dtype, shape and the call that made
 * them (and its caller).
 */
public final class LeakCheckingBackend implements Backend {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final int SHOWN = 20;

    private final Backend backend;
    private final Map<Block, Held> held = new IdentityHashMap<>();

    /** A block handed out {@code count} times more than it was released, first by {@code call}. */
    private static final class Held {
        final String call;
        int count;

        Held(String call) { this.call = call; }
    }

    /** The op-table rows that reached each backend (by name) in this JVM: {@link #exercised}. */
    private static final Map<String, Set<Enum<?>>> EXERCISED = new ConcurrentHashMap<>();

    public LeakCheckingBackend(Backend backend) { this.backend = backend; }

    /**
     * The rows of the op table ({@link io.chunkwise.spi.UnaryOp}, {@link io.chunkwise.spi.BinaryOp}, {@link ReduceOp})
     * that a backend of this name was asked to run so far in this JVM, through any wrapper.
     */
    public static Set<Enum<?>> exercised(String backendName) {
        return Set.copyOf(EXERCISED.getOrDefault(backendName, Set.of()));
    }

    private void exercise(Enum<?> op) {
        EXERCISED.computeIfAbsent(backend.name(), k -> ConcurrentHashMap.newKeySet()).add(op);
    }

    private void exercise(Expr e) {
        switch (e) {
            case Expr.Unary u -> {
                exercise(u.op());
                exercise(u.x());
            }
            case Expr.Binary b -> {
                exercise(b.op());
                exercise(b.a());
                exercise(b.b());
            }
            case Expr.Where w -> {
                exercise(w.cond());
                exercise(w.a());
                exercise(w.b());
            }
            case Expr.Cast c -> exercise(c.x());
            default -> { }
        }
    }

    /** The wrapped backend. */
    public Backend backend() { return backend; }

    /** Blocks handed out and not released yet, counted as often as they were handed out. */
    public int heldBlocks() {
        synchronized (held) {
            return held.values().stream().mapToInt(h -> Math.max(h.count, 0)).sum();
        }
    }

    private Block handOut(Block b, String call) {
        if (b == null) return null;
        String caller = WALKER.walk(s -> s.filter(f -> !f.getClassName().equals(LeakCheckingBackend.class.getName())).findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber())
                .orElse("?"));
        synchronized (held) {
            count(b, call + " in " + caller, 1);
        }
        return b;
    }

    /** Adds {@code d} to the block's count; a block whose count is back to 0 is forgotten (not kept alive here). */
    private void count(Block b, String call, int d) {
        Held h = held.computeIfAbsent(b, x -> new Held(call));
        if ((h.count += d) == 0) held.remove(b);
    }

    @Override public String name() { return backend.name(); }

    @Override public BackendKind kind() { return backend.kind(); }

    @Override public Block fromHost(HostBlock block) { return handOut(backend.fromHost(block), "fromHost"); }

    @Override public HostBlock toHost(Block block) { return backend.toHost(block); }

    @Override
    public void release(Block block) {
        synchronized (held) {
            count(block, "an earlier call (or none)", -1);
        }
        backend.release(block);
    }

    /** {@code b}, counted as handed out unless it is one of {@code inputs} (then it is that block, not a new one). */
    private Block handOut(Block b, String call, List<Block> inputs) {
        for (Block in : inputs) if (in == b) return b;
        return handOut(b, call);
    }

    @Override
    public Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region) {
        exercise(expr);
        return handOut(backend.elementwise(expr, inputs, inputStrides, region), "elementwise " + Expr.show(expr), List.of(inputs));
    }

    @Override
    public void elementwiseInto(Expr expr, Block[] inputs, int[][] inputStrides, Region region, HostBlock dst, int dstOffset, int[] dstStrides) {
        exercise(expr);
        backend.elementwiseInto(expr, inputs, inputStrides, region, dst, dstOffset, dstStrides);
    }

    @Override
    public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
        exercise(op);
        return handOut(backend.reducePartial(op, input, axes, argAxisOffset), "reducePartial " + op.numpyName());
    }

    @Override
    public Block reducePartialOf(ReduceOp op, Expr expr, Block[] inputs, int[][] inputStrides, Region region, boolean[] axes, long argAxisOffset) {
        exercise(op);
        exercise(expr);
        return handOut(backend.reducePartialOf(op, expr, inputs, inputStrides, region, axes, argAxisOffset),
                "reducePartialOf " + op.numpyName() + " of " + Expr.show(expr));
    }

    @Override
    public boolean streamsReduction(ReduceOp op, Expr expr, Region region, boolean[] axes) {
        return backend.streamsReduction(op, expr, region, axes);
    }

    @Override
    public Block reduceCombine(ReduceOp op, List<Block> partials) {
        return handOut(backend.reduceCombine(op, partials), "reduceCombine " + op.numpyName(), partials);
    }

    @Override
    public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) {
        return handOut(backend.reduceFinish(op, partial, dtype, shape), "reduceFinish " + op.numpyName());
    }

    @Override
    public Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
        Block out = backend.gemm(transA, transB, alpha, a, b, beta, c);
        return out == c ? out : handOut(out, "gemm");   // C updated in place is still the caller's one block
    }

    @Override
    public void matmulInto(Block[] a, Block[] b, HostBlock dst, int dstOffset, int[] dstStrides) {
        backend.matmulInto(a, b, dst, dstOffset, dstStrides);
    }

    @Override public int gemmTile() { return backend.gemmTile(); }

    @Override public Map<String, Long> delegatedCalls() { return backend.delegatedCalls(); }

    @Override public String delegateName() { return backend.delegateName(); }

    @Override
    public Block scan(ReduceOp op, Block input, int axis) {
        return handOut(backend.scan(op, input, axis), "scan " + op.numpyName(), List.of(input));
    }

    @Override
    public Block histogram(Block input, int bins, double lo, double hi, int[] shape) {
        return handOut(backend.histogram(input, bins, lo, hi, shape), "histogram");
    }

    @Override
    public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) {
        return handOut(backend.assemble(dtype, shape, sources, pieces), "assemble");
    }

    /** Closes the wrapped backend, then fails if a block is still held or was released too often. */
    @Override
    public void close() {
        String problems;
        synchronized (held) {
            problems = problems();
            held.clear();
        }
        AssertionError leaks = problems == null ? null : new AssertionError(problems);
        try {
            backend.close();   // may fail too, e.g. a device backend whose memory pool still holds blocks
        } catch (RuntimeException | Error e) {
            if (leaks == null) throw e;
            leaks.addSuppressed(e);
        }
        if (leaks != null) throw leaks;
    }

    /** The blocks whose count is not 0, grouped by what they are and where they came from; null when there are none. */
    private String problems() {
        Map<String, Integer> live = new TreeMap<>(), over = new TreeMap<>();
        int liveBlocks = 0, overBlocks = 0;
        for (Map.Entry<Block, Held> e : held.entrySet()) {
            Block b = e.getKey();
            Held h = e.getValue();
            String what = b.dtype().numpyName() + Shapes.str(b.shape()) + " " + b.getClass().getSimpleName() + " from " + h.call;
            if (h.count > 0) {
                live.merge(what, 1, Integer::sum);
                liveBlocks++;
            } else {
                over.merge(what + ", released " + -h.count + " more time" + (h.count == -1 ? "" : "s") + " than handed out", 1, Integer::sum);
                overBlocks++;
            }
        }
        if (liveBlocks == 0 && overBlocks == 0) return null;
        List<String> lines = new ArrayList<>();
        String closed = "backend " + backend.name() + " closed with ";
        if (liveBlocks > 0) lines.add(closed + liveBlocks + " block" + (liveBlocks == 1 ? "" : "s") + " never released:");
        live.forEach((what, n) -> lines.add("  " + n + " x " + what));
        if (overBlocks > 0) lines.add(closed + overBlocks + " block" + (overBlocks == 1 ? "" : "s") + " released more often than handed out:");
        over.forEach((what, n) -> lines.add("  " + n + " x " + what));
        if (lines.size() > SHOWN) {
            int more = lines.size() - SHOWN;
            lines.subList(SHOWN, lines.size()).clear();
            lines.add("  ... and " + more + " more lines");
        }
        return String.join("\n", lines);
    }

    @Override public String toString() { return "leak-checking " + backend; }
}
