package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.ReduceOp;

import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA C sources of the reductions of the {@link ReduceOp} table (cuda-kernels' {@code reduction.cu.template} and
 * {@code chunkwise_reduce.cuh}): per op and dtype, a partial (one thread per output, its line in the CPU backend's
 * order), a combine (one thread per position, the partials folded in list order) and a finish. The partials hold
 * what cpu-backend's {@code Reductions} holds, part for part: {@code (value)} for SUM, PROD, MIN, MAX (FLOAT64 for
 * floating input, else INT64, wrapping), {@code (count INT64, mean FLOAT64, M2 FLOAT64)} for MEAN, VAR, STD and
 * {@code (value, index INT64)} for ARGMIN, ARGMAX, so a partial of either backend combines with the other's.
 * Sizes, strides and the layout are parameters: a kernel depends on the op, the dtypes and the merged ranks only,
 * which are its cache key.
 *
 * <p>Bits: every partial, combine and finish is cpu-backend's, for every op and dtype, because each position's values
 * are folded in its order with the same IEEE double operations (add, multiply, divide and sqrt rounded to nearest,
 * no contraction: NVRTC's {@code --fmad=false}); only a NaN's payload may differ (min and max keep whichever NaN they
 * meet). Sums, products, minima and maxima of integers wrap or are exact, so they do not depend on the order anyway.
 * The reference backend's float sums are compensated, so they differ from both in the last bits.
 */
final class ReductionKernelSource {
    static final String TEMPLATE = "reduction.cu.template";

    private ReductionKernelSource() {}

    /** A kernel's cache key, its name and source, and its parameters as declared. */
    record Kernel(String key, String name, String source, List<String> params) {
        GeneratedKernels.Program program() { return new GeneratedKernels.Program(name, source); }
    }

    /** Whether the partial of {@code op} over {@code input} values is kept in double (else in wrapping long). */
    static boolean floating(ReduceOp op, DType input) { return input.isFloating() || op.isMoment(); }

    /** The dtypes of a partial's parts. */
    static List<DType> parts(ReduceOp op, boolean floating) {
        DType value = floating ? DType.FLOAT64 : DType.INT64;
        if (op.isMoment()) return List.of(DType.INT64, DType.FLOAT64, DType.FLOAT64);
        if (op.isArg()) return List.of(value, DType.INT64);
        return List.of(value);
    }

    /** Cache key of a partial kernel, which decides its source. */
    static String partialKey(ReduceOp op, DType input, int keptRank, int lineRank) {
        return "reduce partial " + op + " " + input.numpyName() + " kept " + keptRank + " line " + lineRank;
    }

    /**
     * The partial of {@code op} over a chunk of {@code input}: parameters {@code in}, the parts, then the 64-bit
     * words of {@link #partialArgs}.
     */
    static Kernel partial(ReduceOp op, DType input, int keptRank, int lineRank) {
        boolean fl = floating(op, input);
        String v = fl ? "double" : "long long";
        String name = "chunkwise_reduce_" + lower(op) + "_" + input.numpyName() + "_k" + keptRank + "l" + lineRank;
        List<String> params = new ArrayList<>();
        params.add("const " + FusedKernelSource.storage(input) + "* __restrict__ in");
        List<DType> parts = parts(op, fl);
        for (int p = 0; p < parts.size(); p++) params.add(ctype(parts.get(p)) + "* __restrict__ out" + p);
        for (String s : List.of("n", "lineLength", "mode", "rowsWidth", "argOffset")) params.add("long long " + s);
        for (int k = 0; k < keptRank; k++) params.add("long long kd" + k);
        for (int k = 0; k < keptRank; k++) params.add("long long ks" + k);
        for (int k = 0; k < lineRank; k++) params.add("long long ld" + k);
        for (int k = 0; k < lineRank; k++) params.add("long long ls" + k);

        String body = locate("q", keptRank, lineRank, v) + partialBody(op, fl);
        return kernel(partialKey(op, input, keptRank, lineRank), name, params, body);
    }

    /**
     * The statements that place output {@code pos}'s line: {@code base}, the loader {@code x(t)}, {@code len} and
     * {@code rows} (the rows layout's block for this output).
     */
    static String locate(String pos, int keptRank, int lineRank, String v) {
        StringBuilder b = new StringBuilder();
        b.append("        long long r = ").append(pos).append(", base = 0;\n");
        for (int k = keptRank - 1; k >= 0; k--) {
            b.append("        { long long c = ").append(k == 0 ? "r" : "r % kd" + k).append(";");
            if (k > 0) b.append(" r /= kd").append(k).append(";");
            b.append(" base += c * ks").append(k).append("; }\n");
        }
        b.append("        auto x = [&](long long t) -> ").append(v).append(" {\n            long long r = t, o = base;\n");
        for (int k = lineRank - 1; k >= 0; k--) {
            b.append("            { long long c = ").append(k == 0 ? "r" : "r % ld" + k).append(";");
            if (k > 0) b.append(" r /= ld").append(k).append(";");
            b.append(" o += c * ls").append(k).append("; }\n");
        }
        b.append("            return (").append(v).append(") in[o];\n        };\n");
        b.append(lineOf(pos));
        return b.toString();
    }

    /** {@code len} and {@code rows} of output {@code pos}. */
    static String lineOf(String pos) {
        return "        const long long len = lineLength;\n"
                + "        const long long rows = mode == CW_ROWS ? cw_rows_per_block(" + pos + ", rowsWidth) : 0;\n"
                + "        (void) rows; (void) argOffset;\n";
    }

    /** The statements that reduce output {@code q}'s line {@code x(0 .. len)} into the parts. */
    private static String partialBody(ReduceOp op, boolean fl) {
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        if (op.isMoment()) {
            return "        cw_moments m = cw_line_moments(x, len, (int) mode, rows);\n"
                    + "        out0[q] = m.count; out1[q] = m.mean; out2[q] = m.m2;\n";
        }
        if (op.isArg()) { // a scan in order: the first of equals, the first NaN (after which nothing can win)
            String better = fl ? "cw_beats(v, best, " + max + ")" : max ? "v > best" : "v < best";
            String stop = fl ? " && !(at >= 0 && best != best)" : "";
            return "        " + (fl ? "double" : "long long") + " best = 0; long long at = -1;\n"
                    + "        for (long long t = 0; t < len" + stop + "; t++) {\n"
                    + "            " + (fl ? "double" : "long long") + " v = x(t);\n"
                    + "            if (at < 0 || " + better + ") { best = v; at = argOffset + t; }\n"
                    + "        }\n"
                    + "        out0[q] = " + (fl ? "at < 0 ? cw_nan() : best" : "best") + "; out1[q] = at;\n";
        }
        if (fl) {
            return switch (op) {
                case SUM -> "        out0[q] = cw_line_sum(x, len, (int) mode, rows);\n";
                case PROD -> "        double p = 1.0;\n        for (long long t = 0; t < len; t++) p *= x(t);\n        out0[q] = p;\n";
                default -> "        double m = " + (max ? "-cw_inf()" : "cw_inf()") + ";\n"
                        + "        for (long long t = 0; t < len; t++) m = " + (max ? "cw_maximum" : "cw_minimum") + "(m, x(t));\n"
                        + "        out0[q] = m;\n";
            };
        }
        return switch (op) { // wrapping, in unsigned arithmetic (signed overflow is undefined in C)
            case SUM -> "        unsigned long long s = 0;\n        for (long long t = 0; t < len; t++) s += (unsigned long long) x(t);\n"
                    + "        out0[q] = (long long) s;\n";
            case PROD -> "        unsigned long long p = 1;\n        for (long long t = 0; t < len; t++) p *= (unsigned long long) x(t);\n"
                    + "        out0[q] = (long long) p;\n";
            default -> "        long long m = " + (max ? "(long long) (1ULL << 63)" : "(long long) ~(1ULL << 63)") + ";\n"
                    + "        for (long long t = 0; t < len; t++) { long long v = x(t); if (" + (max ? "v > m" : "v < m") + ") m = v; }\n"
                    + "        out0[q] = m;\n";
        };
    }

    /**
     * The partial kernel's scalar words after the part pointers: {@code n} (outputs), the line's length, the layout,
     * the rows layout's width, the arg offset, the kept axes' lengths and strides, the line's lengths and strides.
     */
    static long[] partialArgs(ReductionGeometry g, long argAxisOffset) {
        int kr = g.kept().rank(), lr = g.line().rank();
        long[] out = new long[5 + 2 * kr + 2 * lr];
        out[0] = g.outputs();
        out[1] = g.lineLength();
        out[2] = g.mode();
        out[3] = g.rowsWidth();
        out[4] = argAxisOffset;
        for (int k = 0; k < kr; k++) {
            out[5 + k] = g.kept().dims()[k];
            out[5 + kr + k] = g.kept().strides()[0][k];
        }
        for (int k = 0; k < lr; k++) {
            out[5 + 2 * kr + k] = g.line().dims()[k];
            out[5 + 2 * kr + lr + k] = g.line().strides()[0][k];
        }
        return out;
    }

    static String combineKey(ReduceOp op, boolean floating) {
        return "reduce combine " + op + (floating ? " double" : " long");
    }

    /**
     * The combine of {@code k} partials position by position, in their order (PartialMerge.combine): for each part
     * {@code p}, {@code in<p>} (a device array of the k partials' pointers) and {@code out<p>}; then {@code n, k}.
     */
    static Kernel combine(ReduceOp op, boolean floating) {
        List<DType> parts = parts(op, floating);
        List<String> params = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            String t = ctype(parts.get(p));
            params.add("const " + t + "* const* __restrict__ in" + p);
            params.add(t + "* __restrict__ out" + p);
        }
        params.add("long long n");
        params.add("long long k");
        String v = floating ? "double" : "long long";
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        String body;
        if (op.isMoment()) {
            body = "        cw_moments m = {in0[0][q], in1[0][q], in2[0][q]};\n"
                    + "        for (long long j = 1; j < k; j++) cw_add_moments(m, in0[j][q], in1[j][q], in2[j][q]);\n"
                    + "        out0[q] = m.count; out1[q] = m.mean; out2[q] = m.m2;\n";
        } else if (op.isArg()) { // the earlier index on ties; a partial without an element (-1) changes nothing
            String better = floating ? "cw_beats(y, x, " + max + ")" : max ? "y > x" : "y < x";
            body = "        " + v + " x = in0[0][q]; long long ix = in1[0][q];\n"
                    + "        for (long long j = 1; j < k; j++) {\n"
                    + "            " + v + " y = in0[j][q]; long long iy = in1[j][q];\n"
                    + "            if (iy < 0 || (ix >= 0 && !(" + better + "))) continue;\n"
                    + "            x = y; ix = iy;\n"
                    + "        }\n"
                    + "        out0[q] = x; out1[q] = ix;\n";
        } else {
            String fold = switch (op) {
                case SUM -> floating ? "a += b" : "a = (long long) ((unsigned long long) a + (unsigned long long) b)";
                case PROD -> floating ? "a *= b" : "a = (long long) ((unsigned long long) a * (unsigned long long) b)";
                case MIN -> floating ? "a = cw_minimum(a, b)" : "a = b < a ? b : a";
                default -> floating ? "a = cw_maximum(a, b)" : "a = b > a ? b : a";
            };
            body = "        " + v + " a = in0[0][q];\n"
                    + "        for (long long j = 1; j < k; j++) { " + v + " b = in0[j][q]; " + fold + "; }\n"
                    + "        out0[q] = a;\n";
        }
        String name = "chunkwise_reduce_combine_" + lower(op) + (floating ? "_double" : "_long");
        return kernel(combineKey(op, floating), name, params, body);
    }

    static String finishKey(ReduceOp op, boolean floating, DType result) {
        return "reduce finish " + op + (floating ? " double " : " long ") + result.numpyName();
    }

    /** The finish (PartialMerge.finish): {@code in<p>} per part, {@code out} of {@code result}, then {@code n}. */
    static Kernel finish(ReduceOp op, boolean floating, DType result) {
        List<DType> parts = parts(op, floating);
        List<String> params = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) params.add("const " + ctype(parts.get(p)) + "* __restrict__ in" + p);
        params.add(FusedKernelSource.storage(result) + "* __restrict__ out");
        params.add("long long n");
        String body;
        if (op.isMoment()) { // NaN for no element, as NumPy's mean and var of nothing
            String value = switch (op) {
                case MEAN -> "in0[q] == 0 ? cw_nan() : in1[q]";
                case VAR -> "in2[q] / (double) in0[q]";
                default -> "sqrt(in2[q] / (double) in0[q])";
            };
            body = "        const double v = " + value + ";\n        out[q] = " + fromDouble(result, "v") + ";\n";
        } else if (op.isArg()) {
            body = "        out[q] = " + fromLong(result, "in1[q]") + ";\n";
        } else {
            body = "        out[q] = " + (floating ? fromDouble(result, "in0[q]") : fromLong(result, "in0[q]")) + ";\n";
        }
        String name = "chunkwise_reduce_finish_" + lower(op) + (floating ? "_double_" : "_long_") + result.numpyName();
        return kernel(finishKey(op, floating, result), name, params, body);
    }

    /** A double stored as {@code t}, as cpu-backend's PartialMerge.convert casts it (TileOps.cast). */
    private static String fromDouble(DType t, String v) {
        return switch (t) {
            case FLOAT64 -> v;
            case FLOAT32 -> "(float) " + v;
            case INT64 -> "cw_to_int64(" + v + ").v";
            case INT32 -> "(int) cw_to_int32(" + v + ").v";
            case BOOL -> "(unsigned char) (" + v + " != 0.0 ? 1 : 0)";
        };
    }

    /** A long stored as {@code t} (a long rounds to float directly; INT32 wraps; BOOL is non-zero). */
    private static String fromLong(DType t, String v) {
        return switch (t) {
            case FLOAT64 -> "(double) " + v;
            case FLOAT32 -> "(float) " + v;
            case INT64 -> v;
            case INT32 -> "(int) " + v;
            case BOOL -> "(unsigned char) (" + v + " != 0 ? 1 : 0)";
        };
    }

    static Kernel kernel(String key, String name, List<String> params, String body) {
        String source = GeneratedKernels.template(TEMPLATE)
                .replace("@NAME@", name)
                .replace("@PARAMS@", String.join(", ", params))
                .replace("@BODY@", body.stripTrailing());
        return new Kernel(key, name, source, List.copyOf(params));
    }

    static String ctype(DType part) { return part == DType.FLOAT64 ? "double" : "long long"; }

    static String lower(ReduceOp op) { return op.name().toLowerCase(java.util.Locale.ROOT); }
}
