package io.chunkwise.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void helpListsTheSubcommandsAndExitsZero() {
        CommandLineRun r = CommandLineRun.of("--help");
        assertEquals(0, r.code(), r.transcript());
        assertTrue(r.out().startsWith("Usage: chunkwise"), r.transcript());
        for (String sub : List.of("info", "demo", "bench", "jmh", "member")) assertTrue(r.out().contains("  " + sub + " "), sub);
        assertEquals("", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"info", "demo", "bench", "jmh", "member"})
    void everySubcommandHasHelp(String sub) {
        CommandLineRun r = CommandLineRun.of(sub, "--help");
        assertEquals(0, r.code(), r.transcript());
        assertTrue(r.out().startsWith("Usage: chunkwise " + sub), r.transcript());
        assertEquals("", r.err());
    }

    @Test
    void benchHelpNamesItsOptions() {
        CommandLineRun r = CommandLineRun.of("bench", "--help");
        assertEquals(0, r.code(), r.transcript());
        for (String option : List.of("--quick", "--output", "--sizes", "--dtypes", "--chunks", "--threads", "--reps", "--warmup",
                "--peers", "--python", "--sections")) {
            assertTrue(r.out().contains(option), option + " missing from\n" + r.out());
        }
    }

    /**
     * Help reads whole: no line is wider than the usage width; the synopsis breaks only between options and other
     * lines only between words (every description of the command and its options is in the help as written, but for
     * the white space); each command's first line (of its header, else of its description), the one the command list
     * shows, is a sentence.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "info", "demo", "bench", "jmh", "member"})
    void helpLinesBreakOnlyBetweenWords(String sub) {
        CommandLineRun r = sub.isEmpty() ? CommandLineRun.of("--help") : CommandLineRun.of(sub, "--help");
        assertEquals(0, r.code(), r.transcript());
        List<String> lines = r.out().lines().toList();
        for (String line : lines) assertTrue(line.length() <= Main.USAGE_WIDTH, "wider than " + Main.USAGE_WIDTH + ": " + line);
        for (int i = 0; i == 0 || i < lines.size() && lines.get(i).startsWith(" "); i++) {   // the synopsis
            String line = lines.get(i);
            assertEquals(line.chars().filter(c -> c == '[').count(), line.chars().filter(c -> c == ']').count(),
                    "the synopsis breaks inside an option: " + line);
        }
        CommandLine top = Main.commandLine(System.out, System.err);
        CommandLine.Model.CommandSpec spec = (sub.isEmpty() ? top : top.getSubcommands().get(sub)).getCommandSpec();
        List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
        spec.options().forEach(o -> texts.addAll(List.of(o.description())));
        for (CommandLine c : spec.subcommands().values()) {
            var usage = c.getCommandSpec().usageMessage();
            String first = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
            assertTrue(first.endsWith("."), c.getCommandName() + ": the command list shows a cut sentence: " + first);
            texts.add(first);
        }
        String help = words(r.out());
        for (String t : texts) assertTrue(help.contains(words(t)), "not whole in the help: " + t + "\n" + r.out());
    }

    private static String words(String s) { return s.strip().replaceAll("\\s+", " "); }

    @Test
    void infoDescribesTheMachineAndExitsZero() {
        CommandLineRun r = CommandLineRun.of("info");
        assertEquals(0, r.code(), r.transcript());
        for (String line : List.of("JDK ", "processors ", "max heap ", "memory ", "SIMD ", "BLAS ", "backends ", "GPUs ")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(line)), "no line starting with '" + line + "' in\n" + r.out());
        }
        // surefire runs with the project's JVM flags, so the Vector API is there
        assertTrue(r.out().contains("preferred vector species"), r.out());
        assertTrue(r.out().contains(" CPU "), "a CPU backend is listed: " + r.out());
        // the GPU provider's lines: which CUDA libraries load, GPU or not
        for (String lib : List.of("libcuda.so.1", "libcublas.so.13", "libcublas.so.12", "libnvrtc.so.13", "libnvrtc.so.12")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("    " + lib + ": ")), "no line for " + lib + " in\n" + r.out());
        }
    }

    @Test
    void unknownOptionGivesOneLineAndTheUsageOnStderrAndExitsTwo() {
        CommandLineRun r = CommandLineRun.of("--bogus");
        assertEquals(2, r.code(), r.transcript());
        assertEquals("", r.out());
        List<String> lines = r.errLines();
        assertEquals("Unknown option: '--bogus'", lines.get(0), r.transcript());
        assertTrue(lines.get(1).startsWith("Usage: chunkwise"), r.transcript());
    }

    @Test
    void unknownOptionOfASubcommandShowsThatSubcommandsUsage() {
        CommandLineRun r = CommandLineRun.of("bench", "--quick", "--bogus=3");
        assertEquals(2, r.code(), r.transcript());
        List<String> lines = r.errLines();
        assertTrue(lines.get(0).startsWith("Unknown option: '--bogus=3'"), r.transcript());
        assertTrue(lines.get(1).startsWith("Usage: chunkwise bench"), r.transcript());
    }

    @Test
    void badValuesAreCommandLineErrors() {
        for (String[] args : List.of(new String[]{"bench", "--reps", "0"}, new String[]{"bench", "--dtypes", "int32"},
                new String[]{"bench", "--chunks", "big"}, new String[]{"bench", "--sizes", "x"}, new String[]{"demo", "--n", "0"},
                new String[]{"bench", "--chunks", "n/0"}, new String[]{"bench", "--peers", "matlab"},
                new String[]{"bench", "--sections", "fft"})) {
            CommandLineRun r = CommandLineRun.of(args);
            assertEquals(2, r.code(), r.transcript());
            assertTrue(r.errLines().get(1).startsWith("Usage: chunkwise "), r.transcript());
        }
    }

    @Test
    void noSubcommandIsACommandLineError() {
        CommandLineRun r = CommandLineRun.of();
        assertEquals(2, r.code(), r.transcript());
        assertTrue(r.errLines().get(0).startsWith("Missing subcommand"), r.transcript());
        assertTrue(r.errLines().get(1).startsWith("Usage: chunkwise"), r.transcript());
    }

    @Test
    void demoChecksItsResults() {
        CommandLineRun r = CommandLineRun.of("demo", "--n", "96", "--chunk", "40");
        assertEquals(0, r.code(), r.transcript());
        assertTrue(r.out().contains("check ok"), r.transcript());
        // a progress bar per computation, driven by the library's ComputeListener, finished at 100 %
        for (String name : List.of("x ", "(x*x+10).sum(0) ", "x @ x.T ")) {
            assertTrue(r.err().lines().anyMatch(l -> l.startsWith(name) && l.contains("100%")), name + "\n" + r.transcript());
        }
    }

    @Test
    void theJmhBenchmarksAreCompiledIntoTheJar() throws Exception {
        try (var in = Main.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            assertTrue(in != null, "no META-INF/BenchmarkList: the JMH annotation processor did not run");
            String list = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(list.contains("io.chunkwise.bench.jmh.ElementwiseBench"), list);
        }
    }
}
