package io.chunkwise.gpu;

import io.chunkwise.MemoryBudgetExceededException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spilling to host memory and uploading again, on a fake device whose buffers hold a string each (no GPU). */
class DeviceResidencyTest {
    static final long MIB = 1 << 20;

    /** Fake device memory and the copies between it and fake host copies, with a log of each copy. */
    static final class FakeMemory implements DeviceResidency.Copies<Long, String, String> {
        final DeviceMemoryPoolTest.FakeDevice device = new DeviceMemoryPoolTest.FakeDevice();
        final Map<Long, String> contents = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean failCopies;

        @Override public String toHost(Long pointer, long bytes, String stream) {
            if (failCopies) throw new IllegalStateException("copy failed");
            log.add("spill " + contents.get(pointer) + " on " + stream);
            return contents.get(pointer);
        }

        @Override public void toDevice(String host, Long pointer, long bytes, String stream) {
            if (failCopies) throw new IllegalStateException("copy failed");
            log.add("restore " + host + " on " + stream);
            contents.put(pointer, host);
        }
    }

    final FakeMemory memory = new FakeMemory();
    final FakeStreams streams = new FakeStreams();
    /** Room for three chunks of 2 MiB. */
    final DeviceMemoryPool<Long, String> pool = new DeviceMemoryPool<>("test pool", memory.device, streams, 6 * MIB);
    final DeviceResidency<Long, String, String> residency = new DeviceResidency<>(pool, streams, memory);

    /** A 2 MiB chunk holding {@code value}, allocated and written in an operation of its own. */
    DeviceResidency<Long, String, String>.Chunk chunk(String value) {
        residency.beginOperation();
        var c = residency.allocate(2 * MIB);
        memory.contents.put(c.pointer(), value);
        residency.beginOperation();
        return c;
    }

    String read(DeviceResidency<Long, String, String>.Chunk c) { return memory.contents.get(c.pointer()); }

    @Test
    void aFullBudgetSpillsTheLeastRecentlyUsedChunkAndItComesBackWhenUsed() {
        var a = chunk("a");
        var b = chunk("b");
        var c = chunk("c");
        residency.beginOperation();
        read(a); // a is now more recent than b
        residency.beginOperation();
        var d = chunk("d");
        assertEquals(List.of("spill b on main"), memory.log, "b was the least recently used");
        assertTrue(b.isSpilled());
        assertFalse(a.isSpilled() || c.isSpilled() || d.isSpilled());
        assertEquals(6 * MIB, memory.device.used, "within the budget");

        residency.beginOperation();
        assertEquals("b", read(b), "uploaded again, transparently");
        assertEquals(List.of("spill b on main", "spill c on main", "restore b on main"), memory.log, "c made room for b");
        assertEquals(new DeviceResidency.Stats(4, 1, 2 * MIB, 2, 1), residency.stats());
        for (var x : List.of(a, b, c, d)) x.free();
        assertEquals(new DeviceResidency.Stats(0, 0, 0, 2, 1), residency.stats());
        residency.close();
        pool.close();
        assertEquals(0, memory.device.used, "no device memory left behind");
    }

    @Test
    void chunksInUseByTheRunningOperationAreNotSpilled() {
        var a = chunk("a");
        var b = chunk("b");
        var c = chunk("c");
        residency.beginOperation();
        read(a);
        read(b); // the operation uses a and b (the oldest two), so c goes
        var out = residency.allocate(2 * MIB);
        assertEquals(List.of("spill c on main"), memory.log);
        var more = residency.allocate(2 * MIB); // a, b and out are in use: over the budget rather than fail
        assertEquals(8 * MIB, memory.device.used);
        assertEquals(1, residency.stats().spills());
        for (var x : List.of(a, b, c, out, more)) x.free();
        residency.close();
        pool.close();
    }

    @Test
    void aSpillWaitsForTheStreamsThatUsedTheChunk() {
        streams.use("writer");
        var a = chunk("a");
        streams.use("reader");
        residency.beginOperation();
        read(a);
        assertEquals(List.of("reader<-writer"), streams.waits, "a reader on another stream waits for the writer");
        streams.use("spiller");
        chunk("b");
        chunk("c");
        chunk("d"); // spills a
        assertEquals(List.of("spill a on spiller"), memory.log);
        assertTrue(streams.waits.containsAll(List.of("spiller<-writer", "spiller<-reader")), streams.waits.toString());
    }

