package io.chunkwise.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task graph as plain data: key -> task, in an order where every task comes after the tasks it reads (a
 * depth-first post-order from the outputs, which schedulers use as priority so that partials are combined and
 * freed early). {@code outputs} maps each requested chunk index of the result to the key that holds it.
 */
public record TaskGraph(Map<ChunkKey, Task> tasks, Map<List<Integer>, ChunkKey> outputs) {
    public TaskGraph {
        tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    public int size() { return tasks.size(); }
}
