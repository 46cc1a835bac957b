package io.chunkwise.io;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.DType;
import io.chunkwise.FileFormatException;
import io.chunkwise.Shapes;
import io.chunkwise.graph.TaskOp;
import io.chunkwise.spi.HostBlock;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Chunked arrays in Arrow IPC file format. Layout: one column {@code values} of the array's dtype (float64, float32,
 * int64, int32 or bool); record batch {@code k} is chunk {@code k} of the chunk grid in row-major order, its values
 * in C order. The schema metadata holds {@code chunkwise.format} ({@code "1"}), {@code chunkwise.dtype},
 * {@code chunkwise.shape} (e.g. {@code "[4,6]"}) and {@code chunkwise.chunks} (sizes per axis, e.g.
 * {@code "[[1,3],[2,2,2]]"}). The file footer indexes the batches, so a reader loads any one chunk without the rest.
 * Each chunk is written into its batch where it is computed, so they are written in parallel, on a cluster by the
 * members.
 */
public final class ArrowFiles {
    static final String FORMAT = "chunkwise.format", DTYPE = "chunkwise.dtype", SHAPE = "chunkwise.shape", CHUNKS = "chunkwise.chunks";
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of a record batch's message header at most: ours take a few hundred. */
    private static final int MAX_METADATA = 1 << 16;

    private ArrowFiles() {}

    private static ArrowType arrowType(DType t) {
        return switch (t) {
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case INT64 -> new ArrowType.Int(64, true);
            case INT32 -> new ArrowType.Int(32, true);
            case BOOL -> ArrowType.Bool.INSTANCE;
        };
    }

