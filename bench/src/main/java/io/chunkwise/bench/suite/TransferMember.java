package io.chunkwise.bench.suite;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.chunkwise.cluster.HazelcastConfigs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other process of the transfer benchmark ({@link TransferBench}): a bare Hazelcast member configured by
 * {@link HazelcastConfigs#member} (loopback only, no multicast, auto-detection or phone-home), started with
 * {@code java -cp <the same class path> io.chunkwise.bench.suite.TransferMember CLUSTER PORT PEER_PORT}. It prints
 * {@code ready} once started, then holds its partitions of the benchmark's map until its standard input ends (or reads
 * {@code quit}), and shuts down; it also ends by itself after {@link #MAX_LIFETIME_MINUTES} minutes, so that it never
 * outlives a benchmark that died without stopping it.
 */
public final class TransferMember {
    /** The benchmark's map: no backups, so each chunk lives on its owner only. */
    static final String MAP = "chunkwise-transfer-bench";
    static final long MAX_LIFETIME_MINUTES = 15;

    private TransferMember() {}

    /** The member configuration both processes use: the project's hardened one plus the benchmark's map. */
    static Config config(String cluster, int port, List<String> members) {
        Config c = HazelcastConfigs.member(cluster, HazelcastConfigs.LOOPBACK, port, members);
        c.addMapConfig(new MapConfig(MAP).setBackupCount(0).setAsyncBackupCount(0).setStatisticsEnabled(false));
        c.setProperty("hazelcast.health.monitoring.level", "OFF");
        return c;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: TransferMember CLUSTER PORT PEER_PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]), peer = Integer.parseInt(args[2]);
        String lo = HazelcastConfigs.LOOPBACK;
        HazelcastInstance h = Hazelcast.newHazelcastInstance(config(args[0], port, List.of(lo + ":" + port, lo + ":" + peer)));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(MAX_LIFETIME_MINUTES));
                System.err.println("TransferMember: no quit within " + MAX_LIFETIME_MINUTES + " minutes, stopping");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // quit normally
            }
        }, "transfer-member-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.println("ready " + h.getCluster().getLocalMember().getAddress());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.strip().equals("quit")) break;
            }
        } catch (IOException e) {
            // the parent is gone: stop as well
        }
        h.getLifecycleService().terminate();
        System.exit(0);
    }
}
