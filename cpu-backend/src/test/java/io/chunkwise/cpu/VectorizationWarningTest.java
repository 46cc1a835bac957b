package io.chunkwise.cpu;

import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A program started without {@code --add-modules=jdk.incubator.vector} and without an SLF4J provider (a child JVM):
 * the CPU backend still computes, on its plain loops, and says so once on standard error, naming the flag.
 */
class VectorizationWarningTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheVectorModuleOneLineOnStandardErrorNamesTheFlag() throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("slf4j-simple")).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-cp", cp, VectorizationWarningTest.class.getName());
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the child JVM ran over 60 s");
        }
        String o = Files.readString(out), e = Files.readString(err);
        String transcript = "exit " + p.exitValue() + "\n--- stdout\n" + o + "--- stderr\n" + e;
        assertEquals(0, p.exitValue(), transcript);
        assertTrue(o.contains("sum 4950.0") && o.contains("loops " + ScalarLoops.class.getSimpleName()), transcript);
        assertEquals(1, e.lines().filter(l -> l.startsWith("WARNING: The Java Vector API is not enabled")
                && l.contains(Vectorization.FLAG)).count(), transcript);
        assertEquals(1, e.lines().filter(l -> l.contains("Vector API")).count(), transcript);
    }

    /** The child: two contexts on the CPU backend. */
    public static void main(String[] args) {
        for (int c = 0; c < 2; c++) {
            try (Chunkwise cw = Chunkwise.local()) {
                System.out.println("sum " + cw.arange(DType.FLOAT64, 100, 30).sum().compute().getDouble());
            }
        }
        System.out.println("loops " + Vectorization.loops().getClass().getSimpleName());
    }
}
