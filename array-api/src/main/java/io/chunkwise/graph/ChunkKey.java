package io.chunkwise.graph;

import java.util.Arrays;

/**
 * The name of one task's result: a layer name and a chunk index (plus tree coordinates for reduction partials).
 * {@link #placement()} depends on the chunk grid index only, so a distributed store can keep together the chunks
 * that are combined blockwise: aligned chunks of the inputs and output of an elementwise op, and a reduction's
 * partial of a chunk (whose index is the input chunk's).
 */
public record ChunkKey(String layer, int[] index) {
    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkKey k && layer.equals(k.layer) && Arrays.equals(index, k.index);
    }

    @Override
    public int hashCode() { return layer.hashCode() * 31 + Arrays.hashCode(index); }

    /**
     * A well-mixed hash of the chunk index alone, the same on every JVM: a distributed store picks the chunk's place
     * with it (the cluster, among the partitions of the member the index falls to).
     */
    public int placement() {
        long h = 0x9E3779B97F4A7C15L;
        for (int i : index) {
            h = (h ^ i) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("('").append(layer).append('\'');
        for (int i : index) b.append(", ").append(i);
        return b.append(')').toString();
    }
}
