package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.util.List;

/**
 * Chunks read from a file, each by its own task, so chunks are read in parallel and only those needed. A task is a
 * descriptor ({@link TaskOp.Read}: format, path, the file's size and modification time, the chunk's place) that
 * the running side resolves with its reader for the format. Named by the file's identity and version.
 */
public final class ReadNode extends Node {
    private final String format;
    private final String path;
    private final long fileSize;
    private final long modified;

    public ReadNode(String format, String path, long fileSize, long modified, DType dtype, Chunks chunks) {
        super("read", d -> d.add(format).add(path).add(fileSize).add(modified), dtype, chunks, List.of());
        this.format = format;
        this.path = path;
        this.fileSize = fileSize;
        this.modified = modified;
    }

    @Override
    protected ChunkKey expand(int[] index, GraphBuilder b) {
        return b.add(ownKey(index), List.of(), new TaskOp.Read(format, path, fileSize, modified, dtype(),
                chunks().chunkOffset(index), chunks().chunkShape(index)));
    }

    @Override public Node withInputs(List<Node> inputs) { return this; }

    @Override public String describe() { return "read " + format + " " + path; }
}
