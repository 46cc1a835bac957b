package io.chunkwise.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ChainProgram} compiled for its shape (how many ops, each op's code and its operands' kinds): a class of
 * its own per shape, in which the ops are constants, so that its loop carries no dispatch. The generic chain loop
 * ({@code VectorChain}) tests the op and the operand kinds of every op for every vector; that cost, and writing the
 * values to a window that the sum then read, ran {@code (x*x+10).sum()} at about half of memory speed (see
 * {@code bench/RESULTS.md}).
 *
 * <p>The classes are hidden classes defined at run time from the bytes of one template, {@link ChainKernelTemplate},
 * each with its shape as class data, which the template reads into static finals: the JIT folds those as constants,
 * so in each class the tests on them fold away and only the shape's own vector ops remain. Classes are cached by
 * shape ({@link #MAX_SHAPES} at most); the inputs' indices and the constants are fields of each instance (one per
 * expression), so {@code x*x+10} and {@code x*x+11} share a class.
 *
 * <p>A kernel's values are bit for bit those of the generic chain (the same vector ops, in the same order), and its
 * {@link #leafSums} add them in the order of {@link Loops#leafSum}, so a fused sum equals the sum of the computed
 * chunk.
 */
abstract class ChainKernel {
    private static final Logger LOG = LoggerFactory.getLogger(ChainKernel.class);
    /** Most ops of a chain that gets a kernel; longer chains run the generic loop. */
    static final int MAX_OPS = 4;
    /** Most shapes (of either width) that get a class of their own; later shapes run the generic loop. */
    static final int MAX_SHAPES = 512;
    private static final Map<List<Integer>, MethodHandle> CONSTRUCTORS = new ConcurrentHashMap<>();
    private static volatile byte[] template;
    private static volatile boolean broken;

    /**
     * {@code sums[k]} for {@code from <= k < to}: the sum of the chain's values at positions {@code [off[k], off[k] +
     * len[k])} in the order of one leaf of {@link Loops#sum} (each {@code len[k]} a multiple of {@link Loops#LANES},
     * at most {@link Loops#LEAF}); input {@code i}'s value at position {@code p} is {@code in[i][p]}. The values are
     * not written anywhere.
     *
     * <p>The loop over the leaves is the kernel's own, not the caller's: a leaf's vector code inlined into a larger
     * method (the pairwise recursion, with the other leaf loops) was seen compiled without the Vector API's
     * intrinsics now and then, ten times slower; here it is compiled with its shape's class only.
     */
    abstract void leafSums(double[][] in, int[] off, int[] len, int from, int to, double[] sums);

    /**
     * The kernel of {@code program}'s shape, with its inputs and constants, computing {@code width} lanes a vector (4
     * or 8: the sixteen lanes of a row in four vectors or two, the same values and sums either way; 8 only pays where
     * the CPU has 512-bit vectors), or null where it has none (too many ops, too many shapes, or the class could not be
     * defined: logged once, the generic loop runs instead). Only the Vector API loops call this: the template links
     * against {@code jdk.incubator.vector}.
     */
    static ChainKernel of(ChainProgram program, int width) {
        if (width != 4 && width != 8) throw new IllegalArgumentException("a chain kernel computes 4 or 8 lanes a vector, not " + width);
        if (program.length() > MAX_OPS || broken) return null;
        List<Integer> shape = shape(program, width);
        MethodHandle constructor = CONSTRUCTORS.get(shape);
        try {
            if (constructor == null) {
                if (CONSTRUCTORS.size() >= MAX_SHAPES) return null;
                constructor = CONSTRUCTORS.computeIfAbsent(shape, ChainKernel::define);
            }
            return (ChainKernel) constructor.invoke(program);
        } catch (Throwable e) {
            if (e instanceof Error err && !(e instanceof LinkageError)) throw err;
            broken = true;
            LOG.warn("Chained expressions cannot be compiled per shape here ({}); they run the generic chain loop", e.toString());
            return null;
        }
    }

    /**
     * {@code (m, op, aKind, bKind of each op, width)}, the ops padded to {@link #MAX_OPS}: the template's class data. A
     * second operand that reads the first one's input ({@code x * x}) is NONE: the first operand's vector, loaded once.
     */
    private static List<Integer> shape(ChainProgram p, int width) {
        Integer[] s = new Integer[1 + 3 * MAX_OPS + 1];
        Arrays.fill(s, ChainProgram.NONE);
        s[0] = p.length();
        for (int k = 0; k < p.length(); k++) {
            boolean sameInput = p.aKind[k] == ChainProgram.INPUT && p.bKind[k] == ChainProgram.INPUT && p.aInput[k] == p.bInput[k];
            s[1 + 3 * k] = p.op[k];
            s[2 + 3 * k] = p.aKind[k];
            s[3 + 3 * k] = sameInput ? ChainProgram.NONE : p.bKind[k];
        }
        s[1 + 3 * MAX_OPS] = width;
        return List.of(s);
    }

    private static MethodHandle define(List<Integer> shape) {
        try {
            int[] data = shape.stream().mapToInt(Integer::intValue).toArray();
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClassWithClassData(templateBytes(), data, true);
            return lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class, ChainProgram.class))
                    .asType(MethodType.methodType(ChainKernel.class, ChainProgram.class));
        } catch (ReflectiveOperationException | IOException e) {
            throw new IllegalStateException("cannot define a chain kernel for shape " + shape, e);
        }
    }

    private static byte[] templateBytes() throws IOException {
        byte[] bytes = template;
        if (bytes == null) {
            String name = "ChainKernelTemplate.class";
            try (InputStream in = ChainKernel.class.getResourceAsStream(name)) {
                if (in == null) throw new IOException(name + " is not on the class path");
                template = bytes = in.readAllBytes();
            }
        }
        return bytes;
    }
}
