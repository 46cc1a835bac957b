package io.chunkwise.scheduler;

import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;

/** Runs a task graph: locally here, or on cluster members (module cluster). */
public interface Scheduler extends AutoCloseable {
    /** Receives each output block once, on any thread. */
    interface Sink {
        /** @return whether the sink keeps the block (then it is not released). */
        boolean accept(ChunkKey key, Block block);
    }

    /**
     * Runs every task of {@code graph}, reporting progress to {@code listener}; throws the first failure after the
     * running tasks have stopped.
     */
    void run(TaskGraph graph, Backend backend, Sink sink, io.chunkwise.ComputeListener listener);

    @Override
    void close();
}
