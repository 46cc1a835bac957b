package io.chunkwise.graph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class MatmulTilingTest {
    private static final MatmulTiling CPU_2_THREADS = new MatmulTiling(2048, 2, 4L << 30, false);

    private static long[] chunks(long n, long chunk) {
        long[] out = new long[(int) ((n + chunk - 1) / chunk)];
        for (int i = 0; i < out.length; i++) out[i] = Math.min(chunk, n - i * chunk);
        return out;
    }

    private static int[] square(MatmulTiling t, long n, long chunk) {
        return t.factors(chunks(n, chunk), chunks(n, chunk), n, 8);
    }

    @Test
    void groupsSmallChunksWhereLargerGemmsPay() {
        assertArrayEquals(new int[]{2, 2}, square(CPU_2_THREADS, 4096, 1024), "4 tiles of 2048 for 2 threads");
        assertArrayEquals(new int[]{4, 4}, square(CPU_2_THREADS, 4096, 512));
        assertArrayEquals(new int[]{2, 2}, square(CPU_2_THREADS, 8192, 1024));
        assertArrayEquals(new int[]{2, 4}, square(CPU_2_THREADS, 1024, 256), "2 tiles of 512 x 1024 (measured 15 % faster)");
    }

    @Test
    void keepsChunksWhereTilesWouldIdleThreadsOrAreAlreadyLarge() {
        assertArrayEquals(new int[]{1, 1}, square(CPU_2_THREADS, 4096, 2048), "chunks of the tile's size");
        assertArrayEquals(new int[]{1, 1}, square(CPU_2_THREADS, 2048, 1024), "one tile would leave a thread idle");
        assertArrayEquals(new int[]{1, 1}, square(CPU_2_THREADS, 512, 128), "tiles of 512 x 256 are too small to pay");
        assertArrayEquals(new int[]{1, 1}, square(new MatmulTiling(2048, 16, 4L << 30, false), 4096, 1024), "16 threads need 16 tasks");
        assertArrayEquals(new int[]{1, 1}, square(MatmulTiling.NEVER, 4096, 64), "a backend with no preferred size");
        assertArrayEquals(new int[]{1, 1}, square(new MatmulTiling(2048, 2, 300L << 20, false), 4096, 1024),
                "no grouped copy of a 128 MiB operand fits half a budget of 300 MiB");
        assertArrayEquals(new int[]{1, 2}, square(new MatmulTiling(2048, 2, 500L << 20, false), 4096, 1024),
                "in half of 500 MiB, only one operand's copy fits");
        assertArrayEquals(new int[]{2, 2}, square(new MatmulTiling(2048, 2, 700L << 20, false), 4096, 1024), "they fit 700 MiB");
        assertArrayEquals(new int[]{1, 1}, CPU_2_THREADS.factors(new long[]{1}, chunks(4096, 1024), 4096, 8), "a vector times a matrix");
    }

    @Test
    void forcedTilesGroupUpToTheEdge() {
        MatmulTiling forced = new MatmulTiling(100, 2, 1 << 20, true);
        assertArrayEquals(new int[]{3, 1}, forced.factors(new long[]{30, 30, 30, 30}, new long[]{60, 60}, 10, 8));
        assertArrayEquals(new int[]{1, 1}, forced.factors(new long[]{120, 30}, new long[]{101}, 10, 8), "chunks beyond the edge");
    }

    @Test
    void groupsConsecutiveChunks() {
        assertArrayEquals(new long[]{6, 5}, MatmulTiling.group(new long[]{3, 3, 3, 2}, 2));
        assertArrayEquals(new long[]{11}, MatmulTiling.group(new long[]{3, 3, 3, 2}, 4));
        assertArrayEquals(new long[]{3, 3, 3, 2}, MatmulTiling.group(new long[]{3, 3, 3, 2}, 1));
        assertArrayEquals(new long[]{}, MatmulTiling.group(new long[]{}, 3));
    }
}
