package io.chunkwise.cluster;

import io.chunkwise.BlockFunction;
import io.chunkwise.NDArray;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A block function that takes 20 ms a block and records, per member, the most blocks it ran at once. */
public final class ConcurrencyRecordingFunction implements BlockFunction {
    static final Map<MemberRuntime, AtomicInteger> RUNNING = new ConcurrentHashMap<>(), MOST = new ConcurrentHashMap<>();

    @Override
    public NDArray apply(NDArray block, long[] index) {
        MemberRuntime m = MemberRuntime.running();
        int now = RUNNING.computeIfAbsent(m, k -> new AtomicInteger()).incrementAndGet();
        MOST.computeIfAbsent(m, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.get(m).decrementAndGet();
        }
        return block;
    }
}
