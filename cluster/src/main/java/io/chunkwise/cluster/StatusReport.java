package io.chunkwise.cluster;

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
final class StatusReport extends SignedMessage {

    long chunks, chunkBytes;

    StatusReport() {}

    StatusReport(long chunks, long chunkBytes) {
        this.chunks = chunks;
        this.chunkBytes = chunkBytes;
    }

    /** Encodes the body and signs it with the header; returns this. */
    StatusReport seal(MessageAuth auth, String job, UUID sender, UUID target, long seq) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
        try (DataOutputStream out = MessageAuth.writer(bytes)) {
            out.writeLong(chunks);
            out.writeLong(chunkBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sign(auth, MessageAuth.STATUS_REPORT, job, sender, target, seq, bytes.toByteArray());
        return this;
    }

    /** Checks the MAC, target, sender, age and sequence number, then decodes the body. */
    void open(MessageAuth auth, String expectedJob, UUID self, UUID expectedSender) {
        verify(auth, MessageAuth.STATUS_REPORT, self, expectedSender);
        if (!expectedJob.equals(job)) throw new UnauthenticatedMessageException("a status report of job " + job + " came for job " + expectedJob);
        try (DataInputStream in = MessageAuth.reader(body)) {
            chunks = in.readLong();
            chunkBytes = in.readLong();
            if (in.available() != 0 || chunks < 0 || chunkBytes < 0) throw new WireFormatException("malformed status report");
        } catch (IOException e) {
            throw new WireFormatException("malformed status report: " + e);
        }
    }

    @Override public int getClassId() { return ClusterSerialization.STATUS_REPORT; }
}
