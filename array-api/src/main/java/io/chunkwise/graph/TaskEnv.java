package io.chunkwise.graph;

import io.chunkwise.BlockFunction;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;

/**
 * What the side that runs a task resolves by name: tasks are plain data, so a chunk of a user's array, a persisted
 * chunk, a file and a user function travel as keys, descriptors and registered names, never as objects. The
 * context provides one for local runs; a cluster member provides its own.
 */
public interface TaskEnv {
    /** The chunk of a user's array scattered under {@code key}, as a new block of {@code backend}. */
    Block scattered(ChunkKey key, Backend backend);

    /** The chunk persisted under {@code key}; the store keeps owning it. */
    Block persisted(ChunkKey key);

    /** The values a file read describes, from the reader registered for its format. */
    HostBlock read(TaskOp.Read read);

    /**
     * Writes {@code chunk} where {@code write} says, into the file a writer prepared for it; returns the bytes written.
     * Throws {@link io.chunkwise.FileNotSharedException} where this side does not see the file the driver prepared.
     */
    default long write(TaskOp.Write write, HostBlock chunk) {
        throw new io.chunkwise.ChunkwiseException("this environment writes no files, not " + write.path());
    }

    /** The block function registered under {@code name}, or the class of that name implementing {@link BlockFunction}. */
    BlockFunction function(String name);

    /** Resolves nothing: for graphs of generated values only (tests and benchmarks of the scheduler). */
    TaskEnv EMPTY = new TaskEnv() {
        private io.chunkwise.ChunkwiseException none(Object what) {
            return new io.chunkwise.ChunkwiseException("this graph's environment resolves nothing, not " + what);
        }

        @Override public Block scattered(ChunkKey key, Backend backend) { throw none(key); }

        @Override public Block persisted(ChunkKey key) { throw none(key); }

        @Override public HostBlock read(TaskOp.Read read) { throw none(read.path()); }

        @Override public BlockFunction function(String name) { throw none(name); }
    };
}
