package io.chunkwise.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.UUID;

/**
 * What every message between the driver and the members is on the wire: the authenticated header (job id, sender,
 * target member, sequence number, issue time), the body bytes holding everything else but the attachments, the
 * attachments (chunk envelopes, each null or bytes, kept apart from the body so that a chunk is never copied into or
 * out of it), and the HMAC over all of them ({@link MessageAuth}). The receiver checks the MAC before its subclass
 * decodes the body.
 */
abstract class SignedMessage implements IdentifiedDataSerializable {
    static final byte[][] NO_ATTACHMENTS = new byte[0][];
    /** The most attachments a message may carry: one per task of a batch. */
    static final int MAX_ATTACHMENTS = TaskBatch.MAX_TASKS;
    String job;
    UUID sender, target;
    long seq, issuedAt;
    byte[] body, mac;
    byte[][] attachments = NO_ATTACHMENTS;

    /** Signs {@code body} as a message of {@code kind} ({@link MessageAuth#BATCH}, ...) under the header, issued now. */
    final void sign(MessageAuth auth, byte kind, String job, UUID sender, UUID target, long seq, byte[] body) {
        sign(auth, kind, job, sender, target, seq, body, NO_ATTACHMENTS);
    }

    /** Signs {@code body} and {@code attachments} as a message of {@code kind} under the header, issued now. */
    final void sign(MessageAuth auth, byte kind, String job, UUID sender, UUID target, long seq, byte[] body, byte[][] attachments) {
        this.job = job;
        this.sender = sender;
        this.target = target;
        this.seq = seq;
        this.issuedAt = System.currentTimeMillis();
        this.body = body;
        this.attachments = attachments;
        this.mac = auth.mac(kind, job, sender, target, seq, issuedAt, body, attachments);
    }

    /**
     * Checks the MAC, the target ({@code self}), the sender (unless {@code expectedSender} is null), the age and the
     * sequence number ({@link UnauthenticatedMessageException}).
     */
    final void verify(MessageAuth auth, byte kind, UUID self, UUID expectedSender) {
        auth.verify(kind, job, sender, target, seq, issuedAt, body, attachments, mac, self, expectedSender);
    }

    /** {@link #verify}, from any holder of the key, for a message that carries nothing but its header ({@code what}). */
    final void verifyEmpty(MessageAuth auth, byte kind, UUID self, String what) {
        verify(auth, kind, self, null);
        if (body.length != 0 || attachments.length != 0) throw new io.chunkwise.WireFormatException("malformed " + what);
    }

    @Override public final int getFactoryId() { return ClusterSerialization.FACTORY_ID; }

    @Override
    public final void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(job);
        writeUuid(out, sender);
        writeUuid(out, target);
        out.writeLong(seq);
        out.writeLong(issuedAt);
        out.writeByteArray(body);
        out.writeInt(attachments.length);
        for (byte[] a : attachments) out.writeByteArray(a);
        out.writeByteArray(mac);
    }

    @Override
    public final void readData(ObjectDataInput in) throws IOException {
        job = in.readString();
        sender = readUuid(in);
        target = readUuid(in);
        seq = in.readLong();
        issuedAt = in.readLong();
        body = in.readByteArray();
        int n = in.readInt();
        if (n < 0 || n > MAX_ATTACHMENTS) throw new io.chunkwise.WireFormatException("a message with " + n + " attachments");
        attachments = new byte[n][];
        for (int i = 0; i < n; i++) attachments[i] = in.readByteArray();
        mac = in.readByteArray();
    }

    private static void writeUuid(ObjectDataOutput out, UUID u) throws IOException {
        out.writeBoolean(u != null);
        if (u != null) {
            out.writeLong(u.getMostSignificantBits());
            out.writeLong(u.getLeastSignificantBits());
        }
    }

    private static UUID readUuid(ObjectDataInput in) throws IOException {
        return in.readBoolean() ? new UUID(in.readLong(), in.readLong()) : null;
    }
}
