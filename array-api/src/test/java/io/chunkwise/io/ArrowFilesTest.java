package io.chunkwise.io;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ComputeListener;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.Shapes;
import io.chunkwise.Slice;
import io.chunkwise.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arrow IPC store and load: round trips, one-chunk reads, atomic replacement, and the layout as pyarrow sees it. */
class ArrowFilesTest {
    private static Chunkwise cw;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() { cw = Chunkwise.builder().threads(2).backend(new ReferenceBackend()).build(); }

    /** Closing the context closes its Arrow root allocator, which throws if an operation left buffers behind. */
    @AfterAll
    static void close() { cw.close(); }

    @AfterEach
    void noArrowMemoryLeft() { assertEquals(0, cw.arrowMemory().allocated(), () -> "after the test: " + cw.arrowMemory()); }

    private static void assertSame(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected, actual, what + ": values");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsRaggedChunkings(DType dtype) {
        Random r = new Random(2000 + dtype.ordinal());
        for (int k = 0; k < 16; k++) {
            long[] shape = k < SampleArrays.EDGE_SHAPES.length ? SampleArrays.EDGE_SHAPES[k] : SampleArrays.randomShape(r);
            NDArray values = SampleArrays.random(r, dtype, shape);
            Chunks chunks = k % 3 == 0 ? Chunks.regular(shape, SampleArrays.randomChunkShape(r, shape))
                    : SampleArrays.randomRaggedChunks(r, shape);
            String what = "case " + k + ": " + dtype + " " + Shapes.str(shape) + " in chunks " + chunks;
            Path f = dir.resolve("a" + k + ".arrow");
            cw.store(cw.fromNDArray(values, chunks), f);

            ChunkedArray back = cw.load(f);
            assertEquals(chunks, back.chunks(), what + ": the chunk grid is kept");
            assertEquals(dtype, back.dtype(), what);
            assertSame(values, back.compute(), what);
            assertEquals(chunks.chunkCount(), ArrowFiles.readLayout(f).batches().size(), what + ": one batch per chunk");
        }
    }

    @Test
    void storesComputedArraysAndOverwrites() {
        Random r = new Random(21);
        NDArray values = SampleArrays.random(r, DType.INT64, new long[]{6, 5, 4});
        ChunkedArray a = cw.fromNDArray(values, new int[]{4, 2, 3});
        ChunkedArray t = a.transpose(1, 2, 0).rechunk(3, 3, 5);
        Path f = dir.resolve("t.arrow");
        cw.store(t, f);
        ChunkedArray back = cw.load(f);
        assertEquals(t.chunks(), back.chunks());
        assertSame(t.compute(), back.compute(), "transposed and rechunked");
        cw.store(a, f);
        assertSame(values, cw.load(f).compute(), "overwritten");
    }

    @Test
    void readsOneChunkWithoutTheRest() {
        long[] shape = {600, 500};
        double[] v = new double[300_000];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.25;
        Chunks chunks = Chunks.explicit(new long[][]{{100, 250, 50, 200}, {120, 130, 250}});
        Path f = dir.resolve("big.arrow");
        cw.store(cw.fromArray(v, shape, chunks), f);

        ChunkedArray a = cw.load(f);
        AtomicInteger tasks = new AtomicInteger();
        ComputeListener count = new ComputeListener() {
            @Override public void started(int totalTasks) { tasks.set(totalTasks); }
        };
        // rows 110..120, columns 300..304: inside chunk (1, 2)
        NDArray part = a.slice(Slice.range(110, 120), Slice.range(300, 304)).compute(count);
        assertTrue(tasks.get() <= 3, "a slice inside one chunk ran " + tasks.get() + " tasks, not just one read");
        double[] expected = new double[40];
        for (int i = 0; i < 10; i++) for (int j = 0; j < 4; j++) expected[i * 4 + j] = ((110 + i) * 500 + 300 + j) * 0.25;
        assertSame(NDArray.of(expected, 10, 4), part, "slice [110:120, 300:304]");

        // every chunk on its own
        Random r = new Random(22);
        for (int k = 0; k < 5; k++) {
            int[] idx = {r.nextInt(4), r.nextInt(3)};
            long[] off = chunks.chunkOffset(idx);
            int[] cs = chunks.chunkShape(idx);
            NDArray c = a.slice(Slice.range(off[0], off[0] + cs[0]), Slice.range(off[1], off[1] + cs[1])).compute(count);
            assertTrue(tasks.get() <= 3, "chunk " + Arrays.toString(idx) + " ran " + tasks.get() + " tasks");
            assertEquals(off[0] * 500 * 0.25 + off[1] * 0.25, c.getDouble(0, 0), "chunk " + Arrays.toString(idx));
            assertEquals(((off[0] + cs[0] - 1) * 500 + off[1] + cs[1] - 1) * 0.25, c.getDouble(-1, -1));
        }
    }

