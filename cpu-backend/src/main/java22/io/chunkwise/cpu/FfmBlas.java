package io.chunkwise.cpu;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * OpenBLAS called on the Java arrays in place: critical downcalls with heap access (Java 22+), so a GEMM reads A
 * and B and writes C where they are, with no copy in or out. The library is the one JavaCPP loaded (found among the
 * libraries of this class loader). A critical call keeps its thread in Java: a safepoint (a GC) waits for the GEMM
 * to finish, which for chunk-sized blocks is tens to hundreds of milliseconds; the scheduler's other threads are
 * running GEMMs of their own meanwhile.
 */
final class FfmBlas implements BlasBinding {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup lookup = SymbolLookup.loaderLookup();
    private final MethodHandle dgemm, sgemm;

    FfmBlas() {
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        AddressLayout p = ValueLayout.ADDRESS;
        dgemm = linker.downcallHandle(find(lookup, "cblas_dgemm"),
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, ValueLayout.JAVA_DOUBLE, p, i, p, i, ValueLayout.JAVA_DOUBLE, p, i),
                Linker.Option.critical(true));
        MethodHandle floats = linker.downcallHandle(find(lookup, "cblas_sgemm"),
                FunctionDescriptor.ofVoid(i, i, i, i, i, i, ValueLayout.JAVA_FLOAT, p, i, p, i, ValueLayout.JAVA_FLOAT, p, i),
                Linker.Option.critical(true));
        // alpha and beta taken as doubles and narrowed, so that one call site serves both handles
        sgemm = MethodHandles.explicitCastArguments(floats, dgemm.type());
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException(name + " is not among the loaded libraries"));
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int lda, double[] b,
                      int ldb, double beta, double[] c, int cOffset, int ldc) {
        gemm(dgemm, transA, transB, m, n, k, alpha, MemorySegment.ofArray(a), lda, MemorySegment.ofArray(b), ldb, beta,
                MemorySegment.ofArray(c).asSlice(8L * cOffset), ldc);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b,
                      int ldb, float beta, float[] c, int cOffset, int ldc) {
        gemm(sgemm, transA, transB, m, n, k, alpha, MemorySegment.ofArray(a), lda, MemorySegment.ofArray(b), ldb, beta,
                MemorySegment.ofArray(c).asSlice(4L * cOffset), ldc);
    }

    private static void gemm(MethodHandle h, boolean transA, boolean transB, int m, int n, int k, double alpha,
                             MemorySegment a, int lda, MemorySegment b, int ldb, double beta, MemorySegment c, int ldc) {
        try {
            h.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb,
                    beta, c, ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("OpenBLAS GEMM failed", e);
        }
    }

    @Override public boolean writesInPlace() { return true; }

    @Override
    public String libraryText(String function) {
        var symbol = lookup.find(function);
        if (symbol.isEmpty()) return "unknown (no " + function + ")";
        try {
            MemorySegment text = (MemorySegment) linker.downcallHandle(symbol.get(), FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
            return text.reinterpret(4096).getString(0).strip();
        } catch (Throwable e) {
            return "unknown (" + e + ")";
        }
    }

    @Override public String toString() { return "direct heap access (critical downcalls)"; }
}
