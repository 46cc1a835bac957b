package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.List;

/**
 * Chunks kept in the chunk store by {@code persist()}, under this node's keys: the node holds no block, only the
 * name (a random id) under which the store holds them.
 */
public final class PersistedNode extends Node {
    private static final String KIND = "persisted";

    public PersistedNode(DType dtype, Chunks chunks) {
        super(KIND, d -> d.add(Names.randomId()), dtype, chunks, List.of());
    }

    /** Whether {@code key} names a persisted chunk (its layer is a persisted node's: names are {@code kind-token}). */
    public static boolean holds(ChunkKey key) { return key.layer().startsWith(KIND + "-"); }

    /** The key under which the store holds chunk {@code index}. */
    public ChunkKey key(int[] index) { return ownKey(index); }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        ChunkKey key = ownKey(index);
        return b.add(key, List.of(), new TaskOp.Persisted(key, dtype(), chunks().chunkShape(index)));
    }

    @Override public Node withInputs(List<Node> inputs) { return this; }

    @Override public String describe() { return "persisted chunks"; }
}
