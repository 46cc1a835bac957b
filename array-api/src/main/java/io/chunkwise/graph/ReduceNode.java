package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.spi.ReduceOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reduction over some axes: a partial per input chunk, then a tree of combines over groups of at most
 * {@link #SPLIT_EVERY} partials taken in chunk-index order, then a finish. The tree depends only on the chunk grid,
 * so results are bit-identical for any thread count or completion order.
 */
public final class ReduceNode extends Node {
    public static final int SPLIT_EVERY = 8;
    private final ReduceOp op;
    private final int[] axes;
    /** Whether each partial computes its input chunk itself (the input is elementwise and read by nothing else). */
    private final boolean fused;

    public ReduceNode(ReduceOp op, Node input, int[] axes, DType dtype) {
        this(op, input, axes, dtype, false);
    }

    private ReduceNode(ReduceOp op, Node input, int[] axes, DType dtype, boolean fused) {
        super("reduce-" + op.numpyName(), d -> d.add(axes).add(fused), dtype, outChunks(input.chunks(), axes), List.of(input));
        if (fused && !(input instanceof ElementwiseNode)) throw new IllegalArgumentException("only an elementwise input fuses");
        this.op = op;
        this.axes = axes.clone();
        this.fused = fused;
    }

    /**
     * This reduction with its elementwise input computed inside each partial's task: one task per chunk instead
     * of two, and no input chunk kept between tasks. For the optimizer, where nothing else reads the input.
     */
    ReduceNode fusedWith(ElementwiseNode input) { return new ReduceNode(op, input, axes, dtype(), true); }

    boolean fused() { return fused; }

    private static Chunks outChunks(Chunks in, int[] axes) {
        List<long[]> kept = new ArrayList<>();
        for (int a = 0; a < in.ndim(); a++) if (Arrays.binarySearch(axes, a) < 0) kept.add(in.sizes(a));
        return Chunks.explicit(kept.toArray(new long[0][]));
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Node in = inputs().get(0);
        int nd = in.chunks().ndim();
        boolean[] flags = new boolean[nd];
        int[] reducedGrid = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            flags[axes[i]] = true;
            reducedGrid[i] = in.chunks().numChunks(axes[i]);
        }
        int[] keptShape = new int[nd];
        int[] inIdxTemplate = new int[nd];
        for (int a = 0, k = 0; a < nd; a++) {
            if (flags[a]) keptShape[a] = 1;
            else {
                inIdxTemplate[a] = index[k];
                keptShape[a] = (int) in.chunks().size(a, index[k++]);
            }
        }
        int argAxis = op.isArg() ? axes[0] : -1;
        List<ChunkKey> level = new ArrayList<>();
        String partialLayer = name() + "-partial"; // one string, its hash computed once, for every partial's key
        Shapes.forEachIndex(reducedGrid, r -> {
            int[] inIdx = inIdxTemplate.clone();
            for (int i = 0; i < axes.length; i++) inIdx[axes[i]] = r[i];
            long argOffset = argAxis >= 0 ? in.chunks().offset(argAxis, inIdx[argAxis]) : 0;
            ChunkKey key = new ChunkKey(partialLayer, inIdx);
            if (fused) {
                List<ChunkKey> deps = new ArrayList<>(in.inputs().size());
                TaskOp.Elementwise producer = ((ElementwiseNode) in).chunkOp(inIdx, b, deps);
                level.add(b.add(key, deps, new TaskOp.ReducePartial(op, flags, argOffset, in.dtype(), keptShape, producer)));
            } else {
                ChunkKey src = b.key(in, inIdx);
                level.add(b.add(key, List.of(src), new TaskOp.ReducePartial(op, flags, argOffset, in.dtype(), keptShape)));
            }
        });
        List<ChunkKey> current = level;
        for (int depth = 0; current.size() > 1; depth++) {
            List<ChunkKey> next = new ArrayList<>();
            String combineLayer = name() + "-combine" + depth;
            for (int g = 0; g * SPLIT_EVERY < current.size(); g++) {
                List<ChunkKey> group = current.subList(g * SPLIT_EVERY, Math.min(current.size(), (g + 1) * SPLIT_EVERY));
                int[] key = Arrays.copyOf(index, index.length + 1);
                key[index.length] = g;
                next.add(group.size() == 1 ? group.get(0)
                        : b.add(new ChunkKey(combineLayer, key), group, new TaskOp.ReduceCombine(op, keptShape)));
            }
            current = next;
        }
        return b.add(ownKey(index), List.of(current.get(0)), new TaskOp.ReduceFinish(op, dtype(), chunks().chunkShape(index)));
    }

    @Override
    public Node withInputs(List<Node> inputs) {
        Node in = inputs.get(0);
        return new ReduceNode(op, in, axes, dtype(), fused && in instanceof ElementwiseNode);
    }

    @Override
    public String describe() {
        return op.numpyName() + " over axes " + Arrays.toString(axes) + (fused ? ", its elementwise input fused in" : "");
    }
}
