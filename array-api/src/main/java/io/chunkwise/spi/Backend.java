package io.chunkwise.spi;

import io.chunkwise.BackendKind;
import io.chunkwise.DType;

import java.util.List;

/**
 * The narrow chunk-level SPI that kernels implement. Everything in the public API is built from these primitives.
 * Blocks passed in are never modified, except the accumulator of {@link #gemm}. A backend may be called from
 * several scheduler threads at once.
 */
public interface Backend extends AutoCloseable {
    String name();

    BackendKind kind();

    /** A block this backend can compute on, from host values (an upload for a device backend). */
    Block fromHost(HostBlock block);

    /** The block's values on the host (a download for a device backend; may return the block itself). */
    HostBlock toHost(Block block);

    /** Gives back the memory of a block no task needs any more (a no-op for heap blocks). */
    default void release(Block block) {}

    /**
     * Evaluates a fused expression over one output chunk. {@code inputStrides[i][a]} is the element stride of
     * input {@code i} along output axis {@code a} (0 where the input is broadcast).
     */
    Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region);

    /**
     * {@link #elementwise} written into part of an existing host array instead of a new block (destination
     * passing): position {@code p} of the region goes to {@code dst.data()[dstOffset + p . dstStrides]}, so that
     * a chunk of a {@code compute()} result lands where it belongs. {@code dst} has the expression's dtype and does
     * not overlap the inputs; nothing else of it is touched. The default computes the block and copies it; a
     * backend whose blocks live on the host overrides it to write in place.
     */
    default void elementwiseInto(Expr expr, Block[] inputs, int[][] inputStrides, Region region, HostBlock dst,
                                 int dstOffset, int[] dstStrides) {
        if (dst.dtype() != expr.dtype()) {
            throw new IllegalArgumentException("a " + expr.dtype() + " expression cannot write into a " + dst.dtype() + " array");
        }
        Block b = elementwise(expr, inputs, inputStrides, region);
        try {
            int[] shape = region.shape();
            HostCopy.copy(toHost(b).data(), 0, io.chunkwise.Shapes.strides(shape), dst.data(), dstOffset, dstStrides, shape);
        } finally {
            releaseComputed(b, inputs);
        }
    }

    /**
     * The partial of a reduction over the flagged axes of one chunk (those axes kept with length 1).
     * {@code argAxisOffset} is the chunk's global offset along the axis of ARGMIN/ARGMAX (ignored otherwise).
     */
    Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset);

    /**
     * The partial of a reduction over the values of an elementwise expression on one chunk ({@link #elementwise}'s
     * arguments), as {@link #reducePartial} of those values would give it, bit for bit. The default computes the
     * chunk, reduces it and releases it; a backend may reduce the values as they are computed instead, never
     * holding the chunk.
     */
    default Block reducePartialOf(ReduceOp op, Expr expr, Block[] inputs, int[][] inputStrides, Region region,
                                  boolean[] axes, long argAxisOffset) {
        Block chunk = elementwise(expr, inputs, inputStrides, region);
        try {
            return reducePartial(op, chunk, axes, argAxisOffset);
        } finally {
            releaseComputed(chunk, inputs);
        }
    }

    /**
     * Whether {@link #reducePartialOf} with these arguments reduces the values as it computes them, never holding
     * the chunk: a scheduler then reserves memory for the partial alone, otherwise for the chunk too. False by
     * default, as the default {@link #reducePartialOf} computes the chunk.
     */
    default boolean streamsReduction(ReduceOp op, Expr expr, Region region, boolean[] axes) { return false; }

    /** Releases a block an elementwise call computed, unless it is one of its inputs (an expression may return one). */
    private void releaseComputed(Block computed, Block[] inputs) {
        for (Block in : inputs) if (in == computed) return;
        release(computed);
    }

    /** Combines partials of equal shape, in the given order (lower chunk indices first). */
    Block reduceCombine(ReduceOp op, List<Block> partials);

    /** The final values of {@code dtype} from a combined partial, laid out in {@code shape} (reduced axes dropped). */
    Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape);

    /**
     * {@code C = alpha * op(A) @ op(B) + beta * C} for 2-D blocks of one floating or integer dtype; with
     * {@code c == null} a new C is returned (beta ignored), otherwise C is updated in place and returned.
     */
    Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c);

    /**
     * {@code C = sum over k of a[k] @ b[k]} (the k products accumulated in order) written into part of an existing
     * host array: element {@code (i, j)} goes to {@code dst.data()[dstOffset + i * dstStrides[0] + j *
     * dstStrides[1]]} (destination passing for a chunk of a matmul result; see {@link #elementwiseInto}). The
     * default multiplies into a new block with {@link #gemm} and copies it; a backend whose GEMM can write a host
     * array with a leading dimension overrides it.
     */
    default void matmulInto(Block[] a, Block[] b, HostBlock dst, int dstOffset, int[] dstStrides) {
        Block c = null;
        try {
            for (int k = 0; k < a.length; k++) c = gemm(false, false, 1.0, a[k], b[k], 1.0, c);
            if (dst.dtype() != c.dtype()) {
                throw new IllegalArgumentException("a " + c.dtype() + " product cannot write into a " + dst.dtype() + " array");
            }
            HostBlock host = toHost(c);
            HostCopy.copy(host.data(), 0, io.chunkwise.Shapes.strides(host.shape()), dst.data(), dstOffset, dstStrides, host.shape());
        } finally {
            if (c != null) release(c);
        }
    }

    /**
     * The edge of the GEMMs at which this backend reaches its full rate (0: any size does). The planner computes a
     * product of smaller chunks in tiles of several chunks where it estimates that this pays (see
     * {@link io.chunkwise.graph.MatmulTiling}).
     */
    default int gemmTile() { return 0; }

    /** A new block of {@code dtype} and {@code shape} filled by strided copies from the sources. */
    Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces);

    /**
     * The inclusive scan of one block along {@code axis} ({@code op} SUM: cumsum, PROD: cumprod), a new block of the
     * input's dtype and shape, accumulated line by line in that dtype as NumPy does ({@link HostScans}). The default
     * scans on the host; the array layer carries the scans across chunk boundaries.
     */
    default Block scan(ReduceOp op, Block input, int axis) {
        return fromHost(HostScans.scan(op, toHost(input), axis));
    }

    /**
     * numpy.histogram's counts of one block's values in {@code bins} equal bins over {@code [lo, hi]}
     * ({@link HostHistogram}): a new INT64 block of {@code shape}, which holds {@code bins} values. The default
     * counts on the host.
     */
    default Block histogram(Block input, int bins, double lo, double hi, int[] shape) {
        if (io.chunkwise.Shapes.size(shape) != bins) {
            throw new IllegalArgumentException("histogram counts of shape " + io.chunkwise.Shapes.str(shape) + " for " + bins + " bins");
        }
        long[] counts = new long[bins];
        HostHistogram.count(toHost(input), bins, lo, hi, counts);
        return fromHost(new HostBlock(DType.INT64, shape, counts));
    }

    /**
     * Calls this backend handed to another backend because it cannot run them itself (a GPU backend's CPU delegate),
     * by kind, since it was created: shown by {@code explain()} and the benchmarks. Empty for a backend that runs
     * everything itself.
     */
    default java.util.Map<String, Long> delegatedCalls() { return java.util.Map.of(); }

    /** The name of the backend that {@link #delegatedCalls()} go to, or null where there is none. */
    default String delegateName() { return null; }

    @Override
    default void close() {}
}
