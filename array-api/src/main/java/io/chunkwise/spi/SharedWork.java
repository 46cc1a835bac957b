package io.chunkwise.spi;

/**
 * Work inside one task that idle workers of the same computation may share: a range of independent pieces (the
 * leaves of a chunk's sum, say), run on the task's own thread and on the scheduler's workers that have no task to
 * run. Without it, a computation of a few large chunks ends with one worker finishing the last chunk while the others
 * wait (measured: a tenth of a fused sum over ten chunks on two threads). Where the current thread belongs to no
 * scheduler that shares work (a cluster member's task threads, a plain caller), a range runs on it alone.
 *
 * <p>A body must not depend on which thread runs which piece, nor on their order: its result must be the same as one
 * thread's run of the whole range (a sum writes each leaf's sum to its own slot and adds them up afterwards).
 */
public final class SharedWork {
    private static final ThreadLocal<Pool> CURRENT = new ThreadLocal<>();

    private SharedWork() {}

    /** Where a scheduler's idle workers find ranges to help with: set on each worker's thread while it runs tasks. */
    public interface Pool {
        /** Offers {@code range} to idle workers, until it is withdrawn. */
        void offer(Range range);

        void withdraw(Range range);
    }

    /** The pieces of a range: {@code [from, to)}. */
    @FunctionalInterface
    public interface Body {
        void run(int from, int to);
    }

    /** Makes {@code pool} the current thread's; returns the one before, for {@link #leave}. */
    public static Pool enter(Pool pool) {
        Pool previous = CURRENT.get();
        CURRENT.set(pool);
        return previous;
    }

    public static void leave(Pool previous) {
        if (previous == null) CURRENT.remove();
        else CURRENT.set(previous);
    }

    /**
     * Runs {@code body} over {@code [0, count)} in pieces of {@code grain} (the last one shorter), on this thread and
     * on idle workers of the current pool, and returns when every piece has run. A piece's failure stops the pieces
     * not yet started and is thrown here once the others have ended.
     */
    public static void forRange(int count, int grain, Body body) {
        if (grain < 1) throw new IllegalArgumentException("a piece holds at least one index, not " + grain);
        Pool pool = CURRENT.get();
        if (pool == null || count <= grain) {
            if (count > 0) body.run(0, count);
            return;
        }
        Range range = new Range(count, grain, body);
        pool.offer(range);
        try {
            while (range.runPiece()) {
                // this thread takes pieces until none is left; helpers take some of them meanwhile
            }
        } finally {
            pool.withdraw(range);
        }
        range.finish();
    }

    /** A range on offer: its pieces are claimed one at a time, by whichever thread asks first. */
    public static final class Range {
        private final int count;
        private final int grain;
        private final Body body;
        private int next;           // the first index not claimed: guarded by this
        private int running;        // pieces claimed and not ended: guarded by this
        private Throwable failure;  // the first piece's failure: guarded by this

        private Range(int count, int grain, Body body) {
            this.count = count;
            this.grain = grain;
            this.body = body;
        }

        /** Whether a piece is left to claim. */
        public synchronized boolean hasWork() { return next < count; }

        /** Runs the next unclaimed piece; false where none was left. A failure is kept for the range's owner. */
        public boolean runPiece() {
            int from;
            synchronized (this) {
                if (next >= count) return false;
                from = next;
                next = from + Math.min(grain, count - from);
                running++;
            }
            Throwable failed = null;
            try {
                body.run(from, Math.min(count, from + grain));
            } catch (Throwable e) {
                failed = e;
            }
            synchronized (this) {
                running--;
                if (failed != null) {
                    if (failure == null) failure = failed;
                    next = count;   // the pieces not yet started never start
                }
                if (running == 0) notifyAll();
            }
            return true;
        }

        /** Waits for the pieces that other threads still run, then throws the first failure of any piece. */
        private void finish() {
            boolean interrupted = false;
            Throwable failed;
            synchronized (this) {
                while (running > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;   // pieces are short: wait them out, and keep the interrupt for the caller
                    }
                }
                failed = failure;
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (failed instanceof RuntimeException e) throw e;
            if (failed instanceof Error e) throw e;
            if (failed != null) throw new IllegalStateException(failed);
        }
    }
}
