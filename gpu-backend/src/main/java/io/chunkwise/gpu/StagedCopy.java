package io.chunkwise.gpu;

import io.chunkwise.spi.HostBlock;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Copies between a block's Java array and a pinned staging buffer (seen as a direct buffer of the device's byte order). */
final class StagedCopy {
    private StagedCopy() {}

    /** {@code block}'s values into {@code staging}, from its start. */
    static void fill(ByteBuffer staging, HostBlock block) {
        ByteBuffer b = staging.order(ByteOrder.nativeOrder());
        switch (block.data()) {
            case double[] a -> b.asDoubleBuffer().put(a);
            case float[] a -> b.asFloatBuffer().put(a);
            case long[] a -> b.asLongBuffer().put(a);
            case int[] a -> b.asIntBuffer().put(a);
            case byte[] a -> b.duplicate().put(a);
            default -> throw new IllegalArgumentException("not a block array: " + block.data().getClass());
        }
    }

    /** {@code staging}'s first values into {@code block}. */
    static void drain(ByteBuffer staging, HostBlock block) {
        ByteBuffer b = staging.order(ByteOrder.nativeOrder());
        switch (block.data()) {
            case double[] a -> b.asDoubleBuffer().get(a);
            case float[] a -> b.asFloatBuffer().get(a);
            case long[] a -> b.asLongBuffer().get(a);
            case int[] a -> b.asIntBuffer().get(a);
            case byte[] a -> b.duplicate().get(a);
            default -> throw new IllegalArgumentException("not a block array: " + block.data().getClass());
        }
    }
}
