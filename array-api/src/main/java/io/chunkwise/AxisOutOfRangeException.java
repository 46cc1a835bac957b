package io.chunkwise;

/** An axis outside {@code [-ndim, ndim)}, or a repeated axis. */
public class AxisOutOfRangeException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the axes and the number of dimensions involved
     */
    public AxisOutOfRangeException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the axes and the number of dimensions involved
     * @param cause the failure underneath
     */
    public AxisOutOfRangeException(String message, Throwable cause) { super(message, cause); }
}
