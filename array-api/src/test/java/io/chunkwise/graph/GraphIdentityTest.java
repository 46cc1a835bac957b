package io.chunkwise.graph;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.FileFormatException;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.NDArray;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layer names identify what defines a layer, and nothing else; placements depend on the chunk index only. */
class GraphIdentityTest {
    private static Chunkwise cw;

    @BeforeAll
    static void open() { cw = Chunkwise.builder().backend(new ReferenceBackend()).threads(2).build(); }

    @AfterAll
    static void close() { cw.close(); }

    @Test
    void gridsThatDifferOnlyNearTheEndGetTheirOwnNames() {
        ChunkedArray x = cw.arange(DType.FLOAT64, 15, 15);
        ChunkedArray r1 = x.rechunk(Chunks.explicit(new long[][]{{1, 1, 3, 5, 5}}));
        ChunkedArray r2 = x.rechunk(Chunks.explicit(new long[][]{{1, 1, 5, 5, 3}}));
        assertNotEquals(r1.node().name(), r2.node().name());
        // long regular axes whose last chunk differs (toString abbreviated both to "3x5")
        ChunkedArray a = cw.arange(DType.FLOAT64, 14, 3), b = cw.arange(DType.FLOAT64, 15, 3);
        assertNotEquals(a.rechunk(2).node().name(), b.slice(io.chunkwise.Slice.range(0, 14)).rechunk(2).node().name());
        long[] many = new long[1000];
        Arrays.fill(many, 2);
        long[] other = many.clone();
        other[500] = 1;
        other[501] = 3;
        ChunkedArray y = cw.zeros(DType.FLOAT64, new long[]{2000}, new int[]{2000});
        assertNotEquals(y.rechunk(Chunks.explicit(new long[][]{many})).node().name(),
                y.rechunk(Chunks.explicit(new long[][]{other})).node().name());
    }

    @Test
    void theSameDefinitionGetsTheSameNameAndAnyParameterChangesIt() {
        ChunkedArray x = cw.random(5).normal(0, 1, new long[]{20, 30}, new int[]{7, 11});
        ChunkedArray once = x.mul(x).add(10).sum(0), again = x.mul(x).add(10).sum(0);   // two separate builds
        assertEquals(once.node().name(), again.node().name());
        assertNotEquals(x.add(10).node().name(), x.add(10.000000000000002).node().name());
        assertNotEquals(x.add(0.0).node().name(), x.add(-0.0).node().name());
        assertNotEquals(x.sum(0).node().name(), x.sum(1).node().name());
        assertNotEquals(x.astype(DType.FLOAT32).node().name(), x.astype(DType.INT32).node().name());
        assertNotEquals(cw.random(5).normal(0, 1, new long[]{20, 30}, new int[]{7, 11}).node().name(),
                cw.random(6).normal(0, 1, new long[]{20, 30}, new int[]{7, 11}).node().name());
        String name = x.node().name();
        assertTrue(name.matches("elementwise-[0-9a-f]{32}"), name);
    }

    @Test
    void scansAndHistogramsDigestTheirParameters() {
        ChunkedArray x = cw.random(5).normal(0, 1, new long[]{20, 30}, new int[]{7, 11});
        ChunkedArray same = cw.random(5).normal(0, 1, new long[]{20, 30}, new int[]{7, 11});   // built again: named by content
        assertEquals(x.cumsum(0).node().name(), same.cumsum(0).node().name());
        assertEquals(x.cumsum(-1).node().name(), x.cumsum(1).node().name());
        assertNotEquals(x.cumsum(0).node().name(), x.cumsum(1).node().name());
        assertNotEquals(x.cumsum(0).node().name(), x.cumprod(0).node().name());
        assertTrue(x.cumprod(1).node().name().startsWith("cumprod-"), x.cumprod(1).node().name());
        // the counts per chunk (the input of the final sum) name the bins and the range
        String h = x.histogram(10, -1, 1).node().inputs().get(0).name();
        assertTrue(h.startsWith("histogram-"), h);
        assertEquals(h, x.histogram(10, -1, 1).node().inputs().get(0).name());
        assertNotEquals(h, x.histogram(11, -1, 1).node().inputs().get(0).name());
        assertNotEquals(h, x.histogram(10, -1.5, 1).node().inputs().get(0).name());
        assertNotEquals(h, x.histogram(10, -1, Math.nextUp(1.0)).node().inputs().get(0).name());
        assertNotEquals(h, x.astype(DType.FLOAT32).histogram(10, -1, 1).node().inputs().get(0).name());
    }

    @Test
    void sourcesPersistedChunksAndFunctionObjectsAreNamedByRandomIds() {
        double[] data = {1, 2, 3, 4};
        ChunkedArray a = cw.fromArray(data, new long[]{4}, new int[]{2}), b = cw.fromArray(data, new long[]{4}, new int[]{2});
        assertNotEquals(a.node().name(), b.node().name());
        assertTrue(a.node().name().matches("array-[0-9a-f]{32}"), a.node().name());
        assertNotEquals(a.persist().node().name(), a.persist().node().name());
        assertNotEquals(a.mapBlocks((blk, i) -> blk).node().name(), a.mapBlocks((blk, i) -> blk).node().name());
        // a function known by name is named by it: the same layer twice
        cw.registerBlockFunction("identity-for-names", (blk, i) -> blk);
        ChunkedArray named = a.mapBlocks("identity-for-names"), namedAgain = a.mapBlocks("identity-for-names");
        assertEquals(named.node().name(), namedAgain.node().name());
        assertThrows(InvalidArgumentException.class, () -> a.mapBlocks("no-such-function"));
    }

