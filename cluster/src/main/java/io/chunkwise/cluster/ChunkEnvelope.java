package io.chunkwise.cluster;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.WireFormatException;
import io.chunkwise.scheduler.Scheduler;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A chunk's bytes in the cluster's chunk store: a {@link HostBlock}, or a {@link Partial} of host blocks (a
 * reduction partial), as one {@code byte[]} (Hazelcast stores it with its byte-array serializer, no class name).
 * Layout, little-endian:
 * <pre>
 *   magic "CWCK" (4 bytes), version u8 = 1, kind u8 (0 block, 1 partial), parts u8 (1 for a block, 1-8),
 *   ndim u8 (0-32), shape i32[ndim] (each >= 0),
 *   per part: dtype u8 (DType ordinal), payload (size(shape) * dtype bytes),
 *   CRC32C i32 of everything before it.
 * </pre>
 * Decoding checks the magic, version, counts and every length against the bytes present before it allocates, then
 * the checksum, and throws {@link WireFormatException} naming what is wrong; an envelope over
 * {@link #MAX_BYTES} is refused before anything is read from it.
 */
public final class ChunkEnvelope {
    static final int MAGIC = 0x4B435743;   // "CWCK" read little-endian
    static final int VERSION = 1;
    static final int MAX_NDIM = 32, MAX_PARTS = 8;
    /** The largest envelope accepted: a Java array's limit. */
    public static final int MAX_BYTES = Integer.MAX_VALUE - 16;
    private static final DType[] DTYPES = DType.values();

    private ChunkEnvelope() {}

    /** The envelope of a host block, or of a partial whose parts are host blocks. */
    public static byte[] encode(Block block) {
        HostBlock[] parts;
        int kind;
        if (block instanceof HostBlock h) {
            parts = new HostBlock[]{h};
            kind = 0;
        } else if (block instanceof Partial p) {
            parts = new HostBlock[p.parts().length];
            for (int i = 0; i < parts.length; i++) {
                if (!(p.parts()[i] instanceof HostBlock h)) throw new IllegalArgumentException("a partial's part " + i + " is not on the host");
                parts[i] = h;
            }
            kind = 1;
        } else {
            throw new IllegalArgumentException("only host blocks and partials of host blocks have envelopes, not " + block);
        }
        if (parts.length < 1 || parts.length > MAX_PARTS) throw new IllegalArgumentException("a partial of " + parts.length + " parts");
        int[] shape = parts[0].shape();
        if (shape.length > MAX_NDIM) throw new IllegalArgumentException("a block of " + shape.length + " dimensions");
        long size = 8 + 4L * shape.length + 4;
        for (HostBlock h : parts) size += 1 + h.bytes();
        if (size > MAX_BYTES) throw new IllegalArgumentException("a chunk of " + size + " bytes is over the envelope limit " + MAX_BYTES);
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).put((byte) VERSION).put((byte) kind).put((byte) parts.length).put((byte) shape.length);
        for (int s : shape) b.putInt(s);
        for (HostBlock h : parts) {
            if (!java.util.Arrays.equals(h.shape(), shape)) throw new IllegalArgumentException("a partial's parts differ in shape");
            b.put((byte) h.dtype().ordinal());
            putPayload(b, h);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static void putPayload(ByteBuffer b, HostBlock h) {
        int n = h.size();
        int at = b.position();
        switch (h.dtype()) {
            case FLOAT64 -> b.asDoubleBuffer().put(h.doubles());
            case FLOAT32 -> b.asFloatBuffer().put(h.floats());
            case INT64 -> b.asLongBuffer().put(h.longs());
            case INT32 -> b.asIntBuffer().put(h.ints());
            case BOOL -> b.put(h.bools());
        }
        b.position(at + n * h.dtype().byteSize());
    }

    /** The block (a {@link HostBlock}, or a {@link Partial} of them) in {@code bytes}. */
    public static Block decode(byte[] bytes) {
        Layout l = layout(bytes);
        HostBlock[] out = new HostBlock[l.dtypes.length];
        for (int p = 0; p < out.length; p++) {
            out[p] = HostBlock.allocate(l.dtypes[p], l.shape);
            copyPart(bytes, l, p, out[p].data(), 0, Shapes.strides(l.shape));
        }
        return l.kind == 0 ? out[0] : new Partial(out);
    }

    /**
     * Decodes the envelope of one host block straight into its place in a host array (no block of its own), checked
     * as {@link #decode} checks it, and also that it holds a block of the target's dtype and shape.
     */
    public static void decodeInto(byte[] bytes, Scheduler.Target target) {
        Layout l = layout(bytes);
        HostBlock array = target.array();
        if (l.kind != 0) throw new WireFormatException("chunk envelope of a partial where a block of the result was expected");
        if (l.dtypes[0] != array.dtype() || !java.util.Arrays.equals(l.shape, target.shape())) {
            throw new WireFormatException("chunk envelope of " + l.dtypes[0] + " " + java.util.Arrays.toString(l.shape) + " where "
                    + array.dtype() + " " + java.util.Arrays.toString(target.shape()) + " was expected");
        }
        copyPart(bytes, l, 0, array.data(), target.offset(), target.strides());
    }

    /** Copies part {@code p}'s payload to position q of the chunk at {@code dst[offset + q . strides]}. */
    private static void copyPart(byte[] bytes, Layout l, int p, Object dst, int offset, int[] strides) {
        if (l.size == 0) return;
        DType t = l.dtypes[p];
        ByteBuffer payload = ByteBuffer.wrap(bytes, l.at[p], l.size * t.byteSize()).slice().order(ByteOrder.LITTLE_ENDIAN);
        java.nio.Buffer src = switch (t) {
            case FLOAT64 -> payload.asDoubleBuffer();
            case FLOAT32 -> payload.asFloatBuffer();
            case INT64 -> payload.asLongBuffer();
            case INT32 -> payload.asIntBuffer();
            case BOOL -> payload;
        };
        if (java.util.Arrays.equals(strides, Shapes.strides(l.shape))) {   // laid out as the payload: one copy
            bulkGet(src, 0, dst, offset, l.size);
            return;
        }
        int nd = l.shape.length, inner = l.shape[nd - 1], innerStride = strides[nd - 1];
        int[] index = new int[nd - 1];   // the row's position on the outer axes, in C order
        for (int from = 0; from < l.size; from += inner) {
            int to = offset;
            for (int a = 0; a < index.length; a++) to += index[a] * strides[a];
            if (innerStride == 1) {
                bulkGet(src, from, dst, to, inner);
            } else {
                for (int i = 0; i < inner; i++) bulkGet(src, from + i, dst, to + i * innerStride, 1);
            }
            for (int a = index.length - 1; a >= 0 && ++index[a] == l.shape[a]; a--) index[a] = 0;
        }
    }

    private static void bulkGet(java.nio.Buffer src, int from, Object dst, int to, int n) {
        switch (src) {
            case java.nio.DoubleBuffer d -> d.get(from, (double[]) dst, to, n);
            case java.nio.FloatBuffer f -> f.get(from, (float[]) dst, to, n);
            case java.nio.LongBuffer g -> g.get(from, (long[]) dst, to, n);
            case java.nio.IntBuffer i -> i.get(from, (int[]) dst, to, n);
            case ByteBuffer b -> b.get(from, (byte[]) dst, to, n);
            default -> throw new IllegalStateException(src.toString());
        }
    }

    /** Where an envelope's parts lie, each {@code size} elements of its dtype from {@code at}: known once every check passed. */
    private record Layout(int kind, int[] shape, int size, DType[] dtypes, int[] at) {}

    /** Reads and checks an envelope's header, lengths and checksum (a {@link WireFormatException} for anything amiss). */
    private static Layout layout(byte[] bytes) {
        if (bytes == null) throw new WireFormatException("no chunk envelope (null)");
        if (bytes.length > MAX_BYTES) throw new WireFormatException("chunk envelope of " + bytes.length + " bytes is over the limit " + MAX_BYTES);
        if (bytes.length < 12) throw new WireFormatException("chunk envelope truncated: " + bytes.length + " bytes, the header alone needs 12");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt();
        if (magic != MAGIC) throw new WireFormatException("not a chunk envelope: magic 0x" + Integer.toHexString(magic));
        int version = b.get() & 0xff;
        if (version != VERSION) throw new WireFormatException("chunk envelope version " + version + ", this side reads " + VERSION);
        int kind = b.get() & 0xff, parts = b.get() & 0xff, ndim = b.get() & 0xff;
        if (kind > 1) throw new WireFormatException("chunk envelope of unknown kind " + kind);
        if (parts < 1 || parts > MAX_PARTS || (kind == 0 && parts != 1)) throw new WireFormatException("chunk envelope of kind " + kind + " with " + parts + " parts");
        if (ndim > MAX_NDIM) throw new WireFormatException("chunk envelope with " + ndim + " dimensions, at most " + MAX_NDIM);
        if (b.remaining() < 4L * ndim + 4) throw new WireFormatException("chunk envelope truncated in its shape");
        int[] shape = new int[ndim];
        long size = 1;
        for (int a = 0; a < ndim; a++) {
            shape[a] = b.getInt();
            if (shape[a] < 0) throw new WireFormatException("chunk envelope with a negative extent " + shape[a] + " on axis " + a);
            size *= shape[a];
            if (size > MAX_BYTES) throw new WireFormatException("chunk envelope of shape " + java.util.Arrays.toString(shape) + " is oversized");
        }
        DType[] dtypes = new DType[parts];
        int[] at = new int[parts];
        for (int p = 0; p < parts; p++) {
            if (b.remaining() < 1 + 4) throw new WireFormatException("chunk envelope truncated before part " + p);
            int code = b.get() & 0xff;
            if (code >= DTYPES.length) throw new WireFormatException("chunk envelope part " + p + " has unknown dtype code " + code);
            dtypes[p] = DTYPES[code];
            long need = size * dtypes[p].byteSize();
            if (need > b.remaining() - 4) {
                throw new WireFormatException("chunk envelope part " + p + " (" + dtypes[p] + " " + java.util.Arrays.toString(shape) + ") needs "
                        + need + " bytes, " + (b.remaining() - 4) + " are left");
            }
            at[p] = b.position();
            b.position(at[p] + (int) need);
        }
        if (b.remaining() != 4) throw new WireFormatException("chunk envelope has " + (b.remaining() - 4) + " bytes after its payload");
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, b.position());
        int stored = b.getInt();
        if (stored != (int) crc.getValue()) throw new WireFormatException("chunk envelope checksum mismatch: the chunk is corrupt");
        return new Layout(kind, shape, (int) size, dtypes, at);
    }
}
