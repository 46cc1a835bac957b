package io.chunkwise.io;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Arrow IPC files written directly with Arrow Java, not through {@link ArrowFiles}: for files that are valid Arrow
 * but not what Chunkwise writes (no metadata, wrong columns, batches that do not match the grid, nulls).
 */
final class ArrowBytes {
    private ArrowBytes() {}

    static ArrowType float64() { return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE); }

    static ArrowType int32() { return new ArrowType.Int(32, true); }

    /** Chunkwise's schema metadata for a layout. */
    static Map<String, String> meta(String dtype, String shape, String chunks) {
        return Map.of("chunkwise.format", "1", "chunkwise.dtype", dtype, "chunkwise.shape", shape, "chunkwise.chunks", chunks);
    }

    /**
     * Writes columns of {@code type} (named {@code names}) with {@code meta}; each batch is one {@code Double[]} per
     * column ({@code null} elements are nulls), converted to the column's type.
     */
    static void write(Path file, List<String> names, ArrowType type, Map<String, String> meta, List<Double[][]> batches,
                      boolean stream) throws IOException {
        List<Field> fields = names.stream().map(n -> new Field(n, FieldType.nullable(type), null)).toList();
        Schema schema = new Schema(fields, meta);
        try (BufferAllocator alloc = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            OutputStream os = Channels.newOutputStream(ch);
            if (stream) {
                try (ArrowStreamWriter w = new ArrowStreamWriter(root, null, os)) {
                    w.start();
                    writeBatches(root, batches, w::writeBatch);
                    w.end();
                }
            } else {
                try (ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
                    w.start();
                    writeBatches(root, batches, w::writeBatch);
                    w.end();
                }
            }
        }
    }

    private interface BatchWrite {
        void run() throws IOException;
    }

    private static void writeBatches(VectorSchemaRoot root, List<Double[][]> batches, BatchWrite write) throws IOException {
        for (Double[][] batch : batches) {
            int n = batch.length == 0 ? 0 : batch[0].length;
            for (int c = 0; c < root.getFieldVectors().size(); c++) fill(root.getVector(c), batch[c]);
            root.setRowCount(n);
            write.run();
        }
    }

    private static void fill(FieldVector v, Double[] values) {
        v.setInitialCapacity(values.length);
        v.allocateNew();
        for (int i = 0; i < values.length; i++) {
            Double x = values[i];
            if (x == null) {
                v.setNull(i);
                continue;
            }
            switch (v) {
                case Float8Vector f -> f.set(i, x);
                case Float4Vector f -> f.set(i, x.floatValue());
                case BigIntVector f -> f.set(i, x.longValue());
                case IntVector f -> f.set(i, x.intValue());
                case BitVector f -> f.set(i, x != 0 ? 1 : 0);
                default -> throw new IllegalArgumentException(v.getClass().getName());
            }
        }
        v.setValueCount(values.length);
    }

    /** The record batch blocks (offsets and lengths in the file) that the footer of {@code file} lists. */
    static List<ArrowBlock> blocks(Path file) throws IOException {
        try (BufferAllocator alloc = new RootAllocator();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader r = new ArrowFileReader(ch, alloc)) {
            return r.getRecordBlocks();
        }
    }
}
