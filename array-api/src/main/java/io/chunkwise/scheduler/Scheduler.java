package io.chunkwise.scheduler;

import io.chunkwise.BackendKind;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;

/**
 * Runs a task graph: locally here, or on cluster members (module cluster). It is given what a remote member can use:
 * the graph (plain data, see {@link io.chunkwise.graph.TaskCodec}), the kind of backend to run it on, and the
 * environment that resolves the graph's stored chunks, files and functions; the scheduler owns its backends.
 */
public interface Scheduler extends AutoCloseable {
    /** Receives each output block once, on any thread. */
    interface Sink {
        /** @return whether the sink keeps the block (then it is not released). */
        boolean accept(ChunkKey key, Block block);

        /**
         * Where output {@code key} may be written in place, or null (the default): a scheduler may then write the
         * key's output straight into the target, with no block of its own, and not call {@link #accept} for it (the
         * local scheduler runs the tasks that can, {@link io.chunkwise.graph.TaskOp.WritesInto}: elementwise and
         * matmul, into it; a cluster decodes an output that a member returns into it). A sink offers a target only
         * for a key that no other task reads. Asked once per output key before the tasks run.
         */
        default Target target(ChunkKey key) { return null; }
    }

    /** A chunk's place in a host array: position {@code p} of the chunk (of {@code shape}) at {@code offset + p . strides}. */
    record Target(HostBlock array, int offset, int[] strides, int[] shape) {}

    /**
     * Runs every task of {@code graph} on a backend of {@code kind}, reporting progress to {@code listener}; throws
     * the first failure after the running tasks have stopped. An interrupt of the calling thread cancels the run
     * ({@link io.chunkwise.ComputationCancelledException}, once its chunks are released; the thread stays interrupted).
     */
    void run(TaskGraph graph, BackendKind kind, TaskEnv env, Sink sink, io.chunkwise.ComputeListener listener);

    /**
     * Whether this scheduler keeps persisted chunks in a store of its own ({@link #persist}): a cluster keeps them on
     * its members, with a backup; else (the default) the context keeps them.
     */
    default boolean keepsPersisted() { return false; }

    /**
     * Runs {@code graph} as {@link #run} does, but keeps each output chunk in this scheduler's own store, under the
     * keys {@code storedKeys} gives its output key (one per position the output fills), until the scheduler closes;
     * the sink is not called. A run that fails keeps none of them. Only where {@link #keepsPersisted()}.
     */
    default void persist(TaskGraph graph, BackendKind kind, TaskEnv env, java.util.Map<ChunkKey, java.util.List<ChunkKey>> storedKeys,
                         io.chunkwise.ComputeListener listener) {
        throw new UnsupportedOperationException("this scheduler keeps no persisted chunks of its own");
    }

    /**
     * Deletes the chunks {@link #persist} keeps under {@code storedKeys} (and their backups); a computation under way
     * that reads them may fail. Only where {@link #keepsPersisted()}.
     */
    default void unpersist(java.util.Collection<ChunkKey> storedKeys) {
        throw new UnsupportedOperationException("this scheduler keeps no persisted chunks of its own");
    }

    /** Tasks that run at once. */
    int threads();

    /** Bytes of chunks held at once by all the computations under way together. */
    long memoryBudget();

    /** The GEMM edge at which the backends of {@code kind} that will run the tasks reach full rate (0: any size). */
    int gemmTile(BackendKind kind);

    /**
     * Cancels the computations under way ({@link io.chunkwise.ComputationCancelledException}: the context was closed
     * while computing), waits for their running tasks to return and their chunks to be released, and stops.
     */
    /**
     * Throws where the calling thread runs one of this scheduler's tasks (a {@code mapBlocks} function or a listener
     * closing its own context): closing waits for the running tasks, so it would wait for itself.
     */
    default void checkClosableHere() {}

    @Override
    void close();
}
