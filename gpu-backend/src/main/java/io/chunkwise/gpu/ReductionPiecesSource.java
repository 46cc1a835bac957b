package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.ReduceOp;

import java.util.ArrayList;
import java.util.List;

/**
 * The two-kernel form of a reduction partial, for chunks with few outputs and long lines (a whole chunk's sum): a
 * pieces kernel, one thread per (output, piece of its line), then a fold kernel, one thread per output, that folds
 * the pieces as the CPU backend folds those same pieces, so that the partial keeps its bits. The pieces are the CPU
 * backend's own units: the 16 lanes of a whole float64 line's pairwise leaves (a leaf named by a grid of 256,
 * {@code cw_leaf_slot}; its lanes folded in halves by the fold), the
 * blocks of the lines layout (4096) and of the rows layout (4096 / group width rows), whose sums are cascaded and
 * whose moments are combined by Chan's formula; minima, maxima, integer sums and products and arg scans, which do not
 * depend on the split, go in pieces of 4096. A float product is one sequential scan, so it has no pieces.
 */
final class ReductionPiecesSource {
    private ReductionPiecesSource() {}

    /** Whether the partial of {@code op} over {@code input} values can be split into pieces (not a float product). */
    static boolean splits(ReduceOp op, DType input) {
        return !(op == ReduceOp.PROD && ReductionKernelSource.floating(op, input));
    }

    /**
     * Pieces per output: enough for the smallest piece of the layout (a rows block is at least 32 rows); a float sum
     * of a whole line or of blocks of 4096 has 16 pieces (lanes) per slot of 256 of each, 256 per block.
     */
    static long pieces(ReduceOp op, DType input, ReductionGeometry g) {
        boolean fl = ReductionKernelSource.floating(op, input);
        if (g.mode() == ReductionGeometry.WHOLE_PAIRWISE && op == ReduceOp.SUM) return Math.max(1, (g.lineLength() + 255) / 256) * 16;
        if (g.mode() == ReductionGeometry.BLOCKS && op == ReduceOp.SUM && fl) return Math.max(1, (g.lineLength() + 4095) / 4096) * 256;
        long step = g.mode() == ReductionGeometry.ROWS && (op.isMoment() || op == ReduceOp.SUM && fl) ? 32 : 4096;
        return Math.max(1, (g.lineLength() + step - 1) / step);
    }

    /** The pieces kernel's and the fold kernel's scalar words: {@link ReductionKernelSource#partialArgs}, then the pieces. */
    static long[] args(ReductionGeometry g, long argAxisOffset, long pieces, boolean forPieces) {
        long[] base = ReductionKernelSource.partialArgs(g, argAxisOffset);
        long[] out = java.util.Arrays.copyOf(base, base.length + 1);
        if (forPieces) out[0] = g.outputs() * pieces;
        out[base.length] = pieces;
        return out;
    }

    static String key(ReduceOp op, DType input, int keptRank, int lineRank, boolean forPieces) {
        return "reduce " + (forPieces ? "pieces " : "fold ") + op + " " + input.numpyName() + " kept " + keptRank + " line " + lineRank;
    }

    /** The statement that sets {@code step}, a piece's length along the line (for the pieces and the fold alike). */
    private static String step(ReduceOp op, boolean fl) {
        String s = op == ReduceOp.SUM && fl ? "mode == CW_ROWS ? rows : mode == CW_BLOCKS ? CW_RED_BLOCK : CW_LEAF_GRID"
                : op.isMoment() ? "mode == CW_ROWS ? rows : CW_RED_BLOCK" : "CW_RED_BLOCK";
        return "        const long long step = " + s + ";\n";
    }

