package io.chunkwise.graph;

import io.chunkwise.WireFormatException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary primitives of the task codec: big-endian fixed-width numbers, and arrays and strings with their
 * length first. {@link In} checks every declared length against the bytes left before it allocates, so a corrupt
 * or hostile encoding gets a {@link WireFormatException}, never an {@link OutOfMemoryError}.
 */
public final class Wire {
    private Wire() {}

    /** A growing byte array. */
    public static final class Out {
        private byte[] buf = new byte[64];
        private int size;

        private void ensure(int n) {
            if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }

        public Out u8(int v) {
            ensure(1);
            buf[size++] = (byte) v;
            return this;
        }

        public Out i32(int v) {
            ensure(4);
            for (int i = 0; i < 4; i++) buf[size++] = (byte) (v >>> (24 - 8 * i));
            return this;
        }

        public Out i64(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) buf[size++] = (byte) (v >>> (56 - 8 * i));
            return this;
        }

        public Out f64(double v) { return i64(Double.doubleToRawLongBits(v)); }

        public Out bool(boolean v) { return u8(v ? 1 : 0); }

        public Out str(String s) { return bytes(s.getBytes(StandardCharsets.UTF_8)); }

        /** A byte array with its length first. */
        public Out bytes(byte[] b) {
            i32(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
            return this;
        }

        public Out ints(int[] v) {
            i32(v.length);
            for (int x : v) i32(x);
            return this;
        }

        public Out longs(long[] v) {
            i32(v.length);
            for (long x : v) i64(x);
            return this;
        }

        public Out bools(boolean[] v) {
            i32(v.length);
            for (boolean x : v) bool(x);
            return this;
        }

        public byte[] toByteArray() { return Arrays.copyOf(buf, size); }
    }

    /** Reads what {@link Out} wrote; every read is bounds-checked. */
    public static final class In {
        private final byte[] buf;
        private int pos;

        public In(byte[] buf) { this.buf = buf; }

        public int remaining() { return buf.length - pos; }

        private void need(long n, String what) {
            if (n > remaining()) {
                throw new WireFormatException("truncated encoding: " + what + " needs " + n + " bytes at byte " + pos
                        + ", only " + remaining() + " left");
            }
        }

        public int u8() {
            need(1, "a byte");
            return buf[pos++] & 0xff;
        }

        public int i32() {
            need(4, "an int");
            int v = 0;
            for (int i = 0; i < 4; i++) v = (v << 8) | (buf[pos++] & 0xff);
            return v;
        }

        public long i64() {
            need(8, "a long");
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos++] & 0xff);
            return v;
        }

        public double f64() { return Double.longBitsToDouble(i64()); }

        public boolean bool() {
            int b = u8();
            if (b > 1) throw new WireFormatException("bad boolean " + b + " at byte " + (pos - 1));
            return b == 1;
        }

        /** A declared element count, checked against the bytes left at {@code elementBytes} each. */
        public int length(int elementBytes, String what) {
            int n = i32();
            if (n < 0) throw new WireFormatException("negative length " + n + " of " + what + " at byte " + (pos - 4));
            need((long) n * elementBytes, n + " elements of " + what);
            return n;
        }

        public String str() {
            int n = length(1, "a string");
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        public int[] ints() {
            int[] v = new int[length(4, "an int array")];
            for (int i = 0; i < v.length; i++) v[i] = i32();
            return v;
        }

        public long[] longs() {
            long[] v = new long[length(8, "a long array")];
            for (int i = 0; i < v.length; i++) v[i] = i64();
            return v;
        }

        public boolean[] bools() {
            boolean[] v = new boolean[length(1, "a boolean array")];
            for (int i = 0; i < v.length; i++) v[i] = bool();
            return v;
        }

        /** The enum constant named by the next string, or a named error. */
        public <E extends Enum<E>> E constant(Class<E> type) {
            String name = str();
            try {
                return Enum.valueOf(type, name);
            } catch (IllegalArgumentException e) {
                throw new WireFormatException("unknown " + type.getSimpleName() + " '" + name + "'");
            }
        }

        /** Fails unless every byte was read. */
        public void end() {
            if (remaining() != 0) throw new WireFormatException(remaining() + " bytes left over after the encoding");
        }
    }
}
