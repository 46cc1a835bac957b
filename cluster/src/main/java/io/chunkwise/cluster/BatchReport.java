package io.chunkwise.cluster;

import io.chunkwise.WireFormatException;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * What a member reports for a {@link TaskBatch}, per task in the batch's order: the bytes its output holds in the
 * member's memory (0 where it failed), its output envelope where the batch asked for it (an attachment: the bytes
 * the member encoded are the bytes sent), its run time, and for a failed task the class and message of the exception
 * (an exception never travels as an object). Also the chunk bytes the batch read from other members. On the wire
 * like a batch: an authenticated header (sender: the member; target: the driver; the batch's sequence number), the
 * body bytes, the outputs and their HMAC, checked by the driver before it decodes the body ({@link #open}).
 */
final class BatchReport extends SignedMessage {

    int[] positions;
    long[] outputBytes;
    long[] nanos;
    byte[][] outputs;
    String[] errorClass;
    String[] errorMessage;
    long remoteBytes;

    BatchReport() {}

    BatchReport(int n) { allocate(n); }

    /** Room for the outcomes of {@code n} tasks. */
    private void allocate(int n) {
        positions = new int[n];
        outputBytes = new long[n];
        nanos = new long[n];
        outputs = new byte[n][];
        errorClass = new String[n];
        errorMessage = new String[n];
    }

    /** Encodes the body and signs it with the header; returns this. */
    BatchReport seal(MessageAuth auth, String job, UUID sender, UUID target, long seq) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * positions.length);
        try (DataOutputStream out = MessageAuth.writer(bytes)) {
            out.writeInt(positions.length);
            for (int i = 0; i < positions.length; i++) {
                out.writeInt(positions[i]);
                out.writeLong(outputBytes[i]);
                out.writeLong(nanos[i]);
                MessageAuth.writeString(out, errorClass[i]);
                MessageAuth.writeString(out, errorMessage[i]);
            }
            out.writeLong(remoteBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sign(auth, MessageAuth.REPORT, job, sender, target, seq, bytes.toByteArray(), outputs);
        return this;
    }

    /** Checks the MAC, target, sender, age and sequence number, then decodes the body. */
    void open(MessageAuth auth, String expectedJob, UUID self, UUID expectedSender) {
        verify(auth, MessageAuth.REPORT, self, expectedSender);
        if (!expectedJob.equals(job)) throw new UnauthenticatedMessageException("a batch report of job " + job + " came for job " + expectedJob);
        try (DataInputStream in = MessageAuth.reader(body)) {
            int n = MessageAuth.readCount(in, TaskBatch.MAX_TASKS);
            if (attachments.length != n) throw new WireFormatException("a batch report of " + n + " tasks with " + attachments.length + " outputs");
            allocate(n);
            outputs = attachments;
            for (int i = 0; i < n; i++) {
                positions[i] = in.readInt();
                outputBytes[i] = in.readLong();
                nanos[i] = in.readLong();
                errorClass[i] = MessageAuth.readString(in);
                errorMessage[i] = MessageAuth.readString(in);
            }
            remoteBytes = in.readLong();
            if (in.available() != 0) throw new WireFormatException("malformed batch report");
        } catch (IOException e) {
            throw new WireFormatException("malformed batch report: " + e);
        }
    }

    @Override public int getClassId() { return ClusterSerialization.BATCH_REPORT; }
}
