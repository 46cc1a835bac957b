package io.chunkwise.bench.suite;

import io.chunkwise.bench.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Finding numpy and dask: whatever is missing is a one-line reason, never a failure of the suite. */
class PeerDiscoveryTest {
    @Test
    void anAbsentPythonIsAReasonNotAnError() {
        PythonPeer.Environment env = PythonPeer.discover(Path.of("/nonexistent/python3"));
        assertFalse(env.numpy());
        assertFalse(env.dask());
        assertTrue(env.numpyProblem().contains("/nonexistent/python3 not found"), env.numpyProblem());
        assertEquals(1, env.daskProblem().lines().count());
    }

    @Test
    void aPythonWithoutNumpy(@TempDir Path dir) throws Exception {
        // what matmul_peer.py --info prints where numpy cannot be imported
        Path python = fakePython(dir, "echo '{\"error\": \"numpy is not installed: No module named numpy\"}'; exit 1");
        PythonPeer.Environment env = PythonPeer.discover(python, script());
        assertFalse(env.numpy());
        assertFalse(env.dask());
        assertTrue(env.numpyProblem().contains("No module named numpy"), env.numpyProblem());
    }

    @Test
    void aPythonWithNumpyButWithoutDask(@TempDir Path dir) throws Exception {
        Path python = fakePython(dir, "echo '{\"versions\": {\"python\": \"3.11.2\", \"numpy\": \"1.24.2\"},"
                + " \"blas\": {\"libraries\": [\"libopenblas.so\"], \"config\": \"OpenBLAS 0.3.21\"},"
                + " \"dask_error\": \"No module named dask\"}'");
        PythonPeer.Environment env = PythonPeer.discover(python, script());
        assertTrue(env.numpy(), env.numpyProblem());
        assertEquals("1.24.2", env.numpyVersion());
        assertEquals("OpenBLAS 0.3.21", env.blas());
        assertFalse(env.dask());
        assertTrue(env.daskProblem().contains("python3-dask") && env.daskProblem().contains("No module named dask"),
                env.daskProblem());
    }

    @Test
    void aPythonThatCrashesIsAReason(@TempDir Path dir) throws Exception {
        Path python = fakePython(dir, "echo 'Traceback: something broke' >&2; exit 3");
        PythonPeer.Environment env = PythonPeer.discover(python, script());
        assertFalse(env.numpy());
        assertTrue(env.numpyProblem().contains("failed (exit 3)") && env.numpyProblem().contains("something broke"),
                env.numpyProblem());
    }

    @Test
    void theScriptTravelsInTheJar() throws Exception {
        String text = Files.readString(script());
        assertTrue(text.startsWith("#!/usr/bin/env python3"), text.substring(0, 40));
        assertTrue(text.contains("--workload"));
    }

    @Test
    void theSuiteSaysWhichPeerIsMissingAndGoesOn(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("out");
        CommandLineRun r = CommandLineRun.of("bench", "--sections", "matmul", "--peers", "numpy,dask",
                "--python", "/nonexistent/python3", "--sizes", "48", "--chunks", "n/2", "--dtypes", "float64",
                "--reps", "1", "--warmup", "0", "--no-progress", "--output", output.toString());
        assertEquals(0, r.code(), r.transcript());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("peer numpy: not available")).count(), r.transcript());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("peer dask: not available")).count(), r.transcript());
        assertTrue(lines.contains("peers: none"), r.transcript());
        List<String> csv = Files.readAllLines(output.resolve("results.csv"));
        assertEquals(2, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("chunkwise,float64,48,24,") && csv.get(1).contains(",ok,"), csv.get(1));
        assertEquals("", r.err(), r.transcript());
    }

    @Test
    void numpyAndDaskRunAndAreValidatedWhereDebianProvidesThem(@TempDir Path dir) throws Exception {
        PythonPeer.Environment env = PythonPeer.discover(PythonPeer.DEFAULT_PYTHON);
        assumeTrue(env.numpy() && env.dask(), "numpy and dask are not both installed for "
                + PythonPeer.DEFAULT_PYTHON + ": " + env.daskProblem());
        Path output = dir.resolve("out");
        CommandLineRun r = CommandLineRun.of("bench", "--sections", "matmul", "--peers", "numpy,dask",
                "--sizes", "64", "--chunks", "n/2,n/4", "--dtypes", "float32", "--reps", "2", "--warmup", "1",
                "--no-progress", "--output", output.toString());
        assertEquals(0, r.code(), r.transcript());
        List<String> csv = Files.readAllLines(output.resolve("results.csv"));
        // ours on 2 chunk sizes, numpy once, dask on 2 chunk sizes
        assertEquals(6, csv.size(), String.join("\n", csv));
        for (String system : List.of("numpy,float32,64,64,", "dask,float32,64,32,", "dask,float32,64,16,")) {
            assertTrue(csv.stream().anyMatch(l -> l.startsWith(system) && l.contains(",ok,")), system + " in\n" + String.join("\n", csv));
        }
        assertTrue(r.out().contains("vs numpy") && r.out().contains("vs dask"), r.transcript());
    }

    @Test
    void theDistributedScriptTravelsInTheJarAndAMissingInterpreterIsAReason() throws Exception {
        String text = Files.readString(PythonPeer.extractScript(PythonPeer.DISTRIBUTED_SCRIPT_RESOURCE));
        assertTrue(text.contains("LocalCluster(n_workers=args.threads, threads_per_worker=1, processes=True,")
                && text.contains("host=\"127.0.0.1\", dashboard_address=None"), "loopback only, no dashboard");
        PythonPeer.Environment env = PythonPeer.discoverDistributed(Path.of("/nonexistent/python3"));
        assertTrue(!env.dask() && env.daskProblem().contains("not found"), String.valueOf(env));
    }

    @Test
    void distributedIsFoundWhereDebianProvidesIt() {
        PythonPeer.Environment env = PythonPeer.discoverDistributed(PythonPeer.DEFAULT_PYTHON);
        assumeTrue(env.dask(), "dask.distributed is not installed for " + PythonPeer.DEFAULT_PYTHON + ": " + env.daskProblem());
        assertTrue(env.daskVersion() != null && !env.daskVersion().isBlank(), String.valueOf(env));
    }

    @Test
    void thePeersCpuTimeCountsTheProcessesUnderItsServer(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc to read CPU times from");
        // a server of the suite's protocol with a busy process under it, as dask.distributed's workers are
        Path python = fakePython(dir, """
                (while :; do :; done) &
                while read line; do
                  case "$line" in *quit*) kill $!; exit 0;; esac
                  echo '{"ok": true}'
                done""");
        PythonPeer.Environment env = new PythonPeer.Environment(python, dir.resolve("distributed_peer.py"), "1", "1", null, null, null);
        try (PythonPeer peer = PythonPeer.distributed(env)) {
            assertEquals(-1, peer.cpuNanos(), "no server yet");
            peer.prepare(ClusterSuite.TINY, 10, 1, 2, 42);
            long before = peer.cpuNanos();
            Thread.sleep(500);
            long taken = peer.cpuNanos() - before;
            assertTrue(taken >= 100_000_000L && taken <= 1_500_000_000L, "the busy process took " + taken / 1e6 + " ms of CPU in 0.5 s");
        }
    }

    private static Path script() {
        return PythonPeer.extractScript();
    }

    /** An executable shell script standing in for python3. */
    private static Path fakePython(Path dir, String body) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh");
        Path p = dir.resolve("python3");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        assertTrue(p.toFile().setExecutable(true));
        return p;
    }
}
