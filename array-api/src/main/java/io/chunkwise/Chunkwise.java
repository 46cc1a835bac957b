package io.chunkwise;

import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.GraphBuilder;
import io.chunkwise.graph.BlockFunctions;
import io.chunkwise.graph.PersistedNode;
import io.chunkwise.graph.ReadNode;
import io.chunkwise.graph.TaskEnv;
import io.chunkwise.graph.Node;
import io.chunkwise.graph.MatmulTiling;
import io.chunkwise.graph.Optimizer;
import io.chunkwise.graph.SourceNode;
import io.chunkwise.graph.Task;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.io.ChunkReaders;
import io.chunkwise.graph.ElementwiseNode;
import io.chunkwise.scheduler.ClusterSchedulerFactory;
import io.chunkwise.scheduler.LocalScheduler;
import io.chunkwise.scheduler.Scheduler;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.HostCopy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The context: a backend for chunk kernels and a scheduler (local threads or a cluster). Creates arrays and runs
 * their computations. Close it to stop its threads and give back device memory.
 */
public final class Chunkwise implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Chunkwise.class);
    private final Backend backend;
    private final Scheduler scheduler;
    private volatile boolean closed;
    /** The chunk store of persisted arrays: the context owns the blocks and gives them back to the backend when it closes. */
    private final Map<ChunkKey, Block> persisted = new ConcurrentHashMap<>();
    private final BlockFunctions functions = new BlockFunctions();
    private final ChunkReaders readers = new ChunkReaders();
    /** A forced matmul tile edge (see {@link Builder#matmulTile}), or -1: the scheduler's backend decides. */
    private final int matmulTile;
    /** Bytes of arrays persisted (reserved when a persist() starts, given back when it fails), at most {@link #persistBudget}. */
    private final java.util.concurrent.atomic.AtomicLong persistedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final long persistBudget;

    private Chunkwise(Backend backend, Scheduler scheduler, int matmulTile, long persistBudget) {
        this.backend = backend;
        this.scheduler = scheduler;
        this.matmulTile = matmulTile;
        this.persistBudget = persistBudget;
    }

    /** {@return the embedded default: a local scheduler on all processors, backend AUTO} */
    public static Chunkwise local() { return builder().build(); }

    /** {@return a builder of a context other than the default} */
    public static Builder builder() { return new Builder(); }

    /** Sets up a context: its backend, threads, memory budget, matrix product tiles, or a cluster. */
    public static final class Builder {
        private BackendKind kind = BackendKind.AUTO;
        private Backend backend;
        private int threads = Runtime.getRuntime().availableProcessors();
        private long memoryBudget = Runtime.getRuntime().maxMemory() / 2;
        private long persistBudget = Runtime.getRuntime().maxMemory() / 4;
        private ClusterSpec cluster;
        private int matmulTile = -1;

        private Builder() {}

        /**
         * The kind of backend to find through {@link Backends} (default {@link BackendKind#AUTO}).
         *
         * @param kind the kind
         * @return this builder
         */
        public Builder backend(BackendKind kind) {
            this.kind = java.util.Objects.requireNonNull(kind, "backend kind");
            this.backend = null;
            return this;
        }

        /**
         * A specific backend instance (for tests and benchmarks); the context closes it.
         *
         * @param backend the backend
         * @return this builder
         */
        public Builder backend(Backend backend) {
            this.backend = java.util.Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * The scheduler's worker threads (default: one per processor).
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            if (threads < 1) throw new InvalidArgumentException("threads must be at least 1, not " + threads);
            this.threads = threads;
            return this;
        }

        /**
         * The bytes of chunks held at once by all the context's computations together: a task starts only while what
         * is held and its output fit.
         *
         * @param bytes the budget, positive (default: half the maximum heap)
         * @return this builder
         */
        public Builder memoryBudget(long bytes) {
            if (bytes < 1) throw new InvalidArgumentException("memory budget must be positive, not " + bytes);
            this.memoryBudget = bytes;
            return this;
        }

        /**
         * Bytes of the arrays kept by {@code persist()} at once (default: a quarter of the maximum heap), apart from
         * the memory budget: a persist() that would exceed it fails before it runs.
         *
         * @param bytes the persist budget, 0 or more
         * @return this builder
         */
        public Builder persistBudget(long bytes) {
            if (bytes < 0) throw new InvalidArgumentException("persist budget must be 0 or more, not " + bytes);
            this.persistBudget = bytes;
            return this;
        }

        /**
         * Computes matrix products in tiles of consecutive output chunks up to {@code edge} elements on a side
         * (0: chunk by chunk), instead of where the planner estimates that the backend's larger GEMMs pay. The
         * result's chunks do not change.
         *
         * @param edge the largest tile edge, or 0
         * @return this builder
         */
        public Builder matmulTile(int edge) {
            if (edge < 0) throw new InvalidArgumentException("matmul tile must be 0 or more, not " + edge);
            this.matmulTile = edge;
            return this;
        }

        /**
         * Runs tasks on a cluster instead of local threads (needs the {@code cluster} artifact).
         *
         * @param spec the cluster
         * @return this builder
         */
        public Builder cluster(ClusterSpec spec) {
            this.cluster = java.util.Objects.requireNonNull(spec, "cluster spec");
            return this;
        }

        /**
         * Makes the context.
         *
         * @return a new context; close it
         * @throws BackendUnavailableException when no backend of the kind asked for is usable
         * @throws ClusterUnavailableException when a cluster is asked for without the cluster module
         */
        public Chunkwise build() {
            Backend b = backend != null ? backend : Backends.create(kind, threads);
            Scheduler s;
            if (cluster == null) {
                s = new LocalScheduler(b, threads, memoryBudget);
            } else {
                ClusterSchedulerFactory f = ServiceLoader.load(ClusterSchedulerFactory.class).findFirst().orElseThrow(() -> {
                    b.close();
                    return new ClusterUnavailableException("cluster " + cluster + " asked for, but the chunkwise cluster "
                            + "module (artifact io.chunkwise:cluster) is not on the class path");
                });
                try {
                    s = f.create(cluster, threads, memoryBudget, b);
                } catch (RuntimeException | Error e) {
                    b.close();
                    throw e;
                }
            }
            LOG.debug("chunkwise context: backend {}, {} threads, budget {} bytes", b.name(), threads, memoryBudget);
            return new Chunkwise(b, s, matmulTile, persistBudget);
        }
    }

    /** {@return the backend that runs the chunk kernels} */
    public Backend backend() { return backend; }

    /** {@return the scheduler that runs the tasks} */
    public Scheduler scheduler() { return scheduler; }

    /** How matrix products group their chunks into GEMM tiles: as the backend that runs them says, unless forced. */
    private MatmulTiling matmulTiling() {
        int threads = scheduler.threads();
        long budget = scheduler.memoryBudget();
        return matmulTile >= 0 ? new MatmulTiling(matmulTile, threads, budget, true)
                : new MatmulTiling(scheduler.gemmTile(backend.kind()), threads, budget, false);
    }

    /** {@code node} optimized for the scheduler's backend: fused, and its products tiled. */
    private Node optimize(Node node) { return Optimizer.optimize(node, matmulTiling()); }

    /**
     * Registers {@code f} under {@code name} for {@link ChunkedArray#mapBlocks(String)}: tasks then name the function,
     * so they can run where the object is not (on cluster members, which register the same name).
     *
     * @param name the name tasks use
     * @param f the function
     */
    public void registerBlockFunction(String name, BlockFunction f) { functions.register(name, f); }

    BlockFunctions blockFunctions() { return functions; }

    /** {@return the reader registry of file formats ({@code npy} and {@code arrow} built in)} */
    public ChunkReaders readers() { return readers; }

    /**
     * The Arrow memory of this context's file reads and writes (one root allocator, made on first use).
     *
     * @return the memory
     * @throws ChunkwiseException when the JVM does not let Arrow work, naming the flag to add
     */
    public io.chunkwise.io.ArrowMemory arrowMemory() {
        checkOpen();
        return readers.arrowMemory();
    }

    // ---- creation ----

    /**
     * An array of zeros.
     *
     * @param dtype the element type
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     */
    public ChunkedArray zeros(DType dtype, long[] shape, int[] chunkShape) { return full(dtype, 0, shape, chunkShape); }

    /**
     * An array of ones.
     *
     * @param dtype the element type
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     */
    public ChunkedArray ones(DType dtype, long[] shape, int[] chunkShape) { return full(dtype, 1, shape, chunkShape); }

    /**
     * An array of one value.
     *
     * @param dtype the element type
     * @param value the value, converted to {@code dtype}
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     */
    public ChunkedArray full(DType dtype, double value, long[] shape, int[] chunkShape) {
        return full(dtype, value, Chunks.regular(shape, chunkShape));
    }

    /**
     * An array of one value, on any chunk grid.
     *
     * @param dtype the element type
     * @param value the value, converted to {@code dtype}
     * @param chunks the chunk grid, which gives the shape
     * @return the lazy array
     */
    public ChunkedArray full(DType dtype, double value, Chunks chunks) {
        return generated(new Expr.Const(value, dtype), chunks);
    }

    /**
     * {@code 0, 1, ..., n-1}.
     *
     * @param dtype the element type
     * @param n the number of elements
     * @param chunk elements per chunk (the last may have fewer)
     * @return the lazy 1-D array
     */
    public ChunkedArray arange(DType dtype, long n, int chunk) {
        return generated(new Expr.Arange(0, 1, dtype), Chunks.regular(new long[]{n}, new int[]{chunk}));
    }

    /**
     * {@code num} evenly spaced FLOAT64 values from {@code start} to {@code stop}, both included, with numpy.linspace's
     * values bit for bit ({@code i * step + start}, the last exactly {@code stop}).
     *
     * @param start the first value
     * @param stop the last value
     * @param num the number of values (0 gives an empty array)
     * @param chunk elements per chunk (the last may have fewer)
     * @return the lazy 1-D array
     * @throws InvalidArgumentException for a negative {@code num}
     */
    public ChunkedArray linspace(double start, double stop, long num, int chunk) {
        return generated(CreationOps.linspace(start, stop, num), Chunks.regular(new long[]{num}, new int[]{chunk}));
    }

    /**
     * The {@code n x n} identity matrix, as numpy.eye(n).
     *
     * @param dtype the element type
     * @param n rows and columns
     * @param chunkShape the shape of its chunks
     * @return the lazy 2-D array
     */
    public ChunkedArray eye(DType dtype, long n, int[] chunkShape) { return eye(dtype, n, n, 0, chunkShape); }

    /**
     * An {@code n x m} array with ones on diagonal {@code k} (0 the main one, positive above it, negative below) and
     * zeros elsewhere, as numpy.eye(n, m, k).
     *
     * @param dtype the element type
     * @param n rows
     * @param m columns
     * @param k the diagonal
     * @param chunkShape the shape of its chunks
     * @return the lazy 2-D array
     * @throws InvalidArgumentException for a negative {@code n} or {@code m}
     */
    public ChunkedArray eye(DType dtype, long n, long m, long k, int[] chunkShape) {
        return generated(CreationOps.eye(dtype, n, m, k), Chunks.regular(new long[]{n, m}, chunkShape));
    }

    /**
     * A FLOAT64 array of a copy of a user's values.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the array
     */
    public ChunkedArray fromArray(double[] data, long[] shape, int[] chunkShape) { return fromNDArray(NDArray.of(data, shape), chunkShape); }

    /**
     * A FLOAT32 array of a copy of a user's values.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the array
     */
    public ChunkedArray fromArray(float[] data, long[] shape, int[] chunkShape) { return fromNDArray(NDArray.of(data, shape), chunkShape); }

    /**
     * A INT64 array of a copy of a user's values.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the array
     */
    public ChunkedArray fromArray(long[] data, long[] shape, int[] chunkShape) { return fromNDArray(NDArray.of(data, shape), chunkShape); }

    /**
     * A INT32 array of a copy of a user's values.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunkShape the shape of its chunks (the last ones along an axis may be smaller)
     * @return the array
     */
    public ChunkedArray fromArray(int[] data, long[] shape, int[] chunkShape) { return fromNDArray(NDArray.of(data, shape), chunkShape); }

    /**
     * A FLOAT64 array of a copy of a user's values, on any chunk grid.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunks the chunk grid, of that shape
     * @return the array
     */
    public ChunkedArray fromArray(double[] data, long[] shape, Chunks chunks) { return fromNDArray(NDArray.of(data, shape), chunks); }

    /**
     * A FLOAT32 array of a copy of a user's values, on any chunk grid.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunks the chunk grid, of that shape
     * @return the array
     */
    public ChunkedArray fromArray(float[] data, long[] shape, Chunks chunks) { return fromNDArray(NDArray.of(data, shape), chunks); }

    /**
     * A INT64 array of a copy of a user's values, on any chunk grid.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunks the chunk grid, of that shape
     * @return the array
     */
    public ChunkedArray fromArray(long[] data, long[] shape, Chunks chunks) { return fromNDArray(NDArray.of(data, shape), chunks); }

    /**
     * A INT32 array of a copy of a user's values, on any chunk grid.
     *
     * @param data the values, row-major
     * @param shape the array's shape
     * @param chunks the chunk grid, of that shape
     * @return the array
     */
    public ChunkedArray fromArray(int[] data, long[] shape, Chunks chunks) { return fromNDArray(NDArray.of(data, shape), chunks); }

    /**
     * A chunked array of an {@link NDArray}'s values, read where each chunk's task runs (not copied beforehand).
     *
     * @param array the values
     * @param chunkShape the shape of the chunks (the last ones along an axis may be smaller)
     * @return the array
     */
    public ChunkedArray fromNDArray(NDArray array, int[] chunkShape) {
        return fromNDArray(array, Chunks.regular(array.shape(), chunkShape));
    }

    /**
     * A chunked array of an {@link NDArray}'s values on any chunk grid, read where each chunk's task runs.
     *
     * @param array the values
     * @param chunks the chunk grid, of the array's shape
     * @return the array
     * @throws ChunkingException when the grid's shape is not the array's
     */
    public ChunkedArray fromNDArray(NDArray array, Chunks chunks) {
        checkGrid(chunks, array.shape());
        return new ChunkedArray(this, new SourceNode(array, chunks));
    }

    /**
     * Random arrays of one seed: the same seed gives the same values for any chunking, backend or cluster size.
     *
     * @param seed the seed
     * @return the source of the arrays
     */
    public RandomSource random(long seed) { return new RandomSource(this, seed); }

    /**
     * Chunks of {@code file} read lazily, one task per chunk, by the reader registered for {@code format} (see
     * {@link #readers()}); the graph names the file's current version, and a read refuses a file changed since.
     *
     * @param format the reader's format name
     * @param file the file
     * @param dtype the element type the reader gives
     * @param chunks the chunk grid, which gives the shape
     * @return the lazy array
     */
    public ChunkedArray fromFile(String format, java.nio.file.Path file, DType dtype, Chunks chunks) {
        ChunkReaders.FileVersion v = ChunkReaders.FileVersion.of(file);
        return new ChunkedArray(this, new ReadNode(format, file.toAbsolutePath().toString(), v.size(), v.modified(), dtype, chunks));
    }

    // ---- files ----

    /**
     * A NumPy {@code .npy} file (versions 1.0-3.0, either byte order, C or Fortran order), read lazily per chunk.
     *
     * @param file the file
     * @param chunkShape the shape of the chunks (the last ones along an axis may be smaller)
     * @return the lazy array
     * @throws FileFormatException for a file that is not {@code .npy}, truncated or corrupt
     */
    public ChunkedArray readNpy(java.nio.file.Path file, int[] chunkShape) { return io.chunkwise.io.Npy.read(this, file, chunkShape); }

    /**
     * Stores an array as an Arrow IPC file, one record batch per chunk (layout: {@link io.chunkwise.io.ArrowFiles}).
     *
     * @param array the array, computed chunk by chunk
     * @param file the file, replaced only when complete; written where each chunk is computed (on a cluster, by the
     *             members that share this file system)
     */
    public void store(ChunkedArray array, java.nio.file.Path file) { io.chunkwise.io.ArrowFiles.store(this, array, file); }

    /**
     * An array stored by {@link #store}, read lazily chunk by chunk.
     *
     * @param file the file
     * @return the lazy array, chunked as it was stored
     * @throws ChunkwiseException when the JVM does not let Arrow work, naming the flag to add
     * @throws FileFormatException for a file that is not such an Arrow file, truncated or corrupt
     */
    public ChunkedArray load(java.nio.file.Path file) { return io.chunkwise.io.ArrowFiles.load(this, file); }

    /**
     * A 1-D array with one chunk per Arrow vector (values copied: chunks live in Java arrays).
     *
     * @param vectors vectors of one type, without nulls
     * @return the array
     */
    public ChunkedArray fromArrow(org.apache.arrow.vector.FieldVector... vectors) { return io.chunkwise.io.ArrowFiles.fromArrow(this, vectors); }

    /**
     * A 1-D array's chunks as Arrow vectors, one per chunk.
     *
     * @param array the 1-D array, computed here
     * @param allocator where the vectors' memory comes from
     * @return the vectors, in chunk order; the caller closes them
     */
    public List<org.apache.arrow.vector.FieldVector> toArrow(ChunkedArray array, org.apache.arrow.memory.BufferAllocator allocator) {
        return io.chunkwise.io.ArrowFiles.toArrow(this, array, allocator);
    }

    /**
     * Writes an array as a NumPy {@code .npy} file (C order, little-endian), chunk by chunk.
     *
     * @param array the array, computed chunk by chunk
     * @param file the file, replaced only when complete
     */
    public void writeNpy(ChunkedArray array, java.nio.file.Path file) { io.chunkwise.io.Npy.write(this, array, file); }



    /**
     * Writes every chunk of {@code array} into {@code file}, which a writer of {@code format} prepared: its header,
     * its full size, and {@code token} in its last bytes ({@link io.chunkwise.io.ChunkWriters}). Each chunk is written
     * by a task where it is computed: on a cluster, by its member where that member sees the file, else by the driver.
     *
     * @param array the array, computed chunk by chunk
     * @param format the format's name ({@code npy}: the array in C order from its one data offset; {@code arrow}:
     *               each chunk's values, in C order, from its own)
     * @param file the prepared file
     * @param dataOffsets where the values start: one offset (the array's), or one per chunk in the grid's row-major order
     * @param fileSize the prepared file's size
     * @param token the token the file ends with
     * @return the bytes written per chunk, in the order of the chunk grid (row-major)
     */
    public long[] writeChunks(ChunkedArray array, String format, java.nio.file.Path file, long[] dataOffsets, long fileSize, String token) {
        Node write = new io.chunkwise.graph.WriteNode(array.node(), format, file.toAbsolutePath().toString(), token, fileSize, dataOffsets);
        return compute(write, ComputeListener.NONE).toLongArray();
    }

    ChunkedArray generated(Expr expr, Chunks chunks) {
        return new ChunkedArray(this, new ElementwiseNode(expr, chunks, List.of()));
    }

    static void checkGrid(Chunks chunks, long[] shape) {
        if (!java.util.Arrays.equals(chunks.shape(), shape)) {
            throw new ChunkingException("chunks " + chunks + " add up to shape " + Shapes.str(chunks.shape())
                    + ", not the array's shape " + Shapes.str(shape));
        }
    }

    // ---- running ----

    TaskGraph plan(Node root) {
        List<int[]> all = new ArrayList<>();
        root.chunks().forEachIndex(all::add);
        return GraphBuilder.build(root, all);
    }

    /** Receives computed chunks; called on scheduler threads, once per chunk, possibly concurrently. */
    @FunctionalInterface
    public interface ChunkConsumer {
        /**
         * Takes one computed chunk.
         *
         * @param chunkIndex the chunk's index in the grid
         * @param chunkOffset the global index of its first element
         * @param block its values, row-major
         */
        void accept(int[] chunkIndex, long[] chunkOffset, HostBlock block);
    }

    /**
     * Runs the array's graph and hands every chunk, on the host, to {@code consumer} (chunks are not kept).
     *
     * @param array the array
     * @param consumer called once per chunk, from scheduler threads, possibly concurrently
     */
    public void forEachChunk(ChunkedArray array, ChunkConsumer consumer) {
        run(array.node(), ComputeListener.NONE, (chunks, idx, block) -> {
            consumer.accept(idx, chunks.chunkOffset(idx), backend.toHost(block));
            return false;
        });
    }

    /** Per output chunk: returns whether it keeps the block. */
    private interface ChunkSink {
        boolean accept(Chunks chunks, int[] index, Block block);

        /** Where output chunk {@code index} may be written in place instead (see {@link Scheduler.Sink#target}), or null. */
        default Scheduler.Target target(Chunks chunks, int[] index) { return null; }

        /** Whether the chunks go into one dense array, so that how the result is chunked does not matter. */
        default boolean gathers() { return false; }
    }

    /** Optimizes, plans and runs a node's graph, passing each output chunk to {@code sink}; returns the optimized root. */
    private Node run(Node node, ComputeListener listener, ChunkSink sink) {
        checkOpen();
        Node optimized = optimize(node);
        Node root = sink.gathers() ? Optimizer.gathered(optimized) : optimized;
        TaskGraph graph = plan(root);
        TaskEnv env = new LocalTaskEnv(root, persisted, functions, readers);
        Map<Object, List<int[]>> positions = new java.util.HashMap<>();
        graph.outputs().forEach((pos, key) -> positions.computeIfAbsent(key, k -> new ArrayList<>())
                .add(pos.stream().mapToInt(Integer::intValue).toArray()));
        scheduler.run(graph, backend.kind(), env, new Scheduler.Sink() {
            java.util.Set<ChunkKey> read; // keys some task reads: never written in place

            @Override
            public boolean accept(ChunkKey key, Block block) {
                boolean keep = false;
                for (int[] idx : positions.get(key)) keep |= sink.accept(root.chunks(), idx, block);
                return keep;
            }

            @Override
            public Scheduler.Target target(ChunkKey key) {
                List<int[]> at = positions.get(key);
                if (at.size() != 1) return null;   // one block aliased to several places (broadcast, concatenate)
                if (read == null) {
                    read = new java.util.HashSet<>();
                    for (Task t : graph.tasks().values()) read.addAll(t.deps());
                }
                return read.contains(key) ? null : sink.target(root.chunks(), at.get(0));
            }
        }, listener);
        return root;
    }

    /** {@link ChunkedArray#computeAsync()}: {@link #compute} on a thread of its own, which cancelling the future interrupts. */
    java.util.concurrent.CompletableFuture<NDArray> computeAsync(Node node) {
        checkOpen();
        java.util.concurrent.CompletableFuture<NDArray> result = new java.util.concurrent.CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon().name("chunkwise-compute").start(() -> {
            try {
                result.complete(compute(node, ComputeListener.NONE));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        // the computation stops and releases its chunks after the future completed (cancelled) at once
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) thread.interrupt();
        });
        return result;
    }

    NDArray compute(Node node, ComputeListener listener) {
        long n = Shapes.size(node.shape());
        if (n > Integer.MAX_VALUE - 8) {
            throw new MemoryBudgetExceededException("a result of shape " + Shapes.str(node.shape()) + " (" + n
                    + " elements) does not fit one NDArray (at most " + (Integer.MAX_VALUE - 8) + "); persist() it or compute a slice");
        }
        HostBlock result = HostBlock.allocate(node.dtype(), new int[]{(int) n});
        computeInto(node, result, listener);
        return NDArray.wrap(result, node.shape());
    }

    /**
     * Runs a node's graph into {@code result}, a flat block of the node's dtype and size: elementwise output chunks
     * are written in place by their kernels, every other chunk is copied in.
     */
    void computeInto(Node node, HostBlock result, ComputeListener listener) {
        long[] shape = node.shape();
        if (result.size() == 0) return;   // nothing to run (and strides may exceed an int)
        long[] gs = Shapes.strides(shape);
        int[] dstStrides = java.util.Arrays.stream(gs).mapToInt(Math::toIntExact).toArray();
        run(node, listener, new ChunkSink() {
            @Override
            public boolean accept(Chunks chunks, int[] idx, Block block) {
                int[] cs = chunks.chunkShape(idx);
                HostCopy.copy(backend.toHost(block).data(), 0, Shapes.strides(cs), result.data(), offset(chunks, idx), dstStrides, cs);
                return false;
            }

            @Override
            public Scheduler.Target target(Chunks chunks, int[] idx) {
                return new Scheduler.Target(result, offset(chunks, idx), dstStrides, chunks.chunkShape(idx));
            }

            @Override
            public boolean gathers() { return true; }

            private int offset(Chunks chunks, int[] idx) {
                long[] off = chunks.chunkOffset(idx);
                long dst = 0;
                for (int a = 0; a < off.length; a++) dst += off[a] * gs[a];
                return (int) dst;
            }
        });
    }

    /** {@link ChunkedArray#computeInto}: {@code out} is checked by the caller. */
    void computeInto(Node node, NDArray out, ComputeListener listener) {
        if (readsFrom(node, out.block().data())) {
            // the graph reads out's own values: compute aside first so that no chunk reads what another wrote
            NDArray r = compute(node, listener);
            System.arraycopy(r.block().data(), 0, out.block().data(), 0, out.block().size());
            return;
        }
        computeInto(node, out.block(), listener);
    }

    /** Whether a source of the node's graph is a view of {@code data}. */
    private static boolean readsFrom(Node node, Object data) {
        java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>(List.of(node));
        java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Node x = todo.pop();
            if (!seen.add(x)) continue;
            if (x instanceof SourceNode s && s.data().block().data() == data) return true;
            todo.addAll(x.inputs());
        }
        return false;
    }

    /**
     * Runs the graph and keeps its chunks in the context's chunk store, under the keys of a new persisted layer. The
     * array's bytes are reserved from the persist budget first; a run that fails gives them back and releases the
     * chunks it stored.
     */
    ChunkedArray persist(Node node, ComputeListener listener) {
        long bytes = persistedSize(node);
        long before = persistedBytes.getAndAdd(bytes);
        if (bytes > persistBudget - before) {
            persistedBytes.addAndGet(-bytes);
            throw new MemoryBudgetExceededException("persisting an array of shape " + Shapes.str(node.shape()) + " ("
                    + bytes + " bytes) would hold " + (before + bytes) + " bytes of persisted arrays, over the persist "
                    + "budget of " + persistBudget + " bytes; raise it with Chunkwise.builder().persistBudget(bytes)");
        }
        PersistedNode stored = new PersistedNode(node.dtype(), node.chunks());
        try {
            if (scheduler.keepsPersisted()) {
                persistInScheduler(node, stored, listener);
            } else {
                run(node, listener, (chunks, idx, block) -> {
                    persisted.put(stored.key(idx), block);
                    return true;
                });
            }
        } catch (RuntimeException | Error e) {
            persistedBytes.addAndGet(-bytes);
            discard(stored);
            throw e;
        }
        return new ChunkedArray(this, stored);
    }

    /** Persists into the scheduler's own store (a cluster's members): each output position under its stored key. */
    private void persistInScheduler(Node node, PersistedNode stored, ComputeListener listener) {
        checkOpen();
        Node root = optimize(node);
        TaskGraph graph = plan(root);
        Map<ChunkKey, List<ChunkKey>> storedKeys = new java.util.HashMap<>();
        graph.outputs().forEach((pos, key) -> storedKeys.computeIfAbsent(key, k -> new ArrayList<>())
                .add(stored.key(pos.stream().mapToInt(Integer::intValue).toArray())));
        scheduler.persist(graph, backend.kind(), new LocalTaskEnv(root, persisted, functions, readers), storedKeys, listener);
    }

    /**
     * Releases the chunks of an array that {@code persist()} returned ({@link ChunkedArray#unpersist}): from the
     * context's store, or from the cluster with their backups, and gives its bytes back to the persist budget. A second
     * call, or one after the context closed, does nothing.
     */
    void unpersist(Node node) {
        if (!(node instanceof PersistedNode stored)) {
            throw new InvalidArgumentException("unpersist() releases an array that persist() returned; this one is "
                    + node.describe() + " and holds no chunks of its own");
        }
        synchronized (persisted) {
            if (closed || !stored.release()) return;
        }
        if (scheduler.keepsPersisted()) {
            List<ChunkKey> keys = new ArrayList<>();
            stored.chunks().forEachIndex(idx -> keys.add(stored.key(idx)));
            scheduler.unpersist(keys);
        } else {
            discard(stored);
        }
        persistedBytes.addAndGet(-persistedSize(stored));
    }

    /** The bytes a persisted array of {@code node}'s shape and dtype holds: what persist() reserves and unpersist() gives back. */
    private static long persistedSize(Node node) { return Shapes.size(node.shape()) * node.dtype().byteSize(); }

    /** Removes the chunks of a persisted layer from the store and releases those no other key holds (a close releases them all instead). */
    private void discard(PersistedNode stored) {
        synchronized (persisted) {
            if (closed) return;
            java.util.Set<Block> removed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            stored.chunks().forEachIndex(idx -> {
                Block b = persisted.remove(stored.key(idx));
                if (b != null) removed.add(b);
            });
            if (removed.isEmpty()) return;
            java.util.Set<Block> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            kept.addAll(persisted.values());
            for (Block b : removed) if (!kept.contains(b)) backend.release(b);
        }
    }

    /** Tasks explain() plans at most: a huge graph is described by its first tasks. */
    private static final int EXPLAIN_TASKS = 100_000;

    String explain(Node node) {
        Node root = optimize(node);
        List<int[]> all = new ArrayList<>();
        root.chunks().forEachIndex(idx -> {
            if (all.size() < EXPLAIN_TASKS) all.add(idx);
        });
        return Optimizer.explain(root, GraphBuilder.sample(root, all, EXPLAIN_TASKS)) + backendLine(backend) + "\n";
    }

    /** Kinds of delegated calls explain() names at most. */
    private static final int EXPLAIN_DELEGATIONS = 6;

    /**
     * explain()'s last line: the backend, and for one that hands what it cannot run to another (a GPU backend's CPU
     * delegate) how many calls it has handed over so far, by kind.
     */
    static String backendLine(Backend backend) {
        StringBuilder b = new StringBuilder("backend: ").append(backend.name());
        String delegate = backend.delegateName();
        if (delegate == null) return b.toString();
        java.util.Map<String, Long> calls = backend.delegatedCalls();
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        b.append("; calls delegated to ").append(delegate).append(" so far: ").append(total);
        if (total > 0) {
            b.append(" (");
            int shown = 0;
            for (var e : calls.entrySet()) {
                if (shown++ == EXPLAIN_DELEGATIONS) {
                    b.append(", ...");
                    break;
                }
                b.append(shown > 1 ? ", " : "").append(e.getKey()).append(" x").append(e.getValue());
            }
            b.append(')');
        }
        return b.toString();
    }

    private void checkOpen() {
        if (closed) throw new ChunkwiseException("this Chunkwise context is closed");
    }

    /**
     * Closes the context: computations running on other threads fail with {@link ComputationCancelledException}
     * ("context closed while computing") once their running tasks have returned and their chunks are released; then
     * the persisted chunks are released and the backend is closed.
     */
    @Override
    public void close() {
        scheduler.checkClosableHere();
        synchronized (persisted) {
            if (closed) return;
            closed = true;
        }
        try {
            scheduler.close();
        } finally {
            // one block may be kept under several keys (a broadcast or concatenated chunk): released once
            java.util.Set<Block> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            synchronized (persisted) {
                distinct.addAll(persisted.values());
                persisted.clear();
            }
            distinct.forEach(backend::release);
            persistedBytes.set(0);
            try {
                backend.close();
            } finally {
                readers.close();   // throws if an operation left Arrow buffers behind
            }
        }
    }
}
