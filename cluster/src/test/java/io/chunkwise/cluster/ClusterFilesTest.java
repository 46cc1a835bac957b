package io.chunkwise.cluster;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.ClusterSpec;
import io.chunkwise.DType;
import io.chunkwise.FileFormatException;
import io.chunkwise.NDArray;
import io.chunkwise.graph.TaskOp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files in the cluster, on real members: chunks of .npy and Arrow files are read by the members that hold them, and
 * written chunk by chunk from the members, byte for byte as a local context does; where a member does not see the
 * file as the driver does, the driver reads or writes it, with the same result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFilesTest {
    private static final long[] SHAPE = {53, 37};
    private static final List<DType> DTYPES = List.of(DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32);
    /** Ragged chunks for the Arrow files: 3 x 2 record batches. */
    private static final Chunks STORED = Chunks.explicit(new long[][]{{5, 20, 28}, {1, 36}});
    /** The chunks .npy files are read in: 6 x 4, ragged at the ends. */
    private static final int[] NPY_CHUNKS = {9, 11};

    private EmbeddedCluster cluster;
    @TempDir
    Path dir;

    @BeforeAll
    void start() { cluster = EmbeddedCluster.start("chunkwise-files-test-" + UUID.randomUUID(), 2, 2); }

    @AfterEach
    void membersShareFilesAgainAndHoldNoArrowMemory() {
        for (MemberRuntime r : cluster.runtimes()) {
            r.files().shared(true);
            assertEquals(0, r.readers().arrowBytes(), "Arrow memory held by a member after a test");
        }
    }

    @AfterAll
    void stop() { cluster.close(); }   // closes the members' reader registries: throws if Arrow memory leaked

    private Chunkwise open() { return Chunkwise.builder().threads(2).cluster(ClusterSpec.running(cluster.name())).build(); }

    private static Chunkwise local() { return Chunkwise.builder().threads(2).build(); }

    private long membersRead() { return cluster.runtimes().stream().mapToLong(MemberRuntime::fileChunksRead).sum(); }

    private long membersWrote() { return cluster.runtimes().stream().mapToLong(MemberRuntime::fileChunksWritten).sum(); }

    /** Random values of {@code dtype}, shaped {@link #SHAPE}. */
    private static ChunkedArray random(Chunkwise cw, DType dtype, long seed, Chunks chunks) {
        Random r = new Random(seed);
        int n = (int) (SHAPE[0] * SHAPE[1]);
        return switch (dtype) {
            case FLOAT64 -> cw.fromArray(r.doubles(n).map(v -> v * 1e3 - 500).toArray(), SHAPE, chunks);
            case FLOAT32 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float) r.nextGaussian();
                yield cw.fromArray(f, SHAPE, chunks);
            }
            case INT64 -> cw.fromArray(r.longs(n).toArray(), SHAPE, chunks);
            case INT32 -> cw.fromArray(r.ints(n).toArray(), SHAPE, chunks);
            case BOOL -> throw new AssertionError("not used");
        };
    }

    /** The test files of {@code dtype}, written by a local context: {@code x.npy} and {@code x.arrow}. */
    private Path[] files(DType dtype) {
        Path npy = dir.resolve(dtype.numpyName() + ".npy"), arrow = dir.resolve(dtype.numpyName() + ".arrow");
        if (!Files.exists(npy)) {
            try (Chunkwise cw = local()) {
                ChunkedArray x = random(cw, dtype, dtype.ordinal() * 31L + 7, STORED);
                cw.writeNpy(x, npy);
                cw.store(x, arrow);
            }
        }
        return new Path[]{npy, arrow};
    }

    private static void assertBitIdentical(NDArray want, NDArray got, String what) {
        assertEquals(want.dtype(), got.dtype(), what);
        assertTrue(java.util.Arrays.equals(want.shape(), got.shape()), what);
        assertTrue(Objects.deepEquals(want.block().data(), got.block().data()), what + ": values differ");
    }

    @Test
    void membersReadTheChunksOfNpyAndArrowFilesBitForBitAsLocally() {
        for (DType dtype : DTYPES) {
            Path[] f = files(dtype);
            NDArray npy, arrow;
            try (Chunkwise cw = local()) {
                npy = cw.readNpy(f[0], NPY_CHUNKS).compute();
                arrow = cw.load(f[1]).compute();
            }
            try (Chunkwise cw = open()) {
                long before = membersRead();
                assertBitIdentical(npy, cw.readNpy(f[0], NPY_CHUNKS).compute(), dtype + " .npy");
                assertBitIdentical(arrow, cw.load(f[1]).compute(), dtype + " Arrow");
                assertEquals(6 * 4 + 3 * 2, membersRead() - before, dtype + ": chunks read on members");
                assertEquals(0, cw.readers().chunksRead(), dtype + ": chunks the driver read");
                // read, computed on and reduced where the chunks are
                ChunkedArray both = cw.readNpy(f[0], NPY_CHUNKS).astype(DType.FLOAT64).add(cw.load(f[1]).astype(DType.FLOAT64));
                try (Chunkwise lc = local()) {
                    ChunkedArray l = lc.readNpy(f[0], NPY_CHUNKS).astype(DType.FLOAT64).add(lc.load(f[1]).astype(DType.FLOAT64));
                    assertBitIdentical(l.sum(0).compute(), both.sum(0).compute(), dtype + " sum of both");
                }
                assertEquals(0, cw.readers().chunksRead(), dtype + ": chunks the driver read");
            }
        }
    }

    @Test
    void aFormatOnlyTheDriverKnowsIsReadByTheDriver() {
        Path npy = files(DType.FLOAT64)[0];
        NDArray want;
        try (Chunkwise cw = local()) {
            want = cw.readNpy(npy, NPY_CHUNKS).compute();
        }
        try (Chunkwise cw = open()) {
            // a reader registered in this context only: the members have none for its format
            cw.readers().register("driver-npy", spec -> cw.readers().read(new TaskOp.Read("npy", spec.path(), spec.fileSize(),
                    spec.modified(), spec.dtype(), spec.offset(), spec.shape())));
            long before = membersRead();
            ChunkedArray x = cw.fromFile("driver-npy", npy, DType.FLOAT64, Chunks.regular(SHAPE, NPY_CHUNKS));
            assertBitIdentical(want, x.compute(), "read by the driver");
            assertEquals(want.toDoubleArray()[0] * 2 + want.toDoubleArray()[1] * 2, x.mul(2).compute().toDoubleArray()[0]
                    + x.mul(2).compute().toDoubleArray()[1], 0.0);
            assertEquals(0, membersRead() - before, "chunks of a format the members do not know, read on members");
            assertTrue(cw.readers().chunksRead() >= 2 * 24, "the driver read them: " + cw.readers().chunksRead());
        }
    }

    @Test
    void aMemberThatDoesNotShareTheFilesLeavesItsReadsToTheDriver() {
        Path[] f = files(DType.FLOAT32);
        NDArray npy, arrow;
        try (Chunkwise cw = local()) {
            npy = cw.readNpy(f[0], NPY_CHUNKS).compute();
            arrow = cw.load(f[1]).compute();
        }
        cluster.runtimes().get(1).files().shared(false);
        try (Chunkwise cw = open()) {
            long[] before = cluster.runtimes().stream().mapToLong(MemberRuntime::fileChunksRead).toArray();
            assertBitIdentical(npy, cw.readNpy(f[0], NPY_CHUNKS).compute(), ".npy");
            assertBitIdentical(arrow, cw.load(f[1]).compute(), "Arrow");
            assertEquals(before[1], cluster.runtimes().get(1).fileChunksRead(), "chunks read by the member that does not share the files");
            assertTrue(cw.readers().chunksRead() > 0, "the driver read the files' chunks");
            assertEquals(30, cw.readers().chunksRead() + cluster.runtimes().get(0).fileChunksRead() - before[0], "every chunk read once");
        }
    }

    @Test
    void aFileChangedAfterItWasOpenedIsStillNamedAsSuch() throws IOException {
        Path npy = dir.resolve("changing.npy");
        Files.copy(files(DType.INT32)[0], npy);
        try (Chunkwise cw = open()) {
            ChunkedArray x = cw.readNpy(npy, NPY_CHUNKS);
            Files.setLastModifiedTime(npy, FileTime.fromMillis(Files.getLastModifiedTime(npy).toMillis() - 60_000));
            FileFormatException e = assertThrows(FileFormatException.class, () -> x.sum().compute());
            assertTrue(e.getMessage().contains("changed since it was opened"), e.getMessage());
        }
    }

    /** How a test writes a file: {@code .npy} or Arrow. */
    private enum Format {
        NPY(".npy") { void write(Chunkwise cw, ChunkedArray x, Path file) { cw.writeNpy(x, file); } },
        ARROW(".arrow") { void write(Chunkwise cw, ChunkedArray x, Path file) { cw.store(x, file); } };

        final String extension;

        Format(String extension) { this.extension = extension; }

        abstract void write(Chunkwise cw, ChunkedArray x, Path file);
    }

    /** Arrays whose files the tests write: ragged chunks, chunks spanning whole rows, computed values, bools. */
    private static List<ChunkedArray> toWrite(Chunkwise cw) {
        return List.of(random(cw, DType.FLOAT64, 1, Chunks.regular(SHAPE, new int[]{10, 8})).mul(2).add(1),
                random(cw, DType.FLOAT64, 6, STORED).gt(0),
                random(cw, DType.FLOAT32, 2, STORED),
                random(cw, DType.INT64, 3, Chunks.regular(SHAPE, new int[]{7, 37})),
                random(cw, DType.INT32, 4, Chunks.regular(SHAPE, new int[]{53, 5})).transpose(),
                cw.random(5).normal(0, 1, new long[]{6, 5, 4}, new int[]{4, 5, 4}).sub(0.5),
                cw.zeros(DType.FLOAT64, new long[]{0, 3}, new int[]{4, 2}));
    }

    /**
     * Writes each array of {@link #toWrite} in each format with a local context and with the cluster; checks the files
     * are equal bytes, and that the cluster's read back as the arrays.
     */
    private void writeAndCompare(String name, boolean membersWrite) throws IOException {
        for (Format f : Format.values()) {
            int n;
            try (Chunkwise cw = local()) {
                List<ChunkedArray> xs = toWrite(cw);
                n = xs.size();
                for (int i = 0; i < n; i++) f.write(cw, xs.get(i), dir.resolve(name + "-local-" + i + f.extension));
            }
            try (Chunkwise cw = open()) {
                long before = membersWrote();
                List<ChunkedArray> xs = toWrite(cw);
                long chunks = 0;
                for (int i = 0; i < n; i++) {
                    Path file = dir.resolve(name + "-cluster-" + i + f.extension);
                    f.write(cw, xs.get(i), file);
                    chunks += xs.get(i).chunks().chunkCount();
                    assertEquals(-1, Files.mismatch(dir.resolve(name + "-local-" + i + f.extension), file), f + " file " + i + " differs from the local one");
                }
                assertEquals(membersWrite ? chunks : 0, membersWrote() - before, f + ": chunks written by members");
            }
            try (Chunkwise cw = local()) {
                List<ChunkedArray> xs = toWrite(cw);
                for (int i = 0; i < n; i++) {
                    Path file = dir.resolve(name + "-cluster-" + i + f.extension);
                    int[] chunkShape = new int[xs.get(i).ndim()];
                    java.util.Arrays.fill(chunkShape, 8);
                    ChunkedArray back = f == Format.NPY ? cw.readNpy(file, chunkShape) : cw.load(file);
                    assertBitIdentical(xs.get(i).compute(), back.compute(), f + " file " + i + " read back");
                }
            }
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".partial")).toList(), "temporary files left");
        }
    }

    @Test
    void membersWriteNpyAndArrowFilesByteForByteAsALocalContext() throws IOException {
        writeAndCompare("shared", true);
    }

    @Test
    void writesFallBackToTheDriverWhereNoMemberSeesTheFile() throws IOException {
        for (MemberRuntime r : cluster.runtimes()) r.files().shared(false);
        writeAndCompare("unshared", false);
    }

    @Test
    void writesFallBackToTheDriverWhereOneMemberDoesNotSeeTheFile() throws IOException {
        cluster.runtimes().get(0).files().shared(false);
        long before = cluster.runtimes().get(0).fileChunksWritten(), otherBefore = cluster.runtimes().get(1).fileChunksWritten();
        int n;
        try (Chunkwise cw = local()) {
            n = toWrite(cw).size();
            for (Format f : Format.values()) {
                for (int i = 0; i < n; i++) f.write(cw, toWrite(cw).get(i), dir.resolve("half-local-" + i + f.extension));
            }
        }
        try (Chunkwise cw = open()) {
            for (Format f : Format.values()) {
                for (int i = 0; i < n; i++) {
                    Path file = dir.resolve("half-cluster-" + i + f.extension);
                    f.write(cw, toWrite(cw).get(i), file);
                    assertEquals(-1, Files.mismatch(dir.resolve("half-local-" + i + f.extension), file), f + " file " + i + " differs from the local one");
                }
            }
        }
        assertEquals(before, cluster.runtimes().get(0).fileChunksWritten(), "chunks written by the member that does not see the files");
        assertTrue(cluster.runtimes().get(1).fileChunksWritten() > otherBefore, "the other member wrote its chunks");
    }
}
