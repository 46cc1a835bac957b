package io.chunkwise.spi;

import io.chunkwise.DType;

/**
 * One chunk's values as a backend holds them: on the host ({@link HostBlock}), on a device, or a reduction partial
 * ({@link Partial}). The scheduler only moves blocks between tasks and counts their bytes.
 */
public interface Block {
    DType dtype();

    int[] shape();

    /** Bytes this block occupies, for the memory budget. */
    long bytes();
}
