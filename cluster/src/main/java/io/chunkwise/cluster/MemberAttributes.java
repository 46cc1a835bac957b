package io.chunkwise.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.MemberAttributeConfig;
import io.chunkwise.BackendKind;
import io.chunkwise.Backends;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a member offers, advertised as Hazelcast member attributes (static strings set at start-up, read by the driver
 * and by {@code chunkwise info} through {@link Member#getAttribute}): its task threads, its memory budget in bytes, the
 * backend kinds it can create ({@link Backends#create} finds a usable provider of that kind there) and its GPUs.
 *
 * @param threads      task threads, at least 1
 * @param memoryBudget bytes of chunks the member may hold, at least 1
 * @param backends     the backend kinds it offers (never {@link BackendKind#AUTO})
 * @param gpus         GPUs its GPU backend may use (0 where it offers none)
 */
public record MemberAttributes(int threads, long memoryBudget, Set<BackendKind> backends, int gpus) {
    /** Task threads, a decimal integer. */
    static final String THREADS = "chunkwise.threads";
    /** Memory budget in bytes, a decimal integer. */
    static final String MEMORY = "chunkwise.memory";
    /** Backend kinds offered, comma-separated names of {@link BackendKind} (e.g. {@code CPU,GPU}). */
    static final String BACKENDS = "chunkwise.backends";
    /** GPUs, a decimal integer. */
    static final String GPUS = "chunkwise.gpus";

    public MemberAttributes {
        if (threads < 1) throw new InvalidArgumentException("a member needs at least 1 task thread, not " + threads);
        if (memoryBudget < 1) throw new InvalidArgumentException("a member's memory budget must be positive, not " + memoryBudget);
        if (gpus < 0) throw new InvalidArgumentException("a member's GPU count cannot be negative: " + gpus);
        if (backends.contains(BackendKind.AUTO)) throw new InvalidArgumentException("AUTO is a choice, not a backend a member offers");
        backends = Collections.unmodifiableSet(backends.isEmpty() ? EnumSet.noneOf(BackendKind.class) : EnumSet.copyOf(backends));
    }

    /**
     * The attributes of a member on this machine: the backend kinds with a usable provider on this class path. With
     * {@code gpus} of 0 the member offers no GPU backend; a negative {@code gpus} means "the GPU backend where it is
     * usable, with every device it drives"; a positive one must be the number it drives (which devices:
     * {@code -Dchunkwise.gpu.devices}, which the launcher's {@code --gpus N} sets to the first N).
     *
     * @throws InvalidArgumentException when {@code gpus} is positive and not the number of GPUs the backend drives
     *                                  here (none where it is unusable, with why)
     */
    static MemberAttributes detect(int threads, long memoryBudget, int gpus) {
        EnumSet<BackendKind> kinds = EnumSet.noneOf(BackendKind.class);
        List<String> gpuWhy = new ArrayList<>();
        int driven = 0;
        for (BackendProvider p : Backends.providers()) {
            var reason = p.unavailableReason();
            if (reason.isEmpty()) {
                kinds.add(p.kind());
                if (p.kind() == BackendKind.GPU) driven = Math.max(driven, p.devices());
            } else if (p.kind() == BackendKind.GPU) {
                gpuWhy.add(p.getClass().getSimpleName() + ": " + reason.get());
            }
        }
        boolean gpu = kinds.contains(BackendKind.GPU);
        if (gpus > 0 && !gpu) {
            throw new InvalidArgumentException(gpus + " GPUs asked for, but no GPU backend is usable here"
                    + (gpuWhy.isEmpty() ? " (none on the class path)" : ": " + String.join("; ", gpuWhy)));
        }
        if (gpus > 0 && gpus != driven) {
            throw new InvalidArgumentException(gpus + " GPUs asked for, but the GPU backend drives " + driven
                    + " here (-Dchunkwise.gpu.devices picks them, e.g. 0,1)");
        }
        if (gpus == 0) kinds.remove(BackendKind.GPU);
        return new MemberAttributes(threads, memoryBudget, kinds, kinds.contains(BackendKind.GPU) ? driven : 0);
    }

    /** Sets these attributes on a member's configuration. */
    void applyTo(MemberAttributeConfig config) {
        config.setAttribute(THREADS, Integer.toString(threads));
        config.setAttribute(MEMORY, Long.toString(memoryBudget));
        config.setAttribute(BACKENDS, String.join(",", backends.stream().map(Enum::name).toList()));
        config.setAttribute(GPUS, Integer.toString(gpus));
    }

    /**
     * The attributes {@code member} advertises. A member that advertises none or a malformed one (not started by
     * Chunkwise, or by an older version) reads as 1 thread, an unlimited budget ({@link Long#MAX_VALUE}), the CPU
     * backend and no GPU.
     *
     * @param member a member of the cluster, as the driver's instance or client sees it
     * @return what it offers
     */
    public static MemberAttributes of(Member member) {
        int threads = (int) Math.min(Integer.MAX_VALUE, number(member.getAttribute(THREADS), 1));
        long memory = number(member.getAttribute(MEMORY), Long.MAX_VALUE);
        int gpus = (int) Math.min(Integer.MAX_VALUE, number(member.getAttribute(GPUS), 0));
        EnumSet<BackendKind> kinds = EnumSet.noneOf(BackendKind.class);
        String b = member.getAttribute(BACKENDS);
        if (b == null) {
            kinds.add(BackendKind.CPU);
        } else {
            for (String k : b.split(",")) {
                try {
                    BackendKind kind = BackendKind.valueOf(k.strip().toUpperCase(Locale.ROOT));
                    if (kind != BackendKind.AUTO) kinds.add(kind);
                } catch (IllegalArgumentException ignored) {
                    // a kind this version does not know: not one it can schedule on
                }
            }
        }
        return new MemberAttributes(Math.max(1, threads), memory < 1 ? Long.MAX_VALUE : memory, kinds, Math.max(0, gpus));
    }

    /** Whether the member offers backends of {@code kind} ({@link BackendKind#AUTO}: any). */
    public boolean offers(BackendKind kind) { return kind == BackendKind.AUTO ? !backends.isEmpty() : backends.contains(kind); }

    private static long number(String s, long otherwise) {
        if (s == null) return otherwise;
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /**
     * A size such as {@code 4g}, {@code 512m}, {@code 1.5GiB} or {@code 1048576} in bytes (binary multiples: k = 1024).
     *
     * @throws InvalidArgumentException when it is not a positive size
     */
    public static long parseBytes(String size) {
        var m = SIZE.matcher(size == null ? "" : size.strip().toLowerCase(Locale.ROOT));
        double v = m.matches() ? Double.parseDouble(m.group(1)) : 0;
        long unit = m.matches() && m.group(2) != null ? 1L << (10 * ("kmgt".indexOf(m.group(2)) + 1)) : 1;
        if (!(v > 0) || v * unit >= Long.MAX_VALUE) {
            throw new InvalidArgumentException("not a size: '" + size + "' (examples: 4g, 512m, 1.5GiB, 1048576)");
        }
        return Math.max(1, (long) (v * unit));
    }

    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt])?(?:i?b)?");

    /** Bytes as a short text with a binary unit ({@code 1.5 GiB}). */
    public static String formatBytes(long n) {
        if (n == Long.MAX_VALUE) return "unlimited";
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    @Override
    public String toString() {
        return "threads " + threads + ", memory " + formatBytes(memoryBudget) + ", backends "
                + (backends.isEmpty() ? "none" : String.join(",", backends.stream().map(Enum::name).toList())) + ", GPUs " + gpus;
    }
}
