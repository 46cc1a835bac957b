package io.chunkwise.cluster;

import io.chunkwise.BlockFunction;
import io.chunkwise.NDArray;

/** A block function that takes 4 s a block on the member (as if stuck) {@link #slow} names and 150 ms elsewhere. */
public final class SlowOnOneMemberFunction implements BlockFunction {
    static volatile MemberRuntime slow;
    /** Blocks the slow member ran. */
    static final java.util.concurrent.atomic.AtomicInteger ranSlowly = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public NDArray apply(NDArray block, long[] index) {
        try {
            boolean onSlow = MemberRuntime.running() == slow;
            if (onSlow) ranSlowly.incrementAndGet();
            // the others' blocks take longer than the slow member's first (cheap) tasks did: only its silence while a
            // batch runs shows it is the slow one; and the others run theirs (about 2 s in all) well within its first
            // 4 s block, after which its window would take more of its own queue
            Thread.sleep(onSlow ? 4000 : 150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return block;
    }
}
