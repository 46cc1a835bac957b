package io.chunkwise.bench.jmh;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The plain-Java baselines of the benchmarks run on as many threads as the Chunkwise context they are compared
 * with (2), each thread taking one contiguous part of the range, so that a ratio compares equal hardware.
 */
final class TwoThreads implements AutoCloseable {
    static final int THREADS = 2;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "baseline");
        t.setDaemon(true);
        return t;
    });

    /** A part of {@code [0, n)}: where it starts and ends. */
    interface Part<T> {
        T run(int from, int to);
    }

    /** Runs {@code part} on each thread's share of {@code [0, n)} and returns the results in order. */
    <T> Object[] split(int n, Part<T> part) {
        return split(n, THREADS, part);
    }

    /** As {@link #split(int, Part)}, in {@code parts} parts (at most as many at once as there are threads). */
    <T> Object[] split(int n, int parts, Part<T> part) {
        IntFunction<Future<T>> submit = p -> {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            return pool.submit(() -> part.run(from, to));
        };
        @SuppressWarnings("unchecked")
        Future<T>[] futures = new Future[parts];
        for (int p = 0; p < parts; p++) futures[p] = submit.apply(p);
        Object[] out = new Object[parts];
        try {
            for (int p = 0; p < parts; p++) out[p] = futures[p].get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
