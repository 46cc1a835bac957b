package io.chunkwise.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ComputeListener;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.TaskFailedException;
import io.chunkwise.graph.ChunkKey;
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
 * their member), and destroys the job's map at the end, also on failure (members drop their local chunks of the job
 * when they see it destroyed).
 *
 * <p>The driver itself runs the tasks that need its own data: chunks of the user's arrays ({@link TaskOp.Scattered}),
 * persisted chunks ({@link TaskOp.Persisted}), file reads ({@link TaskOp.Read}; members that share the file system
 * could read them, not done yet), and {@code mapBlocks} with a function the members cannot resolve (a function
 * object, named {@code lambda-...}, that only this JVM holds, or a name registered only in the context); a chunk of
 * theirs that tasks read rides on the next batch to its member (a scatter), and the task counts as done once that
 * member has stored it. That is the one exception to "tasks run on members", and it works only
 * because the driver holds those objects. A job runs on one backend kind: the members' backends of the context's kind,
 * so results equal the local scheduler's bit for bit.
 */
final class ClusterScheduler implements io.chunkwise.scheduler.Scheduler {
    static final int WINDOW_PER_THREAD = 64;
    /**
     * Batches in flight to one member at most: while they run, the tasks that become ready gather into the next batch
     * (as Nagle's algorithm gathers bytes), instead of going out one per call.
     */
    static final int BATCHES_IN_FLIGHT = 2;
    /** Chunk bytes one batch and its report carry at most (scatters in, outputs back), unless one chunk alone is larger. */
    static final long BATCH_BYTES = 32L << 20;
    /** How long a job waits without any task finishing before it fails (a hung member). */
    static final long STALL_SECONDS = 600;
    private static final int DRIVER = -1;

