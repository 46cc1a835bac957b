package io.chunkwise.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands the lazy node DAG into tasks for just the chunks asked for (culling): a node adds the tasks of one
 * output chunk and asks for its inputs' chunks through {@link #key}. Tasks are numbered as they are added (inputs
 * first), and each task's inputs are resolved to those numbers at once, so the graph comes out flat (see
 * {@link TaskGraph}).
 *
 * <p>Expansion never recurses along the graph's depth: the chunks still to expand wait on an explicit stack. A node
 * that asks for an input chunk not expanded yet gets a placeholder and adds no task reading it; once the missing
 * chunks are expanded, the node is expanded again (a chain costs two expansions per chunk, its first one cheap).
 * The finished graph is put in depth-first post-order from the outputs, whatever the order of expansion, so that
 * schedulers run each chunk's consumers soon after it.
 */
public final class GraphBuilder {
    private static final int[] NO_DEPS = {};
    /** What {@link #key} answers, during an expansion, for an input chunk not expanded yet. */
    private static final ChunkKey MISSING = new ChunkKey("(not expanded yet)", NO_DEPS);

    /** A chunk of a node to expand. */
    private record Pending(Node node, int[] index, ChunkKey own) {}

    private final Map<ChunkKey, ChunkKey> expanded = new HashMap<>();
    private final ArrayDeque<Pending> stack = new ArrayDeque<>();
    /** The input chunks the expansion under way asked for and found missing; null outside an expansion. */
    private List<Pending> missing;
    /** Open addressing: slot = position + 1 of the task with a key of that hash, 0 when free. */
    private int[] slots = new int[128];
    private Task[] tasks = new Task[64];
    private int[][] deps = new int[64][];
    private int size;
    /** The most tasks to add (explain's sample); beyond it {@link #add} throws {@link #LIMIT}. */
    private int limit = Integer.MAX_VALUE;
    private static final RuntimeException LIMIT = new RuntimeException("task limit reached", null, false, false) {};

    /** Small int arrays (chunk shapes, strides) shared by the tasks of a graph: a regular grid has few distinct ones. */
    private final Map<IntArray, int[]> interned = new HashMap<>();

    private record IntArray(int[] values) {
        @Override public boolean equals(Object o) { return o instanceof IntArray a && Arrays.equals(values, a.values); }

        @Override public int hashCode() { return Arrays.hashCode(values); }
    }

    /** {@code values} or an equal array given before: tasks keep shapes and strides without a copy each. Not to be modified. */
    public int[] intern(int[] values) {
        if (interned.size() > 1 << 16) return values;   // a ragged grid of many shapes: not worth a table
        return interned.computeIfAbsent(new IntArray(values), IntArray::values);
    }

    /** The key holding chunk {@code index} of {@code node}, adding its tasks (and its inputs') if not done yet. */
    public ChunkKey key(Node node, int[] index) {
        ChunkKey own = new ChunkKey(node.name(), index);
        ChunkKey k = expanded.get(own);
        if (k != null) return k;
        if (missing != null) {          // asked by a node being expanded: expand this first, then that node again
            missing.add(new Pending(node, index, own));
            return MISSING;
        }
        stack.push(new Pending(node, index, own));
        while (!stack.isEmpty()) {
            Pending p = stack.peek();
            if (expanded.containsKey(p.own())) {
                stack.pop();
                continue;
            }
            List<Pending> asked = new ArrayList<>(0);
            missing = asked;
            ChunkKey result;
            try {
                result = p.node().expand(p.index(), this);
            } finally {
                missing = null;
            }
            if (asked.isEmpty()) {
                expanded.put(p.own(), result);
                stack.pop();
            } else {
                for (int i = asked.size() - 1; i >= 0; i--) stack.push(asked.get(i));
            }
        }
        return expanded.get(own);
    }

    /**
     * Adds a task unless one with {@code key} exists; every key in {@code deps} must have its task already. During an
     * expansion that found an input missing, adds nothing: the expansion is done again once the input exists.
     */
    public ChunkKey add(ChunkKey key, List<ChunkKey> deps, TaskOp op) {
        if (missing != null && !missing.isEmpty()) return key;
        if (size >= limit) throw LIMIT;
        int slot = slot(key);
        if (slots[slot] != 0) return key;
        int[] d = deps.isEmpty() ? NO_DEPS : new int[deps.size()];
        for (int k = 0; k < d.length; k++) {
            int j = position(deps.get(k));
            if (j < 0) throw new IllegalStateException("task " + key + " reads " + deps.get(k) + ", which has no task yet");
            d[k] = j;
        }
        if (size == tasks.length) {
            tasks = Arrays.copyOf(tasks, size * 2);
            this.deps = Arrays.copyOf(this.deps, size * 2);
        }
        tasks[size] = new Task(key, List.copyOf(deps), op);
        this.deps[size] = d;
        slots[slot] = ++size;
        if (2 * size > slots.length) rehash();
        return key;
    }