    @Test
    void replacesTheTargetOnlyWhenComplete() throws IOException {
        Path f = dir.resolve("keep.arrow");
        cw.store(cw.fromArray(new int[]{1, 2, 3}, new long[]{3}, new int[]{2}), f);
        byte[] before = Files.readAllBytes(f);
        ChunkedArray failing = cw.fromArray(new int[]{4, 5, 6, 7, 8, 9}, new long[]{6}, new int[]{1}).mapBlocks((b, idx) -> {
            if (idx[0] == 4) throw new IllegalStateException("kernel failure for the test");
            return b;
        });
        ChunkwiseException e = assertThrows(ChunkwiseException.class, () -> cw.store(failing, f));
        assertTrue(NpyTest.causes(e).contains("kernel failure for the test"), "the kernel's error is reported: " + e);
        assertArrayEquals(before, Files.readAllBytes(f), "the target is untouched");
        assertEquals(List.of("keep.arrow"), NpyTest.listing(dir), "no partial file is left");
        assertSame(NDArray.of(new int[]{1, 2, 3}, 3), cw.load(f).compute(), "the old array still loads");

        Path fresh = dir.resolve("fresh.arrow");
        assertThrows(ChunkwiseException.class, () -> cw.store(failing, fresh));
        assertEquals(List.of("keep.arrow"), NpyTest.listing(dir), "no file is created and no partial file is left");
    }

    // ---- pyarrow ----

    /** Arrays of the interop pattern for every dtype, stored with assorted grids; returns their manifest lines. */
    private List<String> storePatterns() {
        Random r = new Random(23);
        long[][] shapes = {{}, {0}, {1}, {10}, {4, 6}, {0, 3}, {3, 0}, {2, 3, 4}, {3, 1, 2, 5}};
        List<String> manifest = new ArrayList<>();
        for (DType dtype : DType.values()) {
            for (int k = 0; k < shapes.length; k++) {
                long[] shape = shapes[k];
                Chunks chunks = k == 4 ? Chunks.explicit(new long[][]{{1, 3}, {2, 2, 2}}) : SampleArrays.randomRaggedChunks(r, shape);
                String name = dtype.numpyName() + "_" + k + ".arrow";
                cw.store(cw.fromNDArray(SampleArrays.pattern(dtype, shape), chunks), dir.resolve(name));
                manifest.add(name + " " + dtype.numpyName() + " " + Arrays.toString(shape).replace(" ", ""));
            }
        }
        return manifest;
    }

