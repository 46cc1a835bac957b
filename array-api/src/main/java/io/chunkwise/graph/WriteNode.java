package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.Arrays;
import java.util.List;

/**
 * Writes each chunk of its input into a file prepared for it ({@link TaskOp.Write}), one task per chunk, run where
 * the chunk is (on a cluster, its member). Its value per input chunk is the bytes written: an int64 array shaped like
 * the input's chunk grid, one value per chunk. Named by the file, its token and the input. Where a chunk's values
 * start ({@code dataOffsets}) is one offset for all chunks, for formats that place a chunk by its position in the
 * array (npy: where the array starts), or one per chunk in the grid's row-major order (Arrow: each chunk's batch).
 */
public final class WriteNode extends Node {
    private final String format;
    private final String path;
    private final String token;
    private final long fileSize;
    private final long[] dataOffsets;

    public WriteNode(Node input, String format, String path, String token, long fileSize, long[] dataOffsets) {
        super("write", d -> d.add(format).add(path).add(token).add(fileSize).add(dataOffsets), DType.INT64, perChunk(input.chunks()), List.of(input));
        if (dataOffsets.length != 1 && (long) dataOffsets.length != input.chunks().chunkCount()) {
            throw new IllegalArgumentException(dataOffsets.length + " data offsets for " + input.chunks().chunkCount() + " chunks");
        }
        this.format = format;
        this.path = path;
        this.token = token;
        this.fileSize = fileSize;
        this.dataOffsets = dataOffsets.clone();
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
        long dataOffset = dataOffsets[dataOffsets.length == 1 ? 0 : in.chunks().flatIndex(index)];
        return b.add(ownKey(index), List.of(b.key(in, index)), new TaskOp.Write(format, path, token, fileSize, dataOffset,
                in.shape(), in.dtype(), in.chunks().chunkOffset(index), in.chunks().chunkShape(index)));
    }

    @Override
    public Node withInputs(List<Node> inputs) { return new WriteNode(inputs.get(0), format, path, token, fileSize, dataOffsets); }

    @Override public String describe() { return "write " + format + " " + path; }
}
