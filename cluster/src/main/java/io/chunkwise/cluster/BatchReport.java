package io.chunkwise.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.chunkwise.WireFormatException;

import java.io.IOException;

/**
 * What a member reports for a {@link TaskBatch}, per task in the batch's order: the bytes its output holds in the
 * member's memory (0 where it failed), its output envelope where the batch asked for it, its run time, and for a
 * failed task the class and message of the exception (an exception never travels as an object). Also the chunk
 * bytes the batch read from other members.
 */
final class BatchReport implements IdentifiedDataSerializable {
    int[] positions;
    long[] outputBytes;
    long[] nanos;
    byte[][] outputs;
    String[] errorClass;
    String[] errorMessage;
    long remoteBytes;

    BatchReport() {}

    BatchReport(int n) {
        positions = new int[n];
        outputBytes = new long[n];
        nanos = new long[n];
        outputs = new byte[n][];
        errorClass = new String[n];
        errorMessage = new String[n];
    }

    @Override public int getFactoryId() { return ClusterSerialization.FACTORY_ID; }

    @Override public int getClassId() { return ClusterSerialization.BATCH_REPORT; }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeIntArray(positions);
        out.writeLongArray(outputBytes);
        out.writeLongArray(nanos);
        for (int i = 0; i < positions.length; i++) {
            out.writeByteArray(outputs[i]);
            out.writeString(errorClass[i]);
            out.writeString(errorMessage[i]);
        }
        out.writeLong(remoteBytes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        positions = in.readIntArray();
        outputBytes = in.readLongArray();
        nanos = in.readLongArray();
        if (positions == null || outputBytes == null || nanos == null || positions.length > TaskBatch.MAX_TASKS
                || outputBytes.length != positions.length || nanos.length != positions.length) {
            throw new WireFormatException("malformed batch report");
        }
        int n = positions.length;
        outputs = new byte[n][];
        errorClass = new String[n];
        errorMessage = new String[n];
        for (int i = 0; i < n; i++) {
            outputs[i] = in.readByteArray();
            errorClass[i] = in.readString();
            errorMessage[i] = in.readString();
        }
        remoteBytes = in.readLong();
    }
}
