package io.chunkwise.bench;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.cluster.ClusterMember;
import io.chunkwise.cluster.MemberAttributes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Runs a cluster member until SIGTERM ({@link ClusterMember#serve}). */
@Command(name = "member", mixinStandardHelpOptions = true,
        description = {"Starts a Chunkwise cluster member (Hazelcast) and runs it until SIGTERM or Ctrl-C.",
                "Prints a line containing 'ready' once it accepts work. It listens on loopback unless --bind says otherwise; "
                        + "the cluster's secret comes from --secret-file, else the environment (CHUNKWISE_CLUSTER_SECRET_FILE names "
                        + "a file, CHUNKWISE_CLUSTER_SECRET holds it), never the command line."})
final class MemberCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "P", defaultValue = "5701", description = "The port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--cluster-name", paramLabel = "NAME", required = true, description = "The cluster's name; clients give the same.")
    String clusterName;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "The file of the cluster's shared secret, at least 16 bytes, readable by its owner only.")
    Path secretFile;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "The address to listen on (default: ${DEFAULT-VALUE}). Open-source Hazelcast has no TLS and no "
                    + "authentication: only on a private network.")
    String bind;

    @Option(names = "--join", paramLabel = "HOST:PORT", split = ",", description = "Members to join, separated by commas.")
    List<String> join = List.of();

    @Option(names = "--threads", paramLabel = "N", description = "Task threads (default: the processors).")
    Integer threads;

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "The memory budget for chunks, e.g. 4g or 512m (default: 40 percent of the maximum heap).")
    Long memory;

    @Option(names = "--gpus", paramLabel = "N", description = "GPUs to offer: 0 or 1 (default: 1 where a GPU backend is usable).")
    Integer gpus;

    @Option(names = "--driver-grace", paramLabel = "SECONDS",
            description = "How long a driver (a client) may be gone from the cluster before its jobs and its persisted chunks are "
                    + "dropped (default: 10; a client whose connection broke reconnects within it).")
    Double driverGrace;

    @Option(names = "--secret", hidden = true, paramLabel = "SECRET")
    String secretOnTheCommandLine;

    @Override
    public Integer call() {
        if (secretOnTheCommandLine != null) {
            throw new ParameterException(spec.commandLine(), "--secret: the secret is never taken on the command line (every user of "
                    + "the machine can read it there); use --secret-file FILE, or set CHUNKWISE_CLUSTER_SECRET_FILE or CHUNKWISE_CLUSTER_SECRET");
        }
        ClusterMember.Options o = new ClusterMember.Options().clusterName(clusterName).port(port).bind(bind).join(join).secretFile(secretFile);
        if (threads != null) o.threads(threads);
        if (memory != null) o.memory(memory);
        if (gpus != null) o.gpus(gpus);
        if (driverGrace != null) {
            try {
                o.driverGraceSeconds(driverGrace);
            } catch (InvalidArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--driver-grace': " + e.getMessage());
            }
        }
        return ClusterMember.serve(o, main.out());
    }

    /** A size such as 4g into bytes. */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return MemberAttributes.parseBytes(value);
            } catch (ChunkwiseException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
