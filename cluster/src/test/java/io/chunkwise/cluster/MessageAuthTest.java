package io.chunkwise.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.chunkwise.DType;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskCodec;
import io.chunkwise.graph.TaskOp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Task batches and reports carry an HMAC checked before their bodies are decoded: batches sent straight to real
 * members through the executor service, each a scatter that stores one chunk in a job map when (and only when) it runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageAuthTest {
    private static final ChunkKey KEY = new ChunkKey("auth-test", new int[]{0});
    private static final byte[] CHUNK = {1, 2, 3, 4, 5, 6, 7, 8};
    private EmbeddedCluster cluster;
    private HazelcastInstance driver;
    private UUID self;
    private Member target, other;
    private Placement placement;

    @BeforeAll
    void start() {
        cluster = EmbeddedCluster.start("chunkwise-auth-test-" + UUID.randomUUID(), 3, 1);
        driver = cluster.driverHandle();
        self = driver.getCluster().getLocalMember().getUuid();
        List<Member> members = List.copyOf(driver.getCluster().getMembers());
        target = members.get(1);
        other = members.get(2);
        placement = Placement.of(driver);
    }

    @AfterAll
    void stop() { cluster.close(); }

    /** A batch that stores {@link #CHUNK} under {@link #KEY} in job map {@code job}, signed with {@code auth}. */
    private TaskBatch batch(MessageAuth auth, String job, UUID to, long seq) { return batch(auth, job, to, seq, TaskBatch.STORE); }

    /** A batch that puts {@link #CHUNK} under {@link #KEY} where {@code where} says: the job map, or the member's own store. */
    private TaskBatch batch(MessageAuth auth, String job, UUID to, long seq, byte where) {
        Task task = new Task(KEY, List.of(), new TaskOp.Scattered(KEY, DType.FLOAT64, new int[]{1}));
        return new TaskBatch("CPU", placement.encoded(), new int[]{7}, new byte[][]{TaskCodec.encode(task)}, new byte[]{where},
                new byte[][]{CHUNK}, new ChunkId[1][], new ChunkId[0]).seal(auth, job, self, to, seq);
    }

    private static String newJob() { return HazelcastConfigs.JOB_MAP_PREFIX + "auth-" + UUID.randomUUID(); }

    private BatchReport submit(TaskBatch b, Member to) throws Exception {
        return driver.getExecutorService(HazelcastConfigs.EXECUTOR).submitToMember(b, to).get(30, TimeUnit.SECONDS);
    }

    /** The batch is refused by its member with the library's exception, and stores nothing. */
    private void assertRefused(TaskBatch b, Member to, String why) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> submit(b, to));
        Throwable c = e.getCause();
        assertTrue(c instanceof UnauthenticatedMessageException && c.getMessage().contains(why), "expected a refusal for '" + why + "': " + c);
        assertNull(driver.getMap(b.job).get(placement.id(KEY)), "a refused batch ran");
    }

    private void done(String job) { driver.getMap(job).destroy(); }

    @Test
    void signedBatchRunsAndItsSignedReportChecksOut() throws Exception {
        String job = newJob();
        BatchReport r = submit(batch(cluster.driverAuth(), job, target.getUuid(), 1), target);
        assertArrayEquals(CHUNK, (byte[]) driver.getMap(job).get(placement.id(KEY)));
        r.open(cluster.driverAuth(), job, self, target.getUuid());
        assertArrayEquals(new int[]{7}, r.positions);
        assertEquals(CHUNK.length, r.outputBytes[0]);
        assertNull(r.errorClass[0]);
        done(job);
    }

    @Test
    void forgedBatchIsRefused() {
        String job = newJob();
        assertRefused(batch(new MessageAuth(MessageAuth.newSecret()), job, target.getUuid(), 1), target, "wrong MAC");
        TaskBatch flipped = batch(cluster.driverAuth(), job, target.getUuid(), 2);
        flipped.body[flipped.body.length - 5] ^= 1;
        assertRefused(flipped, target, "wrong MAC");
        TaskBatch renumbered = batch(cluster.driverAuth(), job, target.getUuid(), 3);
        renumbered.seq = 4;   // a header field changed after signing
        assertRefused(renumbered, target, "wrong MAC");
        TaskBatch swapped = batch(cluster.driverAuth(), job, target.getUuid(), 5);
        swapped.attachments = new byte[][]{{8, 7, 6, 5, 4, 3, 2, 1}};   // another chunk under the same signature
        assertRefused(swapped, target, "wrong MAC");
        TaskBatch dropped = batch(cluster.driverAuth(), job, target.getUuid(), 6);
        dropped.attachments = new byte[][]{null};
        assertRefused(dropped, target, "wrong MAC");
        done(job);
    }

    @Test
    void replayedBatchIsRefusedTheSecondTime() throws Exception {
        String job = newJob();
        TaskBatch b = batch(cluster.driverAuth(), job, target.getUuid(), 1);
        submit(b, target);
        driver.getMap(job).delete(placement.id(KEY));
        assertRefused(b, target, "replayed");
        done(job);
    }

    @Test
    void batchForAnotherMemberIsRefused() {
        String job = newJob();
        assertRefused(batch(cluster.driverAuth(), job, other.getUuid(), 1), target, "meant for member " + other.getUuid());
        done(job);
    }

    @Test
    void unsignedOrTruncatedBatchIsRefused() {
        String job = newJob();
        TaskBatch unsigned = batch(cluster.driverAuth(), job, target.getUuid(), 1);
        unsigned.mac = null;
        assertRefused(unsigned, target, "unsigned");
        TaskBatch truncated = batch(cluster.driverAuth(), job, target.getUuid(), 2);
        truncated.body = Arrays.copyOf(truncated.body, truncated.body.length - 1);
        assertRefused(truncated, target, "wrong MAC");
        TaskBatch shortMac = batch(cluster.driverAuth(), job, target.getUuid(), 3);
        shortMac.mac = Arrays.copyOf(shortMac.mac, 16);
        assertRefused(shortMac, target, "wrong MAC");
        done(job);
    }

    @Test
    void staleBatchIsRefused() {
        String job = newJob();
        TaskBatch b = batch(cluster.driverAuth(), job, target.getUuid(), 1);
        b.issuedAt -= MessageAuth.MAX_SKEW_MS + 60_000;
        b.mac = cluster.driverAuth().mac(MessageAuth.BATCH, b.job, b.sender, b.target, b.seq, b.issuedAt, b.body, b.attachments);
        assertRefused(b, target, "5 minutes");
        done(job);
    }

    @Test
    void driverRefusesForgedOrMisaddressedReports() {
        MessageAuth driverAuth = cluster.driverAuth();
        String job = newJob();
        UUID member = target.getUuid();
        BatchReport forged = new BatchReport(0).seal(new MessageAuth(MessageAuth.newSecret()), job, member, self, 1);
        assertThrows(UnauthenticatedMessageException.class, () -> forged.open(driverAuth, job, self, member));
        BatchReport fromOther = new BatchReport(0).seal(driverAuth, job, other.getUuid(), self, 2);
        assertThrows(UnauthenticatedMessageException.class, () -> fromOther.open(driverAuth, job, self, member));
        BatchReport changed = withOutput(new byte[]{1, 2, 3}).seal(driverAuth, job, member, self, 3);
        changed.attachments[0] = new byte[]{1, 2, 4};   // an output changed after signing
        assertThrows(UnauthenticatedMessageException.class, () -> changed.open(driverAuth, job, self, member));
        BatchReport good = withOutput(new byte[]{1, 2, 3}).seal(driverAuth, job, member, self, 4);
        good.open(driverAuth, job, self, member);
        assertArrayEquals(new byte[]{1, 2, 3}, good.outputs[0]);
        assertThrows(UnauthenticatedMessageException.class, () -> good.open(driverAuth, job, self, member), "a replayed report");
        driverAuth.forget(job);
    }

    private static BatchReport withOutput(byte[] output) {
        BatchReport r = new BatchReport(1);
        r.outputs[0] = output;
        return r;
    }

    /** Checks a batch that holder {@code s} of {@code a}'s key signed for {@code t}, as {@code t} receives it. */
    private static void accept(MessageAuth a, String job, UUID s, UUID t, long seq, long issuedAt) {
        byte[] body = {42};
        byte[][] none = SignedMessage.NO_ATTACHMENTS;
        a.verify(MessageAuth.BATCH, job, s, t, seq, issuedAt, body, none, a.mac(MessageAuth.BATCH, job, s, t, seq, issuedAt, body, none), t, null);
    }

    /**
     * A signed job end makes its member drop what it holds of the job and refuse the job's later batches, also where
     * the end comes before any batch of the job (a batch still on its way); a forged end is refused and drops nothing.
     */
    @Test
    void aJobEndDropsTheJobOnItsMemberAndRefusesItsLaterBatches() throws Exception {
        String job = newJob();
        submit(batch(cluster.driverAuth(), job, target.getUuid(), 1, TaskBatch.KEEP), target);
        assertTrue(heldBy(job), "the kept chunk is held");
        ExecutionException forged = assertThrows(ExecutionException.class,
                () -> end(JobEnd.sealed(new MessageAuth(MessageAuth.newSecret()), job, self, target.getUuid(), 2), target));
        assertTrue(forged.getCause() instanceof UnauthenticatedMessageException, forged.getCause().toString());
        assertTrue(heldBy(job), "a forged end dropped the job's chunk");
        end(JobEnd.sealed(cluster.driverAuth(), job, self, target.getUuid(), 3), target);
        assertFalse(heldBy(job), "the job's chunk is held after its end");
        assertRefused(batch(cluster.driverAuth(), job, target.getUuid(), 4, TaskBatch.KEEP), target, "the job is over");
        assertFalse(heldBy(job), "a batch after the end left a chunk");
        String unseen = newJob();
        end(JobEnd.sealed(cluster.driverAuth(), unseen, self, target.getUuid(), 1), target);
        assertRefused(batch(cluster.driverAuth(), unseen, target.getUuid(), 2, TaskBatch.KEEP), target, "the job is over");
        assertFalse(heldBy(unseen), "a batch that came after its job's end left a chunk");
    }

    private void end(JobEnd e, Member to) throws Exception {
        driver.getExecutorService(HazelcastConfigs.EXECUTOR).submitToMember(e, to).get(30, TimeUnit.SECONDS);
    }

    private boolean heldBy(String job) { return cluster.runtimes().stream().anyMatch(r -> r.jobsHeld().contains(job)); }

    /** A job's replay state goes twice the skew after its end, or after its last message where its end never came. */
    @Test
    void replayStateOfOldJobsIsSwept() {
        MessageAuth a = new MessageAuth(MessageAuth.newSecret());
        UUID s = UUID.randomUUID(), t = UUID.randomUUID();
        long now = System.currentTimeMillis();
        for (String job : List.of("ended", "silent")) accept(a, job, s, t, 1, now);
        a.forget("ended");
        assertEquals(2, a.jobsTracked());
        a.sweep(now + 2 * MessageAuth.MAX_SKEW_MS - 60_000);
        assertEquals(2, a.jobsTracked(), "swept before a replay is refused for its age");
        a.sweep(now + 2 * MessageAuth.MAX_SKEW_MS + 120_000);
        assertEquals(0, a.jobsTracked(), "kept after a replay is refused for its age");
    }

    /** The replay window: out-of-order numbers pass once each; repeats, numbers too far back and finished jobs do not. */
    @Test
    void sequenceWindow() {
        MessageAuth a = new MessageAuth(MessageAuth.newSecret());
        UUID s = UUID.randomUUID(), t = UUID.randomUUID();
        long now = System.currentTimeMillis();
        java.util.function.LongConsumer check = seq -> accept(a, "j", s, t, seq, now);
        check.accept(2);
        check.accept(1);
        for (long seq : new long[]{1, 2, 0, -1}) assertThrows(UnauthenticatedMessageException.class, () -> check.accept(seq), "seq " + seq);
        check.accept(100);
        for (long seq : new long[]{3, 36, 100}) assertThrows(UnauthenticatedMessageException.class, () -> check.accept(seq), "seq " + seq);
        check.accept(37);
        a.forget("j");
        assertThrows(UnauthenticatedMessageException.class, () -> check.accept(101), "a finished job");
        try {
            new MessageAuth(new byte[4]);
            fail("a short secret was accepted");
        } catch (IllegalArgumentException expected) {
            // fine
        }
    }
}
