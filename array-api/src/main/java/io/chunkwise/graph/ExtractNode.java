package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.Arrays;
import java.util.List;

/**
 * The values of a 1-D array where a BOOL condition of the same 1-D chunks holds, in order (numpy.extract of one chunk
 * at a time). Output chunk {@code k} holds the selected values of input chunk {@code source[k]}, whose count the
 * array layer counted beforehand: the output's chunk sizes are those counts (input chunks that select nothing have
 * no output chunk).
 */
public final class ExtractNode extends Node {
    private final int[] source;

    public ExtractNode(Node values, Node condition, int[] source, Chunks out) {
        super("extract", d -> d.add(source), values.dtype(), out, List.of(values, condition));
        if (values.chunks().ndim() != 1 || !values.chunks().equals(condition.chunks()) || condition.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("extract reads a 1-D array and a BOOL condition of the same chunks, got "
                    + values.chunks() + " and " + condition.dtype() + " " + condition.chunks());
        }
        if (out.ndim() != 1 || out.numChunks(0) != source.length) {
            throw new IllegalArgumentException("extract: " + source.length + " source chunks for output chunks " + out);
        }
        this.source = source.clone();
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        int[] in = {source[index[0]]};
        List<ChunkKey> deps = List.of(b.key(inputs().get(0), in), b.key(inputs().get(1), in));
        return b.add(ownKey(index), deps, new TaskOp.Extract(dtype(), (int) chunks().size(0, index[0])));
    }

    @Override public Node withInputs(List<Node> inputs) { return new ExtractNode(inputs.get(0), inputs.get(1), source, chunks()); }

    @Override
    public String describe() {
        return "extract from chunks " + (source.length <= 8 ? Arrays.toString(source) : "(" + source.length + " of them)");
    }
}
