package io.chunkwise.io;

import io.chunkwise.ChunkwiseException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file through a temporary file beside it that replaces the target only when the writer finished, so a
 * failed computation leaves an existing file untouched and no partial file behind.
 */
final class ReplaceFile {
    @FunctionalInterface
    interface Writer {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes the temporary file by its name (to open it as it likes, also from other processes). */
    @FunctionalInterface
    interface PathWriter {
        void write(Path temporary) throws IOException;
    }

    private ReplaceFile() {}

    static void write(Path file, Writer writer) {
        writeAt(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writer.write(ch);
            }
        });
    }

    static void writeAt(Path file, PathWriter writer) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".partial");
            writer.write(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new ChunkwiseException("cannot write " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the first error is the one to report
                }
            }
        }
    }
}
