package io.chunkwise.testing;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one comparison helper of the project (dask's {@code assert_eq}): computes a chunked array and checks it
 * against the {@link Dense} oracle.
 *
 * <ol>
 *   <li>the declared metadata: shape, dtype, ndim, size, and that the chunk grid adds up to the shape;</li>
 *   <li>{@code compute()}: shape, dtype and values within a per-dtype {@link Tol} (NaN equals NaN, infinities must
 *       be equal, integers and bools exact);</li>
 *   <li>every chunk the graph produces has the declared chunk shape ({@code chunks().chunkShape(index)}) and dtype;</li>
 *   <li>{@code persist()}: same chunks and dtype, its chunks have the declared shapes, and its {@code compute()}
 *       gives bit-identical values.</li>
 * </ol>
 * Failure messages start with the caller's {@code what} (which names the seed and the operation) and list the first
 * few differing indices.
 */
public final class ArrayAssert {
    private static final int SHOWN = 6;

    private ArrayAssert() {}

    /** Tolerance: {@code |actual - expected| <= atol + rtol * |expected|}. */
    public record Tol(double rtol, double atol) {
        public static final Tol EXACT = new Tol(0, 0);

        /** float64 ~1e-12 relative, float32 ~1e-5 relative, integers and bools exact. */
        public static Tol of(DType t) {
            return switch (t) {
                case FLOAT64 -> new Tol(1e-12, 1e-13);
                case FLOAT32 -> new Tol(1e-5, 1e-6);
                default -> EXACT;
            };
        }

        /** This tolerance with the absolute part raised to at least {@code atol}. */
        public Tol withAtol(double atol) { return new Tol(rtol, Math.max(this.atol, atol)); }

        public Tol withRtol(double rtol) { return new Tol(Math.max(this.rtol, rtol), atol); }
    }

    public static NDArray assertArrayClose(ChunkedArray actual, Dense expected, DType expectedDtype, String what) {
        return assertArrayClose(actual, expected, expectedDtype, Tol.of(expectedDtype), what);
    }

    /**
     * Checks {@code actual} against {@code expected} (see the class comment) and returns the computed values.
     * {@code what} names the seed and the operation; it starts every failure message.
     */
    public static NDArray assertArrayClose(ChunkedArray actual, Dense expected, DType expectedDtype, Tol tol, String what) {
        String head = what + ": ";
        long[] shape = expected.shape();
        if (!Arrays.equals(actual.shape(), shape)) {
            fail(head + "declared shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(shape) + " (" + actual + ")");
        }
        if (actual.dtype() != expectedDtype) fail(head + "declared dtype " + actual.dtype() + ", expected " + expectedDtype + " (" + actual + ")");
        if (actual.ndim() != shape.length) fail(head + "ndim() " + actual.ndim() + ", expected " + shape.length);
        if (actual.size() != Dense.size(shape)) fail(head + "size() " + actual.size() + ", expected " + Dense.size(shape));
        Chunks chunks = actual.chunks();
        if (chunks.ndim() != shape.length || !Arrays.equals(chunks.shape(), shape)) {
            fail(head + "chunks " + chunks + " add up to " + Arrays.toString(chunks.shape()) + ", not the shape " + Arrays.toString(shape));
        }

        NDArray r = actual.compute();
        checkNDArray(r, expected, expectedDtype, tol, head + "compute(): ");
        NDArray into = sentinel(expectedDtype, shape);
        if (actual.computeInto(into) != into) fail(head + "computeInto(out) did not return out");
        checkNDArray(into, Dense.of(r.toDoubleArray(), r.shape()), expectedDtype, Tol.EXACT, head + "computeInto() vs compute(): ");
        checkChunkShapes(actual, expectedDtype, head + "chunks of the graph: ");

        ChunkedArray p = actual.persist();
        if (!Arrays.equals(p.shape(), shape) || p.dtype() != expectedDtype || !p.chunks().equals(chunks)) {
            fail(head + "persist() gave " + p + ", expected the metadata of " + actual);
        }
        checkChunkShapes(p, expectedDtype, head + "persisted chunks: ");
        NDArray again = p.compute();
        checkNDArray(again, Dense.of(r.toDoubleArray(), r.shape()), expectedDtype, Tol.EXACT, head + "persist().compute() vs compute(): ");
        p.unpersist();   // the context holds no check's chunks
        return r;
    }

    /**
     * An array of {@code shape} and {@code t} whose every element is a value the tests' computations do not give
     * (BOOL: the byte 2), so that an element a computation fails to write shows.
     */
    public static NDArray sentinel(DType t, long[] shape) {
        int n = (int) Dense.size(shape);
        io.chunkwise.spi.HostBlock b = io.chunkwise.spi.HostBlock.allocate(t, new int[]{n});
        switch (t) {
            case FLOAT64 -> Arrays.fill(b.doubles(), -12345.25);
            case FLOAT32 -> Arrays.fill(b.floats(), -12345.25f);
            case INT64 -> Arrays.fill(b.longs(), -1234567);
            case INT32 -> Arrays.fill(b.ints(), -1234567);
            case BOOL -> Arrays.fill(b.bools(), (byte) 2);
        }
        return NDArray.wrap(b, shape);
    }

    /** Checks a host array's shape, dtype and values. */
    public static void checkNDArray(NDArray r, Dense expected, DType expectedDtype, Tol tol, String head) {
        if (!Arrays.equals(r.shape(), expected.shape())) {
            fail(head + "shape " + Arrays.toString(r.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        if (r.dtype() != expectedDtype) fail(head + "dtype " + r.dtype() + ", expected " + expectedDtype);
        double[] got = r.toDoubleArray();
        if (got.length != expected.size()) fail(head + got.length + " values, expected " + expected.size());
        int bad = 0;
        StringBuilder b = new StringBuilder();
        long[] shape = expected.shape();
        long[] idx = new long[shape.length];
        for (int i = 0; i < got.length; i++) {
            double e = expected.at(i), a = got[i];
            if (!close(a, e, tol)) {
                if (bad < SHOWN) {
                    b.append("\n  at ").append(Arrays.toString(idx)).append(": actual ").append(a).append(", expected ").append(e);
                    if (!Double.isNaN(a) && !Double.isNaN(e)) b.append(" (diff ").append(Math.abs(a - e)).append(')');
                }
                bad++;
            }
            Dense.increment(idx, shape);
        }
        if (bad > 0) {
            fail(head + bad + " of " + got.length + " values differ (dtype " + expectedDtype + ", shape " + Arrays.toString(shape)
                    + ", rtol " + tol.rtol() + ", atol " + tol.atol() + "):" + b + (bad > SHOWN ? "\n  ..." : ""));
        }
    }

    public static boolean close(double a, double e, Tol tol) {
        if (Double.isNaN(e) || Double.isNaN(a)) return Double.isNaN(e) && Double.isNaN(a);
        if (Double.isInfinite(e) || Double.isInfinite(a)) return a == e;
        return Math.abs(a - e) <= tol.atol() + tol.rtol() * Math.abs(e);
    }

    /**
     * Runs the graph of {@code a} in its own context ({@link Chunkwise#forEachChunk}) and checks that every chunk
     * arrives once, with the declared chunk shape, offset and the expected dtype.
     */
    public static void checkChunkShapes(ChunkedArray a, DType expectedDtype, String head) {
        Chunks declared = a.chunks();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
        a.context().forEachChunk(a, (idx, offset, block) -> {
            String at = Arrays.toString(idx);
            seen.merge(at, 1, Integer::sum);
            int[] want = declared.chunkShape(idx);
            if (!Arrays.equals(block.shape(), want)) {
                problems.add("chunk " + at + " has shape " + Arrays.toString(block.shape()) + ", declared " + Arrays.toString(want));
            }
            if (!Arrays.equals(offset, declared.chunkOffset(idx))) {
                problems.add("chunk " + at + " reported at offset " + Arrays.toString(offset) + ", declared " + Arrays.toString(declared.chunkOffset(idx)));
            }
            if (block.dtype() != expectedDtype) problems.add("chunk " + at + " has dtype " + block.dtype() + ", expected " + expectedDtype);
            long n = 1;
            for (int s : want) n *= s;
            if (block.size() != n) problems.add("chunk " + at + " holds " + block.size() + " values, declared " + n);
        });
        long count = declared.chunkCount();
        for (long s : declared.shape()) if (s == 0) count = seen.size();   // an empty array may skip its empty chunks
        if (seen.size() != count || seen.values().stream().anyMatch(v -> v != 1)) {
            problems.add(seen.size() + " distinct chunks arrived (" + seen + "), " + declared.chunkCount() + " declared");
        }
        if (!problems.isEmpty()) {
            fail(head + problems.size() + " problem(s) with chunks declared as " + declared + ":\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(SHOWN, problems.size()))));
        }
    }
}
