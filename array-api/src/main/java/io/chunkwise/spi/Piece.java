package io.chunkwise.spi;

/**
 * One strided copy of an assemble call: {@code counts} elements per output axis, read from source block
 * {@code source} at {@code srcOffset + sum(i[a] * srcStrides[a])} and written at
 * {@code dstOffset + sum(i[a] * dstStrides[a])}. Strides are in elements; a source stride may be negative (reversed
 * slices) or 0 (broadcast). Slicing, transposition, rechunking, concatenation and reshaping are all pieces.
 */
public record Piece(int source, int srcOffset, int[] srcStrides, int dstOffset, int[] dstStrides, int[] counts) {
    public long elements() {
        long n = 1;
        for (int c : counts) n *= c;
        return n;
    }
}
