package io.chunkwise.cluster;

import io.chunkwise.ChunkwiseException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a {@link ClusterMember} until SIGTERM, for {@code java -cp <class path> io.chunkwise.cluster.ClusterMemberMain
 * --port P --cluster-name NAME --secret-file FILE ...} (the same options as {@code ./chunkwise member}, which is the
 * usual way). Exit codes: 0 stopped, 1 could not start, 2 a bad command line.
 */
public final class ClusterMemberMain {
    static final String USAGE = """
            Usage: ClusterMemberMain --cluster-name NAME [--port P] [--secret-file FILE] [--bind ADDR] [--join HOST:PORT,...]
                                     [--threads N] [--memory SIZE] [--gpus N] [--driver-grace SECONDS]
              --cluster-name NAME   the cluster's name (clients give the same)
              --port P              the port to listen on (default 5701)
              --secret-file FILE    the cluster's shared secret (owner-only permissions); else the environment:
                                    CHUNKWISE_CLUSTER_SECRET_FILE names a file, or CHUNKWISE_CLUSTER_SECRET holds it
              --bind ADDR           the address to listen on (default 127.0.0.1)
              --join HOST:PORT,...  members to join
              --threads N           task threads (default: the processors)
              --memory SIZE         memory budget, e.g. 4g (default: 40 % of the maximum heap)
              --gpus N              GPUs to drive, the first N (default: every one whose self-test passes; 0: none)
              --driver-grace SECONDS  how long a driver may be gone before its jobs and persisted chunks are dropped
                                    (default 10)
            The secret is never taken on the command line.""";

    private ClusterMemberMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Parses {@code args}, runs the member until it is stopped and returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        ClusterMember.Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o == null) {
            out.println(USAGE);
            return 0;
        }
        if (o.gpuCount() > 0 && System.getProperty("chunkwise.gpu.devices") == null) {   // before the GPU provider probes
            StringBuilder first = new StringBuilder("0");
            for (int d = 1; d < o.gpuCount(); d++) first.append(',').append(d);
            System.setProperty("chunkwise.gpu.devices", first.toString());
        }
        try {
            return ClusterMember.serve(o, out);
        } catch (ChunkwiseException e) {
            err.println("member: " + e.getMessage());
            return 1;
        }
    }

    /** The options, or null for --help; IllegalArgumentException naming what is wrong. */
    static ClusterMember.Options parse(String[] args) {
        ClusterMember.Options o = new ClusterMember.Options();
        boolean named = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) return null;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (a.equals("--secret")) {
                throw new IllegalArgumentException("--secret: the secret is never taken on the command line (every user can read it there); "
                        + "use --secret-file FILE, or the environment variable CHUNKWISE_CLUSTER_SECRET_FILE or CHUNKWISE_CLUSTER_SECRET");
            }
            if (!List.of("--cluster-name", "--port", "--secret-file", "--bind", "--join", "--threads", "--memory", "--gpus", "--driver-grace").contains(a)) {
                throw new IllegalArgumentException("Unknown option: '" + args[i] + "'");
            }
            if (value == null) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("Missing value for option " + a);
                value = args[++i];
            }
            switch (a) {
                case "--cluster-name" -> {
                    o.clusterName(value);
                    named = true;
                }
                case "--port" -> o.port(integer(a, value));
                case "--secret-file" -> o.secretFile(Path.of(value));
                case "--bind" -> o.bind(value);
                case "--join" -> o.join(List.of(value));
                case "--threads" -> o.threads(integer(a, value));
                case "--memory" -> {
                    try {
                        o.memory(MemberAttributes.parseBytes(value));
                    } catch (ChunkwiseException e) {
                        throw new IllegalArgumentException("Invalid value for option " + a + ": " + e.getMessage());
                    }
                }
                case "--gpus" -> o.gpus(integer(a, value));
                case "--driver-grace" -> {
                    try {
                        o.driverGraceSeconds(Double.parseDouble(value.strip()));
                    } catch (NumberFormatException | ChunkwiseException e) {
                        throw new IllegalArgumentException("Invalid value for option " + a + ": '" + value + "' is not a number of seconds >= 0");
                    }
                }
                default -> throw new IllegalStateException(a);
            }
        }
        if (!named) throw new IllegalArgumentException("Missing required option: '--cluster-name=NAME'");
        return o;
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value for option " + option + ": '" + value + "' is not an int");
        }
    }
}
