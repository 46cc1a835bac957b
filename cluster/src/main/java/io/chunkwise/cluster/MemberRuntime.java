package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import io.chunkwise.BackendKind;
import io.chunkwise.Backends;
import io.chunkwise.BlockFunction;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.graph.BlockFunctions;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskCodec;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.SharedWork;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a member runs task batches with: a backend per kind (made on first use, from {@link Backends#create}), a pool
 * of {@code threads} workers, and the {@code mapBlocks} functions it knows by name (registered here, or classes on
 * its class path). Reads a batch's inputs from the job map, runs the tasks in parallel, stores the outputs other
 * tasks read in the job map (on this member, which owns their partitions) and reports back. Counts the chunk bytes
 * it read from other members, so that tests can check placement.
 */
public final class MemberRuntime implements AutoCloseable {
    static final String USER_CONTEXT_KEY = "io.chunkwise.cluster.MemberRuntime";
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final ThreadLocal<MemberRuntime> RUNNING = new ThreadLocal<>();

    private final int threads;
    private final ExecutorService pool;
    /**
     * Tasks running at once, at most {@code threads}: a batch's first worker is the executor thread that received it,
     * and two batches may be in flight, so without this a member of 2 threads ran up to 4 tasks at once.
     */
    private final java.util.concurrent.Semaphore slots;
    /** Threads that help running tasks with their shared work, each holding a free slot while it helps. */
    private final ExecutorService helpers;
    /**
     * Free slots help the running tasks of this member with the pieces they offer ({@link SharedWork}: the leaves of
     * a large chunk's sum), so that a member's last large chunk does not run on one thread while the others wait: a
     * slot that is free when a task offers its pieces goes to a helper thread, and a worker whose batch has no task
     * left helps on its own thread before it frees its slot; either stops when a task waits for the slot (tasks first).
     */
    private final SharedWork.Pool sharing = new SharedWork.Pool() {
        @Override
        public void offer(SharedWork.Range range) {
            offered.add(range);
            helpWithOfferedWork();
        }

        @Override
        public void withdraw(SharedWork.Range range) { offered.remove(range); }
    };
    /** Ranges of pieces that running tasks offer. */
    private final Set<SharedWork.Range> offered = ConcurrentHashMap.newKeySet();

    /** Runs pieces on offer on this thread, which holds a slot, until none is left or a task waits for the slot. */
    private void helpOffered() {
        for (SharedWork.Range range : offered) {
            while (!slots.hasQueuedThreads() && range.runPiece()) {
                // pieces until none is left, or a task waits for this slot
            }
        }
    }

    /** Sends free slots that no task waits for to help the ranges on offer. */
    private void helpWithOfferedWork() {
        for (SharedWork.Range range : offered) {
            while (range.hasWork() && !slots.hasQueuedThreads() && slots.tryAcquire()) {
                try {
                    helpers.execute(() -> {
                        try {
                            helpOffered();
                        } finally {
                            slots.release();
                        }
                        helpWithOfferedWork();
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    slots.release();   // closing: the task runs its pieces itself
                    return;
                }
            }
        }
    }

    private final Map<BackendKind, Backend> backends = new EnumMap<>(BackendKind.class);
    private final BlockFunctions functions = new BlockFunctions();
    /** Per job map: chunks that only tasks on this member read, kept here instead of in the map (no Hazelcast call). */
    private final Map<String, Map<ChunkKey, byte[]>> local = new ConcurrentHashMap<>();
    /** Per job map: kept chunks also put into the map for the driver, which took over a task reading them. */
    private final Map<String, Set<ChunkKey>> published = new ConcurrentHashMap<>();
    private final AtomicLong remoteBytes = new AtomicLong(), localBytes = new AtomicLong(), refetchedBytes = new AtomicLong();
    /** Persisted chunks decoded, by key, as long as the persisted map holds them; their bytes in all. */
    private final Map<ChunkId, HostBlock> persistedBlocks = new ConcurrentHashMap<>();
    private final AtomicLong persistedCached = new AtomicLong();
    /** Bytes of persisted chunks a member keeps decoded: a quarter of its heap. */
    private final long persistedCacheCap = Runtime.getRuntime().maxMemory() / 4;
    /** Per job map: chunks fetched from other members, for the job's later batches here. */
    private final Map<String, Fetched> fetched = new ConcurrentHashMap<>();
    /** Bytes of fetched chunks a member keeps per job: an eighth of its heap. */
    private final long fetchedCap = Runtime.getRuntime().maxMemory() / 8;
    private final MessageAuth auth;
    /** The drivers of this member's jobs: what a driver that left for good held here goes. */
    private final DriverWatch drivers;
    /** The files tasks name, as this member sees them: its own readers and Arrow memory. */
    private final MemberFiles files = new MemberFiles();
    private volatile HazelcastInstance instance;
    private volatile boolean closed;

    /** @param driverGrace how long a driver may be gone before its jobs and persisted chunks go ({@link DriverWatch}) */
    MemberRuntime(int threads, MessageAuth auth, java.time.Duration driverGrace) {
        this.threads = threads;
        this.slots = new java.util.concurrent.Semaphore(threads);
        this.auth = auth;
        this.drivers = new DriverWatch(driverGrace);
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "chunkwise-member-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger h = new AtomicInteger();
        this.helpers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "chunkwise-member-" + id + "-help-" + h.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The runtime whose task the calling thread runs, or null (a block function may ask where it runs). */
    static MemberRuntime running() { return RUNNING.get(); }

    static MemberRuntime of(HazelcastInstance instance) {
        Object r = instance.getUserContext().get(USER_CONTEXT_KEY);
        if (!(r instanceof MemberRuntime m)) throw new ChunkwiseException("member " + instance.getName() + " runs no chunkwise runtime");
        return m;
    }

    void attach(HazelcastInstance instance) {
        this.instance = instance;
        // a member that stops (also terminated, in this JVM) keeps none of its chunks
        instance.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTDOWN) {
                local.clear();
                fetched.clear();
                persistedBlocks.clear();
                persistedCached.set(0);
            }
        });
        // a persisted chunk deleted (its context closed) leaves the cache of every member
        instance.<ChunkId, byte[]>getMap(HazelcastConfigs.PERSISTED_MAP).addEntryListener(
                (com.hazelcast.map.listener.EntryRemovedListener<ChunkId, byte[]>) e -> {
                    HostBlock gone = persistedBlocks.remove(e.getKey());
                    if (gone != null) persistedCached.addAndGet(-cachedBytes(gone));
                }, false);
        drivers.attach(instance, this::forget);
    }

    public int threads() { return threads; }

    /** The functions this member resolves by name. */
    public BlockFunctions functions() { return functions; }

    /** Chunk bytes this member read from the job maps' partitions owned by other members. */
    public long remoteBytesRead() { return remoteBytes.get(); }

    /** Chunk bytes this member fetched from other members again, for a job that had fetched them before (its cache was full). */
    public long refetchedBytes() { return refetchedBytes.get(); }

    /** Chunk bytes this member read from partitions it owns. */
    public long localBytesRead() { return localBytes.get(); }

    /** The reader registry this member reads files with: the built-in formats, and those registered here. */
    public io.chunkwise.io.ChunkReaders readers() { return files.readers(); }

    /** Chunks this member read from files (tasks the driver did not have to read and scatter). */
    public long fileChunksRead() { return files.chunksRead(); }

    /** Chunks this member wrote into files (which the driver did not have to write). */
    public long fileChunksWritten() { return files.chunksWritten(); }

    /** This member's access to files (see {@link MemberFiles#shared(boolean)}). */
    MemberFiles files() { return files; }

    private synchronized Backend backend(BackendKind kind) {
        if (closed) throw new ChunkwiseException("this member is shutting down");
        return backends.computeIfAbsent(kind, k -> Backends.create(k, threads));
    }

    /** Runs a batch once its MAC, target, age and sequence number check out; signs the report for its sender. */
    BatchReport run(TaskBatch batch) {
        java.util.UUID self = instance.getCluster().getLocalMember().getUuid();
        batch.open(auth, self);
        drivers.refuseIfGone(batch.job, batch.sender);
        try {
            return runOpened(batch).seal(auth, batch.job, self, batch.sender, batch.seq);
        } finally {
            // the job ended while this batch ran (its driver stopped waiting for it): what the batch left goes too
            if (auth.isOver(batch.job)) drop(batch.job);
            else if (holds(batch) && !drivers.holds(batch.job, batch.sender)) forget(batch.job);
        }
    }

    /** Whether the job of {@code batch} holds chunks here, or in its map (the job's end drops them). */
    private boolean holds(TaskBatch batch) {
        if (local.containsKey(batch.job) || fetched.containsKey(batch.job) || published.containsKey(batch.job)) return true;
        for (byte f : batch.flags) if ((f & TaskBatch.STORE) != 0) return true;
        return false;
    }

    /** Job {@code job} is over here: what it holds goes, and its later messages are refused. */
    private void forget(String job) {
        auth.forget(job);
        drop(job);
    }

    /** Job {@code end.job} is over: its chunks and keys here go, and its later messages are refused. */
    void end(JobEnd end) {
        end.open(auth, instance.getCluster().getLocalMember().getUuid());
        forget(end.job);
    }

    private void drop(String job) {
        drivers.dropped(job);
        local.remove(job);
        fetched.remove(job);
        published.remove(job);
    }

    /** Answers a status request once its MAC, target, age and sequence number check out; signs the report for its sender. */
    StatusReport status(StatusRequest request) {
        java.util.UUID self = instance.getCluster().getLocalMember().getUuid();
        request.open(auth, self);
        auth.forget(request.job);   // a request's job is used once
        long[] held = chunksHeld();
        return new StatusReport(held[0], held[1]).seal(auth, request.job, self, request.sender, request.seq);
    }

    /**
     * The chunks this member holds, {count, bytes}: those in its local stores and those in the partitions it owns of
     * the chunk maps (named {@value HazelcastConfigs#CHUNK_MAP_PREFIX}...). The map values are read in small groups:
     * slower than counters, but exact, and only {@code chunkwise info} asks.
     */
    @SuppressWarnings("unchecked")
    long[] chunksHeld() {
        long count = 0, bytes = 0;
        for (Map<ChunkKey, byte[]> store : local.values()) {
            for (byte[] v : store.values()) {
                count++;
                bytes += v.length;
            }
        }
        for (com.hazelcast.core.DistributedObject o : instance.getDistributedObjects()) {
            if (!(o instanceof IMap<?, ?> m) || !o.getName().startsWith(HazelcastConfigs.CHUNK_MAP_PREFIX)) continue;
            try {
                List<Object> keys = new ArrayList<>(m.localKeySet());
                for (int i = 0; i < keys.size(); i += 64) {
                    Set<Object> group = new HashSet<>(keys.subList(i, Math.min(keys.size(), i + 64)));
                    for (Object v : ((IMap<Object, Object>) m).getAll(group).values()) {
                        if (v instanceof byte[] b) {
                            count++;
                            bytes += b.length;
                        }
                    }
                }
            } catch (RuntimeException e) {   // destroyed meanwhile, or not a map of chunks
                org.slf4j.LoggerFactory.getLogger(MemberRuntime.class).debug("not counting the chunks of map {}: {}", o.getName(), e.toString());
            }
        }
        return new long[]{count, bytes};
    }

    /**
     * What the tasks of one batch share: its job (the job map's name), backend and environment, the job map (looked up
     * only where the batch needs it: a proxy look-up per batch costs), the job's chunks kept on this member, those the
     * batch read from the job map, and the cluster's placement of chunks.
     */
    private record Batch(String job, Backend backend, TaskEnv env, java.util.function.Supplier<IMap<ChunkId, byte[]>> map,
                         Map<ChunkKey, byte[]> kept, Map<ChunkId, byte[]> fromMap, Placement placement) {}

    private BatchReport runOpened(TaskBatch batch) {
        Backend backend = backend(BackendKind.valueOf(batch.backendKind));
        Placement placement = Placement.decode(batch.placement);
        TaskEnv env = memberEnv(backend, placement);
        java.util.function.Supplier<IMap<ChunkId, byte[]>> map = () -> instance.getMap(batch.job);
        Map<ChunkKey, byte[]> kept = local.get(batch.job);
        // a job that keeps nothing here gets no store: its driver sends no end to members that hold nothing of it
        if (kept == null) kept = keepsAny(batch) ? localStore(batch.job) : java.util.Collections.emptyMap();
        Set<ChunkKey> shared = published.get(batch.job);
        for (ChunkId d : batch.deletes) {
            if (kept.remove(d.key()) == null || (shared != null && shared.remove(d.key()))) map.get().delete(d);
        }
        int n = batch.positions.length;
        BatchReport report = new BatchReport(n);
        System.arraycopy(batch.positions, 0, report.positions, 0, n);
        Task[] tasks = new Task[n];
        Set<ChunkId> remote = new HashSet<>();
        for (int i = 0; i < n; i++) {   // the driver's chunks first: tasks of this batch may read them
            if (batch.values[i] == null) continue;
            try {
                ChunkKey key = TaskCodec.decodeTask(batch.tasks[i]).key();
                if ((batch.flags[i] & TaskBatch.KEEP) != 0) kept.put(key, batch.values[i]);
                else map.get().set(placement.id(key), batch.values[i]);
                report.outputBytes[i] = batch.values[i].length;
            } catch (RuntimeException e) {
                fail(report, i, e);
            }
        }
        for (int i = 0; i < n; i++) {
            if (batch.values[i] != null) continue;
            try {
                tasks[i] = TaskCodec.decodeTask(batch.tasks[i]);
                for (ChunkKey k : tasks[i].deps()) if (!kept.containsKey(k) && !io.chunkwise.graph.PersistedNode.holds(k)) remote.add(placement.id(k));
            } catch (RuntimeException e) {
                fail(report, i, e);
            }
        }
        Batch b = new Batch(batch.job, backend, env, map, kept, read(batch.job, map, remote), placement);
        // workers take the batch's tasks in turn, each holding a slot until none is left; the first worker is this
        // (Hazelcast executor) thread, so a batch of one task costs no hand-off
        int runnable = 0;
        for (Task t : tasks) if (t != null) runnable++;
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> work(b, batch, tasks, report, next);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 1; w < Math.min(threads, runnable); w++) running.add(pool.submit(work));
        if (runnable > 0) work.run();
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChunkwiseException("interrupted while running a task batch", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new ChunkwiseException("a task batch failed: " + e.getCause(), e.getCause());
            }
        }
        return report;
    }

    private static boolean keepsAny(TaskBatch batch) {
        for (byte f : batch.flags) if ((f & TaskBatch.KEEP) != 0) return true;
        return false;
    }

    /** The chunks of job map {@code jobMap} kept on this member only; dropped at the job's {@link #end}. */
    private Map<ChunkKey, byte[]> localStore(String jobMap) {
        return local.computeIfAbsent(jobMap, k -> new ConcurrentHashMap<>());
    }

    /**
     * The envelopes of {@code keys}: those fetched from other members for earlier batches of the job, and the rest
     * from the job map (one getAll), counting the bytes that came from other members. What came from other members
     * is kept for the job's later batches here (a matmul panel that several tasks read is fetched once per member),
     * up to {@link #fetchedCap} bytes.
     */
    private Map<ChunkId, byte[]> read(String job, java.util.function.Supplier<IMap<ChunkId, byte[]>> map, Set<ChunkId> keys) {
        if (keys.isEmpty()) return Map.of();
        Fetched cache = fetched.computeIfAbsent(job, j -> new Fetched());
        // one batch of the job at a time fetches here, so that two batches needing a chunk fetch it once
        synchronized (cache) {
            return read(map, keys, cache);
        }
    }

    private Map<ChunkId, byte[]> read(java.util.function.Supplier<IMap<ChunkId, byte[]>> map, Set<ChunkId> keys, Fetched cache) {
        Map<ChunkId, byte[]> values = new HashMap<>();
        Set<ChunkId> missing = new HashSet<>();
        for (ChunkId k : keys) {
            byte[] v = cache.chunks.get(k);
            if (v != null) values.put(k, v);
            else missing.add(k);
        }
        if (missing.isEmpty()) return values;
        Map<ChunkId, byte[]> got = map.get().getAll(missing);
        PartitionService partitions = instance.getPartitionService();
        for (Map.Entry<ChunkId, byte[]> e : got.entrySet()) {
            long bytes = e.getValue().length;
            values.put(e.getKey(), e.getValue());
            if (partitions.getPartition(e.getKey()).getOwner().localMember()) {
                localBytes.addAndGet(bytes);
                continue;
            }
            remoteBytes.addAndGet(bytes);
            if (!cache.seen.add(e.getKey())) refetchedBytes.addAndGet(bytes);
            if (cache.bytes.addAndGet(bytes) <= fetchedCap) cache.chunks.put(e.getKey(), e.getValue());
            else cache.bytes.addAndGet(-bytes);
        }
        return values;
    }

    /** A job's chunks fetched from other members: kept up to the cap, and which were fetched at all. */
    private static final class Fetched {
        final Map<ChunkId, byte[]> chunks = new ConcurrentHashMap<>();
        final Set<ChunkId> seen = ConcurrentHashMap.newKeySet();
        final AtomicLong bytes = new AtomicLong();
    }

    /**
     * One worker of a batch: holding a slot, runs the batch's tasks not yet taken, then helps the pieces on offer
     * itself (a hand-off to a helper thread took milliseconds on busy cores, while the member's last large chunk ran on
     * one thread), unless a task waits for the slot.
     */
    private void work(Batch b, TaskBatch batch, Task[] tasks, BatchReport report, AtomicInteger next) {
        slots.acquireUninterruptibly();
        try {
            for (int i; (i = next.getAndIncrement()) < tasks.length; ) {
                if (tasks[i] != null) runOne(b, tasks[i], batch.flags[i], batch.persistAs[i], report, i);
            }
            helpOffered();
        } finally {
            slots.release();
        }
        helpWithOfferedWork();
    }

    private void runOne(Batch b, Task task, byte flags, ChunkId[] persistAs, BatchReport report, int i) {
        Backend backend = b.backend;
        List<Block> made = new ArrayList<>();
        RUNNING.set(this);
        SharedWork.Pool previousPool = SharedWork.enter(sharing);
        try {
            long start = System.nanoTime();
            Block[] in = new Block[task.deps().size()];
            for (int k = 0; k < in.length; k++) {
                ChunkKey key = task.deps().get(k);
                Block decoded = null;
                byte[] envelope = b.kept.get(key);
                ChunkId id = envelope == null ? b.placement.id(key) : null;
                if (envelope != null) localBytes.addAndGet(envelope.length);
                else envelope = b.fromMap.get(id);
                if (envelope != null) decoded = ChunkEnvelope.decode(envelope);
                else if (io.chunkwise.graph.PersistedNode.holds(key)) decoded = persistedBlock(id);
                if (decoded == null) throw new MissingChunkException(key);
                in[k] = toBackend(backend, decoded);
                made.add(in[k]);   // a cached persisted host block itself is never released: backends release what they made
            }
            Block out = task.op().run(backend, in, b.env);
            if (out == null) throw new IllegalStateException("the backend returned no block");
            made.add(out);
            byte[] bytes = ChunkEnvelope.encode(toHost(backend, out));
            report.nanos[i] = System.nanoTime() - start;
            if ((flags & TaskBatch.PERSIST) != 0) {
                IMap<ChunkId, byte[]> persisted = instance.getMap(HazelcastConfigs.PERSISTED_MAP);
                for (ChunkId as : persistAs) persisted.set(as, bytes);
            }
            if ((flags & TaskBatch.KEEP) != 0) b.kept.put(task.key(), bytes);
            else if ((flags & TaskBatch.STORE) != 0) b.map.get().set(b.placement.id(task.key()), bytes);
            if ((flags & (TaskBatch.KEEP | TaskBatch.STORE)) != 0) report.outputBytes[i] = bytes.length;
            if ((flags & TaskBatch.RETURN) != 0) report.outputs[i] = bytes;
        } catch (io.chunkwise.FileNotSharedException e) {
            // the driver takes the task over: it reads the task's inputs from the job map
            try {
                publish(b, task);
                fail(report, i, e);
            } catch (RuntimeException p) {
                fail(report, i, p);
            }
        } catch (OutOfMemoryError e) {
            fail(report, i, new MemoryBudgetExceededException("the Java heap of a member ran out while running task " + task.key()
                    + "; lower the memory budget or the chunk size, or give the members more heap (-Xmx)", e));
        } catch (Throwable e) {
            fail(report, i, e);
        } finally {
            SharedWork.leave(previousPool);
            RUNNING.remove();
            for (Block m : made) backend.release(m);
        }
    }

    /** Puts the inputs of {@code task} that this member keeps to itself into the job map, where the driver finds them. */
    private void publish(Batch b, Task task) {
        for (ChunkKey k : task.deps()) {
            byte[] v = b.kept.get(k);
            if (v == null) continue;
            b.map.get().set(b.placement.id(k), v);
            published.computeIfAbsent(b.job, j -> ConcurrentHashMap.newKeySet()).add(k);
        }
    }

    private static void fail(BatchReport report, int i, Throwable e) {
        report.errorClass[i] = e.getClass().getName();
        report.errorMessage[i] = String.valueOf(e.getMessage());
        report.outputs[i] = null;
    }

    /**
     * A persisted chunk, decoded, or null where the persisted map has none: from this member's cache, else from the
     * map (this member's own copy where it holds the primary or the backup, as the map reads backups; else its
     * owner's), then kept in the cache while {@link #persistedCacheCap} allows. Persisted chunks never change under
     * their keys, and the cache drops a chunk when the map does.
     */
    private Block persistedBlock(ChunkId id) {
        HostBlock cached = persistedBlocks.get(id);
        if (cached != null) return cached;
        byte[] envelope = instance.<ChunkId, byte[]>getMap(HazelcastConfigs.PERSISTED_MAP).get(id);
        if (envelope == null) return null;
        Block decoded = ChunkEnvelope.decode(envelope);
        if (decoded instanceof HostBlock h) {
            long bytes = cachedBytes(h);
            if (persistedCached.addAndGet(bytes) > persistedCacheCap || persistedBlocks.putIfAbsent(id, h) != null) {
                persistedCached.addAndGet(-bytes);
            }
        }
        return decoded;
    }

    private static long cachedBytes(HostBlock h) { return (long) h.size() * h.dtype().byteSize(); }

    /** Jobs this member holds chunks or keys of (kept, fetched, published): tests check that ended jobs leave none. */
    Set<String> jobsHeld() {
        Set<String> jobs = new HashSet<>(local.keySet());
        jobs.addAll(fetched.keySet());
        jobs.addAll(published.keySet());
        return jobs;
    }

    /** Persisted chunks this member holds decoded (tests check that a closed context leaves none). */
    int persistedBlocksCached() { return persistedBlocks.size(); }

    /** A decoded envelope as a block of {@code backend}: a host block, or a partial of the backend's blocks. */
    static Block toBackend(Backend backend, Block decoded) {
        if (decoded instanceof Partial p) {
            Block[] parts = new Block[p.parts().length];
            for (int k = 0; k < parts.length; k++) parts[k] = backend.fromHost((HostBlock) p.parts()[k]);
            return new Partial(parts);
        }
        return backend.fromHost((HostBlock) decoded);
    }

    /** A backend's block on the host, part by part for a partial. */
    static Block toHost(Backend backend, Block block) {
        if (block instanceof Partial p) {
            Block[] parts = new Block[p.parts().length];
            for (int k = 0; k < parts.length; k++) parts[k] = backend.toHost(p.parts()[k]);
            return new Partial(parts);
        }
        return backend.toHost(block);
    }

    /**
     * What a member resolves, for tasks on {@code backend}: functions by name, persisted chunks from the persisted
     * map, and files it sees as the driver does ({@link MemberFiles}); the driver runs the tasks that need its own data.
     */
    private TaskEnv memberEnv(Backend backend, Placement placement) {
        return new TaskEnv() {
            private ChunkwiseException driverOnly(Object what) {
                return new ChunkwiseException("a member cannot resolve " + what + ": the driver runs such tasks");
            }

            @Override public Block scattered(ChunkKey key, Backend backend) { throw driverOnly(key); }

            @Override
            public Block persisted(ChunkKey key) {
                Block decoded = persistedBlock(placement.id(key));
                if (decoded == null) {
                    throw new io.chunkwise.ClusterUnavailableException("persisted chunk " + key + " is gone from the cluster: the members "
                            + "holding it and its backup left, or its context was closed");
                }
                return toBackend(backend, decoded);
            }

            @Override public HostBlock read(TaskOp.Read read) { return files.read(read); }

            @Override public long write(TaskOp.Write write, HostBlock chunk) { return files.write(write, chunk); }

            @Override public BlockFunction function(String name) { return functions.resolve(name); }
        };
    }

    @Override
    public synchronized void close() {
        closed = true;
        drivers.close();
        pool.shutdownNow();
        helpers.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
            helpers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            backends.values().forEach(Backend::close);
            backends.clear();
        } finally {
            files.close();   // throws if a read left Arrow buffers behind
        }
    }
}
