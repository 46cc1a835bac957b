package io.chunkwise.gpu;

import jcuda.driver.CUdeviceptr;

/** A {@link CUdeviceptr} whose address can be read, for bindings that take raw device addresses (cuBLAS by FFM). */
final class DevicePointer extends CUdeviceptr {
    /** The device address (0 before {@code cuMemAlloc} fills it in). */
    long address() { return getNativePointer() + getByteOffset(); }
}
