package io.chunkwise.bench.suite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Times several trials of the same workload interleaved: each is started and warmed up in turn (its warm-up runs, and
 * more where an entry asks for a warm-up of some seconds), then every round
 * runs each once, the order reversed from one round to the next (so that no trial always follows the same one). A
 * trial that throws is out, with the reason; the others go on. After a run of a trial that asks for it
 * ({@link Trial#settleMillis()}), the next trial waits that long, untimed. A trial whose runs are short (under
 * {@link #HOT_BELOW_SECONDS}) runs once more, untimed, right before each timed run: it is timed hot, as in a loop
 * of its own, rather than with its threads asleep and its data out of cache after the others ran (waking a sleeping
 * BLAS thread on this loaded machine costs milliseconds, as much as a whole small product). Each entry moves the progress by its warm-up runs plus
 * {@code reps}, failed or not.
 */
final class Interleaved {
    /** Runs shorter than this get an untimed run right before each timed one. */
    static final double HOT_BELOW_SECONDS = 0.1;

    private Interleaved() {}

    static final class Entry<T extends Trial> {
        final String label;
        final Callable<T> start;
        final int warmup;
        /** Untimed runs go on past {@code warmup} until they took this long in all (a JIT's steady state); 0: none. */
        final double warmupSeconds;
        final double[] seconds;
        T trial;
        String failure;
        private int steps;
        private double last = Double.POSITIVE_INFINITY;

        Entry(String label, Callable<T> start, int warmup, int reps) {
            this(label, start, warmup, 0, reps);
        }

        Entry(String label, Callable<T> start, int warmup, double warmupSeconds, int reps) {
            this.label = label;
            this.start = start;
            this.warmup = warmup;
            this.warmupSeconds = warmupSeconds;
            this.seconds = new double[reps];
        }

        boolean ok() {
            return failure == null && trial != null;
        }

        void fail(Throwable e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        }

        /** Closes the trial, ignoring what closing throws (the figures are taken). */
        void close() {
            if (trial == null) return;
            try {
                trial.close();
            } catch (Exception e) {
                // nothing left to measure
            }
            trial = null;
        }
    }

    static <T extends Trial> void run(List<Entry<T>> entries, Consumer<String> step) {
        int reps = entries.isEmpty() ? 0 : entries.get(0).seconds.length;
        for (Entry<T> e : entries) {
            try {
                e.trial = e.start.call();
                double warm = 0;
                for (int w = 0; w < e.warmup; w++) {
                    warm += e.last = e.trial.time();
                    advance(e, step, " warmup " + (w + 1) + "/" + e.warmup);
                }
                while (warm < e.warmupSeconds) warm += e.last = e.trial.time();
                if (e.warmup > 0 && entries.size() > 1) settle(e.trial);
            } catch (Exception | LinkageError | OutOfMemoryError ex) {
                e.fail(ex);
            }
        }
        List<Entry<T>> order = new ArrayList<>(entries);
        for (int r = 0; r < reps; r++) {
            for (Entry<T> e : order) {
                if (!e.ok()) continue;
                try {
                    if (e.last < HOT_BELOW_SECONDS) e.trial.time();
                    e.seconds[r] = e.last = e.trial.time();
                    advance(e, step, " run " + (r + 1) + "/" + reps);
                    if (entries.size() > 1) settle(e.trial);
                } catch (Exception | LinkageError | OutOfMemoryError ex) {
                    e.fail(ex);
                }
            }
            Collections.reverse(order);
        }
        for (Entry<T> e : entries) { // a failed trial still moves the progress its share
            while (e.steps < e.warmup + reps) advance(e, step, " failed");
        }
    }

    private static void settle(Trial t) {
        long ms = t.settleMillis();
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void advance(Entry<?> e, Consumer<String> step, String what) {
        e.steps++;
        step.accept(e.label + what);
    }

    /** The median of the timed runs, and the fastest and slowest. */
    static double[] medianMinMax(double[] seconds) {
        double[] s = seconds.clone();
        java.util.Arrays.sort(s);
        int k = s.length;
        double median = k % 2 == 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
        return new double[]{median, s[0], s[k - 1]};
    }
}