    @Test
    void pyarrowReadsTheDocumentedLayout() throws IOException {
        String python = Python.require("pyarrow");
        List<String> manifest = storePatterns();
        Files.write(dir.resolve("manifest.txt"), manifest);
        String out = Python.run(python, dir, """
                import itertools, json, os, sys
                import pyarrow as pa
                import pyarrow.ipc as ipc
                types = {'float64': pa.float64(), 'float32': pa.float32(), 'int64': pa.int64(),
                         'int32': pa.int32(), 'bool': pa.bool_()}
                d = sys.argv[1]
                n = 0
                for line in open(os.path.join(d, 'manifest.txt')):
                    name, dt, dims = line.split()
                    shape = json.loads(dims)
                    r = ipc.open_file(os.path.join(d, name))
                    meta = {k.decode(): v.decode() for k, v in r.schema.metadata.items()}
                    assert meta['chunkwise.format'] == '1', (name, meta)
                    assert meta['chunkwise.dtype'] == dt, (name, meta)
                    assert json.loads(meta['chunkwise.shape']) == shape, (name, meta)
                    chunks = json.loads(meta['chunkwise.chunks'])
                    assert len(chunks) == len(shape), (name, meta)
                    assert [sum(c) for c in chunks] == shape, (name, meta)
                    assert r.schema.names == ['values'], (name, r.schema)
                    assert r.schema.field('values').type == types[dt], (name, r.schema)
                    expected = pattern(dt, shape)
                    grid = [range(len(c)) for c in chunks]
                    offsets = [[sum(c[:i]) for i in range(len(c))] for c in chunks]
                    blocks = list(itertools.product(*grid))
                    assert r.num_record_batches == len(blocks), (name, r.num_record_batches, len(blocks))
                    order = list(range(len(blocks)))
                    order.reverse()  # each batch on its own, in any order
                    for k in order:
                        idx = blocks[k]
                        sl = tuple(slice(offsets[a][i], offsets[a][i] + chunks[a][i]) for a, i in enumerate(idx))
                        want = expected[sl].ravel(order='C')
                        batch = r.get_batch(k)
                        assert batch.num_columns == 1
                        col = batch.column(0)
                        assert col.null_count == 0, (name, k)
                        got = col.to_numpy(zero_copy_only=False)
                        assert got.dtype == np.dtype(dt), (name, k, got.dtype)
                        assert np.array_equal(got, want), (name, k, got, want)
                    n += 1
                print('ok', n)
                """, dir.toString());
        assertEquals("ok " + manifest.size(), out.strip());
    }

    @Test
    void loadsWhatPyarrowWritesInTheLayout() throws IOException {
        String python = Python.require("pyarrow");
        String out = Python.run(python, dir, """
                import itertools, json, os, sys
                import pyarrow as pa
                import pyarrow.ipc as ipc
                types = {'float64': pa.float64(), 'float32': pa.float32(), 'int64': pa.int64(),
                         'int32': pa.int32(), 'bool': pa.bool_()}
                d = sys.argv[1]
                cases = [((), []), ((5,), [[2, 3]]), ((4, 6), [[1, 3], [2, 2, 2]]), ((0, 3), [[0], [3]]),
                         ((2, 3, 4), [[1, 1], [3], [1, 3]])]
                for dt in types:
                    for k, (shape, chunks) in enumerate(cases):
                        expected = pattern(dt, shape)
                        meta = {'chunkwise.format': '1', 'chunkwise.dtype': dt,
                                'chunkwise.shape': json.dumps(list(shape)).replace(' ', ''),
                                'chunkwise.chunks': json.dumps(chunks).replace(' ', '')}
                        schema = pa.schema([pa.field('values', types[dt])], metadata=meta)
                        name = '%s_%d.arrow' % (dt, k)
                        with ipc.new_file(os.path.join(d, name), schema) as w:
                            offsets = [[sum(c[:i]) for i in range(len(c))] for c in chunks]
                            for idx in itertools.product(*[range(len(c)) for c in chunks]):
                                sl = tuple(slice(offsets[a][i], offsets[a][i] + chunks[a][i]) for a, i in enumerate(idx))
                                values = pa.array(expected[sl].ravel(order='C'), type=types[dt])
                                w.write_batch(pa.record_batch([values], schema=schema))
                        print(name, dt, json.dumps(list(shape)).replace(' ', ''))
                """, dir.toString());
        int files = 0;
        for (String line : out.strip().split("\n")) {
            String[] p = line.strip().split(" ");
            String inner = p[2].substring(1, p[2].length() - 1);
            long[] shape = inner.isEmpty() ? new long[0] : Arrays.stream(inner.split(",")).mapToLong(Long::parseLong).toArray();
            ChunkedArray a = cw.load(dir.resolve(p[0]));
            assertSame(SampleArrays.pattern(DType.parse(p[1]), shape), a.compute(), p[0]);
            files++;
        }
        assertEquals(25, files);
    }
}
