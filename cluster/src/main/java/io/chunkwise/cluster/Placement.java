package io.chunkwise.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.PartitionService;
import io.chunkwise.ClusterUnavailableException;
import io.chunkwise.WireFormatException;
import io.chunkwise.graph.ChunkKey;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Which partition holds a chunk: a function of its chunk grid index only, so that aligned chunks of arrays combined
 * blockwise (and a chunk's reduction partial) share a partition and so a member, and balanced over the members, so
 * that an array's chunks are spread evenly. A hash of the index alone cannot balance: Hazelcast scatters its 271
 * partitions over the members at random, so ten chunks landed 8/2 or worse on two members in about one cluster of
 * nine. So the cluster keeps one table, built from the partition owners when first needed and never changed after
 * (chunks stored under it must stay where it says): for each member of that time, the partitions it owned, each named
 * by an integer that Hazelcast hashes into it. Chunk (i, j, ...) goes to member group (i + j + ...) mod n, so that
 * neighbouring chunks alternate between members along every axis, and within the group to the partition picked by
 * {@link ChunkKey#placement()}, a well-mixed hash of the index. When members leave or join, partitions move with their
 * data: a chunk is found where the table says, only the balance drifts.
 *
 * <p>Every driver of the cluster reads the table from the map {@value #MAP}; task batches carry it to the members
 * ({@link #encoded()}), so a member never looks it up.
 */
final class Placement {
    /** The map that holds the cluster's table, under {@value #TABLE}. */
    static final String MAP = "chunkwise.placement";
    static final String TABLE = "table";
    /** Partitions a cluster may have, at most (Hazelcast's default is 271). */
    static final int MAX_PARTITIONS = 1 << 16;

    /** Per member group: integers whose partitions that member owned when the table was built. */
    private final int[][] groups;
    private final int[] encoded;

    private Placement(int[][] groups) {
        this.groups = groups;
        int size = 1;
        for (int[] g : groups) size += 1 + g.length;
        encoded = new int[size];
        int at = 0;
        encoded[at++] = groups.length;
        for (int[] g : groups) {
            encoded[at++] = g.length;
            System.arraycopy(g, 0, encoded, at, g.length);
            at += g.length;
        }
    }

    /** The cluster's table: read from {@value #MAP}, or built from the partition owners now and published there. */
    static Placement of(HazelcastInstance hz) {
        IMap<String, int[]> map = hz.getMap(MAP);
        int[] table = map.get(TABLE);
        if (table == null) {
            int[] built = build(hz).encoded;
            table = map.putIfAbsent(TABLE, built);   // another driver may have published one first: theirs stands
            if (table == null) table = built;
        }
        return decode(table);
    }

    /** The table {@code encoded} describes ({@link #encoded()}); a malformed one is a {@link WireFormatException}. */
    static Placement decode(int[] encoded) {
        if (encoded == null || encoded.length < 3) throw new WireFormatException("malformed placement table");
        int n = encoded[0], at = 1;
        if (n < 1 || n > MAX_PARTITIONS) throw new WireFormatException("placement table of " + n + " member groups");
        int[][] groups = new int[n][];
        for (int m = 0; m < n; m++) {
            int size = at < encoded.length ? encoded[at++] : -1;
            if (size < 1 || size > encoded.length - at) throw new WireFormatException("malformed placement table");
            groups[m] = Arrays.copyOfRange(encoded, at, at + size);
            at += size;
        }
        if (at != encoded.length) throw new WireFormatException("malformed placement table");
        return new Placement(groups);
    }

    /** The table as integers: member groups, then per group its size and its partitions' integers. */
    int[] encoded() { return encoded; }

    /** The id of chunk {@code key} in a chunk map: its key, and the partition this table gives its index. */
    ChunkId id(ChunkKey key) {
        int[] index = key.index();
        long diagonal = 0;
        for (int i : index) diagonal += i;
        int[] group = groups[(int) Math.floorMod(diagonal, (long) groups.length)];
        return new ChunkId(key, group[Math.floorMod(key.placement(), group.length)]);
    }

    /** Builds a table from the partition owners of now (waiting, bounded, for Hazelcast to assign them). */
    private static Placement build(HazelcastInstance hz) {
        PartitionService partitions = hz.getPartitionService();
        Map<Integer, UUID> owners = owners(partitions);
        int count = partitions.getPartitions().size();
        // an integer for each partition (Hazelcast hashes a key's serialized form, so search; ~count ln count tries)
        int[] integer = new int[count];
        Arrays.fill(integer, -1);
        int found = 0;
        for (int k = 0; found < count && k < 64 * count + 10_000; k++) {
            int p = partitions.getPartition(k).getPartitionId();
            if (integer[p] < 0) {
                integer[p] = k;
                found++;
            }
        }
        Map<UUID, List<Integer>> byOwner = new HashMap<>();
        List<UUID> order = new ArrayList<>();
        for (Member m : hz.getCluster().getMembers()) {
            if (m.isLiteMember()) continue;
            byOwner.put(m.getUuid(), new ArrayList<>());
            order.add(m.getUuid());
        }
        for (int p = 0; p < count; p++) {
            List<Integer> group = byOwner.get(owners.get(p));
            if (group != null && integer[p] >= 0) group.add(integer[p]);
        }
        List<int[]> groups = new ArrayList<>();
        for (UUID u : order) {
            List<Integer> g = byOwner.get(u);
            if (!g.isEmpty()) groups.add(g.stream().mapToInt(Integer::intValue).toArray());
        }
        if (groups.isEmpty()) throw new ClusterUnavailableException("the cluster's partitions have no owners: no data member is up");
        return new Placement(groups.toArray(new int[0][]));
    }

    /**
     * Each partition's owner, once Hazelcast has assigned them all (it does so on first use) and no partition is
     * migrating (a member that just joined is still taking its share over), waiting at most 30 s.
     */
    private static Map<Integer, UUID> owners(PartitionService partitions) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Map<Integer, UUID> owners = new HashMap<>();
            for (Partition p : partitions.getPartitions()) {
                Member o = p.getOwner();   // asking assigns the partitions where none are yet
                if (o != null) owners.put(p.getPartitionId(), o.getUuid());
            }
            boolean settled = owners.size() == partitions.getPartitions().size() && safe(partitions);
            if (settled || System.nanoTime() > deadline) return owners;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return owners;
            }
        }
    }

    /** Whether no partition migrates now; a client cannot tell, and takes the owners it sees. */
    private static boolean safe(PartitionService partitions) {
        try {
            return partitions.isClusterSafe();
        } catch (UnsupportedOperationException e) {
            return true;
        }
    }
}
