package io.chunkwise.graph;

import java.util.Arrays;

/** The name of one task's result: a layer name and a chunk index (plus tree coordinates for reduction partials). */
public record ChunkKey(String layer, int[] index) {
    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkKey k && layer.equals(k.layer) && Arrays.equals(index, k.index);
    }

    @Override
    public int hashCode() { return layer.hashCode() * 31 + Arrays.hashCode(index); }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("('").append(layer).append('\'');
        for (int i : index) b.append(", ").append(i);
        return b.append(')').toString();
    }
}
