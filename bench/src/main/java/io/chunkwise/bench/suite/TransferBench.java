package io.chunkwise.bench.suite;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.chunkwise.DType;
import io.chunkwise.cluster.ChunkEnvelope;
import io.chunkwise.cluster.ChunkId;
import io.chunkwise.cluster.HazelcastConfigs;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.HostBlock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Chunk transfer throughput between two member processes on loopback: this JVM starts a second one
 * ({@link TransferMember}, same class path and module flags) and a member of its own, both configured by
 * {@code HazelcastConfigs.member}; it stores float64 chunk envelopes ({@link ChunkEnvelope}) under
 * {@link ChunkId} keys whose partitions the other process owns, in a map without backups, then times
 * {@code IMap.get} of each from this JVM's member: the bytes cross the loopback socket once per read. Sizes are read
 * interleaved, a round of every key of every size at a time, after untimed rounds (one at least, more until the
 * warm-up time is spent, as the other workloads warm up); each read is a sample (GB/s =
 * envelope bytes / seconds, 10^9). Every size's envelope is decoded once and compared after the timing. Every wait
 * is bounded and the child is always destroyed.
 */
final class TransferBench {
    static final String WORKLOAD = "transfer";
    private static final long START_TIMEOUT_SECONDS = 90;

    private final List<Integer> sizesMiB;
    private final int keysPerSize;
    private final int rounds;
    private final double warmupSeconds;

    /** {@code warmupSeconds}: untimed rounds go on until they took this long (at least one round). */
    TransferBench(List<Integer> sizesMiB, int keysPerSize, int rounds, double warmupSeconds) {
        if (sizesMiB.isEmpty() || keysPerSize < 1 || rounds < 1 || !(warmupSeconds >= 0)) {
            throw new IllegalArgumentException("sizes, keys, rounds and a warm-up of 0 s or more are needed");
        }
        this.sizesMiB = List.copyOf(sizesMiB);
        this.keysPerSize = keysPerSize;
        this.rounds = rounds;
        this.warmupSeconds = warmupSeconds;
    }

    int steps() { return rounds + 3; }

