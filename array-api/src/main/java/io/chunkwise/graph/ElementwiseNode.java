package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.Region;

import java.util.ArrayList;
import java.util.List;

/**
 * A fused elementwise expression over inputs whose chunks line up with the output's (the array layer rechunks
 * them first); an input axis of length 1 is broadcast with stride 0, and missing leading axes likewise.
 */
public final class ElementwiseNode extends Node {
    private static final int[][] NO_STRIDES = {};
    private final Expr expr;
    /** The global shape, shared by the regions of all chunks (a graph holds one op per chunk; kernels only read it). */
    private final long[] globalShape;

    public ElementwiseNode(Expr expr, Chunks chunks, List<Node> inputs) {
        super("elementwise", d -> d.add(TaskCodec.encode(expr)), expr.dtype(), chunks, inputs);
        this.expr = expr;
        this.globalShape = chunks.shape();
    }

    public Expr expr() { return expr; }

    /**
     * numpy.broadcast_to as a layer: {@code input} read through stride 0 along the axes of {@code out} it is broadcast
     * along (leading axes it lacks, and its axes of length 1 where {@code out} is longer). Along its other axes
     * {@code input} is rechunked to {@code out}'s chunks where they differ.
     */
    public static ElementwiseNode broadcast(Node input, Chunks out) {
        long[] in = input.shape(), shape = out.shape();
        int lead = shape.length - in.length;
        if (lead < 0) throw new IllegalArgumentException("an array of shape " + Shapes.str(in) + " does not broadcast to " + out);
        long[][] own = new long[in.length][];
        for (int a = 0; a < in.length; a++) {
            boolean stretched = in[a] == 1 && shape[a + lead] != 1;
            if (!stretched && in[a] != shape[a + lead]) {
                throw new IllegalArgumentException("an array of shape " + Shapes.str(in) + " does not broadcast to " + out);
            }
            own[a] = stretched ? input.chunks().sizes(a) : out.sizes(a + lead);
        }
        return new ElementwiseNode(new Expr.Input(0, input.dtype()), out, List.of(ViewNode.rechunk(input, Chunks.explicit(own))));
    }

    /** Whether this layer only reads its single input (through stride 0 where it broadcasts): {@link #broadcast}. */
    public boolean isBroadcast() { return expr instanceof Expr.Input && inputs().size() == 1; }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        List<ChunkKey> deps = new ArrayList<>(inputs().size());
        TaskOp.Elementwise op = chunkOp(index, b, deps);
        return b.add(ownKey(index), deps, op);
    }

    /**
     * The op that computes chunk {@code index}, its inputs' keys (expanded as needed) added to {@code deps} in the
     * order the op reads them; a consumer that fuses this node into its own task uses it too.
     */
    TaskOp.Elementwise chunkOp(int[] index, GraphBuilder b, List<ChunkKey> deps) {
        long[] outShape = globalShape;
        int nd = outShape.length;
        int[][] strides = inputs().isEmpty() ? NO_STRIDES : new int[inputs().size()][];
        for (int i = 0; i < inputs().size(); i++) {
            Node in = inputs().get(i);
            long[] inShape = in.shape();
            int lead = nd - inShape.length;
            int[] inIdx = new int[inShape.length];
            for (int a = 0; a < inShape.length; a++) {
                boolean broadcast = inShape[a] == 1 && outShape[a + lead] != 1;
                inIdx[a] = broadcast ? 0 : index[a + lead];
            }
            int[] blockStrides = Shapes.strides(in.chunks().chunkShape(inIdx));   // read only below
            int[] s = new int[nd];
            for (int a = 0; a < inShape.length; a++) {
                s[a + lead] = inShape[a] == 1 && outShape[a + lead] != 1 ? 0 : blockStrides[a];
            }
            strides[i] = b.intern(s);
            deps.add(b.key(in, inIdx));
        }
        Region region = new Region(b.intern(chunks().chunkShape(index)), chunks().chunkOffset(index), outShape);
        return new TaskOp.Elementwise(expr, strides, region);
    }

    @Override public Node withInputs(List<Node> inputs) { return new ElementwiseNode(expr, chunks(), inputs); }

    @Override public String describe() { return "elementwise " + Expr.show(expr, 200); }
}
