package io.chunkwise.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.partition.Partition;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ClusterSpec;
import io.chunkwise.ClusterUnavailableException;
import io.chunkwise.InvalidArgumentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Hazelcast client of running members ({@code ./chunkwise member}, {@link ClusterMember}), the driver's handle for
 * {@code ClusterSpec.connect(address)}: a client is no member, so it signs its task batches with its endpoint's UUID.
 * Connecting is bounded in time ({@link ClusterSpec#connectTimeout()}, 5 s by default): a wrong address or cluster
 * name fails with a {@link ClusterUnavailableException} naming both, never a hang. Once connected it asks every member
 * for its status with a signed request, so a client whose secret is not the members' one fails at once, with a
 * message that says so.
 */
public final class ClusterClient implements ClusterHandle {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterClient.class);

    private final String name;
    private final String address;
    private final HazelcastInstance client;
    private final MessageAuth auth;
    private final UUID self;
    private final Duration timeout;
    private volatile boolean closed;

    private ClusterClient(String name, String address, HazelcastInstance client, MessageAuth auth, Duration timeout) {
        this.name = name;
        this.address = address;
        this.client = client;
        this.auth = auth;
        this.self = client.getLocalEndpoint().getUuid();
        this.timeout = timeout;
    }

    /**
     * Connects to the members of {@code spec} (a {@link ClusterSpec#connect} spec) with its secret (its secret file,
     * else the environment: see {@link ClusterSecret}).
     *
     * @param spec where the members are, their cluster name and the secret file
     * @return the connected client; close it
     * @throws ClusterUnavailableException when no member of that cluster answers in time, or the members refuse the secret
     * @throws InvalidArgumentException when the spec is not a client's, or the secret is missing or too short
     */
    public static ClusterClient connect(ClusterSpec spec) {
        String address = spec.address().orElseThrow(() -> new InvalidArgumentException(spec + " names members in this JVM; "
                + "a client needs ClusterSpec.connect(\"host:port\")"));
        byte[] secret = ClusterSecret.read(spec.secretFile().orElse(null), System.getenv());
        try {
            return connect(address, spec.clusterName(), secret, spec.connectTimeout());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Connects to the members at {@code address} ("host:port", or several separated by commas) of cluster {@code clusterName}. */
    static ClusterClient connect(String address, String clusterName, byte[] secret, Duration timeout) {
        List<String> addresses = Arrays.stream(address.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList();
        if (addresses.isEmpty()) throw new InvalidArgumentException("no cluster address in '" + address + "'");
        MessageAuth auth = new MessageAuth(secret);
        long t0 = System.nanoTime();
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(HazelcastConfigs.client(clusterName, addresses, timeout));
        } catch (RuntimeException e) {
            String listening = listening(addresses);
            throw new ClusterUnavailableException("cannot connect to cluster '" + clusterName + "' at " + address + " within "
                    + seconds(timeout) + ": " + (listening != null
                    ? "something listens at " + listening + " but did not accept this client as one of cluster '" + clusterName
                      + "': check the cluster name (the members' --cluster-name)"
                    : "nothing answered there (is a member running at that address, started with --cluster-name " + clusterName + "?)"), e);
        }
        ClusterClient c = new ClusterClient(clusterName, address, client, auth, timeout);
        try {
            c.awaitPartitionTable(t0 + timeout.toNanos());
            List<MemberInfo> members = c.members();   // each answers a signed request: the secret is theirs
            LOG.debug("connected to cluster {} at {}: {} members in {} ms", clusterName, address, members.size(),
                    (System.nanoTime() - t0) / 1_000_000);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** The first of {@code addresses} where a TCP connection opens within a second, or null. */
    private static String listening(List<String> addresses) {
        for (String a : addresses) {
            int colon = a.lastIndexOf(':');
            String host = colon > 0 ? a.substring(0, colon) : a;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(a.substring(colon + 1)) : ClusterMember.DEFAULT_PORT;
            } catch (NumberFormatException e) {
                continue;
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(host, port), 1000);
                return a;
            } catch (java.io.IOException | IllegalArgumentException e) {
                // not this one
            }
        }
        return null;
    }

    /** Waits until the client knows every partition's owner (a job places its tasks by them). */
    private void awaitPartitionTable(long deadline) {
        while (true) {
            boolean known = true;
            for (Partition p : client.getPartitionService().getPartitions()) {
                if (p.getOwner() == null) {
                    known = false;
                    break;
                }
            }
            if (known) return;
            if (System.nanoTime() > deadline) {
                throw new ClusterUnavailableException("connected to cluster '" + name + "' at " + address + ", but its partition table "
                        + "did not reach the client within " + seconds(timeout));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterUnavailableException("interrupted while connecting to cluster '" + name + "' at " + address, e);
            }
        }
    }

    /**
     * Every member of the cluster with what it advertises and the chunks it holds; asks each with a signed status
     * request, all at once, and waits at most the connect time-out for the answers.
     *
     * @return the members, in the cluster's order (the oldest first)
     * @throws ClusterUnavailableException when a member does not answer in time, or refuses the request (the message says
     *                                     whether the secret does not match)
     */
    public List<MemberInfo> members() {
        HazelcastInstance h = driverHandle();
        List<Member> members = List.copyOf(h.getCluster().getMembers());
        IExecutorService executor = h.getExecutorService(HazelcastConfigs.EXECUTOR);
        List<String> jobs = new ArrayList<>(members.size());
        List<Future<StatusReport>> answers = new ArrayList<>(members.size());
        for (Member m : members) {
            String job = "status-" + UUID.randomUUID();
            jobs.add(job);
            answers.add(executor.submitToMember(StatusRequest.sealed(auth, job, self, m.getUuid()), m));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<MemberInfo> out = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            String where = m.getAddress().getHost() + ":" + m.getAddress().getPort();
            StatusReport r;
            try {
                r = answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterUnavailableException("interrupted while asking member " + where + " of cluster '" + name + "'", e);
            } catch (TimeoutException e) {
                throw new ClusterUnavailableException("member " + where + " of cluster '" + name + "' did not answer a status request within "
                        + seconds(timeout));
            } catch (ExecutionException e) {
                throw refused(where, e.getCause());
            }
            try {
                r.open(auth, jobs.get(i), self, m.getUuid());
            } finally {
                auth.forget(jobs.get(i));
            }
            out.add(new MemberInfo(where, m.getUuid(), MemberAttributes.of(m), r.chunks, r.chunkBytes));
        }
        return out;
    }

    /** A member's refusal of (or failure on) a status request, as a clear exception. */
    private ClusterUnavailableException refused(String where, Throwable cause) {
        String message = String.valueOf(cause == null ? null : cause.getMessage());
        String first = message.lines().findFirst().orElse("").strip();
        if (message.contains("wrong MAC")) {
            return new ClusterUnavailableException("member " + where + " of cluster '" + name + "' refused this client's signed request: "
                    + "the client's cluster secret does not match the members' (use the secret file the members were started with)", cause);
        }
        if (message.contains(UnauthenticatedMessageException.class.getSimpleName()) || (cause instanceof ChunkwiseException && message.startsWith("refused"))) {
            return new ClusterUnavailableException("member " + where + " of cluster '" + name + "' refused this client's signed request: " + first, cause);
        }
        return new ClusterUnavailableException("member " + where + " of cluster '" + name + "' could not answer a status request: "
                + (cause == null ? "no reason given" : cause.getClass().getSimpleName() + ": " + first), cause);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }

    @Override public String name() { return name; }

    /** {@return the address this client connected to} */
    public String address() { return address; }

    @Override
    public HazelcastInstance driverHandle() {
        if (closed) throw new ClusterUnavailableException("the client of cluster '" + name + "' at " + address + " is closed");
        return client;
    }

    @Override public MessageAuth driverAuth() { return auth; }

    @Override public UUID driverUuid() { return self; }

    /** Disconnects; the members keep running. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            client.shutdown();
        } catch (RuntimeException e) {
            LOG.debug("the client of cluster {} did not shut down cleanly: {}", name, e.toString());
        }
    }

    @Override public String toString() { return "ClusterClient[" + name + " at " + address + "]"; }
}
