package io.chunkwise.bench;

import io.chunkwise.ComputeListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A computation's progress, as the library reports it through {@link ComputeListener}, on a progress bar: tasks done
 * of the total, bytes produced and task time per backend. Either the bar counts the tasks of one computation
 * ({@link #counting}: the demo), or it counts something else and the running computation shows in its message
 * ({@link #describing}: the suite, whose bar counts timed runs of ours and the peers alike).
 */
public final class TaskProgress implements ComputeListener {
    /** Redraw the message at most this often: a tiny task takes microseconds, formatting a message does not. */
    private static final long MESSAGE_NANOS = 100_000_000L;

    private final ProgressBar bar;
    private final boolean counts;
    private volatile String prefix = "";
    private final LongAdder bytes = new LongAdder();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private volatile long shownAt;
    /** The most tasks done the bar has shown in this computation. */
    private int shownDone;

    private TaskProgress(ProgressBar bar, boolean counts) {
        this.bar = bar;
        this.counts = counts;
    }

    /** The bar's progress is the tasks of each computation; its message the bytes and backend time. */
    public static TaskProgress counting(ProgressBar bar) { return new TaskProgress(bar, true); }

    /** The bar's progress stays as it is; its message follows {@link #prefix} with the running computation's tasks. */
    public static TaskProgress describing(ProgressBar bar) { return new TaskProgress(bar, false); }

    /**
     * The command line's progress bar, drawn on {@code err}: Unicode blocks on a terminal, ASCII 100 columns wide
     * when redirected to a file.
     */
    public static ProgressBar newBar(String name, long total, PrintStream err) {
        boolean terminal = System.console() != null;
        return new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(total)
                .setStyle(terminal ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(terminal ? new ConsoleProgressBarConsumer(err) : new ConsoleProgressBarConsumer(err, 100))
                .build();
    }

    /** Text shown before the tasks of the running computation, e.g. the last step of the caller. */
    public void prefix(String text) {
        prefix = text == null ? "" : text;
        if (bar != null && !counts) bar.setExtraMessage(prefix);
    }

    @Override
    public void started(int totalTasks) {
        bytes.reset();
        nanos.clear();
        shownAt = 0;
        if (bar == null) return;
        if (counts) {
            synchronized (this) {
                shownDone = 0;
                bar.maxHint(totalTasks);
                bar.stepTo(0);
            }
        }
        show(0, totalTasks);
    }

    @Override
    public void taskDone(int done, int total, long taskBytes, long taskNanos, String backend) {
        bytes.add(taskBytes);
        nanos.computeIfAbsent(backend, k -> new LongAdder()).add(taskNanos);
        if (bar == null) return;
        if (counts) {
            // tasks end on several threads, and their counts may arrive out of order: the bar only moves forward
            synchronized (this) {
                if (done > shownDone) {
                    shownDone = done;
                    bar.stepTo(done);
                }
            }
        }
        long now = System.nanoTime();
        if (done == total || now - shownAt >= MESSAGE_NANOS) {
            shownAt = now;
            show(done, total);
        }
    }

    private void show(int done, int total) {
        bar.setExtraMessage(message(counts ? -1 : done, total));
    }

    /** E.g. {@code "37/96 tasks, 1.2 GB, cpu 3.4 s"}; without the task count when {@code done < 0}. */
    String message(int done, int total) {
        StringBuilder s = new StringBuilder(prefix);
        if (!s.isEmpty()) s.append(" | ");
        if (done >= 0) s.append(done).append('/').append(total).append(" tasks, ");
        s.append(bytesText(bytes.sum()));
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(nanos).entrySet()) {
            s.append(String.format(Locale.ROOT, ", %s %.1f s", e.getKey(), e.getValue().sum() / 1e9));
        }
        return s.toString();
    }

    /** Total bytes the tasks of the current computation produced. */
    public long bytes() { return bytes.sum(); }

    static String bytesText(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
