package io.chunkwise.cluster;

import io.chunkwise.BlockFunction;
import io.chunkwise.NDArray;

/** A block function members load by class name, failing on block 2. */
public final class FailingBlockFunction implements BlockFunction {
    @Override
    public NDArray apply(NDArray block, long[] index) {
        if (index[0] == 2) throw new IllegalStateException("block 2 refused");
        return block;
    }
}
