package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest of a layer's definition, fed field by field in a canonical binary form: every value is written
 * whole (no abbreviation, no {@code toString()}), and every variable-length value with its length first, so two
 * different definitions never feed the same bytes. Layer names are {@code kind-<first 128 bits in hex>}.
 */
public final class Digest {
    private final MessageDigest sha;
    private final byte[] scratch = new byte[8];

    Digest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public Digest add(long v) {
        for (int i = 0; i < 8; i++) scratch[i] = (byte) (v >>> (56 - 8 * i));
        sha.update(scratch, 0, 8);
        return this;
    }

    /** A double by its bits, so that {@code 0.0} and {@code -0.0}, and NaNs, stay apart. */
    public Digest add(double v) { return add(Double.doubleToRawLongBits(v)); }

    public Digest add(boolean v) { return add(v ? 1L : 0L); }

    public Digest add(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        add(b.length);
        sha.update(b);
        return this;
    }

    public Digest add(byte[] b) {
        add(b.length);
        sha.update(b);
        return this;
    }

    public Digest add(int[] v) {
        add(v.length);
        for (int x : v) add(x);
        return this;
    }

    public Digest add(long[] v) {
        add(v.length);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * Math.min(v.length, 1024));
        for (int i = 0; i < v.length; i += 1024) {
            b.clear();
            b.asLongBuffer().put(v, i, Math.min(1024, v.length - i));
            sha.update(b.array(), 0, 8 * Math.min(1024, v.length - i));
        }
        return this;
    }

    public Digest add(DType t) { return add(t.ordinal()); }

    /** Every chunk size of every axis (through the grid's own digest, computed once per grid). */
    public Digest add(Chunks c) { return add(c.fingerprint()); }

    /** {@code kind-} and the first 128 bits of the digest in hex. */
    String name(String kind) {
        return kind + "-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
    }
}
