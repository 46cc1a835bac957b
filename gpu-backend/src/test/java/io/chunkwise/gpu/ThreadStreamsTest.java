package io.chunkwise.gpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A stream per thread and the events that order them, on a fake driver that logs its calls (no GPU). */
class ThreadStreamsTest {
    static final class FakeDriver implements ThreadStreams.Driver<String, Integer> {
        final List<String> calls = new ArrayList<>();
        final AtomicInteger streams = new AtomicInteger(), events = new AtomicInteger();
        int liveStreams, liveEvents;

        @Override public synchronized String createStream() { liveStreams++; return "s" + streams.incrementAndGet(); }

        @Override public synchronized void destroyStream(String s) { liveStreams--; calls.add("destroy " + s); }

        @Override public synchronized Integer createEvent() { liveEvents++; return events.incrementAndGet(); }

        @Override public synchronized void destroyEvent(Integer e) { liveEvents--; calls.add("destroy e" + e); }

        @Override public synchronized void record(Integer e, String s) { calls.add("record e" + e + " on " + s); }

        @Override public synchronized void await(String s, Integer e) { calls.add(s + " waits for e" + e); }

        @Override public synchronized void synchronize(String s) { calls.add("synchronize " + s); }
    }

    @Test
    void eachThreadGetsItsOwnStreamOnItsFirstCall() throws Exception {
        FakeDriver driver = new FakeDriver();
        ThreadStreams<String, Integer> streams = new ThreadStreams<>("test streams", driver);
        assertEquals(0, driver.streams.get(), "created lazily");
        String main = streams.current();
        assertSame(main, streams.current());
        String[] other = new String[1];
        Thread t = new Thread(() -> other[0] = streams.current());
        t.start();
        t.join();
        assertNotEquals(main, other[0]);
        assertEquals(new ThreadStreams.Stats(2, 2, 0, 0), streams.stats());
        streams.close();
        assertEquals(0, driver.liveStreams, "close destroys every thread's stream");
        assertThrows(IllegalStateException.class, streams::current);
    }

    @Test
    void orderingRecordsAnEventOnEachOtherStreamAndReusesEvents() {
        FakeDriver driver = new FakeDriver();
        ThreadStreams<String, Integer> streams = new ThreadStreams<>("test streams", driver);
        String blas = streams.newStream();
        String mine = streams.current();
        streams.orderAfter(mine, List.of(mine, blas));
        streams.orderAfter(blas, List.of(mine));
        assertEquals(List.of("record e1 on s1", "s2 waits for e1", "record e1 on s2", "s1 waits for e1"), driver.calls,
                "its own stream is skipped; one event serves both waits (a wait captures the event as recorded)");
        streams.synchronize();
        streams.close();
        assertEquals(0, driver.liveStreams);
        assertEquals(0, driver.liveEvents, "close destroys the pooled events");
        assertEquals(new ThreadStreams.Stats(2, 0, 1, 0), streams.stats());
    }
}
