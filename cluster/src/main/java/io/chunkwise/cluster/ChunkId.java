package io.chunkwise.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.partition.PartitionAware;
import io.chunkwise.WireFormatException;
import io.chunkwise.graph.ChunkKey;

import java.io.IOException;

/**
 * A chunk's key in a job map: its {@link ChunkKey}. The partition key is {@link ChunkKey#placement()} (the chunk
 * grid index only), so aligned chunks of arrays combined blockwise, and reduction partials of a chunk, share a
 * partition and so a member.
 */
public final class ChunkId implements IdentifiedDataSerializable, PartitionAware<Integer> {
    static final int MAX_NDIM = 64;
    private ChunkKey key;

    ChunkId() {}

    public ChunkId(ChunkKey key) { this.key = key; }

    public ChunkKey key() { return key; }

    @Override public Integer getPartitionKey() { return key.placement(); }

    @Override public int getFactoryId() { return ClusterSerialization.FACTORY_ID; }

    @Override public int getClassId() { return ClusterSerialization.CHUNK_ID; }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(key.layer());
        out.writeIntArray(key.index());
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        String layer = in.readString();
        int[] index = in.readIntArray();
        if (layer == null || index == null || index.length > MAX_NDIM) throw new WireFormatException("malformed chunk id");
        key = new ChunkKey(layer, index);
    }

    @Override public boolean equals(Object o) { return o instanceof ChunkId c && key.equals(c.key); }

    @Override public int hashCode() { return key.hashCode(); }

    @Override public String toString() { return key.toString(); }
}
