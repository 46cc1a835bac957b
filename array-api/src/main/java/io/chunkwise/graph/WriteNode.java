package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.Arrays;
import java.util.List;

/**
 * Writes each chunk of its input into a file prepared for it ({@link TaskOp.Write}), one task per chunk, run where
 * the chunk is (on a cluster, its member). Its value per input chunk is the bytes written: an int64 array shaped like
 * the input's chunk grid, one value per chunk. Named by the file, its token and the input.
 */
public final class WriteNode extends Node {
    private final String format;
    private final String path;
    private final String token;
    private final long fileSize;
    private final long dataOffset;

    public WriteNode(Node input, String format, String path, String token, long fileSize, long dataOffset) {
        super("write", d -> d.add(format).add(path).add(token).add(fileSize).add(dataOffset), DType.INT64, perChunk(input.chunks()), List.of(input));
        this.format = format;
        this.path = path;
        this.token = token;
        this.fileSize = fileSize;
        this.dataOffset = dataOffset;
    }

    /** One position per chunk of {@code c}. */
    private static Chunks perChunk(Chunks c) {
        long[][] sizes = new long[c.ndim()][];
        for (int a = 0; a < sizes.length; a++) {
            sizes[a] = new long[c.numChunks(a)];
            Arrays.fill(sizes[a], 1);
        }
        return Chunks.explicit(sizes);
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        Node in = inputs().get(0);
        return b.add(ownKey(index), List.of(b.key(in, index)), new TaskOp.Write(format, path, token, fileSize, dataOffset,
                in.shape(), in.dtype(), in.chunks().chunkOffset(index), in.chunks().chunkShape(index)));
    }

    @Override
    public Node withInputs(List<Node> inputs) { return new WriteNode(inputs.get(0), format, path, token, fileSize, dataOffset); }

    @Override public String describe() { return "write " + format + " " + path; }
}
