package io.chunkwise.gpu;

import io.chunkwise.MemoryBudgetExceededException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Device memory in size classes (STYLE lesson 10): a freed buffer goes back to the free list of its class and the
 * next request of that class reuses it, so a free never costs a {@code cuMemFree} (which synchronises the device).
 * Classes are powers of two from 512 bytes to 1 MiB, then multiples of 2 MiB.
 *
 * <p><b>Stream-ordered reuse.</b> A buffer is freed with the streams that used it; whoever takes it next has its own
 * stream wait (on the device) for the work issued on those streams, so a kernel still reading the buffer finishes
 * before the new owner writes it, and the host never waits.
 *
 * <p><b>Budget.</b> The memory held from the device (live and cached) stays within {@code budget}: when a new
 * buffer would exceed it, the cache is given back first, then the {@link Spiller} (the chunks' residency) moves live
 * chunks to host memory. A buffer larger than the whole budget fails with {@link MemoryBudgetExceededException}.
 * When every live buffer is in use by running operations the allocation goes over the budget rather than fail (the
 * budget is a fraction of the device), and only the device's own out-of-memory fails it.
 *
 * <p>Closing the pool frees the cached buffers and throws when buffers are still live, with the pool's name, their
 * number and bytes, so leaks show up in tests. Thread-safe: one lock, which the residency shares, as allocating calls
 * back into spilling. Generic over the pointer and stream types so that its bookkeeping is tested without a GPU.
 *
 * @param <P> the device pointer type
 * @param <S> the stream type
 */
final class DeviceMemoryPool<P, S> implements AutoCloseable {
    /** Raw allocation; {@code allocate} returns null when the device is out of memory. */
    interface Allocator<P> {
        P allocate(long bytes);

        void free(P pointer);
    }

    /** Makes room on the device by moving a live chunk to host memory. */
    interface Spiller {
        /** Spills the least recently used chunk not in use, freeing its buffer to the pool; false when there is none. */
        boolean spillOne();
    }

    /** A buffer of {@code capacity} bytes (its size class), at least the bytes asked for. */
    record Buffer<P>(P pointer, long capacity) {}

    record Stats(long liveBuffers, long liveBytes, long cachedBuffers, long cachedBytes, long allocations, long reuses) {}

    /** A freed buffer and the streams whose work may still use it. */
    private record Cached<P, S>(P pointer, List<S> users) {}

    static final long MIN_CLASS = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_STEP = 2L << 20;

    private final String name;
    private final Allocator<P> allocator;
    private final StreamOrder<S> streams;
    private final long budget;
    private final Map<Long, ArrayDeque<Cached<P, S>>> free = new HashMap<>();
    private Spiller spiller;
    private long liveBuffers, liveBytes, cachedBuffers, cachedBytes, allocations, reuses;
    private boolean closed;

    /** A pool without budget on one implicitly ordered stream. */
    DeviceMemoryPool(String name, Allocator<P> allocator) {
        this(name, allocator, StreamOrder.single(), Long.MAX_VALUE);
    }

    DeviceMemoryPool(String name, Allocator<P> allocator, StreamOrder<S> streams, long budget) {
        if (budget <= 0) throw new IllegalArgumentException(name + ": budget " + budget);
        this.name = name;
        this.allocator = allocator;
        this.streams = streams;
        this.budget = budget;
    }

    static long sizeClass(long bytes) {
        if (bytes <= MIN_CLASS) return MIN_CLASS;
        if (bytes <= SMALL_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        return Math.ceilDiv(bytes, LARGE_STEP) * LARGE_STEP;
    }

    /** Who makes room when the budget is full (the chunks' residency); set once. */
    synchronized void spillTo(Spiller s) { this.spiller = s; }

    /**
     * A buffer of at least {@code bytes} (> 0), reused from the free list of its class when one is there (the
     * calling thread's stream then waits for the buffer's earlier users); otherwise from the device, within the budget.
     */
    synchronized Buffer<P> allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException(name + ": cannot allocate " + bytes + " bytes");
        if (closed) throw new IllegalStateException(name + " is closed");
        long c = sizeClass(bytes);
        if (c > budget) {
            throw new MemoryBudgetExceededException(name + ": a chunk of " + bytes + " bytes (" + c + " with its size class)"
                    + " is larger than the whole device memory budget of " + budget + " bytes: use smaller chunks, or raise"
                    + " the budget (-D" + DeviceMemoryBudget.FRACTION_PROPERTY + " or -D" + DeviceMemoryBudget.BYTES_PROPERTY + ")");
        }
        while (true) {
            ArrayDeque<Cached<P, S>> list = free.get(c);
            Cached<P, S> hit = list == null ? null : list.pollFirst();
            if (hit != null) {
                cachedBuffers--;
                cachedBytes -= c;
                streams.orderAfter(streams.current(), hit.users());
                reuses++;
                return live(hit.pointer(), c);
            }
            if (liveBytes + cachedBytes + c <= budget) break;
            if (cachedBytes > 0) trim();
            else if (spiller == null || !spiller.spillOne()) break; // all in use: over the budget rather than fail
        }
        P p = allocator.allocate(c);
        while (p == null) { // the device is full before the budget is (other processes, cuBLAS's workspace)
            if (cachedBytes > 0) trim();
            else if (spiller == null || !spiller.spillOne()) {
                throw new MemoryBudgetExceededException(name + ": out of device memory allocating " + c + " bytes ("
                        + liveBytes + " bytes in " + liveBuffers + " live buffers, all in use)");
            }
            p = allocator.allocate(c);
        }
        allocations++;
        return live(p, c);
    }

    private Buffer<P> live(P p, long c) {
        liveBuffers++;
        liveBytes += c;
        return new Buffer<>(p, c);
    }

    /** Gives a buffer back to its free list (the caller guarantees it is given back once), used by no stream's work. */
    void free(Buffer<P> buffer) { free(buffer, List.of()); }

    /**
     * Gives a buffer back to its free list; its next owner's stream will wait for the work issued so far on
     * {@code users} (the caller guarantees it is given back once).
     */
    synchronized void free(Buffer<P> buffer, Collection<S> users) {
        liveBuffers--;
        liveBytes -= buffer.capacity();
        free.computeIfAbsent(buffer.capacity(), k -> new ArrayDeque<>()).addFirst(new Cached<>(buffer.pointer(), List.copyOf(users)));
        cachedBuffers++;
        cachedBytes += buffer.capacity();
        if (closed) trim(); // a block released after close: its memory goes straight back to the device
    }

    /** Frees every cached buffer ({@code cuMemFree} waits for the work still using it). */
    synchronized void trim() {
        List<P> drop = new ArrayList<>();
        for (var e : free.entrySet()) {
            Cached<P, S> b;
            while ((b = e.getValue().pollFirst()) != null) {
                drop.add(b.pointer());
                cachedBuffers--;
                cachedBytes -= e.getKey();
            }
        }
        drop.forEach(allocator::free);
    }

    synchronized Stats stats() {
        return new Stats(liveBuffers, liveBytes, cachedBuffers, cachedBytes, allocations, reuses);
    }

    /** Frees the cached buffers; throws when buffers are still live (they are freed when given back later). */
    @Override
    public synchronized void close() {
        closed = true;
        trim();
        if (liveBuffers > 0) {
            throw new IllegalStateException(name + " closed with " + liveBuffers + " live buffers (" + liveBytes
                    + " bytes): a block was not released");
        }
    }

    @Override
    public String toString() {
        return name + " " + stats();
    }
}
