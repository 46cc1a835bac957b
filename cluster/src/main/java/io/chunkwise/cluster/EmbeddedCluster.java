package io.chunkwise.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.chunkwise.ClusterUnavailableException;
import io.chunkwise.InvalidArgumentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Hazelcast members started in this JVM on loopback ports chosen free, each with its {@link MemberRuntime}. A
 * context made with {@code ClusterSpec.embedded(n)} starts and owns one; {@link #start} starts one that stays until
 * {@link #close()}, which contexts made with {@code ClusterSpec.running(name)} share (tests reuse members this way:
 * the first member takes seconds to start, the next ones a fraction of a second each).
 */
public final class EmbeddedCluster implements ClusterHandle {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);
    private static final Map<String, EmbeddedCluster> RUNNING = new ConcurrentHashMap<>();

    private final String name;
    private final List<HazelcastInstance> members = new ArrayList<>();
    private final List<MemberRuntime> runtimes = new ArrayList<>();
    /** The driver's side of the messages' HMAC; each member has its own, under the same secret. */
    private MessageAuth driverAuth;
    private volatile boolean closed;

    private EmbeddedCluster(String name) { this.name = name; }

    /**
     * Starts {@code members} members of cluster {@code clusterName} with {@code threads} task threads each, and
     * registers them under that name for {@code ClusterSpec.running(clusterName)} until closed.
     */
    public static EmbeddedCluster start(String clusterName, int members, int threads) {
        return start(clusterName, members, threads, Runtime.getRuntime().maxMemory() / 2 / Math.max(1, members));
    }

    /**
     * Starts {@code members} members as {@link #start(String, int, int)} does, each advertising a memory budget of
     * {@code memoryBudgetBytes} ({@link MemberAttributes}).
     */
    public static EmbeddedCluster start(String clusterName, int members, int threads, long memoryBudgetBytes) {
        if (members < 1) throw new InvalidArgumentException("an embedded cluster needs at least 1 member, not " + members);
        if (threads < 1) throw new InvalidArgumentException("members need at least 1 thread, not " + threads);
        return start(clusterName, java.util.Collections.nCopies(members, MemberAttributes.detect(threads, memoryBudgetBytes, -1)));
    }

    /** Starts one member per element of {@code attributes}, each advertising its own (tests give members different backends). */
    static EmbeddedCluster start(String clusterName, List<MemberAttributes> attributes) {
        if (attributes.isEmpty()) throw new InvalidArgumentException("an embedded cluster needs at least 1 member");
        EmbeddedCluster c = new EmbeddedCluster(clusterName);
        if (RUNNING.putIfAbsent(clusterName, c) != null) {
            throw new InvalidArgumentException("an embedded cluster named '" + clusterName + "' runs in this JVM already");
        }
        try {
            c.startMembers(attributes);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** The running cluster of that name in this JVM. */
    static EmbeddedCluster running(String clusterName) {
        EmbeddedCluster c = RUNNING.get(clusterName);
        if (c == null || c.closed) {
            throw new ClusterUnavailableException("no embedded cluster named '" + clusterName + "' runs in this JVM; start one with "
                    + "EmbeddedCluster.start(name, members, threads)");
        }
        return c;
    }

    /**
     * Starts the members on ports found free; a port taken between finding it and binding it (another socket of this
     * machine, an ephemeral port of an outgoing connection) costs a new try on other ports, at most 3 in all.
     */
    private void startMembers(List<MemberAttributes> all) {
        for (int attempt = 1; ; attempt++) {
            try {
                startMembers(all, freePorts(all.size()));
                return;
            } catch (com.hazelcast.core.HazelcastException e) {
                if (attempt == 3 || !portTaken(e)) throw e;
                LOG.debug("embedded cluster {}: a port was taken meanwhile ({}); trying other ports", name, e.getMessage());
                stopMembers();
            }
        }
    }

    private static boolean portTaken(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof java.net.BindException) return true;
        return false;
    }

    private void startMembers(List<MemberAttributes> all, List<Integer> ports) {
        int n = all.size();
        List<String> addresses = ports.stream().map(p -> HazelcastConfigs.LOOPBACK + ":" + p).toList();
        long t0 = System.nanoTime();
        byte[] secret = MessageAuth.newSecret();   // this cluster's own, kept by no one: only keys derived from it
        driverAuth = new MessageAuth(secret);
        for (int i = 0; i < n; i++) {
            MemberAttributes attributes = all.get(i);
            MemberRuntime runtime = new MemberRuntime(attributes.threads(), new MessageAuth(secret), DriverWatch.DEFAULT_GRACE);
            runtimes.add(runtime);
            Config config = HazelcastConfigs.member(name, HazelcastConfigs.LOOPBACK, ports.get(i), addresses);
            config.getUserContext().put(MemberRuntime.USER_CONTEXT_KEY, runtime);
            shareTheJvm(config, n);
            attributes.applyTo(config.getMemberAttributeConfig());
            HazelcastInstance h = Hazelcast.newHazelcastInstance(config);
            runtime.attach(h);
            members.add(h);
        }
        java.util.Arrays.fill(secret, (byte) 0);
        waitForMembers(n);
        LOG.debug("embedded cluster {}: {} members up in {} ms", name, n, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Waits (at most 30 s) until every member sees all the others. */
    private void waitForMembers(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (HazelcastInstance h : members) {
            while (h.getCluster().getMembers().size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new ClusterUnavailableException("the " + n + " members of embedded cluster '" + name + "' did not join within 30 s");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClusterUnavailableException("interrupted while starting embedded cluster '" + name + "'", e);
                }
            }
        }
    }

    /**
     * Members in one JVM share its cores: each gets a small share of Hazelcast's threads (its defaults size them for a
     * machine of its own), which cuts context switches on small machines.
     */
    private static void shareTheJvm(Config config, int members) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors() / members);
        config.setProperty("hazelcast.io.thread.count", "1");
        config.setProperty("hazelcast.operation.thread.count", Integer.toString(Math.max(2, cores)));
        config.setProperty("hazelcast.operation.generic.thread.count", "1");
        config.setProperty("hazelcast.event.thread.count", "1");
        config.setProperty("hazelcast.health.monitoring.level", "OFF");
    }

    /** {@code n} loopback ports free now (another socket may take one before it is bound). */
    static List<Integer> freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            InetAddress loopback = InetAddress.getByName(HazelcastConfigs.LOOPBACK);
            for (int i = 0; i < n; i++) held.add(new ServerSocket(0, 1, loopback));
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new ClusterUnavailableException("no free loopback port for an embedded member: " + e, e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the port is free again either way
                }
            }
        }
    }

    @Override public String name() { return name; }

    public int size() { return members.size(); }

    /** The member instance the driver of a job in this JVM talks through (a member: its own partitions are local). */
    @Override
    public HazelcastInstance driverHandle() {
        if (closed) throw new ClusterUnavailableException("embedded cluster '" + name + "' is closed");
        return members.get(0);
    }

    @Override
    public MessageAuth driverAuth() { return driverAuth; }

    /** The UUID of the member the driver talks through. */
    @Override
    public java.util.UUID driverUuid() { return driverHandle().getCluster().getLocalMember().getUuid(); }

    public List<MemberRuntime> runtimes() { return List.copyOf(runtimes); }

    /** Member {@code i}'s Hazelcast instance (tests stop one to simulate a lost member). */
    HazelcastInstance member(int i) { return members.get(i); }

    /** Chunk bytes all members read from other members. */
    public long remoteBytesRead() { return runtimes.stream().mapToLong(MemberRuntime::remoteBytesRead).sum(); }

    /** Shuts every member down and stops their runtimes. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        RUNNING.remove(name, this);
        try {
            // the whole cluster at once, gracefully: no partition migrates between members that all leave
            if (!members.isEmpty() && members.get(0).getLifecycleService().isRunning()) members.get(0).getCluster().shutdown();
        } catch (RuntimeException e) {
            LOG.debug("embedded cluster {} did not shut down as a whole ({}); stopping its members one by one", name, e.toString());
        }
        stopMembers();
    }

    /** Stops the members that still run, one by one, and their runtimes. */
    private void stopMembers() {
        for (int i = members.size() - 1; i >= 0; i--) {
            try {
                if (members.get(i).getLifecycleService().isRunning()) members.get(i).getLifecycleService().terminate();
            } catch (RuntimeException e) {
                LOG.warn("embedded member {} of cluster {} did not stop cleanly: {}", i, name, e.toString());
            }
        }
        members.clear();
        runtimes.forEach(MemberRuntime::close);
        runtimes.clear();
    }

    @Override public String toString() { return "EmbeddedCluster[" + name + ", " + members.size() + " members]"; }
}
