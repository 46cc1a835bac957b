package io.chunkwise.io;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.FileFormatException;
import io.chunkwise.FileNotSharedException;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.HostBlock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Writes chunks into files prepared for them, wherever the task runs ({@link TaskOp.Write}): on this JVM, or on a
 * cluster member that shares the driver's file system. The driver makes the file: its header, its full size, and
 * after the data a random token of {@value #TOKEN_BYTES} bytes made for this write only. A writer opens the file
 * without creating it and writes only after checking that the size and that token are the driver's: a file at the
 * same path that is not the driver's (another machine's, or another write's) cannot hold a fresh 128-bit random
 * token, so a member that does not see the driver's very file refuses with {@link FileNotSharedException} and
 * writes nothing, and the driver writes that chunk itself. When all chunks reported their bytes, the driver checks
 * the token again and cuts it off before the file replaces its target. Formats: {@value Npy#FORMAT_NAME},
 * {@value ArrowFiles#FORMAT_NAME}.
 */
public final class ChunkWriters {
    /** Bytes of the token after the data: 128 random bits, as hexadecimal digits. */
    public static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ChunkWriters() {}

    /** {@return a fresh token for one write} */
    public static String newToken() {
        byte[] b = new byte[TOKEN_BYTES / 2];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * {@return whether chunks of {@code format} are written here}
     *
     * @param format the format's name, as in {@link TaskOp.Write#format()}
     */
    public static boolean knows(String format) { return Npy.FORMAT_NAME.equals(format) || ArrowFiles.FORMAT_NAME.equals(format); }

    /**
     * Writes {@code chunk} where {@code spec} says, after checking that the file is the one the driver prepared.
     *
     * @param spec the write's descriptor
     * @param chunk the chunk's values, of the descriptor's dtype and shape
     * @return the bytes written
     * @throws FileNotSharedException where the file is missing, cannot be opened, or is not the driver's
     */
    public static long write(TaskOp.Write spec, HostBlock chunk) {
        if (!knows(spec.format())) throw new FileFormatException("no writer for format '" + spec.format() + "' of " + spec.path());
        if (chunk.dtype() != spec.dtype() || !java.util.Arrays.equals(chunk.shape(), spec.shape())) {
            throw new ChunkwiseException("a chunk of " + chunk.dtype().numpyName() + io.chunkwise.Shapes.str(chunk.shape()) + " to write where "
                    + spec.dtype().numpyName() + io.chunkwise.Shapes.str(spec.shape()) + " belongs in " + spec.path());
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(Path.of(spec.path()), StandardOpenOption.READ, StandardOpenOption.WRITE);   // never creates
        } catch (IOException | InvalidPathException | SecurityException e) {
            throw new FileNotSharedException("cannot open " + spec.path() + " to write a chunk: " + e, e);
        }
        try (ch) {
            check(ch, spec.path(), spec.fileSize(), spec.token());
            return Npy.FORMAT_NAME.equals(spec.format()) ? Npy.writeChunk(ch, spec, chunk) : ArrowFiles.writeChunk(ch, spec, chunk);
        } catch (IOException e) {
            throw new ChunkwiseException("cannot write " + spec.path() + ": " + e, e);
        }
    }

    /**
     * Checks that {@code ch} is the driver's file: {@code size} bytes ending with {@code token}.
     *
     * @param ch the file, open for reading
     * @param path its name, for messages
     * @param size the size the driver gave it
     * @param token the driver's token
     * @throws FileNotSharedException where it is another file
     * @throws IOException where it cannot be read
     */
    public static void check(FileChannel ch, String path, long size, String token) throws IOException {
        long now = ch.size();
        if (now != size) {
            throw new FileNotSharedException(path + " has " + now + " bytes, not the " + size + " of the file the driver prepared");
        }
        ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES);
        while (b.hasRemaining()) {
            if (ch.read(b, size - TOKEN_BYTES + b.position()) < 0) throw new FileNotSharedException(path + " ends before its token");
        }
        if (!new String(b.array(), StandardCharsets.US_ASCII).equals(token)) {
            throw new FileNotSharedException(path + " is not the file the driver prepared (its token differs)");
        }
    }
}
