package io.chunkwise.bench.suite;

import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The operands of the {@code n x n} products of one dtype and size, dense, as the peers take them: the same standard
 * normal matrices our own cases multiply ({@code cw.random(seed)} and {@code cw.random(seed + 1)}; the generator does
 * not depend on the chunking), so that every system is checked against the same reference. The {@code .npy} copies
 * the Python peers read are written once, on first use, and deleted by {@link #close()}.
 */
public final class MatmulInputs implements AutoCloseable {
    private final Chunkwise cw;
    private final DType dtype;
    private final int n;
    private final long seed;
    private NDArray a, b;
    private Path dir;

    public MatmulInputs(Chunkwise cw, DType dtype, int n, long seed) {
        this.cw = cw;
        this.dtype = dtype;
        this.n = n;
        this.seed = seed;
    }

    public Chunkwise context() { return cw; }

    public DType dtype() { return dtype; }

    public int n() { return n; }

    public NDArray a() {
        if (a == null) a = generate(seed);
        return a;
    }

    public NDArray b() {
        if (b == null) b = generate(seed + 1);
        return b;
    }

    /** The entries of A as the validator reads them. */
    public MatmulValidator.Matrix referenceA() { return new MatmulValidator.RandomNormal(seed, n, n, dtype); }

    public MatmulValidator.Matrix referenceB() { return new MatmulValidator.RandomNormal(seed + 1, n, n, dtype); }

    /** The seed the validator samples positions with (the one our own cases use). */
    public long sampleSeed() { return seed ^ n; }

    /** {@code A.npy}, written on first call into a temporary folder. */
    public Path npyA() { return npy("A.npy", a()); }

    public Path npyB() { return npy("B.npy", b()); }

    /** A fresh path in the temporary folder, for a peer's product. */
    public Path scratch(String name) {
        return folder().resolve(name);
    }

    private NDArray generate(long s) {
        int c = Math.max(1, n / 2); // two by two chunks: generated on two threads
        return cw.random(s).normal(dtype, 0.0, 1.0, new long[]{n, n}, new int[]{c, c}).compute();
    }

    private Path npy(String name, NDArray m) {
        Path p = folder().resolve(name);
        if (!Files.exists(p)) cw.writeNpy(cw.fromNDArray(m, new int[]{n, n}), p);
        return p;
    }

    private Path folder() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("chunkwise-bench-" + dtype.numpyName() + "-" + n + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a temporary folder for the peers' inputs: " + e.getMessage(), e);
            }
        }
        return dir;
    }

    /** Deletes the temporary files; the dense matrices go with this object. */
    @Override
    public void close() {
        a = b = null;
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temporary file is not worth failing the suite for
        }
        dir = null;
    }
}
