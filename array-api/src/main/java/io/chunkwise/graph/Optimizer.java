package io.chunkwise.graph;

import io.chunkwise.Shapes;
import io.chunkwise.spi.Expr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the lazy DAG before it is expanded: every elementwise node inlines the elementwise inputs of its own
 * shape, so a chain like {@code exp(x*x + 10)} (and the random or constant source feeding it) becomes one kernel
 * per chunk that passes over memory once. Culling needs no pass of its own: expansion is demand-driven.
 */
public final class Optimizer {
    private final Map<Node, Node> done = new IdentityHashMap<>();
    private final MatmulTiling tiling;
    /** How many nodes of the original DAG read each node (the root counts as read once, by the caller). */
    private final Map<Node, Integer> readers = new IdentityHashMap<>();

    private Optimizer(MatmulTiling tiling) { this.tiling = tiling; }

    /** {@code root}'s DAG fused, its matrix products computed chunk by chunk. */
    public static Node optimize(Node root) { return optimize(root, MatmulTiling.NEVER); }

    /** {@code root}'s DAG fused, and its matrix products tiled as {@code tiling} (the running backend's) says. */
    public static Node optimize(Node root, MatmulTiling tiling) {
        Optimizer o = new Optimizer(tiling);
        o.readers.put(root, 1);
        o.countReaders(root, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        return o.fuse(root);
    }

    /**
     * The root of a graph whose result is gathered into one dense array, where its chunking does not matter: without
     * its trailing rechunks (e.g. the split of a tiled matrix product back into the chunks asked for).
     */
    public static Node gathered(Node root) {
        while (root instanceof ViewNode v && v.isRechunk()) root = v.inputs().get(0);
        return root;
    }

    private void countReaders(Node n, java.util.Set<Node> seen) {
        if (!seen.add(n)) return;
        for (Node in : n.inputs()) {
            readers.merge(in, 1, Integer::sum);
            countReaders(in, seen);
        }
    }

    private Node fuse(Node n) {
        Node cached = done.get(n);
        if (cached != null) return cached;
        List<Node> ins = new ArrayList<>();
        for (Node in : n.inputs()) ins.add(fuse(in));
        Node out;
        if (n instanceof ElementwiseNode e) {
            List<Node> newInputs = new ArrayList<>();
            Expr expr = inline(e.expr(), ins, newInputs, e);
            out = new ElementwiseNode(expr, e.chunks(), newInputs);
        } else {
            out = ins.equals(n.inputs()) ? n : n.withInputs(ins);
            if (out instanceof MatmulNode m) out = m.tiled(tiling);
            // a reduction of an elementwise array that nothing else reads computes each chunk inside its partial
            if (out instanceof ReduceNode r && !r.fused() && ins.get(0) instanceof ElementwiseNode e
                    && readers.getOrDefault(n.inputs().get(0), 0) == 1) {
                out = r.fusedWith(e);
            }
        }
        done.put(n, out);
        return out;
    }

    /** {@code expr} over {@code ins}, with same-shaped elementwise inputs inlined, reading {@code newInputs}. */
    private static Expr inline(Expr expr, List<Node> ins, List<Node> newInputs, Node consumer) {
        return switch (expr) {
            case Expr.Input i -> {
                Node in = ins.get(i.index());
                if (in instanceof ElementwiseNode child && Arrays.equals(child.shape(), consumer.shape())
                        && child.chunks().equals(consumer.chunks())) {
                    yield inline(child.expr(), child.inputs(), newInputs, consumer);
                }
                yield new Expr.Input(indexOf(newInputs, in), i.dtype());
            }
            case Expr.Unary u -> new Expr.Unary(u.op(), inline(u.x(), ins, newInputs, consumer), u.dtype());
            case Expr.Binary b -> new Expr.Binary(b.op(), inline(b.a(), ins, newInputs, consumer),
                    inline(b.b(), ins, newInputs, consumer), b.dtype());
            case Expr.Where w -> new Expr.Where(inline(w.cond(), ins, newInputs, consumer),
                    inline(w.a(), ins, newInputs, consumer), inline(w.b(), ins, newInputs, consumer), w.dtype());
            case Expr.Cast c -> new Expr.Cast(inline(c.x(), ins, newInputs, consumer), c.dtype());
            case Expr.Const c -> c;
            case Expr.Arange r -> r;
            case Expr.Random r -> r;
        };
    }

    private static int indexOf(List<Node> inputs, Node n) {
        for (int i = 0; i < inputs.size(); i++) if (inputs.get(i).name().equals(n.name())) return i;
        inputs.add(n);
        return inputs.size() - 1;
    }

    /** A readable listing of the optimized graph: layers with their task counts, then the first tasks as data. */
    public static String explain(Node root, TaskGraph graph) {
        StringBuilder b = new StringBuilder();
        b.append(root.dtype().numpyName()).append(' ').append(Shapes.str(root.shape())).append(", chunks ")
                .append(root.chunks()).append(", ").append(graph.size()).append(" tasks after culling and fusion\n");
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        layers(root, graph, b, seen, 1);
        b.append("tasks (key -> op <- inputs):\n");
        int shown = 0;
        for (Task t : graph.tasks().values()) {
            if (shown++ == 12) {
                b.append("  ... ").append(graph.size() - 12).append(" more\n");
                break;
            }
            b.append("  ").append(t).append('\n');
        }
        return b.toString();
    }

    private static void layers(Node n, TaskGraph graph, StringBuilder b, Map<Node, Boolean> seen, int depth) {
        if (seen.put(n, Boolean.TRUE) != null) return;
        long count = graph.tasks().keySet().stream().filter(k -> k.layer().equals(n.name()) || k.layer().startsWith(n.name() + "-")).count();
        b.append("  ".repeat(depth)).append(n.name()).append(": ").append(n.describe()).append(" -> ")
                .append(n.dtype().numpyName()).append(Shapes.str(n.shape())).append(", ").append(count).append(" tasks\n");
        for (Node in : n.inputs()) layers(in, graph, b, seen, depth + 1);
    }
}
