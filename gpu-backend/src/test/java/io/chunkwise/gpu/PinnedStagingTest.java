package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.HostBlock;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pinned staging buffers' reuse and fences, on a fake driver that logs its calls (no GPU). */
class PinnedStagingTest {
    static final class FakeDriver implements PinnedStaging.Driver<String, String, String> {
        final List<String> calls = new ArrayList<>();
        int buffers, liveBuffers, liveEvents;
        long pinnedLimit = Long.MAX_VALUE, pinned;

        @Override public String allocate(long bytes) {
            if (pinned + bytes > pinnedLimit) return null;
            pinned += bytes;
            liveBuffers++;
            return "h" + ++buffers;
        }

        @Override public void free(String host) { liveBuffers--; calls.add("free " + host); }

        @Override public String createEvent() { liveEvents++; return "e" + buffers; }

        @Override public void destroyEvent(String event) { liveEvents--; }

        @Override public void record(String event, String stream) { calls.add("record " + event + " on " + stream); }

        @Override public void waitFor(String event) { calls.add("host waits for " + event); }
    }

    final FakeDriver driver = new FakeDriver();
    final PinnedStaging<String, String, String> staging = new PinnedStaging<>("test staging", driver, 1 << 20, 3 << 10);

    @Test
    void aBufferIsReusedOnceTheHostHasWaitedForItsCopy() {
        var a = staging.take(1000);
        staging.giveBack(a, "s1");
        var b = staging.take(700);
        assertSame(a, b, "same size class");
        assertEquals(List.of("record e1 on s1", "host waits for e1"), driver.calls, "the host writes it: it waits for the copy first");
        var c = staging.take(3000);
        assertNotSame(b.host(), c.host());
        staging.giveBack(b, "s2");
        staging.giveBack(c, "s2");
        assertEquals(new PinnedStaging.Stats(0, 1, 1024, 2, 1), staging.stats(), "4096 more would pass the 3 KiB pooled");
        assertTrue(driver.calls.containsAll(List.of("host waits for e2", "free h2")), "waited for before it was freed: " + driver.calls);
        staging.close();
        assertEquals(0, driver.liveBuffers);
        assertEquals(0, driver.liveEvents);
    }

    @Test
    void largeChunksAndAFullPinnedMemoryAreNotStaged() {
        assertNull(staging.take(2 << 20), "above the largest staged chunk");
        assertNull(staging.take(0));
        driver.pinnedLimit = 512;
        assertNull(staging.take(1000), "no pinned memory left: the caller copies from the heap");
        staging.close();
    }

    @Test
    void closingWithABufferOutSaysSo() {
        staging.take(100);
        var e = assertThrows(IllegalStateException.class, staging::close);
        assertEquals("test staging closed with 1 staging buffers not given back", e.getMessage());
    }

    @Test
    void blocksOfEveryDtypeGoThroughAStagingBufferUnchanged() {
        for (DType t : DType.values()) {
            HostBlock from = HostBlock.allocate(t, new int[]{5});
            HostBlock to = HostBlock.allocate(t, new int[]{5});
            Object a = from.data();
            for (int i = 0; i < 5; i++) java.lang.reflect.Array.set(a, i, switch (t) {
                case FLOAT64 -> (Object) (i - 2.5);
                case FLOAT32 -> (Object) (float) (i * 1.5f);
                case INT64 -> (Object) (Long.MAX_VALUE - i);
                case INT32 -> (Object) (-i);
                case BOOL -> (Object) (byte) (i % 2);
            });
            ByteBuffer pinned = ByteBuffer.allocateDirect(64);
            StagedCopy.fill(pinned, from);
            StagedCopy.drain(pinned, to);
            assertTrue(java.util.Objects.deepEquals(new Object[]{from.data()}, new Object[]{to.data()}), t.toString());
        }
        ByteBuffer pinned = ByteBuffer.allocateDirect(16).order(java.nio.ByteOrder.nativeOrder());
        StagedCopy.fill(pinned, new HostBlock(DType.FLOAT64, new int[]{2}, new double[]{1.5, -0.0}));
        assertArrayEquals(new double[]{1.5, -0.0}, new double[]{pinned.getDouble(0), pinned.getDouble(8)});
    }
}
