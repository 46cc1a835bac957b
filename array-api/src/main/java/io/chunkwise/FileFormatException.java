package io.chunkwise;

/** A file that is not ours, truncated or corrupt; the message names the file and what is wrong with it. */
public class FileFormatException extends ChunkwiseException {
    public FileFormatException(String message) { super(message); }

    public FileFormatException(String message, Throwable cause) { super(message, cause); }
}
