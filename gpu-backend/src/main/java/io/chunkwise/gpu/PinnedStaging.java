package io.chunkwise.gpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Page-locked host buffers that uploads and downloads go through, so that a copy runs asynchronously on the
 * caller's stream (a copy from pageable memory makes the host wait). Pooled in the device pool's size classes: a
 * buffer given back carries an event recorded after its copy, and whoever takes it next waits for that event on
 * the host first (the host writes it, so a device-side wait would not do). Chunks larger than {@code maxBuffer} are
 * not staged (pinning that much would take memory from the OS), and at most {@code maxCached} bytes stay pooled.
 * Closing frees everything and throws when buffers were not given back. Generic over the driver so that it is
 * tested without a GPU. Thread-safe.
 *
 * @param <H> the pinned host pointer type
 * @param <E> the event type
 * @param <S> the stream type
 */
final class PinnedStaging<H, E, S> implements AutoCloseable {
    /** The driver calls used (CUDA's in {@link CudaPinnedDriver}). */
    interface Driver<H, E, S> {
        /** {@code cuMemAllocHost}; null when no pinned memory is left. */
        H allocate(long bytes);

        void free(H host);

        E createEvent();

        void destroyEvent(E event);

        /** Records {@code event} after the work issued so far on {@code stream}. */
        void record(E event, S stream);

        /** Blocks the calling thread until {@code event} has happened. */
        void waitFor(E event);
    }

    /** A staging buffer of {@code capacity} bytes and the event of its last copy. */
    record Buffer<H, E>(H host, long capacity, E done) {}

    record Stats(long live, long cached, long cachedBytes, long allocations, long reuses) {}

    private final String name;
    private final Driver<H, E, S> driver;
    private final long maxBuffer, maxCached;
    private final Map<Long, ArrayDeque<Buffer<H, E>>> free = new HashMap<>();
    private long live, cached, cachedBytes, allocations, reuses;
    private boolean closed;

    PinnedStaging(String name, Driver<H, E, S> driver, long maxBuffer, long maxCached) {
        this.name = name;
        this.driver = driver;
        this.maxBuffer = maxBuffer;
        this.maxCached = maxCached;
    }

    /**
     * A buffer of at least {@code bytes} whose earlier copy is done, or null when the chunk is not staged (too large,
     * or no pinned memory left): the caller then copies from pageable memory.
     */
    Buffer<H, E> take(long bytes) {
        if (bytes <= 0 || bytes > maxBuffer) return null;
        long c = DeviceMemoryPool.sizeClass(bytes);
        Buffer<H, E> b;
        synchronized (this) {
            if (closed) throw new IllegalStateException(name + " is closed");
            ArrayDeque<Buffer<H, E>> list = free.get(c);
            b = list == null ? null : list.pollFirst();
            if (b != null) {
                cached--;
                cachedBytes -= c;
                reuses++;
                live++;
            }
        }
        if (b != null) {
            driver.waitFor(b.done()); // mostly long done: the copy was issued before the buffer came back
            return b;
        }
        H h = driver.allocate(c);
        if (h == null) return null;
        E e;
        try {
            e = driver.createEvent();
        } catch (RuntimeException ex) {
            driver.free(h);
            throw ex;
        }
        synchronized (this) {
            allocations++;
            live++;
        }
        return new Buffer<>(h, c, e);
    }

    /** Gives {@code b} back once the copy just issued on {@code stream} (which reads or writes it) is done. */
    void giveBack(Buffer<H, E> b, S stream) {
        driver.record(b.done(), stream);
        synchronized (this) {
            live--;
            if (!closed && cachedBytes + b.capacity() <= maxCached) {
                free.computeIfAbsent(b.capacity(), k -> new ArrayDeque<>()).addFirst(b);
                cached++;
                cachedBytes += b.capacity();
                return;
            }
        }
        release(b);
    }

    private void release(Buffer<H, E> b) {
        driver.waitFor(b.done()); // its copy may still be reading it
        driver.free(b.host());
        driver.destroyEvent(b.done());
    }

    synchronized Stats stats() { return new Stats(live, cached, cachedBytes, allocations, reuses); }

    /** Frees the pooled buffers; throws when buffers were taken and not given back. */
    @Override
    public void close() {
        java.util.List<Buffer<H, E>> drop = new java.util.ArrayList<>();
        long leaked;
        synchronized (this) {
            closed = true;
            for (ArrayDeque<Buffer<H, E>> list : free.values()) drop.addAll(list);
            free.clear();
            cached = 0;
            cachedBytes = 0;
            leaked = live;
        }
        drop.forEach(this::release);
        if (leaked > 0) throw new IllegalStateException(name + " closed with " + leaked + " staging buffers not given back");
    }
}
