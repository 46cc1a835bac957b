package io.chunkwise.io;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The Arrow memory of one context: a root allocator, and a child of it for each operation (a store, the read of
 * one record batch), named for what it does and closed when it ends. Arrow refuses to close an allocator that still
 * holds buffers: the child's or the root's close throws {@link IllegalStateException} ("Memory was leaked") with
 * the allocator's name, so a leak fails where it happens and again when the context closes.
 */
public final class ArrowMemory implements AutoCloseable {
    private final RootAllocator root = new RootAllocator();

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
