package io.chunkwise.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The argument lists of the reduction kernels ({@link ReductionKernelSource}, {@link ReductionPiecesSource}) in
 * their parameters' order, over any representation of an argument: GpuBackend's launch pointers, and the C
 * expressions of the host build in the tests, so that the host build checks the order the device is given.
 */
final class ReductionLaunch {
    private ReductionLaunch() {}

    /** A partial: the chunk, the partial's parts, the scalar words. */
    static <P> List<P> partial(P in, List<P> parts, long[] words, LongFunction<P> word) {
        List<P> out = new ArrayList<>(List.of(in));
        out.addAll(parts);
        for (long w : words) out.add(word.apply(w));
        return out;
    }

    /** A pieces kernel: the chunk, the piece arrays, the scalar words. */
    static <P> List<P> pieces(P in, List<P> pieceArrays, long[] words, LongFunction<P> word) {
        return partial(in, pieceArrays, words, word);
    }

    /** A fold: the piece arrays, the partial's parts, the scalar words. */
    static <P> List<P> fold(List<P> pieceArrays, List<P> parts, long[] words, LongFunction<P> word) {
        List<P> out = new ArrayList<>(pieceArrays);
        out.addAll(parts);
        for (long w : words) out.add(word.apply(w));
        return out;
    }

    /** A combine: per part, the table of the partials' pointers and the output part; then n and the partials' count. */
    static <P> List<P> combine(List<P> tables, List<P> parts, long n, long k, LongFunction<P> word) {
        List<P> out = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            out.add(tables.get(p));
            out.add(parts.get(p));
        }
        out.add(word.apply(n));
        out.add(word.apply(k));
        return out;
    }

    /** A finish: the parts, the result, n. */
    static <P> List<P> finish(List<P> parts, P result, long n, LongFunction<P> word) {
        List<P> out = new ArrayList<>(parts);
        out.add(result);
        out.add(word.apply(n));
        return out;
    }
}
