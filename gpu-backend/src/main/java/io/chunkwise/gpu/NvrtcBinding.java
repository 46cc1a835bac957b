package io.chunkwise.gpu;

import java.util.List;

/**
 * NVRTC, the runtime compiler of CUDA C++, through whichever binding could load it here ({@link Nvrtc#open}): JCuda's
 * JNvrtc (its natives need {@code libnvrtc.so.12}) or the direct FFM binding ({@code libnvrtc.so.13} or
 * {@code .so.12}, Java 22+). Only what the fused kernels need: one program to PTX. Thread-safe (NVRTC programs are
 * independent).
 */
interface NvrtcBinding {
    /** The library and binding in words, e.g. {@code NVRTC 13.0 (libnvrtc.so.13 at <its folder>, FFM)}. */
    String describe();

    /**
     * Compiles {@code source} (named {@code name} in messages) with the in-memory headers {@code headers} (include
     * name, text; alternating) and {@code options}; returns the PTX.
     *
     * @throws NvrtcException when NVRTC refuses the program, with its log
     */
    String compile(String source, String name, List<String> headers, List<String> options);

    /** The real architectures this NVRTC compiles for ({@code nvrtcGetSupportedArchs}, e.g. 75, 80, 90), ascending. */
    int[] supportedArchs();

    /** A failed NVRTC call or compilation; the message holds NVRTC's log where there is one. */
    final class NvrtcException extends RuntimeException {
        NvrtcException(String message) { super(message); }
    }

    /** Throws unless {@code result} is NVRTC_SUCCESS. */
    static void check(int result, String call) {
        if (result != 0) throw new NvrtcException(call + " failed: " + resultName(result));
    }

    /** The name of an {@code nvrtcResult}. */
    static String resultName(int result) {
        return switch (result) {
            case 0 -> "NVRTC_SUCCESS";
            case 1 -> "NVRTC_ERROR_OUT_OF_MEMORY";
            case 2 -> "NVRTC_ERROR_PROGRAM_CREATION_FAILURE";
            case 3 -> "NVRTC_ERROR_INVALID_INPUT";
            case 4 -> "NVRTC_ERROR_INVALID_PROGRAM";
            case 5 -> "NVRTC_ERROR_INVALID_OPTION";
            case 6 -> "NVRTC_ERROR_COMPILATION";
            case 7 -> "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE";
            case 11 -> "NVRTC_ERROR_INTERNAL_ERROR";
            default -> "nvrtcResult " + result;
        };
    }
}
