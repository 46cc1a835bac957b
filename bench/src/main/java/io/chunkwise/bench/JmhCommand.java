package io.chunkwise.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs the JMH benchmarks compiled into this jar (package {@code io.chunkwise.bench.jmh}). JMH starts each fork
 * with the JVM arguments of this JVM unless told otherwise, so the flags the launcher read from the root pom reach
 * the forks without being written down a second time.
 */
@Command(name = "jmh",
        description = {"Runs the JMH benchmarks in this jar; every argument goes to JMH.", "",
                "Examples:  chunkwise jmh ElementwiseBench -f 1 -wi 2 -i 3",
                "           chunkwise jmh -l    (lists them)",
                "           chunkwise jmh -h    (JMH's own options)"})
final class JmhCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--help", usageHelp = true, description = "Show this help message and exit (-h shows JMH's options).")
    boolean help;

    @Parameters(paramLabel = "JMH-ARG", arity = "0..*", description = "JMH options and benchmark name patterns")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws RunnerException, IOException {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            throw new ParameterException(spec.commandLine(), "JMH: " + e.getMessage());
        }
        Runner runner = new Runner(options);
        if (options.shouldHelp()) {
            options.showHelp();
        } else if (options.shouldList()) {
            runner.list();
        } else if (options.shouldListWithParams()) {
            runner.listWithParams(options);
        } else if (options.shouldListProfilers()) {
            options.listProfilers();
        } else if (options.shouldListResultFormats()) {
            options.listResultFormats();
        } else {
            runner.run();
        }
        return 0;
    }
}
