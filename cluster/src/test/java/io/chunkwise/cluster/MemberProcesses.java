package io.chunkwise.cluster;

import io.chunkwise.ClusterSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Chunkwise members as separate JVM processes on free loopback ports, started with the launcher
 * ({@link ClusterMemberMain}) and this test JVM's own class path and module flags, sharing a secret file with
 * owner-only permissions; each process's output goes to files in the given folder. {@link #close()} kills what is
 * still running. Every wait is bounded.
 */
final class MemberProcesses implements AutoCloseable {
    /** How long members may take to print "ready" (3 JVMs starting at once on 2 cores take 10-15 s). */
    static final Duration READY = Duration.ofSeconds(60);
    private static final String MAIN = ClusterMemberMain.class.getName();

    private final Path dir;
    private final String clusterName;
    private final Path secretFile;
    private final List<Integer> ports;
    private final List<Process> processes = new ArrayList<>();

    private MemberProcesses(Path dir, String clusterName, Path secretFile, List<Integer> ports) {
        this.dir = dir;
        this.clusterName = clusterName;
        this.secretFile = secretFile;
        this.ports = ports;
    }

    /**
     * Starts {@code n} members of a new cluster, each with {@code threads} task threads, joining one another, plus
     * {@code moreOptions} for the launcher; returns once each has printed its "ready" line (at most {@link #READY}).
     */
    static MemberProcesses start(Path dir, int n, int threads, String... moreOptions) {
        try {
            MemberProcesses m = new MemberProcesses(dir, "chunkwise-processes-" + UUID.randomUUID(), newSecretFile(dir), EmbeddedCluster.freePorts(n));
            try {
                for (int i = 0; i < n; i++) m.launch(i, threads, moreOptions);
                m.awaitReady(READY);
                return m;
            } catch (RuntimeException | Error e) {
                m.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch(int i, int threads, String... moreOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        // small members: a small heap, one GC thread, and less JIT work while 3 JVMs start on 2 cores
        command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN,
                "--port", Integer.toString(ports.get(i)), "--cluster-name", clusterName, "--secret-file", secretFile.toString(),
                "--join", String.join(",", addresses()), "--threads", Integer.toString(threads)));
        command.addAll(List.of(moreOptions));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out(i).toFile()).redirectError(err(i).toFile());
        pb.environment().remove(ClusterSecret.FILE_ENV);
        pb.environment().remove(ClusterSecret.VALUE_ENV);
        processes.add(pb.start());
    }

    /** This JVM's module flags (the root pom's chunkwise.jvm.flags, given to surefire): members need the same. */
    private static List<String> jvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe-memory-access"))
                .toList();
    }

    /** A new secret file {@code cluster.secret} in {@code dir}: 32 random bytes in hex, readable by its owner only. */
    static Path newSecretFile(Path dir) throws IOException {
        Path secret = dir.resolve("cluster.secret");
        Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Files.writeString(secret, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII);
        return secret;
    }

    /** Waits until every running member has printed "ready"; fails with a dead member's output, or at the deadline. */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < processes.size(); i++) {
            while (!stdout(i).contains("ready")) {
                if (!processes.get(i).isAlive()) throw new AssertionError("member " + i + " exited with " + processes.get(i).exitValue() + " before it was ready:\n" + output(i));
                if (System.nanoTime() > deadline) throw new AssertionError("member " + i + " was not ready within " + timeout.toSeconds() + " s:\n" + output(i));
                sleep(50);
            }
        }
    }

    /** A client's spec for this cluster (its first member's address, the cluster name, the secret file). */
    ClusterSpec spec() { return ClusterSpec.connect(address(0)).clusterName(clusterName).secretFile(secretFile); }

    String clusterName() { return clusterName; }

    Path secretFile() { return secretFile; }

    int size() { return processes.size(); }

    String address(int i) { return HazelcastConfigs.LOOPBACK + ":" + ports.get(i); }

    List<String> addresses() { return ports.stream().map(p -> HazelcastConfigs.LOOPBACK + ":" + p).toList(); }

    Process process(int i) { return processes.get(i); }

    /**
     * Sends member {@code i} SIGTERM ({@link Process#destroy()}) and waits at most {@code timeout} for it to exit.
     *
     * @return its exit code
     */
    int stop(int i, Duration timeout) {
        Process p = processes.get(i);
        p.destroy();
        return awaitExit(i, timeout);
    }

    /** Kills member {@code i} at once (SIGKILL, as {@code kill -9}) and waits at most 10 s for it to be gone. */
    void kill(int i) {
        processes.get(i).destroyForcibly();
        awaitExit(i, Duration.ofSeconds(10));
    }

    private int awaitExit(int i, Duration timeout) {
        try {
            if (!processes.get(i).waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("member " + i + " did not exit within " + timeout.toSeconds() + " s:\n" + output(i));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return processes.get(i).exitValue();
    }

    /** What member {@code i} printed on stdout so far. */
    String stdout(int i) { return read(out(i)); }

    /** Its stdout and stderr so far, for failure messages. */
    String output(int i) { return "--- stdout of member " + i + "\n" + stdout(i) + "--- stderr\n" + read(err(i)); }

    private Path out(int i) { return dir.resolve("member-" + i + ".out"); }

    private Path err(int i) { return dir.resolve("member-" + i + ".err"); }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Kills every member still running (SIGKILL) and waits for each, at most 10 s. */
    @Override
    public void close() {
        for (Process p : processes) if (p.isAlive()) p.destroyForcibly();
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
