package io.chunkwise.gpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's bookkeeping, on fake pointers (no GPU). */
class DeviceMemoryPoolTest {
    /** Hands out numbered fake pointers; {@code limit} bytes at most. */
    static final class FakeDevice implements DeviceMemoryPool.Allocator<Long> {
        final List<Long> freed = new ArrayList<>();
        final AtomicInteger next = new AtomicInteger();
        long used, limit = Long.MAX_VALUE;
        final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        @Override public synchronized Long allocate(long bytes) {
            if (used + bytes > limit) return null;
            used += bytes;
            long p = next.incrementAndGet();
            sizes.put(p, bytes);
            return p;
        }

        @Override public synchronized void free(Long p) {
            freed.add(p);
            used -= sizes.remove(p);
        }
    }

    @Test
    void sizeClassesArePowersOfTwoThenMultiplesOf2MiB() {
        assertEquals(512, DeviceMemoryPool.sizeClass(1));
        assertEquals(512, DeviceMemoryPool.sizeClass(512));
        assertEquals(1024, DeviceMemoryPool.sizeClass(513));
        assertEquals(1 << 20, DeviceMemoryPool.sizeClass((1 << 20) - 1));
        assertEquals(1 << 20, DeviceMemoryPool.sizeClass(1 << 20));
        assertEquals(2 << 20, DeviceMemoryPool.sizeClass((1 << 20) + 1));
        assertEquals(8 << 20, DeviceMemoryPool.sizeClass(8_000_000));
        assertEquals(10 << 20, DeviceMemoryPool.sizeClass((8 << 20) + 1));
    }

    @Test
    void aFreedBufferIsReusedByItsClassWithoutTouchingTheDevice() {
        FakeDevice dev = new FakeDevice();
        DeviceMemoryPool<Long, String> pool = new DeviceMemoryPool<>("test pool", dev);
        var a = pool.allocate(1000);
        assertEquals(1024, a.capacity());
        pool.free(a);
        var b = pool.allocate(700);
        assertSame(a.pointer(), b.pointer());
        var c = pool.allocate(3000);
        assertEquals(2, dev.next.get(), "one new device allocation for the new class only");
        assertTrue(dev.freed.isEmpty());
        assertEquals(new DeviceMemoryPool.Stats(2, 1024 + 4096, 0, 0, 2, 1), pool.stats());
        pool.free(b);
        pool.free(c);
        pool.close();
        assertEquals(2, dev.freed.size(), "close gives the cached buffers back");
        assertEquals(0, dev.used);
    }

    @Test
    void outOfMemoryTrimsTheCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice();
        dev.limit = 4096;
        DeviceMemoryPool<Long, String> pool = new DeviceMemoryPool<>("test pool", dev);
        pool.free(pool.allocate(2048)); // cached, 2048 of the 4096 held
        var big = pool.allocate(4000);   // needs the cache trimmed
        assertEquals(4096, big.capacity());
        assertThrows(io.chunkwise.MemoryBudgetExceededException.class, () -> pool.allocate(1));
        pool.free(big);
        pool.close();
    }

    @Test
    void closingWithLiveBuffersThrowsWithNameCountAndBytes() {
        FakeDevice dev = new FakeDevice();
        DeviceMemoryPool<Long, String> pool = new DeviceMemoryPool<>("cuda:9 memory pool", dev);
        var live = pool.allocate(100);
        pool.free(pool.allocate(100_000));
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(e.getMessage().contains("cuda:9 memory pool") && e.getMessage().contains("1 live buffers (512 bytes)"),
                e.getMessage());
        assertEquals(1, dev.freed.size(), "the cached buffer was still freed");
        pool.free(live);
        assertEquals(2, dev.freed.size(), "a buffer given back after close goes straight to the device");
        assertThrows(IllegalStateException.class, () -> pool.allocate(1));
    }

    @Test
    void aReusedBufferWaitsOnTheDeviceForTheStreamsThatUsedIt() {
        FakeStreams streams = new FakeStreams();
        DeviceMemoryPool<Long, String> pool = new DeviceMemoryPool<>("test pool", new FakeDevice(), streams, Long.MAX_VALUE);
        var a = pool.allocate(1000);
        pool.free(a, java.util.List.of("s1", "s2"));
        streams.use("s2");
        var b = pool.allocate(1000);
        assertSame(a.pointer(), b.pointer(), "reused at once: the host does not wait");
        assertEquals(java.util.List.of("s2<-s1"), streams.waits, "the new owner's stream waits for the other user's work");
        pool.free(b, java.util.List.of("s2"));
        pool.allocate(1000);
        assertEquals(1, streams.waits.size(), "the same stream is ordered already");
    }

    @Test
    void overTheBudgetTheCacheGoesBackToTheDeviceFirst() {
        FakeDevice dev = new FakeDevice();
        DeviceMemoryPool<Long, String> pool = new DeviceMemoryPool<>("test pool", dev, new FakeStreams(), 4096);
        pool.free(pool.allocate(2048));
        var big = pool.allocate(4096);
        assertEquals(java.util.List.of(1L), dev.freed, "the cached 2048 was freed to stay within 4096");
        assertEquals(4096, dev.used);
        pool.free(big);
        pool.close();
    }

    @Test
    void aChunkLargerThanTheWholeBudgetFailsNamingItsSizeAndTheBudget() {
        DeviceMemoryPool<Long, String> pool = new DeviceMemoryPool<>("cuda:0 memory pool", new FakeDevice(), new FakeStreams(), 3 << 20);
        var e = assertThrows(io.chunkwise.MemoryBudgetExceededException.class, () -> pool.allocate(5_000_000));
        assertTrue(e.getMessage().contains("a chunk of 5000000 bytes") && e.getMessage().contains("budget of 3145728 bytes")
                && e.getMessage().contains(DeviceMemoryBudget.FRACTION_PROPERTY), e.getMessage());
        pool.close();
    }
}
