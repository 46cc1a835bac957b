package io.chunkwise.gpu;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stream per thread that calls the backend, created on the thread's first call and destroyed at {@link #close()},
 * so that the scheduler's worker threads issue kernels and copies concurrently instead of queueing behind each
 * other on one stream. {@link #orderAfter} records an event on each other stream and makes the stream wait for it;
 * events are pooled, as they may be recorded again as soon as the wait is issued. Generic over the driver so that
 * the bookkeeping is tested without a GPU. Thread-safe.
 *
 * @param <S> the stream type
 * @param <E> the event type
 */
final class ThreadStreams<S, E> implements StreamOrder<S>, AutoCloseable {
    /** The driver calls used (CUDA's in {@link CudaStreamDriver}). */
    interface Driver<S, E> {
        S createStream();

        void destroyStream(S stream);

        E createEvent();

        void destroyEvent(E event);

        /** Records {@code event} at the end of the work issued so far on {@code stream}. */
        void record(E event, S stream);

        /** Makes later work on {@code stream} wait until {@code event} has happened (the host does not wait). */
        void await(S stream, E event);

        /** Blocks the calling thread until the work issued on {@code stream} is done. */
        void synchronize(S stream);
    }

    record Stats(long streamsCreated, long streamsLive, long eventsCreated, long eventsLive) {}

    private final String name;
    private final Driver<S, E> driver;
    private final ThreadLocal<S> mine = new ThreadLocal<>();
    private final Set<S> streams = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedDeque<E> idleEvents = new ConcurrentLinkedDeque<>();
    private final AtomicLong streamsCreated = new AtomicLong(), eventsCreated = new AtomicLong();
    private final AtomicLong eventsLive = new AtomicLong();
    private volatile boolean closed;

    ThreadStreams(String name, Driver<S, E> driver) {
        this.name = name;
        this.driver = driver;
    }

    @Override
    public S current() {
        S s = mine.get();
        if (s == null || !streams.contains(s)) { // none yet on this thread (or one of an earlier life, never)
            s = newStream();
            mine.set(s);
        }
        return s;
    }

    @Override
    public void orderAfter(S stream, Collection<S> users) {
        for (S u : users) {
            if (u == null || u.equals(stream)) continue;
            E e = idleEvents.pollFirst();
            if (e == null) {
                e = driver.createEvent();
                eventsCreated.incrementAndGet();
                eventsLive.incrementAndGet();
            }
            try {
                driver.record(e, u);
                driver.await(stream, e);
            } finally {
                idleEvents.addFirst(e);
            }
        }
    }

    /** A stream of no thread's own (for work serialised by the caller, as cuBLAS's), destroyed at {@link #close()}. */
    synchronized S newStream() {
        if (closed) throw new IllegalStateException(name + " is closed");
        S s = driver.createStream();
        streams.add(s);
        streamsCreated.incrementAndGet();
        return s;
    }

    /** Blocks until the calling thread's stream has done its work. */
    void synchronize() { driver.synchronize(current()); }

    Stats stats() {
        return new Stats(streamsCreated.get(), streams.size(), eventsCreated.get(), eventsLive.get());
    }

    /**
     * Destroys every stream and event (the caller has finished all work, or no longer cares about it); a later call
     * to {@link #current()} throws.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (S s : streams) driver.destroyStream(s);
        streams.clear();
        E e;
        while ((e = idleEvents.pollFirst()) != null) {
            driver.destroyEvent(e);
            eventsLive.decrementAndGet();
        }
    }

    @Override
    public String toString() { return name + " " + stats(); }
}
