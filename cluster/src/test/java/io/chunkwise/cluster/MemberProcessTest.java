package io.chunkwise.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.ClusterUnavailableException;
import io.chunkwise.InvalidArgumentException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import untrusted.ForeignTask;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three members as separate JVM processes, started with the launcher, driven by a client context
 * ({@code ClusterSpec.connect}): results equal a local context's bit for bit, the members list themselves, clients with
 * the wrong cluster name or secret get clear errors in bounded time, a Java-serialized object of a foreign class is
 * refused, and SIGTERM stops each member cleanly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemberProcessTest {
    private static final int MEMBERS = 3;
    /** The members' {@code --driver-grace}, shorter than the default so that a killed client's chunks go sooner. */
    private static final Duration DRIVER_GRACE = Duration.ofSeconds(2);
    @TempDir
    static Path dir;
    private MemberProcesses members;
    private Chunkwise cw;

    @BeforeAll
    void start() {
        members = MemberProcesses.start(dir, MEMBERS, 1, "--memory", "64m", "--driver-grace", Long.toString(DRIVER_GRACE.toSeconds()));
        cw = Chunkwise.builder().threads(1).cluster(members.spec()).build();
    }

    @AfterAll
    void stop() {
        try {
            if (cw != null) cw.close();
        } finally {
            if (members != null) members.close();
        }
    }

    /** The members as a client sees them, once all {@link #MEMBERS} have joined one cluster (at most 30 s). */
    private List<MemberInfo> allMembers() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (ClusterClient c = ClusterClient.connect(members.spec())) {
            while (true) {
                List<MemberInfo> list = c.members();
                if (list.size() == MEMBERS) return list;
                if (System.nanoTime() > deadline) throw new AssertionError("the members did not form one cluster of " + MEMBERS + " in 30 s: " + list);
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(1)
    void membersListThemselvesWithTheirAttributes() {
        List<MemberInfo> list = allMembers();
        assertEquals(List.copyOf(new java.util.TreeSet<>(members.addresses())),
                list.stream().map(MemberInfo::address).sorted().toList());
        for (MemberInfo m : list) {
            assertEquals(1, m.attributes().threads(), m.toString());
            assertEquals(64L << 20, m.attributes().memoryBudget(), m.toString());
            assertTrue(m.attributes().offers(io.chunkwise.BackendKind.CPU), m.toString());
            assertEquals(0, m.attributes().gpus(), m.toString());
            assertEquals(0, m.chunks(), m.toString());
        }
        // chunks in a map of chunks are counted on the members that own them
        HazelcastInstance client = HazelcastClient.newHazelcastClient(HazelcastConfigs.client(members.clusterName(), members.addresses()));
        IMap<String, byte[]> chunks = client.getMap(HazelcastConfigs.CHUNK_MAP_PREFIX + "test-" + java.util.UUID.randomUUID());
        try {
            for (int i = 0; i < 5; i++) chunks.set("chunk-" + i, new byte[1000 + i]);
            List<MemberInfo> after = allMembers();
            assertEquals(5, after.stream().mapToLong(MemberInfo::chunks).sum(), after.toString());
            assertEquals(5010, after.stream().mapToLong(MemberInfo::chunkBytes).sum(), after.toString());
        } finally {
            chunks.destroy();
            client.shutdown();
        }
    }

    @Test
    @Order(2)
    void matmulAndReductionsEqualALocalContextsBitForBit() throws InterruptedException {
        allMembers();
        Random random = new Random(15);
        double[] b = new double[200 * 250];
        for (int i = 0; i < b.length; i++) b[i] = random.nextGaussian();
        Chunks ragged = Chunks.explicit(new long[][]{{64, 64, 72}, {100, 30, 90, 30}});
        List<double[]> results = new ArrayList<>();
        try (Chunkwise local = Chunkwise.builder().threads(1).build()) {
            for (Chunkwise c : List.of(local, cw)) {
                ChunkedArray x = c.random(7).normal(0.5, 2.0, new long[]{300, 200}, new int[]{70, 45});
                ChunkedArray y = c.fromArray(b, new long[]{200, 250}, ragged);
                ChunkedArray p = x.matmul(y);
                List<double[]> parts = List.of(p.compute().toDoubleArray(), x.sum(0).compute().toDoubleArray(),
                        p.sum(1).compute().toDoubleArray(), new double[]{x.sum().compute().getDouble(), p.sum().compute().getDouble()});
                results.add(parts.stream().flatMapToDouble(java.util.Arrays::stream).toArray());
            }
        }
        double[] want = results.get(0), got = results.get(1);
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            if (Double.doubleToRawLongBits(want[i]) != Double.doubleToRawLongBits(got[i])) {
                throw new AssertionError("position " + i + ": local " + want[i] + ", cluster " + got[i]);
            }
        }
        // each job's end reaches the member processes (in the background): they keep no chunk of the jobs after it
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<MemberInfo> held = allMembers();
        while (held.stream().anyMatch(m -> m.chunks() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            held = allMembers();
        }
        assertEquals(0, held.stream().mapToLong(MemberInfo::chunks).sum(), "chunks left on the members: " + held);
    }

    @Test
    @Order(3)
    void aClientWithTheWrongClusterNameGetsAClearErrorInBoundedTime() {
        long t0 = System.nanoTime();
        ClusterSpec wrong = ClusterSpec.connect(members.address(1)).clusterName("not-" + members.clusterName()).secretFile(members.secretFile())
                .connectTimeout(Duration.ofSeconds(2));
        ClusterUnavailableException e = assertThrows(ClusterUnavailableException.class, () -> Chunkwise.builder().cluster(wrong).build().close());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(seconds < 15, "took " + seconds + " s");
        assertTrue(e.getMessage().contains(members.address(1)) && e.getMessage().contains("'not-" + members.clusterName() + "'")
                && e.getMessage().contains("cluster name"), e.getMessage());
    }

    @Test
    @Order(4)
    void aClientWithTheWrongSecretGetsAClearError() throws Exception {
        Path other = Files.createFile(dir.resolve("other.secret"), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(other, "0123456789abcdef0123456789abcdef\n");
        ClusterSpec wrong = members.spec().secretFile(other);
        long t0 = System.nanoTime();
        ClusterUnavailableException e = assertThrows(ClusterUnavailableException.class, () -> {
            try (Chunkwise c = Chunkwise.builder().cluster(wrong).build()) {
                c.arange(io.chunkwise.DType.FLOAT64, 10, 5).sum().compute();
            }
        });
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 15);
        assertTrue(e.getMessage().contains("secret does not match"), e.getMessage());
        assertFalse(e.getMessage().contains("\tat "), "no stack trace in the message: " + e.getMessage());
        // too short, and empty
        Files.writeString(other, "short\n");
        InvalidArgumentException s = assertThrows(InvalidArgumentException.class, () -> Chunkwise.builder().cluster(wrong).build().close());
        assertTrue(s.getMessage().contains("too short") && s.getMessage().contains(other.toString()), s.getMessage());
        Files.writeString(other, "\n");
        s = assertThrows(InvalidArgumentException.class, () -> Chunkwise.builder().cluster(wrong).build().close());
        assertTrue(s.getMessage().contains("empty"), s.getMessage());
    }

    /** A Java-serialized task, and a map value, of a class outside io.chunkwise: the members refuse to deserialize them. */
    @Test
    @Order(5)
    void membersRefuseJavaSerializedObjectsOfForeignClasses() throws Exception {
        Path marker = dir.resolve("foreign-task-ran");
        HazelcastInstance client = HazelcastClient.newHazelcastClient(HazelcastConfigs.client(members.clusterName(), members.addresses()));
        try {
            Member target = client.getCluster().getMembers().iterator().next();
            var future = client.getExecutorService(HazelcastConfigs.EXECUTOR).submitToMember(new ForeignTask(marker), target);
            ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
            assertTrue(String.valueOf(e.getCause()).contains("is not allowed"), "refused by the members' filter: " + e.getCause());
            assertFalse(Files.exists(marker), "the foreign task ran");
            // a value is stored as bytes; a query makes the members deserialize it, and they refuse
            IMap<String, Object> map = client.getMap("foreign-" + java.util.UUID.randomUUID());
            try {
                map.set("k", new ForeignTask(marker));
                RuntimeException q = assertThrows(RuntimeException.class, () -> map.values(Predicates.equal("field", 1)));
                assertTrue(String.valueOf(q.getMessage()).contains("is not allowed") || String.valueOf(q.getCause()).contains("is not allowed"),
                        "refused by the members' filter: " + q);
            } finally {
                map.destroy();
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    @Order(6)
    void theMemberProcessesDeleteTheChunksAKilledClientPersisted() throws InterruptedException {
        allMembers();
        for (int i = 0; i < MEMBERS; i++) {
            assertTrue(members.stdout(i).contains("drivers' grace " + DRIVER_GRACE.toSeconds() + " s"), "the launcher's --driver-grace:\n" + members.output(i));
        }
        long before = chunksHeld();
        long persisted;
        Chunkwise doomed = Chunkwise.builder().threads(1).cluster(members.spec()).build();
        try {
            ChunkedArray x = doomed.random(21).normal(0.0, 1.0, new long[]{120, 90}, new int[]{50, 40}).persist();
            persisted = x.chunks().chunkCount();
            assertEquals(before + persisted, chunksHeld(), "the persisted chunks on the members");
            // killed: its connections close without a word, as a killed process's do; it deletes nothing
            ((ClusterScheduler) doomed.scheduler()).cluster().driverHandle().getLifecycleService().terminate();
        } finally {
            doomed.close();
        }
        assertEquals(before + persisted, chunksHeld(), "the members keep the chunks through the grace period (" + DRIVER_GRACE + ")");
        long deadline = System.nanoTime() + DRIVER_GRACE.toNanos() + TimeUnit.SECONDS.toNanos(20);
        long held;
        while ((held = chunksHeld()) != before && System.nanoTime() < deadline) Thread.sleep(100);
        assertEquals(before, held, "the killed client's persisted chunks are still on the members");
    }

    /** The chunks the members hold, all together. */
    private long chunksHeld() { return allMembers().stream().mapToLong(MemberInfo::chunks).sum(); }

    @Test
    @Order(100)
    void sigtermStopsEachMemberGracefullyWithExitCode0() {
        cw.close();
        cw = null;
        for (int i = MEMBERS - 1; i >= 0; i--) {
            int code = members.stop(i, Duration.ofSeconds(30));
            assertEquals(0, code, members.output(i));
            assertTrue(members.stdout(i).contains("stopped: member " + members.address(i)), members.output(i));
        }
    }
}
