package io.chunkwise.gpu;

import io.chunkwise.BackendKind;
import io.chunkwise.BackendUnavailableException;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BackendProvider;
import jcuda.driver.CUresult;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

/**
 * The CUDA backend (kind GPU, priority 10), usable when a CUDA driver and a device are there and cuda-kernels holds
 * PTX this driver can load. The probe runs once per JVM on a daemon thread, catches everything (an
 * {@link UnsatisfiedLinkError} where there is no driver) and gives up after {@value #TIMEOUT_PROPERTY} seconds
 * (default 30), so asking never throws or hangs; its answer is cached.
 */
public final class GpuBackendProvider implements BackendProvider {
    /** System property: seconds the CUDA probe may take. */
    public static final String TIMEOUT_PROPERTY = "chunkwise.gpu.probeTimeoutSeconds";

    private static volatile Optional<String> reason;

    @Override public BackendKind kind() { return BackendKind.GPU; }

    @Override public int priority() { return 10; }

    @Override
    public Optional<String> unavailableReason() {
        Optional<String> r = reason;
        if (r == null) {
            synchronized (GpuBackendProvider.class) {
                r = reason;
                if (r == null) reason = r = Optional.ofNullable(probeWithTimeout());
            }
        }
        return r;
    }

    @Override
    public Backend create(int threads) {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) throw new BackendUnavailableException("the GPU backend is unavailable: " + why.get());
        return new GpuBackend(0);
    }

    private static String probeWithTimeout() {
        long seconds = Long.getLong(TIMEOUT_PROPERTY, 30);
        FutureTask<String> task = new FutureTask<>(GpuBackendProvider::probe);
        Thread t = new Thread(task, "chunkwise-cuda-probe");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "CUDA initialisation did not finish within " + seconds + " s (-D" + TIMEOUT_PROPERTY + "=N to wait longer)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while probing for CUDA";
        } catch (ExecutionException e) {
            return "CUDA probe failed: " + describe(e.getCause());
        }
    }

    /** Null when usable, otherwise why not. Catches everything. */
    static String probe() {
        try {
            int r = cuInit(0);
            if (r == CUresult.CUDA_ERROR_NO_DEVICE) return "no CUDA device found (cuInit: CUDA_ERROR_NO_DEVICE)";
            if (r != CUresult.CUDA_SUCCESS) return "the CUDA driver did not initialise: cuInit returned " + CUresult.stringFor(r);
            int[] count = {0};
            r = cuDeviceGetCount(count);
            if (r != CUresult.CUDA_SUCCESS) return "cuDeviceGetCount returned " + CUresult.stringFor(r);
            if (count[0] == 0) return "no CUDA device found";
            KernelBuild build = KernelBuild.load();
            String problem = build.problem();
            if (problem != null) return problem;
            int[] driver = {0};
            r = cuDriverGetVersion(driver);
            if (r != CUresult.CUDA_SUCCESS) return "cuDriverGetVersion returned " + CUresult.stringFor(r);
            if (driver[0] < build.requiredDriverVersion()) {
                return "the CUDA driver supports CUDA " + KernelBuild.version(driver[0]) + ", older than the nvcc "
                        + build.cudaRelease() + " that built the PTX (PTX ISA " + build.ptxIsa()
                        + "): update the driver, or build cuda-kernels with an nvcc no newer than the driver";
            }
            return null;
        } catch (LinkageError e) { // UnsatisfiedLinkError where libcuda.so.1 is missing (JCuda's natives need it)
            return "no CUDA driver: " + describe(e);
        } catch (Throwable t) {
            return "CUDA probe failed: " + describe(t);
        }
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
