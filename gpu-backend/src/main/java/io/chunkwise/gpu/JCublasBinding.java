package io.chunkwise.gpu;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.cudaStream_t;

/**
 * cuBLAS through JCublas 12.6, whose natives import {@code libcublas.so.12} (versioned symbols, so only a CUDA 12
 * cuBLAS will do). Where that library was found by path it is loaded first ({@link Cublas}), so JCublas finds it
 * even outside the system loader's search (a Python wheel's folder, say).
 */
final class JCublasBinding implements CublasBinding {
    private final String description;
    private cublasHandle handle;

    /** Creates a handle on the current context; {@code where} says where the library came from. */
    JCublasBinding(String where) {
        cublasHandle h = new cublasHandle();
        CublasBinding.check(JCublas2.cublasCreate(h), "cublasCreate");
        handle = h;
        int[] version = {0};
        String v = JCublas2.cublasGetVersion(h, version) == 0 ? Cublas.version(version[0]) + " " : "";
        description = "cuBLAS " + v + "(" + where + ", JCublas)";
    }

    @Override public String describe() { return description; }

    @Override
    public void setStream(DeviceStream stream) {
        CublasBinding.check(JCublas2.cublasSetStream(handle, stream == null ? null : new cudaStream_t(stream)), "cublasSetStream");
    }

    @Override
    public void dgemm(int opA, int opB, int m, int n, int k, double alpha, long a, int lda, long b, int ldb, double beta, long c, int ldc) {
        CublasBinding.check(JCublas2.cublasDgemm(handle, opA, opB, m, n, k, Pointer.to(new double[]{alpha}), at(a), lda, at(b), ldb,
                Pointer.to(new double[]{beta}), at(c), ldc), "cublasDgemm");
    }

    @Override
    public void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        CublasBinding.check(JCublas2.cublasSgemm(handle, opA, opB, m, n, k, Pointer.to(new float[]{alpha}), at(a), lda, at(b), ldb,
                Pointer.to(new float[]{beta}), at(c), ldc), "cublasSgemm");
    }

    private static Pointer at(long address) { return new CUdeviceptr().withByteOffset(address); }

    @Override
    public void close() {
        if (handle != null) {
            JCublas2.cublasDestroy(handle);
            handle = null;
        }
    }

    @Override public String toString() { return description; }
}
