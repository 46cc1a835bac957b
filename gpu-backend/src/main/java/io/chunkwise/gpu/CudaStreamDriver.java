package io.chunkwise.gpu;

import jcuda.driver.CUcontext;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream_flags;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

/**
 * {@link ThreadStreams}' calls on the CUDA driver, in one context. Streams are created blocking
 * ({@code CU_STREAM_DEFAULT}), so that work still issued on the legacy default stream (a launch that passes no
 * stream) stays ordered with everything on them.
 */
final class CudaStreamDriver implements ThreadStreams.Driver<DeviceStream, CUevent> {
    private final CUcontext context;

    CudaStreamDriver(CUcontext context) { this.context = context; }

    @Override
    public DeviceStream createStream() {
        CudaCallException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        DeviceStream s = new DeviceStream();
        CudaCallException.check(cuStreamCreate(s, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
        return s;
    }

    @Override
    public void destroyStream(DeviceStream stream) {
        cuCtxSetCurrent(context);
        cuStreamDestroy(stream); // at close: an error here has nothing left to protect
    }

    @Override
    public CUevent createEvent() {
        CudaCallException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CUevent e = new CUevent();
        CudaCallException.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        return e;
    }

    @Override
    public void destroyEvent(CUevent event) {
        cuCtxSetCurrent(context);
        cuEventDestroy(event);
    }

    @Override
    public void record(CUevent event, DeviceStream stream) {
        CudaCallException.check(cuEventRecord(event, stream), "cuEventRecord");
    }

    @Override
    public void await(DeviceStream stream, CUevent event) {
        CudaCallException.check(cuStreamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
    }

    @Override
    public void synchronize(DeviceStream stream) {
        CudaCallException.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }
}
