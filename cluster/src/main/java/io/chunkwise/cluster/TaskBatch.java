package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.chunkwise.WireFormatException;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * Tasks for one member, sent in one executor call: each task as {@link io.chunkwise.graph.TaskCodec} bytes with its
 * position in the driver's graph and what to do with its output ({@link #KEEP} it on the member when only tasks there
 * read it, else {@link #STORE} it in the job map for the tasks that read it; {@link #RETURN} it in the report for the
 * driver's sink), and the chunks of tasks the driver ran, to store the same way before the tasks run (a scatter rides
 * on the batch instead of costing a call per chunk), plus the chunks of the job map that no task needs
 * any more (deleted on the member, where they are local). Runs on the member's {@link MemberRuntime}.
 */
final class TaskBatch implements IdentifiedDataSerializable, Callable<BatchReport>, HazelcastInstanceAware {
    static final byte STORE = 1, RETURN = 2, KEEP = 4;
    static final int MAX_TASKS = 1 << 20;

    String jobMap;
    String backendKind;
    int[] positions;
    byte[][] tasks;
    byte[] flags;
    /** Per entry: null for a task to run, else the chunk of a task the driver ran, to store under its key. */
    byte[][] values;
    ChunkId[] deletes;
    private transient HazelcastInstance instance;

    TaskBatch() {}

    TaskBatch(String jobMap, String backendKind, int[] positions, byte[][] tasks, byte[] flags, byte[][] values, ChunkId[] deletes) {
        this.jobMap = jobMap;
        this.backendKind = backendKind;
        this.positions = positions;
        this.tasks = tasks;
        this.flags = flags;
        this.values = values;
        this.deletes = deletes;
    }

    @Override public void setHazelcastInstance(HazelcastInstance instance) { this.instance = instance; }

    @Override
    public BatchReport call() {
        MemberRuntime runtime = MemberRuntime.of(instance);
        return runtime.run(this);
    }

    @Override public int getFactoryId() { return ClusterSerialization.FACTORY_ID; }

    @Override public int getClassId() { return ClusterSerialization.TASK_BATCH; }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(jobMap);
        out.writeString(backendKind);
        out.writeIntArray(positions);
        for (byte[] t : tasks) out.writeByteArray(t);
        for (byte[] v : values) out.writeByteArray(v);
        out.writeByteArray(flags);
        out.writeInt(deletes.length);
        for (ChunkId d : deletes) d.writeData(out);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        jobMap = in.readString();
        backendKind = in.readString();
        positions = in.readIntArray();
        if (jobMap == null || backendKind == null || positions == null || positions.length > MAX_TASKS) {
            throw new WireFormatException("malformed task batch header");
        }
        tasks = new byte[positions.length][];
        for (int i = 0; i < tasks.length; i++) tasks[i] = in.readByteArray();
        values = new byte[positions.length][];
        for (int i = 0; i < values.length; i++) values[i] = in.readByteArray();
        flags = in.readByteArray();
        int n = in.readInt();
        for (int i = 0; i < tasks.length; i++) if (tasks[i] == null) throw new WireFormatException("task batch entry " + i + " is empty");
        if (flags == null || flags.length != positions.length || n < 0 || n > MAX_TASKS) throw new WireFormatException("malformed task batch");
        deletes = new ChunkId[n];
        for (int i = 0; i < n; i++) {
            deletes[i] = new ChunkId();
            deletes[i].readData(in);
        }
    }
}
