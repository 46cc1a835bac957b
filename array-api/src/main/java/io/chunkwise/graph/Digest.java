package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest of a layer's definition, fed field by field in the codec's canonical binary form ({@link Wire}):
 * every value is written whole (no abbreviation, no {@code toString()}), and every variable-length value with its
 * length first, so two different definitions never feed the same bytes. Layer names are
 * {@code kind-<first 128 bits in hex>}.
 */
public final class Digest {
    private static final MessageDigest SHA_256 = newSha256();
    private final Wire.Out out = new Wire.Out();

    Digest() {}

    public Digest add(long v) {
        out.i64(v);
        return this;
    }

    /** A double by its bits, so that {@code 0.0} and {@code -0.0}, and NaNs, stay apart. */
    public Digest add(double v) {
        out.f64(v);
        return this;
    }

    public Digest add(boolean v) {
        out.bool(v);
        return this;
    }

    public Digest add(String s) {
        out.str(s);
        return this;
    }

    public Digest add(byte[] b) {
        out.bytes(b);
        return this;
    }

    public Digest add(int[] v) {
        out.ints(v);
        return this;
    }

    public Digest add(long[] v) {
        out.longs(v);
        return this;
    }

    public Digest add(DType t) { return add(t.name()); }

    /** Every chunk size of every axis (through the grid's own digest, computed once per grid). */
    public Digest add(Chunks c) { return add(c.fingerprint()); }

    /** {@code kind-} and the first 128 bits of the digest in hex. */
    String name(String kind) {
        byte[] h = sha256().digest(out.toByteArray());
        return kind + "-" + HexFormat.of().formatHex(h, 0, 16);
    }

    /**
     * A new SHA-256 digest: a copy of one made once, as {@code MessageDigest.getInstance} searches the security
     * providers on every call (a good share of building a small graph before the JIT has compiled it).
     */
    public static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
