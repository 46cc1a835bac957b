package io.chunkwise.graph;

import io.chunkwise.Chunks;
import io.chunkwise.DType;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/** Layer names (dask's tokenize): a digest of everything that defines a layer, or a random id. */
final class Names {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {}

    /** {@code kind-<digest>} of the kind, the parameters {@code params} adds, the dtype, every chunk size and the inputs' names. */
    static String token(String kind, Consumer<Digest> params, DType dtype, Chunks chunks, List<Node> inputs) {
        Digest d = new Digest().add(kind);
        params.accept(d);
        d.add(dtype).add(chunks).add(inputs.size());
        for (Node n : inputs) d.add(n.name());
        return d.name(kind);
    }

    /** A random 128-bit id, for what cannot be named by its content (a user's array, a function, persisted chunks). */
    static String randomId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
