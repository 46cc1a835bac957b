package io.chunkwise;

/** A file that is not ours, truncated or corrupt; the message names the file and what is wrong with it. */
public class FileFormatException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the file, and what is wrong with it
     */
    public FileFormatException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the file, and what is wrong with it
     * @param cause the failure underneath
     */
    public FileFormatException(String message, Throwable cause) { super(message, cause); }
}
