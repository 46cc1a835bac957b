package io.chunkwise.gpu;

import io.chunkwise.DType;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.ReduceOp;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random reduction cases for the generated reduction kernels: every op of {@link ReduceOp} with every dtype, random
 * shapes (size-0 and length-1 axes, 0-d chunks) and axis sets (one axis for the arg reductions), lines long enough
 * to cross the CPU backend's blocks of 4096 and pairwise leaves of 1024, rows layouts wider than its groups of 128
 * outputs and tiles of 512, several chunks per case to combine, and values with NaN, infinities, -0.0 and ties.
 */
final class RandomReductionCases {
    /** A case: {@code inputs} (chunks of one shape) reduced over {@code axes}, combined in order, finished as {@code result}. */
    record Case(ReduceOp op, DType dtype, int[] shape, boolean[] axes, long argOffset, List<HostBlock> inputs, DType result) {
        int[] finishShape() {
            int kept = 0;
            for (boolean a : axes) if (!a) kept++;
            int[] out = new int[kept];
            for (int a = 0, k = 0; a < shape.length; a++) if (!axes[a]) out[k++] = shape[a];
            return out;
        }
    }

    private final Random random;

    RandomReductionCases(long seed) { random = new Random(seed); }

    /** {@code perPair} random cases for every op and dtype, then the layouts that need large chunks. */
    List<Case> all(int perPair) {
        List<Case> out = new ArrayList<>();
        for (ReduceOp op : ReduceOp.values()) {
            for (DType t : DType.values()) {
                for (int i = 0; i < perPair; i++) out.add(next(op, t, randomShape(op.isArg())));
                // the large layouts, for every pair: a whole line of several blocks, long lines, wide rows
                out.add(next(op, t, new int[]{9000 + random.nextInt(300)}, new boolean[]{true}));
                out.add(next(op, t, new int[]{3, 5000 + random.nextInt(100)}, new boolean[]{false, true}));
                out.add(next(op, t, new int[]{20, 600}, new boolean[]{true, false}));
                if (!op.isArg()) out.add(next(op, t, new int[]{3, 37, 131}, new boolean[]{true, false, false}));
            }
        }
        return out;
    }

    private Case next(ReduceOp op, DType t, int[] shape) {
        boolean[] axes = new boolean[shape.length];
        if (op.isArg()) {
            if (shape.length > 0) axes[random.nextInt(shape.length)] = true;
        } else {
            for (int a = 0; a < axes.length; a++) axes[a] = random.nextBoolean();
        }
        return next(op, t, shape, axes);
    }

    private Case next(ReduceOp op, DType t, int[] shape, boolean[] axes) {
        int chunks = 1 + random.nextInt(3);
        boolean special = random.nextInt(3) == 0, ties = random.nextInt(3) == 0;
        List<HostBlock> inputs = new ArrayList<>();
        for (int c = 0; c < chunks; c++) inputs.add(values(t, shape, special, ties));
        DType result = random.nextInt(4) == 0 ? DType.values()[random.nextInt(DType.values().length)]
                : op.resultType(op.rule() == ReduceOp.Rule.SAME ? t : op.operandType(t));
        return new Case(op, t, shape, axes, random.nextInt(1000), inputs, result);
    }

    private int[] randomShape(boolean arg) {
        int rank = (arg ? 1 : 0) + random.nextInt(arg ? 4 : 5);
        int[] s = new int[rank];
        long size = 1;
        for (int a = 0; a < rank; a++) {
            int r = random.nextInt(10);
            s[a] = r == 0 ? 0 : r == 1 ? 1 : r < 7 ? 2 + random.nextInt(9) : 10 + random.nextInt(60);
            size *= Math.max(s[a], 1);
            if (size > 40_000) s[a] = 1;
        }
        return s;
    }

    private HostBlock values(DType t, int[] shape, boolean special, boolean ties) {
        HostBlock b = HostBlock.allocate(t, shape);
        int n = b.size();
        for (int i = 0; i < n; i++) {
            double v = ties ? random.nextInt(5) - 2 : random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3);
            if (special && random.nextInt(Math.max(300, n)) == 0) { // rare enough that most long lines stay finite
                double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e300, -1e300};
                v = odd[random.nextInt(odd.length)];
            }
            switch (b.data()) {
                case double[] a -> a[i] = v;
                case float[] a -> a[i] = (float) v;
                case long[] a -> a[i] = special ? random.nextLong() : (long) (ties ? v : random.nextInt(2001) - 1000);
                case int[] a -> a[i] = special ? random.nextInt() : (int) (ties ? v : random.nextInt(2001) - 1000);
                case byte[] a -> a[i] = (byte) (random.nextBoolean() ? 1 : 0);
                default -> throw new IllegalArgumentException();
            }
        }
        return b;
    }
}
