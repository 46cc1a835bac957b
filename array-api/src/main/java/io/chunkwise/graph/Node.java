package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.List;

/**
 * A lazy array operation: one layer of the graph. It knows its output's dtype and chunk grid when built (shape and
 * dtype rules run here, never in kernels) and expands into tasks per output chunk only when computed.
 */
public abstract class Node {
    private final String name;
    private final DType dtype;
    private final Chunks chunks;
    private final List<Node> inputs;

    protected Node(String kind, Object params, DType dtype, Chunks chunks, List<Node> inputs) {
        this.dtype = dtype;
        this.chunks = chunks;
        this.inputs = List.copyOf(inputs);
        this.name = Names.token(kind, params, dtype, chunks, this.inputs);
    }

    /** Deterministic: the op, its parameters and its inputs' names (dask's tokenize). */
    public String name() { return name; }

    public DType dtype() { return dtype; }

    public Chunks chunks() { return chunks; }

    public long[] shape() { return chunks.shape(); }

    public List<Node> inputs() { return inputs; }

    /** Adds the tasks for output chunk {@code index} and returns the key that holds it. */
    protected abstract ChunkKey expand(int[] index, GraphBuilder b);

    /** The same operation over other inputs (the optimizer rewrites inputs). */
    public abstract Node withInputs(List<Node> inputs);

    /** One line for {@code explain()}. */
    public abstract String describe();

    protected ChunkKey ownKey(int[] index) { return new ChunkKey(name, index); }
}
