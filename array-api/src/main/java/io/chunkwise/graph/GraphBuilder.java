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
    private final Map<ChunkKey, ChunkKey> expanded = new HashMap<>();
    private final Map<ChunkKey, Integer> position = new HashMap<>();
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
        if (position.putIfAbsent(key, size) != null) return key;
        int[] d = new int[deps.size()];
        for (int k = 0; k < d.length; k++) {
            Integer j = position.get(deps.get(k));
            if (j == null) {
                position.remove(key);
                throw new IllegalStateException("task " + key + " reads " + deps.get(k) + ", which has no task yet");
            }
            d[k] = j;
        }
        if (size == tasks.length) {
            tasks = Arrays.copyOf(tasks, size * 2);
            this.deps = Arrays.copyOf(this.deps, size * 2);
        }
        tasks[size] = new Task(key, List.copyOf(deps), op);
        this.deps[size++] = d;
        return key;
    }

    /** The graph of the chunks {@code chunks} (distinct chunk indices) of {@code root}. */
    public static TaskGraph build(Node root, List<int[]> chunks) {
        GraphBuilder b = new GraphBuilder();
        int[][] outputIndex = new int[chunks.size()][];
        int[] outputTask = new int[chunks.size()];
        int o = 0;
        for (int[] idx : chunks) {
            outputIndex[o] = idx.clone();
            outputTask[o++] = b.position.get(b.key(root, idx));
        }
        return new TaskGraph(Arrays.copyOf(b.tasks, b.size), Arrays.copyOf(b.deps, b.size), outputIndex, outputTask);
    }
}
