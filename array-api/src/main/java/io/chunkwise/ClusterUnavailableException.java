package io.chunkwise;

/** A cluster that was asked for but cannot be used (module missing, members unreachable). */
public class ClusterUnavailableException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message which cluster, and why it cannot be used
     */
    public ClusterUnavailableException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message which cluster, and why it cannot be used
     * @param cause the failure underneath
     */
    public ClusterUnavailableException(String message, Throwable cause) { super(message, cause); }
}
