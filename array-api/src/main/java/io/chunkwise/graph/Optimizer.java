package io.chunkwise.graph;

import io.chunkwise.Shapes;
import io.chunkwise.spi.Expr;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the lazy DAG before it is expanded: every elementwise node inlines the elementwise inputs of its own
 * shape, so a chain like {@code exp(x*x + 10)} (and the random or constant source feeding it) becomes one kernel
 * per chunk that passes over memory once. A kernel holds at most {@link #MAX_FUSED_OPS} operations: beyond that
 * its input is computed as chunks of its own (so a loop of 10,000 lazy steps runs as kernels of a few dozen).
 * Culling needs no pass of its own: expansion is demand-driven. Nothing here recurses along the graph's depth.
 */
public final class Optimizer {
    /** The most operations one fused kernel evaluates per element. */
    public static final int MAX_FUSED_OPS = 64;
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
        List<Node> order = inputsFirst(root);
        o.readers.put(root, 1);
        for (Node n : order) for (Node in : n.inputs()) o.readers.merge(in, 1, Integer::sum);
        for (Node n : order) o.done.put(n, o.fuse(n));
        return o.done.get(root);
    }

    /** Every node of {@code root}'s DAG once, each after its inputs (an explicit-stack post-order). */
    static List<Node> inputsFirst(Node root) {
        List<Node> order = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> nodes = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        nodes.push(root);
        next.push(0);
        seen.add(root);
        while (!nodes.isEmpty()) {
            Node n = nodes.peek();
            int i = next.pop();
            if (i < n.inputs().size()) {
                next.push(i + 1);
                Node in = n.inputs().get(i);
                if (seen.add(in)) {
                    nodes.push(in);
                    next.push(0);
                }
            } else {
                nodes.pop();
                order.add(n);
            }
        }
        return order;
    }

    /**
     * The root of a graph whose result is gathered into one dense array, where its chunking does not matter: without
     * its trailing rechunks (e.g. the split of a tiled matrix product back into the chunks asked for).
     */
    public static Node gathered(Node root) {
        while (root instanceof ViewNode v && v.isRechunk()) root = v.inputs().get(0);
        return root;
    }

    /** {@code n} rewritten over its inputs' rewrites (all done already). */
    private Node fuse(Node n) {
        List<Node> ins = new ArrayList<>(n.inputs().size());
        for (Node in : n.inputs()) ins.add(done.get(in));
        if (n instanceof ElementwiseNode e) {
            List<Node> newInputs = new ArrayList<>();
            Expr expr = inline(e.expr(), ins, newInputs, e);
            if (Expr.opCount(expr) > MAX_FUSED_OPS) {   // too big for one kernel: its inputs are computed on their own
                newInputs.clear();
                expr = inline(e.expr(), ins, newInputs, null);
            }
            return new ElementwiseNode(expr, e.chunks(), newInputs);
        }
        Node out = ins.equals(n.inputs()) ? n : n.withInputs(ins);
        if (out instanceof MatmulNode m) out = m.tiled(tiling);
        // a reduction of an elementwise array that nothing else reads computes each chunk inside its partial
        if (out instanceof ReduceNode r && !r.fused() && ins.get(0) instanceof ElementwiseNode e
                && readers.getOrDefault(n.inputs().get(0), 0) == 1) {
            out = r.fusedWith(e);
        }
        return out;
    }

    /**
     * {@code expr} over {@code ins}, with same-shaped elementwise inputs inlined (none where {@code consumer} is null),
     * reading {@code newInputs}. Recurses along the expression only, whose size the caller bounds.
     */
    private static Expr inline(Expr expr, List<Node> ins, List<Node> newInputs, Node consumer) {
        return switch (expr) {
            case Expr.Input i -> {
                Node in = ins.get(i.index());
                if (consumer != null && in instanceof ElementwiseNode child && Arrays.equals(child.shape(), consumer.shape())
                        && child.chunks().equals(consumer.chunks())) {
                    // the child is fused already: its elementwise inputs stay inputs (too big, or of another grid)
                    yield inline(child.expr(), child.inputs(), newInputs, null);
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

    /** Layers listed by {@link #explain}, at most; and the deepest indentation. */
    private static final int MAX_LAYERS = 40, MAX_INDENT = 12;

    /**
     * A readable listing of the optimized graph: layers with their task counts, then the first tasks as data. Its size
     * is bounded: at most {@value #MAX_LAYERS} layers and 12 tasks, each line bounded by the ops' descriptions. The
     * counts are of {@code sample}'s tasks: exact where it is complete, else of the first tasks planned.
     */
    public static String explain(Node root, GraphBuilder.Sample sample) {
        List<Task> tasks = sample.tasks();
        StringBuilder b = new StringBuilder();
        b.append(root.dtype().numpyName()).append(' ').append(Shapes.str(root.shape())).append(", chunks ")
                .append(root.chunks()).append(", ");
        if (sample.complete()) b.append(tasks.size()).append(" tasks after culling and fusion\n");
        else b.append("more than ").append(tasks.size()).append(" tasks after culling and fusion (planning stopped there;"
                + " the counts below are of those)\n");
        Map<String, Long> perLayer = new HashMap<>();
        for (Task t : tasks) perLayer.merge(t.key().layer(), 1L, Long::sum);
        // depth-first from the root, with an explicit stack; a layer shown once
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> nodes = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        nodes.push(root);
        depths.push(1);
        int shownLayers = 0;
        while (!nodes.isEmpty()) {
            Node n = nodes.pop();
            int depth = depths.pop();
            if (!seen.add(n)) continue;
            if (shownLayers++ == MAX_LAYERS) {
                b.append("  ... more layers\n");
                break;
            }
            long count = 0;
            for (Map.Entry<String, Long> e : perLayer.entrySet()) {
                String l = e.getKey();
                if (l.equals(n.name()) || (l.startsWith(n.name()) && l.charAt(n.name().length()) == '-')) count += e.getValue();
            }
            b.append("  ".repeat(Math.min(depth, MAX_INDENT))).append(n.name()).append(": ").append(n.describe()).append(" -> ")
                    .append(n.dtype().numpyName()).append(Shapes.str(n.shape())).append(", ").append(count).append(" tasks\n");
            for (int i = n.inputs().size() - 1; i >= 0; i--) {
                nodes.push(n.inputs().get(i));
                depths.push(depth + 1);
            }
        }
        b.append("tasks (key -> op <- inputs):\n");
        for (int i = 0; i < tasks.size(); i++) {
            if (i == 12) {
                b.append("  ... ").append(tasks.size() - 12).append(" more").append(sample.complete() ? "" : " planned").append('\n');
                break;
            }
            b.append("  ").append(tasks.get(i)).append('\n');
        }
        return b.toString();
    }
}
