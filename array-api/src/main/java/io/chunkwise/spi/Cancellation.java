package io.chunkwise.spi;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.ComputationCancelledException;

/**
 * The cancellation of one computation, as the threads working for it see it. A scheduler makes one per computation
 * and marks each of its worker threads with it ({@link #enter}, {@link #leave}); a kernel's long loops call
 * {@link #check()} between tiles, so that a cancelled computation stops within a tile rather than at the end of a
 * chunk. Outside a scheduler's thread {@link #check()} does nothing.
 */
public final class Cancellation {
    private static final ThreadLocal<Cancellation> CURRENT = new ThreadLocal<>();
    /** The message of a computation whose thread was interrupted. */
    public static final String INTERRUPTED = "computation cancelled: the thread computing it was interrupted";

    private volatile ChunkwiseException reason;

    /**
     * Throws {@link ComputationCancelledException} when the computation the calling thread works for is cancelled,
     * or when the thread is interrupted (which cancels the computation). Costs a thread-local read otherwise: call
     * it between tiles, not per element.
     */
    public static void check() {
        Cancellation c = CURRENT.get();
        if (c == null) return;
        ChunkwiseException r = c.reason;
        if (r == null && Thread.currentThread().isInterrupted()) r = c.cancel(new ComputationCancelledException(INTERRUPTED));
        if (r != null) throw new ComputationCancelledException(r.getMessage(), r);
    }

    /** Whether the calling thread works for a computation (it is one of a scheduler's workers). */
    public static boolean working() { return CURRENT.get() != null; }

    /** The computation the calling thread works for, or null. */
    public static Cancellation current() { return CURRENT.get(); }

    /** Marks the calling thread as working for this computation; returns what it worked for before (or null). */
    public Cancellation enter() {
        Cancellation previous = CURRENT.get();
        CURRENT.set(this);
        return previous;
    }

    /** Ends {@link #enter}: the calling thread works for {@code previous} again. */
    public static void leave(Cancellation previous) {
        if (previous == null) CURRENT.remove();
        else CURRENT.set(previous);
    }

    /** Cancels the computation with {@code reason} unless it was cancelled already; returns the reason that holds. */
    public synchronized ChunkwiseException cancel(ChunkwiseException reason) {
        if (this.reason == null) this.reason = reason;
        return this.reason;
    }

    /** Why the computation was cancelled, or null while it is not. */
    public ChunkwiseException reason() { return reason; }
}
