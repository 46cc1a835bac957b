package io.chunkwise.cluster;

import io.chunkwise.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSecretTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    /** An owner-only file (a shared one is used with a warning, which would print). */
    private static Path write(Path file, String text) throws java.io.IOException {
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, text);
    }

    @Test
    void theFileComesFirstThenTheEnvironmentWithoutSurroundingWhiteSpace() throws Exception {
        Path file = write(dir.resolve("s"), "  " + SECRET + "\r\n");
        Path other = write(dir.resolve("o"), "fedcba9876543210fedcba9876543210");
        byte[] want = SECRET.getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(want, ClusterSecret.read(file, Map.of(ClusterSecret.FILE_ENV, other.toString())));
        assertArrayEquals(want, ClusterSecret.read(null, Map.of(ClusterSecret.FILE_ENV, file.toString(), ClusterSecret.VALUE_ENV, "x")));
        assertArrayEquals(want, ClusterSecret.read(null, Map.of(ClusterSecret.VALUE_ENV, SECRET + "\n")));
    }

    @Test
    void noneEmptyShortOrUnreadableIsRefusedClearly() throws Exception {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> ClusterSecret.read(null, Map.of()));
        assertTrue(e.getMessage().contains("--secret-file") && e.getMessage().contains(ClusterSecret.FILE_ENV), e.getMessage());
        Path empty = write(dir.resolve("empty"), "\n");
        e = assertThrows(InvalidArgumentException.class, () -> ClusterSecret.read(empty, Map.of()));
        assertTrue(e.getMessage().contains("empty") && e.getMessage().contains(empty.toString()), e.getMessage());
        Path shortOne = write(dir.resolve("short"), "fifteen bytes!!");
        e = assertThrows(InvalidArgumentException.class, () -> ClusterSecret.read(shortOne, Map.of()));
        assertTrue(e.getMessage().contains("too short (15 bytes)") && e.getMessage().contains("16"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> ClusterSecret.read(dir.resolve("missing"), Map.of()));
        assertTrue(e.getMessage().contains("cannot read") && e.getMessage().contains("missing"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> ClusterSecret.read(null, Map.of(ClusterSecret.VALUE_ENV, "")));
        assertTrue(e.getMessage().contains(ClusterSecret.VALUE_ENV), e.getMessage());
    }
}
