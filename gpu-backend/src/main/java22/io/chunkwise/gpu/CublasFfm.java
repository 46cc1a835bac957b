package io.chunkwise.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * cuBLAS bound directly through the Foreign Function API (Java 22+): the handful of {@code cublas*_v2} calls the
 * backend makes, whose C signatures are the same in cuBLAS 12 and 13, from a {@code libcublas.so.13} or {@code .so.12}
 * loaded by path (its {@code libcublasLt} from the same folder first, so that the dynamic loader finds it there).
 * The libraries stay loaded for the life of the JVM. Loaded by name from {@link Cublas}, so that the rest of the
 * module runs on Java 21.
 */
final class CublasFfm implements CublasBinding {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private final MethodHandle destroy, setStream, dgemm, sgemm;
    private final String description;
    private MemorySegment handle;

    /**
     * Loads {@code library} ({@code lt}, its libcublasLt, first when not null) and creates a handle on the current
     * context.
     */
    CublasFfm(Path library, Path lt, String where) {
        Arena global = Arena.global();
        if (lt != null) SymbolLookup.libraryLookup(lt, global);
        SymbolLookup lib = SymbolLookup.libraryLookup(library, global);
        MethodHandle create = handle(lib, "cublasCreate_v2", FunctionDescriptor.of(INT, PTR));
        destroy = handle(lib, "cublasDestroy_v2", FunctionDescriptor.of(INT, PTR));
        setStream = handle(lib, "cublasSetStream_v2", FunctionDescriptor.of(INT, PTR, PTR));
        MethodHandle getVersion = handle(lib, "cublasGetVersion_v2", FunctionDescriptor.of(INT, PTR, PTR));
        // (handle, transa, transb, m, n, k, *alpha, *A, lda, *B, ldb, *beta, *C, ldc)
        FunctionDescriptor gemm = FunctionDescriptor.of(INT, PTR, INT, INT, INT, INT, INT, PTR, PTR, INT, PTR, INT, PTR, PTR, INT);
        dgemm = handle(lib, "cublasDgemm_v2", gemm);
        sgemm = handle(lib, "cublasSgemm_v2", gemm);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            CublasBinding.check((int) create.invokeExact(out), "cublasCreate_v2");
            handle = out.get(PTR, 0);
            MemorySegment v = a.allocate(INT);
            String version = (int) getVersion.invokeExact(handle, v) == 0 ? Cublas.version(v.get(INT, 0)) + " " : "";
            description = "cuBLAS " + version + "(" + where + ", FFM)";
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cuBLAS call failed: " + e, e);
        }
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name + " in the cuBLAS library"));
        return LINKER.downcallHandle(symbol, d);
    }

    @Override public String describe() { return description; }

    @Override
    public void setStream(DeviceStream stream) {
        long address = stream == null ? 0 : stream.address();
        call("cublasSetStream_v2", arena -> (int) setStream.invokeExact(live(), MemorySegment.ofAddress(address)));
    }

    @Override
    public void dgemm(int opA, int opB, int m, int n, int k, double alpha, long a, int lda, long b, int ldb, double beta, long c, int ldc) {
        call("cublasDgemm_v2", arena -> (int) dgemm.invokeExact(live(), opA, opB, m, n, k,
                arena.allocateFrom(ValueLayout.JAVA_DOUBLE, alpha), MemorySegment.ofAddress(a), lda, MemorySegment.ofAddress(b), ldb,
                arena.allocateFrom(ValueLayout.JAVA_DOUBLE, beta), MemorySegment.ofAddress(c), ldc));
    }

    @Override
    public void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        call("cublasSgemm_v2", arena -> (int) sgemm.invokeExact(live(), opA, opB, m, n, k,
                arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), MemorySegment.ofAddress(a), lda, MemorySegment.ofAddress(b), ldb,
                arena.allocateFrom(ValueLayout.JAVA_FLOAT, beta), MemorySegment.ofAddress(c), ldc));
    }

    /** A downcall returning a cuBLAS status, its scalar arguments in a confined arena; a failure status is an error naming {@code name}. */
    private interface Downcall {
        int call(Arena arena) throws Throwable;
    }

    private static void call(String name, Downcall downcall) {
        try (Arena arena = Arena.ofConfined()) {
            CublasBinding.check(downcall.call(arena), name);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private MemorySegment live() {
        if (handle == null) throw new IllegalStateException("the cuBLAS handle was destroyed");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        MemorySegment h = handle;
        handle = null;
        try {
            int ignored = (int) destroy.invokeExact(h);
        } catch (Throwable e) {
            // nothing to do: the handle is gone either way
        }
    }

    @Override public String toString() { return description; }
}
