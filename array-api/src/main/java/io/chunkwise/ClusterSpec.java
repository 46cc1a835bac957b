package io.chunkwise;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where a cluster context runs its tasks: {@link #embedded(int)} members started in this JVM on loopback (owned by
 * the context), {@link #running(String)} members that already run in this JVM (started by the cluster module's
 * {@code EmbeddedCluster}; shared by contexts, e.g. the tests of one class), or {@link #connect(String)} to running
 * members. Needs the chunkwise {@code cluster} module on the class path.
 */
public final class ClusterSpec {
    private final int embeddedMembers;
    private final String address;
    private final String clusterName;
    private final Path secretFile;
    private final int taskAttempts;
    private final Duration stallTimeout, connectTimeout;

    private ClusterSpec(int embeddedMembers, String address, String clusterName, Path secretFile, int taskAttempts,
                        Duration stallTimeout, Duration connectTimeout) {
        this.embeddedMembers = embeddedMembers;
        this.address = address;
        this.clusterName = clusterName;
        this.secretFile = secretFile;
        this.taskAttempts = taskAttempts;
        this.stallTimeout = stallTimeout;
        this.connectTimeout = connectTimeout;
    }

    private ClusterSpec(int embeddedMembers, String address, String clusterName, Path secretFile) {
        this(embeddedMembers, address, clusterName, secretFile, 3, Duration.ofMinutes(10), Duration.ofSeconds(5));
    }

    /**
     * A cluster of members started in this JVM, on loopback (for tests and trials).
     *
     * @param members how many members, at least 1
     * @return the spec
     */
    public static ClusterSpec embedded(int members) {
        if (members < 1) throw new InvalidArgumentException("an embedded cluster needs at least 1 member, not " + members);
        return new ClusterSpec(members, null, "chunkwise", null);
    }

    /**
     * The members of the embedded cluster named {@code clusterName} that already run in this JVM
     * ({@code io.chunkwise.cluster.EmbeddedCluster.start}): the context drives them but does not own them, so closing
     * it leaves them running.
     *
     * @param clusterName the name the members were started with
     * @return the spec
     */
    public static ClusterSpec running(String clusterName) {
        if (clusterName == null || clusterName.isBlank()) throw new InvalidArgumentException("cluster name is empty");
        return new ClusterSpec(0, null, clusterName, null);
    }

    /**
     * A client of running members.
     *
     * @param address a member's address, e.g. {@code "127.0.0.1:5701"}
     * @return the spec
     */
    public static ClusterSpec connect(String address) {
        if (address == null || address.isBlank()) throw new InvalidArgumentException("cluster address is empty");
        return new ClusterSpec(0, address, "chunkwise", null);
    }

    /**
     * The same spec with another cluster name (default {@code "chunkwise"}).
     *
     * @param name the name the members were started with
     * @return the new spec
     */
    public ClusterSpec clusterName(String name) {
        return new ClusterSpec(embeddedMembers, address, name, secretFile, taskAttempts, stallTimeout, connectTimeout);
    }

    /**
     * The same spec with a secret that the members and clients share.
     *
     * @param file a file whose contents are the cluster's secret
     * @return the new spec
     */
    public ClusterSpec secretFile(Path file) {
        return new ClusterSpec(embeddedMembers, address, clusterName, file, taskAttempts, stallTimeout, connectTimeout);
    }

    /**
     * The same spec with another limit on how often a task may be running on a member that leaves the cluster
     * (default 3, as dask's {@code allowed-failures}): at the limit the job fails with an error naming the task, which
     * may be what stops its members.
     *
     * @param attempts 1 or more
     * @return the new spec
     */
    public ClusterSpec taskAttempts(int attempts) {
        if (attempts < 1) throw new InvalidArgumentException("task attempts must be 1 or more, not " + attempts);
        return new ClusterSpec(embeddedMembers, address, clusterName, secretFile, attempts, stallTimeout, connectTimeout);
    }

    /**
     * The same spec with another stall time-out (default 10 minutes): a job in which no task finishes for that long
     * fails (a member hangs, or the network does).
     *
     * @param timeout positive
     * @return the new spec
     */
    public ClusterSpec stallTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidArgumentException("the stall time-out must be positive, not " + timeout);
        }
        return new ClusterSpec(embeddedMembers, address, clusterName, secretFile, taskAttempts, timeout, connectTimeout);
    }

    /**
     * The same spec with another connect time-out for a client (default 5 seconds): connecting to members that do not
     * answer, or answer under another cluster name, fails after that long instead of retrying for ever.
     *
     * @param timeout positive
     * @return the new spec
     */
    public ClusterSpec connectTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidArgumentException("the connect time-out must be positive, not " + timeout);
        }
        return new ClusterSpec(embeddedMembers, address, clusterName, secretFile, taskAttempts, stallTimeout, timeout);
    }

    /** {@return how long a client may take to connect} */
    public Duration connectTimeout() { return connectTimeout; }

    /** {@return how often a task may be running on a member that leaves before the job fails} */
    public int taskAttempts() { return taskAttempts; }

    /** {@return how long a job may go without a task finishing before it fails} */
    public Duration stallTimeout() { return stallTimeout; }

    /** {@return whether the members run in this JVM} */
    public boolean isEmbedded() { return address == null; }

    /** {@return whether this names members already running in this JVM ({@link #running(String)})} */
    public boolean isRunning() { return address == null && embeddedMembers == 0; }

    /** {@return how many members run in this JVM (0 for a client, or for members already running)} */
    public int embeddedMembers() { return embeddedMembers; }

    /** {@return the address of the members a client connects to; empty when embedded} */
    public Optional<String> address() { return Optional.ofNullable(address); }

    /** {@return the cluster's name} */
    public String clusterName() { return clusterName; }

    /** {@return the file of the shared secret, if there is one} */
    public Optional<Path> secretFile() { return Optional.ofNullable(secretFile); }

    /** {@return {@code embedded(n)}, {@code running(name)} or {@code connect(address, name)}} */
    @Override
    public String toString() {
        if (isRunning()) return "running(" + clusterName + ")";
        return isEmbedded() ? "embedded(" + embeddedMembers + ")" : "connect(" + address + ", " + clusterName + ")";
    }
}
