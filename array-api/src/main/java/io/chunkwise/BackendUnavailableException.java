package io.chunkwise;

/** A backend that was asked for but cannot be used here; the message says why. */
public class BackendUnavailableException extends ChunkwiseException {
    public BackendUnavailableException(String message) { super(message); }

    public BackendUnavailableException(String message, Throwable cause) { super(message, cause); }
}
