package io.chunkwise.cluster;

import com.hazelcast.client.Client;
import com.hazelcast.client.ClientListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.chunkwise.ChunkwiseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A member's watch on the drivers of its jobs (clients, or members whose context drives jobs). A driver that closes
 * its context ends its jobs and deletes its persisted chunks itself; one that is killed (its process, its machine)
 * cannot. So when a driver leaves the cluster and has not come back after a grace period (a client whose connection
 * broke reconnects within it), the member drops what it holds of the driver's jobs, refuses their later messages and
 * any batch of that driver until it connects again, destroys the jobs' maps, and the oldest member deletes the chunks
 * the driver persisted (the driver recorded them in {@link HazelcastConfigs#PERSISTED_OWNERS_MAP}), as dask's
 * scheduler releases the data of a client that disconnects. A client that comes back later runs jobs again; its
 * persisted arrays are gone (reading one names it as gone from the cluster).
 */
final class DriverWatch implements AutoCloseable {
    /** How long a driver may be gone before its jobs and persisted chunks go: Hazelcast's own client clean-up time. */
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /**
     * How long a driver found gone is remembered: its batches refused, and what a batch of it that was running then
     * leaves dropped when it ends.
     */
    static final Duration GONE_KEPT = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(DriverWatch.class);

    private final Duration grace;
    /** Per job: the driver that sent its batches here. */
    private final Map<String, UUID> jobDrivers = new ConcurrentHashMap<>();
    /**
     * Drivers that left and did not come back within the grace period (a member that comes back has a new id), with
     * when they were found gone (nanoTime), for {@link #GONE_KEPT}: a member sees many clients come and go.
     */
    private final Map<UUID, Long> gone = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile HazelcastInstance instance;
    private volatile Consumer<String> dropJob;

    DriverWatch(Duration grace) {
        this.grace = grace;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chunkwise-driver-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Watches the clients and members of {@code h}; {@code dropJob} drops what the member holds of a job. */
    void attach(HazelcastInstance h, Consumer<String> dropJob) {
        this.instance = h;
        this.dropJob = dropJob;
        h.getClientService().addClientListener(new ClientListener() {
            @Override public void clientConnected(Client client) { gone.remove(client.getUuid()); }

            @Override public void clientDisconnected(Client client) { left(client.getUuid()); }
        });
        h.getCluster().addMembershipListener(new MembershipListener() {
            @Override public void memberAdded(MembershipEvent e) {}

            @Override public void memberRemoved(MembershipEvent e) { left(e.getMember().getUuid()); }
        });
    }

    /** Refuses a batch of job {@code job} from {@code driver} where that driver left (it was on its way when it did). */
    void refuseIfGone(String job, UUID driver) {
        if (gone.containsKey(driver)) throw new ChunkwiseException("job " + job + " belongs to driver " + driver + ", which left the cluster");
    }

    /**
     * Job {@code job} of {@code driver} holds chunks here (after a batch of it; its end, which its driver sends where
     * a job leaves chunks on members, calls {@link #dropped}). Returns false where the driver left meanwhile: the
     * caller drops the job.
     */
    boolean holds(String job, UUID driver) {
        jobDrivers.putIfAbsent(job, driver);
        if (!gone.containsKey(driver)) return true;
        jobDrivers.remove(job);
        return false;
    }

    /** Job {@code job} holds nothing here any more. */
    void dropped(String job) { jobDrivers.remove(job); }

    private void left(UUID driver) {
        try {
            timer.schedule(() -> {
                if (!present(driver)) forget(driver);
            }, grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // this member is stopping: it keeps nothing anyway
        }
    }

    private boolean present(UUID driver) {
        HazelcastInstance h = instance;
        if (h == null || !h.getLifecycleService().isRunning()) return true;   // stopping: nothing to clean
        for (Client c : h.getClientService().getConnectedClients()) if (c.getUuid().equals(driver)) return true;
        for (Member m : h.getCluster().getMembers()) if (m.getUuid().equals(driver)) return true;
        return false;
    }

    private void forget(UUID driver) {
        long now = System.nanoTime();
        gone.values().removeIf(t -> now - t > GONE_KEPT.toNanos());
        gone.put(driver, now);
        List<String> jobs = new ArrayList<>();
        jobDrivers.forEach((job, d) -> {
            if (d.equals(driver)) jobs.add(job);
        });
        HazelcastInstance h = instance;
        try {
            for (String job : jobs) {
                dropJob.accept(job);
                h.getMap(job).destroy();   // the chunks of the job that went into its map (every member that knew it: idempotent)
            }
            int persisted = oldest(h) ? deletePersisted(h, driver) : 0;
            if (!jobs.isEmpty() || persisted > 0) {
                LOG.info("driver {} left the cluster {} ago: dropped {} of its jobs and {} of its persisted chunks", driver, grace,
                        jobs.size(), persisted);
            }
        } catch (RuntimeException e) {
            LOG.warn("cleaning up after driver {}, which left the cluster, failed: {}", driver, e.toString());
        }
    }

    private static boolean oldest(HazelcastInstance h) {
        return h.getCluster().getMembers().iterator().next().localMember();
    }

    /** Deletes the persisted chunks of {@code driver} and their owner records; returns how many. */
    private static int deletePersisted(HazelcastInstance h, UUID driver) {
        IMap<ChunkId, String> owners = h.getMap(HazelcastConfigs.PERSISTED_OWNERS_MAP);
        Set<ChunkId> ids = owners.keySet(Predicates.equal("this", driver.toString()));
        ClusterScheduler.deletePersisted(h, ids);
        return ids.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
