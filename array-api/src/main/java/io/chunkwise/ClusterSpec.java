package io.chunkwise;

import java.nio.file.Path;
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

    private ClusterSpec(int embeddedMembers, String address, String clusterName, Path secretFile) {
        this.embeddedMembers = embeddedMembers;
        this.address = address;
        this.clusterName = clusterName;
        this.secretFile = secretFile;
    }

    public static ClusterSpec embedded(int members) {
        if (members < 1) throw new InvalidArgumentException("an embedded cluster needs at least 1 member, not " + members);
        return new ClusterSpec(members, null, "chunkwise", null);
    }

    /**
     * The members of the embedded cluster named {@code clusterName} that already run in this JVM
     * ({@code io.chunkwise.cluster.EmbeddedCluster.start}): the context drives them but does not own them, so closing
     * it leaves them running.
     */
    public static ClusterSpec running(String clusterName) {
        if (clusterName == null || clusterName.isBlank()) throw new InvalidArgumentException("cluster name is empty");
        return new ClusterSpec(0, null, clusterName, null);
    }

    /** A client of running members, e.g. {@code "127.0.0.1:5701"}. */
    public static ClusterSpec connect(String address) {
        if (address == null || address.isBlank()) throw new InvalidArgumentException("cluster address is empty");
        return new ClusterSpec(0, address, "chunkwise", null);
    }

    public ClusterSpec clusterName(String name) { return new ClusterSpec(embeddedMembers, address, name, secretFile); }

    /** A file whose contents all members and clients share as the cluster's secret. */
    public ClusterSpec secretFile(Path file) { return new ClusterSpec(embeddedMembers, address, clusterName, file); }

    public boolean isEmbedded() { return address == null; }

    /** Whether this names members already running in this JVM ({@link #running(String)}). */
    public boolean isRunning() { return address == null && embeddedMembers == 0; }

    public int embeddedMembers() { return embeddedMembers; }

    public Optional<String> address() { return Optional.ofNullable(address); }

    public String clusterName() { return clusterName; }

    public Optional<Path> secretFile() { return Optional.ofNullable(secretFile); }

    @Override
    public String toString() {
        if (isRunning()) return "running(" + clusterName + ")";
        return isEmbedded() ? "embedded(" + embeddedMembers + ")" : "connect(" + address + ", " + clusterName + ")";
    }
}
