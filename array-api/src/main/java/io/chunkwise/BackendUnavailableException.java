package io.chunkwise;

/** A backend that was asked for but cannot be used here; the message says why. */
public class BackendUnavailableException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message which backend, and why it cannot be used
     */
    public BackendUnavailableException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message which backend, and why it cannot be used
     * @param cause the failure underneath
     */
    public BackendUnavailableException(String message, Throwable cause) { super(message, cause); }
}
