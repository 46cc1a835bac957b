package io.chunkwise.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SerializationConfig;
import io.chunkwise.ClusterSpec;
import io.chunkwise.InvalidArgumentException;

import java.time.Duration;
import java.util.List;

/**
 * The one place that builds Hazelcast configurations, hardened for open-source Hazelcast, which has no TLS and no
 * authentication: members bind to the given address only (loopback by default, never the wildcard address), join
 * by TCP/IP with an explicit member list (auto-detection and multicast off), never phone home, run no Jet engine,
 * collect no metrics, accept Java-serialized objects of our own package only (our messages are
 * {@code IdentifiedDataSerializable} anyway), log through SLF4J and declare a silent member dead after
 * {@value #MAX_NO_HEARTBEAT_SECONDS} s.
 */
public final class HazelcastConfigs {
    /** Loopback: the default, and the only address embedded members use. */
    public static final String LOOPBACK = "127.0.0.1";
    static final int MAX_NO_HEARTBEAT_SECONDS = 10;
    /** The executor that runs task batches on members. */
    static final String EXECUTOR = "chunkwise-tasks";
    /** Every map of chunks is named with this prefix ({@code chunkwise info} counts the chunks in them). */
    static final String CHUNK_MAP_PREFIX = "chunkwise-";
    /** Job maps are named with this prefix: intermediates, no backup (rebuildable). */
    static final String JOB_MAP_PREFIX = CHUNK_MAP_PREFIX + "job-";
    /** The chunks of persisted arrays, of every context: kept with one (synchronous) backup, as they cannot be rebuilt. */
    static final String PERSISTED_MAP = CHUNK_MAP_PREFIX + "persisted";
    /**
     * Who persisted each chunk of {@link #PERSISTED_MAP}: the driver's id, so that the chunks of a driver that was killed
     * can go ({@link DriverWatch}). Not a chunk map (no chunk prefix).
     */
    static final String PERSISTED_OWNERS_MAP = "chunkwise.persisted-owners";

    private HazelcastConfigs() {}

    /** A member of cluster {@code clusterName} on {@code bind}:{@code port}, joining {@code members} ("host:port"). */
    public static Config member(String clusterName, String bind, int port, List<String> members) {
        Config c = new Config();
        c.setClusterName(requireName(clusterName));
        c.setInstanceName("chunkwise-" + clusterName + "-" + port);
        common(c::setProperty);
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
        c.setProperty("hazelcast.shutdownhook.enabled", "false");   // the context (or the launcher) shuts its members down
        c.setProperty("hazelcast.graceful.shutdown.max.wait", "60");   // a leaving member hands its partitions over within 60 s
        c.setProperty("hazelcast.partition.count", "271");
        NetworkConfig n = c.getNetworkConfig();
        n.setPort(port).setPortAutoIncrement(false);
        n.setPublicAddress(bind + ":" + port);
        n.getInterfaces().setEnabled(true).addInterface(bind);
        n.getRestApiConfig().setEnabled(false);
        JoinConfig j = n.getJoin();
        j.getAutoDetectionConfig().setEnabled(false);
        j.getMulticastConfig().setEnabled(false);
        j.getTcpIpConfig().setEnabled(true).setMembers(members);
        c.getJetConfig().setEnabled(false);
        // nothing reads Hazelcast's metrics (no Management Center, no JMX), and collecting them costs an idle member CPU
        // (an idle embedded cluster of 2: 4.3-4.9 % of a core without them, 4.5-7.2 with, five 20 s windows each)
        c.getMetricsConfig().setEnabled(false);
        serialization(c.getSerializationConfig());
        c.addExecutorConfig(new ExecutorConfig(EXECUTOR).setPoolSize(16).setStatisticsEnabled(false));
        c.addMapConfig(new MapConfig(JOB_MAP_PREFIX + "*").setBackupCount(0).setAsyncBackupCount(0)
                .setStatisticsEnabled(false));
        // written once: a member may read the backup it holds instead of asking the owner (no stale value to fear)
        c.addMapConfig(new MapConfig(PERSISTED_MAP).setBackupCount(1).setAsyncBackupCount(0).setReadBackupData(true)
                .setStatisticsEnabled(false));
        c.addMapConfig(new MapConfig(PERSISTED_OWNERS_MAP).setBackupCount(1).setAsyncBackupCount(0).setStatisticsEnabled(false));
        return c;
    }

    /** A client of the members at {@code addresses} ("host:port"), cluster {@code clusterName}, with the default connect time-out. */
    public static ClientConfig client(String clusterName, List<String> addresses) {
        return client(clusterName, addresses, ClusterSpec.connect(addresses.get(0)).connectTimeout());
    }

    /**
     * A client of the members at {@code addresses} ("host:port"), cluster {@code clusterName}, that gives up connecting
     * (or reconnecting, once the members are gone) after {@code connectTimeout} instead of retrying for ever (the
     * client's default): a wrong address or cluster name fails in bounded time.
     */
    public static ClientConfig client(String clusterName, List<String> addresses, Duration connectTimeout) {
        ClientConfig c = new ClientConfig();
        c.setClusterName(requireName(clusterName));
        common(c::setProperty);
        long ms = Math.max(1, connectTimeout.toMillis());
        c.getConnectionStrategyConfig().setAsyncStart(false).setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ON);
        c.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(ms)
                .setInitialBackoffMillis((int) Math.min(ms, 200)).setMaxBackoffMillis((int) Math.min(ms, 1000));
        c.getNetworkConfig().setConnectionTimeout((int) Math.min(ms, Integer.MAX_VALUE));
        c.getNetworkConfig().getSocketOptions().setBufferSize(1024);   // KiB, as the members' (default 128)
        c.getNetworkConfig().setAddresses(addresses);
        c.getMetricsConfig().setEnabled(false);   // no client statistics sent to the members
        c.getNetworkConfig().getAutoDetectionConfig().setEnabled(false);
        c.getNetworkConfig().getCloudConfig().setEnabled(false);
        serialization(c.getSerializationConfig());
        return c;
    }

    private interface Properties {
        Object set(String name, String value);
    }

    private static void common(Properties p) {
        p.set("hazelcast.socket.receive.buffer.size", "1024");   // KiB: chunks are megabytes (default 128)
        p.set("hazelcast.socket.send.buffer.size", "1024");
        p.set("hazelcast.socket.client.receive.buffer.size", "1024");   // a member's side of a client's connection
        p.set("hazelcast.socket.client.send.buffer.size", "1024");
        // direct socket buffers: a heap buffer costs a copy more each way (the JDK goes through a direct one of its
        // own). With the client's 1 MiB buffers: a client's reads of 8 MiB chunks 1.52 GB/s against 1.28, member to
        // member 1.02 against 0.99 (medians of six runs each; bench/RESULTS.md, cluster run 13)
        p.set("hazelcast.socket.buffer.direct", "true");
        p.set("hazelcast.socket.client.buffer.direct", "true");   // both sides of a client's connection
        p.set("hazelcast.phone.home.enabled", "false");
        p.set("hazelcast.logging.type", "slf4j");
    }

    private static void serialization(SerializationConfig s) {
        s.addDataSerializableFactory(ClusterSerialization.FACTORY_ID, new ClusterSerialization());
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig();
        filter.getWhitelist().addPrefixes("io.chunkwise.");
        s.setJavaSerializationFilterConfig(filter);
    }

    private static String requireName(String clusterName) {
        if (clusterName == null || clusterName.isBlank()) throw new InvalidArgumentException("a cluster needs a non-empty cluster name");
        return clusterName;
    }
}
