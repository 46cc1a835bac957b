package io.chunkwise;

/** A cluster that was asked for but cannot be used (module missing, members unreachable). */
public class ClusterUnavailableException extends ChunkwiseException {
    public ClusterUnavailableException(String message) { super(message); }

    public ClusterUnavailableException(String message, Throwable cause) { super(message, cause); }
}
