package io.chunkwise.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device memory in size classes (STYLE lesson 10): a freed buffer goes back to the free list of its class and the
 * next request of that class reuses it, so a free never costs a {@code cuMemFree} (which synchronises the device).
 * Classes are powers of two from 512 bytes to 1 MiB, then multiples of 2 MiB. Closing the pool frees the cached
 * buffers and throws when buffers are still live, with the pool's name, their number and bytes, so leaks show up
 * in tests. Thread-safe. Generic over the pointer type so that its bookkeeping is tested without a GPU.
 *
 * @param <P> the device pointer type
 */
final class DeviceMemoryPool<P> implements AutoCloseable {
    /** Raw allocation; {@code allocate} returns null when the device is out of memory. */
    interface Allocator<P> {
        P allocate(long bytes);

        void free(P pointer);
    }

    /** A buffer of {@code capacity} bytes (its size class), at least the bytes asked for. */
    record Buffer<P>(P pointer, long capacity) {}

    record Stats(long liveBuffers, long liveBytes, long cachedBuffers, long cachedBytes, long allocations, long reuses) {}

    static final long MIN_CLASS = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_STEP = 2L << 20;

    private final String name;
    private final Allocator<P> allocator;
    private final Map<Long, ConcurrentLinkedDeque<P>> free = new ConcurrentHashMap<>();
    private final AtomicLong liveBuffers = new AtomicLong(), liveBytes = new AtomicLong();
    private final AtomicLong cachedBuffers = new AtomicLong(), cachedBytes = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong(), reuses = new AtomicLong();
    private volatile boolean closed;

    DeviceMemoryPool(String name, Allocator<P> allocator) {
        this.name = name;
        this.allocator = allocator;
    }

    static long sizeClass(long bytes) {
        if (bytes <= MIN_CLASS) return MIN_CLASS;
        if (bytes <= SMALL_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        return Math.ceilDiv(bytes, LARGE_STEP) * LARGE_STEP;
    }

    /** A buffer of at least {@code bytes} (> 0), reused from the free list of its class when one is there. */
    Buffer<P> allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException(name + ": cannot allocate " + bytes + " bytes");
        if (closed) throw new IllegalStateException(name + " is closed");
        long c = sizeClass(bytes);
        P p = null;
        ConcurrentLinkedDeque<P> list = free.get(c);
        if (list != null && (p = list.pollFirst()) != null) {
            cachedBuffers.decrementAndGet();
            cachedBytes.addAndGet(-c);
            reuses.incrementAndGet();
        } else {
            p = allocator.allocate(c);
            if (p == null) { // out of memory: give the cached buffers back to the device and try once more
                trim();
                p = allocator.allocate(c);
            }
            if (p == null) {
                throw new io.chunkwise.MemoryBudgetExceededException(name + ": out of device memory allocating "
                        + c + " bytes (" + liveBytes.get() + " bytes in " + liveBuffers.get() + " live buffers)");
            }
            allocations.incrementAndGet();
        }
        liveBuffers.incrementAndGet();
        liveBytes.addAndGet(c);
        return new Buffer<>(p, c);
    }

    /** Gives a buffer back to its free list (the caller guarantees it is given back once). */
    void free(Buffer<P> buffer) {
        liveBuffers.decrementAndGet();
        liveBytes.addAndGet(-buffer.capacity());
        free.computeIfAbsent(buffer.capacity(), k -> new ConcurrentLinkedDeque<>()).addFirst(buffer.pointer());
        cachedBuffers.incrementAndGet();
        cachedBytes.addAndGet(buffer.capacity());
        if (closed) trim(); // a block released after close: its memory goes straight back to the device
    }

    /** Frees every cached buffer. */
    void trim() {
        List<P> drop = new ArrayList<>();
        for (var e : free.entrySet()) {
            P p;
            while ((p = e.getValue().pollFirst()) != null) {
                drop.add(p);
                cachedBuffers.decrementAndGet();
                cachedBytes.addAndGet(-e.getKey());
            }
        }
        drop.forEach(allocator::free);
    }

    Stats stats() {
        return new Stats(liveBuffers.get(), liveBytes.get(), cachedBuffers.get(), cachedBytes.get(),
                allocations.get(), reuses.get());
    }

    /** Frees the cached buffers; throws when buffers are still live (they are freed when given back later). */
    @Override
    public void close() {
        closed = true;
        trim();
        long n = liveBuffers.get();
        if (n > 0) {
            throw new IllegalStateException(name + " closed with " + n + " live buffers (" + liveBytes.get()
                    + " bytes): a block was not released");
        }
    }

    @Override
    public String toString() {
        return name + " " + stats();
    }
}
