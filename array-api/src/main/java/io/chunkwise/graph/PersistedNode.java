package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;
import io.chunkwise.InvalidArgumentException;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chunks kept in the chunk store by {@code persist()}, under this node's keys: the node holds no block, only the
 * name (a random id) under which the store holds them.
 */
public final class PersistedNode extends Node {
    private static final String KIND = "persisted";

    /** Set by {@code unpersist()}: the store holds the chunks no more, and no graph may read them. */
    private final AtomicBoolean released = new AtomicBoolean();

    public PersistedNode(DType dtype, Chunks chunks) {
        super(KIND, d -> d.add(Names.randomId()), dtype, chunks, List.of());
    }

    /** Marks the chunks released; true the first time only. */
    public boolean release() { return released.compareAndSet(false, true); }

    /** Whether {@code key} names a persisted chunk (its layer is a persisted node's: names are {@code kind-token}). */
    public static boolean holds(ChunkKey key) { return key.layer().startsWith(KIND + "-"); }

    /** The key under which the store holds chunk {@code index}. */
    public ChunkKey key(int[] index) { return ownKey(index); }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        if (released.get()) {
            throw new InvalidArgumentException("an array released by unpersist() was used: its chunks are gone; persist() "
                    + "the expression it came from again");
        }
        ChunkKey key = ownKey(index);
        return b.add(key, List.of(), new TaskOp.Persisted(key, dtype(), chunks().chunkShape(index)));
    }

    @Override public Node withInputs(List<Node> inputs) { return this; }

    @Override public String describe() { return "persisted chunks"; }
}
