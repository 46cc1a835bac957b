package io.chunkwise.bench;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.bench.suite.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The {@code chunkwise} command line, run by the {@code ./chunkwise} launcher. {@link #run} does the work and
 * returns the exit code, so tests call it in-process; only {@link #main} exits the JVM.
 *
 * <p>Exit codes: 0 success, 1 a failed run (including a benchmark whose result did not validate), 2 a bad command
 * line (one line naming the problem, then the usage, on stderr).
 */
@Command(name = "chunkwise", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "NumPy-like chunked arrays on the JVM: system information, a demo, the benchmark suite and cluster members.",
        subcommands = {InfoCommand.class, DemoCommand.class, BenchCommand.class, JmhCommand.class, MemberCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /** Columns of the usage text when the terminal's width is unknown (picocli's default, 80, cuts sentences short). */
    static final int USAGE_WIDTH = 120;

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Where a subcommand prints its results. */
    public PrintStream out() { return out; }

    /** Where a subcommand prints progress, warnings and errors. */
    public PrintStream err() { return err; }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: say which one (info, demo, bench, jmh, member)");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Parses {@code args}, runs the subcommand and returns the exit code; never exits the JVM. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main(out, err));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // usage text as wide as the terminal, and USAGE_WIDTH columns where there is none (a pipe, a file, a test)
        cl.setUsageHelpAutoWidth(true);
        cl.setUsageHelpWidth(USAGE_WIDTH);
        // everything after `jmh` goes to JMH as it is, options included
        cl.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler(Main::badCommandLine);
        cl.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            PrintWriter w = failed.getErr();
            if (ex instanceof ChunkwiseException || ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException) {
                w.println(failed.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            } else {
                w.println(failed.getCommandSpec().qualifiedName() + " failed:");
                ex.printStackTrace(w);
            }
            w.flush();
            return 1;
        });
        return cl;
    }

    /** One line naming what is wrong, then the usage of the command it concerns, on stderr; exit code 2. */
    private static int badCommandLine(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter w = cl.getErr();
        String message = String.valueOf(ex.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
        w.println(message);
        cl.usage(w, cl.getColorScheme());
        w.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The project version, filtered into a resource by the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"chunkwise " + version()};
        }
    }

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/chunkwise/bench/version.properties", e);
        }
        return p.getProperty("version", "unknown");
    }
}
