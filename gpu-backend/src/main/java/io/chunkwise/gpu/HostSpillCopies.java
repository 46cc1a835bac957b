package io.chunkwise.gpu;

import jcuda.Pointer;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * Spilled chunks' copies on the Java heap, in segments of at most 1 GiB (a chunk may hold up to 16 GiB): the heap
 * is what the scheduler's memory budget already counts device blocks against. Copied on the caller's stream, after
 * the work it was ordered after, and waited for (a spill is the slow path). The backend's context is current.
 */
final class HostSpillCopies implements DeviceResidency.Copies<DevicePointer, byte[][], DeviceStream> {
    static final int SEGMENT = 1 << 30;

    @Override
    public byte[][] toHost(DevicePointer device, long bytes, DeviceStream stream) {
        byte[][] host = new byte[(int) Math.ceilDiv(bytes, SEGMENT)][];
        for (int i = 0; i < host.length; i++) {
            long offset = (long) i * SEGMENT;
            host[i] = new byte[(int) Math.min(SEGMENT, bytes - offset)];
            CudaCallException.check(cuMemcpyDtoHAsync(Pointer.to(host[i]), device.withByteOffset(offset), host[i].length, stream),
                    "cuMemcpyDtoHAsync(" + host[i].length + " bytes, spilling a chunk)");
        }
        CudaCallException.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
        return host;
    }

    @Override
    public void toDevice(byte[][] host, DevicePointer device, long bytes, DeviceStream stream) {
        for (int i = 0; i < host.length; i++) {
            CudaCallException.check(cuMemcpyHtoDAsync(device.withByteOffset((long) i * SEGMENT), Pointer.to(host[i]), host[i].length, stream),
                    "cuMemcpyHtoDAsync(" + host[i].length + " bytes, restoring a spilled chunk)");
        }
        CudaCallException.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }
}
