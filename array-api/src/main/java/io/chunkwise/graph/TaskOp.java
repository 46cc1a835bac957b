package io.chunkwise.graph;

import io.chunkwise.BlockFunction;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.ShapeMismatchException;
import io.chunkwise.Shapes;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.HostCopy;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;

import java.util.Arrays;
import java.util.List;

/** What a task does with its input blocks: one call of the Backend SPI (plain data; no executor inside). */
public sealed interface TaskOp {
    /** Runs the op on {@code backend}; {@code env} resolves what the op names (stored chunks, files, functions). */
    Block run(Backend backend, Block[] inputs, TaskEnv env);

    String describe();

    /** Bytes of the result, known before running. */
    long outputBytes();

    /**
     * Bytes the task holds while it runs on {@code backend}, which a scheduler reserves against the memory budget
     * before it starts: its result, and whatever the backend holds besides (see {@link ReducePartial#runBytes}).
     */
    default long runBytes(Backend backend) { return outputBytes(); }

    private static long bytes(DType dtype, int[] shape) { return (long) Shapes.size(shape) * dtype.byteSize(); }

    /**
     * An op that can write its values straight into part of a host array instead of a block of its own
     * (destination passing): position {@code p} of its output goes to {@code dst.data()[dstOffset + p . dstStrides]}.
     */
    sealed interface WritesInto extends TaskOp {
        void runInto(Backend backend, Block[] inputs, HostBlock dst, int dstOffset, int[] dstStrides);
    }

    /**
     * A chunk of a user's array, scattered into the chunk store under {@code key} (on one machine the store cuts it
     * from the array when the task runs; no copy is made beforehand). The block is new: the task owns it.
     */
    record Scattered(ChunkKey key, DType dtype, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) { return env.scattered(key, backend); }

        public String describe() { return "source" + Shapes.str(shape); }