    @Test
    void aChunkLargerThanTheBudgetFailsWithItsSizeAndTheBudget() {
        var e = assertThrows(MemoryBudgetExceededException.class, () -> residency.allocate(7 * MIB));
        assertTrue(e.getMessage().contains("a chunk of " + 7 * MIB + " bytes") && e.getMessage().contains("budget of " + 6 * MIB + " bytes"),
                e.getMessage());
        assertEquals(0, residency.stats().liveChunks());
    }

    @Test
    void closingWithLiveChunksSaysHowManyAndHowManyAreSpilled() {
        var a = chunk("a");
        chunk("b");
        chunk("c");
        chunk("d");
        IllegalStateException e = assertThrows(IllegalStateException.class, residency::close);
        assertEquals("4 chunks were not released, 1 of them spilled to the host (" + 2 * MIB + " bytes)", e.getMessage());
        assertTrue(a.isSpilled());
        a.free();
        assertFalse(a.isSpilled());
        assertThrows(IllegalStateException.class, a::pointer, "a released chunk has no pointer");
    }

    @Test
    void aFreedChunksBufferIsReusedAfterItsUsers() {
        streams.use("s1");
        var a = chunk("a");
        long p = a.pointer();
        a.free();
        streams.use("s2");
        var b = chunk("b");
        assertEquals(p, b.pointer());
        assertEquals(List.of("s2<-s1"), streams.waits);
        assertNotEquals(0, pool.stats().reuses());
    }

    @Test
    void aFailedCopyLeavesTheChunkWhereItWas() {
        var a = chunk("a");
        var b = chunk("b");
        var c = chunk("c");
        memory.failCopies = true;
        residency.beginOperation();
        assertThrows(IllegalStateException.class, () -> residency.allocate(2 * MIB), "spilling a fails");
        assertFalse(a.isSpilled());
        memory.failCopies = false;
        assertEquals("a", read(a), "a is still on the device");
        residency.beginOperation();
        chunk("d");
        assertTrue(b.isSpilled());
        c.free(); // room for b: the restore's copy is what fails next
        memory.failCopies = true;
        residency.beginOperation();
        assertThrows(IllegalStateException.class, b::pointer, "restoring b fails");
        assertTrue(b.isSpilled(), "b stays on the host");
        memory.failCopies = false;
        residency.beginOperation();
        assertEquals("b", read(b));
        assertEquals(6 * MIB, pool.stats().liveBytes() + pool.stats().cachedBytes(), "the failed restore's buffer went back");
    }

    @Test
    void threadsSharingATightBudgetReadBackWhatTheyWrote() throws Exception {
        int threads = 4, rounds = 2000;
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        // the threads start together; on a loaded machine one may still finish before the others run, so the round
        // is repeated (at most 20 times) until the budget has made them spill and restore
        for (int attempt = 0; attempt < 20 && failures.isEmpty()
                && (residency.stats().spills() == 0 || residency.stats().restores() == 0); attempt++) {
            List<Thread> ts = new ArrayList<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts.add(new Thread(() -> {
                    streams.use("stream " + id);
                    java.util.Random random = new java.util.Random(id);
                    List<DeviceResidency<Long, String, String>.Chunk> mine = new ArrayList<>();
                    List<String> values = new ArrayList<>();
                    try {
                        go.await();
                        for (int r = 0; r < rounds; r++) {
                            residency.beginOperation();
                            int k = random.nextInt(3);
                            if (k == 0 && mine.size() < 3) {
                                var c = residency.allocate(2 * MIB);
                                String v = id + ":" + r;
                                memory.contents.put(c.pointer(), v);
                                mine.add(c);
                                values.add(v);
                            } else if (k == 1 && !mine.isEmpty()) {
                                int i = random.nextInt(mine.size());
                                assertEquals(values.get(i), memory.contents.get(mine.get(i).pointer()));
                            } else if (!mine.isEmpty()) {
                                int i = random.nextInt(mine.size());
                                mine.remove(i).free();
                                values.remove(i);
                            }
                        }
                        mine.forEach(DeviceResidency.Chunk::free);
                        residency.beginOperation();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            ts.forEach(Thread::start);
            go.countDown();
            for (Thread t : ts) t.join();
        }
        assertEquals(List.of(), failures);
        assertTrue(residency.stats().spills() > 0 && residency.stats().restores() > 0, residency.stats().toString());
        residency.close();
        pool.close();
        assertEquals(0, memory.device.used, "every buffer went back to the device");
    }
}
