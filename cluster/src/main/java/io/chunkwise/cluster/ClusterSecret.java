package io.chunkwise.cluster;

import io.chunkwise.InvalidArgumentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The shared secret of a cluster's members and clients, from which {@link MessageAuth} derives the key of the
 * messages' HMAC. Read from a file, or from the environment, never from a command line (which every local user can
 * read in the process list): {@code --secret-file} or {@code ClusterSpec.secretFile(path)} first, else the file named
 * by {@value #FILE_ENV}, else the value of {@value #VALUE_ENV}. Leading and trailing white space (a file's last newline)
 * is not part of it; at least {@value #MIN_BYTES} bytes must remain (e.g. {@code openssl rand -hex 32}). A file that
 * group or others may read is used, with a warning.
 */
final class ClusterSecret {
    static final String FILE_ENV = "CHUNKWISE_CLUSTER_SECRET_FILE";
    static final String VALUE_ENV = "CHUNKWISE_CLUSTER_SECRET";
    static final int MIN_BYTES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSecret.class);
    private static final String HOW = "e.g. `openssl rand -hex 32 > FILE && chmod 600 FILE`";

    private ClusterSecret() {}

    /**
     * The secret: from {@code file} when given, else from the environment {@code env}; the caller zeroes the array
     * once it has made its {@link MessageAuth}.
     *
     * @throws InvalidArgumentException when there is none, it cannot be read, or it is shorter than {@value #MIN_BYTES} bytes
     */
    static byte[] read(Path file, Map<String, String> env) {
        if (file != null) return fromFile(file, "secret file");
        String f = env.get(FILE_ENV);
        if (f != null && !f.isBlank()) return fromFile(Path.of(f.strip()), "secret file named by " + FILE_ENV);
        String v = env.get(VALUE_ENV);
        if (v != null) return check(v.getBytes(java.nio.charset.StandardCharsets.UTF_8), "the value of " + VALUE_ENV);
        throw new InvalidArgumentException("no cluster secret: give a secret file (--secret-file FILE, or ClusterSpec.secretFile(path)), or set "
                + FILE_ENV + " to such a file, or " + VALUE_ENV + " to the secret (" + HOW + "); never on the command line");
    }

    private static byte[] fromFile(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            throw new InvalidArgumentException("cannot read the cluster " + what + " " + file + ": " + e);
        }
        warnIfShared(file);
        return check(bytes, "the cluster " + what + " " + file);
    }

    private static byte[] check(byte[] bytes, String where) {
        int from = 0, to = bytes.length;
        while (from < to && Character.isWhitespace(bytes[from])) from++;
        while (to > from && Character.isWhitespace(bytes[to - 1])) to--;
        byte[] secret = Arrays.copyOfRange(bytes, from, to);
        Arrays.fill(bytes, (byte) 0);
        if (secret.length < MIN_BYTES) {
            Arrays.fill(secret, (byte) 0);
            throw new InvalidArgumentException("the cluster secret in " + where + " is " + (secret.length == 0 ? "empty" : "too short ("
                    + secret.length + " bytes)") + "; it needs at least " + MIN_BYTES + " bytes (" + HOW + ")");
        }
        return secret;
    }

    /** Warns when group or others may read (or write) the secret file. */
    private static void warnIfShared(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> shared = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
            shared.retainAll(p);
            if (!shared.isEmpty()) {
                LOG.warn("the cluster secret file {} is accessible to group or others ({}); restrict it to its owner: chmod 600 {}",
                        file, java.nio.file.attribute.PosixFilePermissions.toString(p), file);
            }
        } catch (UnsupportedOperationException | IOException | SecurityException e) {
            LOG.debug("cannot check the permissions of the cluster secret file {}: {}", file, e.toString());
        }
    }
}
