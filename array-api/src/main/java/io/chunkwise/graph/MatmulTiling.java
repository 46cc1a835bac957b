package io.chunkwise.graph;

import java.util.Arrays;

/**
 * How many consecutive output chunks of a matrix product one task computes: the planner's choice of GEMM size.
 *
 * <p>A GEMM smaller than its backend's {@code tile} on a side loses speed to packing its operands (OpenBLAS on this
 * project's machine: single-threaded 1024 x 1024 blocks reach 0.87 of 2048 x 2048 tiles), so a product of small
 * chunks may run faster as tiles of several chunks: the row chunks of A and the column chunks of B are grouped (one
 * copy of each operand), each task runs its tile's GEMMs, and the tiles are split back into the chunks the user
 * asked for (a split that gathering the result into one array skips). Whether that pays is estimated here from the
 * GEMM time per thread, the tasks' balance over the threads and the cost of the copies.
 *
 * @param tile    the GEMM edge at which the backend runs at full rate; 0 never groups chunks
 * @param threads tasks that run at once
 * @param budget  the scheduler's memory budget in bytes: the grouped copies of the operands and the tiles being
 *                computed may take half of it
 * @param forced  group up to {@code tile} whatever the estimate says (tests, and users who know their machine)
 */
public record MatmulTiling(int tile, int threads, long budget, boolean forced) {
    /** Packing's cost per side: a GEMM {@code tile / 2} long on one side runs {@code 1 + SIDE_COST} as long per flop. */
    private static final double SIDE_COST = 0.07;
    /** Copying one element costs about as much as this many multiply-adds at the GEMM's full rate. */
    private static final double COPY_COST = 80;
    /** Tiling must win at least this fraction of the estimate (the estimate is rough). */
    private static final double MARGIN = 0.03;
    /**
     * Tiles shorter than {@code tile / SMALLEST} on a side are not worth their copies and extra tasks: products of
     * n = 512 ran 5-25 % slower in tiles of 512 x 256 than in chunks of 256 or 128 (measured on the CPU), where the
     * estimate, made for GEMMs too large for the caches, saw a gain.
     */
    private static final int SMALLEST = 4;

    public static final MatmulTiling NEVER = new MatmulTiling(0, 1, Long.MAX_VALUE, false);

    public MatmulTiling {
        if (tile < 0 || threads < 1 || budget < 1) {
            throw new IllegalArgumentException("tile " + tile + ", threads " + threads + ", budget " + budget);
        }
    }

    /**
     * The grouping of a product's output chunks: {@code {rowsPerTile, colsPerTile}}, {@code {1, 1}} to compute chunk
     * by chunk. {@code rows} and {@code cols} are the output's chunk sizes along each axis, {@code depth} the
     * contraction's length, {@code elementBytes} the size of one element.
     */
    public int[] factors(long[] rows, long[] cols, long depth, int elementBytes) {
        int fm = most(rows), fn = most(cols);
        if (fm * fn == 1) return new int[]{1, 1};
        if (forced) return new int[]{fm, fn};
        long m = Arrays.stream(rows).sum(), n = Arrays.stream(cols).sum();
        double plain = estimate(rows, cols, depth, 0), best = plain;
        int[] choice = {1, 1};
        for (int i = 1; i <= fm; i++) {
            for (int j = 1; j <= fn; j++) {
                long[] tileRows = group(rows, i), tileCols = group(cols, j);
                double copied = (i > 1 ? m * (double) depth : 0) + (j > 1 ? depth * (double) n : 0);
                // the grouped operands and a tile per thread may take half the budget
                double held = copied + (double) threads * tileRows[0] * tileCols[0];
                if (i * j == 1 || Math.min(tileRows[0], tileCols[0]) * SMALLEST < tile || held * elementBytes > budget / 2.0) continue;
                double t = estimate(tileRows, tileCols, depth, copied);
                if (t < best) {
                    best = t;
                    choice = new int[]{i, j};
                }
            }
        }
        return best < (1 - MARGIN) * plain ? choice : new int[]{1, 1};
    }

    /** The most consecutive chunks of {@code sizes} whose sum stays within the tile (at least 1). */
    private int most(long[] sizes) {
        long largest = Arrays.stream(sizes).max().orElse(0);
        if (tile == 0 || largest == 0) return 1;
        return (int) Math.max(1, Math.min(sizes.length, tile / largest));
    }

    /**
     * Estimated time in multiply-adds at full rate per thread: rounds of tiles at their rate, plus copying
     * {@code copied} elements of the operands.
     */
    private double estimate(long[] tileRows, long[] tileCols, long depth, double copied) {
        long tiles = (long) tileRows.length * tileCols.length;
        double tileTime = tileRows[0] * tileCols[0] * (double) depth * (slowdown(tileRows[0]) + slowdown(tileCols[0]) - 1);
        return Math.ceil((double) tiles / threads) * tileTime + COPY_COST * copied / threads;
    }

    private double slowdown(long edge) {
        return 1 + SIDE_COST * tile * Math.max(0, 1.0 / edge - 1.0 / tile);
    }

    /** Sizes of consecutive groups of {@code f} chunks (the last group may hold fewer). */
    public static long[] group(long[] sizes, int f) {
        long[] out = new long[(sizes.length + f - 1) / f];
        for (int i = 0; i < sizes.length; i++) out[i / f] += sizes[i];
        return out;
    }
}
