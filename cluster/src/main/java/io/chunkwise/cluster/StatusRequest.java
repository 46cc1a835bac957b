package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;

import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Asks one member for its {@link StatusReport} (the chunks it holds), signed like a {@link TaskBatch} (its own job id,
 * sequence number 1, an empty body): a member answers only a holder of the cluster's secret, so a client also learns
 * from the answer that its secret is the members' one ({@link ClusterClient} asks every member when it connects).
 */
final class StatusRequest extends SignedMessage implements Callable<StatusReport>, HazelcastInstanceAware {
    private transient HazelcastInstance instance;

    StatusRequest() {}

    /** A request from {@code sender} to member {@code target}, signed with {@code auth}; {@code job} is used once. */
    static StatusRequest sealed(MessageAuth auth, String job, UUID sender, UUID target) {
        StatusRequest r = new StatusRequest();
        r.sign(auth, MessageAuth.STATUS, job, sender, target, 1, new byte[0]);
        return r;
    }

    /** Checks the MAC, target, age and sequence number ({@link UnauthenticatedMessageException}). */
    void open(MessageAuth auth, UUID self) {
        verifyEmpty(auth, MessageAuth.STATUS, self, "status request");
    }

    @Override public void setHazelcastInstance(HazelcastInstance instance) { this.instance = instance; }

    @Override
    public StatusReport call() { return MemberRuntime.of(instance).status(this); }

    @Override public int getClassId() { return ClusterSerialization.STATUS_REQUEST; }
}
