package io.chunkwise.gpu;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Where each live chunk's memory is: on the device, or spilled to host memory because the device's budget was full
 * ({@link DeviceMemoryPool}). When the pool needs room it spills the least recently used chunk that no running
 * operation uses; a spilled chunk is uploaded again, transparently, when an operation next asks for its pointer.
 *
 * <p><b>In use.</b> Asking for a chunk's pointer (or allocating it) pins the chunk for the calling thread's current
 * operation, until that thread begins its next one ({@link #beginOperation()}): the kernels that use the pointer are
 * issued by then, and their streams are recorded as the chunk's users, so a later spill or free is ordered after
 * them on the device. The chunks a worker thread used last stay pinned while it is idle: at most one operation's
 * chunks per thread.
 *
 * <p>Thread-safe: shares the pool's lock (allocating spills; restoring allocates). Generic over pointer, host copy
 * and stream types so that it is tested without a GPU.
 *
 * @param <P> the device pointer type
 * @param <H> the host copy type
 * @param <S> the stream type
 */
final class DeviceResidency<P, H, S> implements DeviceMemoryPool.Spiller, AutoCloseable {
    /** The copies a spill and a restore make. */
    interface Copies<P, H, S> {
        /** A host copy of {@code bytes} at {@code device}, copied on {@code stream}; complete on return. */
        H toHost(P device, long bytes, S stream);

        /** Copies {@code host} to {@code device} on {@code stream}; complete on return. */
        void toDevice(H host, P device, long bytes, S stream);
    }

    record Stats(long liveChunks, long spilledChunks, long spilledBytes, long spills, long restores) {}

    /** One chunk's memory. */
    final class Chunk {
        private final long bytes;
        private DeviceMemoryPool.Buffer<P> buffer;
        private H host;
        private int pins;
        private boolean freed;
        /** The streams whose work used the buffer since it was allocated or restored. */
        private final Set<S> users = new HashSet<>(4);

        private Chunk(long bytes) { this.bytes = bytes; }

        /** The device pointer, uploaded again first if the chunk was spilled; pins the chunk for this operation. */
        P pointer() { return acquire(this); }

        /** Gives the memory back (idempotent). */
        void free() { release(this); }

        long bytes() { return bytes; }

        /** The residency the chunk belongs to. */
        DeviceResidency<P, H, S> residency() { return DeviceResidency.this; }

        boolean isSpilled() {
            synchronized (pool) {
                return buffer == null && !freed;
            }
        }
    }

    private final DeviceMemoryPool<P, S> pool;
    private final StreamOrder<S> streams;
    private final Copies<P, H, S> copies;
    private final LinkedHashSet<Chunk> lru = new LinkedHashSet<>(); // chunks on the device, least recently used first
    /** The chunks each thread's current operation uses (weak keys: a thread that ends lets its chunks go). */
    private final Map<Thread, List<Chunk>> pinned = new WeakHashMap<>();
    private long liveChunks, spilledChunks, spilledBytes, spills, restores;

    /** Chunks in {@code pool}, which spills to this residency from now on. */
    DeviceResidency(DeviceMemoryPool<P, S> pool, StreamOrder<S> streams, Copies<P, H, S> copies) {
        this.pool = pool;
        this.streams = streams;
        this.copies = copies;
        pool.spillTo(this);
    }

    /** A chunk of {@code bytes} (> 0) on the device, pinned for the calling thread's operation. */
    Chunk allocate(long bytes) {
        synchronized (pool) {
            Chunk c = new Chunk(bytes);
            c.buffer = pool.allocate(bytes);
            c.users.add(streams.current());
            lru.add(c);
            liveChunks++;
            pin(c);
            return c;
        }
    }

    private P acquire(Chunk c) {
        synchronized (pool) {
            if (c.freed) throw new IllegalStateException("the chunk's memory was released");
            pin(c);
            S stream = streams.current();
            if (c.buffer == null) {
                DeviceMemoryPool.Buffer<P> b = pool.allocate(c.bytes); // may spill others; this one is pinned
                try {
                    copies.toDevice(c.host, b.pointer(), c.bytes, stream);
                } catch (RuntimeException | Error e) {
                    pool.free(b, List.of(stream)); // the chunk stays spilled
                    throw e;
                }
                c.buffer = b;
                c.host = null;
                c.users.clear();
                spilledChunks--;
                spilledBytes -= c.bytes;
                restores++;
            } else {
                streams.orderAfter(stream, c.users); // e.g. written by another thread's kernel still running
                lru.remove(c);
            }
            c.users.add(stream);
            lru.add(c);
            return c.buffer.pointer();
        }
    }

    private void pin(Chunk c) {
        List<Chunk> mine = pinned.computeIfAbsent(Thread.currentThread(), t -> new ArrayList<>());
        if (!mine.contains(c)) {
            c.pins++;
            mine.add(c);
        }
    }

    /** The calling thread begins an operation: the chunks its previous operation used may be spilled again. */
    void beginOperation() {
        synchronized (pool) {
            List<Chunk> mine = pinned.remove(Thread.currentThread());
            if (mine != null) for (Chunk c : mine) c.pins--;
        }
    }

    /** Called by the pool, under its lock. */
    @Override
    public boolean spillOne() {
        Chunk victim = null;
        for (Iterator<Chunk> it = lru.iterator(); it.hasNext(); ) {
            Chunk c = it.next();
            if (c.pins == 0) {
                victim = c;
                it.remove();
                break;
            }
        }
        if (victim == null) return false;
        S stream = streams.current();
        try {
            streams.orderAfter(stream, victim.users);
            victim.host = copies.toHost(victim.buffer.pointer(), victim.bytes, stream);
        } catch (RuntimeException | Error e) {
            lru.add(victim); // still on the device
            throw e;
        }
        pool.free(victim.buffer); // the copy is done: nothing uses the buffer any more
        victim.buffer = null;
        victim.users.clear();
        spilledChunks++;
        spilledBytes += victim.bytes;
        spills++;
        return true;
    }

    private void release(Chunk c) {
        synchronized (pool) {
            if (c.freed) return;
            c.freed = true;
            liveChunks--;
            if (c.buffer != null) {
                lru.remove(c);
                pool.free(c.buffer, c.users);
                c.buffer = null;
            } else {
                c.host = null;
                spilledChunks--;
                spilledBytes -= c.bytes;
            }
        }
    }

    Stats stats() {
        synchronized (pool) {
            return new Stats(liveChunks, spilledChunks, spilledBytes, spills, restores);
        }
    }

    /**
     * Throws when chunks are still live, naming how many and how many of them are spilled; the pool reports the
     * device memory of the others when it closes.
     */
    @Override
    public void close() {
        synchronized (pool) {
            if (liveChunks == 0) return;
            String spilled = spilledChunks == 0 ? "" : ", " + spilledChunks + " of them spilled to the host (" + spilledBytes + " bytes)";
            throw new IllegalStateException(liveChunks + " chunks were not released" + spilled);
        }
    }
}
