package io.chunkwise;

/** An axis outside {@code [-ndim, ndim)}, or a repeated axis. */
public class AxisOutOfRangeException extends ChunkwiseException {
    public AxisOutOfRangeException(String message) { super(message); }

    public AxisOutOfRangeException(String message, Throwable cause) { super(message, cause); }
}
