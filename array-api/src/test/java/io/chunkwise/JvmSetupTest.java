package io.chunkwise;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A program set up the way a new user's first one is: no {@code --add-opens=java.base/java.nio=ALL-UNNAMED} and only
 * array-api on the class path, run in a child JVM. Loading an Arrow file fails with a {@link ChunkwiseException} that
 * names the flag, every time, while everything else works, storing one too (it needs no Arrow memory); the reference backend is announced once, naming the artifact to add.
 * The warnings go to standard error when no SLF4J provider is bound, and through SLF4J when one is.
 */
class JvmSetupTest {
    private static final String OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    @TempDir
    Path dir;

    @Test
    void withoutLoggingTheWarningsGoToStandardErrorOnce() throws Exception {
        Run r = child(false);
        assertTrue(r.out.contains("sum 4950.0"), r::transcript);
        assertTrue(r.out.contains("store 0: stored") && r.out.contains("store 1: stored"), r::transcript);
        for (String op : List.of("load 0", "load 1")) {
            String line = r.out.lines().filter(l -> l.startsWith(op + ": ")).findFirst().orElse("");
            assertTrue(line.startsWith(op + ": " + ChunkwiseException.class.getName()) && line.contains(OPENS),
                    () -> op + " should throw ChunkwiseException naming " + OPENS + "\n" + r.transcript());
        }
        assertEquals(1, r.errLines("WARNING: Chunkwise runs on its reference backend"), r::transcript);
        assertEquals(1, r.errLines("io.chunkwise:cpu-backend"), r::transcript);
        assertEquals(1, r.errLines("WARNING: Arrow files cannot be loaded"), r::transcript);
    }

    @Test
    void withLoggingTheWarningsGoThroughSlf4j() throws Exception {
        Run r = child(true);
        assertTrue(r.out.contains("sum 4950.0"), r::transcript);
        assertEquals(1, r.errLines("WARN io.chunkwise.Backends - Chunkwise runs on its reference backend"), r::transcript);
        assertEquals(0, r.errLines("WARNING: Chunkwise"), r::transcript);
    }

    private record Run(int code, String out, String err) {
        long errLines(String text) { return err.lines().filter(l -> l.contains(text)).count(); }

        String transcript() { return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err; }
    }

    /** Runs {@link #main} in a JVM without the flags, with slf4j-simple on the class path or not. */
    private Run child(boolean logging) throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> logging || !e.contains("slf4j-simple")).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp, JvmSetupTest.class.getName(), dir.toString()));
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the child JVM ran over 60 s\n" + Files.readString(err));
        }
        Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        assertEquals(0, r.code, r::transcript);
        return r;
    }

    /** The child: two contexts, an Arrow store and a load of what it stored twice each, and a computation that needs no Arrow. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path npy = dir.resolve("x.npy");
        for (int c = 0; c < 2; c++) {
            try (Chunkwise cw = Chunkwise.builder().threads(2).build()) {
                ChunkedArray x = cw.arange(DType.FLOAT64, 100, 30);
                if (c == 0) {
                    for (int i = 0; i < 2; i++) {
                        try {
                            cw.store(x, dir.resolve("x.arrow"));
                            System.out.println("store " + i + ": stored");
                        } catch (RuntimeException | LinkageError e) {
                            System.out.println("store " + i + ": " + e);
                        }
                    }
                    for (int i = 0; i < 2; i++) {
                        try {
                            System.out.println("load " + i + ": " + cw.load(dir.resolve("x.arrow")));
                        } catch (RuntimeException | LinkageError e) {
                            System.out.println("load " + i + ": " + e);
                        }
                    }
                }
                cw.writeNpy(x, npy);
                System.out.println("sum " + cw.readNpy(npy, new int[]{40}).sum().compute().getDouble());
            }
        }
    }
}