    private final ClusterHandle cluster;
    private final boolean ownsCluster;
    private final int threads;
    private final long budget;
    private final Backend driver;
    private final ExecutorService driverPool;
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chunkwise-job-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterScheduler.class);

    ClusterScheduler(ClusterHandle cluster, boolean ownsCluster, int threads, long budget, Backend driver) {
        this.cluster = cluster;
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
        checkKind(kind);
        try {
            listener.started(graph.size());
        } catch (RuntimeException e) {
            throw new ChunkwiseException("the compute listener failed: " + e, e);
        }
        if (graph.size() == 0) return;
        new Job(graph, kind == BackendKind.AUTO ? driver.kind() : kind, env, sink, listener).run();
    }

    /**
     * Destroys a finished job's map off the driver's path (a destroy addresses every member: milliseconds). Its chunks
     * are unreachable already; members drop their local chunks of the job when they see the map destroyed.
     */
    private void destroyInBackground(IMap<ChunkId, byte[]> map) {
        try {
            cleaner.execute(() -> {
                try {
                    map.destroy();
                } catch (RuntimeException e) {
                    LOG.warn("destroying job map {} failed: {}", map.getName(), e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            map.destroy();
        }
    }

    @Override
    public void close() {
        driverPool.shutdownNow();
        cleaner.shutdown();
        try {
            if (!cleaner.awaitTermination(30, TimeUnit.SECONDS)) LOG.warn("job maps still being destroyed after 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsCluster) cluster.close();
    }

    /** A completed batch (or its failure) from member {@code member}; or a driver task's outcome (member DRIVER). */
    private record Event(int member, BatchReport report, int task, byte[] scatter, long nanos, Throwable failure) {}

    private final class Job {
        final TaskGraph graph;
        final BackendKind kind;
        final TaskEnv env;
        final Sink sink;
        final ComputeListener listener;
        final int n;
        final int[][] distinctDeps;
        final int[] dependentStart, dependents, pending, refs, owner;
        final boolean[] output, onDriver;
        final long[] need, held;
        final byte[][] encoded;
        final HazelcastInstance hz;
        final IMap<ChunkId, byte[]> map;
        final String mapName;
        final Member[] members;
        final int[] window, inFlight;
        final long[] live;
        final int[] runningBatches;
        final List<List<ChunkId>> deletes = new ArrayList<>();
        /** Per member: driver tasks whose chunks wait to ride on the next batch there; their envelopes by task. */
        final List<List<Integer>> scatters = new ArrayList<>();
        final byte[][] scatterBytes;
        final List<PriorityQueue<Integer>> ready = new ArrayList<>();
        final PriorityQueue<Integer> driverReady = new PriorityQueue<Integer>();
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final MessageAuth auth = cluster.driverAuth();
        final UUID self;
        long seq;
        int driverRunning, remaining, done;
        Throwable error;

        Job(TaskGraph graph, BackendKind kind, TaskEnv env, Sink sink, ComputeListener listener) {
            this.graph = graph;
            this.kind = kind;
            this.env = env;
            this.sink = sink;
            this.listener = listener;
            hz = cluster.driverHandle();
            self = cluster.driverUuid();
            members = hz.getCluster().getMembers().toArray(new Member[0]);
            Map<java.util.UUID, Integer> memberIndex = new HashMap<>();
            for (int m = 0; m < members.length; m++) memberIndex.put(members[m].getUuid(), m);
            window = new int[members.length];
            for (int m = 0; m < members.length; m++) {
                window[m] = WINDOW_PER_THREAD * MemberAttributes.of(members[m]).threads();
            }
            inFlight = new int[members.length];
            runningBatches = new int[members.length];
            live = new long[members.length];
            for (int m = 0; m < members.length; m++) {
                ready.add(new PriorityQueue<>());
                deletes.add(new ArrayList<>());
                scatters.add(new ArrayList<>());
            }
            n = graph.size();
            distinctDeps = new int[n][];
            pending = new int[n];
            refs = new int[n];
            owner = new int[n];
            output = new boolean[n];
            onDriver = new boolean[n];
            need = new long[n];
            held = new long[n];
            encoded = new byte[n][];
            scatterBytes = new byte[n][];
            PartitionService partitions = hz.getPartitionService();
            Map<Integer, Integer> ownerOfPlacement = new HashMap<>();
            dependentStart = graph.consumerStarts();
            dependents = graph.consumers();
            for (int t = 0; t < n; t++) {
                Task task = graph.task(t);
                ChunkKey key = task.key();
                owner[t] = ownerOfPlacement.computeIfAbsent(key.placement(), p -> {
                    Member o = partitions.getPartition(new ChunkId(key)).getOwner();
                    Integer m = o == null ? null : memberIndex.get(o.getUuid());
                    if (m == null) throw new io.chunkwise.ClusterUnavailableException("partition of " + key + " has no owner among the job's members");
                    return m;
                });
                onDriver[t] = runsOnDriver(task.op());
                need[t] = task.op().outputBytes();
                int[] dd = graph.distinctDeps(t);
                distinctDeps[t] = dd;
                pending[t] = dd.length;
                refs[t] = consumers(t);
            }
            for (int o = 0; o < graph.outputCount(); o++) {
                int t = graph.outputTask(o);
                if (!output[t]) {
                    output[t] = true;
                    refs[t]++;
                }
            }
            for (int t = 0; t < n; t++) if (pending[t] == 0) makeReady(t);
            remaining = n;
            mapName = HazelcastConfigs.JOB_MAP_PREFIX + UUID.randomUUID();
            map = hz.getMap(mapName);
        }

        /** Tasks the members cannot resolve; see the class comment. */
        private boolean runsOnDriver(TaskOp op) {
            return switch (op) {
                case TaskOp.Scattered s -> true;
                case TaskOp.Persisted p -> true;
                case TaskOp.Read r -> true;
                case TaskOp.MapBlocks m -> m.function().startsWith("lambda-") || !MEMBER_CLASSES.knows(m.function());
                default -> false;
            };
        }

        private void makeReady(int t) {
            if (onDriver[t]) driverReady.add(t);
            else ready.get(owner[t]).add(t);
        }

        void run() {
            try {
                loop();
            } finally {
                awaitInFlight();
                auth.forget(mapName);
                destroyInBackground(map);
            }
            if (error != null) {
                if (error instanceof ChunkwiseException ce) throw ce;
                throw new TaskFailedException("computation failed: " + error, error);
            }
        }

        private void loop() {
            while (remaining > 0 && error == null) {
                dispatch();
                if (error != null) break;
                if (nothingRunning()) {
                    error = budgetError();
                    break;
                }
                Event e;
                try {
                    e = events.poll(STALL_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    error = new ChunkwiseException("interrupted while computing", ie);
                    break;
                }
                if (e == null) {
                    error = new ChunkwiseException("no task finished within " + STALL_SECONDS + " s; a member may hang");
                    break;
                }
                handle(e);
                for (Event more; error == null && (more = events.poll()) != null; ) handle(more);
            }
        }

        private boolean nothingRunning() {
            if (driverRunning > 0) return false;
            for (int b : runningBatches) if (b > 0) return false;
            return true;
        }

        /** Waits (bounded) for the batches and driver tasks still running, so that none writes into a destroyed map. */
        private void awaitInFlight() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!nothingRunning()) {
                long left = deadline - System.nanoTime();
                Event e = null;
                try {
                    if (left > 0) e = events.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                if (e == null) return;   // gave up waiting: the map is destroyed anyway
                if (e.member == DRIVER) driverRunning--;
                else runningBatches[e.member]--;
            }
        }

        private void dispatch() {
            while (!driverReady.isEmpty() && driverRunning < Math.max(1, threads)) {
                int t = driverReady.peek();
                int m = owner[t];
                if (!reserve(m, t)) break;
                driverReady.poll();
                driverRunning++;
                driverPool.execute(() -> runOnDriver(t));
            }
            for (int m = 0; m < members.length; m++) {
                int room = window[m] - inFlight[m];
                List<Integer> scattered = scatters.get(m);
                if (room <= 0 || runningBatches[m] >= BATCHES_IN_FLIGHT || (ready.get(m).isEmpty() && scattered.isEmpty())) continue;
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
                while (room > 0 && !ready.get(m).isEmpty() && error == null) {
                    int t = ready.get(m).peek();
                    long b = output[t] ? need[t] : 0;
                    if (!batch.isEmpty() && bytes + b > BATCH_BYTES) break;
                    if (!reserve(m, t)) break;
                    bytes += b;
                    ready.get(m).poll();
                    batch.add(t);
                    room--;
                }
                if (!batch.isEmpty()) send(m, batch);
            }
        }

        /** Whether every task that reads task t's chunk runs on member m (not on the driver). */
        private boolean readersAllOn(int t, int m) {
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) {
                int u = dependents[i];
                if (onDriver[u] || owner[u] != m) return false;
            }
            return true;
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
            for (int i = 0; i < k; i++) {
                int t = batch.get(i);
                positions[i] = t;
                byte where = consumers(t) == 0 ? 0 : readersAllOn(t, m) ? TaskBatch.KEEP : TaskBatch.STORE;
                if (scatterBytes[t] != null) {   // a driver task's chunk: the member stores it, nothing to run
                    values[i] = scatterBytes[t];
                    scatterBytes[t] = null;
                    tasks[i] = TaskCodec.encode(graph.task(t));   // for its key
                    flags[i] = where;
                } else {
                    tasks[i] = TaskCodec.encode(graph.task(t));
                    flags[i] = (byte) (where | (output[t] ? TaskBatch.RETURN : 0));
                }
            }
            List<ChunkId> d = deletes.get(m);
            TaskBatch b = new TaskBatch(kind.name(), positions, tasks, flags, values, d.toArray(new ChunkId[0]))
                    .seal(auth, mapName, self, members[m].getUuid(), ++seq);
            d.clear();
            inFlight[m] += k;
            runningBatches[m]++;
            IExecutorService executor = hz.getExecutorService(HazelcastConfigs.EXECUTOR);
            // completed on the thread that receives the response (no hand-off to Hazelcast's async executor)
            java.util.concurrent.Future<BatchReport> f = executor.submitToMember(b, members[m]);
            ((java.util.concurrent.CompletionStage<BatchReport>) f).whenComplete((r, t) ->
                    events.add(t == null ? new Event(m, r, -1, null, 0, null) : new Event(m, null, -1, null, 0, t)));
        }

        private void handle(Event e) {
            if (e.member == DRIVER) {
                driverRunning--;
                if (e.failure != null) {
                    live[owner[e.task]] -= need[e.task];
                    if (error == null) error = e.failure;
                    return;
                }
                if (e.scatter == null) {
                    complete(e.task, owner[e.task], 0, e.nanos, null);
                } else {   // complete once its member acknowledges the chunk
                    scatters.get(owner[e.task]).add(e.task);
                    scatterBytes[e.task] = e.scatter;
                }
                return;
            }
            int m = e.member;
            runningBatches[m]--;
            if (e.failure != null) {
                if (error == null) {
                    error = new io.chunkwise.ClusterUnavailableException("a task batch on member " + members[m].getAddress()
                            + " failed: " + e.failure, e.failure);
                }
                return;
            }
            BatchReport r = e.report;
            try {
                r.open(auth, mapName, self, members[m].getUuid());
            } catch (ChunkwiseException ex) {
                if (error == null) error = ex;
                return;
            }
            inFlight[m] -= r.positions.length;
            for (int i = 0; i < r.positions.length; i++) {
                int t = r.positions[i];
                if (t < 0 || t >= n) {
                    if (error == null) error = new ChunkwiseException("member " + members[m].getAddress() + " reported unknown task " + t);
                    continue;
                }
                if (r.errorClass[i] != null) {
                    live[m] -= need[t];
                    if (error == null) error = remoteFailure(graph.task(t), r.errorClass[i], r.errorMessage[i], members[m].getAddress().toString());
                    continue;
                }
                if (error != null) continue;
                complete(t, m, r.outputBytes[i], r.nanos[i], r.outputs[i]);
            }
        }

        /** How many tasks read task t's output (the graph's count, not what is left). */
        private int consumers(int t) { return dependentStart[t + 1] - dependentStart[t]; }

        /** Records task t's success on member m: hands a returned output to the sink, readies dependents, frees inputs. */
        private void complete(int t, int m, long heldBytes, long nanos, byte[] returned) {
            live[m] += heldBytes - need[t];
            held[t] = heldBytes;
            remaining--;
            long outBytes = heldBytes;
            if (returned != null) {
                outBytes = returned.length;
                try {
                    deliver(t, ChunkEnvelope.decode(returned));
                } catch (RuntimeException ex) {
                    if (error == null) error = ex;
                    return;
                }
            }
            if (listener != ComputeListener.NONE) {
                try {
                    listener.taskDone(++done, n, outBytes, nanos, m == DRIVER ? driver.name() : "member " + members[m].getAddress());
                } catch (RuntimeException ex) {
                    if (error == null) error = new ChunkwiseException("the compute listener failed: " + ex, ex);
                    return;
                }
            }
            for (int x : distinctDeps[t]) if (--refs[x] == 0) forget(x);
            if (output[t] && --refs[t] == 0) forget(t);
            for (int i = dependentStart[t], end = dependentStart[t + 1]; i < end; i++) {
                int u = dependents[i];
                if (--pending[u] == 0) makeReady(u);
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

        /** No task reads task x's chunk any more: its bytes are freed on its member, deleted with the next batch there. */
        private void forget(int x) {
            int m = owner[x];
            live[m] -= held[x];
            if (held[x] > 0 && consumers(x) > 0) deletes.get(m).add(new ChunkId(graph.task(x).key()));
            held[x] = 0;
        }

        /**
         * Runs a task the members cannot resolve, here, and scatters its chunk into the job map (a driver thread). Its
         * outcome is posted only after its blocks are released, so that a finished job holds none.
         */
        private void runOnDriver(int t) {
            Task task = graph.task(t);
            List<Block> toRelease = new ArrayList<>();
            Event outcome;
            try {
                long start = System.nanoTime();
                Block[] in = new Block[task.deps().size()];
                if (in.length > 0) {
                    Map<ChunkId, byte[]> values = map.getAll(new java.util.HashSet<>(task.deps().stream().map(ChunkId::new).toList()));
                    for (int k = 0; k < in.length; k++) {
                        byte[] v = values.get(new ChunkId(task.deps().get(k)));
                        if (v == null) throw new ChunkwiseException("input chunk " + task.deps().get(k) + " is missing from the job's chunk store");
                        in[k] = MemberRuntime.toBackend(driver, ChunkEnvelope.decode(v));
                        toRelease.add(in[k]);
                    }
                }
                Block out = task.op().run(driver, in, env);
                if (out == null) throw new IllegalStateException("the backend returned no block");
                boolean literal = task.op() instanceof TaskOp.Persisted;   // the context's store owns it
                if (!literal) toRelease.add(out);
                // the chunk for its readers goes to its member with the next batch there (a scatter)
                byte[] scatter = consumers(t) > 0 ? ChunkEnvelope.encode(MemberRuntime.toHost(driver, out)) : null;
                // the sink runs on this thread (Sink allows any thread); a block it keeps is its own
                if (output[t] && sink.accept(task.key(), out) && !literal) toRelease.remove(toRelease.size() - 1);
                outcome = new Event(DRIVER, null, t, scatter, System.nanoTime() - start, null);
            } catch (ChunkwiseException e) {
                outcome = new Event(DRIVER, null, t, null, 0, task.op() instanceof TaskOp.MapBlocks ? taskFailed(task, e) : e);
            } catch (OutOfMemoryError e) {
                outcome = new Event(DRIVER, null, t, null, 0, new MemoryBudgetExceededException("the Java heap ran out while running task "
                        + task.key() + "; lower the memory budget or the chunk size, or give the JVM more heap (-Xmx)", e));
            } catch (Throwable e) {
                outcome = new Event(DRIVER, null, t, null, 0, taskFailed(task, e));
            }
            try {
                for (Block b : toRelease) driver.release(b);
            } catch (RuntimeException e) {
                if (outcome.failure() == null) outcome = new Event(DRIVER, null, t, null, 0, e);
            }
            events.add(outcome);
        }
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
