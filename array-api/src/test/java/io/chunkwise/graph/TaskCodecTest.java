package io.chunkwise.graph;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.Slice;
import io.chunkwise.WireFormatException;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Expr;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Array;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The task codec round-trips every permitted subtype of the sealed {@link TaskOp} and {@link Expr} hierarchies
 * (found by reflection, so a new op cannot be added without its codec), whole graphs, and refuses malformed input
 * with {@link WireFormatException} only.
 */
class TaskCodecTest {
    private static final long SEED = Long.getLong("chunkwise.test.seed", System.nanoTime());

    /** The record classes under a sealed interface, walking sealed sub-interfaces. */
    private static List<Class<?>> records(Class<?> sealed) {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isRecord()) out.add(c);
            else out.addAll(records(c));
        }
        return out;
    }

    @Test
    void everyTaskOpRoundTrips() {
        Random r = new Random(SEED);
        List<Class<?>> ops = records(TaskOp.class);
        Set<String> seen = new TreeSet<>();
        for (Class<?> c : ops) {
            for (int i = 0; i < 25; i++) {
                TaskOp op = (TaskOp) sample(c, c, r, 0);
                TaskOp back = TaskCodec.decodeOp(TaskCodec.encode(op));
                assertDeepEquals(op, back, "seed " + SEED + ": " + c.getSimpleName());
                seen.add(back.getClass().getSimpleName());
            }
        }
        // the walk found the hierarchy, and each kind came back as itself
        assertEquals(ops.stream().map(Class::getSimpleName).collect(java.util.stream.Collectors.toCollection(TreeSet::new)), seen);
        assertTrue(seen.containsAll(Set.of("Scattered", "Persisted", "Read", "Elementwise", "ReducePartial", "Matmul", "Assemble", "MapBlocks")), seen::toString);
    }

    @Test
    void everyExprRoundTrips() {
        Random r = new Random(SEED);
        for (Class<?> c : records(Expr.class)) {
            for (int i = 0; i < 50; i++) {
                Expr e = (Expr) sample(c, c, r, 0);
                assertDeepEquals(e, TaskCodec.decodeExpr(TaskCodec.encode(e)), "seed " + SEED + ": " + c.getSimpleName());
            }
        }
    }

    /** A graph with every kind of layer a user makes: sources, persisted chunks, a file, views, reductions, matmul, mapBlocks. */
    static TaskGraph mixedGraph(Chunkwise cw, java.nio.file.Path dir) {
        ChunkedArray x = cw.fromArray(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, new long[]{3, 4}, new int[]{2, 3});
        ChunkedArray p = cw.random(7).normal(0, 1, new long[]{3, 4}, new int[]{3, 2}).persist();
        cw.writeNpy(x, dir.resolve("x.npy"));
        ChunkedArray f = cw.readNpy(dir.resolve("x.npy"), new int[]{1, 4});
        ChunkedArray y = x.add(p).mul(f).mapBlocks((b, i) -> b).slice(Slice.range(2, 0, -1), Slice.all());
        ChunkedArray z = ChunkedArray.concatenate(0, y, x.rechunk(1, 1)).sum(0).add(x.transpose().matmul(x).sum(1));
        Node root = Optimizer.optimize(z.node());
        List<int[]> all = new ArrayList<>();
        root.chunks().forEachIndex(all::add);
        return GraphBuilder.build(root, all);
    }

    @Test
    void graphsRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (Chunkwise cw = Chunkwise.builder().backend(new ReferenceBackend()).threads(1).build()) {
            TaskGraph g = mixedGraph(cw, dir);
            TaskGraph back = TaskCodec.decodeGraph(TaskCodec.encode(g));
            assertEquals(g.size(), back.size());
            for (int i = 0; i < g.size(); i++) {
                assertEquals(g.task(i).key(), back.task(i).key());
                assertEquals(g.task(i).deps(), back.task(i).deps());
                assertDeepEquals(g.task(i).op(), back.task(i).op(), "task " + i);
                Task one = TaskCodec.decodeTask(TaskCodec.encode(g.task(i)));
                assertEquals(g.task(i).key(), one.key());
                assertEquals(g.task(i).deps(), one.deps());
                assertDeepEquals(g.task(i).op(), one.op(), "task " + i + " alone");
            }
            assertEquals(g.outputs(), back.outputs());
            Set<String> kinds = new TreeSet<>();
            for (int i = 0; i < g.size(); i++) kinds.add(g.task(i).op().getClass().getSimpleName());
            assertTrue(kinds.containsAll(Set.of("Scattered", "Persisted", "Read", "MapBlocks", "Assemble", "Matmul")), kinds::toString);
        }
    }

    @Test
    void malformedEncodingsGetTheLibrarysOwnError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        byte[] good;
        try (Chunkwise cw = Chunkwise.builder().backend(new ReferenceBackend()).threads(1).build()) {
            good = TaskCodec.encode(mixedGraph(cw, dir));
        }
        Random r = new Random(SEED);
        int refused = 0;
        for (int cut = 0; cut < good.length; cut += 1 + good.length / 400) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(WireFormatException.class, () -> TaskCodec.decodeGraph(truncated), "truncated at " + cut);
        }
        for (int trial = 0; trial < 3000; trial++) {
            byte[] bad = good.clone();
            for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                int at = r.nextInt(bad.length);
                bad[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : (bad[at] ^ (0x80 >> r.nextInt(8))));
            }
            try {
                TaskCodec.decodeGraph(bad);
            } catch (WireFormatException e) {
                refused++;
            } catch (Throwable e) {
                fail("seed " + SEED + ", trial " + trial + ": a corrupt graph threw " + e, e);
            }
        }
        assertTrue(refused > 1000, "most corruptions are noticed: " + refused);
        // a declared length far beyond the bytes left is refused before anything is allocated
        byte[] huge = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(WireFormatException.class, () -> TaskCodec.decodeGraph(huge));
        assertThrows(WireFormatException.class, () -> TaskCodec.decodeOp(new byte[]{42}));
    }

    // ---- random values of the records' component types ----

    private static Object sample(Class<?> type, Type generic, Random r, int depth) {
        if (type == int.class) return r.nextInt(2000) - 1000;
        if (type == long.class) return r.nextLong();
        if (type == double.class) return r.nextInt(4) == 0 ? Double.NaN : r.nextGaussian() * 1e3;
        if (type == boolean.class) return r.nextBoolean();
        if (type == String.class) return "s" + Long.toHexString(r.nextLong()) + (r.nextBoolean() ? "-é" : "");
        if (type.isEnum()) return type.getEnumConstants()[r.nextInt(type.getEnumConstants().length)];
        if (type.isArray()) {
            int n = r.nextInt(5);
            Object a = Array.newInstance(type.getComponentType(), n);
            for (int i = 0; i < n; i++) Array.set(a, i, sample(type.getComponentType(), type.getComponentType(), r, depth + 1));
            return a;
        }
        if (type == List.class) {
            Class<?> element = (Class<?>) ((ParameterizedType) generic).getActualTypeArguments()[0];
            List<Object> l = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) l.add(sample(element, element, r, depth + 1));
            return l;
        }
        if (type == Expr.class) {
            List<Class<?>> kinds = records(Expr.class);
            // leaves only, deep down
            Class<?> k = depth > 4 ? List.of(Expr.Input.class, Expr.Const.class).get(r.nextInt(2)) : kinds.get(r.nextInt(kinds.size()));
            return sample(k, k, r, depth + 1);
        }
        if (type == TaskOp.Elementwise.class && depth > 0 && r.nextBoolean()) return null;   // ReducePartial's producer
        if (type.isRecord()) {
            RecordComponent[] cs = type.getRecordComponents();
            Object[] args = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                args[i] = sample(cs[i].getType(), cs[i].getGenericType(), r, depth + 1);
            }
            if (type == Expr.Input.class) args[0] = Math.abs((int) args[0]);
            try {
                return type.getDeclaredConstructor(types).newInstance(args);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("cannot make a " + type, e);
            }
        }
        throw new AssertionError("no sample for component type " + type + ": teach the test (and check the codec)");
    }

    /** Records compared component by component, arrays by content. */
    static void assertDeepEquals(Object a, Object b, String what) {
        if (a == null || b == null) {
            assertEquals(a, b, what);
            return;
        }
        assertEquals(a.getClass(), b.getClass(), what);
        if (a.getClass().isArray()) {
            assertEquals(Array.getLength(a), Array.getLength(b), what);
            for (int i = 0; i < Array.getLength(a); i++) assertDeepEquals(Array.get(a, i), Array.get(b, i), what + "[" + i + "]");
        } else if (a instanceof List<?> la) {
            List<?> lb = (List<?>) b;
            assertEquals(la.size(), lb.size(), what);
            for (int i = 0; i < la.size(); i++) assertDeepEquals(la.get(i), lb.get(i), what + "[" + i + "]");
        } else if (a.getClass().isRecord()) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                try {
                    assertDeepEquals(c.getAccessor().invoke(a), c.getAccessor().invoke(b), what + "." + c.getName());
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        } else if (a instanceof Double d) {
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) b), what);
        } else {
            assertEquals(a, b, what);
        }
    }
}
