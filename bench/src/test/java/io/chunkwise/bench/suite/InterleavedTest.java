package io.chunkwise.bench.suite;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterleavedTest {
    /** A trial that says it took {@code seconds} each run, counts its runs and may fail at run {@code failAt}. */
    private static final class Counting implements Trial {
        final double seconds;
        final int failAt;
        int runs;
        boolean closed;

        Counting(double seconds, int failAt) {
            this.seconds = seconds;
            this.failAt = failAt;
        }

        @Override
        public double time() {
            if (++runs == failAt) throw new IllegalStateException("run " + runs + " broke");
            return seconds;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void shortRunsAreTimedHotAndAFailureLeavesTheOthersRunning() {
        Counting quick = new Counting(0.001, 0), slow = new Counting(0.5, 0), broken = new Counting(0.5, 3);
        List<Interleaved.Entry<Counting>> entries = List.of(new Interleaved.Entry<>("quick", () -> quick, 1, 3),
                new Interleaved.Entry<>("slow", () -> slow, 1, 3), new Interleaved.Entry<>("broken", () -> broken, 1, 3));
        List<String> steps = new ArrayList<>();
        Interleaved.run(entries, steps::add);
        assertEquals(1 + 2 * 3, quick.runs, "an untimed run right before each timed one");
        assertEquals(1 + 3, slow.runs);
        assertEquals(3, broken.runs);
        assertEquals(List.of(0.001, 0.001, 0.001), List.of(entries.get(0).seconds[0], entries.get(0).seconds[1], entries.get(0).seconds[2]));
        assertNull(entries.get(1).failure);
        assertFalse(entries.get(2).ok());
        assertEquals("IllegalStateException: run 3 broke", entries.get(2).failure);
        assertEquals(3 * (1 + 3), steps.size(), "every entry moves the progress by its warm-up and timed runs");
        for (var e : entries) e.close();
        assertTrue(quick.closed && slow.closed && broken.closed);
    }

    @Test
    void aTrialThatCannotStartIsOut() {
        List<Interleaved.Entry<Counting>> entries = List.of(
                new Interleaved.Entry<>("missing", () -> { throw new UnsatisfiedLinkError("no library"); }, 2, 2),
                new Interleaved.Entry<>("fine", () -> new Counting(0.5, 0), 2, 2));
        List<String> steps = new ArrayList<>();
        Interleaved.run(entries, steps::add);
        assertEquals("UnsatisfiedLinkError: no library", entries.get(0).failure);
        assertTrue(entries.get(1).ok());
        assertEquals(8, steps.size());
        assertEquals(List.of(0.5, 2.0, 0.5), List.of(Interleaved.medianMinMax(new double[]{2.0, 0.5, 0.5})[0],
                Interleaved.medianMinMax(new double[]{2.0, 0.5, 0.5})[2], Interleaved.medianMinMax(new double[]{0.5, 2.0})[1]));
    }
}
