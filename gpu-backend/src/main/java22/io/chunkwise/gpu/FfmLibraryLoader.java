package io.chunkwise.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;

/** Opens and closes a shared library through FFM (Java 22+), to tell whether it loads. */
final class FfmLibraryLoader implements NativeLibraries.Loader {
    @Override
    public String tryLoad(String pathOrName) {
        try (Arena arena = Arena.ofConfined()) {
            if (pathOrName.indexOf('/') >= 0) SymbolLookup.libraryLookup(Path.of(pathOrName), arena);
            else SymbolLookup.libraryLookup(pathOrName, arena);
            return null;
        } catch (IllegalArgumentException | IllegalCallerException e) {
            String m = e.getMessage();
            return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
        }
    }
}
