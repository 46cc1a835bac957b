package io.chunkwise.cluster;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.FileNotSharedException;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.io.ChunkReaders;
import io.chunkwise.io.ChunkWriters;
import io.chunkwise.spi.HostBlock;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A member's access to the files tasks name: its own reader registry (built-in formats, plus what is registered on
 * the member; it owns its Arrow memory and is closed with the member). Before reading, it checks that it sees the
 * file the driver opened: the same format known, the same size and modification time (nanoseconds) as the task
 * carries. Where it does not (the file is missing here, is another version, or the format is unknown here), it
 * throws {@link FileNotSharedException}, which the driver recognises by its class name: it then reads that chunk,
 * and the rest of that file in the job, itself. A genuine read failure of the same version (a corrupt file) is
 * reported as such. Writes go the same way ({@link ChunkWriters}).
 */
final class MemberFiles implements AutoCloseable {
    private final ChunkReaders readers = new ChunkReaders();
    private final AtomicLong chunksRead = new AtomicLong(), chunksWritten = new AtomicLong();
    private volatile boolean shared = true;

    /** The registry this member reads with (add a format's reader here to have members read it too). */
    ChunkReaders readers() { return readers; }

    /**
     * Whether this member reads and writes the files tasks name (true by default). A member that does not share the
     * driver's file system can say so up front, saving the driver the failed attempt per file and job.
     */
    void shared(boolean shared) { this.shared = shared; }

    boolean shared() { return shared; }

    /** Chunks this member read from files. */
    long chunksRead() { return chunksRead.get(); }

    HostBlock read(TaskOp.Read spec) {
        if (!shared) throw new FileNotSharedException("this member does not share the driver's files (" + spec.path() + ")");
        if (!readers.knows(spec.format())) {
            throw new FileNotSharedException("this member has no reader for format '" + spec.format() + "' of " + spec.path());
        }
        ChunkReaders.FileVersion v;
        try {
            v = ChunkReaders.FileVersion.of(Path.of(spec.path()));
        } catch (ChunkwiseException | java.nio.file.InvalidPathException e) {
            throw new FileNotSharedException("this member cannot see " + spec.path() + ": " + e.getMessage(), e);
        }
        if (v.size() != spec.fileSize() || v.modified() != spec.modified()) {
            throw new FileNotSharedException("this member sees another version of " + spec.path() + " (" + v.size() + " bytes, modified "
                    + v.modified() + "; the driver opened " + spec.fileSize() + " bytes, modified " + spec.modified() + ")");
        }
        HostBlock b = readers.read(spec);
        chunksRead.incrementAndGet();
        return b;
    }

    /** Chunks this member wrote into files. */
    long chunksWritten() { return chunksWritten.get(); }

    /**
     * Writes a chunk into the file the driver prepared, after {@link ChunkWriters#write} checked that this member
     * sees that very file (its size and the driver's random token).
     */
    long write(TaskOp.Write spec, HostBlock chunk) {
        if (!shared) throw new FileNotSharedException("this member does not share the driver's files (" + spec.path() + ")");
        if (!ChunkWriters.knows(spec.format())) {
            throw new FileNotSharedException("this member has no writer for format '" + spec.format() + "' of " + spec.path());
        }
        long n = ChunkWriters.write(spec, chunk);
        chunksWritten.incrementAndGet();
        return n;
    }

    /** Closes the reader registry: throws if a read left Arrow buffers behind. */
    @Override
    public void close() { readers.close(); }
}
