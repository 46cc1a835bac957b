package io.chunkwise.io;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.ShapeMismatchException;
import io.chunkwise.reference.ReferenceBackend;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrowVectorsTest {
    @Test
    void vectorsBecomeChunksAndChunksBecomeVectors() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        try (Chunkwise cw = Chunkwise.builder().threads(2).backend(new ReferenceBackend()).build();
             BufferAllocator alloc = new RootAllocator();
             Float8Vector a = new Float8Vector("a", alloc);
             Float8Vector b = new Float8Vector("b", alloc)) {
            int na = 1 + rnd.nextInt(50), nb = rnd.nextInt(50);
            double[] expected = new double[na + nb];
            a.allocateNew(na);
            b.allocateNew(Math.max(nb, 1));
            for (int i = 0; i < na + nb; i++) {
                expected[i] = rnd.nextGaussian() * 1e3;
                if (i < na) a.set(i, expected[i]);
                else b.set(i - na, expected[i]);
            }
            a.setValueCount(na);
            b.setValueCount(nb);
            ChunkedArray x = cw.fromArrow(a, b);
            assertEquals(DType.FLOAT64, x.dtype(), "seed " + seed);
            assertArrayEquals(expected, x.compute().toDoubleArray(), "seed " + seed);

            List<FieldVector> back = cw.toArrow(x.mul(2.0).rechunk(7), alloc);
            try {
                int at = 0;
                for (FieldVector v : back) {
                    Float8Vector f = (Float8Vector) v;
                    for (int i = 0; i < f.getValueCount(); i++) assertEquals(2 * expected[at++], f.get(i), "seed " + seed);
                }
                assertEquals(expected.length, at, "seed " + seed);
                assertEquals((expected.length + 6) / 7, back.size());
            } finally {
                back.forEach(FieldVector::close);
            }
        }
    }

    @Test
    void foreignTypesNullsAndShapesAreRefused() {
        try (Chunkwise cw = Chunkwise.builder().threads(1).backend(new ReferenceBackend()).build();
             BufferAllocator alloc = new RootAllocator();
             VarCharVector s = new VarCharVector("names", alloc);
             IntVector n = new IntVector("n", alloc)) {
            s.allocateNew();
            s.setValueCount(0);
            DTypeException e = assertThrows(DTypeException.class, () -> cw.fromArrow(s));
            assertTrue(e.getMessage().contains("names"), e.getMessage());
            n.allocateNew(2);
            n.set(0, 4);
            n.setNull(1);
            n.setValueCount(2);
            assertThrows(InvalidArgumentException.class, () -> cw.fromArrow(n));
            ChunkedArray m = cw.ones(DType.INT32, new long[]{2, 2}, new int[]{1, 2});
            assertThrows(ShapeMismatchException.class, () -> cw.toArrow(m, alloc));
        }
    }
}