    /** Parameters {@code in}, the piece arrays, the words of {@link #args}; piece {@code j} of output {@code out}. */
    static ReductionKernelSource.Kernel pieces(ReduceOp op, DType input, int keptRank, int lineRank) {
        boolean fl = ReductionKernelSource.floating(op, input);
        String v = fl ? "double" : "long long";
        List<String> params = new ArrayList<>();
        params.add("const " + FusedKernelSource.storage(input) + "* __restrict__ in");
        List<DType> parts = ReductionKernelSource.parts(op, fl);
        for (int p = 0; p < parts.size(); p++) params.add(ReductionKernelSource.ctype(parts.get(p)) + "* __restrict__ piece" + p);
        scalars(params, keptRank, lineRank);
        StringBuilder b = new StringBuilder("        const long long out = q / pieces, j = q % pieces;\n");
        b.append(ReductionKernelSource.locate("out", keptRank, lineRank, v)).append(step(op, fl));
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        if (op == ReduceOp.SUM && fl) { // a leaf's lane j holds its elements j, j + 16, ...: neighbouring threads read neighbours
            b.append("""
                    if (mode != CW_ROWS) { // segments: the whole line, or its blocks of 4096; 16 lanes per leaf slot
                        const long long per = mode == CW_WHOLE_PAIRWISE ? pieces : CW_BLOCK_PIECES;
                        const long long start = mode == CW_WHOLE_PAIRWISE ? 0 : j / per * CW_RED_BLOCK;
                        if (start >= len) continue;
                        const long long seg = mode == CW_WHOLE_PAIRWISE || len - start < CW_RED_BLOCK ? len - start : CW_RED_BLOCK;
                        const long long slot = j % per / CW_SUM_LANES, lane = j % CW_SUM_LANES, p = slot * CW_LEAF_GRID;
                        if (p >= seg) continue;
                        long long off, size;
                        cw_leaf_at(seg, p, off, size);
                        if (cw_leaf_slot(off) != slot) continue;
                        double sum = -0.0;
                        for (long long k = lane; k < size; k += CW_SUM_LANES) sum += x(start + off + k);
                        piece0[q] = sum;
                        continue;
                    }
                    const long long s = j * step;
                    if (s >= len) continue;
                    const long long m = len - s < step ? len - s : step;
                    double sum = 0.0;
                    for (long long k = 0; k < m; k++) sum += x(s + k);
                    piece0[q] = sum;
            """);
        } else if (op.isMoment() || op.isArg()) {
            b.append("        const long long s = j * step;\n");
            b.append("        if (s >= len) continue;\n        const long long m = len - s < step ? len - s : step;\n");
            if (op.isMoment()) {
                b.append("""
                        double mean, sq;
                        if (mode == CW_ROWS) {
                            mean = 0.0;
                            for (long long k = 0; k < m; k++) mean += x(s + k);
                            mean /= (double) m;
                            sq = 0.0;
                            for (long long k = 0; k < m; k++) { double d = x(s + k) - mean; sq += d * d; }
                        } else {
                            mean = cw_pairwise(x, s, m, false, 0.0) / (double) m;
                            sq = cw_pairwise(x, s, m, true, mean);
                        }
                        piece0[q] = m; piece1[q] = mean; piece2[q] = sq;
                """);
            } else {
                String better = fl ? "cw_beats(v, best, " + max + ")" : max ? "v > best" : "v < best";
                b.append("        ").append(v).append(" best = 0; long long at = -1;\n")
                        .append("        for (long long t = s; t < s + m").append(fl ? " && !(at >= 0 && best != best)" : "").append("; t++) {\n")
                        .append("            ").append(v).append(" v = x(t);\n")
                        .append("            if (at < 0 || ").append(better).append(") { best = v; at = argOffset + t; }\n")
                        .append("        }\n        piece0[q] = best; piece1[q] = at;\n");
            }
        } else { // the order does not matter: piece j takes every pieces-th element, so neighbouring threads read neighbours
            b.append("        (void) step;\n");
            b.append("        ").append(v).append(" a = ").append(identity(op, fl)).append(";\n")
                    .append("        for (long long t = j; t < len; t += pieces) { ").append(v).append(" b = x(t); ").append(fold(op, fl)).append("; }\n")
                    .append("        piece0[q] = a;\n");
        }
        String name = "chunkwise_reduce_pieces_" + ReductionKernelSource.lower(op) + "_" + input.numpyName() + "_k" + keptRank + "l" + lineRank;
        return ReductionKernelSource.kernel(key(op, input, keptRank, lineRank, true), name, params, b.toString());
    }

