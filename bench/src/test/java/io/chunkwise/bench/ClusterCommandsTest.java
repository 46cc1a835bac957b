package io.chunkwise.bench;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code member} and {@code info --connect}, in this JVM (the cluster module's tests run members as processes). */
class ClusterCommandsTest {
    @TempDir
    Path dir;

    @Test
    void memberRunsUntilStoppedAndInfoListsIt() throws Exception {
        Path secret = Files.createFile(dir.resolve("secret"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, "0123456789abcdef0123456789abcdef\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String name = "chunkwise-cli-test-" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        AtomicInteger code = new AtomicInteger(-1);
        Thread member = new Thread(() -> code.set(Main.run(new String[]{"member", "--port", Integer.toString(port), "--cluster-name", name,
                "--secret-file", secret.toString(), "--threads", "1", "--memory", "64m", "--gpus", "0", "--driver-grace", "2.5"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))));
        member.setDaemon(true);
        member.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!out.toString(StandardCharsets.UTF_8).contains("ready")) {
                assertTrue(member.isAlive(), "member exited: " + code.get() + "\n" + out + err);
                assertTrue(System.nanoTime() < deadline, "no ready line in 60 s:\n" + out + err);
                Thread.sleep(20);
            }
            String ready = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("ready")).findFirst().orElseThrow();
            assertTrue(ready.contains("127.0.0.1:" + port) && ready.contains(name) && ready.contains("drivers' grace 2.5 s"), ready);

            CommandLineRun info = CommandLineRun.of("info", "--connect", "127.0.0.1:" + port, "--cluster-name", name, "--secret-file", secret.toString());
            assertEquals(0, info.code(), info.transcript());
            assertTrue(info.out().contains(name + " at 127.0.0.1:" + port + ": 1 member"), info.transcript());
            String row = info.out().lines().filter(l -> l.strip().startsWith("127.0.0.1:" + port)).findFirst().orElseThrow(() -> new AssertionError(info.transcript()));
            assertTrue(row.contains(" 1 ") && row.contains("64.0 MiB") && row.contains("CPU"), row);

            CommandLineRun wrong = CommandLineRun.of("info", "--connect", "127.0.0.1:" + port, "--cluster-name", "not-" + name, "--secret-file", secret.toString());
            assertEquals(1, wrong.code(), wrong.transcript());
            assertEquals(1, wrong.errLines().size(), "one line: " + wrong.transcript());
            assertTrue(wrong.err().contains("cluster name"), wrong.transcript());
        } finally {
            HazelcastInstance h = Hazelcast.getHazelcastInstanceByName("chunkwise-" + name + "-" + port);
            if (h != null) h.shutdown();   // as SIGTERM would: the member leaves, the command returns
            member.join(30_000);
        }
        assertEquals(0, code.get(), out + "\n" + err);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("stopped: member 127.0.0.1:" + port), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void memberOptionsAreChecked() throws IOException {
        for (String[] args : List.of(new String[]{"member", "--port", "5701"}, new String[]{"member", "--cluster-name", "x", "--memory", "lots"},
                new String[]{"member", "--cluster-name", "x", "--driver-grace", "-1"},
                new String[]{"member", "--cluster-name", "x", "--secret", "hunter2hunter2hunter2"})) {
            CommandLineRun r = CommandLineRun.of(args);
            assertEquals(2, r.code(), r.transcript());
            assertTrue(r.errLines().get(1).startsWith("Usage: chunkwise member"), r.transcript());
        }
        CommandLineRun r = CommandLineRun.of("member", "--cluster-name", "x", "--secret", "hunter2hunter2hunter2");
        assertTrue(r.errLines().get(0).contains("never taken on the command line"), r.transcript());
        Path empty = Files.createFile(dir.resolve("empty"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        r = CommandLineRun.of("member", "--cluster-name", "x", "--secret-file", empty.toString());
        assertEquals(1, r.code(), r.transcript());
        assertTrue(r.err().contains("empty") && r.errLines().size() == 1, r.transcript());
    }
}
