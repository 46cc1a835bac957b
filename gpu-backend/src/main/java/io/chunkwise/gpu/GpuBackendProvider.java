package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.Backends;
import io.chunkwise.reference.ReferenceBackendProvider;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

/**
 * The CUDA backend (kind GPU, priority 10), usable when it would not be worse than the CPU: a CUDA driver and a
 * device are there, cuda-kernels holds PTX this driver and device can load, cuBLAS loads ({@link Cublas}), a CPU
 * backend other than the reference one is there to take what the device does not run, and a small self-test on the
 * device gives the expected bits ({@link GpuBackend#selfTest()}). Every device of the node is probed so; a device
 * counts only if it passes, and where several do, {@link #create} gives one backend that spreads chunks over them
 * ({@link MultiGpuBackend}: by where their inputs are, else by load). The probe runs once per JVM on a daemon thread,
 * catches everything (an {@link UnsatisfiedLinkError} where there is no driver) and gives up after
 * {@value #TIMEOUT_PROPERTY} seconds (default 30), so asking never throws or hangs; its answer is cached. What it
 * found is listed by {@link #details()} ({@code ./chunkwise info}).
 */
public final class GpuBackendProvider implements BackendProvider {
    private static final Logger LOG = LoggerFactory.getLogger(GpuBackendProvider.class);
    /** System property: seconds the CUDA probe may take. */
    public static final String TIMEOUT_PROPERTY = "chunkwise.gpu.probeTimeoutSeconds";
    /**
     * System property: the devices to use, as CUDA ordinals separated by commas (e.g. {@code 0,2}; default every
     * device), for processes that share a node's GPUs (one cluster member per GPU, say).
     */
    public static final String DEVICES_PROPERTY = "chunkwise.gpu.devices";

    /**
     * The probe's answer: why the backend is unusable (null: usable), what it found, a line each, and the ordinals
     * of the devices that passed.
     */
    record Probe(Optional<String> reason, List<String> found, List<Integer> devices) {
        Probe(String reason, List<String> found) { this(Optional.ofNullable(reason), found, List.of()); }
    }

    private static volatile Probe probe;

    @Override public BackendKind kind() { return BackendKind.GPU; }

    @Override public int priority() { return 10; }

    @Override
    public Optional<String> unavailableReason() {
        String lost = CudaCallException.contextLost();
        if (lost != null) return Optional.of("an earlier CUDA error left the GPU unusable in this JVM (" + lost + ")");
        return probe().reason();
    }

    private static Probe probe() {
        Probe r = probe;
        if (r == null) {
            synchronized (GpuBackendProvider.class) {
                r = probe;
                if (r == null) probe = r = probeWithTimeout();
            }
        }
        return r;
    }

    /**
     * What the probe found (driver, device, compute capability, kernels, cuBLAS, self-test), then which of
     * {@code libcuda.so.1}, {@code libcublas.so.13|12}, {@code libnvrtc.so.13|12} load here and from where.
     */
    @Override
    public int devices() { return unavailableReason().isPresent() ? 0 : probe().devices().size(); }

    @Override
    public List<String> details() {
        List<String> out = new ArrayList<>(probe().found());
        try {
            out.addAll(NativeLibraries.report(new CudaLibraries(CudaLibraries.Environment.system())));
        } catch (RuntimeException | LinkageError e) {
            out.add("libraries: could not be checked: " + describe(e));
        }
        return out;
    }

