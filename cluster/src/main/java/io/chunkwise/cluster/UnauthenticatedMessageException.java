package io.chunkwise.cluster;

import io.chunkwise.ChunkwiseException;

/**
 * A task batch or batch report refused before its body was decoded: no or a wrong HMAC, another member's message, a
 * replayed sequence number, or an issue time too far from this clock. The message names the sender and job only.
 */
public class UnauthenticatedMessageException extends ChunkwiseException {
    public UnauthenticatedMessageException(String message) { super(message); }
}
