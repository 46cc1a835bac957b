package io.chunkwise.graph;

import java.util.List;

/** One node of a task graph: the key it produces, the keys it reads (in order), and what it does. */
public record Task(ChunkKey key, List<ChunkKey> deps, TaskOp op) {
    @Override
    public String toString() {
        return key + " -> " + op.describe() + (deps.isEmpty() ? "" : " <- " + deps);
    }
}