    /**
     * Stores {@code array} into {@code file}: the driver lays the file out first (the schema, every batch's message
     * header, the footer that indexes them: their sizes follow from the chunk grid alone), then each chunk's values are
     * written into its batch's body where the chunk is computed ({@link ChunkWriters}; on a cluster, by the members
     * that share this file system), and the file replaces {@code file} once every chunk reported its bytes. A batch's
     * validity buffer is empty (no nulls), which the format allows; Arrow's readers take it as all valid.
     */
    public static void store(Chunkwise cw, ChunkedArray array, Path file) {
        Chunks chunks = array.chunks();
        DType dtype = array.dtype();
        Map<String, String> meta = Map.of(FORMAT, "1", DTYPE, dtype.numpyName(),
                SHAPE, Arrays.toString(array.shape()).replace(" ", ""), CHUNKS, chunksText(chunks));
        Schema schema = new Schema(List.of(new Field("values", FieldType.notNullable(arrowType(dtype)), null)), meta);
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        try {
            WriteChannel out = new WriteChannel(java.nio.channels.Channels.newChannel(head));
            out.write(MAGIC);
            out.align();
            MessageSerializer.serialize(out, schema);
        } catch (IOException e) {
            throw new ChunkwiseException("cannot lay out " + file + ": " + e, e);   // into memory: not expected
        }
        List<Long> values = new ArrayList<>();   // per chunk, in the grid's row-major order
        chunks.forEachIndex(index -> values.add(Shapes.size(Arrays.stream(chunks.chunkShape(index)).asLongStream().toArray())));
        List<ArrowBlock> blocks = new ArrayList<>(values.size());
        List<byte[]> headers = new ArrayList<>(values.size());
        long[] bodies = new long[values.size()];
        long at = head.size();
        for (int k = 0; k < values.size(); k++) {
            long body = pad8(valueBytes(dtype, values.get(k)));
            byte[] h = batchHeader(values.get(k), valueBytes(dtype, values.get(k)), body);
            headers.add(h);
            blocks.add(new ArrowBlock(at, h.length, body));
            bodies[k] = at + h.length;
            at += h.length + body;
        }
        com.google.flatbuffers.FlatBufferBuilder fb = new com.google.flatbuffers.FlatBufferBuilder();
        fb.finish(new ArrowFooter(schema, List.of(), blocks).writeTo(fb));
        byte[] footer = fb.sizedByteArray();
        long footerAt = at, end = at + footer.length + 4 + MAGIC.length;
        long size = end + ChunkWriters.TOKEN_BYTES;
        String token = ChunkWriters.newToken();
        ReplaceFile.writeAt(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                Npy.writeFully(ch, ByteBuffer.wrap(head.toByteArray()), 0);
                for (int k = 0; k < blocks.size(); k++) Npy.writeFully(ch, ByteBuffer.wrap(headers.get(k)), blocks.get(k).getOffset());
                ByteBuffer tail = ByteBuffer.allocate(footer.length + 4 + MAGIC.length + ChunkWriters.TOKEN_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                tail.put(footer).putInt(footer.length).put(MAGIC).put(token.getBytes(StandardCharsets.US_ASCII)).flip();
                Npy.writeFully(ch, tail, footerAt);   // the bodies between stay a hole of zeros (their padding) until written
            }
            long[] written = cw.writeChunks(array, FORMAT_NAME, tmp, bodies, size, token);
            for (int k = 0; k < written.length; k++) {
                if (written[k] != valueBytes(dtype, values.get(k))) {
                    throw new ChunkwiseException("chunk " + k + " (row-major) of " + file + " reported " + written[k] + " bytes written, not "
                            + valueBytes(dtype, values.get(k)));
                }
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ChunkWriters.check(ch, tmp.toString(), size, token);
                ch.truncate(end);
            }
        });
    }

    /** Bytes of {@code values} values of {@code dtype} in an Arrow buffer (bools: one bit each). */
    private static long valueBytes(DType dtype, long values) {
        return dtype == DType.BOOL ? (values + 7) / 8 : values * dtype.byteSize();
    }

    private static long pad8(long n) { return (n + 7) & ~7L; }

    /**
     * The message header of a record batch of {@code values} values of one column: its continuation marker, length,
     * flatbuffer and padding to 8 bytes, as Arrow's writers encapsulate it. Buffers: an empty validity bitmap, then
     * {@code valueBytes} of values, both at the body's start.
     */
    private static byte[] batchHeader(long values, long valueBytes, long bodyBytes) {
        com.google.flatbuffers.FlatBufferBuilder b = new com.google.flatbuffers.FlatBufferBuilder(128);
        RecordBatch.startNodesVector(b, 1);
        org.apache.arrow.flatbuf.FieldNode.createFieldNode(b, values, 0);
        int nodes = b.endVector();
        RecordBatch.startBuffersVector(b, 2);   // structs go in back to front
        org.apache.arrow.flatbuf.Buffer.createBuffer(b, 0, valueBytes);
        org.apache.arrow.flatbuf.Buffer.createBuffer(b, 0, 0);
        int buffers = b.endVector();
        int batch = RecordBatch.createRecordBatch(b, values, nodes, buffers, 0, 0);
        int message = Message.createMessage(b, org.apache.arrow.flatbuf.MetadataVersion.V5, MessageHeader.RecordBatch, batch, bodyBytes, 0);
        b.finish(message);
        byte[] fbBytes = b.sizedByteArray();
        int length = (int) pad8(8 + fbBytes.length) - 8;
        ByteBuffer h = ByteBuffer.allocate(8 + length).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(-1).putInt(length).put(fbBytes);
        return h.array();
    }

    /**
     * Writes one chunk a {@link TaskOp.Write} describes into its batch's body at {@link TaskOp.Write#dataOffset()}
     * (the file checked by the caller): its values in C order, little-endian, bools as bits from the lowest.
     * Returns the bytes written.
     */
    static long writeChunk(FileChannel ch, TaskOp.Write spec, HostBlock block) throws IOException {
        int n = block.size();
        if (block.dtype() != DType.BOOL) {
            int item = block.dtype().byteSize();
            ByteBuffer buf = ByteBuffer.allocate(Math.min(n, Npy.WRITE_PIECE) * item).order(ByteOrder.LITTLE_ENDIAN);
            for (int done = 0; done < n; ) {
                int m = Math.min(n - done, Npy.WRITE_PIECE);
                buf.clear();
                Npy.encode(block, done, m, buf);
                Npy.writeFully(ch, buf, spec.dataOffset() + (long) done * item);
                done += m;
            }
            return (long) n * item;
        }
        byte[] bits = new byte[(n + 7) / 8];
        byte[] v = block.bools();
        for (int i = 0; i < n; i++) if (v[i] != 0) bits[i >>> 3] |= (byte) (1 << (i & 7));
        Npy.writeFully(ch, ByteBuffer.wrap(bits), spec.dataOffset());
        return bits.length;
    }

    private static void fill(FieldVector v, HostBlock b) {
        int n = b.size();
        v.setInitialCapacity(n);
        v.allocateNew();
        switch (b.dtype()) {
            case FLOAT64 -> { Float8Vector f = (Float8Vector) v; double[] d = b.doubles(); for (int i = 0; i < n; i++) f.set(i, d[i]); }
            case FLOAT32 -> { Float4Vector f = (Float4Vector) v; float[] d = b.floats(); for (int i = 0; i < n; i++) f.set(i, d[i]); }
            case INT64 -> { BigIntVector f = (BigIntVector) v; long[] d = b.longs(); for (int i = 0; i < n; i++) f.set(i, d[i]); }
            case INT32 -> { IntVector f = (IntVector) v; int[] d = b.ints(); for (int i = 0; i < n; i++) f.set(i, d[i]); }
            case BOOL -> { BitVector f = (BitVector) v; byte[] d = b.bools(); for (int i = 0; i < n; i++) f.set(i, d[i]); }
        }
        v.setValueCount(n);
    }

    private static String chunksText(Chunks c) {
        StringBuilder s = new StringBuilder("[");
        for (int a = 0; a < c.ndim(); a++) s.append(a > 0 ? "," : "").append(Arrays.toString(c.sizes(a)).replace(" ", ""));
        return s.append(']').toString();
    }

    /** What a Chunkwise Arrow file declares. */
    record Layout(DType dtype, long[] shape, Chunks chunks, List<ArrowBlock> batches) {}

    /** The name of the format in read descriptors. */
    public static final String FORMAT_NAME = "arrow";

    public static ChunkedArray load(Chunkwise cw, Path file) {
        ArrowMemory.checkUsable();   // here, not in the first chunk task: the flag is missing for the whole JVM
        Layout l = readLayout(file);
        return cw.fromFile(FORMAT_NAME, file, l.dtype(), l.chunks());
    }

    /** Reads the record batch of the chunk a {@link TaskOp.Read} describes. */
    static HostBlock readChunk(TaskOp.Read spec, ArrowMemory memory) {
        Path file = Path.of(spec.path());
        Layout l = readLayout(file);
        long[] offset = spec.offset();
        int[] shape = spec.shape();
        if (l.dtype() != spec.dtype() || offset.length != l.shape().length) {
            throw new FileFormatException(file + " now holds a " + l.dtype().numpyName() + " array of shape "
                    + Shapes.str(l.shape()) + ", not the " + spec.dtype().numpyName() + " array it held when opened");
        }
        int[] index = new int[shape.length];
        for (int a = 0; a < shape.length; a++) index[a] = l.chunks().chunkAt(a, offset[a]);
        if (Shapes.size(shape) == 0) return HostBlock.allocate(l.dtype(), shape);
        try {
            return readBatch(memory, file, l, l.chunks().flatIndex(index), shape);
        } catch (IOException e) {
            throw new ChunkwiseException("cannot read " + file + ": " + e, e);
        }
    }

    /** The values of a vector of {@code dtype}'s Arrow type as a block of {@code shape} (a copy). */
    static HostBlock toBlock(FieldVector v, DType dtype, int[] shape) {
        HostBlock out = HostBlock.allocate(dtype, shape);
        int n = out.size();
        switch (dtype) {
            case FLOAT64 -> { Float8Vector f = (Float8Vector) v; double[] d = out.doubles(); for (int i = 0; i < n; i++) d[i] = f.get(i); }
            case FLOAT32 -> { Float4Vector f = (Float4Vector) v; float[] d = out.floats(); for (int i = 0; i < n; i++) d[i] = f.get(i); }
            case INT64 -> { BigIntVector f = (BigIntVector) v; long[] d = out.longs(); for (int i = 0; i < n; i++) d[i] = f.get(i); }
            case INT32 -> { IntVector f = (IntVector) v; int[] d = out.ints(); for (int i = 0; i < n; i++) d[i] = f.get(i); }
            case BOOL -> { BitVector f = (BitVector) v; byte[] d = out.bools(); for (int i = 0; i < n; i++) d[i] = (byte) f.get(i); }
        }
        return out;
    }

    /** The dtype of an Arrow vector type we read; other types are refused naming the vector. */
    static DType dtypeOf(FieldVector v) {
        return switch (v) {
            case Float8Vector f -> DType.FLOAT64;
            case Float4Vector f -> DType.FLOAT32;
            case BigIntVector f -> DType.INT64;
            case IntVector f -> DType.INT32;
            case BitVector f -> DType.BOOL;
            default -> throw new io.chunkwise.DTypeException("Arrow vector '" + v.getName() + "' of type " + v.getField().getType()
                    + " has no chunkwise dtype; accepted: Float8, Float4, BigInt, Int(32), Bit");
        };
    }

    /**
     * A 1-D array with one chunk per vector, in order. The values are copied: chunks live in Java arrays, which
     * Arrow's off-heap buffers cannot back, so zero-copy is not possible here.
     */
    public static ChunkedArray fromArrow(Chunkwise cw, FieldVector... vectors) {
        if (vectors == null || vectors.length == 0) throw new io.chunkwise.InvalidArgumentException("fromArrow needs at least one vector");
        DType dtype = dtypeOf(vectors[0]);
        long[] sizes = new long[vectors.length];
        long total = 0;
        for (int i = 0; i < vectors.length; i++) {
            if (dtypeOf(vectors[i]) != dtype) {
                throw new io.chunkwise.DTypeException("Arrow vectors must share one type: vector 0 is " + dtype.numpyName()
                        + ", vector " + i + " is " + dtypeOf(vectors[i]).numpyName());
            }
            if (vectors[i].getNullCount() > 0) {
                throw new io.chunkwise.InvalidArgumentException("Arrow vector " + i + " ('" + vectors[i].getName() + "') holds "
                        + vectors[i].getNullCount() + " nulls; chunked arrays have none");
            }
            sizes[i] = vectors[i].getValueCount();
            total += sizes[i];
        }
        long[] nonEmpty = Arrays.stream(sizes).filter(x -> x > 0).toArray();
        HostBlock all = HostBlock.allocate(dtype, new int[]{Math.toIntExact(total)});
        int at = 0;
        for (FieldVector v : vectors) {
            HostBlock b = toBlock(v, dtype, new int[]{v.getValueCount()});
            System.arraycopy(b.data(), 0, all.data(), at, b.size());
            at += b.size();
        }
        Chunks chunks = Chunks.explicit(new long[][]{nonEmpty.length == 0 ? new long[]{0} : nonEmpty});
        return cw.fromNDArray(io.chunkwise.NDArray.wrap(all, new long[]{total}), chunks);
    }

    /** A 1-D array's chunks as Arrow vectors allocated from {@code allocator} (one per chunk; the caller closes them). */
    public static List<FieldVector> toArrow(Chunkwise cw, ChunkedArray array, BufferAllocator allocator) {
        if (array.ndim() != 1) {
            throw new io.chunkwise.ShapeMismatchException("toArrow takes a 1-D array, not shape " + Shapes.str(array.shape()));
        }
        FieldVector[] out = new FieldVector[array.chunks().numChunks(0)];
        Field field = new Field("values", FieldType.notNullable(arrowType(array.dtype())), null);
        try {
            cw.forEachChunk(array, (index, offset, block) -> {
                FieldVector v = field.createVector(allocator);
                try {
                    fill(v, block);
                } catch (RuntimeException e) {
                    v.close();
                    throw e;
                }
                synchronized (out) {
                    out[index[0]] = v;
                }
            });
        } catch (RuntimeException e) {
            for (FieldVector v : out) if (v != null) v.close();
            throw e;
        }
        return List.of(out);
    }

    private static HostBlock readBatch(ArrowMemory memory, Path file, Layout l, int index, int[] shape) throws IOException {
        ArrowBlock block = l.batches().get(index);
        long elements = Shapes.size(Arrays.stream(shape).asLongStream().toArray());
        // the values, a validity bitmap and alignment padding: a batch larger than that is not ours
        long expected = elements * l.dtype().byteSize() + elements / 8 + 256;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (block.getOffset() < 0 || block.getMetadataLength() < 8 || block.getMetadataLength() > MAX_METADATA
                    || block.getBodyLength() < 0 || block.getBodyLength() > expected
                    || block.getOffset() + block.getMetadataLength() + block.getBodyLength() > ch.size()) {
                throw new FileFormatException(file + " has a record batch (offset " + block.getOffset() + ", " + block.getMetadataLength()
                        + " metadata bytes, " + block.getBodyLength() + " body bytes) that does not fit the file or its chunk of shape "
                        + Shapes.str(shape));
            }
            // the limit stops a corrupt row count from growing vectors without bound
            try (BufferAllocator alloc = memory.child("read " + file.getFileName() + " batch " + index, 4 * expected + (1 << 20))) {
                return decode(file, ch, l, block, shape, alloc);
            }
        }
    }

    /** The values of record batch {@code block}, read with buffers of {@code alloc} that are all closed on return. */
    private static HostBlock decode(Path file, FileChannel ch, Layout l, ArrowBlock block, int[] shape, BufferAllocator alloc) throws IOException {
        long elements = Shapes.size(Arrays.stream(shape).asLongStream().toArray());
        try {
            // the message header, parsed on the heap: Arrow's own reader loses the buffer it reads a batch into when
            // the header is corrupt (MessageSerializer.deserializeRecordBatch(ReadChannel, ArrowBlock, ...))
            ByteBuffer meta = readFully(file, ch, ByteBuffer.allocate((int) block.getMetadataLength()), block.getOffset());
            int prefix = meta.order(ByteOrder.LITTLE_ENDIAN).getInt(0) == -1 ? 8 : 4;   // continuation marker, length
            Message message = Message.getRootAsMessage(meta.slice(prefix, meta.capacity() - prefix));
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new FileFormatException(file + " has a message of type " + message.headerType() + " where a record batch belongs");
            }
            RecordBatch header = (RecordBatch) message.header(new RecordBatch());
            long rows = header.length(), nodes = header.nodesLength();
            if (rows != elements || nodes != 1 || header.nodes(0).length() != elements) {
                throw new FileFormatException(file + " has a record batch of " + rows + " values" + (nodes == 1 ? "" : " in " + nodes + " columns")
                        + " where its chunk of shape " + Shapes.str(shape) + " needs " + elements);
            }
            if (header.nodes(0).nullCount() != 0) throw new FileFormatException(file + " holds null values; chunked arrays have none");
            ArrowBuf body = alloc.buffer(block.getBodyLength());
            ArrowRecordBatch batch;
            try {
                readFully(file, ch, body.nioBuffer(0, (int) block.getBodyLength()), block.getOffset() + block.getMetadataLength());
                batch = MessageSerializer.deserializeRecordBatch(header, body);   // which releases body when it returns
            } catch (IOException | RuntimeException e) {
                body.close();
                throw e;
            }
            Field field = new Field("values", FieldType.nullable(arrowType(l.dtype())), null);
            try (batch; VectorSchemaRoot root = VectorSchemaRoot.of(field.createVector(alloc))) {
                new VectorLoader(root).load(batch);
                return toBlock(root.getVector(0), l.dtype(), shape);
            }
        } catch (ChunkwiseException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new FileFormatException(file + " has a corrupt record batch: " + describe(e), e);
        }
    }

    /** Fills {@code b} from {@code ch} at {@code at}; returns it, rewound. */
    private static ByteBuffer readFully(Path file, FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) throw new FileFormatException(file + " is truncated: it ends before byte " + (at + b.capacity()));
        }
        return b.rewind();
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static Layout readLayout(Path file) {
        ArrowFooter footer;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            footer = readFooter(file, ch);
        } catch (IOException e) {
            throw new ChunkwiseException("cannot read " + file + ": " + e, e);
        }
        Schema schema = footer.getSchema();
        List<ArrowBlock> batches = footer.getRecordBatches();
        Map<String, String> meta = schema.getCustomMetadata();
        if (meta == null || !"1".equals(meta.get(FORMAT))) {
            throw new FileFormatException(file + " is an Arrow file but not a Chunkwise array (no "
                    + FORMAT + " = 1 in its schema metadata)");
        }
        DType dtype;
        try {
            dtype = DType.parse(meta.get(DTYPE));
        } catch (ChunkwiseException e) {
            throw new FileFormatException(file + " declares " + e.getMessage(), e);
        }
        long[] shape = parseLongs(file, meta.get(SHAPE));
        Chunks chunks;
        try {
            String c = meta.get(CHUNKS);
            if (c == null || !c.startsWith("[") || !c.endsWith("]")) throw new FileFormatException(file + " lacks " + CHUNKS);
            String inner = c.substring(1, c.length() - 1);
            List<long[]> axes = new ArrayList<>();
            for (String part : inner.isEmpty() ? new String[0] : inner.split("(?<=\\]),")) axes.add(parseLongs(file, part));
            chunks = Chunks.explicit(axes.toArray(new long[0][]));
        } catch (ChunkwiseException | ArithmeticException e) {
            throw new FileFormatException(file + " declares bad chunks: " + describe(e), e);
        }
        if (!Arrays.equals(chunks.shape(), shape)) {
            throw new FileFormatException(file + " declares chunks " + chunks + " that do not add up to its shape " + Shapes.str(shape));
        }
        if (schema.getFields().size() != 1 || !schema.getFields().get(0).getType().equals(arrowType(dtype))
                || schema.getFields().get(0).getDictionary() != null) {
            throw new FileFormatException(file + " has columns " + schema.getFields() + "; a " + dtype.numpyName()
                    + " array has one column 'values' of " + arrowType(dtype));
        }
        if (batches.size() != chunks.chunkCount()) {
            throw new FileFormatException(file + " has " + batches.size() + " record batches but its chunk grid "
                    + chunks + " has " + chunks.chunkCount() + " chunks (truncated?)");
        }
        return new Layout(dtype, shape, chunks, batches);
    }

    /**
     * The footer of an Arrow IPC file ({@code ARROW1}, padding, the messages, the footer, its length and
     * {@code ARROW1} again), read on the heap: no Arrow buffers, and at most the file's size.
     */
    private static ArrowFooter readFooter(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8 + 4 + 6) throw new FileFormatException(file + " is not an Arrow IPC file: only " + size + " bytes");
        ByteBuffer tail = readFully(file, ch, ByteBuffer.allocate(4 + 6), size - 10).order(ByteOrder.LITTLE_ENDIAN);
        byte[] head = readFully(file, ch, ByteBuffer.allocate(6), 0).array(), end = Arrays.copyOfRange(tail.array(), 4, 10);
        if (!Arrays.equals(head, MAGIC) || !Arrays.equals(end, MAGIC)) {
            throw new FileFormatException(file + " is not an Arrow IPC file: it does not start and end with ARROW1");
        }
        int length = tail.getInt(0);
        if (length <= 0 || length > size - 8 - 10) {
            throw new FileFormatException(file + " is not an Arrow IPC file: its footer length " + length + " does not fit its " + size + " bytes");
        }
        ByteBuffer bytes = readFully(file, ch, ByteBuffer.allocate(length), size - 10 - length);
        try {
            return new ArrowFooter(Footer.getRootAsFooter(bytes));
        } catch (RuntimeException e) {
            throw new FileFormatException(file + " is not an Arrow IPC file: its footer is corrupt: " + describe(e), e);
        }
    }

    private static long[] parseLongs(Path file, String text) {
        if (text == null || !text.startsWith("[") || !text.endsWith("]")) {
            throw new FileFormatException(file + " has malformed metadata '" + text + "'");
        }
        String inner = text.substring(1, text.length() - 1).strip();
        if (inner.isEmpty()) return new long[0];
        try {
            return Arrays.stream(inner.split(",")).mapToLong(s -> Long.parseLong(s.strip())).toArray();
        } catch (NumberFormatException e) {
            throw new FileFormatException(file + " has malformed metadata '" + text + "'", e);
        }
    }
}
