package io.chunkwise.gpu;

import java.util.Collection;

/**
 * What the memory code needs of a device's streams: the calling thread's stream, and making one stream wait for
 * the work already issued on others. CUDA streams in the backend ({@link ThreadStreams}), fakes in tests.
 *
 * @param <S> the stream type
 */
interface StreamOrder<S> {
    /** The calling thread's stream. */
    S current();

    /**
     * Makes {@code stream} wait, on the device and without blocking the host, for the work issued so far on each of
     * {@code users} other than {@code stream} itself (its own work is ordered already).
     */
    void orderAfter(S stream, Collection<S> users);

    /** One implicit stream that orders everything (the legacy default stream): nothing to do. */
    static <S> StreamOrder<S> single() {
        return new StreamOrder<>() {
            @Override public S current() { return null; }

            @Override public void orderAfter(S stream, Collection<S> users) { }
        };
    }
}
