package io.chunkwise.cluster;

import java.util.UUID;

/**
 * A member as {@code chunkwise info --connect} lists it: where it listens, what it advertises
 * ({@link MemberAttributes}) and the chunks it holds (its answer to a signed status request).
 *
 * @param address    {@code host:port}
 * @param uuid       the member's UUID
 * @param attributes threads, memory budget, backends and GPUs
 * @param chunks     chunks held (in its local stores and its partitions of chunk maps)
 * @param chunkBytes their bytes
 */
public record MemberInfo(String address, UUID uuid, MemberAttributes attributes, long chunks, long chunkBytes) {
    @Override
    public String toString() {
        return address + ": " + attributes + ", chunks " + chunks + " (" + MemberAttributes.formatBytes(chunkBytes) + ")";
    }
}
