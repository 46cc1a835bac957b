package io.chunkwise.io;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.FileFormatException;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.HostBlock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reader registry of the side that runs tasks: it resolves a {@link TaskOp.Read} descriptor by its format
 * ({@value Npy#FORMAT_NAME} and {@value ArrowFiles#FORMAT_NAME} are built in), after checking that the file is still the
 * version the graph was built from.
 */
public final class ChunkReaders implements AutoCloseable {
    /** Reads the chunk a descriptor names. */
    @FunctionalInterface
    public interface ChunkReader {
        HostBlock read(TaskOp.Read spec);
    }

    // lambdas, not method references: Arrow's classes load only when an Arrow file is read
    private final Map<String, ChunkReader> readers = new ConcurrentHashMap<>(Map.of(
            Npy.FORMAT_NAME, spec -> Npy.readChunk(spec), ArrowFiles.FORMAT_NAME, spec -> ArrowFiles.readChunk(spec, arrowMemory())));
    /** Arrow buffers of the reads (and of the context's writes): made on first use, closed with the registry. */
    private ArrowMemory arrow;
    private boolean closed;
    private final java.util.concurrent.atomic.AtomicLong chunksRead = new java.util.concurrent.atomic.AtomicLong();

    /** Adds a reader for {@code format} (a format already registered is refused). */
    public void register(String format, ChunkReader reader) {
        if (readers.putIfAbsent(format, reader) != null) {
            throw new InvalidArgumentException("a reader for format '" + format + "' is registered already");
        }
    }

    /**
     * {@return whether a reader for {@code format} is registered}
     *
     * @param format the format's name, as in {@link TaskOp.Read#format()}
     */
    public boolean knows(String format) { return readers.containsKey(format); }

    /** {@return the chunks read through this registry so far (tests check where files were read)} */
    public long chunksRead() { return chunksRead.get(); }

    /**
     * Reads the chunk {@code spec} describes with the reader of its format, after checking that the file is still the
     * version the graph was built from.
     *
     * @param spec the chunk's descriptor
     * @return its values
     * @throws FileFormatException for an unknown format, a file changed since it was opened, or a corrupt file
     */
    public HostBlock read(TaskOp.Read spec) {
        ChunkReader r = readers.get(spec.format());
        if (r == null) {
            throw new FileFormatException("no reader for format '" + spec.format() + "' of " + spec.path()
                    + "; known: " + readers.keySet());
        }
        FileVersion now = FileVersion.of(Path.of(spec.path()));
        if (now.size() != spec.fileSize() || now.modified() != spec.modified()) {
            throw new FileFormatException(spec.path() + " changed since it was opened (" + spec.fileSize() + " bytes, modified "
                    + spec.modified() + "; now " + now.size() + " bytes, modified " + now.modified() + "); open it again");
        }
        HostBlock b = r.read(spec);
        chunksRead.incrementAndGet();
        return b;
    }

    /** The root of the Arrow memory reads and writes take their child allocators from. */
    public synchronized ArrowMemory arrowMemory() {
        if (closed) throw new ChunkwiseException("the reader registry is closed");
        if (arrow == null) arrow = new ArrowMemory();
        return arrow;
    }

    /** {@return the bytes of Arrow memory held now (0 between operations, and before the first Arrow file)} */
    public synchronized long arrowBytes() { return arrow == null ? 0 : arrow.allocated(); }

    /** Closes the Arrow memory; throws if an operation left buffers behind. */
    @Override
    public synchronized void close() {
        closed = true;
        if (arrow != null) arrow.close();
    }

    /** A file's identity for reads: its size and last modification (nanoseconds since the epoch). */
    public record FileVersion(long size, long modified) {
        public static FileVersion of(Path file) {
            try {
                return new FileVersion(Files.size(file), Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS));
            } catch (IOException e) {
                throw new ChunkwiseException("cannot read " + file + ": " + e, e);
            }
        }
    }
}
