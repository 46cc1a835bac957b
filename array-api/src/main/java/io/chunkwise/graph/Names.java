package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Deterministic layer names: {@code kind-<hash of parameters and inputs>}. */
final class Names {
    private Names() {}

    static String token(String kind, Object params, DType dtype, Chunks chunks, List<Node> inputs) {
        StringBuilder b = new StringBuilder(kind).append('|').append(params).append('|').append(dtype).append('|').append(chunks);
        for (Node n : inputs) b.append('|').append(n.name());
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return kind + "-" + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