    /** A function named by its class, as a cluster member on the same class path finds it. */
    public static final class Doubler implements io.chunkwise.BlockFunction {
        @Override
        public NDArray apply(NDArray block, long[] index) {
            double[] v = block.toDoubleArray();
            for (int i = 0; i < v.length; i++) v[i] *= 2;
            return NDArray.of(v, block.shape());
        }
    }

    @Test
    void blockFunctionsRunByRegisteredOrClassName() {
        ChunkedArray x = cw.arange(DType.FLOAT64, 10, 3);
        assertArrayEquals(new double[]{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}, x.mapBlocks(Doubler.class.getName()).compute().toDoubleArray());
        cw.registerBlockFunction("plus-index", (blk, i) -> {
            double[] v = blk.toDoubleArray();
            for (int k = 0; k < v.length; k++) v[k] += i[0];
            return NDArray.of(v, blk.shape());
        });
        assertArrayEquals(new double[]{0, 1, 2, 4, 5, 6, 8, 9, 10, 12}, x.mapBlocks("plus-index").compute().toDoubleArray());
        assertThrows(InvalidArgumentException.class, () -> cw.registerBlockFunction("plus-index", (blk, i) -> blk));
        assertThrows(InvalidArgumentException.class, () -> x.mapBlocks(String.class.getName()), "not a BlockFunction");
    }

    @Test
    void aFileIsNamedByItsVersionAndAChangedFileIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.npy");
        cw.writeNpy(cw.arange(DType.FLOAT64, 10, 4), f);
        ChunkedArray first = cw.readNpy(f, new int[]{4});
        assertEquals(first.node().name(), cw.readNpy(f, new int[]{4}).node().name());
        assertNotEquals(first.node().name(), cw.readNpy(f, new int[]{5}).node().name());
        cw.writeNpy(cw.arange(DType.FLOAT64, 10, 4).mul(3), f);
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
        ChunkedArray second = cw.readNpy(f, new int[]{4});
        assertNotEquals(first.node().name(), second.node().name());
        assertEquals(27.0, second.compute().getDouble(9));
        FileFormatException e = assertThrows(FileFormatException.class, first::compute);
        assertTrue(e.getMessage().contains("changed since it was opened"), e.getMessage());
    }

    @Test
    void placementsDependOnTheChunkIndexOnly() {
        ChunkedArray x = cw.random(1).uniform(0, 1, new long[]{40, 40}, new int[]{10, 10});
        ChunkedArray y = x.mul(2).add(x.exp());
        assertEquals(new ChunkKey(x.node().name(), new int[]{2, 3}).placement(), new ChunkKey(y.node().name(), new int[]{2, 3}).placement());
        assertEquals(new ChunkKey("a", new int[]{2, 3}).placement(), new ChunkKey("b-partial", new int[]{2, 3}).placement());
        java.util.Set<Integer> distinct = new java.util.HashSet<>();
        for (int i = 0; i < 16; i++) for (int j = 0; j < 16; j++) distinct.add(Math.floorMod(new ChunkKey("a", new int[]{i, j}).placement(), 271));
        assertTrue(distinct.size() > 150, "a 16 x 16 grid spreads over 271 partitions: " + distinct.size());
        // a reduction's partials sit with the chunks they reduce
        java.util.List<int[]> all = new java.util.ArrayList<>();
        Node root = Optimizer.optimize(x.sum(0).node());
        root.chunks().forEachIndex(all::add);
        TaskGraph g = GraphBuilder.build(root, all);
        long partials = g.tasks().keySet().stream().filter(k -> k.layer().endsWith("-partial")).peek(k ->
                assertEquals(new ChunkKey(x.node().name(), k.index()).placement(), k.placement())).count();
        assertEquals(16, partials);
    }

    @Test
    void takeExtractAndBroadcastNameEveryParameter() {
        ChunkedArray x = cw.random(9).normal(0, 1, new long[]{12, 10}, new int[]{5, 4});
        assertEquals(x.take(new long[]{3, 1, 3}, 0).node().name(), x.take(new long[]{3, 1, -9}, 0).node().name(), "-9 is 3 on an axis of 12");
        assertNotEquals(x.take(new long[]{3, 1, 3}, 0).node().name(), x.take(new long[]{3, 1, 4}, 0).node().name());
        assertNotEquals(x.take(new long[]{3, 1, 3}, 0).node().name(), x.take(new long[]{3, 1, 3}, 1).node().name());
        ChunkedArray same = cw.random(9).normal(0, 1, new long[]{12, 10}, new int[]{5, 4});   // built again: named by content
        assertEquals(x.extract(x.gt(0.5)).node().name(), same.extract(same.gt(0.5)).node().name());
        assertNotEquals(x.extract(x.gt(0.5)).node().name(), x.extract(x.gt(0.25)).node().name());
        assertNotEquals(x.broadcastTo(2, 12, 10).node().name(), x.broadcastTo(3, 12, 10).node().name());
        assertEquals(x.flip(0).node().name(), x.flip(-2).node().name());
        assertNotEquals(x.flip(0).node().name(), x.flip(1).node().name());
    }
}
