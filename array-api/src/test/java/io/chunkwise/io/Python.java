package io.chunkwise.io;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Python interpreter for the interop tests. Tries, in order, the interpreter named by the environment variable
 * {@code CHUNKWISE_PYTHON}, {@code python3} on the PATH and {@code /usr/bin/python3}; a test that needs a module none
 * of them has is skipped with the reason.
 */
final class Python {
    private static final Map<String, String> FOUND = new ConcurrentHashMap<>();
    private static final Map<String, String> WHY_NOT = new ConcurrentHashMap<>();

    private Python() {}

    private static List<String> candidates() {
        List<String> c = new ArrayList<>();
        String env = System.getenv("CHUNKWISE_PYTHON");
        if (env != null && !env.isBlank()) c.add(env);
        c.add("python3");
        c.add("/usr/bin/python3");
        return c;
    }

    /** The first interpreter that imports {@code module}; skips the calling test if there is none. */
    static String require(String module) {
        String exe = find(module);
        Assumptions.assumeTrue(exe != null, () -> "no python3 with " + module + ": " + WHY_NOT.get(module));
        return exe;
    }

    private static synchronized String find(String module) {
        if (FOUND.containsKey(module)) return FOUND.get(module);
        if (WHY_NOT.containsKey(module)) return null;
        List<String> tried = new ArrayList<>();
        for (String exe : candidates()) {
            try {
                Result r = exec(List.of(exe, "-c", "import " + module), null, 60);
                if (r.exitCode == 0) {
                    FOUND.put(module, exe);
                    return exe;
                }
                String out = r.output.strip();
                tried.add(exe + " (" + out.substring(out.lastIndexOf('\n') + 1) + ")");
            } catch (IOException e) {
                tried.add(exe + " (" + e.getMessage() + ")");
            }
        }
        WHY_NOT.put(module, "tried " + String.join(", ", tried));
        return null;
    }

    record Result(int exitCode, String output) {}

    /** Runs {@code script} (after {@link SampleArrays#PYTHON_PATTERN}) with {@code args}; fails the test unless it exits 0. */
    static String run(String exe, Path dir, String script, String... args) {
        try {
            Path file = Files.createTempFile(dir, "script", ".py");
            Files.writeString(file, SampleArrays.PYTHON_PATTERN + script, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(List.of(exe, file.toString()));
            cmd.addAll(List.of(args));
            Result r = exec(cmd, dir, 120);
            assertEquals(0, r.exitCode, () -> "python script failed:\n" + r.output);
            return r.output;
        } catch (IOException e) {
            return fail("cannot run " + exe + ": " + e, e);
        }
    }

    private static Result exec(List<String> cmd, Path dir, int timeoutSeconds) throws IOException {
        Path log = Files.createTempFile("python", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            if (dir != null) pb.directory(dir.toFile());
            Process p = pb.start();
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "timed out after " + timeoutSeconds + " s: " + new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return new Result(p.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
