package io.chunkwise.spi;

import io.chunkwise.DType;

/**
 * A reduction partial: one or more blocks of the same shape (the reduced axes kept with length 1), for example
 * (count, mean, M2) for variance or (value, index) for argmax. The layout of the parts belongs to the backend.
 */
public record Partial(Block... parts) implements Block {
    @Override public DType dtype() { return parts[0].dtype(); }

    @Override public int[] shape() { return parts[0].shape(); }

    @Override
    public long bytes() {
        long b = 0;
        for (Block p : parts) b += p.bytes();
        return b;
    }
}
