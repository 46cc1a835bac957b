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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.chunkwise.io.NpyBytes.dict;
import static io.chunkwise.io.NpyBytes.file;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing NumPy .npy files: round trips, hand-built files of every supported kind, and NumPy itself. */
class NpyTest {
    private static Chunkwise cw;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() { cw = Chunkwise.builder().threads(2).backend(new ReferenceBackend()).build(); }

    @AfterAll
    static void close() { cw.close(); }

    private static void assertSame(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected, actual, what + ": values");
    }

    /** Reads {@code f} with {@code chunkShape} and checks the grid, dtype, shape and values. */
    private static void assertReads(NDArray expected, Path f, int[] chunkShape, String what) {
        ChunkedArray a = cw.readNpy(f, chunkShape);
        assertEquals(Chunks.regular(expected.shape(), chunkShape), a.chunks(), what + ": chunks");
        assertSame(expected, a.compute(), what + " read in chunks " + Arrays.toString(chunkShape));
    }

    // ---- round trips ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsRandomShapesAndChunkings(DType dtype) {
        Random r = new Random(1000 + dtype.ordinal());
        for (int k = 0; k < 16; k++) {
            long[] shape = k < SampleArrays.EDGE_SHAPES.length ? SampleArrays.EDGE_SHAPES[k] : SampleArrays.randomShape(r);
            NDArray values = SampleArrays.random(r, dtype, shape);
            Chunks written = r.nextBoolean() ? SampleArrays.randomRaggedChunks(r, shape)
                    : Chunks.regular(shape, SampleArrays.randomChunkShape(r, shape));
            int[] readChunks = SampleArrays.randomChunkShape(r, shape);
            for (int tries = 0; tries < 20 && shape.length > 0 && Chunks.regular(shape, readChunks).equals(written); tries++) {
                readChunks = SampleArrays.randomChunkShape(r, shape);
            }
            String what = "case " + k + ": " + dtype + " " + Shapes.str(shape) + " written in chunks " + written;
            Path f = dir.resolve("a" + k + ".npy");
            cw.writeNpy(cw.fromNDArray(values, written), f);

            Npy.Header h = Npy.readHeader(f);
            assertEquals(dtype, h.dtype(), what);
            assertArrayEquals(shape, h.shape(), what);
            assertFalse(h.fortranOrder(), what);
            assertEquals(LITTLE_ENDIAN, h.order(), what);
            assertEquals(0, h.dataOffset() % 64, what + ": data is 64-byte aligned");
            assertEquals(h.dataOffset() + Shapes.size(shape) * dtype.byteSize(), fileSize(f), what + ": file size");
            assertReads(values, f, readChunks, what);
        }
    }

    @Test
    void writesComputedAndTransposedArrays() {
        Random r = new Random(7);
        NDArray values = SampleArrays.random(r, DType.FLOAT64, new long[]{5, 7, 3});
        ChunkedArray a = cw.fromNDArray(values, new int[]{2, 3, 2});
        ChunkedArray t = a.transpose(2, 0, 1).mul(2.0);
        Path f = dir.resolve("t.npy");
        cw.writeNpy(t, f);
        assertReads(t.compute(), f, new int[]{2, 2, 4}, "transposed, doubled");
        // overwriting an existing file
        cw.writeNpy(a, f);
        assertReads(values, f, new int[]{5, 1, 3}, "overwritten");
    }

    @Test
    void readsOneChunkOfABigFileWithoutTheRest() {
        int rows = 1000, cols = 1000;
        int[] v = new int[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = i;
        Path f = dir.resolve("big.npy");
        cw.writeNpy(cw.fromArray(v, new long[]{rows, cols}, new int[]{250, 1000}), f);

        ChunkedArray a = cw.readNpy(f, new int[]{100, 100});
        assertEquals(100, a.chunks().chunkCount());
        AtomicInteger tasks = new AtomicInteger();
        ComputeListener count = new ComputeListener() {
            @Override public void started(int totalTasks) { tasks.set(totalTasks); }
        };
        NDArray part = a.slice(Slice.range(250, 260), Slice.range(730, 735)).compute(count);
        assertTrue(tasks.get() <= 3, "a slice inside one chunk ran " + tasks.get() + " tasks, not just one read");
        int[] expected = new int[50];
        for (int i = 0; i < 10; i++) for (int j = 0; j < 5; j++) expected[i * 5 + j] = (250 + i) * cols + 730 + j;
        assertSame(NDArray.of(expected, 10, 5), part, "slice [250:260, 730:735]");

        NDArray one = a.slice(Slice.at(999), Slice.at(-1)).compute(count);
        assertTrue(tasks.get() <= 3, "one element ran " + tasks.get() + " tasks");
        assertEquals(rows * cols - 1, one.getLong());
    }

    @Test
    void replacesTheTargetOnlyWhenComplete() throws IOException {
        Path f = dir.resolve("keep.npy");
        cw.writeNpy(cw.fromArray(new double[]{1, 2, 3}, new long[]{3}, new int[]{1}), f);
        byte[] before = Files.readAllBytes(f);
        ChunkedArray failing = cw.fromArray(new double[]{4, 5, 6, 7}, new long[]{4}, new int[]{1}).mapBlocks((b, idx) -> {
            if (idx[0] == 2) throw new IllegalStateException("kernel failure for the test");
            return b;
        });
        ChunkwiseException e = assertThrows(ChunkwiseException.class, () -> cw.writeNpy(failing, f));
        assertTrue(causes(e).contains("kernel failure for the test"), "the kernel's error is reported: " + e);
        assertArrayEquals(before, Files.readAllBytes(f), "the target is untouched");
        assertEquals(List.of("keep.npy"), listing(dir));

        Path fresh = dir.resolve("fresh.npy");
        assertThrows(ChunkwiseException.class, () -> cw.writeNpy(failing, fresh));
        assertEquals(List.of("keep.npy"), listing(dir), "no file is created and no partial file is left");
    }

    // ---- hand-built files ----

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void readsFormatVersions(int major) throws IOException {
        double[] v = {0, 1.5, -2, 3e300, Double.NaN, -0.0};
        Path f = write("v" + major + ".npy", file(major, dict("<f8", false, "(2, 3)"), NpyBytes.doubles(LITTLE_ENDIAN, v)));
        for (int[] c : new int[][]{{1, 2}, {2, 3}, {2, 1}}) assertReads(NDArray.of(v, 2, 3), f, c, "version " + major + ".0");
    }

    @Test
    void readsHeadersWrittenOtherWays() throws IOException {
        long[] v = {5, -6, 7, Long.MIN_VALUE};
        NDArray expected = NDArray.of(v, 4);
        String[] dicts = {
            "{\"descr\": \"<i8\", \"fortran_order\": False, \"shape\": (4,)}",   // double quotes, no trailing comma
            "{'shape': (4L,), 'fortran_order': False, 'descr': '<i8'}",        // other key order, Python 2 long
            "{ 'descr' : 'i8' , 'fortran_order' : False , 'shape' : ( 4 , ) , }", // spaces, no byte order mark
            "{'descr': '=i8', 'fortran_order': False, 'shape': (4,), }",        // native order
        };
        for (int i = 0; i < dicts.length; i++) {
            Path f = write("h" + i + ".npy", file(1, dicts[i], NpyBytes.longs(LITTLE_ENDIAN, v)));
            assertReads(expected, f, new int[]{3}, dicts[i]);
        }
    }

    @Test
    void readsZeroDimensionalAndEmptyArrays() throws IOException {
        Path scalar = write("s.npy", file(1, dict("<i4", false, "()"), NpyBytes.ints(LITTLE_ENDIAN, -42)));
        assertReads(NDArray.of(new int[]{-42}), scalar, new int[0], "0-d");
        Path empty = write("e.npy", file(1, dict("<f4", false, "(3, 0, 2)"), new byte[0]));
        assertReads(NDArray.of(new float[0], 3, 0, 2), empty, new int[]{2, 1, 1}, "(3, 0, 2)");
        Path emptyF = write("ef.npy", file(1, dict("<f4", true, "(0, 4)"), new byte[0]));
        assertReads(NDArray.of(new float[0], 0, 4), emptyF, new int[]{1, 3}, "Fortran (0, 4)");
    }

    static Stream<Object[]> bigEndianCases() {
        return Stream.of(
                new Object[]{">f8", NpyBytes.doubles(BIG_ENDIAN, 1.25, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, 6e-310, Double.MAX_VALUE),
                        NDArray.of(new double[]{1.25, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, 6e-310, Double.MAX_VALUE}, 2, 3)},
                new Object[]{">i4", NpyBytes.ints(BIG_ENDIAN, 1, -1, 0x01020304, Integer.MIN_VALUE, Integer.MAX_VALUE, 256),
                        NDArray.of(new int[]{1, -1, 0x01020304, Integer.MIN_VALUE, Integer.MAX_VALUE, 256}, 2, 3)},
                new Object[]{">f4", NpyBytes.floats(BIG_ENDIAN, 1.5f, -2, Float.NaN, 0, 1e-40f, 7),
                        NDArray.of(new float[]{1.5f, -2, Float.NaN, 0, 1e-40f, 7}, 2, 3)},
                new Object[]{">i8", NpyBytes.longs(BIG_ENDIAN, 1, -1, 0x0102030405060708L, Long.MIN_VALUE, Long.MAX_VALUE, 256),
                        NDArray.of(new long[]{1, -1, 0x0102030405060708L, Long.MIN_VALUE, Long.MAX_VALUE, 256}, 2, 3)});
    }

    @ParameterizedTest
    @MethodSource("bigEndianCases")
    void readsBigEndian(String descr, byte[] data, NDArray expected) throws IOException {
        Path f = write("be.npy", file(1, dict(descr, false, "(2, 3)"), data));
        Npy.Header h = Npy.readHeader(f);
        assertEquals(ByteOrder.BIG_ENDIAN, h.order());
        for (int[] c : new int[][]{{2, 3}, {1, 2}, {2, 1}, {1, 1}}) assertReads(expected, f, c, descr);
    }

    @Test
    void readsFortranOrder() throws IOException {
        // C-order values 0..11 of a 3x4 array; stored column by column
        double[] c = new double[12];
        double[] fortran = new double[12];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                c[i * 4 + j] = i * 4 + j;
                fortran[j * 3 + i] = i * 4 + j;
            }
        }
        Path f = write("f.npy", file(1, dict("<f8", true, "(3, 4)"), NpyBytes.doubles(LITTLE_ENDIAN, fortran)));
        assertTrue(Npy.readHeader(f).fortranOrder());
        for (int[] cs : new int[][]{{3, 4}, {2, 3}, {1, 1}, {3, 1}, {1, 4}, {2, 4}}) {
            assertReads(NDArray.of(c, 3, 4), f, cs, "Fortran 3x4");
        }
        NDArray row = cw.readNpy(f, new int[]{2, 3}).slice(Slice.at(1)).compute();
        assertSame(NDArray.of(new double[]{4, 5, 6, 7}, 4), row, "row 1 of a Fortran file");
    }

    @Test
    void readsFortranOrderInThreeDimensionsBigEndian() throws IOException {
        int[] shape = {2, 3, 4};
        int[] c = new int[24];
        int[] fortran = new int[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    int value = 100 * i + 10 * j + k;
                    c[(i * 3 + j) * 4 + k] = value;
                    fortran[i + 2 * (j + 3 * k)] = value;
                }
            }
        }
        Path f = write("f3.npy", file(1, dict(">i4", true, "(2, 3, 4)"), NpyBytes.ints(BIG_ENDIAN, fortran)));
        for (int[] cs : new int[][]{{2, 3, 4}, {1, 2, 3}, {2, 1, 1}, {1, 3, 2}}) {
            assertReads(NDArray.of(c, 2, 3, 4), f, cs, "Fortran " + Arrays.toString(shape));
        }
        Path one = write("f1.npy", file(1, dict("<i4", true, "(5,)"), NpyBytes.ints(LITTLE_ENDIAN, 1, 2, 3, 4, 5)));
        assertReads(NDArray.of(new int[]{1, 2, 3, 4, 5}, 5), one, new int[]{2}, "1-d Fortran");
        Path zero = write("f0.npy", file(1, dict("<i4", true, "()"), NpyBytes.ints(LITTLE_ENDIAN, 9)));
        assertReads(NDArray.of(new int[]{9}), zero, new int[0], "0-d Fortran");
    }

    @ParameterizedTest
    @ValueSource(strings = {"|b1", "?", "<?", "b1"})
    void readsBooleans(String descr) throws IOException {
        byte[] data = {0, 1, 2, 0, (byte) 255, 1};
        Path f = write("b.npy", file(1, dict(descr, false, "(2, 3)"), data));
        assertEquals(DType.BOOL, Npy.readHeader(f).dtype());
        NDArray expected = NDArray.ofBools(new byte[]{0, 1, 1, 0, 1, 1}, 2, 3);
        for (int[] c : new int[][]{{2, 3}, {1, 2}, {1, 1}}) assertReads(expected, f, c, descr);
    }

    // ---- NumPy itself ----

    @Test
    void readsWhatNumpyWrites() throws IOException {
        String python = Python.require("numpy");
        String out = Python.run(python, dir, """
                import os, sys
                from numpy.lib import format as fmt
                out = sys.argv[1]
                shapes = [(), (0,), (7,), (3, 4), (2, 0, 3), (2, 3, 4), (2, 3, 1, 5)]
                for dt in ['float64', 'float32', 'int64', 'int32', 'bool']:
                    for k, shape in enumerate(shapes):
                        a = pattern(dt, shape)
                        variants = [('c', a, (1, 0)), ('v2', a, (2, 0)), ('v3', a, (3, 0))]
                        if a.ndim >= 2:
                            variants.append(('f', np.asfortranarray(a), (1, 0)))
                        if dt != 'bool':
                            be = a.astype(a.dtype.newbyteorder('>'))
                            variants.append(('be', be, (1, 0)))
                            if a.ndim >= 2:
                                variants.append(('fbe', np.asfortranarray(be), (1, 0)))
                        for tag, arr, version in variants:
                            name = '%s_%d_%s.npy' % (dt, k, tag)
                            with open(os.path.join(out, name), 'wb') as f:
                                fmt.write_array(f, arr, version=version)
                            fortran = arr.flags.f_contiguous and not arr.flags.c_contiguous
                            print(name, dt, '[' + ','.join(str(d) for d in shape) + ']', int(fortran))
                np.save(os.path.join(out, 'saved.npy'), pattern('int32', (4, 5)))
                print('saved.npy int32 [4,5] 0')
                """, dir.toString());
        Random r = new Random(11);
        int files = 0;
        for (String line : out.strip().split("\n")) {
            String[] p = line.strip().split(" ");
            String inner = p[2].substring(1, p[2].length() - 1);
            long[] shape = inner.isEmpty() ? new long[0] : Arrays.stream(inner.split(",")).mapToLong(Long::parseLong).toArray();
            DType dtype = DType.parse(p[1]);
            Path f = dir.resolve(p[0]);
            boolean fortran = p[3].equals("1");
            assertEquals(fortran, Npy.readHeader(f).fortranOrder(), p[0]);
            assertReads(SampleArrays.pattern(dtype, shape), f, SampleArrays.randomChunkShape(r, shape), p[0]);
            files++;
        }
        assertTrue(files > 100, "read " + files + " files");
        assertTrue(out.contains(" 1\n"), "some files are in Fortran order");
    }

    @Test
    void numpyReadsWhatWeWrite() throws IOException {
        String python = Python.require("numpy");
        Random r = new Random(12);
        List<String> manifest = new ArrayList<>();
        long[][] shapes = {{}, {0}, {1}, {9}, {3, 4}, {0, 5}, {2, 3, 4}, {4, 1, 0, 2}, {40, 50, 3}, {2, 3, 2, 3}};
        for (DType dtype : DType.values()) {
            for (int k = 0; k < shapes.length; k++) {
                long[] shape = shapes[k];
                String name = dtype.numpyName() + "_" + k + ".npy";
                Chunks chunks = k % 2 == 0 ? SampleArrays.randomRaggedChunks(r, shape) : Chunks.regular(shape, SampleArrays.randomChunkShape(r, shape));
                cw.writeNpy(cw.fromNDArray(SampleArrays.pattern(dtype, shape), chunks), dir.resolve(name));
                manifest.add(name + " " + dtype.numpyName() + " " + Arrays.toString(shape).replace(" ", ""));
            }
        }
        Files.write(dir.resolve("manifest.txt"), manifest);
        String out = Python.run(python, dir, """
                import os, sys
                from numpy.lib import format as fmt
                d = sys.argv[1]
                n = 0
                for line in open(os.path.join(d, 'manifest.txt')):
                    name, dt, dims = line.split()
                    shape = tuple(int(x) for x in dims[1:-1].split(',') if x)
                    path = os.path.join(d, name)
                    with open(path, 'rb') as f:
                        version = fmt.read_magic(f)
                        assert version == (1, 0), (name, version)
                        hshape, fortran, dtype = fmt.read_array_header_1_0(f)
                        assert f.tell() % 64 == 0, (name, 'data offset', f.tell())
                    assert not fortran, name
                    for a in (np.load(path), np.load(path, mmap_mode='r')):
                        assert a.dtype == np.dtype(dt), (name, a.dtype)
                        assert a.shape == shape, (name, a.shape, shape)
                        assert np.array_equal(a, pattern(dt, shape)), (name, a)
                    n += 1
                print('ok', n)
                """, dir.toString());
        assertEquals("ok " + manifest.size(), out.strip());
    }

    // ---- helpers ----

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static long fileSize(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) b.append(c).append('\n');
        return b.toString();
    }
}
