package io.chunkwise.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands the lazy node DAG into tasks for just the chunks asked for (culling): a node adds the tasks of one
 * output chunk and asks for its inputs' chunks through {@link #key}, which expands them on first use. Tasks are
 * numbered as they are added (inputs first), and each task's inputs are resolved to those numbers at once, so
 * the graph comes out flat (see {@link TaskGraph}).
 */
public final class GraphBuilder {
    private static final int[] NO_DEPS = {};
    private final Map<ChunkKey, ChunkKey> expanded = new HashMap<>();
    /** Open addressing: slot = position + 1 of the task with a key of that hash, 0 when free. */
    private int[] slots = new int[128];
    private Task[] tasks = new Task[64];
    private int[][] deps = new int[64][];
    private int size;

    /** The key holding chunk {@code index} of {@code node}, adding its tasks if not done yet. */
    public ChunkKey key(Node node, int[] index) {
        ChunkKey own = new ChunkKey(node.name(), index);
        ChunkKey k = expanded.get(own);
        if (k == null) {
            k = node.expand(index, this);
            expanded.put(own, k);
        }
        return k;
    }

    /** Adds a task unless one with {@code key} exists; every key in {@code deps} must have its task already. */
    public ChunkKey add(ChunkKey key, List<ChunkKey> deps, TaskOp op) {
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

    /** The graph of the chunks {@code chunks} (distinct chunk indices) of {@code root}. */
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
        return new TaskGraph(Arrays.copyOf(b.tasks, b.size), Arrays.copyOf(b.deps, b.size), outputIndex, outputTask);
    }
}
