package io.chunkwise.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** .npy files built byte by byte in the tests, independently of {@link Npy}'s writer (format per NEP 1). */
final class NpyBytes {
    private NpyBytes() {}

    /**
     * A complete file: magic, version {@code major}.0, header length (2 bytes for 1.0, 4 for 2.0 and 3.0), the
     * dictionary padded with spaces and a newline to a multiple of 64 bytes, then {@code data}.
     */
    static byte[] file(int major, String dict, byte[] data) {
        int pre = major == 1 ? 10 : 12;
        int total = (pre + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - pre - dict.length() - 1) + "\n";
        byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(pre + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) text.length);
        else b.putInt(text.length);
        return b.put(text).put(data).array();
    }

    /** NumPy's header dictionary. */
    static String dict(String descr, boolean fortran, String shapeTuple) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shapeTuple + ", }";
    }

    static byte[] doubles(ByteOrder order, double... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(order);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(order);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] longs(ByteOrder order, long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(order);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    static byte[] ints(ByteOrder order, int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(order);
        for (int x : v) b.putInt(x);
        return b.array();
    }
}
