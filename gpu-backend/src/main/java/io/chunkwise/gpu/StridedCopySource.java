package io.chunkwise.gpu;

import io.chunkwise.spi.Piece;
import io.chunkwise.spi.Region;

import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA C source of the strided copy that moves one assemble {@link Piece} on the device (cuda-kernels'
 * {@code strided_copy.cu.template}): elements move as unsigned integers of their width, so one kernel serves every
 * dtype of that width and NaN payloads travel unchanged. A piece's axes are merged first ({@link FusedGeometry}), so
 * that whole rows or a whole contiguous block are one axis; the kernel depends only on the width and the merged
 * rank, which is its cache key, and the offsets, lengths and strides are its parameters.
 */
final class StridedCopySource {
    static final String TEMPLATE = "strided_copy.cu.template";

    private StridedCopySource() {}

    /** The piece's copy space after merging: its lengths and the source's (first) and destination's strides. */
    static FusedGeometry geometry(Piece p) {
        int[] counts = p.counts();
        long[] zero = new long[counts.length], global = new long[counts.length];
        for (int a = 0; a < counts.length; a++) global[a] = counts[a];
        return FusedGeometry.of(new Region(counts, zero, global), new int[][]{p.srcStrides(), p.dstStrides()}, false);
    }

    /** The kernel's name, which is also its cache key: {@code chunkwise_copy_<bits>_rank<rank>}. */
    static String name(int width, int rank) {
        return "chunkwise_copy_" + 8 * width + "_rank" + rank;
    }

    /** The copy of elements of {@code width} bytes (1, 4 or 8) over {@code rank} merged axes. */
    static GeneratedKernels.Program generate(int width, int rank) {
        String t = switch (width) {
            case 1 -> "unsigned char";
            case 4 -> "unsigned int";
            case 8 -> "unsigned long long";
            default -> throw new IllegalArgumentException("no copy of " + width + "-byte elements");
        };
        List<String> params = new ArrayList<>();
        for (int k = 0; k < rank; k++) params.add("long long d" + k);
        for (int k = 0; k < rank; k++) params.add("long long s" + k);
        for (int k = 0; k < rank; k++) params.add("long long t" + k);
        StringBuilder index = new StringBuilder();
        for (int k = rank - 1; k >= 0; k--) {
            index.append("        { long long c = ").append(k == 0 ? "r" : "r % d" + k).append(";");
            if (k > 0) index.append(" r /= d").append(k).append(";");
            index.append(" o += c * s").append(k).append("; q += c * t").append(k).append("; }\n");
        }
        String name = name(width, rank);
        String source = GeneratedKernels.template(TEMPLATE)
                .replace("@NAME@", name)
                .replace("@T@", t)
                .replace("@PARAMS@", String.join(", ", params))
                .replace("@INDEX@", index.toString().stripTrailing());
        return new GeneratedKernels.Program(name, source);
    }

    /** The kernel's scalar parameters after the two pointers: n, the offsets, the lengths, the strides. */
    static long[] scalarArgs(Piece p, FusedGeometry g) {
        long[] out = new long[3 + 3 * g.rank()];
        out[0] = g.size();
        out[1] = p.srcOffset();
        out[2] = p.dstOffset();
        for (int k = 0; k < g.rank(); k++) {
            out[3 + k] = g.dims()[k];
            out[3 + g.rank() + k] = g.strides()[0][k];
            out[3 + 2 * g.rank() + k] = g.strides()[1][k];
        }
        return out;
    }
}
