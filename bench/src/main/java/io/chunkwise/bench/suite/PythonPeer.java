package io.chunkwise.bench.suite;

import io.chunkwise.NDArray;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * numpy or dask.array as a peer, through the script {@code bench/peers/matmul_peer.py} (shipped in the jar) run by a
 * Python interpreter: by default Debian's {@code /usr/bin/python3}, whose numpy and dask come from the packages
 * python3-numpy and python3-dask (a python3 found first on PATH, such as a pyenv one, may have neither).
 *
 * <p>The script runs as a server, one process per system, started on first use: the suite asks it for one timed run
 * at a time (the time is taken in Python around the operation alone), interleaved with ours; a product is saved as
 * {@code .npy}, read back here and validated like ours. numpy runs with its BLAS on the suite's thread count
 * (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS); dask with the threaded scheduler on that many workers, the same chunks as
 * ours and one BLAS thread per worker. {@link #close()} ends the server (it also ends when this JVM does).
 */
public final class PythonPeer implements MatmulPeer, AutoCloseable {
    /** The interpreter the suite runs unless told otherwise. */
    public static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");
    static final String SCRIPT_RESOURCE = "/io/chunkwise/bench/peers/matmul_peer.py";
    /** The dask.distributed peer of the cluster section: the same server protocol, another script. */
    static final String DISTRIBUTED_SCRIPT_RESOURCE = "/io/chunkwise/bench/peers/distributed_peer.py";
    /** The system name of the dask.distributed peer. */
    public static final String DISTRIBUTED = "distributed";
    private static final Duration INFO_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);
    /** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture the JDK runs on. */
    private static final long CLOCK_TICK_NANOS = 10_000_000L;

    private final String system;
    private final Environment env;
    private Server server;
    private int nextId;

    private PythonPeer(String system, Environment env) {
        this.system = system;
        this.env = env;
    }

    /**
     * What {@code python --info} reported: versions and BLAS, or why numpy (and with it dask) or dask alone cannot
     * be used. Never throws: an absent interpreter, a broken script or a missing package is a reason. For the
     * dask.distributed script ({@link #discoverDistributed}) "dask" stands for dask.distributed: its version, or why it
     * cannot be imported.
     */
    public record Environment(Path python, Path script, String numpyVersion, String daskVersion, String blas,
                              String numpyProblem, String daskProblem) {
        public boolean numpy() { return numpyProblem == null; }

        public boolean dask() { return daskProblem == null; }
    }

    public static PythonPeer numpy(Environment env) {
        if (!env.numpy()) throw new IllegalStateException("numpy is not available: " + env.numpyProblem());
        return new PythonPeer("numpy", env);
    }

    public static PythonPeer dask(Environment env) {
        if (!env.dask()) throw new IllegalStateException("dask is not available: " + env.daskProblem());
        return new PythonPeer("dask", env);
    }

    /** dask.distributed (a {@code LocalCluster} of worker processes), for the cluster section's workloads only. */
    public static PythonPeer distributed(Environment env) {
        if (!env.dask()) throw new IllegalStateException("dask.distributed is not available: " + env.daskProblem());
        return new PythonPeer(DISTRIBUTED, env);
    }

    @Override
    public String system() { return system; }

    @Override
    public boolean chunked() { return !system.equals("numpy"); }

    /** Looks for numpy and dask behind {@code python}, running the script found in the jar. */
    public static Environment discover(Path python) {
        return discover(python, SCRIPT_RESOURCE);
    }

    /** Looks for dask.distributed behind {@code python}, running its script found in the jar. */
    public static Environment discoverDistributed(Path python) {
        return discover(python, DISTRIBUTED_SCRIPT_RESOURCE);
    }

    private static Environment discover(Path python, String resource) {
        Path script;
        try {
            script = extractScript(resource);
        } catch (RuntimeException e) {
            String why = "the peer script could not be unpacked: " + e.getMessage();
            return new Environment(python, null, null, null, null, why, why);
        }
        return discover(python, script);
    }

    static Environment discover(Path python, Path script) {
        if (!Files.isRegularFile(python) || !Files.isExecutable(python)) {
            String why = python + " not found (install python3-numpy and python3-dask, or pass --python)";
            return new Environment(python, script, null, null, null, why, why);
        }
        Exec r;
        try {
            r = exec(List.of(python.toString(), script.toString(), "--info"), INFO_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            String why = python + " could not be run: " + e.getMessage();
            return new Environment(python, script, null, null, null, why, why);
        }
        Map<String, Object> info;
        try {
            info = Json.object(r.out());
        } catch (IllegalArgumentException e) {
            String why = python + " " + script.getFileName() + " --info failed (exit " + r.code() + "): "
                    + Json.abbreviate(r.err().isBlank() ? r.out() : r.err());
            return new Environment(python, script, null, null, null, why, why);
        }
        if (info.get("error") instanceof String e) return new Environment(python, script, null, null, null, e, e);
        Map<?, ?> versions = info.get("versions") instanceof Map<?, ?> m ? m : Map.of();
        String numpy = Objects.toString(versions.get("numpy"), null);
        String dask = Objects.toString(versions.get("dask"), null);
        String blas = blasText(info.get("blas"));
        String numpyProblem = numpy == null ? "numpy is not importable by " + python : null;
        boolean distributed = script.getFileName().toString().contains("distributed");
        String daskProblem = numpyProblem != null ? numpyProblem
                : dask == null ? (distributed ? "dask.distributed" : "dask.array") + " is not importable by " + python
                + (distributed ? " (install python3-distributed)" : " (install python3-dask)")
                + (info.get("dask_error") instanceof String e ? ": " + e : "") : null;
        return new Environment(python, script, numpy, dask, blas, numpyProblem, daskProblem);
    }

    private static String blasText(Object blas) {
        if (!(blas instanceof Map<?, ?> m)) return null;
        if (m.get("config") instanceof String config) return config.strip();
        if (m.get("libraries") instanceof List<?> libs && !libs.isEmpty()) return String.valueOf(libs.get(0));
        return null;
    }

    /**
     * One line for the suite's header, e.g. {@code numpy 1.24.2 (/usr/bin/python3, BLAS OpenBLAS 0.3.21 ...)};
     * {@code system} is numpy, dask or distributed.
     */
    public static String describe(Environment env, String system) {
        String v = system.equals("numpy") ? env.numpyVersion() : env.daskVersion();
        String blas = env.blas() == null ? "" : ", BLAS " + env.blas();
        return String.format(Locale.ROOT, "%s %s (%s%s)", system, v, env.python(), blas);
    }

    @Override
    public Run start(MatmulCase c, MatmulInputs in, int threads) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("workload", "matmul");
        req.put("n", c.n());
        req.put("dtype", c.dtype().numpyName());
        req.put("chunk", c.chunk());
        req.put("a", in.npyA().toString());
        req.put("b", in.npyB().toString());
        Remote r = prepare(req, threads);
        Path out = in.scratch(system + "-" + c.chunk() + "-C.npy");
        return new Run() {
            @Override
            public double time() throws IOException {
                return r.time();
            }

            @Override
            public long settleMillis() { // numpy's OpenBLAS on several threads; dask's runs on one BLAS thread a worker
                return system.equals("numpy") && threads > 1 ? OPENBLAS_SETTLE_MILLIS : 0;
            }

            @Override
            public NDArray product() throws IOException {
                Files.deleteIfExists(out);
                r.call("save", Map.of("out", out.toString()));
                try {
                    return in.context().readNpy(out, new int[]{c.n(), c.n()}).compute();
                } finally {
                    Files.deleteIfExists(out);
                }
            }

            @Override
            public void close() throws IOException {
                r.close();
            }
        };
    }

    /**
     * One of the script's other workloads (mul_add, sum, random, tiny) on {@code n} elements, ready to be timed;
     * {@link Remote#check()} gives the values of its last result for the caller to verify.
     */
    public Remote prepare(String workload, long n, int chunk, int threads, long seed) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("workload", workload);
        req.put("n", n);
        req.put("chunk", chunk);
        req.put("seed", seed);
        return prepare(req, threads);
    }

    private Remote prepare(Map<String, Object> req, int threads) throws IOException {
        if (server == null || server.threads != threads) {
            close();
            server = new Server(threads);
        }
        int id = ++nextId;
        Map<String, Object> r = new LinkedHashMap<>(req);
        r.put("op", "prepare");
        r.put("id", id);
        server.request(r);
        return new Remote(server, id);
    }

    /** A run held by the server. */
    public final class Remote implements Trial {
        private final Server owner;
        private final int id;

        private Remote(Server owner, int id) {
            this.owner = owner;
            this.id = id;
        }

        /** Runs once in Python; the seconds Python measured around the operation. */
        @Override
        public double time() throws IOException {
            Object s = call("time", Map.of()).get("seconds");
            if (!(s instanceof Double d) || !(d > 0) || d.isInfinite()) throw new IllegalStateException(system + " timed " + s);
            return d;
        }

        /** The values of the last result to verify. */
        public Map<?, ?> check() throws IOException {
            return call("check", Map.of()).get("check") instanceof Map<?, ?> m ? m : Map.of();
        }

        Map<String, Object> call(String op, Map<String, Object> more) throws IOException {
            Map<String, Object> r = new LinkedHashMap<>(more);
            r.put("op", op);
            r.put("id", id);
            return owner.request(r);
        }

        @Override
        public void close() throws IOException {
            if (owner.alive()) call("drop", Map.of());
        }
    }

    /**
     * The CPU time the server's processes have taken so far (the server and every process under it, such as
     * dask.distributed's workers), from /proc; -1 where there is no server or no /proc. A process that ended no longer
     * counts.
     */
    long cpuNanos() {
        if (server == null || !Files.isDirectory(Path.of("/proc", "self"))) return -1;
        long ticks = 0;
        List<ProcessHandle> processes = new ArrayList<>(List.of(server.process.toHandle()));
        server.process.descendants().forEach(processes::add);
        for (ProcessHandle p : processes) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);   // utime and stime, in clock ticks
            } catch (IOException | RuntimeException e) {
                // it ended meanwhile
            }
        }
        return ticks * CLOCK_TICK_NANOS;
    }

    /** Ends the server, if one runs. */
    @Override
    public void close() {
        if (server != null) server.close();
        server = null;
    }

    /** One {@code matmul_peer.py --serve} process: a request per line on its stdin, an answer per line on its stdout. */
    private final class Server implements AutoCloseable {
        private static final String EOF = "\u0000eof";
        final int threads;
        private final Process process;
        private final BufferedWriter in;
        private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        private final Path err;

        Server(int threads) throws IOException {
            this.threads = threads;
            err = Files.createTempFile("chunkwise-" + system + "-", ".err");
            err.toFile().deleteOnExit();
            ProcessBuilder pb = new ProcessBuilder(env.python().toString(), env.script().toString(), "--serve",
                    "--system", system, "--threads", Integer.toString(threads)).redirectError(err.toFile());
            // the script sets these itself before numpy loads; set here too, for a numpy started some other way
            String blas = Integer.toString(system.equals("numpy") ? threads : 1);
            pb.environment().putAll(Map.of("OPENBLAS_NUM_THREADS", blas, "OMP_NUM_THREADS", blas, "MKL_NUM_THREADS", blas));
            process = pb.start();
            in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) answers.add(line);
                } catch (IOException e) {
                    // the process is gone; EOF below says so
                }
                answers.add(EOF);
            }, "chunkwise-" + system + "-peer");
            reader.setDaemon(true);
            reader.start();
        }

        boolean alive() {
            return process.isAlive();
        }

        Map<String, Object> request(Map<String, Object> req) throws IOException {
            if (!process.isAlive()) throw new IOException(system + " peer has exited: " + stderrTail());
            try {
                in.write(Json.write(req));
                in.newLine();
                in.flush();
            } catch (IOException e) {
                throw new IOException(system + " peer is not listening: " + stderrTail(), e);
            }
            String line;
            try {
                line = answers.poll(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + system, e);
            }
            if (line == null) {
                process.destroyForcibly();
                throw new IOException(system + " gave no answer to " + req.get("op") + " within " + REQUEST_TIMEOUT.toMinutes()
                        + " minutes and was stopped");
            }
            if (line.equals(EOF)) throw new IOException(system + " peer has exited: " + stderrTail());
            Map<String, Object> answer;
            try {
                answer = Json.object(line);
            } catch (IllegalArgumentException e) {
                throw new IOException(system + " answered " + Json.abbreviate(line), e);
            }
            if (answer.get("error") instanceof String e) throw new IllegalStateException(system + ": " + e);
            return answer;
        }

        private String stderrTail() {
            try {
                String s = Files.readString(err, StandardCharsets.UTF_8).strip();
                return s.isEmpty() ? "(nothing on stderr)" : Json.abbreviate(s.substring(Math.max(0, s.length() - 600)));
            } catch (IOException e) {
                return "(stderr unreadable)";
            }
        }

        @Override
        public void close() {
            try {
                if (process.isAlive()) {
                    in.write("{\"op\": \"quit\"}");
                    in.newLine();
                    in.flush();
                }
                in.close();
            } catch (IOException e) {
                // it is going anyway
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(err);
            } catch (IOException e) {
                // deleted on exit
            }
        }
    }

    /** The script from the jar, in a temporary file deleted when the JVM exits. */
    static Path extractScript() {
        return extractScript(SCRIPT_RESOURCE);
    }

    static synchronized Path extractScript(String resource) {
        try (InputStream s = PythonPeer.class.getResourceAsStream(resource)) {
            if (s == null) throw new IllegalStateException(resource + " is not in the jar");
            String name = resource.substring(resource.lastIndexOf('/') + 1, resource.length() - ".py".length());
            Path p = Files.createTempFile("chunkwise-" + name + "-", ".py");
            p.toFile().deleteOnExit();
            Files.copy(s, p, StandardCopyOption.REPLACE_EXISTING);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    record Exec(int code, String out, String err) {}

    /** Runs {@code cmd} with stdout and stderr in temporary files (no pipe can fill up), killing it after {@code timeout}. */
    static Exec exec(List<String> cmd, Duration timeout) throws IOException {
        Path out = Files.createTempFile("chunkwise-peer-", ".out");
        Path err = Files.createTempFile("chunkwise-peer-", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + cmd.get(0) + " ran", e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " ran past " + timeout.toSeconds() + " s and was stopped");
            }
            return new Exec(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
