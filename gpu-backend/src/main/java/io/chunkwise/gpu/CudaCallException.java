package io.chunkwise.gpu;

import io.chunkwise.ChunkwiseException;
import jcuda.driver.CUresult;

/** A CUDA driver or cuBLAS call that returned an error; the message names the call and the error. */
public final class CudaCallException extends ChunkwiseException {
    private final int code;

    CudaCallException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The CUresult (or cublasStatus) code. */
    public int code() { return code; }

    /**
     * The first error of this process that leaves the CUDA context unusable (a kernel's illegal address, a failed
     * launch, an assertion, an uncorrectable ECC error...: every later call of the context returns the same error),
     * or null. Such an error usually surfaces at the next synchronising call, under that call's name; from then on
     * the backend refuses work with this message instead of failing each task with an unrelated one.
     */
    private static volatile String contextLost;

    /** Throws unless {@code result} is CUDA_SUCCESS; records an error that loses the context ({@link #contextLost()}). */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            String message = call + " failed: " + CUresult.stringFor(result);
            if (losesContext(result) && contextLost == null) contextLost = message;
            throw new CudaCallException(message, result);
        }
    }

    /** The error that made the CUDA context unusable in this process, or null. */
    static String contextLost() { return contextLost; }

    /** Forgets {@link #contextLost()} (tests only). */
    static void resetContextLost() { contextLost = null; }

    /** Whether a CUresult leaves the context unusable ("sticky" errors: the process must restart to use the GPU). */
    static boolean losesContext(int result) {
        return switch (result) {
            case CUresult.CUDA_ERROR_ECC_UNCORRECTABLE, CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_TIMEOUT,
                 CUresult.CUDA_ERROR_ASSERT, CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR, CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION,
                 CUresult.CUDA_ERROR_MISALIGNED_ADDRESS, CUresult.CUDA_ERROR_INVALID_ADDRESS_SPACE, CUresult.CUDA_ERROR_INVALID_PC,
                 CUresult.CUDA_ERROR_LAUNCH_FAILED -> true;
            default -> false;
        };
    }
}
