package io.chunkwise.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.partition.PartitionAware;
import io.chunkwise.WireFormatException;
import io.chunkwise.graph.ChunkKey;

import java.io.IOException;

/**
 * A chunk's key in a chunk map: its {@link ChunkKey} and its partition key, an integer that Hazelcast hashes into the
 * partition the cluster's {@link Placement} gives the chunk's grid index (so aligned chunks of arrays combined
 * blockwise, and reduction partials of a chunk, share a partition and so a member). Made by {@link Placement#id}.
 */
public final class ChunkId implements IdentifiedDataSerializable, PartitionAware<Integer> {
    static final int MAX_NDIM = 64;
    private ChunkKey key;
    private int partitionKey;

    ChunkId() {}

    /** Chunk {@code key} in the partition of {@code partitionKey}; chunks of the library's maps take {@link Placement#id}'s. */
    public ChunkId(ChunkKey key, int partitionKey) {
        this.key = key;
        this.partitionKey = partitionKey;
    }

    public ChunkKey key() { return key; }

    @Override public Integer getPartitionKey() { return partitionKey; }

    @Override public int getFactoryId() { return ClusterSerialization.FACTORY_ID; }

    @Override public int getClassId() { return ClusterSerialization.CHUNK_ID; }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(key.layer());
        out.writeIntArray(key.index());
        out.writeInt(partitionKey);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        String layer = in.readString();
        int[] index = in.readIntArray();
        if (layer == null || index == null || index.length > MAX_NDIM) throw new WireFormatException("malformed chunk id");
        key = new ChunkKey(layer, index);
        partitionKey = in.readInt();
    }

    @Override public boolean equals(Object o) { return o instanceof ChunkId c && key.equals(c.key) && partitionKey == c.partitionKey; }

    @Override public int hashCode() { return key.hashCode() * 31 + partitionKey; }

    @Override public String toString() { return key.toString(); }
}
