package io.chunkwise.gpu;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

/** {@link PinnedStaging}'s calls on the CUDA driver, in one context. */
final class CudaPinnedDriver implements PinnedStaging.Driver<Pointer, CUevent, DeviceStream> {
    private final CUcontext context;

    CudaPinnedDriver(CUcontext context) { this.context = context; }

    @Override
    public Pointer allocate(long bytes) {
        CudaCallException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        Pointer p = new Pointer();
        int r = cuMemAllocHost(p, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) return null;
        CudaCallException.check(r, "cuMemAllocHost(" + bytes + " bytes)");
        return p;
    }

    @Override
    public void free(Pointer host) {
        cuCtxSetCurrent(context);
        cuMemFreeHost(host);
    }

    @Override
    public CUevent createEvent() {
        CUevent e = new CUevent();
        CudaCallException.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        return e;
    }

    @Override
    public void destroyEvent(CUevent event) { cuEventDestroy(event); }

    @Override
    public void record(CUevent event, DeviceStream stream) {
        CudaCallException.check(cuEventRecord(event, stream), "cuEventRecord");
    }

    @Override
    public void waitFor(CUevent event) {
        CudaCallException.check(cuEventSynchronize(event), "cuEventSynchronize");
    }
}
