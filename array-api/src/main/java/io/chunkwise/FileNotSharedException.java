package io.chunkwise;

/**
 * A cluster member does not see a file a task names as the driver sees it: the file is missing there, is another
 * version (size or modification time differ), is not the file the driver prepared for a write, or the member has no
 * reader for its format. The driver then reads (or writes) that file itself; a job never fails for this reason, and
 * the class is named on the wire so that the driver can tell this failure from all others.
 */
public class FileNotSharedException extends ChunkwiseException {
    /**
     * Creates the exception.
     *
     * @param message the file, and how the member's view of it differs from the driver's
     */
    public FileNotSharedException(String message) { super(message); }

    /**
     * Creates the exception with the failure that caused it.
     *
     * @param message the file, and how the member's view of it differs from the driver's
     * @param cause the failure underneath
     */
    public FileNotSharedException(String message, Throwable cause) { super(message, cause); }
}
