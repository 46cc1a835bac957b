package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Asks one member for its {@link StatusReport} (the chunks it holds), signed like a {@link TaskBatch} (its own job id,
 * sequence number 1, an empty body): a member answers only a holder of the cluster's secret, so a client also learns
 * from the answer that its secret is the members' one ({@link ClusterClient} asks every member when it connects).
 */
final class StatusRequest implements IdentifiedDataSerializable, Callable<StatusReport>, HazelcastInstanceAware {
    String job;
    UUID sender, target;
    long seq, issuedAt;
    byte[] body, mac;
    private transient HazelcastInstance instance;

    StatusRequest() {}

    /** A request from {@code sender} to member {@code target}, signed with {@code auth}; {@code job} is used once. */
    static StatusRequest sealed(MessageAuth auth, String job, UUID sender, UUID target) {
        StatusRequest r = new StatusRequest();
        r.job = job;
        r.sender = sender;
        r.target = target;
        r.seq = 1;
        r.issuedAt = System.currentTimeMillis();
        r.body = new byte[0];
        r.mac = auth.mac(MessageAuth.STATUS, job, sender, target, r.seq, r.issuedAt, r.body);
        return r;
    }

    /** Checks the MAC, target, age and sequence number ({@link UnauthenticatedMessageException}). */
    void open(MessageAuth auth, UUID self) {
        auth.verify(MessageAuth.STATUS, job, sender, target, seq, issuedAt, body, mac, self, null);
        if (body.length != 0) throw new io.chunkwise.WireFormatException("malformed status request");
    }

    @Override public void setHazelcastInstance(HazelcastInstance instance) { this.instance = instance; }

    @Override
    public StatusReport call() { return MemberRuntime.of(instance).status(this); }

    @Override public int getFactoryId() { return ClusterSerialization.FACTORY_ID; }

    @Override public int getClassId() { return ClusterSerialization.STATUS_REQUEST; }

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
