package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import io.chunkwise.WireFormatException;
import io.chunkwise.graph.ChunkKey;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Tasks for one member, sent in one executor call: each task as {@link io.chunkwise.graph.TaskCodec} bytes with its
 * position in the driver's graph and what to do with its output ({@link #KEEP} it on the member when only tasks there
 * read it, else {@link #STORE} it in the job map for the tasks that read it; {@link #RETURN} it in the report for the
 * driver's sink; or {@link #PERSIST} it in the persisted map under the keys the entry names), and the chunks of
 * tasks the driver ran, to store the same way before the tasks run (a scatter rides on the batch instead of costing a
 * call per chunk; the chunks are the message's attachments, never copied into its body), plus the chunks of the job
 * map that no task needs any more (deleted on the member, where they are local). Runs on the member's {@link MemberRuntime}.
 *
 * <p>On the wire: a {@link SignedMessage} whose job id is the job map's name; the member decodes the body only after
 * checking the MAC ({@link #open}).
 */
final class TaskBatch extends SignedMessage implements Callable<BatchReport>, HazelcastInstanceAware {
    static final byte STORE = 1, RETURN = 2, KEEP = 4, PERSIST = 8;
    static final int MAX_TASKS = 1 << 20;

    // the body, decoded
    String backendKind;
    int[] positions;
    byte[][] tasks;
    byte[] flags;
    /** Per entry: null for a task to run, else the chunk of a task the driver ran, to store under its key. */
    byte[][] values;
    ChunkId[] deletes;
    /** Per entry with {@link #PERSIST}: the keys to keep its output under in the persisted map (else null). */
    ChunkId[][] persistAs;
    /** The cluster's {@link Placement}, encoded: where the member puts and finds the job's chunks. */
    int[] placement;
    private transient HazelcastInstance instance;

    TaskBatch() {}

    TaskBatch(String backendKind, int[] placement, int[] positions, byte[][] tasks, byte[] flags, byte[][] values, ChunkId[][] persistAs,
              ChunkId[] deletes) {
        this.backendKind = backendKind;
        this.placement = placement;
        this.persistAs = persistAs;
        this.positions = positions;
        this.tasks = tasks;
        this.flags = flags;
        this.values = values;
        this.deletes = deletes;
    }

    /** Encodes the body and signs it with the header; returns this. */
    TaskBatch seal(MessageAuth auth, String job, UUID sender, UUID target, long seq) {
        long size = 64 + 4L * placement.length + 12L * positions.length;
        for (byte[] t : tasks) size += t.length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16, size));
        try (DataOutputStream out = MessageAuth.writer(bytes)) {
            MessageAuth.writeString(out, backendKind);
            out.writeInt(placement.length);
            for (int x : placement) out.writeInt(x);
            out.writeInt(positions.length);
            for (int i = 0; i < positions.length; i++) {
                out.writeInt(positions[i]);
                out.writeByte(flags[i]);
                MessageAuth.writeBytes(out, tasks[i]);
                if ((flags[i] & PERSIST) != 0) writeIds(out, persistAs[i]);
            }
            writeIds(out, deletes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sign(auth, MessageAuth.BATCH, job, sender, target, seq, bytes.toByteArray(), values);
        return this;
    }

    /** Checks the MAC, target, age and sequence number ({@link UnauthenticatedMessageException}), then decodes the body. */
    void open(MessageAuth auth, UUID self) {
        verify(auth, MessageAuth.BATCH, self, null);
        try (DataInputStream in = MessageAuth.reader(body)) {
            backendKind = MessageAuth.readString(in);
            placement = new int[MessageAuth.readCount(in, 2 * Placement.MAX_PARTITIONS + 1)];
            for (int i = 0; i < placement.length; i++) placement[i] = in.readInt();
            int n = MessageAuth.readCount(in, MAX_TASKS);
            if (attachments.length != n) throw new WireFormatException("a task batch of " + n + " tasks with " + attachments.length + " chunk entries");
            positions = new int[n];
            flags = new byte[n];
            tasks = new byte[n][];
            values = attachments;
            persistAs = new ChunkId[n][];
            for (int i = 0; i < n; i++) {
                positions[i] = in.readInt();
                flags[i] = in.readByte();
                tasks[i] = MessageAuth.readBytes(in);
                if ((flags[i] & PERSIST) != 0) persistAs[i] = readIds(in);
                if (tasks[i] == null) throw new WireFormatException("task batch entry " + i + " is empty");
            }
            deletes = readIds(in);
            if (backendKind == null || in.available() != 0) throw new WireFormatException("malformed task batch");
        } catch (IOException e) {
            throw new WireFormatException("malformed task batch: " + e);
        }
    }

    private static void writeIds(DataOutputStream out, ChunkId[] ids) throws IOException {
        out.writeInt(ids.length);
        for (ChunkId d : ids) {
            MessageAuth.writeString(out, d.key().layer());
            out.writeInt(d.key().index().length);
            for (int x : d.key().index()) out.writeInt(x);
            out.writeInt(d.getPartitionKey());
        }
    }

    private static ChunkId[] readIds(DataInputStream in) throws IOException {
        ChunkId[] ids = new ChunkId[MessageAuth.readCount(in, MAX_TASKS)];
        for (int i = 0; i < ids.length; i++) {
            String layer = MessageAuth.readString(in);
            int[] index = new int[MessageAuth.readCount(in, ChunkId.MAX_NDIM)];
            for (int k = 0; k < index.length; k++) index[k] = in.readInt();
            int partitionKey = in.readInt();
            if (layer == null) throw new WireFormatException("malformed chunk id in a task batch");
            ids[i] = new ChunkId(new ChunkKey(layer, index), partitionKey);
        }
        return ids;
    }

    @Override public void setHazelcastInstance(HazelcastInstance instance) { this.instance = instance; }

    @Override
    public BatchReport call() {
        MemberRuntime runtime = MemberRuntime.of(instance);
        return runtime.run(this);
    }

    @Override public int getClassId() { return ClusterSerialization.TASK_BATCH; }
}
