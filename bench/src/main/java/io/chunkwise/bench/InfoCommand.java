package io.chunkwise.bench;

import io.chunkwise.BackendKind;
import io.chunkwise.Backends;
import io.chunkwise.scheduler.ClusterSchedulerFactory;
import io.chunkwise.spi.BackendProvider;
import io.chunkwise.ClusterSpec;
import io.chunkwise.cluster.ClusterClient;
import io.chunkwise.cluster.MemberAttributes;
import io.chunkwise.cluster.MemberInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * What this machine and JVM offer Chunkwise: JDK, processors, memory, SIMD width, BLAS, backends, GPUs; with
 * {@code --connect}, the members of a running cluster.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Prints the JDK, processors, memory, SIMD width, BLAS, the backends found and the GPUs.",
                "With --connect, also the members of a running cluster: address, threads, memory budget, backends, GPUs and the "
                        + "chunks each holds."})
final class InfoCommand implements Callable<Integer> {
    /** The JavaCPP OpenBLAS binding the CPU backend uses when it is on the class path (not loaded here). */
    private static final String OPENBLAS_CLASS = "org.bytedeco.openblas.global.openblas";

    @ParentCommand
    Main main;

    @Option(names = "--connect", paramLabel = "HOST:PORT", description = "A member of the cluster to list.")
    String connect;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "chunkwise",
            description = "The cluster's name (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "The file of the cluster's secret (else CHUNKWISE_CLUSTER_SECRET_FILE or CHUNKWISE_CLUSTER_SECRET).")
    Path secretFile;

    @Override
    public Integer call() {
        PrintStream out = main.out();
        Runtime rt = Runtime.getRuntime();
        out.println("chunkwise   " + Main.version());
        out.printf("JDK         %s (%s; %s)%n", Runtime.version(), System.getProperty("java.vendor"),
                System.getProperty("java.vm.name"));
        out.printf("OS          %s %s (%s)%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
        out.printf("processors  %d%n", rt.availableProcessors());
        out.printf("max heap    %s%n", MemberAttributes.formatBytes(rt.maxMemory()));
        out.printf("memory      %s%n", physicalMemory());
        out.printf("SIMD        %s%n", simd());
        out.printf("BLAS        %s%n", blas());
        List<BackendProvider> providers = Backends.providers();
        out.println("backends    " + (providers.isEmpty() ? "none on the class path" : "(highest priority first)"));
        for (BackendProvider p : providers) {
            Optional<String> why = p.unavailableReason();
            out.printf("  %-28s %-4s priority %-4d %s%n", p.getClass().getSimpleName(), p.kind(), p.priority(),
                    why.map(r -> "unavailable: " + r).orElse("available"));
            for (String line : details(p)) out.println("    " + line);
        }
        out.printf("AUTO picks  %s%n", autoChoice(providers));
        out.printf("GPUs        %s%n", gpus(providers));
        if (connect == null) {
            out.printf("cluster     %s%n", ServiceLoader.load(ClusterSchedulerFactory.class).findFirst().isPresent()
                    ? "module on the class path (list a cluster's members with --connect HOST:PORT --cluster-name NAME --secret-file FILE)"
                    : "module not on the class path");
        } else {
            members(out);
        }
        return 0;
    }

    /** The members of the cluster at {@link #connect}, one line each. */
    private void members(PrintStream out) {
        ClusterSpec spec = ClusterSpec.connect(connect).clusterName(clusterName);
        if (secretFile != null) spec = spec.secretFile(secretFile);
        List<MemberInfo> members;
        try (ClusterClient client = ClusterClient.connect(spec)) {
            members = client.members();
        }
        out.printf("cluster     %s at %s: %d member%s%n", clusterName, connect, members.size(), members.size() == 1 ? "" : "s");
        out.printf("  %-21s %7s %11s %-9s %4s %8s %11s%n", "address", "threads", "memory", "backends", "GPUs", "chunks", "chunk bytes");
        for (MemberInfo m : members) {
            MemberAttributes a = m.attributes();
            out.printf("  %-21s %7d %11s %-9s %4d %8d %11s%n", m.address(), a.threads(), MemberAttributes.formatBytes(a.memoryBudget()),
                    a.backends().isEmpty() ? "none" : String.join(",", a.backends().stream().map(Enum::name).toList()), a.gpus(),
                    m.chunks(), MemberAttributes.formatBytes(m.chunkBytes()));
        }
    }

    /** What the provider found (the GPU one: driver, device, cuBLAS, which CUDA libraries load); never throws. */
    private static List<String> details(BackendProvider p) {
        try {
            return p.details();
        } catch (RuntimeException | LinkageError e) {
            return List.of("details unavailable: " + e);
        }
    }

    /** The preferred vector species, or why the Vector API cannot be used in this JVM. */
    static String simd() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "Vector API not available: this JVM was started without --add-modules=jdk.incubator.vector"
                    + " (./chunkwise passes it)";
        }
        try {
            return VectorSpecies.describe();
        } catch (LinkageError e) {
            return "Vector API not usable: " + e;
        }
    }

    /** Touches jdk.incubator.vector only when called, so that a JVM without the module can load InfoCommand. */
    private static final class VectorSpecies {
        static String describe() {
            var d = jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED;
            var f = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            return "preferred vector species " + d.vectorBitSize() + " bits (" + d.length() + " x float64, "
                    + f.length() + " x float32)";
        }
    }

    private static String blas() {
        try {
            Class.forName(OPENBLAS_CLASS, false, InfoCommand.class.getClassLoader());
            return "OpenBLAS (JavaCPP presets) on the class path";
        } catch (ClassNotFoundException e) {
            return "none on the class path (GEMM runs in Java)";
        }
    }

    /** The provider {@link Backends#create} takes for AUTO: the first usable GPU one, else the first usable CPU one. */
    private static String autoChoice(List<BackendProvider> providers) {
        for (BackendKind k : List.of(BackendKind.GPU, BackendKind.CPU)) {
            for (BackendProvider p : providers) {
                if (p.kind() == k && p.unavailableReason().isEmpty()) {
                    return p.getClass().getSimpleName() + " (" + k + ")";
                }
            }
        }
        return "nothing usable";
    }

    private static String gpus(List<BackendProvider> providers) {
        List<BackendProvider> gpu = providers.stream().filter(p -> p.kind() == BackendKind.GPU).toList();
        if (gpu.isEmpty()) return "not looked for: no GPU backend on the class path (add io.chunkwise:gpu-backend)";
        StringBuilder sb = new StringBuilder();
        for (BackendProvider p : gpu) {
            if (!sb.isEmpty()) sb.append("; ");
            sb.append(p.unavailableReason().map(r -> "none usable (" + r + ")")
                    .orElse("usable through " + p.getClass().getSimpleName()));
        }
        return sb.toString();
    }

    private static String physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return MemberAttributes.formatBytes(os.getTotalMemorySize()) + " physical, " + MemberAttributes.formatBytes(os.getFreeMemorySize()) + " free";
        }
        return "unknown (no com.sun.management in this JVM)";
    }
}
