package io.chunkwise.scheduler;

import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;

/** Runs a task graph: locally here, or on cluster members (module cluster). */
public interface Scheduler extends AutoCloseable {
    /** Receives each output block once, on any thread. */
    interface Sink {
        /** @return whether the sink keeps the block (then it is not released). */
        boolean accept(ChunkKey key, Block block);

        /**
         * Where output {@code key} may be written in place, or null (the default): a scheduler may then run the
         * key's task straight into the target when it can ({@link io.chunkwise.graph.TaskOp.WritesInto}: elementwise
         * and matmul), with no block of its own, and not call {@link #accept} for it. A sink offers a target only for a key that no other
         * task reads. Asked once per output key before the tasks run.
         */
        default Target target(ChunkKey key) { return null; }
    }

    /** A chunk's place in a host array: position {@code p} of the chunk at {@code offset + p . strides}. */
    record Target(HostBlock array, int offset, int[] strides) {}

    /**
     * Runs every task of {@code graph}, reporting progress to {@code listener}; throws the first failure after the
     * running tasks have stopped.
     */
    void run(TaskGraph graph, Backend backend, Sink sink, io.chunkwise.ComputeListener listener);

    @Override
    void close();
}
