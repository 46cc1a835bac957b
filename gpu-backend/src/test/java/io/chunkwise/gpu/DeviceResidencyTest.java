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
        final Map<Long, String> contents = new HashMap<>();
        final List<String> log = new ArrayList<>();

        @Override public String toHost(Long pointer, long bytes, String stream) {
            log.add("spill " + contents.get(pointer) + " on " + stream);
            return contents.get(pointer);
        }

        @Override public void toDevice(String host, Long pointer, long bytes, String stream) {
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
}
