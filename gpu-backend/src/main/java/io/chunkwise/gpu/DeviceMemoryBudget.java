package io.chunkwise.gpu;

/**
 * How much device memory one backend may hold for chunks: a fraction of the memory free when it is created
 * ({@code cuMemGetInfo}), leaving room for cuBLAS's workspace, loaded kernels and other processes, or a number of
 * bytes set by a system property. Beyond it, chunks are spilled to host memory ({@link DeviceResidency}).
 */
final class DeviceMemoryBudget {
    /** System property: the fraction of the free device memory the budget takes, in (0, 1]; default {@value #DEFAULT_FRACTION}. */
    static final String FRACTION_PROPERTY = "chunkwise.gpu.memoryFraction";
    /** System property: the budget in bytes per device (wins over the fraction; capped at the device's total). */
    static final String BYTES_PROPERTY = "chunkwise.gpu.memoryBudgetBytes";
    static final double DEFAULT_FRACTION = 0.8;

    private DeviceMemoryBudget() {}

    /** The budget from the system properties, for a device with {@code free} of {@code total} bytes free. */
    static long fromSystemProperties(long free, long total) {
        return of(free, total, System.getProperty(FRACTION_PROPERTY), System.getProperty(BYTES_PROPERTY));
    }

    /**
     * The budget for a device with {@code free} of {@code total} bytes free, given the properties' values (null
     * when unset); throws {@link IllegalArgumentException} naming the property when a value is not valid.
     */
    static long of(long free, long total, String fraction, String bytes) {
        if (bytes != null && !bytes.isBlank()) {
            long b;
            try {
                b = Long.parseLong(bytes.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(BYTES_PROPERTY + " must be a number of bytes, got \"" + bytes + "\"");
            }
            if (b <= 0) throw new IllegalArgumentException(BYTES_PROPERTY + " must be positive, got " + b);
            return Math.min(b, total);
        }
        double f = DEFAULT_FRACTION;
        if (fraction != null && !fraction.isBlank()) {
            try {
                f = Double.parseDouble(fraction.strip());
            } catch (NumberFormatException e) {
                f = Double.NaN;
            }
            if (!(f > 0 && f <= 1)) throw new IllegalArgumentException(FRACTION_PROPERTY + " must be in (0, 1], got \"" + fraction + "\"");
        }
        return Math.max(1, (long) (free * f));
    }
}