    /** One row per size (GB/s of reads from the other process), or one FAILED row per size with the reason. */
    List<ClusterResult> run(Consumer<String> step) {
        List<ClusterResult> rows = new ArrayList<>();
        String cluster = "chunkwise-transfer-" + UUID.randomUUID().toString().substring(0, 8);
        Process child = null;
        HazelcastInstance self = null;
        Path childErr = null;
        try {
            int[] ports = freePorts(2);
            childErr = Files.createTempFile("chunkwise-transfer-member-", ".err");
            child = startChild(cluster, ports[1], ports[0], childErr);
            String lo = HazelcastConfigs.LOOPBACK;
            // the child first, alone; this member then joins it (started together, each would log refused connections)
            String line = readyLine(child).get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("ready")) throw new IllegalStateException("the member process did not start: " + tail(childErr));
            self = Hazelcast.newHazelcastInstance(TransferMember.config(cluster, ports[0], List.of(lo + ":" + ports[0], lo + ":" + ports[1])));
            awaitTwoMembers(self);
            step.accept("transfer: members up");
            Member remote = self.getCluster().getMembers().stream().filter(m -> !m.localMember()).findFirst().orElseThrow();
            IMap<ChunkId, byte[]> map = self.getMap(TransferMember.MAP);
            Map<Integer, List<ChunkId>> keys = new LinkedHashMap<>();
            Map<Integer, HostBlock> blocks = new LinkedHashMap<>();
            for (int mib : sizesMiB) {
                HostBlock b = block(mib);
                blocks.put(mib, b);
                byte[] env = ChunkEnvelope.encode(b);
                List<ChunkId> ks = remoteKeys(self, remote, mib);
                for (ChunkId k : ks) map.set(k, env);
                keys.put(mib, ks);
            }
            step.accept("transfer: chunks stored");
            Map<Integer, List<Double>> rates = new LinkedHashMap<>();
            for (int mib : sizesMiB) rates.put(mib, new ArrayList<>());
            long warmupEnds = System.nanoTime() + (long) (warmupSeconds * 1e9);
            do {
                readRound(map, keys, sizesMiB, null);
            } while (System.nanoTime() < warmupEnds);
            for (int r = 0; r < rounds; r++) {
                List<Integer> order = new ArrayList<>(sizesMiB);
                if ((r & 1) == 1) java.util.Collections.reverse(order);   // sizes in turn, each first in half the rounds
                readRound(map, keys, order, rates);
                step.accept("transfer round " + (r + 1) + "/" + rounds);
            }
            for (int mib : sizesMiB) {
                Block back = ChunkEnvelope.decode(map.get(keys.get(mib).get(0)));
                String problem = back instanceof HostBlock h && java.util.Arrays.equals(h.doubles(), blocks.get(mib).doubles())
                        ? null : "the chunk read back differs from the one stored";
                double[] s = rates.get(mib).stream().mapToDouble(Double::doubleValue).toArray();
                double[] mmm = Interleaved.medianMinMax(s);
                rows.add(new ClusterResult(WORKLOAD, "hazelcast", (long) mib << 20, mib << 20, 2, ClusterResult.GBS,
                        mmm[0], mmm[1], mmm[2], s.length, problem == null ? ClusterResult.OK : ClusterResult.FAILED,
                        problem == null ? s.length + " reads of " + mib + " MiB envelopes from the other process" : problem));
            }
            step.accept("transfer checked");
        } catch (Exception | LinkageError e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage() + (childErr != null ? " (member process: " + tail(childErr) + ")" : "");
            rows.clear();
            for (int mib : sizesMiB) {
                rows.add(new ClusterResult(WORKLOAD, "hazelcast", (long) mib << 20, mib << 20, 2, ClusterResult.GBS,
                        null, null, null, 0, ClusterResult.FAILED, "could not run: " + why));
            }
        } finally {
            // this member first, its chunks dropped so that it hands over empty partitions; then the child, alone
            if (self != null) {
                try {
                    self.getMap(TransferMember.MAP).destroy();
                    self.getLifecycleService().shutdown();
                } catch (RuntimeException ignored) {
                    // going anyway
                }
            }
            if (child != null) stop(child);
            if (childErr != null) {
                try {
                    Files.deleteIfExists(childErr);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
        return rows;
    }

    /** Reads every key of every size, in {@code order}; each read's GB/s goes to {@code rates} (null: untimed). */
    private static void readRound(IMap<ChunkId, byte[]> map, Map<Integer, List<ChunkId>> keys, List<Integer> order,
                                  Map<Integer, List<Double>> rates) {
        for (int mib : order) {
            for (ChunkId k : keys.get(mib)) {
                long t0 = System.nanoTime();
                byte[] got = map.get(k);
                long t = System.nanoTime() - t0;
                if (got == null) throw new IllegalStateException("chunk " + k + " is missing from the other member");
                if (rates != null) rates.get(mib).add(got.length / (double) t);   // bytes per ns = GB/s
            }
        }
    }

    /** A float64 block whose envelope is {@code mib} MiB less its header and checksum. */
    private static HostBlock block(int mib) {
        int n = (int) (((long) mib << 20) - 64) / 8;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = i * 0.5 + mib;
        return new HostBlock(DType.FLOAT64, new int[]{n}, d);
    }

    /** {@link #keysPerSize} chunk ids of layer "transfer-MiB" whose partitions {@code remote} owns. */
    private List<ChunkId> remoteKeys(HazelcastInstance self, Member remote, int mib) {
        List<ChunkId> out = new ArrayList<>();
        for (int i = 0; out.size() < keysPerSize; i++) {
            if (i > 100_000) throw new IllegalStateException("no partition of the other member found");
            ChunkId k = new ChunkId(new ChunkKey("transfer-" + mib, new int[]{i}), i);
            if (remote.equals(self.getPartitionService().getPartition(k).getOwner())) out.add(k);
        }
        return out;
    }

    private static void awaitTwoMembers(HazelcastInstance h) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (h.getCluster().getMembers().size() < 2 || !h.getPartitionService().isClusterSafe()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the two members did not form a cluster within " + START_TIMEOUT_SECONDS + " s");
            Thread.sleep(50);
        }
    }

    private static Process startChild(String cluster, int port, int peerPort, Path err) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(moduleFlags());
        // a pre-touched heap, as the launcher gives a member: this VM's first touch of new memory is slow
        cmd.add("-Xmx1g");
        cmd.add("-Xms1g");
        cmd.add("-XX:+AlwaysPreTouch");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TransferMember.class.getName());
        cmd.add(cluster);
        cmd.add(Integer.toString(port));
        cmd.add(Integer.toString(peerPort));
        return new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    }

    /** This JVM's module and access flags (the root pom's), which the member process needs as well. */
    static List<String> moduleFlags() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("--add-modules")
                    || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe-memory-access")) {
                out.add(a);
            }
        }
        return out;
    }

    /** The child's first line of output, or null when it ends first; read on a daemon thread. */
    private static CompletableFuture<String> readyLine(Process p) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                f.complete(r.readLine());
                while (r.readLine() != null) {
                    // drain: Hazelcast's log goes to stderr, but nothing may block the child
                }
            } catch (IOException e) {
                f.complete(null);
            }
        }, "transfer-member-reader");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Asks the child to quit, then destroys it (forcibly after a bounded wait). */
    private static void stop(Process child) {
        try (OutputStream in = child.getOutputStream()) {
            in.write("quit\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // it is gone already
        }
        try {
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroy();
                if (!child.waitFor(5, TimeUnit.SECONDS)) child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path err) {
        try {
            String s = Files.readString(err, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "nothing on stderr" : Json.abbreviate(s.substring(Math.max(0, s.length() - 400)));
        } catch (IOException e) {
            return "stderr unreadable";
        }
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            InetAddress lo = InetAddress.getByName(HazelcastConfigs.LOOPBACK);
            for (int i = 0; i < n; i++) held.add(new ServerSocket(0, 1, lo));
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }
}
