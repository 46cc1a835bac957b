package io.chunkwise.io;

import io.chunkwise.ChunkwiseException;
import io.chunkwise.spi.SetupWarnings;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.LoggerFactory;

/**
 * The Arrow memory of one context: a root allocator, and a child of it for each operation (a store, the read of
 * one record batch), named for what it does and closed when it ends. Arrow refuses to close an allocator that still
 * holds buffers: the child's or the root's close throws {@link IllegalStateException} ("Memory was leaked") with
 * the allocator's name, so a leak fails where it happens and again when the context closes.
 *
 * <p>Arrow's memory module reads {@code java.nio.Buffer}'s address field by reflection, so the JVM must open
 * {@code java.nio} to it ({@code --add-opens=java.base/java.nio=ALL-UNNAMED}). Without that, Arrow's classes would
 * fail to initialize once ({@link ExceptionInInitializerError}) and then with {@link NoClassDefFoundError} for the
 * rest of the JVM; instead every Arrow file operation throws a {@link ChunkwiseException} that names the flag, Arrow
 * is never touched, and everything else keeps working.
 */
public final class ArrowMemory implements AutoCloseable {
    private final RootAllocator root;

    ArrowMemory() {
        checkUsable();
        try {
            root = new RootAllocator();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw unusable("Arrow's memory module failed to start (" + root + ")", "it needs java.nio opened to it ("
                    + flag() + ") and sun.misc.Unsafe's memory access (--sun-misc-unsafe-memory-access=allow on JDK 23 "
                    + "and later)", e);
        }
    }

    /**
     * Throws a {@link ChunkwiseException} naming the JVM flag to add when this JVM does not open {@code java.nio} to
     * Arrow's memory module; checked before any Arrow memory class initializes.
     */
    static void checkUsable() {
        if (!java.nio.Buffer.class.getModule().isOpen("java.nio", BufferAllocator.class.getModule())) {
            throw unusable("this JVM does not open java.nio to Arrow's memory module", "start the JVM with " + flag()
                    + " (Arrow reads java.nio buffers' addresses by reflection)", null);
        }
    }

    /** The option that opens {@code java.nio} to the module Arrow's memory classes are in (the class path's, usually). */
    static String flag() {
        Module m = BufferAllocator.class.getModule();
        return "--add-opens=java.base/java.nio=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED");
    }

    private static ChunkwiseException unusable(String why, String fix, Throwable cause) {
        String message = "Arrow files cannot be loaded, nor Arrow vectors made: " + why + "; " + fix + ". Everything else works "
                + "without it, storing Arrow files too.";
        SetupWarnings.warnOnce("chunkwise.arrow-opens", LoggerFactory.getLogger(ArrowMemory.class), message);
        return new ChunkwiseException(message, cause);
    }

    /** A new child allocator of at most {@code limit} bytes; the caller closes it. */
    BufferAllocator child(String name, long limit) { return root.newChildAllocator(name, 0, limit); }

    /** Bytes held now by all operations (0 between operations). */
    public long allocated() { return root.getAllocatedMemory(); }

    /** Closes the root; throws {@link IllegalStateException} naming what still holds memory, if anything does. */
    @Override
    public void close() { root.close(); }

    /** What holds memory now: the root's bytes, and each open child's name and bytes. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Arrow memory: ").append(allocated()).append(" bytes");
        for (BufferAllocator c : root.getChildAllocators()) b.append("; '").append(c.getName()).append("' holds ").append(c.getAllocatedMemory());
        return b.toString();
    }
}
