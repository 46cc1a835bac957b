package io.chunkwise.cpu;

import io.chunkwise.BackendKind;
import io.chunkwise.DType;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.HostCopy;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CPU backend: blocks are {@link HostBlock}s (Java arrays) and every kernel is Java. Elementwise expressions
 * run tile by tile ({@link ElementwiseKernel}), reductions stream lines in blocks ({@link Reductions}), both over
 * the loops of {@link Vectorization#loops()} (Java Vector API where the JVM has it, plain Java otherwise); GEMM goes
 * to OpenBLAS for floats ({@link OpenBlas}), else a cache-blocked Java kernel ({@link Gemm}). Compiled elementwise
 * kernels are cached by expression; apart from that cache (safe for concurrent use) the backend is stateless, so
 * any number of scheduler threads may call it at once.
 */
public final class CpuBackend implements Backend {
    /** Distinct expressions whose compiled kernels are kept; the cache starts over when it fills. */
    private static final int KERNEL_CACHE = 1024;
    private final int threads;
    private final Loops loops;
    private final Map<Expr, ElementwiseKernel> kernels = new ConcurrentHashMap<>();

    /** @param threads the scheduler's thread count (kernels run on the calling thread) */
    public CpuBackend(int threads) {
        this(threads, Vectorization.loops());
    }

    /** A backend running the given loops (tests compare the Vector API loops with the scalar ones). */
    CpuBackend(int threads, Loops loops) {
        this.threads = threads;
        this.loops = loops;
    }

    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    @Override public String name() { return "cpu"; }

    @Override public BackendKind kind() { return BackendKind.CPU; }

    @Override public Block fromHost(HostBlock block) { return block; }

    /** Single-threaded OpenBLAS GEMMs of 1024 x 1024 run at 0.87 of 2048 x 2048 ones (packing; measured). */
    @Override public int gemmTile() { return OpenBlas.available() ? 2048 : 0; }

    @Override
    public HostBlock toHost(Block block) {
        if (block instanceof HostBlock h) return h;
        throw new IllegalArgumentException("the cpu backend holds host blocks only, got " + block);
    }

    @Override
    public Block elementwise(Expr expr, Block[] inputs, int[][] inputStrides, Region region) {
        HostBlock[] host = new HostBlock[inputs.length];
        for (int i = 0; i < inputs.length; i++) host[i] = toHost(inputs[i]);
        return kernel(expr).run(loops, host, inputStrides, region, expr.dtype());
    }

    /**
     * Writes straight into {@code dst}: the chunk lands where it belongs with no block of its own, no zeroing and
     * no copy (where {@code dst} is dense over the region, the expression's last op writes into it).
     */
    @Override
    public void elementwiseInto(Expr expr, Block[] inputs, int[][] inputStrides, Region region, HostBlock dst,
                                int dstOffset, int[] dstStrides) {
        if (dst.dtype() != expr.dtype()) {
            throw new IllegalArgumentException("a " + expr.dtype() + " expression cannot write into a " + dst.dtype() + " array");
        }
        HostBlock[] host = new HostBlock[inputs.length];
        for (int i = 0; i < inputs.length; i++) host[i] = toHost(inputs[i]);
        kernel(expr).into(loops, host, inputStrides, region, dst.data(), dstOffset, dstStrides);
    }

    private ElementwiseKernel kernel(Expr expr) {
        ElementwiseKernel k = kernels.get(expr);
        if (k == null) {
            k = ElementwiseKernel.compile(expr);
            if (kernels.size() >= KERNEL_CACHE) kernels.clear();
            kernels.putIfAbsent(expr, k);
        }
        return k;
    }

    @Override
    public Block reducePartial(ReduceOp op, Block input, boolean[] axes, long argAxisOffset) {
        return Reductions.partial(loops, op, toHost(input), axes, argAxisOffset);
    }

    /**
     * A reduction of a whole chunk of a floating expression reduces the values as the kernel computes them
     * ({@link ElementwiseKernel#values}, {@link Reductions#wholeOf}): the inputs are read once and the chunk is never
     * written, with the bits of the reduction of the computed chunk. Reductions along some axes only, and of
     * integer expressions, compute the chunk first (the SPI's default).
     */
    @Override
    public Block reducePartialOf(ReduceOp op, Expr expr, Block[] inputs, int[][] inputStrides, Region region,
                                 boolean[] axes, long argAxisOffset) {
        if (!streamsReduction(op, expr, region, axes)) {
            return Backend.super.reducePartialOf(op, expr, inputs, inputStrides, region, axes, argAxisOffset);
        }
        int nd = region.shape().length;
        int n = io.chunkwise.Shapes.size(region.shape());
        HostBlock[] host = new HostBlock[inputs.length];
        for (int i = 0; i < inputs.length; i++) host[i] = toHost(inputs[i]);
        Loops.Values values = kernel(expr).values(loops, host, inputStrides, region);
        return Reductions.wholeOf(loops, op, values, expr.dtype(), n, nd, argAxisOffset);
    }

    /** Whole non-empty chunks of floating expressions ({@link #reducePartialOf}). */
    @Override
    public boolean streamsReduction(ReduceOp op, Expr expr, Region region, boolean[] axes) {
        int nd = region.shape().length;
        boolean whole = axes.length == nd && Reductions.allTrue(axes) && (!op.isArg() || nd == 1);
        return whole && expr.dtype().isFloating() && io.chunkwise.Shapes.size(region.shape()) > 0;
    }

    @Override
    public Block reduceCombine(ReduceOp op, List<Block> partials) {
        return partials.size() == 1 ? partials.get(0) : PartialMerge.combine(op, partials);
    }

    @Override
    public Block reduceFinish(ReduceOp op, Block partial, DType dtype, int[] shape) {
        return PartialMerge.finish(op, partial, dtype, shape);
    }

    @Override
    public Block gemm(boolean transA, boolean transB, double alpha, Block a, Block b, double beta, Block c) {
        HostBlock x = toHost(a), y = toHost(b);
        int m = x.shape()[transA ? 1 : 0], k = x.shape()[transA ? 0 : 1], n = y.shape()[transB ? 0 : 1];
        boolean sameTypes = y.dtype() == x.dtype() && (c == null || c.dtype() == x.dtype());
        boolean shapesFit = y.shape()[transB ? 1 : 0] == k && (c == null || java.util.Arrays.equals(c.shape(), new int[]{m, n}));
        if (sameTypes && shapesFit && OpenBlas.accepts(x.dtype(), m, n, k)) {
            return OpenBlas.gemm(transA, transB, alpha, x, y, beta, c == null ? null : toHost(c), m, n, k);
        }
        return Gemm.gemm(transA, transB, alpha, x, y, beta, c == null ? null : toHost(c));
    }

    /** Writes the product straight into the destination where OpenBLAS can (see {@link OpenBlas#writesInto}). */
    @Override
    public void matmulInto(Block[] a, Block[] b, HostBlock dst, int dstOffset, int[] dstStrides) {
        HostBlock[] x = new HostBlock[a.length], y = new HostBlock[b.length];
        for (int q = 0; q < a.length; q++) {
            x[q] = toHost(a[q]);
            y[q] = toHost(b[q]);
        }
        if (OpenBlas.writesInto(x, y, dst, dstStrides)) OpenBlas.matmulInto(x, y, dst, dstOffset, dstStrides[0]);
        else Backend.super.matmulInto(a, b, dst, dstOffset, dstStrides);
    }

    @Override
    public Block assemble(DType dtype, int[] shape, Block[] sources, List<Piece> pieces) {
        HostBlock[] host = new HostBlock[sources.length];
        for (int i = 0; i < sources.length; i++) host[i] = toHost(sources[i]);
        return HostCopy.assemble(dtype, shape, host, pieces);
    }

    @Override
    public String toString() {
        return "CpuBackend[threads=" + threads + ", " + loops.describe() + "]";
    }
}
