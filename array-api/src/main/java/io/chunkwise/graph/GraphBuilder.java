package io.chunkwise.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands the lazy node DAG into tasks for just the chunks asked for (culling): a node adds the tasks of one
 * output chunk and asks for its inputs' chunks through {@link #key}, which expands them on first use.
 */
public final class GraphBuilder {
    private final Map<ChunkKey, Task> tasks = new LinkedHashMap<>();
    private final Map<ChunkKey, ChunkKey> expanded = new LinkedHashMap<>();

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

    public ChunkKey add(ChunkKey key, List<ChunkKey> deps, TaskOp op) {
        tasks.putIfAbsent(key, new Task(key, List.copyOf(deps), op));
        return key;
    }

    public static TaskGraph build(Node root, List<int[]> chunks) {
        GraphBuilder b = new GraphBuilder();
        Map<List<Integer>, ChunkKey> outputs = new LinkedHashMap<>();
        for (int[] idx : chunks) {
            List<Integer> pos = new ArrayList<>();
            for (int i : idx) pos.add(i);
            outputs.put(pos, b.key(root, idx));
        }
        return new TaskGraph(b.tasks, outputs);
    }
}
