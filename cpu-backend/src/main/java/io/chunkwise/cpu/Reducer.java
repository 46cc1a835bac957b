package io.chunkwise.cpu;

import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;

/**
 * The running states of up to LANES outputs while their elements stream past in blocks, and the tile blocks
 * are loaded into. The op is switched on once per block; the loops inside are plain.
 */
abstract class Reducer {
    final Loops loops;
    final ReduceOp op;
    int lanes;

    Reducer(Loops loops, ReduceOp op) {
        this.loops = loops;
        this.op = op;
    }

    abstract void reset(int lanes);

    /** Copies {@code n} elements {@code src[off + k * stride]} into the tile at {@code tileOff}. */
    abstract void load(Object src, int off, int stride, int tileOff, int n);

    /**
     * Consumes {@code n} elements of lane 0's line: {@code src} from {@code off} (the tile type's array), or
     * the tile from 0 when {@code src} is null. {@code first} is the global arg index of the first.
     */
    abstract void acceptLine(Object src, int off, int n, long first);

    /** Consumes {@code rows} tile rows of {@code lanes} elements; row k is element {@code first + k} of each lane. */
    abstract void acceptRows(int rows, long first);

    abstract void store(Partial out, int position, int lane);
}
