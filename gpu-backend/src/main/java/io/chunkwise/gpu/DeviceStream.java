package io.chunkwise.gpu;

import jcuda.driver.CUstream;

/** A {@link CUstream} whose handle can be read, for bindings that take raw handles (cuBLAS by FFM). */
final class DeviceStream extends CUstream {
    /** The stream's handle (0 before {@code cuStreamCreate} fills it in). */
    long address() { return getNativePointer(); }
}
