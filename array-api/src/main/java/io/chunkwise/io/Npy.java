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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0). Reading is lazy and per chunk: each chunk task reads
 * its own contiguous runs, in parallel. Little- and big-endian data and C or Fortran order are read; files are
 * written little-endian in C order, chunk by chunk, into a temporary file that replaces the target only when
 * complete.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Headers beyond this are not NumPy's (NumPy itself refuses headers over 10 KiB by default). */
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /** What an .npy header says. */
    public record Header(DType dtype, ByteOrder order, boolean fortranOrder, long[] shape, long dataOffset) {}

    public static ChunkedArray read(Chunkwise cw, Path file, int[] chunkShape) {
        Header h = readHeader(file);
        long[] shape = h.shape();
        if (chunkShape == null || chunkShape.length != shape.length) {
            throw new io.chunkwise.ChunkingException("chunk shape " + Arrays.toString(chunkShape) + " does not match the "
                    + shape.length + " axes of " + file + " (shape " + Shapes.str(shape) + ")");
        }
        if (!h.fortranOrder()) return cw.fromFile(FORMAT_NAME, file, h.dtype(), Chunks.regular(shape, chunkShape));
        // Fortran order is C order of the reversed shape: read that, then transpose back (lazily).
        int nd = shape.length;
        long[] rev = new long[nd];
        int[] revChunks = new int[nd];
        for (int a = 0; a < nd; a++) {
            rev[a] = shape[nd - 1 - a];
            revChunks[a] = chunkShape[nd - 1 - a];
        }
        return cw.fromFile(FORMAT_NAME, file, h.dtype(), Chunks.regular(rev, revChunks)).transpose();
    }

    /** The name of the format in read descriptors. */
    public static final String FORMAT_NAME = "npy";

    /**
     * Reads one chunk a {@link TaskOp.Read} describes, in contiguous runs: the chunk at {@code offset} of the array in
     * C order (a Fortran-ordered file is read as C order of its reversed shape).
     */
    static HostBlock readChunk(TaskOp.Read spec) {
        Path file = Path.of(spec.path());
        Header h = readHeader(file);
        long[] shape = h.fortranOrder() ? reversed(h.shape()) : h.shape();
        long[] offset = spec.offset();
        int[] chunk = spec.shape();
        int nd = shape.length;
        if (h.dtype() != spec.dtype() || offset.length != nd || chunk.length != nd) {
            throw new FileFormatException(file + " now holds a " + h.dtype().numpyName() + " array of shape "
                    + Shapes.str(h.shape()) + ", not the " + spec.dtype().numpyName() + " array it held when opened");
        }
        int item = h.dtype().byteSize();
        // trailing axes the chunk covers whole, so one run spans them and the next axis
        int j = nd - 1;
        while (j > 0 && chunk[j] == shape[j]) j--;
        int runLength = 1;
        for (int a = Math.max(j, 0); a < nd; a++) runLength *= chunk[a];
        final int run = runLength;
        long[] gs = Shapes.strides(shape);
        HostBlock out = HostBlock.allocate(h.dtype(), chunk);
        if (out.size() == 0) return out;
        ByteBuffer buf = ByteBuffer.allocate(run * item).order(h.order());
        int[] outer = nd == 0 ? new int[0] : Arrays.copyOf(chunk, Math.max(j, 0));
        int[] pos = {0};
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Shapes.forEachIndex(outer, idx -> {
                long flat = 0;
                for (int a = 0; a < nd; a++) flat += (offset[a] + (a < idx.length ? idx[a] : 0)) * gs[a];
                buf.clear();
                readFully(ch, buf, h.dataOffset() + flat * item, file);
                buf.flip();
                decode(buf, out, pos[0], run);
                pos[0] += run;
            });
        } catch (IOException e) {
            throw new ChunkwiseException("cannot read " + file + ": " + e, e);
        }
        return out;
    }

    private static long[] reversed(long[] s) {
        long[] r = new long[s.length];
        for (int a = 0; a < s.length; a++) r[a] = s[s.length - 1 - a];
        return r;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) {
        try {
            while (buf.hasRemaining()) {
                int n = ch.read(buf, position + buf.position());
                if (n < 0) throw new FileFormatException(file + " is truncated: data ends before byte " + (position + buf.limit()));
            }
        } catch (IOException e) {
            throw new ChunkwiseException("cannot read " + file + ": " + e, e);
        }
    }

    private static void decode(ByteBuffer buf, HostBlock out, int at, int n) {
        switch (out.dtype()) {
            case FLOAT64 -> buf.asDoubleBuffer().get(out.doubles(), at, n);
            case FLOAT32 -> buf.asFloatBuffer().get(out.floats(), at, n);
            case INT64 -> buf.asLongBuffer().get(out.longs(), at, n);
            case INT32 -> buf.asIntBuffer().get(out.ints(), at, n);
            case BOOL -> {
                byte[] b = out.bools();
                buf.get(b, at, n);
                for (int i = at; i < at + n; i++) b[i] = (byte) (b[i] != 0 ? 1 : 0);
            }
        }
    }

    /** Puts values {@code at..at+n} of {@code block} into {@code buf} (little-endian; bools one byte each), ready to write. */
    static void encode(HostBlock block, int at, int n, ByteBuffer buf) {
        switch (block.dtype()) {
            case FLOAT64 -> buf.asDoubleBuffer().put(block.doubles(), at, n);
            case FLOAT32 -> buf.asFloatBuffer().put(block.floats(), at, n);
            case INT64 -> buf.asLongBuffer().put(block.longs(), at, n);
            case INT32 -> buf.asIntBuffer().put(block.ints(), at, n);
            case BOOL -> buf.put(block.bools(), at, n).position(0);
        }
        buf.limit(n * block.dtype().byteSize());
    }

    /**
     * Computes {@code array} chunk by chunk into {@code file} (C order, little-endian). The chunks are written where
     * they are computed ({@link ChunkWriters}; on a cluster, by the members that share this file system) into a
     * temporary file this method prepares, which replaces {@code file} once every chunk reported its bytes.
     */
    public static void write(Chunkwise cw, ChunkedArray array, Path file) {
        long[] shape = array.shape();
        byte[] header = header(array.dtype(), shape);
        int item = array.dtype().byteSize();
        long data = Math.multiplyExact(Shapes.size(shape), (long) item);
        long size = header.length + data + ChunkWriters.TOKEN_BYTES;
        String token = ChunkWriters.newToken();
        ReplaceFile.writeAt(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.wrap(header), 0);
                writeFully(ch, ByteBuffer.wrap(token.getBytes(StandardCharsets.US_ASCII)), header.length + data);
            }
            long[] written = cw.writeChunks(array, FORMAT_NAME, tmp, new long[]{header.length}, size, token);
            long[] i = {0};
            Chunks chunks = array.chunks();
            chunks.forEachIndex(index -> {
                long want = Shapes.size(chunks.chunkShape(index)) * (long) item;
                long got = written[(int) i[0]++];
                if (got != want) throw new ChunkwiseException("chunk " + Arrays.toString(index) + " of " + file + " reported " + got + " bytes written, not " + want);
            });
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ChunkWriters.check(ch, tmp.toString(), size, token);
                ch.truncate(header.length + data);
            }
        });
    }

    static void writeFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) at += ch.write(buf, at);
    }

    /** Elements encoded at once at most, so that a chunk spanning whole rows needs no buffer of its size. */
    static final int WRITE_PIECE = 1 << 17;

    /**
     * Writes one chunk a {@link TaskOp.Write} describes into {@code ch} (checked by the caller), in contiguous runs:
     * trailing axes the chunk spans whole merge into one run. Returns the bytes written.
     */
    static long writeChunk(FileChannel ch, TaskOp.Write spec, HostBlock block) throws IOException {
        long[] shape = spec.fileShape();
        long[] offset = spec.offset();
        int[] chunk = spec.shape();
        int nd = shape.length;
        int item = block.dtype().byteSize();
        if (block.size() == 0) return 0;
        int j = nd - 1;
        while (j > 0 && chunk[j] == shape[j]) j--;
        int runLength = 1;
        for (int a = Math.max(j, 0); a < nd; a++) runLength *= chunk[a];
        final int run = runLength;
        long[] gs = Shapes.strides(shape);
        ByteBuffer buf = ByteBuffer.allocate(Math.min(run, WRITE_PIECE) * item).order(ByteOrder.LITTLE_ENDIAN);
        int[] pos = {0};
        IOException[] failed = {null};
        Shapes.forEachIndex(nd == 0 ? new int[0] : Arrays.copyOf(chunk, Math.max(j, 0)), idx -> {
            if (failed[0] != null) return;
            long flat = 0;
            for (int a = 0; a < nd; a++) flat += (offset[a] + (a < idx.length ? idx[a] : 0)) * gs[a];
            long at = spec.dataOffset() + flat * item;
            try {
                for (int done = 0; done < run; ) {
                    int n = Math.min(run - done, WRITE_PIECE);
                    buf.clear();
                    encode(block, pos[0] + done, n, buf);
                    writeFully(ch, buf, at + (long) done * item);
                    done += n;
                }
            } catch (IOException e) {
                failed[0] = e;
            }
            pos[0] += run;
        });
        if (failed[0] != null) throw failed[0];
        return (long) block.size() * item;
    }

    static byte[] header(DType dtype, long[] shape) {
        String descr = switch (dtype) {
            case FLOAT64 -> "<f8"; case FLOAT32 -> "<f4"; case INT64 -> "<i8"; case INT32 -> "<i4"; case BOOL -> "|b1";
        };
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) dims.append(i > 0 ? ", " : "").append(shape[i]);
        dims.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
        boolean v1 = dict.length() + 1 + 10 <= 65535;
        int pre = v1 ? 10 : 12;
        int total = (pre + dict.length() + 1 + 63) / 64 * 64;
        String padded = dict + " ".repeat(total - pre - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) b.putShort((short) (total - pre));
        else b.putInt(total - pre);
        b.put(padded.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** Reads and checks the header: magic, version, dictionary, dtype, and that the data fits the file. */
    public static Header readHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            while (pre.hasRemaining() && ch.read(pre, pre.position()) > 0) { /* fill */ }
            if (pre.position() < 10 || !Arrays.equals(Arrays.copyOf(pre.array(), 6), MAGIC)) {
                throw new FileFormatException(file + " is not a NumPy .npy file: it does not start with \\x93NUMPY");
            }
            int major = pre.get(6) & 0xff;
            long headerLen;
            int start;
            if (major == 1) {
                headerLen = pre.getShort(8) & 0xffff;
                start = 10;
            } else if (major == 2 || major == 3) {
                if (pre.position() < 12) throw new FileFormatException(file + " is truncated inside its .npy preamble");
                headerLen = pre.getInt(8) & 0xffffffffL;
                start = 12;
            } else {
                throw new FileFormatException(file + " has .npy format version " + major + "." + (pre.get(7) & 0xff)
                        + "; versions 1.0, 2.0 and 3.0 are read");
            }
            if (headerLen > MAX_HEADER || start + headerLen > size) {
                throw new FileFormatException(file + " declares a .npy header of " + headerLen + " bytes but the file has "
                        + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            while (hb.hasRemaining() && ch.read(hb, start + hb.position()) > 0) { /* fill */ }
            String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = parse(file, text, start + headerLen);
            long bytes;
            try {
                bytes = Math.multiplyExact(Shapes.size(h.shape()), (long) h.dtype().byteSize());
            } catch (ArithmeticException | ChunkwiseException e) {
                throw new FileFormatException(file + " declares shape " + Shapes.str(h.shape()) + ", too large to exist");
            }
            if (h.dataOffset() + bytes > size) {
                throw new FileFormatException(file + " is truncated: its header declares " + h.dtype().numpyName()
                        + " data of shape " + Shapes.str(h.shape()) + " (" + bytes + " bytes) but only "
                        + (size - h.dataOffset()) + " bytes follow the header");
            }
            return h;
        } catch (IOException e) {
            throw new ChunkwiseException("cannot read " + file + ": " + e, e);
        }
    }

    /** Parses NumPy's header dictionary, e.g. {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}. */
    static Header parse(Path file, String text, long dataOffset) {
        String t = text.strip();
        if (!t.startsWith("{") || !t.endsWith("}")) throw bad(file, "its header is not a dictionary: " + abbreviate(t));
        String descr = null;
        Boolean fortran = null;
        long[] shape = null;
        int i = 1;
        while (true) {
            i = skipSpaces(t, i);
            if (i >= t.length() - 1) break;
            if (t.charAt(i) == ',') { i++; continue; }
            int[] keyEnd = new int[1];
            String key = quoted(file, t, i, keyEnd);
            i = skipSpaces(t, keyEnd[0]);
            if (i >= t.length() || t.charAt(i) != ':') throw bad(file, "expected ':' after '" + key + "' in its header");
            i = skipSpaces(t, i + 1);
            switch (key) {
                case "descr" -> {
                    int[] end = new int[1];
                    descr = quoted(file, t, i, end);
                    i = end[0];
                }
                case "fortran_order" -> {
                    if (t.startsWith("True", i)) { fortran = true; i += 4; }
                    else if (t.startsWith("False", i)) { fortran = false; i += 5; }
                    else throw bad(file, "fortran_order is neither True nor False");
                }
                case "shape" -> {
                    int close = t.indexOf(')', i);
                    if (t.charAt(i) != '(' || close < 0) throw bad(file, "its shape is not a tuple");
                    String[] parts = t.substring(i + 1, close).split(",");
                    long[] dims = new long[parts.length];
                    int n = 0;
                    for (String p : parts) {
                        String q = p.strip();
                        if (q.isEmpty()) continue;
                        try {
                            dims[n] = Long.parseLong(q.endsWith("L") ? q.substring(0, q.length() - 1) : q);
                        } catch (NumberFormatException e) {
                            throw bad(file, "its shape has a dimension '" + abbreviate(q) + "' that is not a whole number");
                        }
                        if (dims[n++] < 0) throw bad(file, "its shape has a negative dimension");
                    }
                    if (n > 32) throw bad(file, "its shape has " + n + " dimensions (NumPy allows at most 32... 64)");
                    shape = Arrays.copyOf(dims, n);
                    i = close + 1;
                }
                default -> throw bad(file, "its header has an unknown key '" + abbreviate(key) + "'");
            }
        }
        if (descr == null || fortran == null || shape == null) {
            throw bad(file, "its header lacks " + (descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'"));
        }
        return new Header(dtypeOf(file, descr), descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
                fortran, shape, dataOffset);
    }

    private static DType dtypeOf(Path file, String descr) {
        String kind = descr.length() > 1 && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
        return switch (kind) {
            case "f8" -> DType.FLOAT64;
            case "f4" -> DType.FLOAT32;
            case "i8" -> DType.INT64;
            case "i4" -> DType.INT32;
            case "b1", "?" -> DType.BOOL;
            default -> throw new FileFormatException(file + " holds dtype '" + abbreviate(descr)
                    + "'; supported: float64, float32, int64, int32, bool");
        };
    }

    private static int skipSpaces(String t, int i) {
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) i++;
        return i;
    }

    private static String quoted(Path file, String t, int i, int[] end) {
        if (i >= t.length() || (t.charAt(i) != '\'' && t.charAt(i) != '"')) throw bad(file, "expected a quoted string in its header");
        int close = t.indexOf(t.charAt(i), i + 1);
        if (close < 0) throw bad(file, "an unterminated string in its header");
        end[0] = close + 1;
        return t.substring(i + 1, close);
    }

    private static FileFormatException bad(Path file, String what) {
        return new FileFormatException(file + " is not a valid .npy file: " + what);
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 40) + "..." : s; }
}
