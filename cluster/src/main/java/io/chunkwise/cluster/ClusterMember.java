package io.chunkwise.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.ClusterUnavailableException;
import io.chunkwise.InvalidArgumentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A Chunkwise member in this process: a Hazelcast member (configured by {@link HazelcastConfigs}: loopback unless told
 * otherwise, TCP/IP join with an explicit list, no auto-detection, multicast or phone-home) with its
 * {@link MemberRuntime}, advertising its {@link MemberAttributes}, checking task batches against the cluster's secret.
 * {@code ./chunkwise member} and {@link ClusterMemberMain} run one until SIGTERM ({@link #serve}); programs and tests
 * may {@link #start} one and {@link #close()} it.
 */
public final class ClusterMember implements AutoCloseable {
    /** Hazelcast's usual first port. */
    public static final int DEFAULT_PORT = 5701;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);

    /** How to start a member; every setter returns this. */
    public static final class Options {
        private String clusterName;
        private String bind = HazelcastConfigs.LOOPBACK;
        private int port = DEFAULT_PORT;
        private final List<String> join = new ArrayList<>();
        private int threads = Runtime.getRuntime().availableProcessors();
        private long memory = -1;
        private int gpus = -1;
        private Path secretFile;
        private java.time.Duration driverGrace = DriverWatch.DEFAULT_GRACE;

        /** The cluster's name (required; clients and other members give the same). */
        public Options clusterName(String name) {
            this.clusterName = name;
            return this;
        }

        /** The address to listen on (default 127.0.0.1; anything else puts the member on a network: see the README). */
        public Options bind(String address) {
            this.bind = address;
            return this;
        }

        /** The port to listen on (default 5701; no other is tried). */
        public Options port(int port) {
            this.port = port;
            return this;
        }

        /** Members to join, "host:port" each (default: none, this one starts a cluster). */
        public Options join(List<String> members) {
            for (String m : members) for (String a : m.split(",")) if (!a.isBlank()) join.add(a.strip());
            return this;
        }

        /** Task threads (default: the processors). */
        public Options threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** The memory budget in bytes (default: 40 % of the maximum heap). */
        public Options memory(long bytes) {
            this.memory = bytes;
            return this;
        }

        /**
         * GPUs to offer: 0 for none, else the number the GPU backend drives in this JVM (which:
         * {@code -Dchunkwise.gpu.devices}); default every one whose self-test passes.
         */
        public Options gpus(int gpus) {
            this.gpus = gpus;
            return this;
        }

        int gpuCount() { return gpus; }

        /**
         * How long a driver (a client, or a member driving jobs) may be gone from the cluster before this member drops
         * what it holds of the driver's jobs and the driver's persisted chunks go (default 10 s; a client whose
         * connection broke reconnects within it).
         */
        public Options driverGrace(java.time.Duration grace) {
            this.driverGrace = java.util.Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** {@link #driverGrace} in seconds, as the launcher's {@code --driver-grace} takes it. */
        public Options driverGraceSeconds(double seconds) {
            if (!(seconds >= 0) || seconds > Long.MAX_VALUE / 1e9) {
                throw new InvalidArgumentException("the drivers' grace period must be a number of seconds >= 0, not " + seconds);
            }
            return driverGrace(java.time.Duration.ofNanos(Math.round(seconds * 1e9)));
        }

        /** The file of the cluster's secret (default: the environment, see {@link ClusterSecret}). */
        public Options secretFile(Path file) {
            this.secretFile = file;
            return this;
        }
    }

    private final HazelcastInstance instance;
    private final MemberRuntime runtime;
    private final MemberAttributes attributes;
    private final String address;
    private final String clusterName;
    private final java.time.Duration driverGrace;
    private boolean closed;

    private ClusterMember(HazelcastInstance instance, MemberRuntime runtime, MemberAttributes attributes, String address, String clusterName,
                          java.time.Duration driverGrace) {
        this.instance = instance;
        this.runtime = runtime;
        this.attributes = attributes;
        this.address = address;
        this.clusterName = clusterName;
        this.driverGrace = driverGrace;
    }

    /**
     * Starts a member; returns once it accepts work.
     *
     * @throws InvalidArgumentException   for a bad option, or a missing or too short secret
     * @throws ClusterUnavailableException when Hazelcast cannot start it (the port is taken, the address is not this host's)
     */
    public static ClusterMember start(Options o) {
        if (o.clusterName == null || o.clusterName.isBlank()) throw new InvalidArgumentException("a member needs a cluster name (--cluster-name NAME)");
        if (o.port < 1 || o.port > 65535) throw new InvalidArgumentException("not a port: " + o.port);
        if (o.bind == null || o.bind.isBlank()) throw new InvalidArgumentException("no address to bind to");
        if (o.threads < 1) throw new InvalidArgumentException("a member needs at least 1 task thread, not " + o.threads);
        if (o.driverGrace.isNegative()) throw new InvalidArgumentException("the drivers' grace period must not be negative, not " + o.driverGrace);
        if (o.memory == 0 || o.memory < -1) throw new InvalidArgumentException("the memory budget must be positive, not " + o.memory);
        long heap = Runtime.getRuntime().maxMemory();
        long memory = o.memory > 0 ? o.memory : Math.max(1, (long) (heap * 0.4));
        MemberAttributes attributes = MemberAttributes.detect(o.threads, memory, o.gpus);
        if (memory > heap) {
            LOG.warn("the memory budget ({}) is larger than the maximum heap ({}); give the JVM more heap (-Xmx, about 2.5 times the budget)",
                    MemberAttributes.formatBytes(memory), MemberAttributes.formatBytes(heap));
        }
        byte[] secret = ClusterSecret.read(o.secretFile, System.getenv());
        MessageAuth auth;
        try {
            auth = new MessageAuth(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        String self = o.bind + ":" + o.port;
        List<String> members = new ArrayList<>(o.join);
        if (!members.contains(self)) members.add(0, self);
        Config config = HazelcastConfigs.member(o.clusterName, o.bind, o.port, members);
        attributes.applyTo(config.getMemberAttributeConfig());
        MemberRuntime runtime = new MemberRuntime(attributes.threads(), auth, o.driverGrace);
        config.getUserContext().put(MemberRuntime.USER_CONTEXT_KEY, runtime);
        HazelcastInstance h;
        try {
            h = Hazelcast.newHazelcastInstance(config);
        } catch (RuntimeException e) {
            runtime.close();
            throw new ClusterUnavailableException("cannot start a member of cluster '" + o.clusterName + "' on " + self + ": " + e.getMessage(), e);
        }
        try {
            runtime.attach(h);
            h.getPartitionService().getPartition(0).getOwner();   // has the partitions assigned now, before a client asks
        } catch (RuntimeException e) {
            h.getLifecycleService().terminate();
            runtime.close();
            throw e;
        }
        return new ClusterMember(h, runtime, attributes, self, o.clusterName, o.driverGrace);
    }

    /** The runtime that runs this member's tasks (tests look at what it holds). */
    MemberRuntime runtime() { return runtime; }

    /** {@return "host:port" this member listens on} */
    public String address() { return address; }

    /** {@return the cluster's name} */
    public String clusterName() { return clusterName; }

    /** {@return what this member advertises} */
    public MemberAttributes attributes() { return attributes; }

    /** {@return the members of its cluster it sees, itself included} */
    public int clusterSize() { return instance.getCluster().getMembers().size(); }

    /** {@return the line {@code serve} prints once the member accepts work; it contains "ready"} */
    public String readyLine() {
        int n = clusterSize();
        String grace = java.math.BigDecimal.valueOf(driverGrace.toMillis(), 3).stripTrailingZeros().toPlainString();
        return "ready: member " + address + " of cluster " + clusterName + " (" + n + (n == 1 ? " member" : " members") + "; " + attributes
                + "; drivers' grace " + grace + " s)";
    }

    /** Leaves the cluster gracefully (its partitions go to the other members first), then stops its task threads. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (instance.getLifecycleService().isRunning()) instance.getLifecycleService().shutdown();
        } catch (RuntimeException e) {
            LOG.warn("member {} of cluster {} did not shut down gracefully ({}); stopping it", address, clusterName, e.toString());
            instance.getLifecycleService().terminate();
        } finally {
            runtime.close();
        }
    }

    /**
     * Runs a member until this process is told to stop, for a program's {@code main}: starts it, prints
     * {@link #readyLine()} on {@code out}, and on SIGTERM or SIGINT (or Hazelcast shutting the member down) leaves the
     * cluster gracefully and returns 0. It takes over those two signals, so that a stopped member's process exits
     * with the code its main returns (the JVM's own handler would exit with 143), and puts the previous handlers back
     * when it returns; where it cannot, a shutdown hook still leaves gracefully.
     *
     * @return the exit code, 0
     * @throws ChunkwiseException when the member cannot start
     */
    public static int serve(Options options, PrintStream out) {
        CountDownLatch stop = new CountDownLatch(1);
        Runnable restoreSignals = onSignals(stop::countDown, "TERM", "INT");
        ClusterMember member;
        try {
            member = start(options);
        } catch (RuntimeException | Error e) {
            restoreSignals.run();
            throw e;
        }
        Thread hook = new Thread(member::close, "chunkwise-member-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        member.instance.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN || e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) stop.countDown();
        });
        if (!member.instance.getLifecycleService().isRunning()) stop.countDown();
        out.println(member.readyLine());
        out.flush();
        boolean interrupted = false;
        while (true) {
            try {
                stop.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;   // only a signal or a shutdown stops a member
            }
        }
        out.println("stopping: member " + member.address + " leaves cluster " + member.clusterName);
        out.flush();
        member.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already: the hook found the member closed
        }
        restoreSignals.run();
        out.println("stopped: member " + member.address);
        out.flush();
        if (interrupted) Thread.currentThread().interrupt();
        return 0;
    }

    /**
     * Runs {@code action} on the named signals instead of the JVM's handler (which exits with 128 + the signal), through
     * {@code sun.misc.Signal} (module jdk.unsupported), looked up reflectively as it is no API of the platform. Returns
     * what puts the previous handlers back; a signal it cannot take over (e.g. SIGINT ignored by a background shell)
     * stays with the JVM's handler and the shutdown hooks.
     */
    private static Runnable onSignals(Runnable action, String... names) {
        List<Runnable> restore = new ArrayList<>();
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            var handle = signal.getMethod("handle", signal, handler);
            Object h = Proxy.newProxyInstance(ClusterMember.class.getClassLoader(), new Class<?>[]{handler}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle" -> action.run();
                    case "hashCode" -> { return System.identityHashCode(proxy); }
                    case "equals" -> { return proxy == args[0]; }
                    case "toString" -> { return "chunkwise member signal handler"; }
                    default -> { }
                }
                return null;
            });
            for (String name : names) {
                try {
                    Object sig = signal.getConstructor(String.class).newInstance(name);
                    Object previous = handle.invoke(null, sig, h);
                    restore.add(() -> {
                        try {
                            handle.invoke(null, sig, previous);
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            LOG.debug("cannot restore the handler of signal {}: {}", name, e.toString());
                        }
                    });
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.debug("cannot take over signal {}: {}", name, e.toString());
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("cannot take over signals {}: {}", Arrays.toString(names), e.toString());
        }
        return () -> restore.forEach(Runnable::run);
    }

    @Override public String toString() { return "ClusterMember[" + address + " of " + clusterName + "]"; }
}
