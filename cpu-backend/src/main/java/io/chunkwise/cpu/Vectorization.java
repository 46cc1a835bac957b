package io.chunkwise.cpu;

import io.chunkwise.spi.SetupWarnings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the loops the CPU kernels run, once per JVM (after Lucene's {@code VectorizationProvider}): the Vector API
 * loops ({@link VectorLoops}) where the module {@code jdk.incubator.vector} is readable, C2 compiles (without it
 * vector code runs as slow Java objects) and vectors hold at least two 64-bit lanes; otherwise the plain loops
 * ({@link ScalarLoops}), with one warning that says why and, for the missing module, names the flag to pass (through
 * SLF4J, or on standard error when no SLF4J provider is bound: see {@link SetupWarnings}).
 * {@code -Dchunkwise.vector=false} asks for the plain loops (for comparisons); the results are the same, but for an
 * ulp or so in the transcendental functions.
 */
final class Vectorization {
    private static final Logger LOG = LoggerFactory.getLogger(Vectorization.class);
    static final String MODULE = "jdk.incubator.vector";
    /** The JVM option that makes the module readable. */
    static final String FLAG = "--add-modules=" + MODULE;

    private static final Loops SCALAR = new ScalarLoops();
    private static final Loops BEST = probe();

    private Vectorization() {}

    /** The loops to use: vectorised where possible. */
    static Loops loops() { return BEST; }

    /** The plain Java loops. */
    static Loops scalar() { return SCALAR; }

    /** The Vector API loops, or null with the reason logged (for tests, which compare them with the scalar ones). */
    static Loops vector() { return BEST instanceof VectorLoops ? BEST : null; }

    private static Loops probe() {
        if (!Boolean.parseBoolean(System.getProperty("chunkwise.vector", "true"))) {
            LOG.debug("-Dchunkwise.vector=false: CPU kernels run plain Java loops");
            return SCALAR;
        }
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            warn("The Java Vector API is not enabled, so Chunkwise's CPU kernels run plain Java loops (elementwise math, "
                    + "sums and random numbers several times slower). Start the JVM with " + FLAG + " to enable it.");
            return SCALAR;
        }
        String noC2 = c2Missing();
        if (noC2 != null) {
            warn("The Java Vector API is enabled but " + noC2 + ", so Chunkwise's CPU kernels run plain Java loops.");
            return SCALAR;
        }
        try {
            // loaded by name: the class links against the module, which is now known to be there
            Loops loops = (Loops) Class.forName(Vectorization.class.getPackageName() + ".VectorLoops")
                    .getDeclaredConstructor().newInstance();
            LOG.debug("CPU kernels: {}", loops.describe());
            return loops;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            warn("The Java Vector API cannot be used here (" + cause + "), so Chunkwise's CPU kernels run plain Java loops.");
            return SCALAR;
        }
    }

    private static void warn(String message) { SetupWarnings.warnOnce("chunkwise.vector", LOG, message); }

    /** Why the C2 compiler will not compile vector code (-Xint, or tiered compilation stopped before C2), or null. */
    private static String c2Missing() {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) return "the JVM runs interpreted (-Xint)";
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (bean == null) return null;
            boolean tiered = Boolean.parseBoolean(bean.getVMOption("TieredCompilation").getValue());
            int stop = Integer.parseInt(bean.getVMOption("TieredStopAtLevel").getValue());
            if (tiered && stop < 4) return "-XX:TieredStopAtLevel=" + stop + " keeps C2 from compiling it";
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot, or no management module: assume an optimising compiler
        }
        return null;
    }
}
