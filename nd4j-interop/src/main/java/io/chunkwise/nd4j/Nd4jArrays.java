package io.chunkwise.nd4j;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.NDArray;
import io.chunkwise.ShapeMismatchException;
import io.chunkwise.Shapes;
import io.chunkwise.spi.HostBlock;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Conversions between Chunkwise arrays and ND4J {@link INDArray}s.
 *
 * <p>Chunkwise keeps values in row-major Java arrays on the heap, ND4J in native memory, so a conversion always
 * copies once; it copies a second time only where the layouts differ. An NDArray goes into a new C-ordered INDArray
 * in one bulk copy. An INDArray whose elements lie C-contiguous in its buffer (any freshly made C-ordered array, and
 * views such as a range of rows) is read in one bulk copy from its buffer; any other layout (Fortran order, a view
 * with gaps such as a column slice or a transpose) is first made C-contiguous by ND4J's {@code dup('c')}.
 *
 * <p>Types: {@link DType#FLOAT64} is {@link DataType#DOUBLE}, FLOAT32 is FLOAT, INT64 is INT64 (alias LONG), INT32 is
 * INT32 (alias INT) and BOOL is BOOL (one byte, 0 or 1, in both). An INDArray of another type is refused; cast it first with
 * {@code castTo(DataType.DOUBLE)} or another of these.
 *
 * <p>The results never share memory with their source: changing the INDArray afterwards does not change the NDArray
 * or ChunkedArray made from it, and the other way round.
 */
public final class Nd4jArrays {
    /** Most elements one conversion handles: a Java array and a NIO buffer are indexed by int. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Nd4jArrays() {}

    // ---- types ----

    /** ND4J's type for a Chunkwise dtype. */
    public static DataType toDataType(DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> DataType.DOUBLE;
            case FLOAT32 -> DataType.FLOAT;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case BOOL -> DataType.BOOL;
        };
    }

    /** The Chunkwise dtype for an ND4J type; {@link DTypeException} for the types Chunkwise does not have. */
    public static DType toDType(DataType type) {
        return switch (type) {
            case DOUBLE -> DType.FLOAT64;
            case FLOAT -> DType.FLOAT32;
            case LONG -> DType.INT64;
            case INT -> DType.INT32;
            case BOOL -> DType.BOOL;
            default -> throw new DTypeException("ND4J type " + type + " has no Chunkwise dtype; accepted: DOUBLE, FLOAT, "
                    + "INT64 (LONG), INT32 (INT), BOOL (cast first, e.g. array.castTo(DataType.DOUBLE))");
        };
    }

    // ---- Chunkwise -> ND4J ----

    /** A new C-ordered INDArray with {@code array}'s shape, type and values (one bulk copy). */
    public static INDArray toINDArray(NDArray array) {
        INDArray out = allocate(array.dtype(), array.shape());
        if (array.size() > 0) put(out, array.dtype(), 0, array.block().data(), 0, (int) array.size());
        return out;
    }

    /**
     * Computes {@code array} straight into a new C-ordered INDArray: each chunk is copied into place as it is
     * computed (one bulk copy per contiguous run of the chunk), with no intermediate NDArray of the whole result.
     */
    public static INDArray toINDArray(ChunkedArray array) {
        long[] shape = array.shape();
        DType dtype = array.dtype();
        INDArray out = allocate(dtype, shape);
        if (Shapes.size(shape) == 0) return out;
        long[] strides = Shapes.strides(shape);
        int nd = shape.length;
        array.context().forEachChunk(array, (index, offset, block) -> {
            int[] cs = block.shape();
            if (Shapes.size(cs) == 0) return;
            if (nd == 0) {
                put(out, dtype, 0, block.data(), 0, 1);
                return;
            }
            // axes k..nd-1 of the chunk are one contiguous run in the output: axis k partly, the axes after it whole
            int k = nd - 1;
            int run = cs[k];
            while (k > 0 && cs[k] == shape[k]) {
                k--;
                run *= cs[k];
            }
            long base = 0;
            for (int a = 0; a < nd; a++) base += offset[a] * strides[a];
            int[] i = new int[k]; // index over the chunk's axes 0..k-1
            int src = 0;
            while (true) {
                long dst = base;
                for (int a = 0; a < k; a++) dst += i[a] * strides[a];
                put(out, dtype, dst, block.data(), src, run);
                src += run;
                int a = k - 1;
                while (a >= 0 && ++i[a] == cs[a]) i[a--] = 0;
                if (a < 0) break;
            }
        });
        return out;
    }

    private static INDArray allocate(DType dtype, long[] shape) {
        long n = Shapes.size(shape);
        if (n > MAX_ELEMENTS) {
            throw new MemoryBudgetExceededException("an array of shape " + Shapes.str(shape) + " (" + n
                    + " elements) is too large to convert at once (at most " + MAX_ELEMENTS + " elements); convert slices");
        }
        // uninitialised: every element is written below (an array with a 0-length axis is ND4J's empty array)
        return n == 0 ? Nd4j.create(toDataType(dtype), shape.clone()) : Nd4j.createUninitialized(toDataType(dtype), shape.clone(), 'c');
    }

    /** Copies {@code n} elements of the Java array {@code src} from {@code srcPos} into {@code out}'s buffer at element {@code dst}. */
    private static void put(INDArray out, DType dtype, long dst, Object src, int srcPos, int n) {
        DataBuffer data = out.data();
        int at = Math.toIntExact(out.offset() + dst);
        // absolute bulk puts, which leave the buffers' positions alone: chunks may be written from several threads at once
        switch (dtype) {
            case FLOAT64 -> data.asNioDouble().put(at, (double[]) src, srcPos, n);
            case FLOAT32 -> data.asNioFloat().put(at, (float[]) src, srcPos, n);
            case INT64 -> data.asNioLong().put(at, (long[]) src, srcPos, n);
            case INT32 -> data.asNioInt().put(at, (int[]) src, srcPos, n);
            case BOOL -> data.asNio().put(at, (byte[]) src, srcPos, n);
        }
        java.lang.ref.Reference.reachabilityFence(out);   // as in fromINDArray: the NIO view does not keep it alive
    }

    // ---- ND4J -> Chunkwise ----

    /**
     * A row-major NDArray with {@code array}'s shape, type and values: one bulk copy from the buffer where the
     * elements lie C-contiguous there, else a {@code dup('c')} first.
     */
    public static NDArray fromINDArray(INDArray array) {
        DType dtype = toDType(array.dataType());
        long[] shape = array.shape();
        long n = Shapes.size(shape);
        if (array.isEmpty() && n != 0) {
            throw new ShapeMismatchException("an empty INDArray of shape " + Shapes.str(shape) + " has no NDArray "
                    + "equivalent (a Chunkwise array of that shape holds " + n + " element" + (n == 1 ? "" : "s") + ")");
        }
        if (n > MAX_ELEMENTS) {
            throw new MemoryBudgetExceededException("an INDArray of shape " + Shapes.str(shape) + " (" + n
                    + " elements) does not fit one NDArray (at most " + MAX_ELEMENTS + "); convert slices");
        }
        Object values = HostBlock.newArray(dtype, (int) n);
        if (n > 0) {
            INDArray c = isCContiguous(array) ? array : array.dup('c');
            int at = Math.toIntExact(c.offset());
            DataBuffer data = c.data();
            switch (dtype) {
                // absolute bulk gets: they leave the buffers' positions alone
                case FLOAT64 -> data.asNioDouble().get(at, (double[]) values);
                case FLOAT32 -> data.asNioFloat().get(at, (float[]) values);
                case INT64 -> data.asNioLong().get(at, (long[]) values);
                case INT32 -> data.asNioInt().get(at, (int[]) values);
                case BOOL -> {
                    byte[] b = (byte[]) values;
                    data.asNio().get(at, b);
                    for (int i = 0; i < b.length; i++) if (b[i] != 0) b[i] = 1; // Chunkwise's BOOL is 0 or 1
                }
            }
            // the NIO views above do not keep the native buffer alive: without this, the collector may free it
            // (with c, a temporary dup or the caller's temporary) while the bulk get still copies from it
            java.lang.ref.Reference.reachabilityFence(c);
        }
        return NDArray.wrap(new HostBlock(dtype, new int[]{(int) n}, values), shape);
    }

    /** A ChunkedArray with {@code array}'s values (copied now: later changes to the INDArray do not show) in chunks of {@code chunkShape}. */
    public static ChunkedArray fromINDArray(Chunkwise cw, INDArray array, int[] chunkShape) {
        return cw.fromNDArray(fromINDArray(array), chunkShape);
    }

    /** Whether the elements lie in C order without gaps from {@code offset()} (axes of length 1 may have any stride). */
    static boolean isCContiguous(INDArray array) {
        long[] shape = array.shape();
        long[] stride = array.stride();
        long expected = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            if (shape[a] == 1) continue;
            if (stride[a] != expected) return false;
            expected *= shape[a];
        }
        return true;
    }
}
