package io.chunkwise.io;

import io.chunkwise.Chunkwise;
import io.chunkwise.FileFormatException;
import io.chunkwise.NDArray;
import io.chunkwise.reference.ReferenceBackend;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.chunkwise.io.NpyBytes.dict;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that are truncated, corrupt or not ours fail with {@link FileFormatException} naming the file and what is
 * wrong, before any large allocation.
 */
class BadFilesTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, (byte) 0xc4, (byte) 0x89};

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

    /**
     * Runs {@code read} (which must fail) and checks the exception: a FileFormatException whose message names the
     * file and contains every one of {@code words} (ignoring case).
     */
    private static FileFormatException assertBad(Path file, Executable read, String... words) {
        FileFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(FileFormatException.class, read, file.getFileName() + " should be refused"));
        String m = e.getMessage();
        // a failed read gives back all its Arrow memory (a child allocator that cannot close would be suppressed here)
        assertEquals(0, cw.arrowMemory().allocated(), () -> "after refusing " + file.getFileName() + ": " + cw.arrowMemory());
        assertEquals(List.of(), List.of(e.getSuppressed()), "nothing went wrong while cleaning up");
        assertTrue(m.contains(file.getFileName().toString()), () -> "the message names the file: " + m);
        assertFalse(m.endsWith(": null"), () -> "the message says what is wrong, not 'null': " + m);
        for (String w : words) {
            assertTrue(m.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)), () -> "the message says '" + w + "': " + m);
        }
        return e;
    }

    private void assertBadNpy(Path f, String... words) {
        assertBad(f, () -> cw.readNpy(f, new int[]{1, 1}).compute(), words);
    }

    private void assertBadArrow(Path f, String... words) {
        assertBad(f, () -> cw.load(f).compute(), words);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private byte[] validNpy() {
        return NpyBytes.file(1, dict("<f8", false, "(2, 3)"), NpyBytes.doubles(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
    }

    private Path validArrow(String name) {
        Path f = dir.resolve(name);
        cw.store(cw.fromArray(new double[]{1, 2, 3, 4, 5, 6}, new long[]{2, 3}, new int[]{1, 2}), f);
        return f;
    }

    // ---- .npy ----

    @Test
    void truncatedNpy() throws IOException {
        byte[] ok = validNpy();
        assertBadNpy(write("data.npy", Arrays.copyOf(ok, ok.length - 1)), "truncated");
        assertBadNpy(write("nodata.npy", Arrays.copyOf(ok, ok.length - 48)), "truncated", "48 bytes", "only 0 bytes");
        assertBadNpy(write("header.npy", Arrays.copyOf(ok, 64)), "header");
        assertBadNpy(write("header40.npy", Arrays.copyOf(ok, 40)), "header");
        assertBadNpy(write("preamble.npy", Arrays.copyOf(ok, 9)), "NumPy");
        byte[] v2 = NpyBytes.file(2, dict("<f8", false, "(2,)"), NpyBytes.doubles(LITTLE_ENDIAN, 1, 2));
        assertBadNpy(write("preamble2.npy", Arrays.copyOf(v2, 11)), "truncated");
    }

    @Test
    void corruptNpy() throws IOException {
        byte[] data = NpyBytes.doubles(LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
        byte[] magic = validNpy();
        magic[1] = 'n';
        assertBadNpy(write("magic.npy", magic), "NUMPY");
        byte[] version = validNpy();
        version[6] = 4;
        assertBadNpy(write("version.npy", version), "version 4.0");
        assertBadNpy(write("nodict.npy", NpyBytes.file(1, "descr: <f8", data)), "not a dictionary");
        assertBadNpy(write("dtype.npy", NpyBytes.file(1, dict("<c16", false, "(2, 3)"), data)), "<c16", "supported");
        assertBadNpy(write("object.npy", NpyBytes.file(1, dict("|O", false, "(2, 3)"), data)), "|O");
        assertBadNpy(write("struct.npy", NpyBytes.file(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (6,), }", data)), "quoted");
        assertBadNpy(write("nokey.npy", NpyBytes.file(1, "{'descr': '<f8', 'shape': (2, 3), }", data)), "fortran_order");
        assertBadNpy(write("noshape.npy", NpyBytes.file(1, "{'descr': '<f8', 'fortran_order': False, }", data)), "shape");
        assertBadNpy(write("extra.npy", NpyBytes.file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", data)), "'x'");
        assertBadNpy(write("fortran.npy", NpyBytes.file(1, dict("<f8", false, "(2, 3)").replace("False", "Maybe"), data)), "fortran_order");
        assertBadNpy(write("dim.npy", NpyBytes.file(1, dict("<f8", false, "(2, three)"), data)), "three");
        assertBadNpy(write("negative.npy", NpyBytes.file(1, dict("<f8", false, "(-2, 3)"), data)), "negative");
        assertBadNpy(write("tuple.npy", NpyBytes.file(1, dict("<f8", false, "[2, 3]"), data)), "tuple");
        assertBadNpy(write("unterminated.npy", NpyBytes.file(1, "{'descr: <f8, }", data)), "unterminated");
        assertBadNpy(write("overlong.npy", NpyBytes.file(1, dict("<f8", false, "(99999999999999999999,)"), data)), "99999999999999999999");
    }

    @Test
    void foreignFilesAsNpy() throws IOException {
        assertBadNpy(write("image.npy", PNG), "not a NumPy");
        assertBadNpy(write("notes.npy", "just some text\nthat is long enough to fill a header\n".getBytes(StandardCharsets.UTF_8)), "not a NumPy");
        assertBadNpy(write("empty.npy", new byte[0]), "not a NumPy");
        Path arrow = validArrow("array.arrow");
        assertBadNpy(arrow, "not a NumPy");
    }

    @Test
    void hugeDeclaredNpyShapesFailBeforeAllocating() throws IOException {
        Path both = write("huge.npy", NpyBytes.file(1, dict("<f8", false, "(1099511627776, 1099511627776)"), new byte[64]));
        assertFailsWithoutAllocating(both, () -> cw.readNpy(both, new int[]{1024, 1024}), "too large");
        assertFailsWithoutAllocating(both, () -> Npy.readHeader(both), "too large");
        Path one = write("long.npy", NpyBytes.file(1, dict("|b1", false, "(1099511627776,)"), new byte[64]));
        assertFailsWithoutAllocating(one, () -> cw.readNpy(one, new int[]{1 << 20}), "truncated");
    }

    /** The read fails with FileFormatException while this thread allocates less than 1 MiB. */
    private static void assertFailsWithoutAllocating(Path file, Executable read, String... words) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] allocated = new long[1];
        assertBad(file, () -> {
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                read.execute();
            } finally {
                allocated[0] = threads.getCurrentThreadAllocatedBytes() - before;
            }
        }, words);
        assertTrue(allocated[0] < 1 << 20, "reading " + file.getFileName() + " allocated " + allocated[0] + " bytes");
    }

    // ---- Arrow ----

    @Test
    void truncatedArrow() throws IOException {
        byte[] ok = Files.readAllBytes(validArrow("ok.arrow"));
        for (int cut : new int[]{ok.length - 1, ok.length - 10, ok.length / 2, 12, 6}) {
            assertBadArrow(write("cut" + cut + ".arrow", Arrays.copyOf(ok, cut)), "not an Arrow IPC file");
        }
    }

    @Test
    void corruptArrowRecordBatch() throws IOException {
        Path f = validArrow("ok.arrow");
        byte[] bytes = Files.readAllBytes(f);
        List<ArrowBlock> blocks = ArrowBytes.blocks(f);
        ArrowBlock third = blocks.get(2);
        // garbage over the batch's message header: loading the other chunks still works, this one fails
        for (int i = 0; i < third.getMetadataLength(); i++) bytes[(int) third.getOffset() + i] = (byte) 0xA5;
        Path bad = write("batch.arrow", bytes);
        NDArray first = cw.load(bad).slice(io.chunkwise.Slice.at(0), io.chunkwise.Slice.range(0, 2)).compute();
        assertEquals(NDArray.of(new double[]{1, 2}, 2), first);
        assertBadArrow(bad, "record batch");

        byte[] magic = Files.readAllBytes(f);
        magic[magic.length - 1] = 'X';
        assertBadArrow(write("magic.arrow", magic), "not an Arrow IPC file");
    }

    @Test
    void foreignFilesAsArrow() throws IOException {
        assertBadArrow(write("image.arrow", PNG), "not an Arrow IPC file");
        assertBadArrow(write("notes.arrow", "ARROW1 is how these files start, but this is text\n".getBytes(StandardCharsets.UTF_8)), "not an Arrow IPC file");
        assertBadArrow(write("empty.arrow", new byte[0]), "not an Arrow IPC file");
        assertBadArrow(write("numpy.arrow", validNpy()), "not an Arrow IPC file");

        Path plain = dir.resolve("plain.arrow");
        ArrowBytes.write(plain, List.of("values"), ArrowBytes.float64(), null, List.<Double[][]>of(new Double[][]{{1.0, 2.0}}), false);
        assertBadArrow(plain, "not a Chunkwise array", "chunkwise.format");

        Path other = dir.resolve("other.arrow");
        ArrowBytes.write(other, List.of("values"), ArrowBytes.float64(), Map.of("pandas", "{}"), List.<Double[][]>of(new Double[][]{{1.0}}), false);
        assertBadArrow(other, "not a Chunkwise array");

        Path stream = dir.resolve("stream.arrow");
        ArrowBytes.write(stream, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[2]", "[[2]]"),
                List.<Double[][]>of(new Double[][]{{1.0, 2.0}}), true);
        assertBadArrow(stream, "not an Arrow IPC file");
    }

    @Test
    void arrowFilesThatDoNotMatchTheirMetadata() throws IOException {
        Double[][] two = {{1.0, 2.0}};
        Path count = dir.resolve("count.arrow");
        ArrowBytes.write(count, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[4]", "[[2,2]]"), List.<Double[][]>of(two), false);
        assertBadArrow(count, "1 record batches", "2 chunks");

        Path rows = dir.resolve("rows.arrow");
        ArrowBytes.write(rows, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[4]", "[[2,2]]"),
                List.<Double[][]>of(new Double[][]{{1.0, 2.0, 3.0}}, new Double[][]{{4.0}}), false);
        assertBadArrow(rows, "record batch of", "needs 2");

        Path type = dir.resolve("type.arrow");
        ArrowBytes.write(type, List.of("values"), ArrowBytes.int32(), ArrowBytes.meta("float64", "[2]", "[[2]]"), List.<Double[][]>of(two), false);
        assertBadArrow(type, "columns", "float64");

        Path columns = dir.resolve("columns.arrow");
        ArrowBytes.write(columns, List.of("values", "more"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[2]", "[[2]]"),
                List.<Double[][]>of(new Double[][]{{1.0, 2.0}, {3.0, 4.0}}), false);
        assertBadArrow(columns, "columns");

        Path nulls = dir.resolve("nulls.arrow");
        ArrowBytes.write(nulls, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[2]", "[[2]]"),
                List.<Double[][]>of(new Double[][]{{1.0, null}}), false);
        assertBadArrow(nulls, "null");

        Path dtype = dir.resolve("dtype.arrow");
        ArrowBytes.write(dtype, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("complex128", "[2]", "[[2]]"), List.<Double[][]>of(two), false);
        assertBadArrow(dtype, "complex128");

        Path sum = dir.resolve("sum.arrow");
        ArrowBytes.write(sum, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[3]", "[[2]]"), List.<Double[][]>of(two), false);
        assertBadArrow(sum, "do not add up");

        Path shape = dir.resolve("shape.arrow");
        ArrowBytes.write(shape, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "(2,)", "[[2]]"), List.<Double[][]>of(two), false);
        assertBadArrow(shape, "malformed", "(2,)");

        Path chunks = dir.resolve("chunks.arrow");
        ArrowBytes.write(chunks, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[2]", "[[-1,3]]"), List.<Double[][]>of(two), false);
        assertBadArrow(chunks, "chunks");

        Path missing = dir.resolve("missing.arrow");
        ArrowBytes.write(missing, List.of("values"), ArrowBytes.float64(),
                Map.of("chunkwise.format", "1", "chunkwise.dtype", "float64", "chunkwise.shape", "[2]"), List.<Double[][]>of(two), false);
        assertBadArrow(missing, "chunkwise.chunks");
    }

    @Test
    void hugeDeclaredArrowShapesFailBeforeAllocating() throws IOException {
        Double[][] two = {{1.0, 2.0}};
        Path big = dir.resolve("bigchunk.arrow");
        ArrowBytes.write(big, List.of("values"), ArrowBytes.float64(), ArrowBytes.meta("float64", "[1099511627776]", "[[1099511627776]]"), List.<Double[][]>of(two), false);
        assertFailsWithoutAllocating(big, () -> cw.load(big), "chunks");

        Path huge = dir.resolve("huge.arrow");
        ArrowBytes.write(huge, List.of("values"), ArrowBytes.float64(),
                ArrowBytes.meta("float64", "[1099511627776,1099511627776]", "[[1099511627776],[1099511627776]]"), List.<Double[][]>of(two), false);
        assertFailsWithoutAllocating(huge, () -> cw.load(huge), "chunks");
    }
}
