package io.chunkwise.gpu;

/**
 * Prints why the GPU backend is not usable here, or nothing when it is (the GPU check bundle's {@code run.sh} asks
 * once, to say clearly that there is no GPU).
 */
public final class GpuCheckProbe {
    public static void main(String[] args) {
        new GpuBackendProvider().unavailableReason().ifPresent(System.out::println);
    }
}