    @Override
    public Backend create(int threads) {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) throw new BackendUnavailableException("the GPU backend is unavailable: " + why.get());
        return open(probe().devices(), threads);
    }

    /**
     * The backend of the devices that passed the probe: a {@link GpuBackend} for one, a {@link MultiGpuBackend} over
     * several (each device's backend closed again when another cannot be set up).
     */
    static Backend open(List<Integer> ordinals, int threads) {
        if (ordinals.size() == 1) return open(ordinals.get(0), threads);
        List<MultiGpuBackend.Device> devices = new ArrayList<>();
        try {
            for (int ordinal : ordinals) devices.add(MultiGpuBackend.Device.of(open(ordinal, threads)));
        } catch (RuntimeException | Error e) {
            for (MultiGpuBackend.Device d : devices) {
                try {
                    d.backend().close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new MultiGpuBackend(devices);
    }

    /** The ordinals of the devices that passed the probe (empty where the backend is unavailable). */
    static List<Integer> usableDevices() { return probe().devices(); }

    /**
     * The backend of the first device that passed the probe, alone (tests and the GPU check measure one device);
     * throws the reason where none did.
     */
    static GpuBackend createFirstDevice(int threads) {
        Optional<String> why = new GpuBackendProvider().unavailableReason();
        if (why.isPresent()) throw new BackendUnavailableException("the GPU backend is unavailable: " + why.get());
        return open(probe().devices().get(0), threads);
    }

    /** A GPU backend on device {@code ordinal} with its CPU delegate (closed again when the GPU backend cannot be set up). */
    private static GpuBackend open(int ordinal, int threads) {
        BackendProvider cpu = cpuDelegate(Backends.providers());
        if (cpu == null) throw new BackendUnavailableException(NO_CPU_DELEGATE);
        Backend host = cpu.create(threads);
        try {
            return new GpuBackend(ordinal, host);
        } catch (RuntimeException | Error e) {
            try {
                host.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    static final String NO_CPU_DELEGATE = "no CPU backend besides the reference one to delegate to (add io.chunkwise:cpu-backend,"
            + " of the same version as io.chunkwise:array-api)";

    /**
     * The CPU backend that takes what the device does not run: the usable CPU provider of highest priority, never
     * the reference backend (the tests' oracle, far slower); null when there is none.
     */
    static BackendProvider cpuDelegate(List<BackendProvider> providers) {
        for (BackendProvider p : providers) { // highest priority first
            if (p.kind() == BackendKind.CPU && !(p instanceof ReferenceBackendProvider) && p.unavailableReason().isEmpty()) return p;
        }
        return null;
    }

    private static Probe probeWithTimeout() {
        long seconds = Long.getLong(TIMEOUT_PROPERTY, 30);
        FutureTask<Probe> task = new FutureTask<>(GpuBackendProvider::probeNow);
        Thread t = new Thread(task, "chunkwise-cuda-probe");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return new Probe("CUDA initialisation did not finish within " + seconds + " s (-D" + TIMEOUT_PROPERTY + "=N to wait longer)", List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe("interrupted while probing for CUDA", List.of());
        } catch (ExecutionException e) {
            return new Probe("CUDA probe failed: " + describe(e.getCause()), List.of());
        }
    }

    /** The probe; catches everything. */
    static Probe probeNow() {
        List<String> found = new ArrayList<>();
        List<Integer> devices = new ArrayList<>();
        String reason = probe(found, devices);
        LOG.debug("CUDA probe: {}", found);
        return new Probe(Optional.ofNullable(reason), List.copyOf(found), reason == null ? List.copyOf(devices) : List.of());
    }

    /**
     * Null when usable, otherwise why not; adds what it finds to {@code found} and the ordinals of the devices that
     * pass to {@code usable}. Catches everything.
     */
    static String probe(List<String> found, List<Integer> usable) {
        int r;
        try {
            r = cuInit(0);
        } catch (LinkageError e) { // UnsatisfiedLinkError where libcuda.so.1 is missing (JCuda's natives need it)
            return "no CUDA driver: " + describe(e);
        } catch (Throwable t) {
            return "CUDA probe failed: " + describe(t);
        }
        try {
            if (r == CUresult.CUDA_ERROR_NO_DEVICE) return "no CUDA device found (cuInit: CUDA_ERROR_NO_DEVICE)";
            if (r != CUresult.CUDA_SUCCESS) return "the CUDA driver did not initialise: cuInit returned " + CUresult.stringFor(r);
            int[] driver = {0};
            r = cuDriverGetVersion(driver);
            if (r != CUresult.CUDA_SUCCESS) return "cuDriverGetVersion returned " + CUresult.stringFor(r);
            found.add("driver: CUDA " + KernelBuild.version(driver[0]) + nvidiaDriverRelease());
            int[] count = {0};
            r = cuDeviceGetCount(count);
            if (r != CUresult.CUDA_SUCCESS) return "cuDeviceGetCount returned " + CUresult.stringFor(r);
            if (count[0] == 0) return "no CUDA device found";
            found.add("devices: " + count[0]);
            KernelBuild build = KernelBuild.load();
            String problem = build.problem();
            if (problem != null) return problem;
            found.add("kernels: PTX of nvcc " + build.cudaRelease() + " (ISA " + build.ptxIsa() + ", " + build.ptxArch() + ")");
            if (driver[0] < build.requiredDriverVersion()) {
                return "the CUDA driver supports CUDA " + KernelBuild.version(driver[0]) + ", older than the CUDA "
                        + KernelBuild.version(build.requiredDriverVersion()) + " the kernels need (PTX ISA " + build.ptxIsa()
                        + "): update the driver";
            }
            if (cpuDelegate(Backends.providers()) == null) return NO_CPU_DELEGATE;
            List<Integer> chosen;
            try {
                chosen = chosenDevices(System.getProperty(DEVICES_PROPERTY), count[0]);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
            List<String> problems = new ArrayList<>();
            for (int ordinal : chosen) {
                String why = probeDevice(ordinal, build, found);
                if (why == null) usable.add(ordinal);
                else problems.add(chosen.size() == 1 ? why : "device " + ordinal + ": " + why);
            }
            return usable.isEmpty() ? String.join("; ", problems) : null;
        } catch (Throwable t) {
            return "CUDA probe failed: " + describe(t);
        }
    }

    /**
     * The ordinals {@code property} ({@link #DEVICES_PROPERTY}'s value, null when unset) names among {@code count}
     * devices, in order and once each; every device when unset or blank. Throws {@link IllegalArgumentException} with
     * the reason when it names none, or a device that is not there.
     */
    static List<Integer> chosenDevices(String property, int count) {
        List<Integer> out = new ArrayList<>();
        if (property == null || property.isBlank()) {
            for (int i = 0; i < count; i++) out.add(i);
            return out;
        }
        for (String part : property.split(",")) {
            int ordinal;
            try {
                ordinal = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(DEVICES_PROPERTY + " must list device ordinals such as 0,1; got \"" + property + "\"");
            }
            if (ordinal < 0 || ordinal >= count) {
                throw new IllegalArgumentException(DEVICES_PROPERTY + " names device " + ordinal + ", but this node has "
                        + count + " (ordinals 0 to " + (count - 1) + ")");
            }
            if (!out.contains(ordinal)) out.add(ordinal);
        }
        return out;
    }

    /** Null when device {@code ordinal} passes (compute capability, cuBLAS, self-test), otherwise why not. */
    private static String probeDevice(int ordinal, KernelBuild build, List<String> found) {
        try {
            CUdevice device = new CUdevice();
            CudaCallException.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
            int[] major = {0}, minor = {0};
            CudaCallException.check(cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), "cuDeviceGetAttribute");
            CudaCallException.check(cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device), "cuDeviceGetAttribute");
            byte[] name = new byte[256];
            CudaCallException.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
            String d = "device " + ordinal;
            found.add(d + ": " + cString(name) + ", compute capability " + major[0] + "." + minor[0]);
            String cc = computeCapabilityProblem(major[0], minor[0], build.ptxArch());
            if (cc != null) return cc;
            try (GpuBackend gpu = open(ordinal, 1)) {
                Optional<String> blas = gpu.cublasUnavailableReason();
                found.add(d + " cuBLAS: " + gpu.cublasDescription().orElse(blas.orElse("?")));
                if (blas.isPresent()) return blas.get();
                String test = gpu.selfTest();
                found.add(d + " self-test: " + (test == null ? "passed (copies, ADD and SUM kernels, DGEMM and SGEMM give the expected bits)" : test));
                found.add(d + " memory budget: " + gpu.deviceMemoryBudget() + " bytes");
                return test;
            }
        } catch (Throwable t) {
            return "CUDA probe failed: " + describe(t);
        }
    }

    /**
     * Why a device of compute capability {@code major.minor} cannot run PTX built for {@code ptxArch} (e.g.
     * {@code compute_75}), or null (also when the architecture is not known).
     */
    static String computeCapabilityProblem(int major, int minor, String ptxArch) {
        Matcher m = Pattern.compile("(\\d+)").matcher(ptxArch == null ? "" : ptxArch);
        if (!m.find()) return null;
        int need = Integer.parseInt(m.group(1));
        if (major * 10 + minor >= need) return null;
        return "the GPU has compute capability " + major + "." + minor + ", and the kernels are built for " + need / 10 + "."
                + need % 10 + " or newer (" + ptxArch + ")";
    }

    /** ", NVIDIA driver 580.95.05" from /proc/driver/nvidia/version, or nothing. */
    private static String nvidiaDriverRelease() {
        try {
            String release = driverRelease(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/driver/nvidia/version")));
            return release == null ? "" : ", NVIDIA driver " + release;
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    /** The driver release in the text of /proc/driver/nvidia/version (proprietary or open kernel module), or null. */
    static String driverRelease(String procText) {
        Matcher m = Pattern.compile("Kernel Module\\s+(?:for \\S+\\s+)?(\\d+\\.\\d+(?:\\.\\d+)?)").matcher(procText);
        return m.find() ? m.group(1) : null;
    }

    private static String cString(byte[] b) {
        int len = 0;
        while (len < b.length && b[len] != 0) len++;
        return new String(b, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * One line: JCuda's UnsatisfiedLinkError carries both load attempts with their stack traces, of which the
     * line naming the missing shared library (libcuda.so.1 where there is no driver) is what matters.
     */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = root.getMessage() == null ? "" : root.getMessage().strip();
        Matcher missing = MISSING_LIBRARY.matcher(msg);
        String last = null;
        while (missing.find()) last = missing.group(1).strip();
        if (last != null) return last;
        int eol = msg.indexOf('\n');
        if (eol >= 0) msg = msg.substring(0, eol).strip();
        return root.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }

    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("([\\w.+-]+\\.(?:so[.\\d]*|dylib|dll): (?:cannot open shared object file|[^\\n]*not found)[^\\n]*)");
}
