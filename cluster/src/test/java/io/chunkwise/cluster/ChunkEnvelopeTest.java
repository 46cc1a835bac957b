package io.chunkwise.cluster;

import io.chunkwise.DType;
import io.chunkwise.WireFormatException;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkEnvelopeTest {
    private static HostBlock block(DType t, int[] shape, long seed) {
        HostBlock h = HostBlock.allocate(t, shape);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < h.size(); i++) {
            switch (t) {
                case FLOAT64 -> h.doubles()[i] = i == 0 ? Double.NaN : r.nextDouble(-1e300, 1e300);
                case FLOAT32 -> h.floats()[i] = i == 0 ? Float.NEGATIVE_INFINITY : (float) r.nextDouble(-1e30, 1e30);
                case INT64 -> h.longs()[i] = r.nextLong();
                case INT32 -> h.ints()[i] = r.nextInt();
                case BOOL -> h.bools()[i] = (byte) r.nextInt(2);
            }
        }
        return h;
    }

    private static void assertSame(HostBlock want, Block got) {
        HostBlock h = assertInstanceOf(HostBlock.class, got);
        assertEquals(want.dtype(), h.dtype());
        assertArrayEquals(want.shape(), h.shape());
        switch (want.dtype()) {   // bit for bit, NaN payloads included
            case FLOAT64 -> assertArrayEquals(Arrays.stream(want.doubles()).mapToLong(Double::doubleToRawLongBits).toArray(),
                    Arrays.stream(h.doubles()).mapToLong(Double::doubleToRawLongBits).toArray());
            case FLOAT32 -> {
                for (int i = 0; i < h.size(); i++) assertEquals(Float.floatToRawIntBits(want.floats()[i]), Float.floatToRawIntBits(h.floats()[i]));
            }
            case INT64 -> assertArrayEquals(want.longs(), h.longs());
            case INT32 -> assertArrayEquals(want.ints(), h.ints());
            case BOOL -> assertArrayEquals(want.bools(), h.bools());
        }
    }

    /**
     * A block decoded straight into its place in a larger array (rows of a row-major array, or a transposed place whose
     * inner stride is not 1) writes what decoding and copying it writes, and nothing else; a block of another dtype or
     * shape, a partial, or a corrupt envelope writes nothing.
     */
    @Test
    void blocksDecodeStraightIntoTheirPlace() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            DType t = DType.values()[r.nextInt(DType.values().length)];
            int nd = r.nextInt(4);
            int[] shape = new int[nd], outer = new int[nd], at = new int[nd];
            for (int a = 0; a < nd; a++) {
                shape[a] = r.nextInt(7);
                at[a] = r.nextInt(4);
                outer[a] = at[a] + shape[a] + r.nextInt(3);
            }
            boolean transposed = nd > 1 && r.nextBoolean();
            int[] strides = new int[nd];
            for (int a = nd - 1, s = 1; a >= 0; a--) {   // row-major strides of outer, or column-major ones
                int axis = transposed ? nd - 1 - a : a;
                strides[axis] = s;
                s *= outer[axis];
            }
            int offset = 0;
            for (int a = 0; a < nd; a++) offset += at[a] * strides[a];
            HostBlock array = block(t, new int[]{Math.max(1, io.chunkwise.Shapes.size(outer))}, trial);
            HostBlock want = block(t, array.shape(), trial);
            HostBlock chunk = block(t, shape, 1000 + trial);
            io.chunkwise.spi.HostCopy.copy(chunk.data(), 0, io.chunkwise.Shapes.strides(shape), want.data(), offset, strides, shape);
            var target = new io.chunkwise.scheduler.Scheduler.Target(array, offset, strides, shape);
            ChunkEnvelope.decodeInto(ChunkEnvelope.encode(chunk), target);
            assertSame(want, array);
        }
        HostBlock array = block(DType.FLOAT64, new int[]{12}, 5), before = block(DType.FLOAT64, new int[]{12}, 5);
        var target = new io.chunkwise.scheduler.Scheduler.Target(array, 2, new int[]{4, 1}, new int[]{2, 3});
        byte[] corrupt = ChunkEnvelope.encode(block(DType.FLOAT64, new int[]{2, 3}, 6));
        corrupt[20] ^= 1;
        for (byte[] wrong : new byte[][]{ChunkEnvelope.encode(block(DType.FLOAT32, new int[]{2, 3}, 6)), ChunkEnvelope.encode(block(DType.FLOAT64, new int[]{3, 2}, 6)),
                ChunkEnvelope.encode(new Partial(new HostBlock[]{block(DType.FLOAT64, new int[]{2, 3}, 6)})), corrupt}) {
            assertThrows(WireFormatException.class, () -> ChunkEnvelope.decodeInto(wrong, target));
            assertSame(before, array);
        }
    }

    @Test
    void blocksAndPartialsRoundTripBitForBit() {
        int[][] shapes = {{}, {0}, {1}, {7}, {3, 0, 2}, {5, 4}, {2, 3, 4}};
        for (DType t : DType.values()) {
            for (int[] shape : shapes) {
                HostBlock h = block(t, shape, 7);
                assertSame(h, ChunkEnvelope.decode(ChunkEnvelope.encode(h)));
            }
        }
        Partial p = new Partial(block(DType.INT64, new int[]{3, 1}, 1), block(DType.FLOAT64, new int[]{3, 1}, 2), block(DType.FLOAT64, new int[]{3, 1}, 3));
        Partial q = assertInstanceOf(Partial.class, ChunkEnvelope.decode(ChunkEnvelope.encode(p)));
        assertEquals(3, q.parts().length);
        for (int i = 0; i < 3; i++) assertSame((HostBlock) p.parts()[i], q.parts()[i]);
    }

    @Test
    void theLayoutIsLittleEndianWithAChecksum() {
        byte[] e = ChunkEnvelope.encode(new HostBlock(DType.INT32, new int[]{2}, new int[]{1, 0x01020304}));
        ByteBuffer b = ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('C', e[0]);
        assertEquals('W', e[1]);
        assertEquals('C', e[2]);
        assertEquals('K', e[3]);
        assertEquals(4 + 4 + 4 + 1 + 8 + 4, e.length);
        assertEquals(2, b.getInt(8));                // shape
        assertEquals(DType.INT32.ordinal(), e[12]);
        assertEquals(0x01020304, b.getInt(17));      // second element, little-endian
    }

    @Test
    void corruptTruncatedAndOversizedEnvelopesGetNamedErrors() {
        byte[] good = ChunkEnvelope.encode(block(DType.FLOAT64, new int[]{4, 3}, 5));
        assertMessage(null, "null");
        assertMessage(new byte[5], "truncated");
        assertMessage(Arrays.copyOf(good, good.length - 1), "needs");
        byte[] flipped = good.clone();
        flipped[30] ^= 1;
        assertMessage(flipped, "checksum");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertMessage(magic, "magic");
        byte[] version = good.clone();
        version[4] = 9;
        assertMessage(version, "version");
        // a shape that claims 2^31 * 2^31 elements: refused before any allocation
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, Integer.MAX_VALUE).putInt(12, Integer.MAX_VALUE);
        assertMessage(huge, "oversized");
        // a shape that fits an int but not the bytes present
        byte[] big = good.clone();
        ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1 << 20);
        assertMessage(big, "needs");
        byte[] negative = good.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -4);
        assertMessage(negative, "negative");
        byte[] dtype = good.clone();
        dtype[16] = 42;
        assertMessage(dtype, "dtype");
        byte[] longer = Arrays.copyOf(good, good.length + 8);
        assertMessage(longer, "after its payload");
    }

    private static void assertMessage(byte[] bytes, String part) {
        WireFormatException e = assertThrows(WireFormatException.class, () -> ChunkEnvelope.decode(bytes));
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    /** Random corruption of valid envelopes: every outcome is a block or a WireFormatException, nothing else. */
    @Test
    void fuzzedEnvelopesDecodeOrFailWithAWireFormatError() {
        SplittableRandom r = new SplittableRandom(42);
        int failures = 0;
        for (int i = 0; i < 3000; i++) {
            DType t = DType.values()[r.nextInt(DType.values().length)];
            int[] shape = new int[r.nextInt(4)];
            for (int a = 0; a < shape.length; a++) shape[a] = r.nextInt(5);
            byte[] e = ChunkEnvelope.encode(block(t, shape, i));
            switch (r.nextInt(3)) {
                case 0 -> e[r.nextInt(e.length)] ^= (byte) (1 + r.nextInt(255));
                case 1 -> e = Arrays.copyOf(e, r.nextInt(e.length));
                default -> {
                    for (int k = 0; k < 4; k++) e[r.nextInt(e.length)] = (byte) r.nextInt(256);
                }
            }
            try {
                ChunkEnvelope.decode(e);
            } catch (WireFormatException expected) {
                failures++;
            }
        }
        assertTrue(failures > 2900, "almost every corruption is caught (CRC32C): " + failures + " of 3000");
    }
}
