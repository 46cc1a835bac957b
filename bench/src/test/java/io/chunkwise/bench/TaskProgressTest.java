package io.chunkwise.bench;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.ComputeListener;
import io.chunkwise.DType;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskProgressTest {
    /** Counts what the library reports, to compare the bar with. */
    private static final class Counter implements ComputeListener {
        final AtomicInteger total = new AtomicInteger(), done = new AtomicInteger();

        @Override public void started(int totalTasks) { total.set(totalTasks); }

        @Override public void taskDone(int d, int t, long bytes, long nanos, String backend) { done.incrementAndGet(); }
    }

    private static ComputeListener both(ComputeListener a, ComputeListener b) {
        return new ComputeListener() {
            @Override public void started(int totalTasks) {
                a.started(totalTasks);
                b.started(totalTasks);
            }

            @Override public void taskDone(int done, int total, long bytes, long nanos, String backend) {
                a.taskDone(done, total, bytes, nanos, backend);
                b.taskDone(done, total, bytes, nanos, backend);
            }
        };
    }

    @Test
    void aCountingBarFollowsTheTasksOfARealComputation() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Counter counter = new Counter();
        try (Chunkwise cw = Chunkwise.builder().threads(2).build();
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            ChunkedArray x = cw.random(3).normal(0, 1, new long[]{300, 70}, new int[]{64, 32});
            TaskProgress progress;
            try (ProgressBar bar = TaskProgress.newBar("sum", 1, e)) {
                progress = TaskProgress.counting(bar);
                double got = x.mul(x).sum(0).compute(both(progress, counter)).getDouble(5);
                assertTrue(got > 0, "a sum of squares: " + got);
                assertEquals(counter.total.get(), bar.getMax(), "the bar's length is the task count");
                assertEquals(counter.total.get(), bar.getCurrent(), "every task stepped the bar");
                assertEquals(counter.total.get(), counter.done.get());
                assertTrue(bar.getExtraMessage().contains(cw.backend().name()), bar.getExtraMessage());
            }
            assertTrue(progress.bytes() > 0, "tasks produced bytes");
        }
        String drawn = err.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.contains("sum") && drawn.contains("100%"), drawn);
    }

    /** Tasks end on several threads: a count that arrives after a larger one does not move the bar back. */
    @Test
    void countsArrivingOutOfOrderLeaveTheBarAtTheLargest() {
        try (PrintStream e = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
             ProgressBar bar = TaskProgress.newBar("tasks", 1, e)) {
            TaskProgress progress = TaskProgress.counting(bar);
            progress.started(4);
            for (int done : new int[]{1, 3, 4, 2}) progress.taskDone(done, 4, 8, 1000, "cpu");
            assertEquals(4, bar.getCurrent(), "the last count to arrive was 2, the largest 4");
            progress.started(3);
            assertEquals(0, bar.getCurrent(), "a new computation starts the bar again");
        }
    }

    @Test
    void aDescribingBarKeepsItsProgressAndShowsTheTasksInItsMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Chunkwise cw = Chunkwise.builder().threads(2).build();
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
             ProgressBar bar = TaskProgress.newBar("runs", 10, e)) {
            TaskProgress progress = TaskProgress.describing(bar);
            bar.stepBy(3);
            progress.prefix("ours n=100");
            Counter counter = new Counter();
            cw.ones(DType.FLOAT64, new long[]{1000}, new int[]{10}).sum().compute(both(progress, counter));
            assertEquals(3, bar.getCurrent(), "the tasks do not move a bar that counts something else");
            assertEquals(10, bar.getMax());
            String total = counter.total.get() + "/" + counter.total.get() + " tasks";
            assertTrue(bar.getExtraMessage().startsWith("ours n=100 | " + total), bar.getExtraMessage());
        }
    }

    @Test
    void bytesAreShownInBinaryUnits() {
        assertEquals("512 B", TaskProgress.bytesText(512));
        assertEquals("1.5 KiB", TaskProgress.bytesText(1536));
        assertEquals("3.0 GiB", TaskProgress.bytesText(3L << 30));
    }
}
