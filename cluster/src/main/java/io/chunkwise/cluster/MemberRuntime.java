package io.chunkwise.cluster;

import com.hazelcast.core.DistributedObjectEvent;
import com.hazelcast.core.DistributedObjectListener;
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

    private final int threads;
    private final ExecutorService pool;
    private final Map<BackendKind, Backend> backends = new EnumMap<>(BackendKind.class);
    private final BlockFunctions functions = new BlockFunctions();
    /** Per job map: chunks that only tasks on this member read, kept here instead of in the map (no Hazelcast call). */
    private final Map<String, Map<ChunkKey, byte[]>> local = new ConcurrentHashMap<>();
    private final AtomicLong remoteBytes = new AtomicLong(), localBytes = new AtomicLong();
    private final MessageAuth auth;
    private volatile HazelcastInstance instance;
    private volatile boolean closed;

    MemberRuntime(int threads, MessageAuth auth) {
        this.threads = threads;
        this.auth = auth;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "chunkwise-member-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    static MemberRuntime of(HazelcastInstance instance) {
        Object r = instance.getUserContext().get(USER_CONTEXT_KEY);
        if (!(r instanceof MemberRuntime m)) throw new ChunkwiseException("member " + instance.getName() + " runs no chunkwise runtime");
        return m;
    }

    void attach(HazelcastInstance instance) {
        this.instance = instance;
        // a job's local chunks go when its map is destroyed (at the end of the job, also on failure)
        instance.addDistributedObjectListener(new DistributedObjectListener() {
            @Override public void distributedObjectCreated(DistributedObjectEvent event) {}

            @Override
            public void distributedObjectDestroyed(DistributedObjectEvent event) {
                if (event.getObjectName() instanceof String name) {
                    local.remove(name);
                    auth.forget(name);
                }
            }
        });
    }

    public int threads() { return threads; }

    /** The functions this member resolves by name. */
    public BlockFunctions functions() { return functions; }

    /** Chunk bytes this member read from the job maps' partitions owned by other members. */
    public long remoteBytesRead() { return remoteBytes.get(); }

    /** Chunk bytes this member read from partitions it owns. */
    public long localBytesRead() { return localBytes.get(); }

    private synchronized Backend backend(BackendKind kind) {
        if (closed) throw new ChunkwiseException("this member is shutting down");
        return backends.computeIfAbsent(kind, k -> Backends.create(k, threads));
    }

    /** Runs a batch once its MAC, target, age and sequence number check out; signs the report for its sender. */
    BatchReport run(TaskBatch batch) {
        java.util.UUID self = instance.getCluster().getLocalMember().getUuid();
        batch.open(auth, self);
        return runOpened(batch).seal(auth, batch.job, self, batch.sender, batch.seq);
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

    private BatchReport runOpened(TaskBatch batch) {
        Backend backend = backend(BackendKind.valueOf(batch.backendKind));
        // the job map only where this batch needs it: a proxy look-up per batch costs
        java.util.function.Supplier<IMap<ChunkId, byte[]>> map = () -> instance.getMap(batch.job);
        Map<ChunkKey, byte[]> kept = localStore(batch.job);
        for (ChunkId d : batch.deletes) if (kept.remove(d.key()) == null) map.get().delete(d);
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
                else map.get().set(new ChunkId(key), batch.values[i]);
                report.outputBytes[i] = batch.values[i].length;
            } catch (RuntimeException e) {
                fail(report, i, e);
            }
        }
        for (int i = 0; i < n; i++) {
            if (batch.values[i] != null) continue;
            try {
                tasks[i] = TaskCodec.decodeTask(batch.tasks[i]);
                for (ChunkKey k : tasks[i].deps()) if (!kept.containsKey(k)) remote.add(new ChunkId(k));
            } catch (RuntimeException e) {
                fail(report, i, e);
            }
        }
        Map<ChunkId, byte[]> fromMap = read(map, remote);
        // the first task runs on this (Hazelcast executor) thread: a batch of one task costs no hand-off
        List<Future<?>> running = new ArrayList<>(n);
        int inline = -1;
        for (int i = 0; i < n; i++) {
            if (tasks[i] == null) continue;
            if (inline < 0) {
                inline = i;
                continue;
            }
            int at = i;
            running.add(pool.submit(() -> runOne(backend, map, kept, fromMap, tasks[at], batch.flags[at], report, at)));
        }
        if (inline >= 0) runOne(backend, map, kept, fromMap, tasks[inline], batch.flags[inline], report, inline);
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

    /** The chunks of job map {@code jobMap} kept on this member only; dropped when the driver destroys the map. */
    private Map<ChunkKey, byte[]> localStore(String jobMap) {
        return local.computeIfAbsent(jobMap, k -> new ConcurrentHashMap<>());
    }

    /** The envelopes of {@code keys} from the job map (one getAll), counting the bytes that came from other members. */
    private Map<ChunkId, byte[]> read(java.util.function.Supplier<IMap<ChunkId, byte[]>> map, Set<ChunkId> keys) {
        if (keys.isEmpty()) return Map.of();
        Map<ChunkId, byte[]> values = map.get().getAll(keys);
        PartitionService partitions = instance.getPartitionService();
        for (Map.Entry<ChunkId, byte[]> e : values.entrySet()) {
            boolean here = partitions.getPartition(e.getKey()).getOwner().localMember();
            (here ? localBytes : remoteBytes).addAndGet(e.getValue().length);
        }
        return values;
    }

    private void runOne(Backend backend, java.util.function.Supplier<IMap<ChunkId, byte[]>> map, Map<ChunkKey, byte[]> kept, Map<ChunkId, byte[]> fromMap,
                        Task task, byte flags, BatchReport report, int i) {
        List<Block> made = new ArrayList<>();
        try {
            long start = System.nanoTime();
            Block[] in = new Block[task.deps().size()];
            for (int k = 0; k < in.length; k++) {
                ChunkKey key = task.deps().get(k);
                byte[] env = kept.get(key);
                if (env != null) localBytes.addAndGet(env.length);
                else env = fromMap.get(new ChunkId(key));
                if (env == null) throw new ChunkwiseException("input chunk " + key + " is missing from the job's chunk store");
                in[k] = toBackend(backend, ChunkEnvelope.decode(env));
                made.add(in[k]);
            }
            Block out = task.op().run(backend, in, memberEnv);
            if (out == null) throw new IllegalStateException("the backend returned no block");
            made.add(out);
            byte[] bytes = ChunkEnvelope.encode(toHost(backend, out));
            report.nanos[i] = System.nanoTime() - start;
            if ((flags & TaskBatch.KEEP) != 0) kept.put(task.key(), bytes);
            else if ((flags & TaskBatch.STORE) != 0) map.get().set(new ChunkId(task.key()), bytes);
            if ((flags & (TaskBatch.KEEP | TaskBatch.STORE)) != 0) report.outputBytes[i] = bytes.length;
            if ((flags & TaskBatch.RETURN) != 0) report.outputs[i] = bytes;
        } catch (OutOfMemoryError e) {
            fail(report, i, new MemoryBudgetExceededException("the Java heap of a member ran out while running task " + task.key()
                    + "; lower the memory budget or the chunk size, or give the members more heap (-Xmx)", e));
        } catch (Throwable e) {
            fail(report, i, e);
        } finally {
            for (Block b : made) backend.release(b);
        }
    }

    private static void fail(BatchReport report, int i, Throwable e) {
        report.errorClass[i] = e.getClass().getName();
        report.errorMessage[i] = String.valueOf(e.getMessage());
        report.outputs[i] = null;
    }

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

    /** What a member resolves: functions by name only; the driver runs every task that needs its own data. */
    private final TaskEnv memberEnv = new TaskEnv() {
        private ChunkwiseException driverOnly(Object what) {
            return new ChunkwiseException("a member cannot resolve " + what + ": the driver runs such tasks");
        }

        @Override public Block scattered(ChunkKey key, Backend backend) { throw driverOnly(key); }

        @Override public Block persisted(ChunkKey key) { throw driverOnly(key); }

        @Override public HostBlock read(TaskOp.Read read) { throw driverOnly(read.path()); }

        @Override public BlockFunction function(String name) { return functions.resolve(name); }
    };

    @Override
    public synchronized void close() {
        closed = true;
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backends.values().forEach(Backend::close);
        backends.clear();
    }
}
