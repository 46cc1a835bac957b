package io.chunkwise.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;

import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Tells a member that a job is over: it drops the job's chunks and keys (kept, fetched, published) and refuses the
 * job's later messages. Signed like a {@link TaskBatch} of the job (the driver's next sequence number, an empty body).
 * Hazelcast's own signal, the job map's destroy event, is not enough: a member that handles the destroy operation
 * before the event hears no event at all.
 */
final class JobEnd extends SignedMessage implements Callable<Boolean>, HazelcastInstanceAware {
    private transient HazelcastInstance instance;

    JobEnd() {}

    /** The end of {@code job} from {@code sender} to member {@code target}, signed with {@code auth}. */
    static JobEnd sealed(MessageAuth auth, String job, UUID sender, UUID target, long seq) {
        JobEnd e = new JobEnd();
        e.sign(auth, MessageAuth.END, job, sender, target, seq, new byte[0]);
        return e;
    }

    /** Checks the MAC, target, age and sequence number ({@link UnauthenticatedMessageException}). */
    void open(MessageAuth auth, UUID self) {
        verifyEmpty(auth, MessageAuth.END, self, "job end");
    }

    @Override public void setHazelcastInstance(HazelcastInstance instance) { this.instance = instance; }

    @Override
    public Boolean call() {
        MemberRuntime.of(instance).end(this);
        return Boolean.TRUE;
    }

    @Override public int getClassId() { return ClusterSerialization.JOB_END; }
}
