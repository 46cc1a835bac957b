package io.chunkwise.cluster;

import io.chunkwise.WireFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signs and checks the messages between the driver and members ({@link TaskBatch}, {@link BatchReport},
 * {@link StatusRequest}, {@link StatusReport}, {@link JobEnd}) with HMAC-SHA256 under a key derived once from the
 * cluster's shared secret: {@code HMAC(secret, "chunkwise/task/v1")}.
 * The MAC covers the kind of message, job id, sender, target member, sequence number, issue time, body bytes and
 * attachments (each framed by its length), and is checked before the body is decoded. A message is refused
 * ({@link UnauthenticatedMessageException}, logged at WARN without its body) if unsigned or forged, meant for another
 * member, issued more than {@link #MAX_SKEW_MS} from this clock, or replayed: a sequence number seen already for its
 * (job, sender), or {@value #WINDOW} or more below the highest seen (a window, because two batches in flight to one
 * member may be checked in either order), or of a job that is over. One instance per receiver (the driver, each
 * member); the secret itself is not kept.
 */
final class MessageAuth {
    static final byte BATCH = 1, REPORT = 2, STATUS = 3, STATUS_REPORT = 4, END = 5;
    static final long MAX_SKEW_MS = 5 * 60_000;
    static final int WINDOW = 64;
    private static final Logger LOG = LoggerFactory.getLogger(MessageAuth.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    /** Per job: what each sender's messages accepted so far are ({@link Seen}), and whether the job is over. */
    private final Map<String, Job> seen = new ConcurrentHashMap<>();
    /** When {@link #sweep} looks next for jobs whose state may go (once a minute: it reads every job's). */
    private final AtomicLong nextSweep = new AtomicLong();

    /** A job's senders; guarded by itself. */
    private static final class Job {
        final Map<UUID, Seen> senders = new HashMap<>(4);
        long closedAt, lastAccepted;
        boolean swept;   // left the map: a message that finds it goes to the job's new entry
    }

    /** A sender's highest sequence number accepted and a bitmap of the {@value #WINDOW} below it. */
    private static final class Seen {
        long highest, bits = 1;
    }

    /** A new random 256-bit secret. */
    static byte[] newSecret() {
        byte[] s = new byte[32];
        RANDOM.nextBytes(s);
        return s;
    }

    MessageAuth(byte[] secret) {
        if (secret == null || secret.length < 16) throw new IllegalArgumentException("the cluster secret needs at least 128 bits");
        byte[] derived = newMac(new SecretKeySpec(secret, "HmacSHA256")).doFinal("chunkwise/task/v1".getBytes(StandardCharsets.US_ASCII));
        key = new SecretKeySpec(derived, "HmacSHA256");
        Arrays.fill(derived, (byte) 0);
        macs = ThreadLocal.withInitial(() -> newMac(key));
    }

    private static Mac newMac(SecretKeySpec k) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(k);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable: " + e, e);
        }
    }

    /** The MAC of a message of {@code kind} with these header fields, body and attachments (each null or bytes). */
    byte[] mac(byte kind, String job, UUID sender, UUID target, long seq, long issuedAt, byte[] body, byte[][] attachments) {
        Mac m = macs.get();
        byte[] j = job.getBytes(StandardCharsets.UTF_8);
        ByteBuffer h = ByteBuffer.allocate(1 + 4 + j.length + 4 * 8 + 8 + 8 + 4 + 4);
        h.put(kind).putInt(j.length).put(j)
                .putLong(sender.getMostSignificantBits()).putLong(sender.getLeastSignificantBits())
                .putLong(target.getMostSignificantBits()).putLong(target.getLeastSignificantBits())
                .putLong(seq).putLong(issuedAt).putInt(body.length).putInt(attachments.length);
        m.update(h.array());
        m.update(body);
        ByteBuffer length = ByteBuffer.allocate(4);
        for (byte[] a : attachments) {   // each framed by its length: bytes cannot move from one to the next
            m.update(length.putInt(0, a == null ? -1 : a.length).array());
            if (a != null) m.update(a);
        }
        return m.doFinal();   // doFinal resets the Mac for this thread's next message
    }

    /**
     * Checks a received message before its body is decoded; {@code self} is this receiver, {@code expectedSender} the
     * only sender it accepts (null: any holder of the key).
     */
    void verify(byte kind, String job, UUID sender, UUID target, long seq, long issuedAt, byte[] body, byte[][] attachments,
                byte[] mac, UUID self, UUID expectedSender) {
        String what = switch (kind) {
            case BATCH -> "task batch";
            case REPORT -> "batch report";
            case STATUS -> "status request";
            case STATUS_REPORT -> "status report";
            default -> "job end";
        } + " of job " + job + " from " + sender + " (seq " + seq + ")";
        if (job == null || sender == null || target == null || body == null || attachments == null || mac == null) {
            throw refuse(what, "unsigned or incomplete");
        }
        if (!MessageDigest.isEqual(mac, mac(kind, job, sender, target, seq, issuedAt, body, attachments))) throw refuse(what, "wrong MAC");
        if (!target.equals(self)) throw refuse(what, "meant for member " + target + ", not this one (" + self + ")");
        if (expectedSender != null && !sender.equals(expectedSender)) throw refuse(what, "expected from " + expectedSender);
        if (Math.abs(System.currentTimeMillis() - issuedAt) > MAX_SKEW_MS) throw refuse(what, "issued more than 5 minutes from this clock");
        if (seq < 1) throw refuse(what, "sequence number below 1");
        long now = System.currentTimeMillis();
        while (true) {
            Job j = seen.computeIfAbsent(job, k -> new Job());
            synchronized (j) {
                if (j.swept) continue;
                if (j.closedAt != 0) throw refuse(what, "the job is over");
                Seen s = j.senders.computeIfAbsent(sender, k -> new Seen());
                if (seq > s.highest) {
                    long shift = seq - s.highest;
                    s.bits = shift >= WINDOW ? 1 : (s.bits << shift) | 1;
                    s.highest = seq;
                } else {
                    long d = s.highest - seq;
                    if (d >= WINDOW || (s.bits & (1L << d)) != 0) throw refuse(what, "replayed (sequence number seen or too old)");
                    s.bits |= 1L << d;
                }
                j.lastAccepted = now;
            }
            break;
        }
        sweep(now);
    }

    private static UnauthenticatedMessageException refuse(String what, String why) {
        LOG.warn("refused {}: {}", what, why);
        return new UnauthenticatedMessageException("refused " + what + ": " + why);
    }

    /**
     * Job {@code job} is over: its messages are refused from now on (until {@link #sweep} drops its state), also those
     * on their way here that no message of the job preceded.
     */
    void forget(String job) {
        long now = System.currentTimeMillis();
        while (true) {
            Job j = seen.computeIfAbsent(job, k -> new Job());
            synchronized (j) {
                if (j.swept) continue;
                if (j.closedAt == 0) j.closedAt = now;
            }
            break;
        }
        sweep(now);
    }

    /** Whether {@link #forget} was told that job {@code job} is over (and its state not swept since). */
    boolean isOver(String job) {
        Job j = seen.get(job);
        if (j == null) return false;
        synchronized (j) { return j.closedAt != 0; }
    }

    /**
     * Drops the state of jobs over, or without a message accepted, for twice the skew allowed: a replay of any of their
     * messages is refused for its age by then. So a job whose end this receiver never hears of (a job that left no
     * chunks on the members sends them no {@link JobEnd}) costs its state for ten minutes, not for ever.
     */
    void sweep(long now) {
        long at = nextSweep.get();
        if (now < at || !nextSweep.compareAndSet(at, now + 60_000)) return;
        for (Iterator<Job> it = seen.values().iterator(); it.hasNext(); ) {
            Job j = it.next();
            synchronized (j) {
                if (now - Math.max(j.closedAt, j.lastAccepted) > 2 * MAX_SKEW_MS) {
                    j.swept = true;
                    it.remove();
                }
            }
        }
    }

    /** Jobs whose replay state this receiver holds (tests). */
    int jobsTracked() { return seen.size(); }

    // --- the bodies' encoding: big-endian, every length checked against the bytes left before allocating

    static DataOutputStream writer(ByteArrayOutputStream bytes) { return new DataOutputStream(bytes); }

    static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) out.write(b);
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    static DataInputStream reader(byte[] body) { return new DataInputStream(new ByteArrayInputStream(body)); }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) return null;
        if (n < 0 || n > in.available()) throw new WireFormatException("malformed message body: length " + n);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static int readCount(DataInputStream in, int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max || n > in.available()) throw new WireFormatException("malformed message body: count " + n);
        return n;
    }
}
