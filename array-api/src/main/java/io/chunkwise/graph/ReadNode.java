package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;
import io.chunkwise.spi.HostBlock;

import java.io.IOException;
import java.util.List;

/** Chunks read from a file, each by its own task, so chunks are read in parallel and only those needed. */
public final class ReadNode extends Node {
    /** Reads the chunk at {@code offset} of {@code shape}. */
    @FunctionalInterface
    public interface RegionReader {
        HostBlock read(long[] offset, int[] shape) throws IOException;
    }

    private final String what;
    private final RegionReader reader;

    public ReadNode(String what, DType dtype, Chunks chunks, RegionReader reader) {
        super("read", what, dtype, chunks, List.of());
        this.what = what;
        this.reader = reader;
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        long[] off = chunks().chunkOffset(index);
        int[] shape = chunks().chunkShape(index);
        return b.add(ownKey(index), List.of(), new TaskOp.Read(what, () -> reader.read(off, shape), dtype(), shape));
    }

    @Override public Node withInputs(List<Node> inputs) { return this; }

    @Override public String describe() { return "read " + what; }
}
