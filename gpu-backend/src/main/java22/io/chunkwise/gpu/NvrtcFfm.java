package io.chunkwise.gpu;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * NVRTC bound directly through the Foreign Function API (Java 22+): the few {@code nvrtc*} calls that compile one
 * program to PTX, whose C signatures are the same in NVRTC 12 and 13, from a {@code libnvrtc.so.13} or {@code .so.12}
 * loaded by path ({@code builtins}, its {@code libnvrtc-builtins}, from the same folder first, since NVRTC opens that
 * by name). The libraries stay loaded for the life of the JVM. Loaded by name from {@link Nvrtc}, so that the rest of
 * the module runs on Java 21.
 */
final class NvrtcFfm implements NvrtcBinding {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;

    private final MethodHandle create, destroy, compile, ptxSize, ptx, logSize, log, archCount, archs;
    private final String description;

    NvrtcFfm(Path library, Path builtins, String where) {
        Arena global = Arena.global();
        if (builtins != null) SymbolLookup.libraryLookup(builtins, global);
        SymbolLookup lib = SymbolLookup.libraryLookup(library, global);
        // (nvrtcProgram* prog, const char* src, const char* name, int numHeaders, const char* const* headers, const char* const* includeNames)
        create = handle(lib, "nvrtcCreateProgram", FunctionDescriptor.of(INT, PTR, PTR, PTR, INT, PTR, PTR));
        destroy = handle(lib, "nvrtcDestroyProgram", FunctionDescriptor.of(INT, PTR));
        compile = handle(lib, "nvrtcCompileProgram", FunctionDescriptor.of(INT, PTR, INT, PTR));
        ptxSize = handle(lib, "nvrtcGetPTXSize", FunctionDescriptor.of(INT, PTR, PTR));
        ptx = handle(lib, "nvrtcGetPTX", FunctionDescriptor.of(INT, PTR, PTR));
        logSize = handle(lib, "nvrtcGetProgramLogSize", FunctionDescriptor.of(INT, PTR, PTR));
        log = handle(lib, "nvrtcGetProgramLog", FunctionDescriptor.of(INT, PTR, PTR));
        archCount = handle(lib, "nvrtcGetNumSupportedArchs", FunctionDescriptor.of(INT, PTR));
        archs = handle(lib, "nvrtcGetSupportedArchs", FunctionDescriptor.of(INT, PTR));
        MethodHandle version = handle(lib, "nvrtcVersion", FunctionDescriptor.of(INT, PTR, PTR));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(INT), minor = a.allocate(INT);
            NvrtcBinding.check((int) version.invokeExact(major, minor), "nvrtcVersion");
            description = "NVRTC " + major.get(INT, 0) + "." + minor.get(INT, 0) + " (" + where + ", FFM)";
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("NVRTC call failed: " + e, e);
        }
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name + " in the NVRTC library"));
        return LINKER.downcallHandle(symbol, d);
    }

    @Override public String describe() { return description; }

    @Override
    public String compile(String source, String name, List<String> headers, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            int count = headers.size() / 2;
            MemorySegment texts = a.allocate(PTR, Math.max(count, 1)), names = a.allocate(PTR, Math.max(count, 1));
            for (int h = 0; h < count; h++) {
                names.setAtIndex(PTR, h, a.allocateFrom(headers.get(2 * h)));
                texts.setAtIndex(PTR, h, a.allocateFrom(headers.get(2 * h + 1)));
            }
            MemorySegment holder = a.allocate(PTR);
            NvrtcBinding.check((int) create.invokeExact(holder, a.allocateFrom(source), a.allocateFrom(name), count, texts, names),
                    "nvrtcCreateProgram");
            MemorySegment program = holder.get(PTR, 0);
            try {
                MemorySegment opts = a.allocate(PTR, Math.max(options.size(), 1));
                for (int o = 0; o < options.size(); o++) opts.setAtIndex(PTR, o, a.allocateFrom(options.get(o)));
                int r = (int) compile.invokeExact(program, options.size(), opts);
                if (r != 0) {
                    throw new NvrtcException("nvrtcCompileProgram(" + name + ") failed: " + NvrtcBinding.resultName(r) + "\n"
                            + text(a, program, logSize, log));
                }
                return text(a, program, ptxSize, ptx);
            } finally {
                int ignored = (int) destroy.invokeExact(holder);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("NVRTC call failed: " + e, e);
        }
    }

    @Override
    public int[] supportedArchs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(INT);
            NvrtcBinding.check((int) archCount.invokeExact(n), "nvrtcGetNumSupportedArchs");
            MemorySegment out = a.allocate(INT, Math.max(n.get(INT, 0), 1));
            NvrtcBinding.check((int) archs.invokeExact(out), "nvrtcGetSupportedArchs");
            return out.asSlice(0, 4L * n.get(INT, 0)).toArray(INT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("NVRTC call failed: " + e, e);
        }
    }

    /** A text NVRTC hands out as size, then bytes (the PTX, the log), without its terminating zero. */
    private static String text(Arena a, MemorySegment program, MethodHandle size, MethodHandle get) throws Throwable {
        MemorySegment n = a.allocate(SIZE_T);
        NvrtcBinding.check((int) size.invokeExact(program, n), "nvrtcGet*Size");
        long bytes = n.get(SIZE_T, 0);
        MemorySegment buf = a.allocate(Math.max(bytes, 1));
        NvrtcBinding.check((int) get.invokeExact(program, buf), "nvrtcGet*");
        byte[] b = buf.asSlice(0, Math.max(bytes - 1, 0)).toArray(ValueLayout.JAVA_BYTE);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Override public String toString() { return description; }
}
