package io.chunkwise;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compiles the public API contract, {@code shared/contract/*.java} beside the checkout (as CI has it), against
 * this module's test class path. Every contract file must compile (ApiCore, ApiFiles, ApiCluster, ApiNumpy). Without
 * {@code shared/contract} the tests are skipped and say so.
 */
class ContractCompileTest {

    /** {@code shared/contract} in the working directory or one of its parents (the module dir is two below it). */
    static Path contractDir() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (int up = 0; dir != null && up < 4; up++, dir = dir.getParent()) {
            Path c = dir.resolve("shared").resolve("contract");
            if (Files.isDirectory(c)) return c;
        }
        return null;
    }

    private static Path requireContract() {
        Path dir = contractDir();
        assumeTrue(dir != null, "shared/contract not present beside the checkout (looked upwards from "
                + System.getProperty("user.dir") + "); contract not compiled");
        return dir;
    }

    /** The test class path: surefire's (its JVM may run from a manifest-only jar), else the JVM's own. */
    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    record Result(boolean ok, String diagnostics) {}

    static Result compile(Path source) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (running on a JRE?)");
        Path out = Files.createTempDirectory("chunkwise-contract");
        try {
            DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
            try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, null, StandardCharsets.UTF_8)) {
                List<String> options = List.of("-d", out.toString(), "-classpath", classPath(), "-proc:none", "-implicit:none",
                        "-Xlint:none", "-nowarn");
                boolean ok = javac.getTask(null, fm, diags, options, null, fm.getJavaFileObjects(source)).call();
                String text = diags.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                        .limit(10)
                        .map(d -> source.getFileName() + ":" + d.getLineNumber() + ": " + d.getMessage(null))
                        .collect(Collectors.joining("\n"));
                return new Result(ok, text);
            }
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ApiCore.java", "ApiFiles.java", "ApiCluster.java", "ApiNumpy.java"})
    void contractCompiles(String file) throws IOException {
        Path src = requireContract().resolve(file);
        assumeTrue(Files.isRegularFile(src), src + " not present; contract not compiled");
        Result r = compile(src);
        assertTrue(r.ok(), "the API contract " + src + " does not compile against array-api:\n" + r.diagnostics());
    }
}