    /** The position of the task with {@code key}, or -1. */
    private int position(ChunkKey key) {
        return slots[slot(key)] - 1;
    }

    /** The slot holding {@code key}'s task, or the free slot where it would go. */
    private int slot(ChunkKey key) {
        int mask = slots.length - 1;
        int i = spread(key.hashCode()) & mask;
        while (slots[i] != 0 && !tasks[slots[i] - 1].key().equals(key)) i = (i + 1) & mask;
        return i;
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void rehash() {
        int[] bigger = new int[slots.length * 2];
        int mask = bigger.length - 1;
        for (int p = 0; p < size; p++) {
            int i = spread(tasks[p].key().hashCode()) & mask;
            while (bigger[i] != 0) i = (i + 1) & mask;
            bigger[i] = p + 1;
        }
        slots = bigger;
    }

    /** The tasks planned for explain: all of a graph's ({@code complete}), or the first ones where it is huge. */
    public record Sample(List<Task> tasks, boolean complete) {}

    /** The tasks of the chunks {@code chunks} of {@code root} in the order they are added, stopping at {@code maxTasks}. */
    public static Sample sample(Node root, List<int[]> chunks, int maxTasks) {
        GraphBuilder b = new GraphBuilder();
        b.limit = maxTasks;
        boolean complete = true;
        try {
            for (int[] idx : chunks) b.key(root, idx);
        } catch (RuntimeException e) {
            if (e != LIMIT) throw e;
            complete = false;
        }
        return new Sample(List.of(Arrays.copyOf(b.tasks, b.size)), complete);
    }

    /** The graph of the chunks {@code chunks} (distinct chunk indices) of {@code root}, in depth-first post-order. */
    public static TaskGraph build(Node root, List<int[]> chunks) {
        GraphBuilder b = new GraphBuilder();
        int[][] outputIndex = new int[chunks.size()][];
        int[] outputTask = new int[chunks.size()];
        int o = 0;
        for (int[] idx : chunks) {
            outputIndex[o] = idx.clone();
            ChunkKey key = b.key(root, idx);
            int t = b.position(key);
            if (t < 0) throw new IllegalStateException("chunk " + Arrays.toString(idx) + " of " + root.name() + " is " + key + ", which has no task");
            outputTask[o++] = t;
        }
        return b.postOrder(outputIndex, outputTask);
    }

    /**
     * The tasks renumbered in depth-first post-order from the outputs (each task's inputs in the order it reads them),
     * with an explicit stack; tasks no output needs are dropped.
     */
    private TaskGraph postOrder(int[][] outputIndex, int[] outputTask) {
        int[] newPos = new int[size];
        Arrays.fill(newPos, -1);
        int[] order = new int[size];
        int n = 0;
        int[] taskStack = new int[16], nextDep = new int[16];
        for (int root : outputTask) {
            if (newPos[root] >= 0) continue;
            int sp = 0;
            taskStack[0] = root;
            nextDep[0] = 0;
            newPos[root] = -2;                              // on the stack
            while (sp >= 0) {
                int t = taskStack[sp];
                int[] d = deps[t];
                if (nextDep[sp] < d.length) {
                    int u = d[nextDep[sp]++];
                    if (newPos[u] != -1) continue;          // done, or on the stack (a task read twice)
                    if (++sp == taskStack.length) {
                        taskStack = Arrays.copyOf(taskStack, sp * 2);
                        nextDep = Arrays.copyOf(nextDep, sp * 2);
                    }
                    taskStack[sp] = u;
                    nextDep[sp] = 0;
                    newPos[u] = -2;
                } else {
                    newPos[t] = n;
                    order[n++] = t;
                    sp--;
                }
            }
        }
        Task[] outTasks = new Task[n];
        int[][] outDeps = new int[n][];
        for (int i = 0; i < n; i++) {
            int t = order[i];
            outTasks[i] = tasks[t];
            int[] d = deps[t];
            int[] m = d.length == 0 ? NO_DEPS : new int[d.length];
            for (int k = 0; k < d.length; k++) m[k] = newPos[d[k]];
            outDeps[i] = m;
        }
        int[] outs = new int[outputTask.length];
        for (int i = 0; i < outs.length; i++) outs[i] = newPos[outputTask[i]];
        return new TaskGraph(outTasks, outDeps, outputIndex, outs);
    }
}
