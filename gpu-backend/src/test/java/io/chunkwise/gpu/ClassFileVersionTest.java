package io.chunkwise.gpu;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The module stays on the Java 21 floor: only the FFM classes of src/main/java22 are compiled for 22, and they are
 * reached by name ({@link Cublas#ffm}, {@link Nvrtc#openReal}, {@link NativeLibraries#loader()}) only on such a JVM.
 */
class ClassFileVersionTest {
    private static int major(String className) throws IOException {
        try (InputStream in = ClassFileVersionTest.class.getResourceAsStream("/" + className.replace('.', '/') + ".class");
             DataInputStream d = new DataInputStream(in)) {
            d.readInt(); // magic
            d.readUnsignedShort(); // minor
            return d.readUnsignedShort();
        }
    }

    @Test
    void onlyTheFfmClassesNeedJava22() throws IOException {
        for (String c : List.of("CublasFfm", "FfmLibraryLoader", "NvrtcFfm")) assertEquals(66, major("io.chunkwise.gpu." + c), c + " is compiled for Java 22");
        for (String c : List.of("Cublas", "CublasBinding", "JCublasBinding", "CudaLibraries", "NativeLibraries", "GpuBackend", "GpuBackendProvider",
                "Nvrtc", "NvrtcBinding", "JNvrtcBinding", "GeneratedKernels", "FusedKernelSource", "FusedGeometry")) {
            assertEquals(65, major("io.chunkwise.gpu." + c), c + " is compiled for Java 21");
        }
    }
}
