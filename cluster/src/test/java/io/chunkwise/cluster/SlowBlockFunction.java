package io.chunkwise.cluster;

import io.chunkwise.BlockFunction;
import io.chunkwise.NDArray;

/** A block function members load by class name, taking 20 ms a block. */
public final class SlowBlockFunction implements BlockFunction {
    @Override
    public NDArray apply(NDArray block, long[] index) {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return block;
    }
}