    /** Parameters: the piece arrays, the partial's parts, the words of {@link #args}; output {@code q}. */
    static ReductionKernelSource.Kernel fold(ReduceOp op, DType input, int keptRank, int lineRank) {
        boolean fl = ReductionKernelSource.floating(op, input);
        String v = fl ? "double" : "long long";
        List<String> params = new ArrayList<>();
        List<DType> parts = ReductionKernelSource.parts(op, fl);
        for (int p = 0; p < parts.size(); p++) params.add("const " + ReductionKernelSource.ctype(parts.get(p)) + "* __restrict__ piece" + p);
        for (int p = 0; p < parts.size(); p++) params.add(ReductionKernelSource.ctype(parts.get(p)) + "* __restrict__ out" + p);
        scalars(params, keptRank, lineRank);
        StringBuilder b = new StringBuilder("        (void) kd0; (void) ks0; (void) ld0; (void) ls0;\n");
        b.append(ReductionKernelSource.lineOf("q")).append(step(op, fl));
        b.append("        const long long first = q * pieces;\n");
        String each = "        for (long long s = 0, j = first; s < len; s += step, j++) ";
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        if (op == ReduceOp.SUM && fl) {
            b.append("""
                    if (mode == CW_WHOLE_PAIRWISE) {
                        out0[q] = cw_pairwise_of_lanes(piece0 + first, len);
                        continue;
                    }
                    cw_cascade c;
                    for (long long s = 0, j = first; s < len; s += step, j++) {
                        if (mode == CW_ROWS) {
                            c.push(piece0[j]);
                        } else {
                            const long long seg = len - s < CW_RED_BLOCK ? len - s : CW_RED_BLOCK;
                            c.push(cw_pairwise_of_lanes(piece0 + first + (s / CW_RED_BLOCK) * CW_BLOCK_PIECES, seg));
                        }
                    }
                    out0[q] = c.total();
            """);
        } else if (op.isMoment()) {
            b.append("        cw_moments m = {0, 0.0, 0.0};\n")
                    .append(each).append("cw_add_moments(m, piece0[j], piece1[j], piece2[j]);\n")
                    .append("        out0[q] = m.count; out1[q] = m.mean; out2[q] = m.m2;\n");
        } else if (op.isArg()) { // as a combine: the earlier index on ties, the first NaN
            String better = fl ? "cw_beats(y, best, " + max + ")" : max ? "y > best" : "y < best";
            b.append("        ").append(v).append(" best = 0; long long at = -1;\n")
                    .append(each).append("{\n            ").append(v).append(" y = piece0[j];\n")
                    .append("            if (at < 0 || ").append(better).append(") { best = y; at = piece1[j]; }\n        }\n")
                    .append("        out0[q] = ").append(fl ? "at < 0 ? cw_nan() : best" : "best").append("; out1[q] = at;\n");
        } else {
            b.append("        ").append(v).append(" a = ").append(identity(op, fl)).append(";\n")
                    .append(each).append("{ ").append(v).append(" b = piece0[j]; ").append(fold(op, fl)).append("; }\n")
                    .append("        out0[q] = a;\n");
        }
        String name = "chunkwise_reduce_fold_" + ReductionKernelSource.lower(op) + "_" + input.numpyName() + "_k" + keptRank + "l" + lineRank;
        return ReductionKernelSource.kernel(key(op, input, keptRank, lineRank, false), name, params, b.toString());
    }

    private static void scalars(List<String> params, int keptRank, int lineRank) {
        for (String s : List.of("n", "lineLength", "mode", "rowsWidth", "argOffset")) params.add("long long " + s);
        for (int k = 0; k < keptRank; k++) params.add("long long kd" + k);
        for (int k = 0; k < keptRank; k++) params.add("long long ks" + k);
        for (int k = 0; k < lineRank; k++) params.add("long long ld" + k);
        for (int k = 0; k < lineRank; k++) params.add("long long ls" + k);
        params.add("long long pieces");
    }

    /** The start of an order-independent fold (the CPU reducers' identities). */
    private static String identity(ReduceOp op, boolean fl) {
        return switch (op) {
            case SUM -> fl ? "0.0" : "0";
            case PROD -> fl ? "1.0" : "1";
            case MIN -> fl ? "cw_inf()" : "(long long) ~(1ULL << 63)";
            default -> fl ? "-cw_inf()" : "(long long) (1ULL << 63)";
        };
    }

    /** {@code a} folded with {@code b}: integers wrap (in unsigned arithmetic), floats as Java's Math.min/max. */
    private static String fold(ReduceOp op, boolean fl) {
        return switch (op) {
            case SUM -> "a = (long long) ((unsigned long long) a + (unsigned long long) b)";
            case PROD -> "a = (long long) ((unsigned long long) a * (unsigned long long) b)";
            case MIN -> fl ? "a = cw_minimum(a, b)" : "a = b < a ? b : a";
            default -> fl ? "a = cw_maximum(a, b)" : "a = b > a ? b : a";
        };
    }
}
