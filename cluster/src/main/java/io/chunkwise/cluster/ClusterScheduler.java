package io.chunkwise.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ClusterSpec;
import io.chunkwise.ComputationCancelledException;
import io.chunkwise.ComputeListener;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.TaskFailedException;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.PersistedNode;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskCodec;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Partial;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver's side of a cluster: runs a task graph on Hazelcast members, dask-style. The driver owns the graph and
 * its bookkeeping (flat int arrays, as in {@link io.chunkwise.scheduler.LocalScheduler}); a task runs on the member
 * that owns the partition of its output key ({@link ChunkId}), so aligned blockwise chunks never move. Ready tasks
 * go out in batches, one executor call per member per batch (a round trip costs a fraction of a millisecond, so never
 * one call per task), while the member has fewer than {@value #WINDOW_PER_THREAD} x its threads tasks in flight and
 * its share of the memory budget (the context's budget, per member) allows. As placement is fixed by ownership, a
 * larger window costs no balance, only memory, which the budget bounds. A task's output stays on its member when only
 * tasks there read it, goes into the job's map when others (or the driver) do, and comes back in the batch report
 * when the sink wants it. The driver deletes chunks no task needs any more (the deletions ride on the next batch to
 * their member); at the end, also on failure, it tells each member it sent a batch that the job is over
 * ({@link JobEnd}: the member drops what it holds of the job) and destroys the job's map.
 *
 * <p>The driver itself runs the tasks that need its own data: chunks of the user's arrays ({@link TaskOp.Scattered}),
 * persisted chunks ({@link TaskOp.Persisted}), and {@code mapBlocks} with a function the members cannot resolve (a function
 * object, named {@code lambda-...}, that only this JVM holds, or a name registered only in the context); a chunk of
 * theirs that tasks read rides on the next batch to its member (a scatter), and the task counts as done once that
 * member has stored it. That is the one exception to "tasks run on members", and it works only
 * because the driver holds those objects. The other is the small tail of a reduction ({@link #TAIL_BYTES}): its
 * combines and finish run in the driver's loop on the partials that came back in the reports, so that a reduction
 * costs one round trip, not one per level of its tree. A job runs on one backend kind: the members' backends of the context's kind,
 * so results equal the local scheduler's bit for bit.
 *
 * <p>Files: a member reads the chunks of a file ({@link TaskOp.Read}) and writes chunks into one
 * ({@link TaskOp.Write}) where it sees the file as the driver does; where it does not, it reports
 * {@link io.chunkwise.FileNotSharedException} and the driver runs that task itself, and the rest of that file's
 * reads in the job ({@link DriverFiles}).
 */
final class ClusterScheduler implements io.chunkwise.scheduler.Scheduler {
    /**
     * Tasks in flight to a member per thread of its, and one thread's worth more: many small tasks, so that round trips
     * amortise; but a task with an output of {@value #HEAVY_TASK_BYTES} bytes or more counts as half of it, and one of
     * 16 times that as all of it, so that at most 2 heavy tasks, or 1 very heavy one (a GEMM tile), per thread wait on
     * a member while another member could take them (late binding, see {@code balance}). The one more lets a member
     * start its next very heavy task the moment one ends, not a report's round trip later (a member of one thread
     * idled 50-130 ms between two GEMM tiles of 0.8 s).
     */
    static final int WINDOW_PER_THREAD = 64;
    static final long HEAVY_TASK_BYTES = 1L << 20;
    /**
     * Batches in flight to one member at most: while they run, the tasks that become ready gather into the next batch
     * (as Nagle's algorithm gathers bytes), instead of going out one per call.
     */
    static final int BATCHES_IN_FLIGHT = 2;
    /**
     * How often the job loop looks again at late binding while tasks wait and no report comes: a straggler shows by
     * reporting nothing (see {@code pace}), so the loop must not wait for its report to notice it.
     */
    static final long REBALANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * The tail of a reduction runs on the driver, in its loop: a combine or finish whose inputs and output are at
     * most this many bytes each. Its inputs come back in the reports of the batches that made them, so a reduction
     * costs one round trip to the members, not one per level of its tree (3 more for a sum of 10 chunks).
     */
    static final long TAIL_BYTES = 64L << 10;
    /** An output chunk of at least this many bytes that a member returns is decoded straight into the sink's target. */
    static final long TARGET_BYTES = 1L << 20;
    /** Chunk bytes one batch and its report carry at most (scatters in, outputs back), unless one chunk alone is larger. */
    static final long BATCH_BYTES = 32L << 20;
    private static final int DRIVER = -1;
    /** The failure of a task whose member stopped under it (its report may still arrive). */
    private static final String STOPPING = com.hazelcast.core.HazelcastInstanceNotActiveException.class.getName();

    private final ClusterHandle cluster;
    private final boolean ownsCluster;
    /** The spec's recovery settings: task attempts, stall time-out. */
    private final ClusterSpec options;
    private final int threads;
    private final long budget;
    private final Backend driver;
    private final ExecutorService driverPool;
    /** The chunks this scheduler's contexts persisted, deleted from the persisted map when it closes. */
    private final java.util.Set<ChunkId> persistedIds = ConcurrentHashMap.newKeySet();
    /** Where the cluster's chunks live, read from the cluster on first use. */
    private Placement placement;
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chunkwise-job-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterScheduler.class);

    ClusterScheduler(ClusterHandle cluster, boolean ownsCluster, ClusterSpec options, int threads, long budget, Backend driver) {
        this.cluster = cluster;
        this.options = options;
        this.ownsCluster = ownsCluster;
        this.threads = threads;
        this.budget = budget;
        this.driver = driver;
        AtomicInteger n = new AtomicInteger();
        this.driverPool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "chunkwise-driver-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private synchronized Placement placement() {
        if (placement == null) placement = Placement.of(cluster.driverHandle());
        return placement;
    }

    /** The members this scheduler runs tasks on. */
    ClusterHandle cluster() { return cluster; }

    @Override public int threads() { return threads; }

    @Override public long memoryBudget() { return budget; }

    @Override
    public int gemmTile(BackendKind kind) {
        checkKind(kind);
        return driver.gemmTile();
    }

    private void checkKind(BackendKind kind) {
        if (kind != BackendKind.AUTO && kind != driver.kind()) {
            throw new BackendUnavailableException("this cluster context runs tasks on " + driver.kind() + " backends, not " + kind + " ones");
        }
    }

    @Override
    public void run(TaskGraph graph, BackendKind kind, TaskEnv env, Sink sink, ComputeListener listener) {
        runJob(graph, kind, env, sink, null, listener);
    }

    @Override public boolean keepsPersisted() { return true; }

    /**
     * Runs the graph with each output stored by its member in the persisted map (one synchronous backup), under its
     * stored keys, until this scheduler closes; a failed run deletes the ones it stored.
     */
    @Override
    public void persist(TaskGraph graph, BackendKind kind, TaskEnv env, Map<ChunkKey, List<ChunkKey>> storedKeys, ComputeListener listener) {
        List<ChunkId> ids = new ArrayList<>();
        Placement placement = placement();
        storedKeys.values().forEach(keys -> keys.forEach(k -> ids.add(placement.id(k))));
        persistedIds.addAll(ids);
        try {
            // recorded first: the members delete the chunks of a driver that is killed while or after it persists them
            String self = cluster.driverUuid().toString();
            Map<ChunkId, String> owned = new java.util.HashMap<>();
            for (ChunkId id : ids) owned.put(id, self);
            cluster.driverHandle().<ChunkId, String>getMap(HazelcastConfigs.PERSISTED_OWNERS_MAP).putAll(owned);
            runJob(graph, kind, env, (key, block) -> false, storedKeys, listener);
        } catch (RuntimeException | Error e) {
            deletePersisted(ids);
            throw e;
        }
    }

    /** Deletes the persisted chunks this context stored under {@code storedKeys}, wherever placement put them then. */
    @Override
    public void unpersist(java.util.Collection<ChunkKey> storedKeys) {
        java.util.Set<ChunkKey> keys = new java.util.HashSet<>(storedKeys);
        List<ChunkId> ids = new ArrayList<>();
        for (ChunkId id : persistedIds) if (keys.contains(id.key())) ids.add(id);
        deletePersisted(ids);
    }

    /** Deletes this context's persisted chunks {@code ids}; a cluster that is gone has deleted them already. */
    private void deletePersisted(List<ChunkId> ids) {
        ids.forEach(persistedIds::remove);
        deletePersisted(cluster.driverHandle(), ids);
    }

    /**
     * Deletes persisted chunks and their owner records through {@code hz}, waiting at most 30 s for each (a failure is
     * logged): a context's own at its close, and those of a driver that was killed ({@link DriverWatch}).
     */
    static void deletePersisted(HazelcastInstance hz, java.util.Collection<ChunkId> ids) {
        try {
            IMap<ChunkId, byte[]> map = hz.getMap(HazelcastConfigs.PERSISTED_MAP);
            IMap<ChunkId, String> owners = hz.getMap(HazelcastConfigs.PERSISTED_OWNERS_MAP);
            List<java.util.concurrent.CompletionStage<Boolean>> deletes = new ArrayList<>(2 * ids.size());
            for (ChunkId id : ids) {
                deletes.add(map.deleteAsync(id));
                deletes.add(owners.deleteAsync(id));
            }
            for (java.util.concurrent.CompletionStage<Boolean> d : deletes) d.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("deleting {} persisted chunks was interrupted", ids.size());
        } catch (Exception e) {
            LOG.warn("deleting {} persisted chunks failed: {}", ids.size(), e.toString());
        }
    }

    private void runJob(TaskGraph graph, BackendKind kind, TaskEnv env, Sink sink, Map<ChunkKey, List<ChunkKey>> persistAs,
                        ComputeListener listener) {
        checkKind(kind);
        try {
            listener.started(graph.size());
        } catch (RuntimeException e) {
            throw new ChunkwiseException("the compute listener failed: " + e, e);
        }
        if (graph.size() == 0) return;
        try {
            new Job(graph, kind == BackendKind.AUTO ? driver.kind() : kind, env, sink, persistAs, listener).run();
        } catch (com.hazelcast.core.HazelcastException | com.hazelcast.core.HazelcastInstanceNotActiveException e) {
            throw new io.chunkwise.ClusterUnavailableException("the cluster's members cannot be reached (they may all have left): " + e.getMessage(), e);
        }
    }

    /**
     * Cleans up after a finished job off the driver's path: sends each {@link JobEnd} to its member (which drops what it
     * holds of the job), then destroys the job map if {@code destroyMap} (a destroy addresses every member:
     * milliseconds; the map's chunks are unreachable already).
     */
    private void cleanUpInBackground(String mapName, Map<Member, JobEnd> ends, boolean destroyMap) {
        if (ends.isEmpty() && !destroyMap) return;
        HazelcastInstance hz = cluster.driverHandle();
        Runnable cleanUp = () -> {
            IExecutorService executor = hz.getExecutorService(HazelcastConfigs.EXECUTOR);
            ends.forEach((member, end) -> {
                try {
                    executor.submitToMember(end, member);   // not awaited: a member that left holds nothing
                } catch (RuntimeException e) {
                    LOG.debug("the end of job {} did not reach member {}: {}", mapName, member.getAddress(), e.toString());
                }
            });
            if (destroyMap) hz.getMap(mapName).destroy();
        };
        try {
            cleaner.execute(() -> {
                try {
                    cleanUp.run();
                } catch (RuntimeException e) {
                    LOG.warn("cleaning up after job {} failed: {}", mapName, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            cleanUp.run();
        }
    }

    @Override
    public void close() {
        if (!ownsCluster && !persistedIds.isEmpty()) deletePersisted(new ArrayList<>(persistedIds));
        driverPool.shutdownNow();
        cleaner.shutdown();
        try {
            if (!cleaner.awaitTermination(30, TimeUnit.SECONDS)) LOG.warn("jobs still being cleaned up after 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsCluster) cluster.close();
    }

    /**
     * When the phases of a job ended, by {@link System#nanoTime}: made (the job's arrays and map proxy), set up (its
     * membership listener added), first batch sent, last report received, loop ended (outputs delivered), cleaned up.
     * For probes of the per-job cost; 0 where a phase did not happen.
     */
    record JobTimes(long created, long made, long setUp, long firstSent, long lastReport, long loopEnded, long cleanedUp) {}

    /** The last job's times (probes only). */
    volatile JobTimes lastJob;

    /** What the job loop reacts to: a driver task's outcome, a batch's report or failure, a member leaving. */
    private sealed interface Event {}

    /**
     * A task run on the driver ended: its chunk ({@code envelope}, null if no task reads it) or its failure. The chunk
     * goes to its member when tasks there read it (a scatter), and stays on the driver when tasks here do.
     */
    private record DriverDone(int task, byte[] envelope, long nanos, Throwable failure) implements Event {}

    /**
     * A batch to member {@code member} came back: its report, opened (its MAC checked and its body decoded) on the
     * thread that received it, or why it was refused ({@code refused}), or the failure of the call.
     */
    private record BatchDone(int member, int[] tasks, Sent sent, BatchReport report, ChunkwiseException refused, Throwable failure) implements Event {}

    /** A batch in flight to a member: when it went out and how many tasks it holds. */
    private record Sent(long at, int tasks) {}

    /** Member {@code uuid} left the cluster. */
    private record MemberGone(UUID uuid) implements Event {}

    /** Task states. A task's chunk exists while it is DONE and {@code refs > 0} (and its holder lives). */
    private static final byte WAITING = 0, READY = 1, RUNNING = 2, DONE = 3;

    /**
     * One run of a graph. The state machine is dask.distributed's, in flat arrays: a task waits for its inputs, is
     * ready (queued for its member, or for the driver), runs (in a batch on a member, or on a driver thread), and is
     * done; its chunk is held until no task needs it ({@code refs}). A member that leaves sends its running tasks back
     * to ready and the chunks it held back to undone (lineage: their inputs are made again where they are gone too),
     * on the members that remain, which take over its partitions.
     */
    private final class Job {
        final TaskGraph graph;
        final BackendKind kind;
        final TaskEnv env;
        final Sink sink;
        /** In a persist: the keys each output is kept under in the persisted map (the sink gets nothing); else null. */
        final Map<ChunkKey, List<ChunkKey>> persistAs;
        final ComputeListener listener;
        final int n;
        final int[][] distinctDeps;
        final int[] dependentStart, dependents;
        /** WAITING: inputs not done; refs: readers not done (+1 for an output not delivered yet). */
        final int[] pending, refs;
        final byte[] state;
        /** Where a task runs (or ran): a member index, or DRIVER; {@code home}: the member owning its key's partition. */
        final int[] owner, runner, home;
        /** Times a task was lost while running (its member left) or found an input missing. */
        final int[] attempts;
        final boolean[] output, onDriver, delivered, counted, kept;
        /** Per output task a member runs: where the sink lets its returned chunk be decoded in place, else null. */
        final Target[] targets;
        final long[] need, held;
        final HazelcastInstance hz;
        /** The job map's proxy on the driver, made when the driver first reads the map (most jobs never do). */
        private IMap<ChunkId, byte[]> map;
        /**
         * Whether a batch asked a member to hold one of the job's chunks (kept, stored in the job map, or scattered):
         * only then do the members that were sent batches have state of the job to drop, and get a {@link JobEnd}.
         */
        private boolean membersHoldChunks;
        /**
         * Whether a batch asked a member to store a chunk in the job map: only then is the map destroyed at the job's
         * end (an unused map made and destroyed cost every member a call, an event and a sweep of its partitions).
         */
        private boolean mapStored;
        final String mapName;
        final Member[] members;
        final Map<UUID, Integer> memberIndex = new HashMap<>();
        final boolean[] alive;
        final int driverMember;
        final int[] memberThreads, inFlight;
        /** Per member: whether it was sent a batch of this job. */
        final boolean[] sentTo;
        final long[] live;
        /** Per member: how long its tasks took lately (a moving average), for late binding. */
        final double[] taskNanos;
        /** Per member: its batches in flight, oldest first. */
        final List<List<Sent>> running = new ArrayList<>();
        final List<List<ChunkId>> deletes = new ArrayList<>();
        /** Per member: driver tasks whose chunks wait to ride on the next batch there; their envelopes by task. */
        final List<List<Integer>> scatters = new ArrayList<>();
        final byte[][] scatterBytes;
        final List<PriorityQueue<Integer>> ready = new ArrayList<>();
        final PriorityQueue<Integer> driverReady = new PriorityQueue<Integer>();
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final MessageAuth auth = cluster.driverAuth();
        final UUID self;
        final Placement placement = placement();
        /** Members by partition key, as {@link #placeOf} found them. */
        final Map<Integer, Integer> ownerOfPlacement = new HashMap<>();
        final DriverFiles files = new DriverFiles();
        /**
         * Persisted chunks the job reads: done from the start, as their readers read them from the persisted map on
         * their own members (which hold the primary or the backup). One runs as a task only when it is an output, or
         * is made again after its member left (from the backup).
         */
        final List<Integer> persistedInputs = new ArrayList<>();
        /** Chunks held by the driver for the tasks it runs (returned by members, or made here), by task. */
        final Map<Integer, byte[]> atDriver = new HashMap<>();
        /** Tasks of a reduction's tail ({@link #TAIL_BYTES}), run in the driver's loop. */
        final boolean[] tail;
        UUID membershipListener;
        /** When the job's phases ended, by System.nanoTime (see {@link JobTimes}). */
        final long created = System.nanoTime();
        long made, setUp, firstSent, lastReport, loopEnded;
        long seq;
        int driverRunning, remaining, done, membersAlive;
        Throwable error;

        Job(TaskGraph graph, BackendKind kind, TaskEnv env, Sink sink, Map<ChunkKey, List<ChunkKey>> persistAs, ComputeListener listener) {
            this.graph = graph;
            this.persistAs = persistAs;
            this.kind = kind;
            this.env = env;
            this.sink = sink;
            this.listener = listener;
            hz = cluster.driverHandle();
            self = cluster.driverUuid();
            members = hz.getCluster().getMembers().toArray(new Member[0]);
            for (int m = 0; m < members.length; m++) memberIndex.put(members[m].getUuid(), m);
            driverMember = memberIndex.getOrDefault(self, DRIVER);
            // the job's tasks run on the members that offer its backend kind; the others only hold partitions
            alive = new boolean[members.length];
            memberThreads = new int[members.length];
            java.util.Set<String> offered = new java.util.TreeSet<>();
            for (int m = 0; m < members.length; m++) {
                MemberAttributes a = MemberAttributes.of(members[m]);
                alive[m] = a.offers(kind);
                if (alive[m]) membersAlive++;
                a.backends().forEach(b -> offered.add(b.name()));
                memberThreads[m] = a.threads();
            }
            if (membersAlive == 0) {
                throw new BackendUnavailableException("no member of the cluster offers a " + kind + " backend (they offer "
                        + (offered.isEmpty() ? "none" : String.join(", ", offered)) + ")");
            }
            inFlight = new int[members.length];
            sentTo = new boolean[members.length];
            live = new long[members.length];
            taskNanos = new double[members.length];
            for (int m = 0; m < members.length; m++) {
                ready.add(new PriorityQueue<>());
                running.add(new ArrayList<>());
                deletes.add(new ArrayList<>());
                scatters.add(new ArrayList<>());
            }
            n = graph.size();
            distinctDeps = new int[n][];
            pending = new int[n];
            refs = new int[n];
            state = new byte[n];
            owner = new int[n];
            runner = new int[n];
            home = new int[n];
            attempts = new int[n];
            output = new boolean[n];
            targets = new Target[n];
            onDriver = new boolean[n];
            delivered = new boolean[n];
            counted = new boolean[n];
            kept = new boolean[n];
            need = new long[n];
            held = new long[n];
            scatterBytes = new byte[n][];
            tail = new boolean[n];
            dependentStart = graph.consumerStarts();
            dependents = graph.consumers();
            long[] size = new long[n], bytesAt = new long[members.length];
            for (int t = 0; t < n; t++) {   // inputs first: the graph is in post-order
                Task task = graph.task(t);
                home[t] = placeOf(t);
                int[] dd = graph.distinctDeps(t);
                distinctDeps[t] = dd;
                need[t] = task.op().outputBytes();
                tail[t] = isTail(task.op(), dd, need);
                onDriver[t] = tail[t] || runsOnDriver(task.op());
                size[t] = task.op() instanceof TaskOp.Persisted p ? (long) io.chunkwise.Shapes.size(p.shape()) * p.dtype().byteSize() : need[t];
                owner[t] = onDriver[t] ? home[t] : nearestInputs(t, size, bytesAt);
                pending[t] = dd.length;
                refs[t] = consumers(t);
            }
            for (int o = 0; o < graph.outputCount(); o++) {
                int t = graph.outputTask(o);
                if (!output[t]) {
                    output[t] = true;
                    refs[t]++;
                    // large chunks only: a sink may read the whole graph to offer its first target
                    if (persistAs == null && !onDriver[t] && need[t] >= TARGET_BYTES) targets[t] = sink.target(graph.task(t).key());
                }
            }
            for (int t = 0; t < n; t++) {
                if (pending[t] != 0) continue;
                if (graph.task(t).op() instanceof TaskOp.Persisted && !output[t]) persistedInputs.add(t);
                else makeReady(t);
            }
            remaining = n;
            mapName = HazelcastConfigs.JOB_MAP_PREFIX + UUID.randomUUID();
            made = System.nanoTime();
        }

        /**
         * The member that owns the partition of task t's key, while it takes part in this job; else (it left) one of
         * the remaining members, chosen by the key's placement, so that aligned chunks stay together.
         */
        private int placeOf(int t) {
            ChunkId id = placement.id(graph.task(t).key());
            ChunkKey key = id.key();
            return ownerOfPlacement.computeIfAbsent(id.getPartitionKey(), p -> {
                Member o = hz.getPartitionService().getPartition(id).getOwner();
                Integer m = o == null ? null : memberIndex.get(o.getUuid());
                if (m != null && alive[m]) return m;
                if (membersAlive == 0) throw new io.chunkwise.ClusterUnavailableException("no member of the cluster is left to run " + key);
                int k = Math.floorMod(p, membersAlive);
                for (int i = 0; i < members.length; i++) if (alive[i] && k-- == 0) return i;
                throw new IllegalStateException("unreachable");
            });
        }

        /**
         * Where task t moves the fewest chunk bytes: its inputs are where their keys' partitions are (their home), and
         * its output goes to its own home. So it runs at home unless another member holds more of its input bytes
         * than its output weighs (a combine of partials, a matmul tile whose panels sit elsewhere).
         */
        private int nearestInputs(int t, long[] size, long[] bytesAt) {
            int[] dd = distinctDeps[t];
            int best = home[t];
            if (dd.length == 0) return best;
            for (int d : dd) bytesAt[home[d]] += size[d];
            long bestSaved = bytesAt[best];
            for (int d : dd) {
                int m = home[d];
                if (bytesAt[m] - need[t] > bestSaved) {
                    best = m;
                    bestSaved = bytesAt[m] - need[t];
                }
            }
            for (int d : dd) bytesAt[home[d]] = 0;
            return best;
        }

        /** Whether a task with op {@code op} and inputs {@code deps} is a reduction's small tail ({@link #TAIL_BYTES}). */
        private boolean isTail(TaskOp op, int[] deps, long[] need) {
            if (!(op instanceof TaskOp.ReduceCombine || op instanceof TaskOp.ReduceFinish) || op.outputBytes() > TAIL_BYTES) return false;
            for (int d : deps) {
                if (need[d] > TAIL_BYTES || graph.task(d).op() instanceof TaskOp.Persisted) return false;
            }
            return true;
        }

        /** Whether the driver made the job map's proxy: it is destroyed at the job's end then. */
        private synchronized boolean mapMade() { return map != null; }

        /**
         * The job map (a proxy look-up costs about a millisecond, off the path of jobs that never read it; members
         * make theirs where a batch needs it). Destroyed at the job's end.
         */
        private synchronized IMap<ChunkId, byte[]> map() {
            if (map == null) map = hz.getMap(mapName);
            return map;
        }

        /** Tasks the members cannot resolve; see the class comment. */
        private boolean runsOnDriver(TaskOp op) {
            return switch (op) {
                case TaskOp.Scattered s -> true;
                case TaskOp.Persisted p -> false;   // members read the persisted map
                case TaskOp.MapBlocks m -> m.function().startsWith("lambda-") || !MEMBER_CLASSES.knows(m.function());
                default -> false;
            };
        }

        private void makeReady(int t) {
            if (!alive[owner[t]]) owner[t] = placeOf(t);   // a task made again after its member left
            if (!alive[home[t]]) home[t] = owner[t];
            state[t] = READY;
            if (onDriver[t]) driverReady.add(t);
            else ready.get(owner[t]).add(t);
        }

        void run() {
            try {
                membershipListener = hz.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
                    @Override public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {}

                    @Override public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) { events.add(new MemberGone(e.getMember().getUuid())); }
                });
                // a member may have left between the job's start and the listener's
                java.util.Set<UUID> now = new java.util.HashSet<>();
                for (Member m : hz.getCluster().getMembers()) now.add(m.getUuid());
                for (Member m : members) if (!now.contains(m.getUuid())) events.add(new MemberGone(m.getUuid()));
                for (int t : persistedInputs) {
                    state[t] = RUNNING;
                    complete(t, home[t], 0, 0, null);
                }
                setUp = System.nanoTime();
                loop();
                loopEnded = System.nanoTime();
            } catch (RuntimeException e) {
                if (error == null) error = e;
            } finally {
                awaitInFlight();
                try {
                    if (membershipListener != null) hz.getCluster().removeMembershipListener(membershipListener);
                } catch (RuntimeException e) {
                    LOG.debug("removing the job's membership listener failed: {}", e.toString());
                }
                auth.forget(mapName);
                Map<Member, JobEnd> ends = new HashMap<>();
                for (int m = 0; m < members.length; m++) {
                    if (membersHoldChunks && sentTo[m] && alive[m]) ends.put(members[m], JobEnd.sealed(auth, mapName, self, members[m].getUuid(), ++seq));
                }
                cleanUpInBackground(mapName, ends, mapStored || mapMade());
                lastJob = new JobTimes(created, made, setUp, firstSent, lastReport, loopEnded, System.nanoTime());
            }
            if (error != null) {
                if (error instanceof ChunkwiseException ce) throw ce;
                throw new TaskFailedException("computation failed: " + error, error);
            }
        }

        private void loop() {
            long stallNanos = options.stallTimeout().toNanos();
            long lastEvent = System.nanoTime();
            while (remaining > 0 && error == null) {
                dispatch();
                if (error != null) break;
                if (nothingRunning()) {
                    error = budgetError();
                    break;
                }
                Event e;
                long stallLeft = lastEvent + stallNanos - System.nanoTime();
                try {
                    e = stallLeft <= 0 ? null : events.poll(tasksWait() ? Math.min(stallLeft, REBALANCE_NANOS) : stallLeft, TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    error = new ComputationCancelledException("the computation was cancelled: its thread was interrupted", ie);
                    break;
                }
                if (e == null) {
                    if (System.nanoTime() - lastEvent < stallNanos) continue;   // a look at late binding, nothing ended
                    error = new io.chunkwise.ClusterUnavailableException("no task finished within " + options.stallTimeout().toSeconds()
                            + " s (ClusterSpec.stallTimeout); a member may hang");
                    break;
                }
                lastEvent = System.nanoTime();
                handle(e);
                for (Event more; error == null && (more = events.poll()) != null; ) handle(more);
            }
        }

        private boolean nothingRunning() {
            if (driverRunning > 0) return false;
            for (List<Sent> r : running) if (!r.isEmpty()) return false;
            return true;
        }

        /** Whether ready tasks wait for a member's window (which late binding may give to another member). */
        private boolean tasksWait() {
            for (PriorityQueue<Integer> r : ready) if (!r.isEmpty()) return true;
            return false;
        }

        /** Waits (bounded) for the batches and driver tasks still running, so that none writes into a destroyed map. */
        private void awaitInFlight() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean interrupted = Thread.interrupted();
            while (!nothingRunning()) {
                long left = deadline - System.nanoTime();
                Event e = null;
                try {
                    if (left > 0) e = events.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                    interrupted = true;
                }
                if (e == null) break;   // gave up waiting: the map is destroyed anyway
                if (e instanceof DriverDone) driverRunning--;
                else if (e instanceof BatchDone b) running.get(b.member).remove(b.sent);
            }
            if (interrupted) Thread.currentThread().interrupt();
        }

        private void dispatch() {
            while (!driverReady.isEmpty() && driverRunning < Math.max(1, threads)) {
                int t = driverReady.peek();
                if (!reserve(owner[t], t)) break;
                driverReady.poll();
                driverRunning++;
                state[t] = RUNNING;
                runner[t] = DRIVER;
                boolean deliver = output[t] && !delivered[t];
                Map<ChunkKey, byte[]> inputs = new HashMap<>();
                for (int d : distinctDeps[t]) {
                    byte[] v = atDriver.get(d);
                    if (v != null) inputs.put(graph.task(d).key(), v);
                }
                boolean encode = consumers(t) > 0;   // its chunk, for its readers
                if (tail[t]) runOnDriver(t, deliver, inputs, encode);   // microseconds: no hand-off to a driver thread
                else driverPool.execute(() -> runOnDriver(t, deliver, inputs, encode));
            }
            balance();
            // the driver's own member last: its task threads start at once in this JVM and take the cores from the
            // thread that would still send the other members' batches
            for (int i = 0; i < members.length; i++) {
                int m = driverMember < 0 ? i : (driverMember + 1 + i) % members.length;
                while (alive[m] && error == null && sendBatch(m)) {
                    // another batch while the member takes one: a batch cut at BATCH_BYTES leaves ready tasks behind
                }
            }
        }

        /** Sends member m a batch of its ready tasks and scattered chunks, as many as its window takes; false if none. */
        private boolean sendBatch(int m) {
            int room = window(m) - inFlight[m];
            List<Integer> scattered = scatters.get(m);
            if (room <= 0 || running.get(m).size() >= BATCHES_IN_FLIGHT || (ready.get(m).isEmpty() && scattered.isEmpty())) return false;
            List<Integer> batch = new ArrayList<>(Math.min(room, ready.get(m).size() + scattered.size()));
            long bytes = 0;   // chunk bytes the batch and its report carry
            int carried = 0;
            while (carried < Math.min(room, scattered.size())) {
                long b = scatterBytes[scattered.get(carried)].length;
                if (carried > 0 && bytes + b > BATCH_BYTES) break;
                bytes += b;
                carried++;
            }
            batch.addAll(scattered.subList(0, carried));
            scattered.subList(0, carried).clear();
            room -= carried;
            while (!ready.get(m).isEmpty() && error == null) {
                int t = ready.get(m).peek();
                if (weight(t) > room) break;
                long b = output[t] && !delivered[t] ? need[t] : 0;
                if (!batch.isEmpty() && bytes + b > BATCH_BYTES) break;
                if (!reserve(m, t)) break;
                bytes += b;
                ready.get(m).poll();
                batch.add(t);
                room -= weight(t);
            }
            if (batch.isEmpty()) return false;
            send(m, batch);
            return true;
        }

        /** The window weight member m may have in flight (see {@link #WINDOW_PER_THREAD}). */
        private int window(int m) { return WINDOW_PER_THREAD * (memberThreads[m] + 1); }

        /** What task t counts for in its member's window (see {@link #WINDOW_PER_THREAD}). */
        private int weight(int t) {
            return need[t] >= 16 * HEAVY_TASK_BYTES ? WINDOW_PER_THREAD : need[t] >= HEAVY_TASK_BYTES ? WINDOW_PER_THREAD / 2 : 1;
        }

        /**
         * Late binding: a member with nothing to do (nothing in flight, nothing queued) takes ready tasks of the member
         * with the most queued tasks that its window cannot take now (as many of those as its own window takes),
         * unless its own tasks took more than twice as long as that member's lately. Only tasks whose inputs are all in the job map move (a chunk kept on its member is
         * readable there only); they read them from their homes, and the bits do not change: the same task on the
         * same kind of backend.
         */
        private void balance() {
            long now = System.nanoTime();
            for (int m = 0; m < members.length; m++) {
                // idle: a member that still runs tasks of its own may be the slow one
                if (!alive[m] || !ready.get(m).isEmpty() || !scatters.get(m).isEmpty() || inFlight[m] > 0) continue;
                int v = -1;
                long excess = 0;
                for (int o = 0; o < members.length; o++) {
                    // a member much slower than o (its tasks took longer, lately) would only delay o's tasks
                    if (o == m || !alive[o] || ready.get(o).isEmpty() || taskNanos[m] > 2 * pace(o, now)) continue;
                    long more = queuedWeight(o) - Math.max(0, window(o) - inFlight[o]);   // what o's window cannot take now
                    if (more > excess) {
                        v = o;
                        excess = more;
                    }
                }
                if (v < 0) continue;
                PriorityQueue<Integer> from = ready.get(v);
                List<Integer> stay = new ArrayList<>();
                long room = window(m) - inFlight[m];
                for (long take = excess; take > 0 && room > 0 && !from.isEmpty() && stay.size() < 64; ) {
                    int t = from.poll();
                    if (movable(t) && weight(t) <= room) {
                        owner[t] = m;
                        ready.get(m).add(t);
                        room -= weight(t);
                        take -= weight(t);
                    } else {
                        stay.add(t);
                    }
                }
                from.addAll(stay);
            }
        }

        /**
         * How long member o's tasks take, as far as the driver can tell now: the moving average of those it reported,
         * or more while its oldest batch in flight has run longer than that (a straggler shows before it reports): a
         * batch of k tasks on its t threads that is not done after d took about d t / k or more a task.
         */
        private double pace(int o, long now) {
            List<Sent> r = running.get(o);
            if (r.isEmpty()) return taskNanos[o];
            Sent oldest = r.get(0);
            return Math.max(taskNanos[o], (double) (now - oldest.at) * memberThreads[o] / oldest.tasks);
        }

        /**
         * Whether member m has more tasks queued than it can take as heavy ones: the heavy readers of chunks it makes
         * now may be taken by other members, so those chunks go into the job map (on m, their home), not m's own store.
         */
        private boolean backlogged(int m) { return ready.get(m).size() > 2 * memberThreads[m]; }

        private boolean heavyReaders(int t) {
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) if (weight(dependents[i]) > 1) return true;
            return false;
        }

        /** The window weight of member o's queued tasks (its first 1024 counted, the rest as their average). */
        private long queuedWeight(int o) {
            long sum = 0;
            int counted = 0;
            for (java.util.Iterator<Integer> it = ready.get(o).iterator(); it.hasNext() && counted < 1024; counted++) sum += weight(it.next());
            return counted == 0 ? 0 : sum * ready.get(o).size() / counted;
        }

        /** Whether ready task t can run on another member: none of its inputs is kept on its member only. */
        private boolean movable(int t) {
            for (int d : distinctDeps[t]) if (kept[d]) return false;
            return true;
        }

        /**
         * Whether every task that reads task t's chunk runs on member m, or on the driver where its chunk comes back
         * in the report ({@link #returnsToDriver}).
         */
        private boolean readersAllOn(int t, int m) {
            boolean back = returnsToDriver(t);
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) {
                int u = dependents[i];
                if (onDriver[u] ? !(back && tail[u]) : owner[u] != m) return false;
            }
            return true;
        }

        /** Whether task t's chunk comes back to the driver in its report: a reduction's tail on the driver reads it. */
        private boolean returnsToDriver(int t) {
            if (need[t] > TAIL_BYTES) return false;
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) if (tail[dependents[i]]) return true;
            return false;
        }

        /** Whether a task on a member reads task t's chunk. */
        private boolean memberReaders(int t) {
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) if (!onDriver[dependents[i]]) return true;
            return false;
        }

        /** Whether a task on the driver reads task t's chunk. */
        private boolean driverReaders(int t) {
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) if (onDriver[dependents[i]]) return true;
            return false;
        }

        /** Reserves task t's output bytes on member m; false where they do not fit now. */
        private boolean reserve(int m, int t) {
            if (need[t] > budget) {
                Task task = graph.task(t);
                error = new MemoryBudgetExceededException("task " + task.key() + " (" + task.op().describe() + ") needs " + need[t]
                        + " bytes but the memory budget is " + budget + " bytes; use smaller chunks or a larger budget");
                return false;
            }
            if (live[m] + need[t] > budget) return false;
            live[m] += need[t];
            return true;
        }

        private ChunkwiseException budgetError() {
            for (int m = 0; m < members.length; m++) {
                if (!ready.get(m).isEmpty()) {
                    Task task = graph.task(ready.get(m).peek());
                    return new MemoryBudgetExceededException("task " + task.key() + " needs " + need[ready.get(m).peek()] + " bytes while "
                            + live[m] + " bytes of chunks waiting for their consumers are held on its member, over the memory budget of "
                            + budget + " bytes; use smaller chunks or a larger budget");
                }
            }
            if (!driverReady.isEmpty()) {
                Task task = graph.task(driverReady.peek());
                return new MemoryBudgetExceededException("task " + task.key() + " does not fit the memory budget of " + budget + " bytes");
            }
            return new ChunkwiseException("the cluster job stalled with " + remaining + " tasks left and none ready");
        }

        private void send(int m, List<Integer> batch) {
            int k = batch.size();
            int[] positions = new int[k];
            byte[][] tasks = new byte[k][];
            byte[] flags = new byte[k];
            byte[][] values = new byte[k][];
            ChunkId[][] persistIds = new ChunkId[k][];
            for (int i = 0; i < k; i++) {
                int t = batch.get(i);
                positions[i] = t;
                boolean back = scatterBytes[t] == null && returnsToDriver(t);
                boolean keep = consumers(t) > 0 && readersAllOn(t, m) && !(backlogged(m) && heavyReaders(t));
                // a chunk that only the driver reads (and gets back) is not held on the member at all
                byte where = consumers(t) == 0 || (back && !memberReaders(t)) ? 0 : keep ? TaskBatch.KEEP : TaskBatch.STORE;
                kept[t] = keep && where != 0;
                if (where != 0) membersHoldChunks = true;
                if (where == TaskBatch.STORE) mapStored = true;
                tasks[i] = TaskCodec.encode(graph.task(t));
                if (scatterBytes[t] != null) {   // a driver task's chunk: the member stores it, nothing to run
                    values[i] = scatterBytes[t];
                    scatterBytes[t] = null;
                    flags[i] = where;
                } else {
                    state[t] = RUNNING;
                    byte deliver = back ? TaskBatch.RETURN : 0;
                    if (output[t] && !delivered[t]) {
                        if (persistAs == null) {
                            deliver |= TaskBatch.RETURN;
                        } else {
                            deliver |= TaskBatch.PERSIST;
                            persistIds[i] = persistAs.get(graph.task(t).key()).stream().map(placement::id).toArray(ChunkId[]::new);
                        }
                    }
                    flags[i] = (byte) (where | deliver);
                }
                runner[t] = m;
            }
            List<ChunkId> d = deletes.get(m);
            TaskBatch b = new TaskBatch(kind.name(), placement.encoded(), positions, tasks, flags, values, persistIds, d.toArray(new ChunkId[0]))
                    .seal(auth, mapName, self, members[m].getUuid(), ++seq);
            d.clear();
            sentTo[m] = true;
            for (int t : batch) inFlight[m] += weight(t);
            Sent sent = new Sent(System.nanoTime(), batch.size());
            running.get(m).add(sent);
            if (firstSent == 0) firstSent = System.nanoTime();
            try {
                IExecutorService executor = hz.getExecutorService(HazelcastConfigs.EXECUTOR);
                // completed on the thread that receives the response: a plain whenComplete hands the callback to
                // Hazelcast's default async executor, which, where the common pool has one thread (2 cores), starts a
                // thread per callback (a batch's round trip took 3-7 ms with it on 2 loaded cores, 1-4 ms without)
                java.util.concurrent.Future<BatchReport> f = executor.submitToMember(b, members[m]);
                // the report is opened there too: the MACs of reports that arrive together (GEMM tiles of 32 MB, 22 ms
                // each) are checked side by side on the receiving threads, not one after another in the job loop
                ((java.util.concurrent.CompletionStage<BatchReport>) f).whenCompleteAsync((r, x) -> events.add(opened(m, positions, sent, r, x)), Runnable::run);
            } catch (RuntimeException e) {
                events.add(new BatchDone(m, positions, sent, null, null, e));
            }
        }

        /** The outcome of a batch's call, its report opened (checked and decoded) if there is one. */
        private BatchDone opened(int m, int[] positions, Sent sent, BatchReport r, Throwable failure) {
            if (r == null) return new BatchDone(m, positions, sent, null, null, failure);
            try {
                r.open(auth, mapName, self, members[m].getUuid());
                return new BatchDone(m, positions, sent, r, null, null);
            } catch (RuntimeException ex) {   // whatever it is, the loop must hear of it (the callback's throw is lost)
                return new BatchDone(m, positions, sent, null, ex instanceof ChunkwiseException ce ? ce
                        : new ChunkwiseException("the report of member " + members[m].getAddress() + " could not be read: " + ex, ex), null);
            }
        }

        private void handle(Event event) {
            switch (event) {
                case DriverDone e -> driverDone(e);
                case BatchDone e -> batchDone(e);
                case MemberGone e -> {
                    Integer m = memberIndex.get(e.uuid);
                    if (m != null) memberLost(m);
                }
            }
        }

        private void driverDone(DriverDone e) {
            driverRunning--;
            int t = e.task;
            if (e.failure != null) {
                live[owner[t]] -= need[t];
                if (e.failure instanceof MissingChunkException) inputMissing(t, e.failure);
                else if (error == null) error = e.failure;
                return;
            }
            if (output[t]) delivered[t] = true;   // runOnDriver gave it to the sink
            if (e.envelope != null && driverReaders(t)) atDriver.put(t, e.envelope);
            if (e.envelope == null || !memberReaders(t)) {
                complete(t, owner[t], 0, e.nanos, null);
            } else {   // complete once its member acknowledges the chunk
                scatters.get(owner[t]).add(t);
                scatterBytes[t] = e.envelope;
            }
        }

        private void batchDone(BatchDone e) {
            int m = e.member;
            running.get(m).remove(e.sent);
            for (int t : e.tasks) inFlight[m] -= weight(t);
            if (e.failure != null) {
                Throwable cause = unwrap(e.failure);
                if (isMemberLoss(cause, m)) {
                    memberLost(m);
                } else if (error == null) {
                    error = cause instanceof ChunkwiseException ce ? ce
                            : new io.chunkwise.ClusterUnavailableException("a task batch on member " + members[m].getAddress() + " failed: " + cause, cause);
                }
                return;
            }
            if (!alive[m]) return;   // its tasks were taken back when it left, its chunks are gone
            lastReport = System.nanoTime();
            if (e.refused != null) {
                if (error == null) error = e.refused;
                return;
            }
            BatchReport r = e.report;
            for (int i = 0; i < r.positions.length; i++) {
                int t = r.positions[i];
                if (t < 0 || t >= n || t != e.tasks[i]) {
                    if (error == null) error = new ChunkwiseException("member " + members[m].getAddress() + " reported task " + t + ", which it was not sent");
                    continue;
                }
                if (r.errorClass[i] != null) {
                    live[m] -= need[t];
                    if (STOPPING.equals(r.errorClass[i])) {   // its member is going: the loss takes its tasks back
                        memberLost(m);
                        return;
                    } else if (MissingChunkException.class.getName().equals(r.errorClass[i])) {
                        inputMissing(t, new MissingChunkException(r.errorMessage[i]));
                    } else if (DriverFiles.notShared(r.errorClass[i])) {
                        fallBackToDriver(t, r.errorMessage[i]);
                    } else if (error == null) {
                        error = remoteFailure(graph.task(t), r.errorClass[i], r.errorMessage[i], members[m].getAddress().toString());
                    }
                    continue;
                }
                if (error != null) continue;
                taskNanos[m] = taskNanos[m] == 0 ? r.nanos[i] : 0.8 * taskNanos[m] + 0.2 * r.nanos[i];
                complete(t, m, r.outputBytes[i], r.nanos[i], r.outputs[i]);
            }
        }

        /** Whether a batch call failed because member m left (or cannot be reached), rather than because of its tasks. */
        private boolean isMemberLoss(Throwable cause, int m) {
            if (cause instanceof com.hazelcast.core.MemberLeftException
                    || cause instanceof com.hazelcast.spi.exception.TargetNotMemberException
                    || cause instanceof com.hazelcast.spi.exception.TargetDisconnectedException) return true;
            if (cause instanceof com.hazelcast.core.HazelcastInstanceNotActiveException) return false;   // the driver's own side stopped
            try {
                return hz.getCluster().getMembers().stream().noneMatch(x -> x.getUuid().equals(members[m].getUuid()));
            } catch (RuntimeException e) {
                return false;
            }
        }

        /**
         * Task t's member does not see its file as the driver does: t runs here, and so do the reads of that file not
         * sent yet (a write moves when its own member refuses it: its input may be kept on that member, which then
         * puts it into the job map for the driver).
         */
        private void fallBackToDriver(int t, String why) {
            String path = DriverFiles.fileOf(graph.task(t).op());
            if (path != null && files.driverOnly(path, why)) {
                for (PriorityQueue<Integer> q : ready) {
                    for (java.util.Iterator<Integer> it = q.iterator(); it.hasNext(); ) {
                        int u = it.next();
                        if (files.readOnDriver(graph.task(u).op())) {
                            it.remove();
                            onDriver[u] = true;
                            driverReady.add(u);
                        }
                    }
                }
            }
            onDriver[t] = true;
            makeReady(t);
        }

        /** How many tasks read task t's output (the graph's count, not what is left). */
        private int consumers(int t) { return dependentStart[t + 1] - dependentStart[t]; }

        /** Records task t's success on member m: hands a returned output to the sink, readies dependents, frees inputs. */
        private void complete(int t, int m, long heldBytes, long nanos, byte[] returned) {
            live[m] += heldBytes - need[t];
            held[t] = heldBytes;
            state[t] = DONE;
            runner[t] = m;
            remaining--;
            long outBytes = heldBytes;
            if (returned != null && driverReaders(t)) {   // for the reduction's tail on the driver
                atDriver.put(t, returned);
                outBytes = returned.length;
            }
            if (returned != null && output[t] && !delivered[t]) {
                outBytes = returned.length;
                try {
                    if (targets[t] != null) ChunkEnvelope.decodeInto(returned, targets[t]);   // no block, no copy
                    else deliver(t, ChunkEnvelope.decode(returned));
                } catch (RuntimeException ex) {
                    if (error == null) error = ex;
                    return;
                }
            }
            if (!counted[t] && listener != ComputeListener.NONE) {   // a task made again after a loss counts once
                try {
                    listener.taskDone(++done, n, outBytes, nanos, m == DRIVER ? driver.name() : "member " + members[m].getAddress());
                } catch (RuntimeException ex) {
                    if (error == null) error = new ChunkwiseException("the compute listener failed: " + ex, ex);
                    return;
                }
            }
            counted[t] = true;
            for (int x : distinctDeps[t]) if (--refs[x] == 0) forget(x);
            if (output[t] && !delivered[t]) {
                delivered[t] = true;
                refs[t]--;
            }
            if (refs[t] == 0) forget(t);
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) {
                int u = dependents[i];
                if (state[u] == WAITING && --pending[u] == 0) makeReady(u);
            }
        }

        /** An output chunk from a member, as a block of the driver's backend, to the sink (released unless kept). */
        private void deliver(int t, Block host) {
            Block b = MemberRuntime.toBackend(driver, host);
            boolean keep = false;
            try {
                keep = sink.accept(graph.task(t).key(), b);
            } finally {
                if (!keep) driver.release(b);
            }
        }

        /** The member holding task x's chunk: its runner where it kept it, else the owner of its key's partition. */
        private int holder(int x) { return kept[x] ? runner[x] : home[x]; }

        /** No task reads task x's chunk any more: its bytes are freed on its member, deleted with the next batch there. */
        private void forget(int x) {
            atDriver.remove(x);
            if (state[x] != DONE) {   // being made again after a loss: forgotten when it completes
                held[x] = 0;
                return;
            }
            int m = holder(x);
            if (alive[runner[x]]) live[runner[x]] -= held[x];
            if (alive[m] && held[x] > 0 && consumers(x) > 0) deletes.get(m).add(placement.id(graph.task(x).key()));
            held[x] = 0;
        }

        /**
         * Member m left: the tasks it ran go back to ready on the members that remain (which own its partitions now),
         * and the chunks it held that tasks still need are made again from their inputs (lineage), recursively where
         * those are gone too. A task lost with its member more than {@code taskAttempts} times fails the job.
         */
        private void memberLost(int m) {
            if (!alive[m]) return;
            alive[m] = false;
            membersAlive--;
            LOG.warn("member {} left during a job; {} member{} remain", members[m].getAddress(), membersAlive, membersAlive == 1 ? "" : "s");
            if (m == driverMember) {
                if (error == null) error = new io.chunkwise.ClusterUnavailableException("the driver's own member " + members[m].getAddress() + " stopped");
                return;
            }
            if (membersAlive == 0) {
                if (error == null) error = new io.chunkwise.ClusterUnavailableException("every member of the cluster left during the job");
                return;
            }
            ownerOfPlacement.clear();
            deletes.get(m).clear();
            List<Integer> wasReady = new ArrayList<>(ready.get(m));
            ready.get(m).clear();
            List<Integer> unsent = new ArrayList<>(scatters.get(m));
            scatters.get(m).clear();
            for (int t = 0; t < n; t++) {
                if (state[t] != DONE) {   // where its partition went, or a remaining member
                    if (owner[t] == m) owner[t] = placeOf(t);
                    if (home[t] == m) home[t] = owner[t];
                }
            }
            for (int t : unsent) scatters.get(owner[t]).add(t);
            for (int t : wasReady) ready.get(owner[t]).add(t);
            // Every task running on m is suspect (we cannot tell which one stopped it, if any); all that reach the
            // limit together are named, so the one that stops its members is always among them.
            List<String> exhausted = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                if (state[t] == RUNNING && runner[t] == m) {
                    if (onDriver[t]) {   // its chunk was on its way to m: run it again on the driver
                        revert(t);
                        continue;
                    }
                    if (++attempts[t] >= options.taskAttempts()) {
                        Task task = graph.task(t);
                        exhausted.add(task.key() + " (" + task.op().describe() + ")");
                        continue;
                    }
                    revert(t);
                }
            }
            if (!exhausted.isEmpty()) {
                if (error == null) {
                    String names = exhausted.size() == 1 ? "task " + exhausted.get(0)
                            : "tasks " + String.join(", ", exhausted.subList(0, Math.min(8, exhausted.size())))
                                    + (exhausted.size() > 8 ? " and " + (exhausted.size() - 8) + " more" : "");
                    error = new TaskFailedException(names + (exhausted.size() == 1 ? " was" : " were") + " running on a member that left, "
                            + options.taskAttempts() + " times (the limit, ClusterSpec.taskAttempts); "
                            + (exhausted.size() == 1 ? "it" : "one of them") + " may be what stops them", null);
                }
                return;
            }
            for (int t = 0; t < n; t++) {
                // a chunk the driver holds, which no member needs, is not lost
                if (state[t] == DONE && refs[t] > 0 && holder(t) == m && !(atDriver.containsKey(t) && !memberReaders(t))) lose(t);
            }
        }

        /** Task t (ready or running) goes back to waiting for the inputs that are not done, or to ready if all are. */
        private void revert(int t) {
            if (state[t] == READY) {
                if (onDriver[t]) driverReady.remove(t);
                else ready.get(owner[t]).remove(t);
            }
            int p = 0;
            for (int d : distinctDeps[t]) if (state[d] != DONE) p++;
            pending[t] = p;
            if (p == 0) makeReady(t);
            else state[t] = WAITING;
        }

        /**
         * Task x's chunk is gone while tasks still need it: x is made again. Its readers that wait or are ready wait
         * for it again; its inputs are needed again, and made again too where their chunks were deleted already.
         */
        private void lose(int x0) {
            java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
            work.push(x0);
            while (!work.isEmpty()) {
                int x = work.pop();
                if (state[x] != DONE) continue;
                state[x] = WAITING;
                held[x] = 0;
                remaining++;
                for (int i = dependentStart[x], end = dependentStart[x + 1]; i < end; i++) {
                    int u = dependents[i];
                    if (state[u] == WAITING) pending[u]++;
                    else if (state[u] == READY) revert(u);
                }
                for (int d : distinctDeps[x]) {
                    if (refs[d]++ == 0 && state[d] == DONE) work.push(d);   // its chunk was deleted
                }
                revert(x);
            }
        }

        /**
         * Task t found an input missing (its chunk was on a member that left, and no one has told us yet, or a store
         * failed): the inputs that are gone are made again, and t waits for them.
         */
        private void inputMissing(int t, Throwable cause) {
            if (++attempts[t] >= options.taskAttempts() + members.length) {
                Task task = graph.task(t);
                if (error == null) error = new TaskFailedException("task " + task.key() + " (" + task.op().describe() + ") found an input missing "
                        + attempts[t] + " times: " + cause.getMessage(), cause);
                return;
            }
            state[t] = WAITING;
            for (int d : distinctDeps[t]) {
                if (state[d] != DONE) continue;
                int h = holder(d);
                ChunkId id = placement.id(graph.task(d).key());
                boolean gone = PersistedNode.holds(id.key())
                        ? !hz.getMap(HazelcastConfigs.PERSISTED_MAP).containsKey(id)   // made again, it says it is gone
                        : h != DRIVER && (!alive[h] || (!kept[d] && !map().containsKey(id)));
                if (gone) lose(d);
            }
            revert(t);
        }

        /**
         * Runs a task the members cannot resolve, here, and scatters its chunk into the job map (a driver thread). Its
         * outcome is posted only after its blocks are released, so that a finished job holds none.
         */
        private void runOnDriver(int t, boolean deliver, Map<ChunkKey, byte[]> held, boolean encode) {
            Task task = graph.task(t);
            List<Block> toRelease = new ArrayList<>();
            DriverDone outcome;
            try {
                long start = System.nanoTime();
                Block[] in = new Block[task.deps().size()];
                if (in.length > 0) {
                    ChunkId[] ids = new ChunkId[in.length];
                    Map<ChunkId, byte[]> values = new HashMap<>();
                    java.util.Set<ChunkId> fromMap = new java.util.HashSet<>();
                    for (int k = 0; k < in.length; k++) {
                        ids[k] = placement.id(task.deps().get(k));
                        byte[] v = held.get(ids[k].key());
                        if (v != null) values.put(ids[k], v);
                        else fromMap.add(ids[k]);
                    }
                    if (!fromMap.isEmpty()) values.putAll(map().getAll(fromMap));
                    for (ChunkId id : ids) {
                        if (PersistedNode.holds(id.key()) && !values.containsKey(id)) {
                            byte[] v = hz.<ChunkId, byte[]>getMap(HazelcastConfigs.PERSISTED_MAP).get(id);
                            if (v != null) values.put(id, v);
                        }
                    }
                    for (int k = 0; k < in.length; k++) {
                        byte[] v = values.get(ids[k]);
                        if (v == null) throw new MissingChunkException(task.deps().get(k));
                        in[k] = MemberRuntime.toBackend(driver, ChunkEnvelope.decode(v));
                        // a decoded partial is a record of the backend's blocks, which it made and takes back one by one
                        if (in[k] instanceof Partial p) toRelease.addAll(List.of(p.parts()));
                        else toRelease.add(in[k]);
                    }
                }
                Block out = task.op().run(driver, in, env);
                if (out == null) throw new IllegalStateException("the backend returned no block");
                boolean literal = task.op() instanceof TaskOp.Persisted;   // the context's store owns it
                if (!literal) toRelease.add(out);
                // the chunk for its readers: to its member with the next batch there (a scatter), or kept here
                byte[] scatter = encode ? ChunkEnvelope.encode(MemberRuntime.toHost(driver, out)) : null;
                if (deliver && persistAs != null) {   // into the persisted map, with its backup
                    byte[] envelope = scatter != null ? scatter : ChunkEnvelope.encode(MemberRuntime.toHost(driver, out));
                    Map<ChunkId, byte[]> kept = new HashMap<>();
                    for (ChunkKey as : persistAs.get(task.key())) kept.put(placement.id(as), envelope);
                    hz.<ChunkId, byte[]>getMap(HazelcastConfigs.PERSISTED_MAP).putAll(kept);
                } else if (deliver && sink.accept(task.key(), out) && !literal) {
                    // the sink ran on this thread (Sink allows any thread); a block it keeps is its own
                    toRelease.remove(toRelease.size() - 1);
                }
                outcome = new DriverDone(t, scatter, System.nanoTime() - start, null);
            } catch (MissingChunkException e) {
                outcome = new DriverDone(t, null, 0, e);
            } catch (ChunkwiseException e) {
                outcome = new DriverDone(t, null, 0, task.op() instanceof TaskOp.MapBlocks ? taskFailed(task, e) : e);
            } catch (OutOfMemoryError e) {
                outcome = new DriverDone(t, null, 0, new MemoryBudgetExceededException("the Java heap ran out while running task "
                        + task.key() + "; lower the memory budget or the chunk size, or give the JVM more heap (-Xmx)", e));
            } catch (Throwable e) {
                outcome = new DriverDone(t, null, 0, taskFailed(task, e));
            }
            try {
                for (Block b : toRelease) driver.release(b);
            } catch (RuntimeException e) {
                if (outcome.failure() == null) outcome = new DriverDone(t, null, 0, e);
            }
            events.add(outcome);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Classes of block functions every member can load: in an embedded cluster, this JVM's class path. */
    private static final io.chunkwise.graph.BlockFunctions MEMBER_CLASSES = new io.chunkwise.graph.BlockFunctions();

    private static TaskFailedException taskFailed(Task task, Throwable e) {
        return new TaskFailedException("task " + task.key() + " (" + task.op().describe() + ") failed: " + e, e);
    }

    /**
     * A member's failure as the library's exception: a {@link ChunkwiseException} of the library comes back as its own
     * class with its message (a user's mapBlocks function is named by its task, as locally); anything else as a
     * {@link TaskFailedException} naming the task. Exceptions never travel as objects: the class is made here, by
     * name, only when it is one of the library's own exceptions.
     */
    static ChunkwiseException remoteFailure(Task task, String className, String message, String where) {
        ChunkwiseException own = libraryException(className, message);
        if (own != null && !(task.op() instanceof TaskOp.MapBlocks)) return own;
        Throwable cause = own != null ? own : new ChunkwiseException("on member " + where + ": " + className + ": " + message);
        return new TaskFailedException("task " + task.key() + " (" + task.op().describe() + ") failed: "
                + (own != null ? own : className + ": " + message), cause);
    }

    private static ChunkwiseException libraryException(String className, String message) {
        if (!className.startsWith("io.chunkwise.")) return null;
        try {
            Class<?> c = Class.forName(className, false, ClusterScheduler.class.getClassLoader());
            if (!ChunkwiseException.class.isAssignableFrom(c)) return null;
            return (ChunkwiseException) c.getConstructor(String.class).newInstance(message);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return null;
        }
    }
}
