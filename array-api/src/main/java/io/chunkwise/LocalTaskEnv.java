package io.chunkwise;

import io.chunkwise.graph.BlockFunctions;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.MapBlocksNode;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.SourceNode;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.io.ChunkReaders;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.HostCopy;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A context's {@link TaskEnv} for one run on this JVM. The user's arrays of the graph are "scattered" without a copy:
 * a chunk is cut from the array when its task runs. Function objects given to {@code mapBlocks} are found under their
 * random names; persisted chunks, registered functions and readers are the context's.
 */
final class LocalTaskEnv implements TaskEnv {
    private final Map<String, SourceNode> sources = new HashMap<>();
    private final Map<String, BlockFunction> anonymous = new HashMap<>();
    private final Map<ChunkKey, Block> persisted;
    private final BlockFunctions functions;
    private final ChunkReaders readers;

    /** The environment for running the graph of {@code root}: the sources and function objects it holds. */
    LocalTaskEnv(Node root, Map<ChunkKey, Block> persisted, BlockFunctions functions, ChunkReaders readers) {
        this.persisted = persisted;
        this.functions = functions;
        this.readers = readers;
        ArrayDeque<Node> todo = new ArrayDeque<>();
        todo.push(root);
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (!seen.add(n)) continue;
            if (n instanceof SourceNode s) sources.put(s.name(), s);
            if (n instanceof MapBlocksNode m && m.local() != null) anonymous.put(m.function(), m.local());
            n.inputs().forEach(todo::push);
        }
    }

    @Override
    public Block scattered(ChunkKey key, Backend backend) {
        SourceNode s = sources.get(key.layer());
        if (s == null) throw new ChunkwiseException("no scattered chunk " + key + " in this context's chunk store");
        NDArray data = s.data();
        Chunks chunks = s.chunks();
        int[] shape = chunks.chunkShape(key.index());
        long[] offset = chunks.chunkOffset(key.index());
        long[] gs = Shapes.strides(data.shape());
        long off = 0;
        int[] srcStrides = new int[shape.length];
        for (int a = 0; a < shape.length; a++) {
            off += offset[a] * gs[a];
            srcStrides[a] = (int) gs[a];
        }
        HostBlock out = HostBlock.allocate(data.dtype(), shape);
        HostCopy.copy(data.block().data(), (int) off, srcStrides, out.data(), 0, Shapes.strides(shape), shape);
        return backend.fromHost(out);
    }

    @Override
    public Block persisted(ChunkKey key) {
        Block b = persisted.get(key);
        if (b == null) throw new ChunkwiseException("no persisted chunk " + key + " in this context's chunk store");
        return b;
    }

    @Override
    public HostBlock read(TaskOp.Read read) { return readers.read(read); }

    @Override
    public long write(TaskOp.Write write, HostBlock chunk) { return io.chunkwise.io.ChunkWriters.write(write, chunk); }

    @Override
    public BlockFunction function(String name) {
        BlockFunction f = anonymous.get(name);
        return f != null ? f : functions.resolve(name);
    }
}
