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

    /** Throws unless {@code result} is CUDA_SUCCESS. */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaCallException(call + " failed: " + CUresult.stringFor(result), result);
        }
    }
}
