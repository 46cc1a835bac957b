package io.chunkwise.cluster;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.graph.ChunkKey;

/**
 * A task's input chunk is not in the job's chunk store: the member that held it left. The driver makes the chunk
 * again from the graph (lineage) and runs the task again; a user sees it only when that keeps failing.
 */
public final class MissingChunkException extends ChunkwiseException {
    MissingChunkException(ChunkKey key) { super("input chunk " + key + " is missing from the job's chunk store"); }

    /**
     * As reported by a member (exceptions travel by class name and message).
     *
     * @param message the member's message
     */
    public MissingChunkException(String message) { super(message); }
}