        public long outputBytes() { return bytes(dtype, shape); }
    }

    /** A chunk kept in the chunk store by {@code persist()} under {@code key}: the store owns the block, not the task. */
    record Persisted(ChunkKey key, DType dtype, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) { return env.persisted(key); }

        public String describe() { return "persisted" + Shapes.str(shape); }

        public long outputBytes() { return 0; }
    }

    /**
     * Reads the chunk at {@code offset} of {@code shape} of a file, as the reader registered for {@code format}
     * understands it. {@code fileSize} and {@code modified} (nanoseconds since the epoch) identify the version of the file the
     * graph was built from: a reader refuses a file that changed since.
     */
    record Read(String format, String path, long fileSize, long modified, DType dtype, long[] offset, int[] shape)
            implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) { return backend.fromHost(env.read(this)); }

        public String describe() { return "read " + format + " " + path + " " + Shapes.str(shape); }

        public long outputBytes() { return bytes(dtype, shape); }
    }

    /**
     * Writes its input chunk into a file that a writer of {@code format} prepared (see
     * {@link io.chunkwise.io.ChunkWriters}): the chunk at {@code offset} of {@code shape} of an array of
     * {@code fileShape}, its values starting at byte {@code dataOffset} as the format places them (npy: the array in C
     * order from there; Arrow: the chunk's own values in C order from there). {@code fileSize} and {@code token} identify
     * the file the driver prepared: a side that does not see that very file refuses to write
     * ({@link io.chunkwise.FileNotSharedException}). The result is the number of bytes written, one int64 value.
     */
    record Write(String format, String path, String token, long fileSize, long dataOffset, long[] fileShape, DType dtype,
                 long[] offset, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            long written = env.write(this, backend.toHost(inputs[0]));
            int[] one = new int[shape.length];
            Arrays.fill(one, 1);
            HostBlock out = HostBlock.allocate(DType.INT64, one);
            out.longs()[0] = written;
            return backend.fromHost(out);
        }

        public String describe() { return "write " + format + " " + path + " " + Shapes.str(shape); }

        public long outputBytes() { return 8; }
    }

    record Elementwise(Expr expr, int[][] inputStrides, Region region) implements WritesInto {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            return backend.elementwise(expr, inputs, inputStrides, region);
        }

        @Override
        public void runInto(Backend backend, Block[] inputs, HostBlock dst, int dstOffset, int[] dstStrides) {
            backend.elementwiseInto(expr, inputs, inputStrides, region, dst, dstOffset, dstStrides);
        }

        public String describe() { return "elementwise " + Expr.show(expr, 160); }

        public long outputBytes() { return bytes(expr.dtype(), region.shape()); }
    }

    /**
     * The partial of one input chunk; with a {@code producer}, of the chunk that elementwise op computes from the
     * inputs (fused by the optimizer; see {@link Backend#reducePartialOf}).
     */
    record ReducePartial(ReduceOp op, boolean[] axes, long argAxisOffset, DType dtype, int[] shape,
                         Elementwise producer) implements TaskOp {
        public ReducePartial(ReduceOp op, boolean[] axes, long argAxisOffset, DType dtype, int[] shape) {
            this(op, axes, argAxisOffset, dtype, shape, null);
        }

        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            if (producer == null) return backend.reducePartial(op, inputs[0], axes, argAxisOffset);
            return backend.reducePartialOf(op, producer.expr(), inputs, producer.inputStrides(), producer.region(), axes, argAxisOffset);
        }

        public String describe() {
            return op.numpyName() + "-partial" + (producer == null ? "" : " of " + producer.describe());
        }

        /** The partial's parts: at most 3 of 8 bytes a position. */
        public long outputBytes() { return 3L * 8 * Shapes.size(shape); }

        /** The partial, and the fused input chunk unless the backend reduces its values as it computes them. */
        @Override
        public long runBytes(Backend backend) {
            boolean holdsChunk = producer != null && !backend.streamsReduction(op, producer.expr(), producer.region(), axes);
            return outputBytes() + (holdsChunk ? producer.outputBytes() : 0);
        }
    }

    record ReduceCombine(ReduceOp op, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            return backend.reduceCombine(op, Arrays.asList(inputs));
        }

        public String describe() { return op.numpyName() + "-combine"; }

        public long outputBytes() { return 3L * 8 * Shapes.size(shape); }
    }

    record ReduceFinish(ReduceOp op, DType dtype, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            return backend.reduceFinish(op, inputs[0], dtype, shape);
        }

        public String describe() { return op.numpyName() + "-finish"; }

        public long outputBytes() { return bytes(dtype, shape); }
    }

    /** The inclusive scan of one chunk along {@code axis} ({@link Backend#scan}): cumsum for SUM, cumprod for PROD. */
    record Scan(ReduceOp op, int axis, DType dtype, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) { return backend.scan(op, inputs[0], axis); }

        public String describe() { return (op == ReduceOp.PROD ? "cumprod" : "cumsum") + " of a chunk along axis " + axis; }

        public long outputBytes() { return bytes(dtype, shape); }
    }

    /**
     * numpy.histogram's counts of one chunk in {@code bins} equal bins over {@code [lo, hi]} ({@link Backend#histogram}),
     * an INT64 block of {@code shape} (which holds {@code bins} values).
     */
    record Histogram(int bins, double lo, double hi, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) { return backend.histogram(inputs[0], bins, lo, hi, shape); }

        public String describe() { return "histogram of a chunk, " + bins + " bins over [" + lo + ", " + hi + "]"; }

        public long outputBytes() { return bytes(DType.INT64, shape); }

        /** The counts and the edges. */
        @Override
        public long runBytes(Backend backend) { return outputBytes() + 8L * (bins + 1L); }
    }

    /** C = sum over k of A[k] @ B[k], the k blocks in order: inputs are A[0..n), then B[0..n). */
    record Matmul(DType dtype, int[] shape) implements WritesInto {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            int n = inputs.length / 2;
            Block c = null;
            try {
                for (int k = 0; k < n; k++) c = backend.gemm(false, false, 1.0, inputs[k], inputs[n + k], 1.0, c);
                return c;
            } catch (RuntimeException | Error e) {
                if (c != null) backend.release(c);   // the partial sum of the products before the one that failed
                throw e;
            }
        }

        @Override
        public void runInto(Backend backend, Block[] inputs, HostBlock dst, int dstOffset, int[] dstStrides) {
            int n = inputs.length / 2;
            backend.matmulInto(Arrays.copyOfRange(inputs, 0, n), Arrays.copyOfRange(inputs, n, 2 * n), dst, dstOffset, dstStrides);
        }

        public String describe() { return "matmul " + Shapes.str(shape); }

        public long outputBytes() { return bytes(dtype, shape); }
    }

    record Assemble(DType dtype, int[] shape, List<Piece> pieces) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) { return backend.assemble(dtype, shape, inputs, pieces); }

        public String describe() { return "assemble " + pieces.size() + " piece" + (pieces.size() == 1 ? "" : "s"); }

        public long outputBytes() { return bytes(dtype, shape); }
    }

    /**
     * numpy.extract of one chunk: the values of the 1-D block {@code inputs[0]} where the BOOL block {@code inputs[1]}
     * is true, in order, as a 1-D block of {@code count} values ({@code count} was counted when the graph was built; a
     * condition that selects another number now fails the task). Done on the host: a device backend downloads the
     * two blocks and uploads the result.
     */
    record Extract(DType dtype, int count) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            HostBlock values = backend.toHost(inputs[0]);
            byte[] cond = backend.toHost(inputs[1]).bools();
            int n = values.size();
            if (cond.length != n) {
                throw new IllegalStateException("extract: a chunk of " + n + " values with a condition of " + cond.length);
            }
            int selected = 0;
            for (byte c : cond) if (c != 0) selected++;
            if (selected != count) {
                throw new IllegalStateException("extract: the condition selects " + selected + " values of this chunk, but "
                        + count + " when extract() counted them: the condition must give the same values each time it is computed");
            }
            HostBlock out = HostBlock.allocate(dtype, new int[]{count});
            Object src = values.data(), dst = out.data();
            for (int i = 0, j = 0; i < n; i++) {
                if (cond[i] == 0) continue;
                // runs of selected values in one arraycopy each
                int r = i;
                while (r < n && cond[r] != 0) r++;
                System.arraycopy(src, i, dst, j, r - i);
                j += r - i;
                i = r - 1;
            }
            return backend.fromHost(out);
        }

        public String describe() { return "extract " + count; }

        public long outputBytes() { return bytes(dtype, new int[]{count}); }
    }

    /**
     * The user function registered as {@code function} (see {@link TaskEnv#function}) applied to one chunk; its
     * result must keep the chunk's shape, and is cast to {@code dtype} when the function returns another dtype.
     * The function gets a block of its own: the input chunk may be persisted or read by other tasks, so a function
     * that writes into its argument must not reach it (a copy, unless the backend's {@code toHost} made one).
     */
    record MapBlocks(String function, long[] blockIndex, DType dtype, int[] shape) implements TaskOp {
        public Block run(Backend backend, Block[] inputs, TaskEnv env) {
            BlockFunction f = env.function(function);
            HostBlock in = backend.toHost(inputs[0]);
            Object data = in.data();
            if (in == inputs[0]) {
                data = HostBlock.newArray(in.dtype(), in.size());
                System.arraycopy(in.data(), 0, data, 0, in.size());
            }
            long[] longShape = Arrays.stream(shape).asLongStream().toArray();
            NDArray result = f.apply(NDArray.wrap(new HostBlock(in.dtype(), new int[]{in.size()}, data), longShape), blockIndex.clone());
            if (result == null || !Arrays.equals(result.shape(), longShape)) {
                throw new ShapeMismatchException("mapBlocks function " + function + " returned "
                        + (result == null ? "null" : "shape " + Shapes.str(result.shape())) + " for block "
                        + Arrays.toString(blockIndex) + " of shape " + Shapes.str(shape) + "; it must keep the block's shape");
            }
            HostBlock out = new HostBlock(result.dtype(), shape, result.block().data());
            Block b = backend.fromHost(out);
            if (result.dtype() == dtype) return b;
            Block cast = null;
            try {   // cast back to the declared dtype, then give back the block of the function's dtype
                cast = backend.elementwise(new Expr.Cast(new Expr.Input(0, result.dtype()), dtype), new Block[]{b},
                        new int[][]{Shapes.strides(shape)}, new Region(shape, new long[shape.length], longShape));
                return cast;
            } finally {
                if (cast != b) backend.release(b);
            }
        }

        public String describe() { return "map_blocks " + function; }

        public long outputBytes() { return bytes(dtype, shape); }
    }
}
