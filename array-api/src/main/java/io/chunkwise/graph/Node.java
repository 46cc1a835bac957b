package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.List;
import java.util.function.Consumer;

/**
 * A lazy array operation: one layer of the graph. It knows its output's dtype and chunk grid when built (shape and
 * dtype rules run here, never in kernels) and expands into tasks per output chunk only when computed.
 */
public abstract class Node {
    private final String name;
    private final DType dtype;
    private final Chunks chunks;
    private final List<Node> inputs;

    /** {@code params} adds the layer's parameters to its name's digest: everything that defines it beyond the rest. */
    protected Node(String kind, Consumer<Digest> params, DType dtype, Chunks chunks, List<Node> inputs) {
        this.dtype = dtype;
        this.chunks = chunks;
        this.inputs = List.copyOf(inputs);
        this.name = Names.token(kind, params, dtype, chunks, this.inputs);
    }

    /**
     * Deterministic (dask's tokenize): a digest of the op, its parameters, the dtype, every chunk size and the
     * inputs' names; a source's name is a random id or its content's identity.
     */
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
