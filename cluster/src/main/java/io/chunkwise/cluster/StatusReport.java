package io.chunkwise.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.chunkwise.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A member's answer to a {@link StatusRequest}: the chunks it holds (count and bytes, in its local stores and in the
 * partitions of chunk maps it owns). Signed by the member for the requester, checked before the body is decoded.
 */
final class StatusReport implements IdentifiedDataSerializable {
    String job;
    UUID sender, target;
    long seq, issuedAt;
    byte[] body, mac;

    long chunks, chunkBytes;

    StatusReport() {}

    StatusReport(long chunks, long chunkBytes) {
        this.chunks = chunks;
        this.chunkBytes = chunkBytes;
    }

    /** Encodes the body and signs it with the header; returns this. */
    StatusReport seal(MessageAuth auth, String job, UUID sender, UUID target, long seq) {
        this.job = job;
        this.sender = sender;
        this.target = target;
        this.seq = seq;
        this.issuedAt = System.currentTimeMillis();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
        try (DataOutputStream out = MessageAuth.writer(bytes)) {
            out.writeLong(chunks);
            out.writeLong(chunkBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        body = bytes.toByteArray();
        mac = auth.mac(MessageAuth.STATUS_REPORT, job, sender, target, seq, issuedAt, body);
        return this;
    }

    /** Checks the MAC, target, sender, age and sequence number, then decodes the body. */
    void open(MessageAuth auth, String expectedJob, UUID self, UUID expectedSender) {
        auth.verify(MessageAuth.STATUS_REPORT, job, sender, target, seq, issuedAt, body, mac, self, expectedSender);
        if (!expectedJob.equals(job)) throw new UnauthenticatedMessageException("a status report of job " + job + " came for job " + expectedJob);
        try (DataInputStream in = MessageAuth.reader(body)) {
            chunks = in.readLong();
            chunkBytes = in.readLong();
            if (in.available() != 0 || chunks < 0 || chunkBytes < 0) throw new WireFormatException("malformed status report");
        } catch (IOException e) {
            throw new WireFormatException("malformed status report: " + e);
        }
    }

    @Override public int getFactoryId() { return ClusterSerialization.FACTORY_ID; }

    @Override public int getClassId() { return ClusterSerialization.STATUS_REPORT; }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        TaskBatch.writeHeader(out, job, sender, target, seq, issuedAt, body, mac);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        job = in.readString();
        sender = TaskBatch.readUuid(in);
        target = TaskBatch.readUuid(in);
        seq = in.readLong();
        issuedAt = in.readLong();
        body = in.readByteArray();
        mac = in.readByteArray();
    }
}
